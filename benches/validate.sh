#!/usr/bin/env bash
# Throughput and memory of `evdoc validate` on generated captures of the reference catalog.
#
#   benches/validate.sh [SIZE_MB...]      default: 100 1024
#
# Writes target/bench-validate/capture-<N>mb.jsonl (realistic records: every event of
# catalog/ with its catalog examples, both directions, a tenth of them invalid, with
# namespaces), then times a release build reading each file once (`/usr/bin/time -v`: wall
# time, max RSS). Prints a Markdown table for docs/performance.md: events/s on one thread and
# peak RSS per file size. The generated files are never committed (target/).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100 1024}")
read -r -a sizes <<<"${sizes[*]}"
work=target/bench-validate
mkdir -p "$work"
cargo build --release --quiet
for mb in "${sizes[@]}"; do
  f="$work/capture-${mb}mb.jsonl"
  [ -f "$f" ] || python3 benches/gen_traffic.py catalog "$mb" > "$f"
done
echo "| capture | records | wall | events/s | max RSS |"
echo "|---|---:|---:|---:|---:|"
for mb in "${sizes[@]}"; do
  f="$work/capture-${mb}mb.jsonl"
  out=$( { /usr/bin/time -v target/release/evdoc validate --quiet --catalog catalog --format json --max-failures 5 "$f" >"$work/report-${mb}.json"; } 2>&1 || true)
  wall=$(grep "Elapsed (wall clock)" <<<"$out" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" <<<"$out" | awk '{print $NF}')
  records=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records'])" "$work/report-${mb}.json")
  secs=$(python3 -c "import sys; p=sys.argv[1].split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))" "$wall")
  rate=$(python3 -c "import sys; print(f'{int(sys.argv[1])/float(sys.argv[2]):,.0f}')" "$records" "$secs")
  echo "| ${mb} MB | $(printf "%'d" "$records") | ${secs} s | ${rate} | $((rss / 1024)) MB |"
done
