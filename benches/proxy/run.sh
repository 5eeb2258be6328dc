#!/usr/bin/env bash
# Overhead of `evdoc proxy`: the same load against node-baseline's Socket.IO server, once
# directly and once through the proxy, in one session, with the same pinning.
#
#   benches/proxy/run.sh          # 30 s per measured window (default)
#   benches/proxy/run.sh 20       # 20 s per window, a quicker run
#   DIRECT_ONLY=1 benches/proxy/run.sh 10   # only the direct-to-Node half (no evdoc needed)
#
# Build first (this script does not build): cargo build --release   → target/release/evdoc
#
# What it measures, per scenario, direct then via proxy (a fresh Node server, and a fresh proxy,
# for every window, so both start from the same state):
#   echo          1,000 clients × 5 ping:echo/s → pong:echo (socket.io-client 4.8, node-baseline's
#                 default client): round-trip latency p50/p95/p99.
#   fanout_light  2,000 subscribers of `signals` (node-baseline's raw ws client) × 10 signal:new
#                 publishes/s = 20,000 deliveries/s: publish-to-delivery latency. Publishes are
#                 HTTP POSTs to the Node server directly, also in the via-proxy run (the proxy
#                 relays Socket.IO only; probe.js points loadgen.js's POSTs at Node's port).
#   check         (CHECK=1, the default) node-baseline's contract checks, direct and via proxy:
#                 a functional smoke test, not timed.
# The server is node-baseline's server.js (socket.io 4.8 + ajv, SEED_USERS sessions sess-<i>,
# which it seeds itself; the proxy passes the handshake auth on, so it needs no sessions). The
# proxy is
#   evdoc proxy --upstream http://127.0.0.1:<node port> --catalog benches/serve/catalog.yaml
#               --mode enforce --host 127.0.0.1 --port <free port>
# The binary and the catalog are copied into the results folder when the run starts, so that a
# rebuild during the run does not mix two builds (meta.txt records both hashes).
# The load generator is node-baseline's loadgen.js, unmodified, preloaded with probe.js, which
# reads utime+stime of the Node server and of the proxy from /proc/<pid>/stat at the start and
# end of the load generator's own measured window (send/publish + drain).
#
# Pinning (PIN=1): Node on CPU $NODE_CPUS (0), the proxy on CPU $PROXY_CPUS (0, sharing Node's
# core, like a sidecar on a one-core box; its tokio runtime then sizes itself to one worker), the
# load generator on CPU $LOADGEN_CPUS (1). So via proxy, Node and proxy compete for one core:
# added latency includes that queueing.
#
# Targets: added p99 latency under 1 ms at 1,000 clients × 5 msg/s (echo); proxy CPU per relayed
# message below Node's own CPU per message (proxy / Node < 1).
#
# Output: a markdown table on stdout (summarize.js); raw results (loadgen JSON, probe JSON, the
# servers' stderr, table.md, summary.json) in ${TMPDIR:-/tmp}/evdoc-bench-proxy/<UTC stamp>/.
# The machine is a noisy 2-vCPU VM: expect ±30 % between runs; repeat before trusting a figure.
#
# Environment (defaults in brackets):
#   EVDOC [target/release/evdoc]  PROXY_MODE [enforce]  PROXY_EXTRA [""]  EVDOC_LOG [warn]
#   SCENARIOS ["echo fanout_light"]  CHECK [1]  DIRECT_ONLY [0]
#   ECHO_C [1000] ECHO_R [5] ECHO_CLIENT [sio]    FAN_C [2000] FAN_K [10] FAN_CLIENT [raw]
#   PIN [1] NODE_CPUS [0] PROXY_CPUS [0] LOADGEN_CPUS [1]  SEED_USERS [10000]
#   QUIET_MAX_PCT [15] QUIET_WAIT_S [60]  wait before each window until the machine is this quiet
#   NOISY_PCT [20] RETRIES [1]  rerun a window if other processes used more than this during it
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

T=${1:-${DURATION:-30}}
[[ $T =~ ^[0-9]+$ ]] && (( T >= 1 && T <= 300 )) || { echo "duration must be 1..300 s, got '$T'" >&2; exit 2; }
EVDOC=${EVDOC:-$ROOT/target/release/evdoc}
PROXY_MODE=${PROXY_MODE:-enforce}
PROXY_EXTRA=${PROXY_EXTRA:-}
export EVDOC_LOG=${EVDOC_LOG:-warn}
SCENARIOS=${SCENARIOS:-echo fanout_light}
CHECK=${CHECK:-1}
DIRECT_ONLY=${DIRECT_ONLY:-0}
ECHO_C=${ECHO_C:-1000}; ECHO_R=${ECHO_R:-5}; ECHO_CLIENT=${ECHO_CLIENT:-sio}
FAN_C=${FAN_C:-2000}; FAN_K=${FAN_K:-10}; FAN_CLIENT=${FAN_CLIENT:-raw}
PIN=${PIN:-1}; NODE_CPUS=${NODE_CPUS:-0}; PROXY_CPUS=${PROXY_CPUS:-0}; LOADGEN_CPUS=${LOADGEN_CPUS:-1}
SEED_USERS=${SEED_USERS:-10000}
QUIET_MAX_PCT=${QUIET_MAX_PCT:-15}; QUIET_WAIT_S=${QUIET_WAIT_S:-60}
NOISY_PCT=${NOISY_PCT:-20}; RETRIES=${RETRIES:-1}
HOST=127.0.0.1

NB=$ROOT/benches/serve/node-baseline
CATALOG=$ROOT/benches/serve/catalog.yaml
HERE=$ROOT/benches/proxy
OUT=${TMPDIR:-/tmp}/evdoc-bench-proxy/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
CLK_TCK=$(getconf CLK_TCK)

# --------------------------------------------------------------- prerequisites
if [[ ! -d $NB/node_modules ]]; then
  (cd "$NB" && npm ci --no-audit --no-fund --silent)
fi
if [[ $DIRECT_ONLY != 1 ]]; then
  if ! "$EVDOC" proxy --help >"$OUT/proxy-help.txt" 2>&1; then
    echo "$EVDOC has no working 'proxy' subcommand (see $OUT/proxy-help.txt); build it, or DIRECT_ONLY=1" >&2
    exit 2
  fi
fi
# Every window runs the same binary and catalog: copies taken now (the build may change mid-run).
if [[ $DIRECT_ONLY != 1 ]]; then
  cp "$EVDOC" "$OUT/evdoc"; EVDOC_SRC=$EVDOC; EVDOC=$OUT/evdoc
fi
cp "$CATALOG" "$OUT/catalog.yaml"; CATALOG=$OUT/catalog.yaml
if [[ $PIN == 1 ]] && command -v taskset >/dev/null && (( $(nproc) >= 2 )); then
  NODE_PIN=(taskset -c "$NODE_CPUS"); PROXY_PIN=(taskset -c "$PROXY_CPUS"); LG_PIN=(taskset -c "$LOADGEN_CPUS")
else
  PIN=0; NODE_PIN=(); PROXY_PIN=(); LG_PIN=()
fi

# --------------------------------------------------------------- processes
NODE_PID=""; PROXY_PID=""; NODE_PORT=""; PROXY_PORT=""
stop_pid() {  # stop_pid <pid>: TERM, up to 5 s, then KILL
  local pid=$1
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
stop_all() { stop_pid "$PROXY_PID"; PROXY_PID=""; stop_pid "$NODE_PID"; NODE_PID=""; }
cleanup() { stop_all; rm -f "$OUT/evdoc"; }  # the 170 MB copy of the binary is not kept
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_listening() {  # wait_listening <port> <pid> <log>
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "process $2 exited before listening; see $3:" >&2; tail -20 "$3" >&2; return 1; }
    sleep 0.1
  done
  echo "nothing listening on $HOST:$1 after 15 s; see $3" >&2; return 1
}
start_node() {  # start_node <log>
  NODE_PORT=$(free_port)
  (cd "$NB" && PORT=$NODE_PORT HOST=$HOST SEED_USERS=$SEED_USERS exec "${NODE_PIN[@]}" node server.js) >"$1" 2>&1 &
  NODE_PID=$!
  wait_listening "$NODE_PORT" "$NODE_PID" "$1"
}
start_proxy() {  # start_proxy <log>
  PROXY_PORT=$(free_port)
  # shellcheck disable=SC2086
  "${PROXY_PIN[@]}" "$EVDOC" proxy --upstream "http://$HOST:$NODE_PORT" --catalog "$CATALOG" \
    --host "$HOST" --port "$PROXY_PORT" --mode "$PROXY_MODE" $PROXY_EXTRA >"$1" 2>&1 &
  PROXY_PID=$!
  wait_listening "$PROXY_PORT" "$PROXY_PID" "$1"
}

# machine-wide busy CPU over 2 s, in % of one core (as node-baseline's run.sh)
busy_pct() {
  local a b
  read -r -a a </proc/stat; sleep 2; read -r -a b </proc/stat
  echo $(( ((b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8])) * 100 / (CLK_TCK * 2) ))
}
quiet_gate() {
  local start=$SECONDS pct
  while :; do
    pct=$(busy_pct)
    if (( pct < QUIET_MAX_PCT )) || (( SECONDS - start >= QUIET_WAIT_S )); then echo "$pct"; return 0; fi
    echo "   machine busy (${pct}% of a core), waiting..." >&2
  done
}

loadgen_args() {  # loadgen_args <scenario>
  case $1 in
    check)        echo "--mode check" ;;
    echo)         echo "--mode echo --clients $ECHO_C --rate $ECHO_R --duration $T --client $ECHO_CLIENT" ;;
    fanout_light) echo "--mode fanout --clients $FAN_C --publish-rate $FAN_K --duration $T --client $FAN_CLIENT" ;;
    *) echo "unknown scenario $1" >&2; return 1 ;;
  esac
}

# CPU used during a window by processes other than Node, the proxy and the load generator, in %
# of one core: loadgen.js's other_cpu_pct (machine busy minus its --server-pid and itself) minus
# Node in the via-proxy run, where --server-pid is the proxy. A noise flag, not a measurement.
other_pct() {  # other_pct <result.json> <probe.json>
  node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    let node = 0;
    try {
      const p = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
      const w = p.windows[p.windows.length - 1];
      if (r.label.endsWith(".proxy") && w.pids.node.end) node = ((w.pids.node.end.utime + w.pids.node.end.stime) - (w.pids.node.start.utime + w.pids.node.start.stime)) / p.clk_tck / ((w.t1_ms - w.t0_ms) / 1000) * 100;
    } catch (e) { /* check mode: no probe */ }
    console.log(Math.max(0, Math.round((r.other_cpu_pct || 0) - node)));
  ' "$1" "$2" 2>/dev/null || echo 0
}

# window <scenario> <direct|proxy>: fresh Node (+ proxy), one loadgen run, stop both; once more
# (RETRIES) if other processes used more than NOISY_PCT of a core during it.
window() {
  local s=$1 via=$2 args target spid gate rc probe_pids publish_port attempt=0 other
  args=$(loadgen_args "$s")
  while :; do
    rc=0; publish_port=""
    gate=$(quiet_gate)
    start_node "$OUT/$s.$via.node.log"
    target=$NODE_PORT; spid=$NODE_PID; probe_pids="node=$NODE_PID"
    if [[ $via == proxy ]]; then
      start_proxy "$OUT/$s.$via.proxy.log"
      target=$PROXY_PORT; spid=$PROXY_PID; probe_pids+=",proxy=$PROXY_PID"; publish_port=$NODE_PORT
    fi
    echo "== $s $via (attempt $((attempt + 1)); node :$NODE_PORT pid $NODE_PID${PROXY_PID:+, proxy :$PROXY_PORT pid $PROXY_PID}; other CPU before: ${gate}% of a core)"
    rm -f "$OUT/$s.$via.probe.json"
    # shellcheck disable=SC2086
    (cd "$NB" && PROBE_PIDS=$probe_pids PROBE_OUT="$OUT/$s.$via.probe.json" CLK_TCK=$CLK_TCK \
       PUBLISH_PORT=$publish_port PUBLISH_PATH=/publish \
       exec timeout $((T + 150)) "${LG_PIN[@]}" node -r "$HERE/probe.js" loadgen.js $args --host "$HOST" \
         --port "$target" --ramp-rate 1000 --max-pending 500 --server-pid "$spid" --label "$s.$via") \
      >"$OUT/$s.$via.json" 2>"$OUT/$s.$via.loadgen.log" || rc=$?
    if [[ -n $PROXY_PID ]] && ! kill -0 "$PROXY_PID" 2>/dev/null; then
      echo "   PROXY EXITED during the run; see $OUT/$s.$via.proxy.log" | tee -a "$OUT/problems.txt"
    fi
    stop_all
    other=$(other_pct "$OUT/$s.$via.json" "$OUT/$s.$via.probe.json")
    echo "$s.$via attempt=$((attempt + 1)) quiet_gate_pct=$gate other_during_pct=$other loadgen_rc=$rc" >>"$OUT/meta.txt"
    if [[ $s != check ]] && (( other > NOISY_PCT && attempt < RETRIES )); then
      attempt=$((attempt + 1))
      echo "   noisy: other processes used ${other}% of a core during the window; once more"
      for f in json probe.json loadgen.log node.log proxy.log; do
        [[ -f $OUT/$s.$via.$f ]] && mv "$OUT/$s.$via.$f" "$OUT/$s.$via.noisy$attempt.$f"
      done
      continue
    fi
    break
  done
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const e = Object.entries(r.errors || {}).map(([k, v]) => `${k}=${v}`).join(" ");
    if (r.mode === "check") console.log(`   ${r.passed}/${r.passed + r.failed} checks pass${r.failed ? ": FAILED " + (r.results || []).map((x) => x.name).join("; ") : ""}`);
    else console.log(`   connected ${r.clients_connected}/${r.clients_requested}, lost ${r.lost}, errors {${e}}${r.aborted ? ", ABORTED " + r.aborted : ""}; other CPU during: ${process.argv[2]}% of a core`);
  ' "$OUT/$s.$via.json" "$other" 2>/dev/null || echo "   no result JSON (loadgen rc=$rc); see $OUT/$s.$via.loadgen.log" | tee -a "$OUT/problems.txt"
  (( rc == 0 )) || echo "   loadgen exited $rc ($s $via)" | tee -a "$OUT/problems.txt"
  if [[ $via == proxy ]] && [[ -s $OUT/$s.$via.proxy.log ]]; then
    echo "   proxy stderr: $(wc -l <"$OUT/$s.$via.proxy.log") lines (first: $(head -1 "$OUT/$s.$via.proxy.log" | cut -c1-240))"
  fi
}

# --------------------------------------------------------------- run
VIAS=(direct); [[ $DIRECT_ONLY == 1 ]] || VIAS+=(proxy)
{
  echo "started=$(date -u +%FT%TZ) duration_s=$T scenarios='$SCENARIOS' check=$CHECK vias='${VIAS[*]}'"
  [[ $DIRECT_ONLY == 1 ]] || echo "evdoc=$EVDOC_SRC (built $(stat -c '%y' "$EVDOC_SRC"), sha256 $(sha256sum "$EVDOC" | cut -c1-16)) mode=$PROXY_MODE extra='$PROXY_EXTRA' EVDOC_LOG=$EVDOC_LOG"
  echo "catalog=$ROOT/benches/serve/catalog.yaml (sha256 $(sha256sum "$CATALOG" | cut -c1-16)$(git -C "$ROOT" diff --quiet HEAD -- benches/serve/catalog.yaml 2>/dev/null || echo ', modified vs HEAD'))"
  echo "echo: C=$ECHO_C R=$ECHO_R client=$ECHO_CLIENT | fanout_light: C=$FAN_C K=$FAN_K client=$FAN_CLIENT"
  echo "pin=$PIN node_cpus=$NODE_CPUS proxy_cpus=$PROXY_CPUS loadgen_cpus=$LOADGEN_CPUS"
  echo "node=$(node -v) kernel=$(uname -r) cpus=$(nproc) git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
} | tee "$OUT/meta.txt"

if [[ $CHECK == 1 ]]; then
  for via in "${VIAS[@]}"; do window check "$via"; done
fi
for s in $SCENARIOS; do
  for via in "${VIAS[@]}"; do window "$s" "$via"; done
done

echo
node "$HERE/summarize.js" "$OUT" $SCENARIOS | tee "$OUT/table.md"
[[ -s $OUT/problems.txt ]] && { echo; echo "problems:"; cat "$OUT/problems.txt"; }
echo "raw results: $OUT"
