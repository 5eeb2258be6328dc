#!/usr/bin/env bash
# Scan speed on real application trees: evdoc vs ripgrep, the same files, in the same run.
#
# The trees are open-source Socket.IO applications as published on npm (their own sources,
# vendored libraries and tests included, no node_modules): Etherpad (Express + socket.io server,
# jQuery client), The Lounge (socket.io server, Vue client) and EtherCalc. Both tools respect
# ignore files (there are none in the packages); evdoc runs with no catalog, as for a new user.
#
# Usage: benches/scan_real.sh [RUNS]   (needs hyperfine, rg and npm)
# With EVDOC_BEFORE=path/to/an/older/evdoc, that build is timed in the same run too.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
# Outside the repository: a catalog in a folder above a tree would apply to its scan.
work=${EVDOC_BENCH_REAL:-${TMPDIR:-/tmp}/evdoc-bench-real}
evdoc=$PWD/target/release/evdoc
apps=(ep_etherpad-lite@1.8.14 thelounge@2.6.0 ethercalc@0.20200127.0)

cargo build --release --quiet
mkdir -p "$work"
for app in "${apps[@]}"; do
  dir=$work/${app%@*}
  if [ ! -d "$dir" ]; then
    (cd "$work" && npm pack "$app" --silent >/dev/null)
    mkdir -p "$dir" && tar xzf "$work/${app%@*}-${app#*@}.tgz" -C "$dir" --strip-components=1
  fi
done
cd "$work"
header="| tree | JS/TS files | size | evdoc (median of $runs) | rg (median) | evdoc / rg |"
rule="|---|---|---|---|---|---|"
if [ -n "${EVDOC_BEFORE:-}" ]; then
  header+=" before (median) | evdoc / before |"
  rule+="---|---|"
fi
echo "$header"
echo "$rule"
for app in "${apps[@]}"; do
  name=${app%@*}
  files=$(find "$name" -type f \( -name '*.js' -o -name '*.ts' -o -name '*.vue' -o -name '*.mjs' -o -name '*.cjs' \) | wc -l)
  size=$(du -sh --apparent-size "$name" | cut -f1)
  before=()
  [ -n "${EVDOC_BEFORE:-}" ] && before=(-n before "$EVDOC_BEFORE scan --format json $name")
  hyperfine -N --style none --warmup 3 --runs "$runs" --export-json hyperfine.json \
    -n evdoc "$evdoc scan --format json $name" \
    -n rg "rg -c '\.(emit|on)\(' $name" "${before[@]}" >/dev/null 2>&1
  python3 - hyperfine.json "$app" "$files" "$size" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
e, r = res["evdoc"]["median"], res["rg"]["median"]
row = f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {e*1000:.1f} ms | {r*1000:.1f} ms | {e/r:.2f}× |"
if "before" in res:
    b = res["before"]["median"]
    row += f" {b*1000:.1f} ms | {e/b:.2f}× |"
print(row)
PY
done
