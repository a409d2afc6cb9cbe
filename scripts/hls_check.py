#!/usr/bin/env python3
"""Keep Shoal's HLS kernels inside the synthesizable subset.

No vendor HLS tool runs here, so this is the check that stands in for one. Given the kernel
sources and the objects compiled from them with

    -O0 -fno-exceptions -fno-rtti -fcallgraph-info=su,da -D__SYNTHESIS__

(which leaves a .ci call-graph file beside each object), it fails when:

  * an object needs a symbol that no kernel object defines, other than memcpy/memset/memmove
    (so no operator new/delete, malloc, printf, std:: library code, exception support);
  * an object has a vtable (virtual calls);
  * the call graph has a cycle (recursion, direct or mutual);
  * a stack frame is not static (variable-length arrays, alloca);
  * a source or project header includes a header outside the approved list;
  * a kernel uses while/do/goto, or a for-loop whose condition does not compare against a
    compile-time constant (literal, ALL_CAPS or kName constant), outside __SYNTHESIS__ guards.

Prints every violation with its place and exits 1; prints a one-line summary and exits 0 when
the kernels are clean. Python standard library only.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

APPROVED_SYSTEM_HEADERS = {"stdint.h", "stddef.h"}
ALLOWED_UNDEFINED = {"memcpy", "memset", "memmove"}
CONST_OPERAND = re.compile(r"^(?:\d+[uUlL]*|0x[0-9a-fA-F]+[uUlL]*|[A-Z][A-Z0-9_]*|k[A-Z]\w*|"
                           r"(?:\w+::)+(?:[A-Z][A-Z0-9_]*|k[A-Z]\w*))$")


def strip_comments_and_strings(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            seg = text[i:(n if j < 0 else j + 2)]
            out.append("\n" * seg.count("\n"))
            i = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_testbench_only(text: str) -> str:
    """Blank out regions that exist only when __SYNTHESIS__ is not defined."""
    lines = text.split("\n")
    stack: list[bool] = []  # True = this region is testbench-only
    out = []
    for ln in lines:
        s = ln.strip()
        m = re.match(r"#\s*(ifndef|ifdef|if|elif|else|endif)\b(.*)", s)
        if m:
            kind, rest = m.group(1), m.group(2).strip()
            if kind == "ifndef":
                stack.append(rest == "__SYNTHESIS__")
            elif kind == "ifdef":
                stack.append(False)
            elif kind == "if":
                stack.append(bool(re.fullmatch(r"!\s*defined\s*\(?\s*__SYNTHESIS__\s*\)?", rest)))
            elif kind in ("else", "elif") and stack:
                stack[-1] = False
            elif kind == "endif" and stack:
                stack.pop()
            out.append("")
            continue
        out.append("" if any(stack) else ln)
    return "\n".join(out)


def check_sources(sources: list[Path], include_dirs: list[Path], allowed_roots: list[Path],
                  errors: list[str]) -> int:
    seen: set[Path] = set()
    todo = [p.resolve() for p in sources]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            raw = p.read_text()
        except OSError as e:
            errors.append(f"{p}: cannot read: {e}")
            continue
        for lineno, ln in enumerate(raw.split("\n"), 1):
            m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', ln)
            if not m:
                continue
            kind, name = m.groups()
            if kind == "<":
                if name not in APPROVED_SYSTEM_HEADERS:
                    errors.append(f"{p}:{lineno}: header <{name}> is not approved for HLS kernels "
                                  f"(approved: {', '.join(sorted(APPROVED_SYSTEM_HEADERS))})")
                continue
            cands = [p.parent / name] + [d / name for d in include_dirs]
            found = next((c.resolve() for c in cands if c.exists()), None)
            if found is None:
                errors.append(f'{p}:{lineno}: cannot find "{name}"')
            elif not any(found.is_relative_to(r.resolve()) for r in allowed_roots):
                errors.append(f'{p}:{lineno}: "{name}" resolves to {found}, outside the HLS tree')
            else:
                todo.append(found)
        body = drop_testbench_only(strip_comments_and_strings(raw))
        for lineno, ln in enumerate(body.split("\n"), 1):
            for kw in ("while", "do", "goto", "new", "delete", "throw", "try", "virtual",
                       "malloc", "alloca"):
                if re.search(rf"\b{kw}\b", ln):
                    errors.append(f"{p}:{lineno}: '{kw}' is outside the HLS subset")
        for m in re.finditer(r"\bfor\s*\(([^;]*);([^;]*);", body):
            cond = m.group(2)
            lineno = body.count("\n", 0, m.start()) + 1
            pairs = re.findall(r"([\w:]+)\s*(?:<=|>=|<|>|!=)\s*([\w:]+)", cond)
            operands = [x for pair in pairs for x in pair]
            if not any(CONST_OPERAND.match(o) for o in operands):
                errors.append(f"{p}:{lineno}: loop bound '{cond.strip()}' is not a compile-time "
                              "constant (compare against a literal or a constant)")
    return len(seen)


def check_objects(objects: list[Path], errors: list[str]) -> tuple[int, int]:
    defined: set[str] = set()
    undefined: dict[str, list[str]] = {}
    for o in objects:
        try:
            res = subprocess.run(["nm", "-P", str(o)], check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as e:
            errors.append(f"{o}: nm failed: {e}")
            continue
        for ln in res.stdout.splitlines():
            parts = ln.split()
            if len(parts) < 2:
                continue
            sym, typ = parts[0], parts[1]
            if typ == "U":
                undefined.setdefault(sym, []).append(o.name)
            elif typ not in ("w", "v"):
                defined.add(sym)
            if sym.startswith("_ZTV"):
                errors.append(f"{o}: defines vtable {demangle(sym)}: virtual calls are outside the "
                              "HLS subset")
    for sym, who in sorted(undefined.items()):
        if sym not in defined and sym not in ALLOWED_UNDEFINED:
            errors.append(f"{', '.join(sorted(set(who)))}: needs '{demangle(sym)}', which is not "
                          "part of the kernels (heap, I/O and library calls are outside the HLS "
                          "subset)")
    nodes, edges = 0, {}
    for o in objects:
        ci = o.with_suffix(".ci")
        try:
            text = ci.read_text()
        except OSError:
            errors.append(f"{o}: no call-graph file {ci} (compile with -fcallgraph-info=su,da)")
            continue
        for m in re.finditer(r'node: \{ title: "([^"]+)" label: "([^"]*)"', text):
            title, label = m.groups()
            if "bytes (" not in label:
                continue  # external declaration
            nodes += 1
            sm = re.search(r"(\d+) bytes \(([^)]*)\)", label)
            if sm and sm.group(2) != "static":
                where = label.split("\\n")[1] if "\\n" in label else title
                errors.append(f"{where}: stack frame of {label.split(chr(92) + 'n')[0]} is "
                              f"{sm.group(2)}, not static")
        for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', text):
            edges.setdefault(m.group(1), set()).add(m.group(2))
    for cyc in find_cycles(edges):
        errors.append("recursion: " + " -> ".join(demangle(s) for s in cyc))
    return nodes, sum(len(v) for v in edges.values())


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    color: dict[str, int] = {}
    cycles = []
    for root in sorted(edges):
        if color.get(root):
            continue
        stack = [(root, iter(sorted(edges.get(root, ()))))]
        path = [root]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            c = color.get(nxt, 0)
            if c == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif c == 0:
                color[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
    return cycles


def demangle(sym: str) -> str:
    try:
        return subprocess.run(["c++filt", sym], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return sym


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", default="kernel", help="name used in the summary line")
    ap.add_argument("--sources", nargs="+", type=Path, required=True)
    ap.add_argument("--objects", nargs="+", type=Path, required=True)
    ap.add_argument("--include-dir", action="append", type=Path, default=[],
                    help="directories searched for quoted includes")
    ap.add_argument("--allowed-root", action="append", type=Path, default=[],
                    help="quoted includes must resolve under one of these (default: include dirs)")
    a = ap.parse_args(argv)
    errors: list[str] = []
    nfiles = check_sources(a.sources, a.include_dir, a.allowed_root or a.include_dir, errors)
    nfuncs, nedges = check_objects(a.objects, errors)
    if errors:
        print(f"hls_check[{a.name}]: {len(errors)} violation(s) of the HLS subset:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print(f"hls_check[{a.name}]: OK: {nfiles} file(s), {len(a.objects)} object(s), {nfuncs} "
          f"function(s) with static frames, {nedges} call edge(s), no recursion, no heap/IO")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
