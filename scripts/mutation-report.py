#!/usr/bin/env python3
"""Summarises Stryker.NET JSON reports: the score per source folder and every surviving or uncovered mutant.

    python3 scripts/mutation-report.py artifacts/mutation/<run>/reports/mutation-report.json [more reports...]

Score = killed (incl. timeouts) / (killed + survived + no coverage), as Stryker computes it; ignored and
compile-error mutants do not count, nor does `ConfigureAwait(false)` -> `(true)`: equivalent in a library (no
synchronization context to come back to), and not ignorable in the configuration without hiding every mutant of the
awaited call chain (Stryker's method filter follows the chain). With several reports the latest one for a file wins.
"""
import json
import os
import sys
from collections import defaultdict

DETECTED = {"Killed", "Timeout"}
UNDETECTED = {"Survived", "NoCoverage"}


def is_configure_await_flag(mutant, lines):
    """Whether the mutant flips the argument of a `.ConfigureAwait(false)` call."""
    start = mutant["location"]["start"]
    before = lines[start["line"] - 1][: start["column"] - 1].rstrip()
    return mutant["mutatorName"].startswith("Boolean") and before.endswith("ConfigureAwait(")


def main(paths):
    files = {}
    for path in sorted(paths, key=os.path.getmtime):
        report = json.load(open(path))
        for name, data in report["files"].items():
            if any(m["status"] in DETECTED | UNDETECTED for m in data["mutants"]):
                files[name] = data
    folders = defaultdict(lambda: [0, 0])
    undetected = []
    flags = 0
    for name, data in sorted(files.items()):
        rel = name.split("/src/", 1)[-1]
        folder = os.path.dirname(rel)
        lines = data["source"].split("\n")
        for m in data["mutants"]:
            if m["status"] in DETECTED | UNDETECTED and is_configure_await_flag(m, lines):
                flags += 1
            elif m["status"] in DETECTED:
                folders[folder][0] += 1
            elif m["status"] in UNDETECTED:
                folders[folder][1] += 1
                line = m["location"]["start"]["line"]
                undetected.append((rel, line, m["status"], m["mutatorName"], m.get("replacement", "").replace("\n", " ")[:90],
                                   lines[line - 1].strip()[:110]))
    total = [sum(v[0] for v in folders.values()), sum(v[1] for v in folders.values())]
    print("| folder | killed | survived or not covered | score |")
    print("|---|---:|---:|---:|")
    for folder, (k, u) in sorted(folders.items()) + [("**total**", total)]:
        print(f"| {folder} | {k} | {u} | {100.0 * k / max(k + u, 1):.1f}% |")
    print()
    print(f"`ConfigureAwait(false)` -> `(true)`, equivalent, not counted: {flags}")
    print()
    for rel, line, status, mutator, replacement, source in undetected:
        print(f"{rel}:{line} {status} [{mutator}] -> {replacement}\n    {source}")


if __name__ == "__main__":
    main(sys.argv[1:])
