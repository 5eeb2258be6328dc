#!/usr/bin/env bash
# Render speed: `evdoc render` on a generated 1,000-event catalog (Markdown alone, and Markdown +
# HTML site with inline SVG diagrams), against `evdoc lint` on the same catalog as the baseline
# (loading, schema compilation and lint: what any command pays before rendering), in one run.
# Two catalogs (benches/gen_catalog.py): "typical" (40 domains, one subscription each, like the
# reference catalog) and "subscriptions" (every other event a subscription: 500 sequence
# diagrams, the worst case for the SVG layout).
#
# Usage: benches/render.sh [RUNS] [EVENTS]   (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
events=${2:-1000}
work=target/bench-render
bin=target/release/evdoc

cargo build --release --quiet
rm -rf "$work" && mkdir -p "$work"
python3 benches/gen_catalog.py "$work/catalog" "$events" typical
python3 benches/gen_catalog.py "$work/subs" "$events" subscriptions
"$bin" lint --catalog "$work/catalog" >/dev/null   # the generated catalogs are sound
"$bin" lint --catalog "$work/subs" >/dev/null

hyperfine --style none --warmup 2 --runs "$runs" --export-json "$work/hyperfine.json" \
  -n lint "$bin lint --catalog $work/catalog > /dev/null" \
  -n markdown "$bin render --quiet --catalog $work/catalog --out $work/md" \
  -n markdown+html "$bin render --quiet --catalog $work/catalog --out $work/md2 --html $work/site" \
  -n subscriptions:markdown+html "$bin render --quiet --catalog $work/subs --out $work/md3 --html $work/site3" \
  >/dev/null

python3 - "$work" "$events" <<'PY'
import json, os, sys
work, events = sys.argv[1], sys.argv[2]
res = {r["command"]: r for r in json.load(open(f"{work}/hyperfine.json"))["results"]}
base = res["lint"]["median"]
size = lambda d: sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
print(f"| command ({events} events) | median | min | output | × lint |")
print("|---|---|---|---|---|")
for name, out in [("lint", None), ("markdown", "md"), ("markdown+html", "site"), ("subscriptions:markdown+html", "site3")]:
    r = res[name]
    o = f"{size(os.path.join(work, out)) / 1e6:.1f} MB" if out else "—"
    print(f"| {name} | {r['median']*1000:.0f} ms | {r['min']*1000:.0f} ms | {o} | {r['median']/base:.2f}× |")
PY
