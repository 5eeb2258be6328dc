#!/usr/bin/env bash
# Side-by-side benchmark: the node-baseline matrix (Node socket.io 4.8 + ajv, the server a team
# would write by hand) and the same matrix against `evdoc serve` on benches/serve/catalog.yaml,
# in one session, with the same CPU pinning (server on CPU 0, load generator on CPU 1), then
# the side-by-side table of node-baseline's report.js.
#
#   benches/serve/run.sh                       # full matrix, both servers
#   SCENARIOS="check echo" benches/serve/run.sh
#
# Environment: NODE_BASELINE [benches/serve/node-baseline] (read-only; copied to
# target/serve-bench/), SCENARIOS [check echo idle fanout fanout_raw fanout_light invalid
# fanout_rs], plus everything node-baseline's run.sh reads (ECHO_C, FAN_C, PIN, QUIET_MAX_PCT, ...).
#
# fanout_rs: the fan-out scenario once more, driven by the Rust load generator in
# benches/serve/loadgen (evdoc-loadgen, a raw Engine.IO 4 / Socket.IO 5 client on tokio). At
# 2000 subscribers × 50 publishes/s (100k deliveries/s) node-baseline's loadgen.js uses 96–98 %
# of its core even with its raw client, so in fanout/fanout_raw the load generator, not the
# server, is the bottleneck. evdoc-loadgen does the same work (same wire protocol, publish
# body, latency stamping, /proc CPU/RSS sampling and JSON fields) with a half to a third of the
# user-space CPU per delivery; its remaining cost is mostly the kernel's (recv, and the TCP ACK
# each read sends over loopback), so it keeps up with 100k deliveries/s at ~75–85 % of its core.
# The server's CPU per delivery comes out higher under it than under a saturated loadgen.js,
# likely because it reads (so ACKs) every frame as it comes (see loadgen/src/main.rs).
# It runs after the node-baseline matrices, against both servers, with node-baseline's pinning
# (server `taskset -c $SERVER_CPUS`, load generator `taskset -c $LOADGEN_CPUS`), quiet gate and
# noisy-run retry, a fresh server stopped by PID, and writes fanout_rs.json into the same two
# result folders, so that report.js and ratios.js include it.
#   FANRS_C [$FAN_C or 2000]  FANRS_K [$FANRAW_K or 50]  FANRS_T [$FANRAW_T or 10]
#   SCENARIOS="fanout_rs" benches/serve/run.sh      # only the Rust-loadgen fan-out
#
# The floor (FLOOR=1, the default; FLOOR=0 skips it): the echo, idle and fan-out scenarios once
# more against evdoc-floor (benches/serve/loadgen/src/bin/floor.rs), evdoc serve's stack —
# tokio, hyper, tokio-tungstenite, one socket per task — without Socket.IO, schemas or metrics:
# the least CPU and memory a server on this stack spends on node-baseline's scenarios. Its
# results go to a third folder, and ratios.js prints floor / Node next to evdoc / Node.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SRC=${NODE_BASELINE:-$ROOT/benches/serve/node-baseline}
WORK=$ROOT/target/serve-bench/node-baseline
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
SCENARIOS=${SCENARIOS:-check echo idle fanout fanout_raw fanout_light invalid fanout_rs}
# node-baseline's run.sh knows nothing of fanout_rs (it would refuse it): split it off.
NB_SCENARIOS=""; FANRS=0; FLOOR_SCENARIOS=""
for s in $SCENARIOS; do
  if [[ $s == fanout_rs ]]; then FANRS=1; else NB_SCENARIOS+="${NB_SCENARIOS:+ }$s"; fi
  # The floor answers ping:echo and signals, nothing else (no check, no invalid).
  case $s in echo|idle|fanout|fanout_raw|fanout_light) FLOOR_SCENARIOS+="${FLOOR_SCENARIOS:+ }$s";; esac
done
FLOOR=${FLOOR:-1}

[ -f "$SRC/run.sh" ] || { echo "node-baseline not found at $SRC (set NODE_BASELINE)" >&2; exit 2; }
mkdir -p "$WORK"
# Copy the harness (never its results or node_modules), then install from its lockfile.
for f in "$SRC"/*.js "$SRC"/*.sh "$SRC"/package.json "$SRC"/package-lock.json; do cp "$f" "$WORK/"; done
chmod +x "$WORK/run.sh"
if [ ! -d "$WORK/node_modules" ]; then
  (cd "$WORK" && npm ci --no-audit --no-fund --silent)
fi
(cd "$WORK" && node gen-sessions.js "${SEED_USERS:-10000}" > sessions.json)

cargo build --release --locked --quiet
EVDOC=$ROOT/target/release/evdoc
EVDOC_CMD="$EVDOC serve --catalog $ROOT/benches/serve/catalog.yaml --sessions $WORK/sessions.json --publish-token t"
NODE_DIR=$WORK/results/$STAMP-node
EVDOC_DIR=$WORK/results/$STAMP-evdoc
FLOOR_DIR=$WORK/results/$STAMP-floor
mkdir -p "$NODE_DIR" "$EVDOC_DIR"
if (( FANRS || FLOOR )); then
  cargo build --release --locked --quiet --manifest-path benches/serve/loadgen/Cargo.toml --target-dir target/loadgen
fi
FLOOR_CMD=$ROOT/target/loadgen/release/evdoc-floor
# evdoc and the floor take publishes on /v1/publish (Node on /publish, without a token).
PUBLISH="--publish-path /v1/publish --publish-token t"

if [[ -n $NB_SCENARIOS ]]; then
  echo "== Node socket.io + ajv"
  (cd "$WORK" && SCENARIOS="$NB_SCENARIOS" LABEL=node OUT_DIR="$NODE_DIR" ./run.sh)
  echo "== evdoc serve"
  # Logs at warn: the Node server logs nothing per message either.
  (cd "$WORK" && SCENARIOS="$NB_SCENARIOS" EVDOC_LOG=warn LABEL=evdoc OUT_DIR="$EVDOC_DIR" \
    SERVER_CMD="$EVDOC_CMD" LOADGEN_EXTRA="$PUBLISH" ./run.sh)
fi
if (( FLOOR )) && [[ -n $FLOOR_SCENARIOS ]]; then
  echo "== evdoc-floor: the same stack without Socket.IO"
  mkdir -p "$FLOOR_DIR"
  (cd "$WORK" && SCENARIOS="$FLOOR_SCENARIOS" LABEL=floor OUT_DIR="$FLOOR_DIR" \
    SERVER_CMD="$FLOOR_CMD" LOADGEN_EXTRA="$PUBLISH" ./run.sh)
fi

if (( FANRS )); then
  LOADGEN_RS=$ROOT/target/loadgen/release/evdoc-loadgen
  # The same knobs, with the same defaults, as node-baseline's run.sh.
  HOST=${HOST:-127.0.0.1}; PORT=${PORT:-3900}; SEED_USERS=${SEED_USERS:-10000}
  PIN=${PIN:-1}; SERVER_CPUS=${SERVER_CPUS:-0}; LOADGEN_CPUS=${LOADGEN_CPUS:-1}
  RAMP_RATE=${RAMP_RATE:-1000}; MAX_PENDING=${MAX_PENDING:-500}
  QUIET_MAX_PCT=${QUIET_MAX_PCT:-15}; QUIET_WAIT_S=${QUIET_WAIT_S:-90}
  RETRIES=${RETRIES:-1}; NOISY_PCT=${NOISY_PCT:-15}
  FANRS_C=${FANRS_C:-${FAN_C:-2000}}; FANRS_K=${FANRS_K:-${FANRAW_K:-50}}; FANRS_T=${FANRS_T:-${FANRAW_T:-10}}
  case "$HOST" in 127.*|localhost|::1) ;; *) echo "refusing non-loopback HOST=$HOST" >&2; exit 2;; esac
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [[ "$PIN" == 1 ]] && command -v taskset >/dev/null; then
    SRV_PIN=(taskset -c "$SERVER_CPUS"); LG_PIN=(taskset -c "$LOADGEN_CPUS")
  else
    SRV_PIN=(); LG_PIN=()
  fi

  SERVER_PID=""
  stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -TERM "$SERVER_PID" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  }
  trap 'stop_server' EXIT
  trap 'stop_server; exit 130' INT TERM
  # machine-wide busy CPU over 2 s, in % of one core (node-baseline's quiet gate)
  busy_pct() {
    local a b
    read -r -a a < /proc/stat; sleep 2; read -r -a b < /proc/stat
    local b0=$(( a[1]+a[2]+a[3]+a[6]+a[7]+a[8] )) b1=$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] ))
    echo $(( (b1 - b0) * 100 / ( $(getconf CLK_TCK) * 2 ) ))
  }
  quiet_gate() {
    local start=$SECONDS pct
    while :; do
      pct=$(busy_pct)
      if (( pct < QUIET_MAX_PCT )); then echo "$pct"; return 0; fi
      if (( SECONDS - start >= QUIET_WAIT_S )); then echo "$pct"; return 1; fi
      echo "  machine busy (${pct}% of a core used by other processes), waiting..." >&2
    done
  }
  # fanout_rs <out-dir> <server command> [extra loadgen args]: one run, as node-baseline's run.sh
  # runs a scenario (fresh server, env PORT/HOST/SEED_USERS, stopped by PID, JSON + logs).
  fanout_rs() {
    local out=$1 cmd=$2 extra=${3:-} attempt=0 gate gate_ok rc other argv
    read -r -a argv <<<"$cmd"
    echo "fanout_rs: C=$FANRS_C K=$FANRS_K T=$FANRS_T loadgen=$LOADGEN_RS server_cmd=$cmd started=$(date -u +%FT%TZ)" >>"$out/meta.txt"
    while :; do
      gate_ok=0; gate=$(quiet_gate) || gate_ok=$?
      echo "== fanout_rs (attempt $((attempt + 1)); other CPU before start: ${gate}% of a core$([[ $gate_ok == 0 ]] || echo ', NOT QUIET'))"
      if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
        echo "something is already listening on $HOST:$PORT; choose another PORT" >&2; return 1
      fi
      PORT=$PORT HOST=$HOST SEED_USERS=$SEED_USERS "${SRV_PIN[@]}" "${argv[@]}" >"$out/fanout_rs.server.log" 2>&1 &
      SERVER_PID=$!
      local up=0
      for _ in $(seq 1 150); do
        if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then up=1; break; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
      done
      (( up )) || { echo "server did not come up, see $out/fanout_rs.server.log" >&2; stop_server; return 1; }
      rc=0
      # shellcheck disable=SC2086
      timeout 240 "${LG_PIN[@]}" "$LOADGEN_RS" --mode fanout --clients "$FANRS_C" --publish-rate "$FANRS_K" \
        --duration "$FANRS_T" $extra --host "$HOST" --port "$PORT" --ramp-rate "$RAMP_RATE" \
        --max-pending "$MAX_PENDING" --server-pid "$SERVER_PID" --label fanout_rs \
        >"$out/fanout_rs.json.tmp" 2>"$out/fanout_rs.log" || rc=$?
      stop_server
      other=$(node -e 'try{const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(Math.round(r.other_cpu_pct||0))}catch(e){console.log(0)}' "$out/fanout_rs.json.tmp")
      echo "   rc=$rc other_cpu_during_run=${other}%"
      if (( other > NOISY_PCT && attempt < RETRIES )); then
        attempt=$((attempt + 1)); echo "   noisy run (other processes used ${other}% of a core), retrying"; continue
      fi
      node -e 'const fs=require("fs");const [f,g,ok,a]=process.argv.slice(1);let r;try{r=JSON.parse(fs.readFileSync(f,"utf8"))}catch(e){r={mode:"?",label:"fanout_rs",aborted:"no_json"}};r.quiet_gate_other_pct=Number(g);r.quiet_gate_ok=ok==="0";r.attempt=Number(a);fs.writeFileSync(f.replace(/\.tmp$/,""),JSON.stringify(r)+"\n")' \
        "$out/fanout_rs.json.tmp" "$gate" "$gate_ok" "$((attempt + 1))"
      rm -f "$out/fanout_rs.json.tmp"
      (cd "$WORK" && node report.js "$out" >"$out/table.md")
      return 0
    done
  }
  # cwd = the harness folder, as node-baseline's run.sh runs `node server.js` there
  cd "$WORK"
  echo "== fanout_rs, Rust load generator: Node socket.io + ajv"
  fanout_rs "$NODE_DIR" "node server.js"
  echo "== fanout_rs, Rust load generator: evdoc serve"
  EVDOC_LOG=warn fanout_rs "$EVDOC_DIR" "$EVDOC_CMD" "$PUBLISH"
  if (( FLOOR )); then
    echo "== fanout_rs, Rust load generator: evdoc-floor"
    mkdir -p "$FLOOR_DIR"
    fanout_rs "$FLOOR_DIR" "$FLOOR_CMD" "$PUBLISH"
  fi
  cd "$ROOT"
fi

echo
echo "== side by side ($STAMP)"
(cd "$WORK" && node report.js "results/$STAMP-node" "results/$STAMP-evdoc") | tee "$WORK/results/$STAMP-side-by-side.md"
FLOOR_ARG=(); [[ -d $FLOOR_DIR ]] && FLOOR_ARG=("$FLOOR_DIR")
node "$ROOT/benches/serve/ratios.js" "$NODE_DIR" "$EVDOC_DIR" "${FLOOR_ARG[@]}" | tee -a "$WORK/results/$STAMP-side-by-side.md"
