#!/usr/bin/env bash
# Soak test of `evdoc serve` (issue 14): a release build on 127.0.0.1 (a free port), the
# benchmark catalog (benches/serve/catalog.yaml) with a sessions file for its 2,000 clients,
# driven for MINUTES by evdoc-soak (benches/serve/loadgen/src/bin/soak/): valid events with
# acks, invalid payloads, a flooding client, publishes into rooms on POST /v1/publish, and
# churn (a tenth of the clients drop and reconnect every 10 s, over WebSocket, polling, and
# polling upgraded to WebSocket). Every 10 s it samples the server's RSS, open descriptors,
# threads and live sockets (evdoc_connections; evdoc exports no tokio task count, so live
# sockets and threads stand for tasks) into samples.csv. It fails (exit 1, each reason on its
# own line) when, after the warm-up (min(2 min, a third of the run)), RSS grows by more than
# 5 % or descriptors/sockets/threads grow with the same clients connected, when descriptors or
# sockets are not released once every client has left, when an ack goes unanswered, a valid
# publish misses a connected member of its room, or the server logs a panic.
#
#   benches/soak.sh 30                     # 30 minutes (release builds)
#   nice -n 10 benches/soak.sh 30          # on a shared machine: everything it starts inherits it
#   SOAK_PROFILE=debug benches/soak.sh 1   # the 60-second version of scripts/test
#
# Environment: SOAK_PROFILE [release] (debug: the debug builds, which scripts/test has already
# made, so nothing is compiled twice), SOAK_CARGO_ARGS [] (extra `cargo build` arguments for
# evdoc, e.g. the features the caller builds with), SOAK_CLIENTS [2000], SOAK_USERS [500],
# SOAK_OUT [target/soak/<UTC stamp>], SOAK_ARGS [] (more evdoc-soak options, see its --help),
# EVDOC_LOG [info] (the server's log filter).
# Output in SOAK_OUT: samples.csv, summary.json, soak.log (the driver), server.log, metrics.txt
# (the server's /metrics after every client left).
# Everything it starts (server, driver) is stopped on exit, on failure and on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: benches/soak.sh MINUTES   (e.g. 30; 1 for the 60-second version)" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
MINUTES=$1
[[ $MINUTES =~ ^[0-9]+([.][0-9]+)?$ ]] || usage
SECONDS_RUN=$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')
(( SECONDS_RUN >= 10 )) || usage

PROFILE=${SOAK_PROFILE:-release}
CLIENTS=${SOAK_CLIENTS:-2000}
USERS=${SOAK_USERS:-500}
OUT=${SOAK_OUT:-target/soak/$(date -u +%Y%m%dT%H%M%SZ)}
read -r -a CARGO_EXTRA <<<"${SOAK_CARGO_ARGS:-}"
read -r -a SOAK_EXTRA <<<"${SOAK_ARGS:-}"
case $PROFILE in
  release) PROFILE_FLAG=(--release); DIR=release ;;
  debug) PROFILE_FLAG=(); DIR=debug ;;
  *) echo "SOAK_PROFILE must be release or debug" >&2; exit 2 ;;
esac

SERVER_PID=""
DRIVER_PID=""
TAIL_PID=""
# Stop what this script started, by PID: the driver first (it would otherwise count the
# server going away as failures), then the server, gracefully, then for good.
cleanup() {
  if [[ -n $DRIVER_PID ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null || true
    wait "$DRIVER_PID" 2>/dev/null || true
  fi
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n $TAIL_PID ]]; then kill "$TAIL_PID" 2>/dev/null || true; fi
  DRIVER_PID=""; SERVER_PID=""; TAIL_PID=""
}
trap cleanup EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT TERM

echo "== building evdoc ($PROFILE) and evdoc-soak"
cargo build "${PROFILE_FLAG[@]}" --locked --quiet "${CARGO_EXTRA[@]}"
cargo build "${PROFILE_FLAG[@]}" --locked --quiet --manifest-path benches/serve/loadgen/Cargo.toml \
  --target-dir target/loadgen --bin evdoc-soak
EVDOC=target/$DIR/evdoc
SOAK=target/loadgen/$DIR/evdoc-soak

mkdir -p "$OUT"
# 2,000 clients hold 2,000+ descriptors on each side: raise the soft limit to the hard one.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$SOAK" --write-sessions "$OUT/sessions.json" --clients "$CLIENTS" --users "$USERS"
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

# Port 0: the kernel picks a free one, which the server logs.
EVDOC_LOG=${EVDOC_LOG:-info} "$EVDOC" serve --catalog benches/serve/catalog.yaml --sessions "$OUT/sessions.json" \
  --publish-token "$TOKEN" --host 127.0.0.1 --port 0 >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 300); do
  PORT=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$OUT/server.log" | head -n 1 | sed 's/.*://' || true)
  [[ -n $PORT ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $PORT ]]; then
  echo "FAIL: evdoc serve did not start; its log:" >&2
  cat "$OUT/server.log" >&2
  exit 1
fi
echo "== evdoc serve (pid $SERVER_PID) on 127.0.0.1:$PORT; $CLIENTS clients for $SECONDS_RUN s; output in $OUT"
echo "   commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock vendor 2>/dev/null || echo ' + uncommitted changes in src/'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"

# The driver in the background, so that a signal reaches this script's trap at once.
"$SOAK" --port "$PORT" --server-pid "$SERVER_PID" --publish-token "$TOKEN" --seconds "$SECONDS_RUN" \
  --clients "$CLIENTS" --users "$USERS" --csv "$OUT/samples.csv" --summary "$OUT/summary.json" \
  --metrics-out "$OUT/metrics.txt" \
  "${SOAK_EXTRA[@]}" >"$OUT/soak.log" 2>&1 &
DRIVER_PID=$!
tail -n +1 -f --pid="$DRIVER_PID" "$OUT/soak.log" &
TAIL_PID=$!
rc=0
wait "$DRIVER_PID" || rc=$?
DRIVER_PID=""
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=""

# The server must still be there, then stop as it is told to.
alive=1
kill -0 "$SERVER_PID" 2>/dev/null || alive=0
cleanup
fail=0
if (( !alive )); then
  echo "FAIL: evdoc serve exited during the soak (see $OUT/server.log)" >&2; fail=1
fi
# A panic in a task does not stop a tokio server: only its log tells.
if grep -n 'panicked at' "$OUT/server.log" >&2; then
  echo "FAIL: evdoc serve panicked (lines above, from $OUT/server.log)" >&2; fail=1
fi
echo "server log: $(grep -c ' WARN ' "$OUT/server.log" || true) warnings (floods cut off: $(grep -c 'event flood' "$OUT/server.log" || true)), $(grep -c ' ERROR ' "$OUT/server.log" || true) errors"
if (( rc != 0 )); then
  echo "FAIL: evdoc-soak exited with $rc (reasons above; $OUT/summary.json)" >&2; fail=1
fi
if (( fail )); then
  exit 1
fi
echo "PASS: $SECONDS_RUN s soak of evdoc serve ($OUT/samples.csv, $OUT/summary.json)"
