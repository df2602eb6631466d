#!/usr/bin/env python3
"""The house's rules, checked on the source tree and the built programs.

- No .c or .h file under core/, fs/ or tools/ is over 800 lines.
- No module includes a module that includes it back, directly or
  through others: the graph of modules (a .c and its .h) by their
  #include "..." lines has no cycle.
- The client programs (mgrctl, mgrfs) hold none of the engine's or the
  server's functions: they link the wire and the client only.

Run by meson with SRCDIR and the paths of the built programs and
libraries in the environment."""
import collections, os, re, subprocess, sys

src = os.environ["SRCDIR"]
failures = []

def sources():
    for top in ("core", "fs", "tools"):
        for d, _, files in os.walk(os.path.join(src, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.join(d, f)

files = sorted(sources())
for path in files:
    with open(path, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    if n > 800:
        failures.append(f"{os.path.relpath(path, src)}: {n} lines (at most 800)")

# A module is a directory and a base name: core/engine/queue.c and
# core/engine/queue.h are one.  An include names a header by base name,
# found first beside the includer, then anywhere in the tree (the rooms'
# include directories); names must not be ambiguous.
def module(path):
    return os.path.splitext(os.path.relpath(path, src))[0]

by_name = collections.defaultdict(list)
for path in files:
    if path.endswith(".h"):
        by_name[os.path.basename(path)].append(path)

graph = collections.defaultdict(set)
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for path in files:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    me = module(path)
    graph[me]
    for name in include.findall(text):
        beside = os.path.join(os.path.dirname(path), name)
        if os.path.exists(beside):
            target = beside
        elif len(by_name[name]) == 1:
            target = by_name[name][0]
        elif not by_name[name]:
            continue  # a system or generated header
        else:
            failures.append(f"{os.path.relpath(path, src)}: \"{name}\" is ambiguous")
            continue
        if module(target) != me:
            graph[me].add(module(target))

# Depth-first search for a cycle; report each one found once.
WHITE, GREY, BLACK = 0, 1, 2
color = collections.defaultdict(int)
stack = []
def visit(m):
    color[m] = GREY
    stack.append(m)
    for n in sorted(graph[m]):
        if color[n] == GREY:
            cycle = stack[stack.index(n):] + [n]
            failures.append("include cycle: " + " -> ".join(cycle))
        elif color[n] == WHITE:
            visit(n)
    stack.pop()
    color[m] = BLACK
sys.setrecursionlimit(10000)
for m in sorted(graph):
    if color[m] == WHITE:
        visit(m)

def defined(path):
    out = subprocess.run(["nm", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines()
            if len(line.split()) == 3 and line.split()[1] in "TDBR"}

forbidden = set()
for lib in os.environ["MGR_SERVER_LIBS"].split(":"):
    forbidden |= defined(lib)
for prog in os.environ["MGR_CLIENT_PROGRAMS"].split(":"):
    if not prog:
        continue
    leaked = sorted(defined(prog) & forbidden)
    if leaked:
        failures.append(f"{os.path.basename(prog)} holds {len(leaked)} engine or server "
                        f"functions: {', '.join(leaked[:8])}")

checked = f"{len(files)} files, {len(graph)} modules"
if failures:
    print("\n".join(failures))
    print(f"layout: {len(failures)} problem(s) in {checked}")
    sys.exit(1)
print(f"layout: {checked}: sizes, includes and links as the rooms say")
