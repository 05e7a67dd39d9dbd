#!/usr/bin/env python3
"""Side-by-side graph benchmark: kith against NetworKit (2 threads), igraph
and networkx (one thread), and the SUBSIM / OPIM-C reference programs for
influence maximization, on the same files in one run. Run through run.sh.

Every tool runs in its own process under /usr/bin/time, so each row has the
peak resident memory of the process that produced it. Times are the tools'
own step timings (kith reports load and compute seconds; the Python tools
are timed around each call; SUBSIM and OPIM-C print their algorithm time).

Usage: bench.py OUT_DIR KITH_BINARY GRAPH_NAME=FILE...
"""
import json, os, re, subprocess, sys, time

out_dir, kith = sys.argv[1], sys.argv[2]
graphs = [a.split("=", 1) for a in sys.argv[3:]]
refs = os.environ.get("KITH_BENCH_REFS", os.path.join(out_dir, "refs"))
threads = os.environ.get("KITH_BENCH_THREADS", "2")
skip = set(os.environ.get("KITH_BENCH_SKIP", "").split(","))
env = dict(os.environ, RAYON_NUM_THREADS=threads)
# Files above this size skip networkx and give NetworKit and igraph ids 0..n-1.
LARGE_FILE_BYTES = 200e6
# Each tool runs this many times on files up to LARGE_FILE_BYTES (once on
# larger ones) and the table shows each step's median: single runs of
# sub-second steps on a shared VM vary by up to 2x.
ROUNDS = int(os.environ.get("KITH_BENCH_ROUNDS", "3"))


def dense_path(graph):
    """kith's export of a graph with ids 0..n-1 (written by its read step)."""
    return os.path.join(out_dir, graph + ".dense.txt")


def wanted(steps):
    """The steps KITH_BENCH_SKIP does not leave out."""
    return [s for s in steps if s not in skip]


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time; returns (stdout, peak RSS MiB, wall s)."""
    t = time.time()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, env=env, **kw)
    wall = time.time() - t
    if p.returncode != 0:
        print(f"FAILED {' '.join(cmd)}\n{p.stderr[-2000:]}", file=sys.stderr)
        return None, None, wall
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    return p.stdout, rss, wall


rows = []  # (graph, step, tool, seconds, peak MiB, note)


def warm(path):
    """Reads a file once so that every tool's read starts from the page
    cache, not only the ones that happen to follow another reader of the
    same file (rmat22: kith's load took 3.0-3.4 s with the file dropped
    from the cache, 2.5-2.8 s with it cached)."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def add(graph, step, tool, seconds, mib, note=""):
    rows.append((graph, step, tool, seconds, mib, note))
    print(f"{graph:12} {step:22} {tool:24} {seconds if seconds is not None else '-':>10} s  {mib or 0:8.0f} MiB  {note}", file=sys.stderr, flush=True)


def kith_graph(graph, path, step, args):
    out, mib, wall = timed([kith, "graph", *args, "--edges", path, "--json", "-q"])
    if out is None:
        add(graph, step, "kith", None, None, "failed")
        return None
    r = json.loads(out)
    return r, mib


PY_LIBS = r'''
import json, sys, time
lib, path, steps, threads = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
dense = len(sys.argv) > 5 and sys.argv[5] == "dense"  # ids already 0..n-1, space-separated
res = {}
def clock(name, f):
    t = time.time(); v = f(); res[name] = time.time() - t; return v
if lib == "networkit":
    import networkit as nk
    nk.setNumberOfThreads(threads)
    if dense:
        reader = lambda directed: nk.graphio.EdgeListReader(" ", 0, "#", directed=directed, continuous=True)
    else:
        reader = lambda directed: nk.graphio.EdgeListReader("\t", 0, "#", directed=directed, continuous=False)
    g = clock("read", lambda: reader(True).read(path))
    u = reader(False).read(path); u.removeMultiEdges(); u.removeSelfLoops()
    res["undirected_edges"] = u.numberOfEdges()
    def pr(iters, tol):
        p = nk.centrality.PageRank(g, damp=0.85, tol=tol, distributeSinks=nk.centrality.SinkHandling.DistributeSinks)
        p.norm = nk.centrality.Norm.L1_NORM
        p.maxIterations = iters
        p.run(); return p.numberOfIterations()
    if "pagerank20" in steps: clock("pagerank20", lambda: pr(20, 1e-300))
    if "pagerank" in steps: res["pagerank_iterations"] = clock("pagerank", lambda: pr(10000, 1e-6))
    if "kcore" in steps: clock("kcore", lambda: nk.centrality.CoreDecomposition(u).run())
    if "components" in steps: clock("components", lambda: nk.components.WeaklyConnectedComponents(g).run())
    for name, algo in [("louvain", lambda: nk.community.PLM(u, refine=False)), ("leiden", lambda: nk.community.ParallelLeiden(u))]:
        if name in steps:
            a = algo(); clock(name, a.run)
            res[name + "_modularity"] = nk.community.Modularity().getQuality(a.getPartition(), u)
elif lib == "igraph":
    import igraph as ig
    g = clock("read", lambda: ig.Graph.Read_Edgelist(path, directed=True) if dense else ig.Graph.Read_Ncol(path, directed=True, names=True, weights=False))
    u = g.as_undirected(mode="collapse"); u.simplify()
    if "pagerank" in steps: clock("pagerank", lambda: g.pagerank(damping=0.85))
    if "kcore" in steps: clock("kcore", lambda: u.coreness())
    if "components" in steps: clock("components", lambda: g.connected_components(mode="weak"))
    for name, algo in [("louvain", lambda: u.community_multilevel()), ("leiden", lambda: u.community_leiden(objective_function="modularity", n_iterations=2))]:
        if name in steps:
            part = clock(name, algo)
            res[name + "_modularity"] = u.modularity(part.membership)
    if len(sys.argv) > 6:  # kith's membership file: modularity checked by igraph
        member = {}
        for line in open(sys.argv[6]):
            a, b = line.split(); member[a] = int(b)
        names = u.vs["name"] if "name" in u.vs.attributes() else [str(i) for i in range(u.vcount())]
        nxt = max(member.values()) + 1
        labels = []
        for n in names:
            if n in member: labels.append(member[n])
            else: labels.append(nxt); nxt += 1
        res["kith_partition_modularity_by_igraph"] = u.modularity(labels)
elif lib == "networkx":
    import networkx as nx
    g = clock("read", lambda: nx.read_edgelist(path, create_using=nx.DiGraph, nodetype=int))
    u = nx.Graph(g.to_undirected()); u.remove_edges_from(list(nx.selfloop_edges(u)))
    if "pagerank" in steps: clock("pagerank", lambda: nx.pagerank(g, tol=1e-6 / g.number_of_nodes(), max_iter=10000))
    if "kcore" in steps: clock("kcore", lambda: nx.core_number(u))
    if "components" in steps: clock("components", lambda: list(nx.weakly_connected_components(g)))
    if "louvain" in steps:
        part = clock("louvain", lambda: nx.community.louvain_communities(u, seed=1))
        res["louvain_modularity"] = nx.community.modularity(u, part)
print(json.dumps(res))
'''


def python_lib(graph, lib, python, path, steps, *extra):
    out, mib, _ = timed([python, "-c", PY_LIBS, lib, path, ",".join(steps), threads, *extra])
    if out is None:
        add(graph, "all", lib, None, None, "failed")
        return {}
    r = json.loads(out.strip().splitlines()[-1])
    for step in ["read", "pagerank20", "pagerank", "kcore", "components", "louvain", "leiden"]:
        if step in r:
            note = ""
            if step + "_modularity" in r:
                note = f"modularity {r[step + '_modularity']:.4f}"
            if step == "pagerank" and "pagerank_iterations" in r:
                note = f"{r['pagerank_iterations']} iterations"
            add(graph, step, lib, r[step], mib, note)
    return r


def reference_im(graph, path, dense_path):
    """SUBSIM (IC) and OPIM-C (IC, LT), if built under refs/.

    OPIM-C always gets -pdist=WC: the weights its format step writes are
    wrong when some nodes have no in-edges (its loop skips them without
    advancing the node index), and -pdist=WC recomputes 1/in-degree when
    the graph is loaded."""
    results = {}
    subsim, opim = os.path.join(refs, "subsim"), os.path.join(refs, "opim")
    work = os.path.join(out_dir, "im-" + graph)
    os.makedirs(os.path.join(work, "graphInfo"), exist_ok=True)
    target = os.path.join(work, "graphInfo", graph)
    if not os.path.exists(target):
        os.symlink(os.path.abspath(dense_path), target)
    for tool, binary, model, fmt, run in [
        ("SUBSIM", subsim, "IC", ["-func=format", f"-gname={graph}", "-pdist=wc"], ["-func=im", f"-gname={graph}", "-seedsize=50", "-eps=0.1"]),
        ("OPIM-C", opim, "IC", ["-func=0", f"-gname={graph}"], ["-func=1", f"-gname={graph}", "-alg=opim-c", "-mode=2", "-seedsize=50", "-eps=0.1", "-model=IC", "-pdist=WC"]),
        ("OPIM-C", opim, "LT", None, ["-func=1", f"-gname={graph}", "-alg=opim-c", "-mode=2", "-seedsize=50", "-eps=0.1", "-model=LT", "-pdist=WC"]),
    ]:
        if not os.path.exists(binary):
            continue
        if fmt:
            subprocess.run([os.path.abspath(binary), *fmt], cwd=work, capture_output=True)
        out, mib, wall = timed([os.path.abspath(binary), *run], cwd=work)
        if out is None:
            continue
        m = re.findall(r"Time \(sec\): ([0-9.e+-]+)", out) or re.findall(r"time: ([0-9.e+-]+)", out)
        infl = re.findall(r"Influence: ([0-9.e+-]+)", out)
        rr = re.findall(r"#RR sets: ([0-9]+)", out)
        secs = float(m[-1]) if m else wall
        note = f"spread {float(infl[-1]):.0f}, {rr[-1] if rr else '?'} RR sets, 1 thread" if infl else ""
        add(graph, f"influence {model}", tool, secs, mib, note)
        results[(tool, model)] = secs
        if tool == "SUBSIM" and model == "IC":
            seeds_dir = os.path.join(work, "result", "seed")
            for f in os.listdir(seeds_dir) if os.path.isdir(seeds_dir) else []:
                results["subsim_seed_file"] = os.path.join(seeds_dir, f)
    return results


def main():
    python = os.environ.get("KITH_BENCH_PYTHON", sys.executable)
    for graph, path in graphs:
        rounds = ROUNDS if os.path.getsize(path) <= LARGE_FILE_BYTES else 1
        for _ in range(rounds):
            run_tools(graph, path, python)
        if "refs" not in skip:
            reference_im(graph, path, dense_path(graph))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print_table()


def run_tools(graph, path, python):
    """One run of every tool on one graph."""
    dense = dense_path(graph)
    # kith
    warm(path)
    r = kith_graph(graph, path, "read", ["export", "--output", dense, "--header"])
    if r:
        add(graph, "read", "kith", r[0]["seconds"]["load"], r[1], f"{r[0]['graph']['nodes']} nodes, {r[0]['graph']['edges']} edges")
    steps = [
        ("pagerank20", ["pagerank", "--tolerance", "0", "--max-iterations", "20"]),
        ("pagerank", ["pagerank", "--l1-tolerance", "1e-6", "--max-iterations", "10000"]),
        ("kcore", ["kcore"]),
        ("components", ["components"]),
        ("leiden", ["communities", "--output", os.path.join(out_dir, graph + ".kith-communities.txt")]),
        ("louvain", ["communities", "--algorithm", "louvain"]),
        ("influence IC", ["influence", "-k", "50", "--epsilon", "0.1", "--model", "ic"]),
        ("influence LT", ["influence", "-k", "50", "--epsilon", "0.1", "--model", "lt"]),
    ]
    for step, args in steps:
        if step in skip:
            continue
        r = kith_graph(graph, path, step, args)
        if not r:
            continue
        rep, mib = r
        note = ""
        if "modularity" in rep:
            note = f"modularity {rep['modularity']:.4f}"
        if "iterations" in rep and "pagerank" in step:
            note = f"{rep['iterations']} iterations"
        if "spread" in rep:
            note = f"spread {rep['spread']:.0f} (lower {rep['spread_lower']:.0f}), {rep['rr_sets']} RR sets, approx {rep['approximation']:.3f}, {threads} threads"
            if step == "influence IC":
                with open(os.path.join(out_dir, graph + ".kith-ic-seeds.txt"), "w") as f:
                    f.write("\n".join(str(s["node"]) for s in rep["seeds"]) + "\n")
        if "undirected" in rep["seconds"]:
            # NetworKit and igraph are handed their undirected graph outside
            # the clock; kith's is timed apart too, and shown here.
            built = f"undirected graph built in {rep['seconds']['undirected']:.3f} s, not in the time"
            note = f"{note}, {built}" if note else built
        add(graph, step, "kith", rep["seconds"]["compute"], mib, note)
    all_steps = wanted(["read", "pagerank20", "pagerank", "kcore", "components", "louvain", "leiden"])
    # On large files NetworKit's and igraph's readers of arbitrary ids
    # (a hash map or names per node) take from 10 minutes to over half an
    # hour: give them kith's export with ids 0..n-1 and their fast
    # readers instead, which favours them (kith still reads the original).
    lib_path, mode = path, "ncol"
    if os.path.getsize(path) > LARGE_FILE_BYTES and os.path.exists(dense):
        lib_path, mode = os.path.join(out_dir, graph + ".plain.txt"), "dense"
        if not os.path.exists(lib_path):
            with open(dense) as src, open(lib_path, "w") as dst:
                src.readline()  # the "nodes edges" header line
                for chunk in iter(lambda: src.read(1 << 24), ""):
                    dst.write(chunk)
    if "networkit" not in skip:
        warm(lib_path)
        python_lib(graph, "networkit", python, lib_path, all_steps, mode)
    if "igraph" not in skip:
        membership = os.path.join(out_dir, graph + ".kith-communities.txt")
        extra = [membership] if mode == "ncol" and os.path.exists(membership) else []
        warm(lib_path)
        python_lib(graph, "igraph", python, lib_path, all_steps, mode, *extra)
    if "networkx" not in skip and os.path.getsize(path) <= LARGE_FILE_BYTES:
        warm(path)
        python_lib(graph, "networkx", python, path, wanted(["read", "pagerank", "kcore", "components", "louvain"]))


def print_table():
    runs = {}
    for graph, step, tool, secs, mib, note in rows:
        runs.setdefault((graph, step), {}).setdefault(tool, []).append((secs, mib, note))
    by = {}
    for key, tools in runs.items():
        for tool, rs in tools.items():
            times = sorted(r[0] for r in rs if r[0] is not None)
            median = times[len(times) // 2] if times else None
            mib = max((r[1] for r in rs if r[1] is not None), default=None)
            by.setdefault(key, {})[tool] = (median, mib, rs[-1][2])
    print(f"Median of {ROUNDS} runs per tool on files up to {LARGE_FILE_BYTES / 1e6:.0f} MB, one run on larger files.\n")
    print(f"| graph | step | kith s | NetworKit s (ratio) | igraph s (ratio) | networkx s (ratio) | SUBSIM / OPIM-C s (ratio) | kith peak MiB | notes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (graph, step), tools in by.items():
        k = tools.get("kith", (None, None, ""))
        def cell(tool):
            if tool not in tools or tools[tool][0] is None:
                return "–"
            s = tools[tool][0]
            ratio = f" ({s / k[0]:.1f}x)" if k[0] else ""
            return f"{s:.3f}{ratio}, {tools[tool][1]:.0f} MiB"
        refs_cell = " / ".join(cell(t) for t in ["SUBSIM", "OPIM-C"] if t in tools) or "–"
        notes = "; ".join(f"{t}: {v[2]}" for t, v in tools.items() if v[2])
        ks = f"{k[0]:.3f}" if k[0] is not None else "–"
        km = f"{k[1]:.0f}" if k[1] else "–"
        print(f"| {graph} | {step} | {ks} | {cell('networkit')} | {cell('igraph')} | {cell('networkx')} | {refs_cell} | {km} | {notes} |")


if __name__ == "__main__":
    main()
