#!/usr/bin/env python3
"""Draws the chart of one side-by-side run: ops/s and p99 latency by outstanding writes (C), one
line per system, as an SVG written with Python 3's standard library only.

    python3 benchmarks/peer/chart.py RESULTS.jsonl [-o CHART.svg] [--date DATE] [--machine TEXT] [--note TEXT]

RESULTS.jsonl holds the raw JSON lines of one run of run-side-by-side.sh (OUT=file), one line per
(pass, system, C). Each system gets a line through the median of its passes at each C, and a dot
per pass when there are several. Both value axes are logarithmic, since the systems differ by up
to two orders of magnitude. The caption names the machine and the date: from the lines' "machine"
and "date" fields (run-side-by-side.sh adds them), else from --machine and --date, which also
override them. It also gives the 1-minute load average range, the source file's name and, with
--note, one line more (which commit of Pontoon ran, say).

Writes CHART.svg (default: RESULTS with .svg instead of .jsonl). The output depends only on the
input and the options, so regenerating an unchanged chart changes no byte.
Exit status: 0 written, 2 bad input or options.
"""

import argparse
import json
import math
import os
import statistics
import sys
from xml.sax.saxutils import escape

# Display name and colour of the systems this repository compares; others get a name as given
# and a colour from FALLBACK_COLOURS. In-memory systems are drawn dashed.
KNOWN = {
    "pontoon-embedded": ("Pontoon", "#1764ab"),
    "pontoon-memory": ("Pontoon in memory", "#1764ab"),
    "jraft-embedded": ("SOFAJRaft", "#e8710a"),
    "jraft": ("SOFAJRaft over RPC", "#e8710a"),
    "ratis-embedded": ("Ratis", "#7a7a7a"),
    "ratis": ("Ratis over RPC", "#7a7a7a"),
    "microraft": ("MicroRaft in memory", "#2e9e5b"),
}
IN_MEMORY = {"pontoon-memory", "microraft"}
FALLBACK_COLOURS = ["#9c27b0", "#795548", "#00838f", "#c2185b"]
ORDER = ["pontoon-embedded", "pontoon-memory", "jraft-embedded", "jraft", "ratis-embedded", "ratis", "microraft"]

WIDTH, HEIGHT = 960, 580
PANEL_W, PANEL_H = 360, 300
PANEL_TOP = 138
PANEL_LEFT = (80, 560)
FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"


def fail(message):
    print(f"chart.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_rows(path):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                if not text.strip():
                    continue
                try:
                    row = json.loads(text)
                except json.JSONDecodeError as e:
                    fail(f"{path}:{number}: not a JSON line ({e.msg})")
                missing = [k for k in ("system", "clients", "ops_per_s", "p99_us") if k not in row]
                if missing:
                    fail(f"{path}:{number}: no {', '.join(missing)} (is this a side-by-side result line?)")
                rows.append(row)
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")
    if not rows:
        fail(f"{path} holds no result lines")
    return rows


def system_order(name):
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def si(value):
    """12345 -> 12.3k, 1234567 -> 1.23M, 950 -> 950."""
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            scaled = value / limit
            return f"{scaled:.3g}{suffix}" if scaled < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def ms(value):
    return f"{value:.3g} ms" if value < 100 else f"{value:.0f} ms"


def nice(value, up):
    """The next 1, 2 or 5 x 10^k at or above (up) or at or below (not up) value."""
    exponent = math.floor(math.log10(value))
    steps = [step * 10.0 ** e for e in (exponent - 1, exponent, exponent + 1) for step in (1, 2, 5)]
    return min(v for v in steps if v >= value) if up else max(v for v in steps if v <= value)


class LogAxis:
    """A logarithmic value axis between 1-2-5 values a little beyond the smallest and largest value."""

    def __init__(self, values, top, height):
        self.lo = nice(min(v for v in values if v > 0) / 1.2, up=False)
        self.hi = nice(max(values) * 1.2, up=True)
        self.top, self.height = top, height

    def y(self, value):
        share = math.log10(max(value, self.lo) / self.lo) / math.log10(self.hi / self.lo)
        return self.top + self.height * (1 - share)

    def ticks(self):
        """(value, major) at 1, 2 and 5 x 10^k (majors: 10^k) when the axis spans at most three decades, else at 10^k."""
        steps = (1, 2, 5) if math.log10(self.hi / self.lo) <= 3 else (1,)
        out = []
        for exponent in range(math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi)) + 1):
            for step in steps:
                value = step * 10.0 ** exponent
                if self.lo * 0.999 <= value <= self.hi * 1.001:
                    out.append((value, step == 1))
        return out


def text(x, y, content, size=12, anchor="start", weight="normal", fill="#222", extra=""):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}"{extra}>{escape(content)}</text>')


def panel(left, title, unit_format, axis, clients, series):
    """One chart panel: axes, grid, a line and labels per system. series: [(name, colour, dashed, {C: [values]})]."""
    out = [text(left, PANEL_TOP - 14, title, size=14, weight="bold")]
    right, bottom = left + PANEL_W, PANEL_TOP + PANEL_H
    for value, major in axis.ticks():
        y = axis.y(value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{"#d0d0d0" if major else "#eeeeee"}" '
                   f'stroke-width="1"/>')
        out.append(text(left - 8, y + 4, unit_format(value), size=11, anchor="end", fill="#555"))
    out.append(f'<line x1="{left}" y1="{PANEL_TOP}" x2="{left}" y2="{bottom}" stroke="#888"/>')
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#888"/>')
    step = PANEL_W / len(clients)
    xs = {c: left + step * (i + 0.5) for i, c in enumerate(clients)}
    for c, x in xs.items():
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 5}" stroke="#888"/>')
        out.append(text(x, bottom + 19, str(c), size=12, anchor="middle"))
    out.append(text(left + PANEL_W / 2, bottom + 38, "writes outstanding (C)", size=12, anchor="middle", fill="#555"))
    labels = []  # [x, y, text, anchor, colour], placed after every line so that they can be kept apart
    for name, colour, dashed, by_c in series:
        points = [(xs[c], statistics.median(by_c[c])) for c in clients if c in by_c]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{axis.y(v):.1f}" for i, (x, v) in enumerate(points))
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for c in clients:
            if c in by_c and len(by_c[c]) > 1:
                for v in sorted(by_c[c]):
                    out.append(f'<circle cx="{xs[c]:.1f}" cy="{axis.y(v):.1f}" r="2.5" fill="{colour}" '
                               f'fill-opacity="0.45"/>')
        for i, (x, v) in enumerate(points):
            label = unit_format(v, exact=True)
            out.append(f'<circle cx="{x:.1f}" cy="{axis.y(v):.1f}" r="4.5" fill="{colour}" stroke="#fff" '
                       f'stroke-width="1.5"><title>{escape(name)}: {escape(label)}</title></circle>')
            # Away from the line: left of the first point, right of the last, above the others.
            if i == 0 and len(points) > 1:
                labels.append([x - 9, axis.y(v) + 4, label, "end", colour])
            elif i == len(points) - 1:
                labels.append([x + 9, axis.y(v) + 4, label, "start", colour])
            else:
                labels.append([x, axis.y(v) - 9, label, "middle", colour])
    # Labels on the same side of the same point column at most 13 px apart are pushed apart evenly.
    for key in sorted({(round(l[0]), l[3]) for l in labels}):
        column = sorted((l for l in labels if (round(l[0]), l[3]) == key), key=lambda l: l[1])
        for above, below in zip(column, column[1:]):
            gap = below[1] - above[1]
            if gap < 13:
                above[1] -= (13 - gap) / 2
                below[1] += (13 - gap) / 2
    for x, y, label, anchor, colour in labels:
        out.append(text(x, y, label, size=11, anchor=anchor, fill=colour))
    return out


def caption_facts(rows, args):
    dates = sorted({str(r["date"])[:10] for r in rows if r.get("date")})
    machines = sorted({str(r["machine"]) for r in rows if r.get("machine")})
    date = args.date or (dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}" if dates else None)
    machine = args.machine or ("; ".join(machines) if machines else None)
    if date is None:
        fail("the lines carry no date: give --date (when the run was made)")
    if machine is None:
        fail("the lines carry no machine: give --machine (cores, CPU, memory, disk, OS)")
    return date, machine


def render(rows, source, date, machine, note=None):
    systems = sorted({r["system"] for r in rows}, key=system_order)
    clients = sorted({int(r["clients"]) for r in rows})
    passes = sorted({r.get("pass", 1) for r in rows})
    ops, p99 = {}, {}
    for r in rows:
        ops.setdefault(r["system"], {}).setdefault(int(r["clients"]), []).append(float(r["ops_per_s"]))
        p99.setdefault(r["system"], {}).setdefault(int(r["clients"]), []).append(float(r["p99_us"]) / 1000)
    versions = {}
    for r in rows:
        versions.setdefault(r["system"], r.get("version"))
    looks, names = {}, []
    for i, s in enumerate(systems):
        name, colour = KNOWN.get(s, (s, FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)]))
        names.append(name)
        looks[s] = (name + (f" {versions[s]}" if versions[s] else ""), colour, s in IN_MEMORY)

    title = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else names[0]
    first = rows[0]
    job = [f"{first.get('members', 3)} members in one JVM, {first.get('payload_bytes', 128)}-byte writes handed to the "
           f"leader, C writes outstanding (closed loop), {first.get('warmup_s', '?')} s warm-up + "
           f"{round(float(first.get('measure_s', 0)))} s measured, a fresh JVM per point."]
    if any(s not in IN_MEMORY for s in systems):
        job.append("Each library's production transport over loopback TCP and its durable log with an fsync per "
                   "write batch" + ("; dashed: in memory, no disk, no network." if any(s in IN_MEMORY for s in systems)
                                    else "."))
    else:
        job.append("In memory: messages handed over as objects between the members' threads, no disk, no network.")
    loads = [float(r["loadavg_1m"]) for r in rows if "loadavg_1m" in r]
    load = f"1-minute load average {min(loads):g} to {max(loads):g} during the runs; " if loads else ""
    steals = [float(r["steal_pct"]) for r in rows if "steal_pct" in r]
    if steals:
        load += f"CPU stolen by the hypervisor {min(steals):g} to {max(steals):g} %; "
    spread = (f"line through the median of {len(passes)} passes, dots: each pass; " if len(passes) > 1
              else "one pass; ")

    def ops_format(v, exact=False):
        return si(v)

    def ms_format(v, exact=False):
        return ms(v) if exact else (f"{v:g}")

    ops_axis = LogAxis([v for s in systems for vs in ops[s].values() for v in vs], PANEL_TOP, PANEL_H)
    p99_axis = LogAxis([v for s in systems for vs in p99[s].values() for v in vs], PANEL_TOP, PANEL_H)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'font-family="{FONT}">',
           f"<title>{escape(title)}: writes per second and p99 latency by writes outstanding</title>",
           f"<desc>{escape(' '.join(job))} Measured {escape(date)} on {escape(machine)}. Source: {escape(source)}.</desc>",
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           text(24, 30, f"{title}: writes per second and p99 latency", size=18, weight="bold")]
    for i, line in enumerate(job):
        out.append(text(24, 52 + 17 * i, line, size=12, fill="#444"))
    x = 24
    for s in systems:
        name, colour, dashed = looks[s]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<line x1="{x}" y1="96" x2="{x + 26}" y2="96" stroke="{colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<circle cx="{x + 13}" cy="96" r="4" fill="{colour}"/>')
        out.append(text(x + 32, 100, name, size=12))
        x += 32 + 7.2 * len(name) + 28
    series_ops = [(looks[s][0], looks[s][1], looks[s][2], ops[s]) for s in systems]
    series_p99 = [(looks[s][0], looks[s][1], looks[s][2], p99[s]) for s in systems]
    out += panel(PANEL_LEFT[0], "Writes acknowledged per second (higher is better)", ops_format, ops_axis, clients,
                 series_ops)
    out += panel(PANEL_LEFT[1], "p99 latency, ms (lower is better)", ms_format, p99_axis, clients, series_p99)
    caption = [f"Measured {date} on {machine}.", f"{load}{spread}log scales. Raw lines: {source}"]
    jvm_opts = sorted({str(r["jvm_opts"]) for r in rows if r.get("jvm_opts")})
    if jvm_opts:
        caption[0] += f" JVM options: {' | '.join(jvm_opts)}."
    if note:
        caption.append(note)
    for i, line in enumerate(caption):
        out.append(text(24, HEIGHT - 52 + 17 * i, line, size=11, fill="#555"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Chart of one side-by-side run (ops/s and p99 by C), as SVG.")
    parser.add_argument("results", help="the run's JSON lines (run-side-by-side.sh with OUT=file)")
    parser.add_argument("-o", "--output", help="the SVG to write (default: RESULTS with .svg)")
    parser.add_argument("--date", help="when the run was made, for the caption (default: the lines' date field)")
    parser.add_argument("--machine", help="what it ran on, for the caption (default: the lines' machine field)")
    parser.add_argument("--note", help="one more line for the caption, e.g. which commit of Pontoon ran")
    args = parser.parse_args()
    rows = read_rows(args.results)
    date, machine = caption_facts(rows, args)
    output = args.output or (os.path.splitext(args.results)[0] + ".svg")
    svg = render(rows, os.path.basename(args.results), date, machine, args.note)
    with open(output, "w", encoding="utf-8", newline="\n") as f:
        f.write(svg)
    print(f"wrote {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
