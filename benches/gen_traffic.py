#!/usr/bin/env python3
"""Writes a synthetic capture of a catalog's traffic to stdout, for benches/validate.sh.

    python3 benches/gen_traffic.py CATALOG_DIR SIZE_MB > capture.jsonl

Every event of the catalog that has examples, in each direction it travels, with its
namespace: seven lines in ten are JSON records, three are Socket.IO packet text marked
`> `/`< `; one in ten carries a payload that breaks its schema (a field of the wrong type).
Deterministic (seeded), so two runs write the same bytes. Needs PyYAML (Debian python3-yaml).
"""
import json
import os
import random
import sys

import yaml


def events(catalog_dir):
    merged = {}
    for root, _, files in os.walk(catalog_dir):
        for f in sorted(files):
            if f.endswith((".yaml", ".yml")):
                with open(os.path.join(root, f)) as fh:
                    doc = yaml.safe_load(fh) or {}
                merged.update(doc.get("events") or {})
    out = []
    for name, ev in sorted(merged.items()):
        examples = ev.get("examples") or []
        if not examples:
            continue
        d = ev.get("direction")
        dirs = ["c2s", "s2c"] if d == "both" else [d]
        ns = ev.get("namespace", "/")
        multi = "args" in ev
        for direction in dirs:
            for ex in examples:
                out.append((name, direction, ns, ex if multi else [ex]))
    return out


def broken(args):
    """The same arguments with a field of the wrong type (or a wrong argument)."""
    first = args[0] if args else None
    if isinstance(first, dict) and first:
        key = sorted(first)[0]
        bad = dict(first)
        bad[key] = [] if not isinstance(first[key], list) else 12345
        return [bad] + list(args[1:])
    return [{"unexpected": True}]


def line(rng, name, direction, ns, args):
    if rng.random() < 0.1:
        args = broken(args)
    if rng.random() < 0.7:
        rec = {"event": name, "direction": direction, "args": args}
        if ns != "/":
            rec["namespace"] = ns
        return json.dumps(rec, separators=(",", ":"))
    mark = "> " if direction == "c2s" else "< "
    prefix = "42" if ns == "/" else f"42{ns},"
    return mark + prefix + json.dumps([name] + list(args), separators=(",", ":"))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    evs = events(sys.argv[1])
    if not evs:
        sys.exit("no events with examples in the catalog")
    target = int(float(sys.argv[2]) * 1024 * 1024)
    rng = random.Random(42)
    written = 0
    out = sys.stdout
    batch = []
    while written < target:
        name, direction, ns, args = evs[rng.randrange(len(evs))]
        text = line(rng, name, direction, ns, args) + "\n"
        batch.append(text)
        written += len(text.encode())
        if len(batch) >= 10_000:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))


if __name__ == "__main__":
    main()
