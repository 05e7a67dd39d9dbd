//! `kith`: the command-line face of kith. Thin by design: every command parses
//! its arguments, calls the crate that owns the work, and prints the result
//! (text for people, `--json` for machines).

mod cmd;
mod context;
mod progress;

use clap::{Parser, Subcommand};
use context::{Context, GlobalArgs};
use std::process::ExitCode;

// glibc's malloc took a fifth of `kith score`'s CPU on the 1M-account world
// (many small per-account vectors freed on other threads); mimalloc's
// thread-local free lists make those nearly free. Measured in docs/vetting.md.
// Built without transparent huge pages (`no_thp`: no madvise(MADV_HUGEPAGE)
// on its arenas): a fresh 2 MiB page is zeroed, and often compacted for,
// whole, and on the benchmark machine that put 1.8-2.8 s of system time
// into reading R-MAT scale 22 (load 2.4 s instead of 3.4-3.6 s without
// them, peak 0.93 GB instead of 1.05 GB, Louvain 12% faster; PageRank 5-10%
// and components 0.02 s slower, k-core mixed; docs/graph.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Find the micro-influencers your customers already trust, vet them, plan a
/// campaign, and track every click, signup and sale they bring.
#[derive(Parser)]
#[command(name = "kith", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a workspace: kith.toml, world/, kith.db.
    Init(cmd::init::Args),
    /// Import accounts, posts, follows, interactions, history or customers.
    Import(cmd::import::Args),
    /// What the world holds: counts, sizes, platforms, time ranges.
    Info(cmd::info::Args),
    /// Make a synthetic demo world and run kith's main job on it.
    Demo(cmd::demo::Args),
    /// Graph analytics: PageRank, k-core, communities, overlap, influence.
    Graph(cmd::graph::Args),
    /// The vetting report of one account.
    Inspect(cmd::inspect::Args),
    /// Vetting metrics of every account, to CSV or JSON Lines (optionally gzip).
    Score(cmd::score::Args),
    /// The expected engagement-rate curve by follower count.
    Curve(cmd::curve::Args),
    /// The ranked shortlist of accounts for a brief.
    Discover(cmd::discover::Args),
    /// Accounts like a given one: shared audience, topics, size.
    Lookalike(cmd::audience::LookalikeArgs),
    /// Audience overlap of two or more accounts: unique reach, shared, pairwise.
    Overlap(cmd::audience::OverlapArgs),
    /// The partners that spend a budget best, beside one macro post.
    Plan(cmd::plan::Args),
    /// The brand's customers ranked as advocates: reach and referral history.
    Advocates(cmd::advocates::Args),
    /// Evaluations of discovery on real and demo data.
    #[command(subcommand)]
    Eval(cmd::eval::Command),
    /// Train and evaluate the fake-account classifier.
    #[command(subcommand)]
    Authenticity(cmd::authenticity::Command),
    /// Referral and affiliate programs: partners, links, codes, reports.
    #[command(subcommand)]
    Program(cmd::program::Command),
    /// API keys for the HTTP API.
    #[command(subcommand)]
    Keys(cmd::keys::Command),
    /// Run the HTTP server: API, redirects, dashboard.
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    // Die quietly when the reader of stdout goes away (`kith ... | head`),
    // as Unix tools do, instead of panicking on a failed print.
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let ctx = Context::new(&cli.global);
    let result = match &cli.command {
        Command::Init(a) => cmd::init::run(a, &ctx),
        Command::Import(a) => cmd::import::run(a, &ctx),
        Command::Info(a) => cmd::info::run(a, &ctx),
        Command::Demo(a) => cmd::demo::run(a, &ctx),
        Command::Graph(a) => cmd::graph::run(a, &ctx),
        Command::Inspect(a) => cmd::inspect::run(a, &ctx),
        Command::Score(a) => cmd::score::run(a, &ctx),
        Command::Curve(a) => cmd::curve::run(a, &ctx),
        Command::Discover(a) => cmd::discover::run(a, &ctx),
        Command::Lookalike(a) => cmd::audience::run_lookalike(a, &ctx),
        Command::Overlap(a) => cmd::audience::run_overlap(a, &ctx),
        Command::Plan(a) => cmd::plan::run(a, &ctx),
        Command::Advocates(a) => cmd::advocates::run(a, &ctx),
        Command::Eval(c) => cmd::eval::run(c, &ctx),
        Command::Authenticity(c) => cmd::authenticity::run(c, &ctx),
        Command::Program(c) => cmd::program::run(c, &ctx),
        Command::Keys(c) => cmd::keys::run(c, &ctx),
        Command::Serve(a) => cmd::serve::run(a, &ctx),
    };
    match result {
        Ok(code) => code,
        Err(err) => ctx.report_error(&err),
    }
}
