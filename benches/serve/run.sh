#!/usr/bin/env bash
# Side-by-side benchmark: the node-baseline matrix (Node socket.io 4.8 + ajv, the server a team
# would write by hand) and the same matrix against `evdoc serve` on benches/serve/catalog.yaml,
# in one session, with the same CPU pinning (server on CPU 0, load generator on CPU 1), then
# the side-by-side table of node-baseline's report.js.
#
#   benches/serve/run.sh                       # full matrix, both servers
#   SCENARIOS="check echo" benches/serve/run.sh
#
# Environment: NODE_BASELINE [../shared/bench/node-baseline] (read-only; copied to
# target/serve-bench/), SCENARIOS [check echo idle fanout fanout_raw fanout_light invalid],
# plus everything node-baseline's run.sh reads (ECHO_C, FAN_C, PIN, QUIET_MAX_PCT, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SRC=${NODE_BASELINE:-$ROOT/../shared/bench/node-baseline}
WORK=$ROOT/target/serve-bench/node-baseline
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
export SCENARIOS=${SCENARIOS:-check echo idle fanout fanout_raw fanout_light invalid}

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

echo "== Node socket.io + ajv"
(cd "$WORK" && LABEL=node OUT_DIR="results/$STAMP-node" ./run.sh)
echo "== evdoc serve"
# Logs at warn: the Node server logs nothing per message either.
(cd "$WORK" && EVDOC_LOG=warn LABEL=evdoc OUT_DIR="results/$STAMP-evdoc" \
  SERVER_CMD="$EVDOC serve --catalog $ROOT/benches/serve/catalog.yaml --sessions $WORK/sessions.json --publish-token t" \
  LOADGEN_EXTRA="--publish-path /v1/publish --publish-token t" ./run.sh)

echo
echo "== side by side ($STAMP)"
(cd "$WORK" && node report.js "results/$STAMP-node" "results/$STAMP-evdoc") | tee "$WORK/results/$STAMP-side-by-side.md"
node "$ROOT/benches/serve/ratios.js" "$WORK/results/$STAMP-node" "$WORK/results/$STAMP-evdoc" | tee -a "$WORK/results/$STAMP-side-by-side.md"
