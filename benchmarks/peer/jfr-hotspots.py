#!/usr/bin/env python3
"""Summarises a JFR recording's CPU samples: where the JVM's threads were running Java code.

    jfr print --json --events jdk.ExecutionSample rec.jfr > samples.json
    python3 jfr-hotspots.py samples.json [TOP]

Prints the samples per thread group (thread name with digits folded), the top methods by self
samples (the frame on top of the stack) and by inclusive samples (anywhere on the stack, counted
once per sample), each as a share of all samples. JFR's execution sampler sees threads running
Java code only; time in native code (RocksDB, syscalls) shows up in jdk.NativeMethodSample
instead, so read this next to a per-thread CPU view (top -H).
"""
import collections
import json
import re
import sys


def frame_name(frame):
    method = frame.get("method", {})
    owner = method.get("type", {}).get("name", "?")
    return f"{owner}.{method.get('name', '?')}"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    events = json.load(open(path))["recording"]["events"]
    threads = collections.Counter()
    self_counts = collections.Counter()
    incl_counts = collections.Counter()
    for e in events:
        values = e["values"]
        thread = (values.get("sampledThread") or {}).get("javaName") or "?"
        threads[re.sub(r"\d+", "N", thread)] += 1
        frames = (values.get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        self_counts[frame_name(frames[0])] += 1
        for name in {frame_name(f) for f in frames}:
            incl_counts[name] += 1
    total = len(events) or 1
    print(f"{len(events)} samples")
    for title, counter in (("threads", threads), ("self", self_counts), ("inclusive", incl_counts)):
        print(f"\n== {title}")
        for name, n in counter.most_common(top):
            print(f"{100.0 * n / total:6.1f}%  {n:7d}  {name}")


if __name__ == "__main__":
    main()
