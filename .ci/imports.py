#!/usr/bin/env python3
"""The import graph of the `api` crate and its cycles.

    python3 .ci/imports.py [SRC] [DEPTH] [--check]

Prints one line per module (`tasks::service -> audit::service, auth, ...`), modules taken to
DEPTH path segments (1: `tasks`; 2: `tasks::service`), then the groups of modules that import
each other in a loop. With --check it exits 1 if a loop holds anything but GraphQL schema parts
(`schema`, `*_schema`, `types`): the domains' object types refer to each other (a task has
reports, a report its task), and nothing else may (ARCHITECTURE.md, invariant 19).
"""
import os, re, sys, collections
args = [a for a in sys.argv[1:] if not a.startswith('--')]
check = '--check' in sys.argv
root = args[0] if len(args) > 0 else 'api/src'
depth = int(args[1]) if len(args) > 1 else 2
edges = collections.defaultdict(set)
for dp, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p = os.path.relpath(os.path.join(dp, f), root)
        parts = p[:-3].split('/')
        if parts[-1] == 'mod': parts = parts[:-1]
        src = '::'.join(parts[:depth]) or 'lib'
        text = open(os.path.join(dp, f)).read()
        # strip comments
        text = re.sub(r'//[^\n]*', '', text)
        refs = set(re.findall(r'crate::((?:[a-z_]+)(?:::[a-z_]+)*)', text))
        # grouped: use crate::{a, b::c}
        for g in re.findall(r'crate::\{([^}]*)\}', text):
            for item in g.split(','):
                item = item.strip()
                if item: refs.add(re.split(r'\s', item)[0])
        # super:: references inside a top-level module stay inside
        for r in refs:
            segs = [s for s in r.split('::') if s]
            tgt = '::'.join(segs[:depth])
            if tgt and tgt != src and not tgt.startswith(src + '::') and not src.startswith(tgt + '::'):
                edges[src].add(tgt)
for s in sorted(edges):
    print(f"{s} -> {', '.join(sorted(edges[s]))}")
# cycles: strongly connected components
idx = {}; low = {}; st = []; on = set(); sccs = []; c = [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
for v in list(edges):
    if v not in idx: sc(v)
print("\ncycles (strongly connected groups):")
for comp in sccs: print("  " + " <-> ".join(comp))
def schema_part(module):
    last = module.split('::')[-1]
    return last in ('schema', 'types') or last.endswith('_schema')
bad = [comp for comp in sccs if not all(schema_part(m) for m in comp)]
if check and bad:
    print("\nloops outside the GraphQL schema parts:")
    for comp in bad: print("  " + " <-> ".join(comp))
    sys.exit(1)
