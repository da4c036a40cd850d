#!/usr/bin/python3
"""report.py --expected FILE --rows FILE [--trace FILE] [--out FILE] [--meta K=V ...]

Builds the SPF benchmark's table from the files `run` collects and prints it
(markdown); with --out also writes it, with the machine, the command and the
notes, to FILE.

--rows: TSV, one row per measurement, columns
  tool  version  mode  evals  walls  loops|-  results  qlog  qlog_evals  floor_ms
where evals is per round, walls the comma-separated wall seconds of each
round, loops the tool's own loop seconds per round (or -), results
"fail=200[,other=N][,...]" over all rounds (first output line of each
evaluation), qlog the dnsproxy.py log of the counted run, qlog_evals how many
evaluations it covers and floor_ms the comma-separated mean wall time, per
round, of a start that evaluates nothing. --trace: mailaudit's full output of the counted run
(its last line reports DNS-querying terms and void lookups).
"""

import argparse
import json
import re
import statistics
import sys
from collections import Counter


def read_qlog(path):
    pairs = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                pairs.append((parts[0], parts[1], parts[2]))
    return pairs


def fmt_rate(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}"


def rates(evals, seconds_csv):
    """'median (min-max)' of evals/s over the rounds."""
    r = [evals / float(s) for s in seconds_csv.split(",") if float(s) > 0]
    if not r:
        return "-"
    if len(r) == 1:
        return fmt_rate(r[0])
    return f"{fmt_rate(statistics.median(r))} ({fmt_rate(min(r))}–{fmt_rate(max(r))})"


def floor_txt(csv):
    """'median (min-max)' of the start-up floor in ms over the rounds."""
    v = [float(x) for x in csv.split(",") if x]
    if not v:
        return "-"
    if len(v) == 1:
        return f"{v[0]:.1f}"
    return f"{statistics.median(v):.1f} ({min(v):.1f}–{max(v):.1f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expected", required=True)
    ap.add_argument("--rows", required=True)
    ap.add_argument("--trace")
    ap.add_argument("--additional", help="name/TYPE lines: data NSD sends in the "
                    "additional section of the tree's MX answers")
    ap.add_argument("--out")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE")
    args = ap.parse_args()

    exp = json.load(open(args.expected))
    meta = dict(m.split("=", 1) for m in args.meta)
    minimal = [tuple(p.rsplit("/", 1)) for p in exp["min_pairs"]]
    min_set = set(minimal)
    why = exp.get("implied_by", {})
    additional = set()
    if args.additional:
        with open(args.additional) as f:
            additional = {line.strip() for line in f if line.strip()}
    rfc_min = exp["rfc_min_queries"]
    want = exp["result"]

    table = ["| tool | how it runs | result | evals/s (wall) | evals/s (own loop) | "
             "start-up floor (ms) | DNS queries / eval | distinct (name,type) / eval | "
             "duplicates / eval | RFC 7208 minimum |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    notes, warnings = [], []
    per_tool_counted = {}
    with open(args.rows) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    rounds = 1
    for tool, version, mode, evals, walls, loops, results, qlog, qevals, floor in rows:
        evals, qevals = int(evals), int(qevals)
        rounds = len(walls.split(","))
        total = evals * rounds
        res = Counter()
        for part in results.split(","):
            r, _, n = part.rpartition("=")
            res[r] += int(n)
        if set(res) == {want} and res[want] == total:
            res_txt = want
        else:
            res_txt = " ".join(f"{r}×{n}" for r, n in res.most_common())
            warnings.append(f"**{tool} ({mode}) disagrees**: returned {res_txt} over "
                            f"{total} evaluations; the tree's result is `{want}`.")
        qs = read_qlog(qlog)
        counts = Counter((n, t) for _, n, t in qs)
        per_eval = len(qs) / qevals
        distinct = len(counts)
        if qevals > 1 and any(c % qevals for c in counts.values()):
            warnings.append(f"{tool} ({mode}): the {qevals} counted evaluations in one "
                            f"process did not ask the same queries each.")
        # a pair asked more often than once per counted evaluation is a duplicate
        dup_pairs = {p: c for p, c in counts.items() if c > qevals}
        dups = sum(c - qevals for c in dup_pairs.values()) / qevals
        table.append(f"| {tool} {version} | {mode} | {res_txt} | {rates(evals, walls)} | "
                     f"{rates(evals, loops) if loops != '-' else '-'} | {floor_txt(floor)} | "
                     f"{per_eval:g} | {distinct:g} | {dups:g} | {rfc_min} |")

        if tool in per_tool_counted:
            continue  # the same tool in another mode: noted once
        per_tool_counted[tool] = True
        lines = []
        if dup_pairs:
            lines.append("asked more than once per evaluation: " + ", ".join(
                f"`{n}/{t}` ×{c / qevals:g}"
                for (n, t), c in sorted(dup_pairs.items())))
        skipped = [p for p in minimal if p not in counts]
        if skipped:
            def reason(n, t):
                r = "; ".join(why.get(f"{n}/{t}", []))
                if f"{n}/{t}" in additional:
                    r += ", sent in the additional section of that MX answer"
                return f"`{n}/{t}`" + (f" ({r})" if r else "")
            lines.append("did not ask " + ", ".join(reason(n, t) for n, t in skipped))
        extra = sorted(p for p in counts if p not in min_set)
        if extra:
            lines.append("asked beyond the minimum: " + ", ".join(
                f"`{n}/{t}`" for n, t in extra))
        tcp = sum(1 for proto, _, _ in qs if proto == "tcp")
        if tcp:
            lines.append(f"{tcp / qevals:g} of the queries per evaluation over TCP")
        if not lines:
            lines.append("asked exactly the RFC 7208 minimum set, each pair once")
        notes.append(f"* {tool}: " + "; ".join(lines) + ".")

    if args.trace:
        last = ""
        with open(args.trace) as f:
            for line in f:
                if line.strip():
                    last = line.strip()
        m = re.search(r"DNS-querying terms: (\d+), void lookups: (\d+)", last)
        if m:
            t, v = int(m.group(1)), int(m.group(2))
            ok = (t, v) == (exp["dns_querying_terms"], exp["void_lookups"])
            notes.append(f"* mailaudit's trace: \"{last}\" "
                         f"({'as' if ok else 'NOT as'} computed by gen-tree: "
                         f"{exp['dns_querying_terms']} terms, {exp['void_lookups']} void).")
            if not ok:
                warnings.append(f"mailaudit counted {t} terms / {v} void lookups; "
                                f"gen-tree computed {exp['dns_querying_terms']} / "
                                f"{exp['void_lookups']}.")
        else:
            warnings.append(f"mailaudit's trace does not end with the counts line: {last!r}")

    head = (f"check_host({exp['ip']}, {exp['domain']}, {exp['sender']}) over "
            f"{len(exp['zones'])} zones: {exp['dns_querying_terms']} DNS-querying terms "
            f"(the limit), {exp['void_lookups']} void lookup, include depth "
            f"{exp['include_depth']}, expected result `{want}` at the final -all. "
            f"RFC 7208 minimum: {rfc_min} distinct (name,type) queries "
            f"({exp['uncached_queries']} for an evaluator without a per-evaluation "
            f"cache: {', '.join('`' + p + '`' for p in exp['implied_twice'])} are "
            f"implied twice).")
    out = [head, ""] + table + [""]
    if warnings:
        out += ["**Warnings**", ""] + [f"* {w}" for w in warnings] + [""]
    out += ["Query notes (from one counted evaluation per tool, through dnsproxy.py):", ""]
    out += notes
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)

    if args.out:
        md = ["# SPF benchmark results", "",
              f"* date: {meta.get('date', '?')}",
              f"* machine: {meta.get('machine', '?')}",
              f"* versions: {meta.get('versions', '?')}",
              f"* command: `{meta.get('cmd', '?')}`", "",
              text,
              "How to read it: \"evals/s (wall)\" is evaluations divided by the wall time "
              "of the whole loop, process start-up included (one process per evaluation "
              "except where it says otherwise; for the in-process pyspf row the interpreter "
              "start-up and imports are paid once). \"own loop\" times only pyspf's "
              "evaluation loop. Query counts come from one evaluation per tool through a "
              "counting proxy (pyspf in-process: two evaluations, divided); the timed runs "
              "ask NSD directly. \"RFC 7208 minimum\" is the number of distinct "
              "(name,type) pairs the evaluation must query when answers are taken only "
              "from the answer section; a tool that uses NSD's additional-section "
              "addresses for MX hosts can ask fewer. spfquery runs in its own network "
              "namespace against its own NSD on 127.0.0.1:53 (same settings). The machine "
              "is shared: absolute rates move 10-20% between runs; the range shows the "
              "slowest and fastest round.", "",
              "## The RFC 7208 minimum set", "",
              "In the order a left-to-right evaluation first needs them:", "",
              "| name | type | implied by |", "|---|---|---|"]
        md += [f"| {n} | {t} | {'; '.join(why.get(f'{n}/{t}', []))} |" for n, t in minimal]
        md += [""]
        with open(args.out, "w") as f:
            f.write("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
