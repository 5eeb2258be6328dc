#!/usr/bin/env python3
"""Score evdoc's scanner against hand-written truth for one or more private sets.

Usage:
  python3 benches/accuracy/score.py SET [SET ...] [--evdoc PATH] [--verbose] [--json]

A set is a folder holding application files at their repository paths plus `truth.jsonl`
(one site a line: file, line, event, role, side, via, note) and optionally
`near-misses.jsonl` (file, line, why: lines that look like sites but are not). See README.md
next to this file. Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What the plain text-search floor reads: the extensions evdoc's JS/TS/markup extractor reads.
FLOOR_EXTS = ("js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts",
              "vue", "svelte", "html", "htm", "hbs", "ejs")
# Folders evdoc never walks (src/scan/walk.rs DEFAULT_EXCLUDED_DIRS); the floor skips them too.
EXCLUDED_DIRS = ("node_modules", "bower_components", "jspm_packages", ".git", ".hg", ".svn",
                 "dist", "coverage", ".next", ".nuxt", ".svelte-kit", ".turbo", ".cache")
FLOOR_CALL = r"\.(emit|on|once)\("
FLOOR_NEST = r"@SubscribeMessage\("
FLOOR_CALL_RE = re.compile(FLOOR_CALL)
FLOOR_NEST_RE = re.compile(FLOOR_NEST)


class ScoreError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Inputs

def norm_path(p: str) -> str:
    p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.strip()
            if not raw or raw.startswith("//") or raw.startswith("#"):
                continue
            try:
                rows.append(json.loads(raw))
            except json.JSONDecodeError as e:
                raise ScoreError(f"{path}:{n}: invalid JSON: {e}") from e
    return rows


def is_catch_all(t: dict) -> bool:
    return t.get("event") == "*" and "catch-all" in (t.get("note") or "").lower()


def load_truth(set_dir: Path, path: Path | None = None) -> tuple[list[dict], list[dict], list[str]]:
    """Truth sites (scored), excluded catch-all rows, and warnings."""
    path = path or set_dir / "truth.jsonl"
    if not path.is_file():
        raise ScoreError(f"{path}: not found")
    sites, catch_alls, warnings = [], [], []
    for i, t in enumerate(read_jsonl(path)):
        missing = [k for k in ("file", "line", "role") if k not in t]
        if missing:
            raise ScoreError(f"{path}: row {i + 1} lacks {', '.join(missing)}: {t}")
        if t["role"] not in ("emit", "listen"):
            raise ScoreError(f"{path}: row {i + 1}: role must be emit or listen: {t}")
        if t.get("side") not in (None, "server", "client"):
            raise ScoreError(f"{path}: row {i + 1}: side must be server, client or null: {t}")
        t = dict(t, file=norm_path(t["file"]), line=int(t["line"]), id=i)
        t.setdefault("event", None)
        t.setdefault("side", None)
        (catch_alls if is_catch_all(t) else sites).append(t)
    for f in sorted({t["file"] for t in sites + catch_alls}):
        if not (set_dir / f).is_file():
            warnings.append(f"truth names {f}, which is not in the set")
    return sites, catch_alls, warnings


def load_near_misses(set_dir: Path) -> list[dict]:
    path = set_dir / "near-misses.jsonl"
    if not path.is_file():
        return []
    return [dict(r, file=norm_path(r.get("file", "")), line=int(r.get("line", 0)))
            for r in read_jsonl(path)]


def find_evdoc(arg: str | None) -> str:
    if arg:
        p = Path(arg).expanduser()
        if not p.is_file():
            raise ScoreError(f"--evdoc {arg}: not a file")
        return str(p.resolve())
    built = REPO / "target" / "release" / "evdoc"
    if built.is_file():
        return str(built)
    on_path = shutil.which("evdoc")
    if on_path:
        return on_path
    raise ScoreError("no evdoc binary: run `cargo build --release` in the repository or pass --evdoc")


def run_evdoc(evdoc: str, set_dir: Path, catalog: Path | None = None) -> dict:
    # Run inside the set so that `--catalog`'s default (./catalog) is the app's own, never the
    # catalog of the folder this script was started from.
    cmd = [evdoc, "scan", ".", "--format", "json", "--quiet", "--color", "never"]
    if catalog:
        cmd += ["--catalog", str(catalog)]
    proc = subprocess.run(cmd, cwd=set_dir, capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ScoreError(f"evdoc scan failed in {set_dir} (exit {proc.returncode}):\n"
                         f"{proc.stderr.strip()[:2000]}")
    if proc.returncode != 0:
        print(f"warning: evdoc exited {proc.returncode} on {set_dir}: {proc.stderr.strip()[:500]}",
              file=sys.stderr)
    for s in data.get("sites", []):
        s["file"] = norm_path(s["file"])
    return data


def floor_hits(set_dir: Path, tool: str = "auto") -> tuple[dict[tuple[str, int], str], str]:
    """(file, line) -> line text for every line of the plain text search; and the tool used."""
    hits: dict[tuple[str, int], str] = {}
    rg = shutil.which("rg") if tool in ("auto", "rg") else None
    if tool == "rg" and not rg:
        raise ScoreError("--floor rg: ripgrep not found (apt-get install -y ripgrep)")
    if rg:
        cmd = [rg, "-n", "--no-heading", "--null", "--no-messages", "--color", "never",
               "-e", FLOOR_CALL, "-e", FLOOR_NEST]
        for ext in FLOOR_EXTS:
            cmd += ["-g", f"*.{ext}"]
        for d in EXCLUDED_DIRS:
            cmd += ["-g", f"!**/{d}/**"]
        cmd.append(".")
        proc = subprocess.run(cmd, cwd=set_dir, capture_output=True, text=True, errors="replace")
        if proc.returncode not in (0, 1):
            raise ScoreError(f"rg failed in {set_dir}: {proc.stderr.strip()}")
        for out in proc.stdout.splitlines():
            path, _, rest = out.partition("\0")
            num, _, text = rest.partition(":")
            if num.isdigit():
                hits[(norm_path(path), int(num))] = text
        return hits, "rg"
    for root, dirs, files in os.walk(set_dir):
        # Like rg and evdoc's walk: no hidden files, no dependency/build folders.
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS and not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            if "." not in name or name.rsplit(".", 1)[-1] not in FLOOR_EXTS:
                continue
            full = Path(root) / name
            rel = full.relative_to(set_dir).as_posix()
            try:
                text = full.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for n, line in enumerate(text.splitlines(), 1):
                if FLOOR_CALL_RE.search(line) or FLOOR_NEST_RE.search(line):
                    hits[(rel, n)] = line
    return hits, "python-regex"


# ---------------------------------------------------------------------------------------------
# Matching

def match_sites(truth: list[dict], reported: list[dict],
                tolerance: int = 1) -> tuple[dict[int, int], set[int]]:
    """One-to-one match of truth to reported sites (indices). Same file and role; the exact line
    first, then ±1 line for truth sites still unmatched. Ties prefer an equal event.
    Returns truth index -> reported index, and the truth indices matched with tolerance."""
    by_key_r: dict[tuple, list[int]] = defaultdict(list)
    for j, r in enumerate(reported):
        by_key_r[(r["file"], r["role"])].append(j)
    by_key_t: dict[tuple, list[int]] = defaultdict(list)
    for i, t in enumerate(truth):
        by_key_t[(t["file"], t["role"])].append(i)

    pairs: dict[int, int] = {}
    used: set[int] = set()
    tolerant: set[int] = set()
    for key, tis in by_key_t.items():
        rjs = by_key_r.get(key, [])
        for allowed in range(tolerance + 1):
            cands = []
            for i in tis:
                if i in pairs:
                    continue
                for j in rjs:
                    if j in used:
                        continue
                    d = abs(truth[i]["line"] - reported[j]["line"])
                    if d == allowed:
                        same_event = truth[i].get("event") == reported[j].get("event")
                        cands.append((d, not same_event, truth[i]["line"],
                                      reported[j]["line"], reported[j].get("column") or 0, i, j))
            for *_, i, j in sorted(cands):
                if i in pairs or j in used:
                    continue
                pairs[i] = j
                used.add(j)
                if allowed:
                    tolerant.add(i)
    return pairs, tolerant


def match_floor(truth: list[dict], hits: dict[tuple[str, int], str],
                tolerance: int = 1) -> tuple[set[int], set[tuple]]:
    """Role-less floor matching by (file, line): a hit line covers every truth site on it; a truth
    site with no hit on its own line may use a hit on line ±1. Returns matched truth indices and
    the hit lines that matched something."""
    matched_t: set[int] = set()
    used_hits: set[tuple] = set()
    for i, t in enumerate(truth):
        key = (t["file"], t["line"])
        if key in hits:
            matched_t.add(i)
            used_hits.add(key)
    for i, t in enumerate(truth):
        if i in matched_t:
            continue
        for d in ((-1, 1) if tolerance else ()):
            key = (t["file"], t["line"] + d)
            if key in hits:
                matched_t.add(i)
                used_hits.add(key)
                break
    return matched_t, used_hits


def direction_of(role: str, side: str) -> str:
    return "s2c" if (role, side) in (("emit", "server"), ("listen", "client")) else "c2s"


# ---------------------------------------------------------------------------------------------
# Scoring

def ratio(n: int, d: int) -> float | None:
    return n / d if d else None


def score_set(set_dir: Path, evdoc: str, tolerance: int = 1, floor_tool: str = "auto",
              truth_path: Path | None = None, catalog: Path | None = None) -> dict:
    truth, catch_alls, warnings = load_truth(set_dir, truth_path)
    near = load_near_misses(set_dir)
    near_at = {(r["file"], r["line"]): r for r in near}
    scan = run_evdoc(evdoc, set_dir, catalog)
    all_reported = scan.get("sites", [])

    # Reported sites on a catch-all line of the same role are neither right nor wrong.
    catch_keys = {(c["file"], c["line"], c["role"]) for c in catch_alls}
    reported, neutral = [], []
    for r in all_reported:
        (neutral if (r["file"], r["line"], r["role"]) in catch_keys else reported).append(r)

    pairs, tolerant = match_sites(truth, reported, tolerance)
    matched_r = set(pairs.values())

    ev_ok = side_den = side_cov = side_both = side_ok = dir_den = dir_ok = 0
    missed, false_reports, wrong_events, side_issues, dir_issues, tol_list = [], [], [], [], [], []
    for i, t in enumerate(truth):
        if i not in pairs:
            missed.append(t)
            continue
        r = reported[pairs[i]]
        if i in tolerant:
            tol_list.append({"truth": t, "reported": r})
        if r.get("event") == t.get("event"):
            ev_ok += 1
        else:
            wrong_events.append({"truth": t, "reported": r})
        if t.get("side") is not None:
            side_den += 1
            if r.get("side") is not None:
                side_cov += 1
            else:
                side_issues.append({"kind": "missing", "truth": t, "reported": r})
            want = direction_of(t["role"], t["side"])
            dir_den += 1
            if r.get("direction") == want:
                dir_ok += 1
            else:
                dir_issues.append({"truth": t, "reported": r, "want": want})
        if t.get("side") is not None and r.get("side") is not None:
            side_both += 1
            if r["side"] == t["side"]:
                side_ok += 1
            else:
                side_issues.append({"kind": "wrong", "truth": t, "reported": r})
    truth_files = {t["file"] for t in truth}
    for j, r in enumerate(reported):
        if j not in matched_r:
            nm = near_at.get((r["file"], r["line"]))
            false_reports.append(dict(r, near_miss=(nm.get("why") or nm.get("note") or "") if nm
                                      else None, in_truth_file=r["file"] in truth_files))

    hits, floor_tool = floor_hits(set_dir, floor_tool)
    catch_lines = {(c["file"], c["line"]) for c in catch_alls}
    floor_scored = {k: v for k, v in hits.items() if k not in catch_lines}
    floor_t, floor_used = match_floor(truth, floor_scored, tolerance)
    nest_hits = sum(1 for v in floor_scored.values() if FLOOR_NEST_RE.search(v))
    floor_only = [truth[i] for i in sorted(floor_t) if i not in pairs]

    n_truth, n_rep, n_match = len(truth), len(reported), len(pairs)
    res = {
        "set": set_dir.name,
        "path": str(set_dir),
        "files": scan.get("files_scanned"),
        "truth_files": len(truth_files),
        "skipped": len(scan.get("skipped", [])),
        "parse_errors": scan.get("parse_errors", []),
        "warnings": warnings,
        "counts": {
            "truth": n_truth,
            "catch_all_excluded": len(catch_alls),
            "reported": n_rep,
            "reported_on_catch_all": len(neutral),
            "matched": n_match,
            "matched_with_tolerance": len(tolerant),
            "event_ok": ev_ok,
            "side_truth_nonnull": side_den,
            "side_reported": side_cov,
            "side_both": side_both,
            "side_ok": side_ok,
            "direction_den": dir_den,
            "direction_ok": dir_ok,
            "false_on_near_miss": sum(1 for f in false_reports if f["near_miss"] is not None),
            "near_misses": len(near),
            "floor_hits": len(floor_scored),
            "floor_subscribe_message_hits": nest_hits,
            "floor_matched_truth": len(floor_t),
            "floor_matched_hits": len(floor_used),
            "floor_only": len(floor_only),
        },
        "floor_tool": floor_tool,
        "details": {
            "missed": missed,
            "false_reports": false_reports,
            "wrong_events": wrong_events,
            "side_issues": side_issues,
            "direction_issues": dir_issues,
            "tolerance_matches": tol_list,
            "found_by_floor_not_evdoc": floor_only,
        },
    }
    res["metrics"] = metrics(res["counts"])
    return res


def metrics(c: dict) -> dict:
    return {
        "recall": ratio(c["matched"], c["truth"]),
        "precision": ratio(c["matched"], c["reported"]),
        "event_accuracy": ratio(c["event_ok"], c["matched"]),
        "side_coverage": ratio(c["side_reported"], c["side_truth_nonnull"]),
        "side_accuracy": ratio(c["side_ok"], c["side_both"]),
        "direction_accuracy": ratio(c["direction_ok"], c["direction_den"]),
        "floor_recall": ratio(c["floor_matched_truth"], c["truth"]),
        "floor_precision": ratio(c["floor_matched_hits"], c["floor_hits"]),
    }


def total_of(results: list[dict]) -> dict:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        for k, v in r["counts"].items():
            counts[k] += v
    counts = dict(counts)
    return {
        "set": "total",
        "files": sum(r["files"] or 0 for r in results),
        "truth_files": sum(r["truth_files"] for r in results),
        "counts": counts,
        "metrics": metrics(counts),
    }


# ---------------------------------------------------------------------------------------------
# Output

def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


TABLE_HEAD = ("| set | files | truth | reported | matched | recall | precision | event acc "
              "| side coverage | side acc | direction acc | rg floor recall/precision |")
TABLE_RULE = "|" + "|".join(["---"] + ["---:"] * 11) + "|"


def table_row(r: dict) -> str:
    c, m = r["counts"], r["metrics"]
    name = f"**{r['set']}**" if r["set"] == "total" else r["set"]
    matched = str(c["matched"])
    if c["matched_with_tolerance"]:
        matched += f" ({c['matched_with_tolerance']} ±1)"
    return "| " + " | ".join([
        name, str(r["files"]), str(c["truth"]), str(c["reported"]), matched,
        pct(m["recall"]), pct(m["precision"]), pct(m["event_accuracy"]),
        pct(m["side_coverage"]), pct(m["side_accuracy"]), pct(m["direction_accuracy"]),
        f"{pct(m['floor_recall'])} / {pct(m['floor_precision'])}",
    ]) + " |"


def loc(x: dict) -> str:
    return f"{x['file']}:{x['line']}"


def ev(e) -> str:
    return "null" if e is None else json.dumps(e)


def summary(r: dict) -> str:
    c, m = r["counts"], r["metrics"]
    lines = [f"## {r['set']}  ({r['path']})"]
    for w in r["warnings"]:
        lines.append(f"  warning: {w}")
    lines += [
        f"  files scanned by evdoc: {r['files']}  (skipped {r['skipped']}, parse errors "
        f"{len(r['parse_errors'])}); files with truth sites: {r['truth_files']}",
        f"  truth sites: {c['truth']}  (+{c['catch_all_excluded']} catch-all rows excluded)",
        f"  reported sites: {c['reported']}" + (
            f"  (+{c['reported_on_catch_all']} on catch-all lines, not scored)"
            if c["reported_on_catch_all"] else ""),
        f"  matched: {c['matched']}  ({c['matched_with_tolerance']} with ±1 line tolerance)",
        f"  recall          {pct(m['recall']):>8}  ({c['matched']}/{c['truth']})",
        f"  precision       {pct(m['precision']):>8}  ({c['matched']}/{c['reported']})"
        + (f"; {c['false_on_near_miss']} false reports on near-miss lines"
           if c["near_misses"] else ""),
        f"  event accuracy  {pct(m['event_accuracy']):>8}  ({c['event_ok']}/{c['matched']})",
        f"  side coverage   {pct(m['side_coverage']):>8}  "
        f"({c['side_reported']}/{c['side_truth_nonnull']} placeable sites given a side)",
        f"  side accuracy   {pct(m['side_accuracy']):>8}  ({c['side_ok']}/{c['side_both']})",
        f"  direction acc   {pct(m['direction_accuracy']):>8}  "
        f"({c['direction_ok']}/{c['direction_den']})",
        f"  text floor ({r['floor_tool']}): {c['floor_hits']} hit lines "
        f"({c['floor_subscribe_message_hits']} @SubscribeMessage); recall "
        f"{pct(m['floor_recall'])} ({c['floor_matched_truth']}/{c['truth']}), precision "
        f"{pct(m['floor_precision'])} ({c['floor_matched_hits']}/{c['floor_hits']}); "
        f"{c['floor_only']} truth sites found by the floor but not by evdoc",
    ]
    return "\n".join(lines)


def verbose(r: dict) -> str:
    d = r["details"]
    out = []

    def section(title, items, fmt):
        out.append(f"\n### {r['set']}: {title} ({len(items)})")
        out.extend("  " + fmt(x) for x in sorted(items, key=sort_key))

    def sort_key(x):
        y = x.get("truth", x)
        return (y["file"], y["line"])

    def side_of(s):
        return s.get("side") or "null"

    section("missed truth sites", d["missed"], lambda t: (
        f"{loc(t)}  {ev(t.get('event'))} {t['role']} {side_of(t)}"
        + (f" via {t['via']}" if t.get("via") else "")
        + (f"  — {t['note']}" if t.get("note") else "")))
    section("false reports", d["false_reports"], lambda s: (
        f"{loc(s)}  {ev(s.get('event'))} {s['role']} {side_of(s)}  [{s.get('call') or ''}]"
        + (f" via {s['via']}" if s.get("via") else "")
        + ("" if s["in_truth_file"] else "  (file has no truth sites)")
        + (f"  NEAR-MISS: {s['near_miss']}" if s["near_miss"] is not None else "")))
    section("wrong events", d["wrong_events"], lambda x: (
        f"{loc(x['truth'])}  {x['truth']['role']}: truth {ev(x['truth'].get('event'))}, "
        f"reported {ev(x['reported'].get('event'))}"
        + (f" (expr {x['reported']['expr']})" if x["reported"].get("expr") else "")
        + (f" candidates {x['reported']['candidates']}" if x["reported"].get("candidates")
           else "")))
    section("wrong or missing sides", d["side_issues"], lambda x: (
        f"{loc(x['truth'])}  {ev(x['truth'].get('event'))} {x['truth']['role']}: "
        f"{x['kind']}: truth {x['truth']['side']}, reported {side_of(x['reported'])}"
        + (f" (side_from {x['reported'].get('side_from')})"
           if x["reported"].get("side_from") else "")))
    section("wrong directions", d["direction_issues"], lambda x: (
        f"{loc(x['truth'])}  {ev(x['truth'].get('event'))} {x['truth']['role']} "
        f"{x['truth']['side']}: want {x['want']}, reported {x['reported'].get('direction')}"))
    section("matched with ±1 line tolerance", d["tolerance_matches"], lambda x: (
        f"{loc(x['truth'])}  {ev(x['truth'].get('event'))} {x['truth']['role']}: "
        f"reported at line {x['reported']['line']}"))
    section("truth sites the text floor finds but evdoc misses", d["found_by_floor_not_evdoc"],
            lambda t: f"{loc(t)}  {ev(t.get('event'))} {t['role']} {side_of(t)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Score evdoc scan accuracy against private sets (truth.jsonl).")
    ap.add_argument("sets", nargs="+", type=Path, help="set folders holding truth.jsonl")
    ap.add_argument("--evdoc", help="evdoc binary (default: target/release/evdoc, then PATH)")
    ap.add_argument("--verbose", "-v", action="store_true",
                    help="list missed sites, false reports, wrong events/sides/directions")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead")
    ap.add_argument("--truth", type=Path,
                    help="truth file to use instead of SET/truth.jsonl (one set only)")
    ap.add_argument("--catalog", type=Path,
                    help="catalog folder handed to evdoc scan (default: evdoc's own default, "
                         "./catalog inside the set)")
    ap.add_argument("--no-tolerance", action="store_true",
                    help="match lines exactly (no ±1 line fallback), for evdoc and the floor")
    ap.add_argument("--floor", choices=("auto", "rg", "python"), default="auto",
                    help="text floor tool: rg when installed (auto), or the Python regex fallback")
    args = ap.parse_args(argv)

    if args.truth and len(args.sets) != 1:
        ap.error("--truth needs exactly one set")
    try:
        evdoc = find_evdoc(args.evdoc)
        results = [score_set(s.resolve(), evdoc, 0 if args.no_tolerance else 1, args.floor,
                             args.truth.resolve() if args.truth else None,
                             args.catalog.resolve() if args.catalog else None)
                   for s in args.sets]
    except ScoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    total = total_of(results) if len(results) > 1 else None

    if args.json:
        doc = {"evdoc": evdoc, "sets": results}
        if total:
            doc["total"] = total
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0

    for r in results:
        print(summary(r))
        if args.verbose:
            print(verbose(r))
        print()
    print(TABLE_HEAD)
    print(TABLE_RULE)
    for r in results:
        print(table_row(r))
    if total:
        print(table_row(total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
