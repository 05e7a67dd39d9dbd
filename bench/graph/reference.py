#!/usr/bin/env python3
"""Writes reference values from networkx and igraph for kith-graph's
correctness tests, into target/kith-graph-reference/ (or the folder given as
the first argument). Run through ./reference.sh, which makes the venv.

Files (ids are the original ids of the SNAP files):
  pagerank-<graph>-default.txt  networkx.pagerank defaults (alpha 0.85, tol 1e-6, 100 it.)
  pagerank-<graph>-tight.txt    networkx.pagerank tol 1e-14, 10000 iterations
  kcore-<graph>.txt             networkx.core_number on the undirected simple graph
  wcc-<graph>.txt               id, smallest id of its weakly connected component
  communities.json              igraph Leiden / Louvain NMI on email-eu-core and
                                modularity on ego-facebook, over 10 seeds
"""
import gzip, json, os, random, sys, time

import igraph as ig
import networkx as nx

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.environ.get("KITH_DATA", os.path.join(root, "..", "shared", "data"))
graphs = os.path.join(data, "graphs")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "target", "kith-graph-reference")
os.makedirs(out, exist_ok=True)


def edges(name):
    with gzip.open(os.path.join(graphs, name, "edges.txt.gz"), "rt") as f:
        for line in f:
            if line[:1] in "#%" or not line.strip():
                continue
            a, b = line.split()[:2]
            yield int(a), int(b)


def digraph(name):
    g = nx.DiGraph()
    g.add_edges_from(edges(name))
    return g


def undirected_simple(g):
    u = nx.Graph(g.to_undirected())
    u.remove_edges_from(list(nx.selfloop_edges(u)))
    return u


def write_map(path, mapping):
    with open(path, "w") as f:
        for k in sorted(mapping):
            v = mapping[k]
            f.write(f"{k}\t{v!r}\n" if isinstance(v, float) else f"{k}\t{v}\n")


for name in ["wiki-vote", "ego-twitter"]:
    g = digraph(name)
    t = time.time()
    write_map(os.path.join(out, f"pagerank-{name}-default.txt"), nx.pagerank(g))
    write_map(os.path.join(out, f"pagerank-{name}-tight.txt"), nx.pagerank(g, tol=1e-14, max_iter=10000))
    print(f"pagerank {name}: {time.time() - t:.1f}s", file=sys.stderr)

for name in ["ego-facebook", "wiki-vote", "ego-twitter"]:
    g = digraph(name)
    write_map(os.path.join(out, f"kcore-{name}.txt"), nx.core_number(undirected_simple(g)))
    wcc = {}
    for comp in nx.weakly_connected_components(g):
        low = min(comp)
        for v in comp:
            wcc[v] = low
    write_map(os.path.join(out, f"wcc-{name}.txt"), wcc)
    print(f"kcore/wcc {name} done", file=sys.stderr)


def igraph_undirected(name):
    g = ig.Graph.TupleList(edges(name), directed=True)
    g.to_undirected(mode="collapse")
    g.simplify()
    return g


def departments():
    dept = {}
    with open(os.path.join(graphs, "email-eu-core", "departments.txt")) as f:
        for line in f:
            if line.strip():
                a, b = line.split()[:2]
                dept[int(a)] = int(b)
    return dept


result = {"seeds": list(range(10))}
dept = departments()
g = igraph_undirected("email-eu-core")
names = [int(x) for x in g.vs["name"]]
for algo in ["leiden", "louvain"]:
    nmis, mods = [], []
    for seed in result["seeds"]:
        random.seed(seed)
        ig.set_random_number_generator(random)
        if algo == "leiden":
            part = g.community_leiden(objective_function="modularity")
        else:
            part = g.community_multilevel()
        member = dict(zip(names, part.membership))
        # nodes without edges are singletons
        nxt = max(part.membership) + 1
        ours, truth = [], []
        for v in sorted(dept):
            if v in member:
                ours.append(member[v])
            else:
                ours.append(nxt)
                nxt += 1
            truth.append(dept[v])
        nmis.append(ig.compare_communities(ours, truth, method="nmi"))
        mods.append(g.modularity(part.membership))
    result[f"email-eu-core-{algo}-nmi"] = nmis
    result[f"email-eu-core-{algo}-modularity"] = mods

g = igraph_undirected("ego-facebook")
for algo in ["leiden", "louvain"]:
    mods = []
    for seed in result["seeds"]:
        random.seed(seed)
        ig.set_random_number_generator(random)
        part = g.community_leiden(objective_function="modularity") if algo == "leiden" else g.community_multilevel()
        mods.append(g.modularity(part.membership))
    result[f"ego-facebook-{algo}-modularity"] = mods
with open(os.path.join(out, "communities.json"), "w") as f:
    json.dump(result, f, indent=1)
print(json.dumps({k: (max(v), sum(v) / len(v)) for k, v in result.items() if k != "seeds"}, indent=1), file=sys.stderr)
