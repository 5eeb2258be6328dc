#!/usr/bin/env python3
"""Draws a soak run's curve (benches/soak.sh writes samples.csv) as a small standalone SVG.

    python3 benches/soak_plot.py target/soak/<run>/samples.csv docs/soak-30min.svg

Three panels over the run's time: the server's RSS (MB), its open descriptors and live
sockets, and the work done per 10 s (acks answered, deliveries). The warm-up is shaded. Only the
standard library: the machine that runs the soak need not have matplotlib.
"""
import csv
import sys
from html import escape

W, PANEL_H, PAD_L, PAD_R, PAD_T, GAP = 720, 150, 70, 20, 30, 45


def load(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["phase"] in ("warmup", "run")]
    if len(rows) < 2:
        sys.exit(f"{path}: fewer than two samples")
    return rows


def series(rows, key, scale=1.0, rate=False):
    out, prev = [], None
    for r in rows:
        t, v = float(r["t_s"]) / 60, float(r[key] or 0) * scale
        if rate:
            if prev is not None:
                dt = (float(r["t_s"]) - prev[0]) or 1
                out.append((t, (v - prev[1]) / dt))
            prev = (float(r["t_s"]), v)
        else:
            out.append((t, v))
    return out


def panel(y0, title, lines, t_max, warm_min, y_min=0.0):
    """One panel: `lines` is [(label, colour, [(t, v)…])]; returns SVG elements."""
    vals = [v for _, _, pts in lines for _, v in pts]
    lo, hi = min(y_min, min(vals)), max(vals) * 1.1 or 1
    x = lambda t: PAD_L + (W - PAD_L - PAD_R) * t / t_max
    y = lambda v: y0 + PANEL_H - PANEL_H * (v - lo) / (hi - lo)
    el = [
        f'<rect x="{x(0):.1f}" y="{y0}" width="{x(warm_min) - x(0):.1f}" height="{PANEL_H}" fill="#eee"/>',
        f'<rect x="{PAD_L}" y="{y0}" width="{W - PAD_L - PAD_R}" height="{PANEL_H}" fill="none" stroke="#999"/>',
        f'<text x="{PAD_L}" y="{y0 - 8}" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for frac in (0, 0.5, 1):
        v = lo + (hi - lo) * frac
        el.append(f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:,.0f}</text>')
    lx = W - PAD_R
    for label, colour, pts in lines:
        d = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in pts)
        el.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        el.append(f'<text x="{lx}" y="{y0 - 8}" font-size="11" fill="{colour}" text-anchor="end">{escape(label)}</text>')
        lx -= 8 * len(label) + 20
    return el


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = load(sys.argv[1])
    t_max = float(rows[-1]["t_s"]) / 60
    warm = [float(r["t_s"]) / 60 for r in rows if r["phase"] == "warmup"]
    warm_min = max(warm) if warm else 0
    panels = [
        ("Server RSS (MB)", [("RSS", "#c0392b", series(rows, "rss_kb", 1 / 1024))], 0.0),
        ("Descriptors and live sockets", [
            ("fds", "#2c3e50", series(rows, "fds")),
            ("sockets", "#27ae60", series(rows, "sockets")),
        ], 0.0),
        ("Work per second", [
            ("acks answered/s", "#8e44ad", series(rows, "acks_answered", rate=True)),
            ("deliveries/s", "#2980b9", series(rows, "deliveries", rate=True)),
            ("reconnects/s", "#d35400", series(rows, "reconnects", rate=True)),
        ], 0.0),
    ]
    h = PAD_T + len(panels) * (PANEL_H + GAP) + 10
    el = []
    for i, (title, lines, y_min) in enumerate(panels):
        el += panel(PAD_T + i * (PANEL_H + GAP), title, lines, t_max, warm_min, y_min)
    base = PAD_T + len(panels) * (PANEL_H + GAP) - GAP + 28
    el.append(f'<text x="{(W + PAD_L) / 2}" y="{base}" font-size="12" text-anchor="middle">minutes (shaded: warm-up)</text>')
    for m in range(0, int(t_max) + 1, max(1, int(t_max) // 6)):
        xm = PAD_L + (W - PAD_L - PAD_R) * m / t_max
        el.append(f'<text x="{xm:.1f}" y="{base - 14}" font-size="11" text-anchor="middle">{m}</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" '
           f'font-family="sans-serif" viewBox="0 0 {W} {h}">'
           f'<rect width="{W}" height="{h}" fill="white"/>' + "".join(el) + "</svg>\n")
    with open(sys.argv[2], "w") as f:
        f.write(svg)


if __name__ == "__main__":
    main()
