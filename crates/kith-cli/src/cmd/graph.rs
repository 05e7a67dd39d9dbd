//! `kith graph`: graph analytics on the workspace's follow graph or on any
//! SNAP edge list (`--edges FILE`): PageRank, personalized PageRank, k-core,
//! components, communities, audience overlap, influence maximization, and
//! the R-MAT generator. Every result carries the seconds it took to load
//! the graph and to compute, so benchmarks can use this command as is.

use crate::context::{CliError, Context, exit};
use kith_graph::influence::{DiffusionModel, EdgeProbability};
use kith_graph::{
    CommunityAlgorithm, CommunityOptions, Csr, GraphError, IdMap, InfluenceOptions,
    PageRankOptions, PushOptions, RmatParams, SketchOptions,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: GraphCommand,
    /// Read this SNAP edge list (`.gz` allowed) instead of the workspace's follow graph.
    #[arg(long, global = true, value_name = "FILE")]
    edges: Option<PathBuf>,
    /// How many top results to show.
    #[arg(long, global = true, default_value_t = 20)]
    top: usize,
}

#[derive(clap::Subcommand)]
enum GraphCommand {
    /// PageRank (networkx's definition: dangling nodes jump uniformly).
    Pagerank(RankArgs),
    /// Personalized PageRank from seed accounts.
    Ppr {
        #[command(flatten)]
        rank: RankArgs,
        /// Seed accounts (node ids with --edges, else platform:handle).
        #[arg(long = "seed", value_name = "NODE", required = true, num_args = 1..)]
        seeds: Vec<String>,
        /// power: exact power iteration; push: local forward push with an error bound.
        #[arg(long, default_value = "power", value_parser = ["power", "push"])]
        method: String,
        /// Push residual threshold per out-edge (push method).
        #[arg(long, default_value_t = 1e-7)]
        push_epsilon: f64,
    },
    /// k-core numbers of the undirected simple graph.
    Kcore,
    /// Weakly connected components.
    Components,
    /// Communities by modularity (Leiden or Louvain).
    Communities {
        /// Leiden refines each community so that every one is connected;
        /// Louvain (Blondel et al.) skips that step.
        #[arg(long, default_value = "leiden", value_parser = ["leiden", "louvain"])]
        algorithm: String,
        /// γ in modularity Σ_c [w_in(c)/2m − γ (K_c/2m)²]: above 1 gives more,
        /// smaller communities, below 1 fewer, larger ones.
        #[arg(long, default_value_t = 1.0)]
        resolution: f64,
        /// Random seed; the same seed gives the same communities.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// At most this many passes over the graph, each starting from the
        /// last result; stops early once a pass adds less than --min-gain
        /// to the modularity.
        #[arg(long, default_value_t = CommunityOptions::default().max_iterations)]
        iterations: usize,
        /// Stop once a pass raises the modularity by less than this.
        #[arg(long, default_value_t = CommunityOptions::default().min_gain)]
        min_gain: f64,
        /// Write `node<TAB>community` lines to this file.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Audience (follower) overlap of accounts: exact, or by sketches.
    Overlap {
        /// Accounts (node ids with --edges, else platform:handle).
        #[arg(required = true, num_args = 1..)]
        accounts: Vec<String>,
        /// Estimate with HyperLogLog and MinHash sketches instead of exactly.
        #[arg(long)]
        sketch: bool,
        #[arg(long, default_value_t = kith_graph::HyperLogLog::DEFAULT_PRECISION)]
        hll_precision: u8,
        #[arg(long, default_value_t = kith_graph::MinHash::DEFAULT_SIZE)]
        minhash_size: usize,
    },
    /// Influence maximization by RR sets (OPIM-C), optionally under a budget.
    Influence(InfluenceArgs),
    /// Write the graph with dense node ids 0..n as `src dst` lines (repeated
    /// edges merged), for tools that need dense ids.
    Export {
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
        /// Start with an `n m` line (the format of SUBSIM and OPIM-C).
        #[arg(long)]
        header: bool,
    },
    /// Write an R-MAT (Graph500 Kronecker) graph as a SNAP edge list.
    Generate {
        /// log2 of the node count.
        #[arg(long, default_value_t = 16)]
        scale: u32,
        #[arg(long, default_value_t = 16)]
        edge_factor: u32,
        #[arg(long, default_value_t = 0.57)]
        a: f64,
        #[arg(long, default_value_t = 0.19)]
        b: f64,
        #[arg(long, default_value_t = 0.19)]
        c: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(clap::Args)]
struct RankArgs {
    /// Probability of following an edge (damping).
    #[arg(long, default_value_t = 0.85)]
    alpha: f64,
    /// Stop when the L1 change of a step is below n * tolerance (0: run all iterations).
    #[arg(long, default_value_t = 1e-6)]
    tolerance: f64,
    /// Stop when the L1 change of a step is below this (overrides --tolerance).
    #[arg(long, value_name = "L1")]
    l1_tolerance: Option<f64>,
    #[arg(long, default_value_t = 100)]
    max_iterations: usize,
}

#[derive(clap::Args)]
struct InfluenceArgs {
    /// Seeds to choose.
    #[arg(long, short, default_value_t = 50)]
    k: usize,
    /// Target a (1 - 1/e - epsilon)-approximation.
    #[arg(long, default_value_t = 0.1)]
    epsilon: f64,
    /// Failure probability [default: 1/n].
    #[arg(long)]
    delta: Option<f64>,
    /// ic (Independent Cascade) or lt (Linear Threshold).
    #[arg(long, default_value = "ic", value_parser = ["ic", "lt"])]
    model: String,
    /// Uniform edge probability instead of weighted cascade (1/in-degree).
    #[arg(long, value_name = "P")]
    probability: Option<f64>,
    /// Budget for the budgeted variant (needs --costs).
    #[arg(long, requires = "costs")]
    budget: Option<f64>,
    /// `node<TAB>cost` lines; nodes not listed cannot be chosen.
    #[arg(long, value_name = "FILE", requires = "budget")]
    costs: Option<PathBuf>,
    /// Also estimate the seeds' spread by this many Monte Carlo runs.
    #[arg(long, default_value_t = 0)]
    mc_runs: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// The graph analysed, with a way to name its nodes.
enum Source {
    Snap { out: Csr, inn: Csr, ids: IdMap },
    World(Box<kith_store::World>),
}

impl Source {
    fn out(&self) -> &Csr {
        match self {
            Source::Snap { out, .. } => out,
            Source::World(w) => w.follows_out(),
        }
    }
    fn inn(&self) -> &Csr {
        match self {
            Source::Snap { inn, .. } => inn,
            Source::World(w) => w.follows_in(),
        }
    }
    /// Frees the edges of a graph read from a file once only its node
    /// names are needed.
    fn release_edges(&mut self) {
        if let Source::Snap { out, inn, .. } = self {
            *out = Csr::empty(out.num_nodes());
            *inn = Csr::empty(inn.num_nodes());
        }
    }
    /// How reports name node `v`: its id in the edge list (a number), or
    /// `platform:handle`.
    fn name(&self, v: u32) -> Value {
        match self {
            Source::Snap { ids, .. } => json!(ids.original(v).unwrap_or(u64::MAX)),
            Source::World(_) => json!(self.label(v)),
        }
    }
    /// The same name as plain text, for files.
    fn label(&self, v: u32) -> String {
        match self {
            Source::Snap { ids, .. } => ids.original(v).unwrap_or(u64::MAX).to_string(),
            Source::World(w) => format!("{}:{}", w.platform(v), w.handle(v)),
        }
    }
    fn resolve(&self, spec: &str) -> anyhow::Result<u32> {
        match self {
            Source::Snap { ids, .. } => spec
                .parse::<u64>()
                .ok()
                .and_then(|id| ids.dense(id))
                .ok_or_else(|| {
                    CliError::error(
                        exit::NO_INPUT,
                        format!("node {spec} is not in the edge list"),
                    )
                }),
            Source::World(w) => w
                .resolve(spec)
                .map_err(|e| CliError::error(exit::NO_INPUT, e.to_string())),
        }
    }
}

fn graph_error(err: GraphError) -> anyhow::Error {
    let code = match &err {
        GraphError::Io { path, .. } if !path.exists() => exit::NO_INPUT,
        GraphError::Io { .. } => exit::IO,
        GraphError::CorruptCsr { .. } | GraphError::EdgeList { .. } => exit::DATA,
        GraphError::InvalidInput(_) => exit::USAGE,
    };
    CliError::error(code, err.to_string())
}

fn load(args: &Args, ctx: &Context) -> anyhow::Result<Source> {
    match &args.edges {
        Some(path) => {
            let g = kith_graph::read_snap(path).map_err(graph_error)?;
            let inn = g.out.transpose();
            note(
                ctx,
                &format!(
                    "read {} nodes, {} edges from {}",
                    g.out.num_nodes(),
                    g.out.num_edges(),
                    path.display()
                ),
            );
            Ok(Source::Snap {
                out: g.out,
                inn,
                ids: g.ids,
            })
        }
        None => {
            let ws = kith_store::Workspace::open(&ctx.workspace_dir)
                .map_err(|e| CliError::error(exit::NO_INPUT, e.to_string()))?;
            let world = ws
                .world()
                .map_err(|e| CliError::error(exit::IO, e.to_string()))?;
            Ok(Source::World(Box::new(world)))
        }
    }
}

fn note(ctx: &Context, message: &str) {
    if !ctx.quiet && !ctx.json {
        eprintln!("{message}");
    }
}

/// Runs the command on a rayon pool's worker thread rather than on the
/// main thread. Called from outside the pool, every parallel loop of the
/// algorithms hands its work to the pool and blocks the caller until it is
/// done (a context switch each, hundreds in a community detection run);
/// from a worker, the loop runs on that thread and the others join in.
/// The pool honours `RAYON_NUM_THREADS` as the global one would.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    match rayon::ThreadPoolBuilder::new().build() {
        Ok(pool) => pool.install(|| run_here(args, ctx)),
        Err(_) => run_here(args, ctx),
    }
}

fn run_here(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    if let GraphCommand::Generate {
        scale,
        edge_factor,
        a,
        b,
        c,
        seed,
        output,
    } = &args.command
    {
        let params = RmatParams {
            scale: *scale,
            edge_factor: *edge_factor,
            a: *a,
            b: *b,
            c: *c,
            seed: *seed,
        };
        let t = Instant::now();
        let edges = kith_graph::write_rmat_snap(&params, output).map_err(graph_error)?;
        let report = json!({
            "command": "generate", "file": output, "nodes": params.num_nodes(), "edge_lines": edges,
            "parameters": {"scale": scale, "edge_factor": edge_factor, "a": a, "b": b, "c": c, "seed": seed},
            "seconds": {"compute": t.elapsed().as_secs_f64()},
        });
        return print(ctx, report, |r| {
            format!(
                "wrote {} edge lines over {} nodes to {}",
                r["edge_lines"],
                r["nodes"],
                output.display()
            )
        });
    }
    let t = Instant::now();
    let mut source = load(args, ctx)?;
    let load_seconds = t.elapsed().as_secs_f64();
    let graph_size = json!({"nodes": source.out().num_nodes(), "edges": source.out().num_edges()});
    let t = Instant::now();
    let Computed {
        mut report,
        undirected_seconds,
        membership_file,
    } = compute(args, ctx, &mut source)?;
    let mut seconds = json!({
        "load": load_seconds,
        "compute": t.elapsed().as_secs_f64() - undirected_seconds.unwrap_or(0.0),
    });
    if let Some(built) = undirected_seconds {
        seconds["undirected"] = json!(built);
    }
    // files are written once the compute clock has stopped, as the other
    // tools' times stop before any file is written
    if let Some((path, membership)) = membership_file {
        let t = Instant::now();
        write_membership(&source, &path, &membership)?;
        seconds["write"] = json!(t.elapsed().as_secs_f64());
    }
    report["seconds"] = seconds;
    report["graph"] = graph_size;
    print(ctx, report, text_report)
}

fn print(
    ctx: &Context,
    report: Value,
    text: impl Fn(&Value) -> String,
) -> anyhow::Result<ExitCode> {
    if ctx.json {
        println!("{report}");
    } else {
        println!("{}", text(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// The `top` nodes by a score, as JSON rows.
fn top_rows<T: Copy + PartialOrd + Into<f64>>(
    source: &Source,
    scores: &[T],
    top: usize,
) -> Vec<Value> {
    let mut order: Vec<u32> = (0..scores.len() as u32).collect();
    let key = |v: u32| -> f64 { scores[v as usize].into() };
    let top = top.min(order.len());
    if top == 0 {
        return Vec::new();
    }
    order.select_nth_unstable_by(top - 1, |&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    order.truncate(top);
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    order
        .iter()
        .map(|&v| json!({"node": source.name(v), "score": key(v)}))
        .collect()
}

fn rank_options(r: &RankArgs, n: usize) -> PageRankOptions {
    let tolerance = r
        .l1_tolerance
        .map_or(r.tolerance, |l1| l1 / n.max(1) as f64);
    PageRankOptions {
        alpha: r.alpha,
        tolerance,
        max_iterations: r.max_iterations,
    }
}

/// What `compute` hands back: the report, and what `seconds.compute` must
/// leave out so that it is the algorithm alone, as other tools time theirs
/// on an undirected graph they were handed and before writing any file.
struct Computed {
    report: Value,
    /// Seconds spent building the undirected simple graph (k-core,
    /// communities), reported as `seconds.undirected`.
    undirected_seconds: Option<f64>,
    /// `communities --output`: the file to write once the clock has
    /// stopped, and each node's community.
    membership_file: Option<(PathBuf, Vec<u32>)>,
}

/// The undirected simple graph that k-core and communities run on, its
/// build timed into `seconds`.
fn undirected(source: &Source, seconds: &mut Option<f64>) -> anyhow::Result<Csr> {
    let t = Instant::now();
    let und = source
        .out()
        .symmetrize_simple_with(source.inn())
        .map_err(graph_error)?;
    *seconds = Some(t.elapsed().as_secs_f64());
    Ok(und)
}

/// `node<TAB>community` lines, one per node.
fn write_membership(source: &Source, path: &Path, membership: &[u32]) -> anyhow::Result<()> {
    use std::io::Write;
    let io_error =
        |e: std::io::Error| CliError::error(exit::IO, format!("{}: {e}", path.display()));
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io_error)?);
    for (v, &m) in membership.iter().enumerate() {
        writeln!(file, "{}\t{m}", source.label(v as u32)).map_err(io_error)?;
    }
    file.flush().map_err(io_error)?;
    Ok(())
}

/// Runs the command.
fn compute(args: &Args, ctx: &Context, source: &mut Source) -> anyhow::Result<Computed> {
    let (out, inn) = (source.out(), source.inn());
    let mut undirected_seconds = None;
    let mut membership_file = None;
    let report = match &args.command {
        GraphCommand::Pagerank(r) => {
            let result = kith_graph::pagerank(out, inn, &rank_options(r, out.num_nodes()))
                .map_err(graph_error)?;
            json!({
                "command": "pagerank", "alpha": r.alpha, "iterations": result.iterations,
                "converged": result.converged, "last_change_l1": result.last_change,
                "top": top_rows(source, &result.scores, args.top),
            })
        }
        GraphCommand::Ppr {
            rank,
            seeds,
            method,
            push_epsilon,
        } => {
            let seeds: Vec<(u32, f64)> = seeds
                .iter()
                .map(|s| source.resolve(s).map(|v| (v, 1.0)))
                .collect::<anyhow::Result<_>>()?;
            if method == "push" {
                let opts = PushOptions {
                    alpha: rank.alpha,
                    epsilon: *push_epsilon,
                    ..PushOptions::default()
                };
                let result = kith_graph::ppr_push(out, &seeds, &opts).map_err(graph_error)?;
                let mut dense = vec![0.0f64; out.num_nodes()];
                result
                    .estimates
                    .iter()
                    .for_each(|&(v, e)| dense[v as usize] = e);
                json!({
                    "command": "ppr", "method": "push", "alpha": rank.alpha, "pushes": result.pushes,
                    "l1_error_bound": result.l1_error, "nodes_touched": result.estimates.len(),
                    "error_note": "every score is a lower bound; the exact scores exceed them by l1_error_bound in total",
                    "top": top_rows(source, &dense, args.top),
                })
            } else {
                let result = kith_graph::personalized_pagerank(
                    out,
                    inn,
                    &seeds,
                    &rank_options(rank, out.num_nodes()),
                )
                .map_err(graph_error)?;
                json!({
                    "command": "ppr", "method": "power", "alpha": rank.alpha, "iterations": result.iterations,
                    "converged": result.converged, "last_change_l1": result.last_change,
                    "top": top_rows(source, &result.scores, args.top),
                })
            }
        }
        GraphCommand::Kcore => {
            let cores = kith_graph::core_numbers(&undirected(source, &mut undirected_seconds)?);
            let max = cores.iter().copied().max().unwrap_or(0);
            let in_max = cores.iter().filter(|&&c| c == max).count();
            json!({
                "command": "kcore", "definition": "core numbers of the undirected simple graph",
                "max_core": max, "nodes_in_max_core": in_max, "top": top_rows(source, &cores, args.top),
            })
        }
        GraphCommand::Components => {
            let comps =
                kith_graph::weakly_connected_components_with(out, inn).map_err(graph_error)?;
            let mut sizes: Vec<(u64, u32)> = comps
                .sizes
                .iter()
                .enumerate()
                .map(|(i, &s)| (s, i as u32))
                .collect();
            sizes.sort_by(|a, b| b.cmp(a));
            // name each component by its smallest node
            let mut first = vec![u32::MAX; comps.count()];
            for (v, &c) in comps.component.iter().enumerate().rev() {
                first[c as usize] = v as u32;
            }
            let largest: Vec<Value> = sizes
                .iter()
                .take(args.top)
                .map(|&(s, c)| json!({"size": s, "smallest_node": source.name(first[c as usize])}))
                .collect();
            json!({"command": "components", "kind": "weak", "count": comps.count(), "largest": largest})
        }
        GraphCommand::Communities {
            algorithm,
            resolution,
            seed,
            iterations,
            min_gain,
            output,
        } => {
            let algo = if algorithm == "louvain" {
                CommunityAlgorithm::Louvain
            } else {
                CommunityAlgorithm::Leiden
            };
            let opts = CommunityOptions {
                resolution: *resolution,
                seed: *seed,
                max_iterations: *iterations,
                min_gain: *min_gain,
                ..CommunityOptions::new(algo)
            };
            let und = undirected(source, &mut undirected_seconds)?;
            source.release_edges();
            let c = kith_graph::detect_communities_owned(und, &opts).map_err(graph_error)?;
            note(ctx, &format!("{} communities", c.count()));
            let sizes: Vec<u64> = c.sizes.iter().take(args.top).copied().collect();
            let report = json!({
                "command": "communities", "algorithm": algorithm, "resolution": resolution, "seed": seed,
                "modularity": c.modularity, "count": c.count(), "passes": c.iterations, "largest_sizes": sizes,
            });
            membership_file = output.clone().map(|path| (path, c.membership));
            report
        }
        GraphCommand::Overlap {
            accounts,
            sketch,
            hll_precision,
            minhash_size,
        } => {
            let nodes: Vec<u32> = accounts
                .iter()
                .map(|a| source.resolve(a))
                .collect::<anyhow::Result<_>>()?;
            let audiences: Vec<&[u32]> = nodes.iter().map(|&v| inn.neighbors(v)).collect();
            let names: Vec<Value> = nodes.iter().map(|&v| source.name(v)).collect();
            let pair_json = |p: &kith_graph::overlap::PairOverlap| json!({"a": names[p.a], "b": names[p.b], "intersection": p.intersection, "overlap": p.overlap, "jaccard": p.jaccard});
            if *sketch {
                let r = kith_graph::sketch_overlap(
                    &audiences,
                    &SketchOptions {
                        hll_precision: *hll_precision,
                        minhash_size: *minhash_size,
                    },
                );
                json!({
                    "command": "overlap", "method": "sketch", "accounts": names, "audience_sizes": r.sizes,
                    "total": r.total, "unique": r.unique, "unique_relative_std_error": r.unique_relative_std_error,
                    "expected_frequency": r.expected_frequency, "jaccard_std_error": r.jaccard_std_error,
                    "pairwise": r.pairwise.iter().map(pair_json).collect::<Vec<_>>(),
                })
            } else {
                let r = kith_graph::exact_overlap(&audiences);
                json!({
                    "command": "overlap", "method": "exact", "accounts": names, "audience_sizes": r.sizes,
                    "total": r.total, "unique": r.unique, "shared": r.shared, "exclusive": r.exclusive,
                    "expected_frequency": r.expected_frequency,
                    "pairwise": r.pairwise.iter().map(pair_json).collect::<Vec<_>>(),
                })
            }
        }
        GraphCommand::Influence(a) => influence(a, source)?,
        GraphCommand::Export { output, header } => {
            export(out, output, *header)?;
            json!({"command": "export", "file": output})
        }
        GraphCommand::Generate { .. } => json!({}),
    };
    Ok(Computed {
        report,
        undirected_seconds,
        membership_file,
    })
}

fn influence(a: &InfluenceArgs, source: &Source) -> anyhow::Result<Value> {
    let (out, inn) = (source.out(), source.inn());
    let probability = match a.probability {
        Some(p) => EdgeProbability::Uniform(p),
        None => EdgeProbability::WeightedCascade,
    };
    let model = if a.model == "lt" {
        DiffusionModel::LinearThreshold(probability)
    } else {
        DiffusionModel::IndependentCascade(probability)
    };
    let opts = InfluenceOptions {
        model,
        k: a.k,
        epsilon: a.epsilon,
        delta: a.delta,
        seed: a.seed,
    };
    let result = match (&a.budget, &a.costs) {
        (Some(budget), Some(path)) => {
            let costs = read_costs(path, source)?;
            kith_graph::maximize_influence_budgeted(inn, &costs, *budget, &opts)
                .map_err(graph_error)?
        }
        _ => kith_graph::maximize_influence(inn, &opts).map_err(graph_error)?,
    };
    let seeds: Vec<Value> = result
        .seeds
        .iter()
        .enumerate()
        .map(|(i, &v)| json!({"node": source.name(v), "marginal_spread": result.marginal_spread.get(i)}))
        .collect();
    let mut report = json!({
        "command": "influence", "model": model.name(), "k": a.k, "epsilon": a.epsilon, "delta": result.delta,
        "budget": a.budget, "cost": result.cost, "single_node_won": result.single_node_won,
        "spread": result.spread, "spread_lower": result.spread_lower, "spread_upper": result.spread_upper,
        "optimum_upper": result.optimum_upper, "approximation": result.approximation,
        "rr_sets": result.rr_sets, "rr_entries": result.rr_entries, "rounds": result.rounds, "seeds": seeds,
    });
    if a.mc_runs > 0 {
        let mc = kith_graph::monte_carlo_spread(out, inn, model, &result.seeds, a.mc_runs, a.seed)
            .map_err(graph_error)?;
        report["monte_carlo"] = json!({"runs": mc.runs, "mean": mc.mean, "std_error": mc.std_error, "ci95": [mc.ci95.0, mc.ci95.1]});
    }
    Ok(report)
}

fn export(out: &Csr, path: &PathBuf, header: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let io = |e: std::io::Error| CliError::error(exit::IO, format!("{}: {e}", path.display()));
    let mut w =
        std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(path).map_err(io)?);
    if header {
        writeln!(w, "{} {}", out.num_nodes(), out.num_edges()).map_err(io)?;
    }
    for (u, v) in out.edges() {
        writeln!(w, "{u} {v}").map_err(io)?;
    }
    w.flush().map_err(io)
}

/// Costs per node from `node<TAB>cost` lines; unlisted nodes get an
/// infinite-like cost so they are never affordable.
fn read_costs(path: &PathBuf, source: &Source) -> anyhow::Result<Vec<f64>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::error(exit::NO_INPUT, format!("{}: {e}", path.display())))?;
    let mut costs = vec![f64::MAX; source.out().num_nodes()];
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| {
            CliError::error(exit::DATA, format!("{}:{}: {what}", path.display(), i + 1))
        };
        let (node, cost) = line
            .split_once(|c: char| c.is_whitespace() || c == ',')
            .ok_or_else(|| bad("expected: node cost"))?;
        let cost: f64 = cost
            .trim()
            .parse()
            .map_err(|_| bad("cost is not a number"))?;
        if !(cost.is_finite() && cost > 0.0) {
            return Err(bad("cost must be a positive number"));
        }
        costs[source.resolve(node.trim())? as usize] = cost;
    }
    Ok(costs)
}

/// Plain-text rendering of a report.
fn text_report(r: &Value) -> String {
    let mut s = String::new();
    let secs = &r["seconds"];
    let graph = &r["graph"];
    let undirected = secs["undirected"]
        .as_f64()
        .map(|u| format!(", undirected graph {u:.2}s"))
        .unwrap_or_default();
    let write = secs["write"]
        .as_f64()
        .map(|w| format!(", write {w:.2}s"))
        .unwrap_or_default();
    let head = format!(
        "{} on {} nodes, {} edges (load {:.2}s{undirected}, compute {:.2}s{write})\n",
        r["command"].as_str().unwrap_or(""),
        graph["nodes"],
        graph["edges"],
        secs["load"].as_f64().unwrap_or(0.0),
        secs["compute"].as_f64().unwrap_or(0.0)
    );
    s.push_str(&head);
    let field = |k: &str| {
        r.get(k)
            .filter(|v| !v.is_null())
            .map(|v| format!("{k}: {v}\n"))
    };
    for k in [
        "method",
        "model",
        "iterations",
        "converged",
        "l1_error_bound",
        "error_note",
        "definition",
        "max_core",
        "nodes_in_max_core",
        "count",
        "modularity",
        "algorithm",
        "passes",
        "largest_sizes",
        "total",
        "unique",
        "unique_relative_std_error",
        "shared",
        "exclusive",
        "expected_frequency",
        "jaccard_std_error",
        "spread",
        "spread_lower",
        "spread_upper",
        "optimum_upper",
        "approximation",
        "cost",
        "rr_sets",
        "rounds",
    ] {
        if let Some(line) = field(k) {
            s.push_str(&line);
        }
    }
    if let Some(mc) = r.get("monte_carlo") {
        s.push_str(&format!(
            "monte carlo: {:.1} ± {:.1} over {} runs\n",
            mc["mean"].as_f64().unwrap_or(0.0),
            mc["std_error"].as_f64().unwrap_or(0.0),
            mc["runs"]
        ));
    }
    for (list, label) in [
        ("top", "score"),
        ("seeds", "marginal_spread"),
        ("largest", "size"),
    ] {
        if let Some(rows) = r.get(list).and_then(Value::as_array) {
            s.push_str(&format!("{:>5}  {:<24} {}\n", "rank", "node", label));
            for (i, row) in rows.iter().enumerate() {
                let node = row
                    .get("node")
                    .or_else(|| row.get("smallest_node"))
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                s.push_str(&format!(
                    "{:>5}  {:<24} {}\n",
                    i + 1,
                    node.trim_matches('"'),
                    row[label]
                ));
            }
        }
    }
    if let Some(pairs) = r.get("pairwise").and_then(Value::as_array) {
        for p in pairs {
            s.push_str(&format!(
                "{} & {}: intersection {:.0}, overlap {:.3}, jaccard {:.3}\n",
                p["a"],
                p["b"],
                p["intersection"].as_f64().unwrap_or(0.0),
                p["overlap"].as_f64().unwrap_or(0.0),
                p["jaccard"].as_f64().unwrap_or(0.0)
            ));
        }
    }
    s.trim_end().to_string()
}
