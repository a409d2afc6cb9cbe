#!/usr/bin/env python3
"""The project's docs and --help texts stand on their own (issue 11, item 7).

A clone has nothing beside it: no text in the repository and no --help may point at the
workspace's shared folder (../shared/design.md, ../shared/traces, ...), and every relative
Markdown link must reach a file inside the repository.
  check_docs.py --source DIR [--shoalctl PATH] [--shoal-sim PATH]
Exit status 0 pass, 1 fail.
"""
import argparse
import os
import re
import subprocess
import sys

OUTSIDE = re.compile(r"\.\./shared\b|/work/shared\b|\bshared/(?:design\.md|traces|seeds)\b")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TEXT = (".md", ".cpp", ".hpp", ".h", ".c", ".txt", ".cmake", ".py", ".sh", ".toml", ".sv", ".S", ".dts",
        ".dtsi", ".in", ".ld")
SELF = os.path.abspath(__file__)


def files(source):
    for root, dirs, names in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.startswith("build")]
        for n in names:
            p = os.path.join(root, n)
            if (n.endswith(TEXT) or n == "CMakeLists.txt") and os.path.abspath(p) != SELF:
                yield p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--shoalctl")
    ap.add_argument("--shoal-sim")
    a = ap.parse_args()
    help_of = []
    if a.shoalctl:
        for cmd in ("", "info", "list", "reg", "reg list", "reg read", "reg write", "reg dump", "fw", "fw load",
                    "fw status"):
            help_of.append([a.shoalctl] + cmd.split() + ["--help"])
    if a.shoal_sim:
        help_of.append([a.shoal_sim, "--help"])
    src = os.path.abspath(a.source)
    bad = []
    md = 0
    for p in files(src):
        rel = os.path.relpath(p, src)
        with open(p, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for n, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                bad.append(f"{rel}:{n}: points outside the repository: {line.strip()}")
        if p.endswith(".md"):
            md += 1
            for m in LINK.finditer(text):
                target = m.group(1).split("#", 1)[0]
                if not target or re.match(r"^[a-z]+:", target):
                    continue  # an anchor, or a URL
                full = os.path.normpath(os.path.join(os.path.dirname(p), target))
                if not full.startswith(src + os.sep) and full != src:
                    bad.append(f"{rel}: link '{m.group(1)}' leaves the repository")
                elif not os.path.exists(full):
                    bad.append(f"{rel}: link '{m.group(1)}' goes nowhere ({os.path.relpath(full, src)} does not exist)")
    helps = 0
    for cmd in help_of:
        r = subprocess.run(cmd, capture_output=True, text=True)
        helps += 1
        if r.returncode != 0:
            bad.append(f"'{' '.join(cmd)}' exited {r.returncode}: {r.stderr.strip()}")
        for line in (r.stdout + r.stderr).splitlines():
            if OUTSIDE.search(line):
                bad.append(f"'{' '.join(cmd)}' points outside the repository: {line.strip()}")
    if bad:
        print("\n".join(bad))
        return 1
    print(f"{md} Markdown files, every text file and {helps} --help outputs stay inside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
