#!/usr/bin/env bash
# Scan throughput: evdoc vs ripgrep over the same JS/TS files, measured in the same run.
#
# Corpus: the JS/TS sources of the `typescript`, `socket.io` and `socket.io-client` npm packages
# (installed from the lockfile in benches/corpus/) plus generated Socket.IO app files. Both tools
# read every file (`--no-ignore`). Prints a Markdown table for docs/performance.md.
#
# Usage: benches/scan.sh [RUNS]   (needs hyperfine and rg: apt-get install hyperfine ripgrep)
# With EVDOC_BEFORE=path/to/an/older/evdoc, that build is timed in the same run too, and the table
# gains its column: what a change costs, measured against the previous build.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
work=target/bench-scan
corpus=$work/corpus

cargo build --release --quiet
if [ ! -d "$corpus" ]; then
  rm -rf "$work" && mkdir -p "$corpus"
  (cd benches/corpus && npm ci --silent --no-audit --no-fund)
  # Only the files evdoc reads, so that both tools see the same bytes.
  (cd benches/corpus/node_modules && find typescript socket.io socket.io-client socket.io-parser engine.io engine.io-client \
      -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' \) -print0 |
      xargs -0 -I{} cp --parents {} "$OLDPWD/$corpus/")
  python3 benches/gen_app.py "$corpus/generated" 2000
fi
measure() { # name dir
  local dir=$1 bytes files
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  files=$(find "$dir" -type f | wc -l)
  local before=()
  if [ -n "${EVDOC_BEFORE:-}" ]; then
    before=(-n before "$EVDOC_BEFORE scan --no-ignore --format json $dir > /dev/null")
  fi
  hyperfine --style none --warmup 2 --runs "$runs" --export-json "$work/hyperfine.json" \
    -n evdoc "target/release/evdoc scan --no-ignore --format json $dir > /dev/null" \
    -n rg "rg -c --no-ignore --hidden '\.(emit|on)\(' $dir > /dev/null || true" \
    "${before[@]}" >&2
  python3 - "$work/hyperfine.json" "$bytes" "$files" "$2" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
mb = int(sys.argv[2]) / 1e6
e, r = res["evdoc"]["median"], res["rg"]["median"]
row = f"| {sys.argv[4]} | {sys.argv[3]} | {mb:.1f} MB | {e*1000:.0f} ms | {mb/e:.0f} MB/s | {r*1000:.0f} ms | {mb/r:.0f} MB/s | {e/r:.2f}× |"
if "before" in res:
    b = res["before"]["median"]
    row += f" {b*1000:.0f} ms | {e/b:.2f}× |"
print(row)
PY
}
if [ -n "${EVDOC_BEFORE:-}" ]; then
  echo "| corpus | files | size | evdoc (median of $runs) | evdoc MB/s | rg (median) | rg MB/s | evdoc / rg | before (median) | evdoc / before |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
else
  echo "| corpus | files | size | evdoc (median of $runs) | evdoc MB/s | rg (median) | rg MB/s | evdoc / rg |"
  echo "|---|---|---|---|---|---|---|---|"
fi
measure "$corpus" "everything"
measure "$corpus/typescript" "typescript only (no Socket.IO: gate only)"
measure "$corpus/generated" "generated app files (every file parsed)"
