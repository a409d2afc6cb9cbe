#!/usr/bin/env python3
"""A second configure of an unchanged tree must not make the build do anything new.

issue 11, item 1: configuring rewrote generated files (file(WRITE)) and so relinked 31 targets
on every ./scripts/demo.sh. This check
  1. lints the configure-time CMake code (every CMakeLists.txt and cmake/*.cmake) for
     file(WRITE|APPEND ...) outside cmake/ShoalWriteIfChanged.cmake, and
  2. brings the build tree up to date (whatever that takes is not counted), configures it again
     with the same cache, builds again and fails if that build did anything but the steps that
     run on every build by design (the firmware's sub-build, which is a no-op when current, the
     glob check and the regeneration it triggers). A dry run (ninja -n) cannot answer this: it
     stops at the manifest regeneration, before the relinks it would cause.
Exit status 0 pass, 1 fail, 77 skipped (not a Ninja build tree).
"""
import argparse
import os
import re
import subprocess
import sys

STEP = re.compile(r"^\[\d+/\d+\]\s*")


def lint(source):
    bad = []
    allowed = os.path.join(source, "cmake", "ShoalWriteIfChanged.cmake")
    pattern = re.compile(r"\bfile\s*\(\s*(WRITE|APPEND)\b", re.IGNORECASE)
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.startswith("build")]
        for f in files:
            path = os.path.join(root, f)
            configure_time = f == "CMakeLists.txt" or (
                os.path.dirname(path) == os.path.join(source, "cmake") and f.endswith(".cmake"))
            if not configure_time or path == allowed:
                continue
            with open(path, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    code = line.split("#", 1)[0]
                    if pattern.search(code):
                        bad.append(f"{os.path.relpath(path, source)}:{n}: {line.strip()}")
    return bad


ALWAYS = ("shoal_firmware", "Re-checking globbed directories", "Re-running CMake")


def build(ninja, tree):
    r = subprocess.run([ninja, "-C", tree], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"check_reconfigure: '{ninja} -C {tree}' failed:\n{r.stdout}{r.stderr}")
    return [STEP.sub("", l).strip() for l in r.stdout.splitlines() if STEP.match(l)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--ninja", required=True)
    ap.add_argument("--generator", required=True)
    ap.add_argument("--lint-only", action="store_true")
    a = ap.parse_args()

    failed = False
    bad = lint(a.source)
    if bad:
        failed = True
        print("configure-time file(WRITE/APPEND) rewrites the file on every configure; use "
              "shoal_write_if_changed():\n  " + "\n  ".join(bad))
    else:
        print("lint: no file(WRITE/APPEND) in configure-time CMake code")
    if a.lint_only:
        return 1 if failed else 0
    if "Ninja" not in a.generator:
        print(f"skipped: the build tree uses {a.generator}, not Ninja")
        return 77

    first = build(a.ninja, a.build)
    print(f"brought the tree up to date: {len(first)} step(s)")
    r = subprocess.run([a.cmake, "-S", a.source, "-B", a.build], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"reconfigure failed:\n{r.stdout}{r.stderr}")
        return 1
    steps = build(a.ninja, a.build)
    work = [s for s in steps if not any(k in s for k in ALWAYS)]
    if work:
        failed = True
        print(f"after a second configure of the unchanged tree the build ran {len(work)} step(s):\n  "
              + "\n  ".join(work))
    else:
        print(f"reconfigure: the build after it ran only the always-run steps ({len(steps)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
