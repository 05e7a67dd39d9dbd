//! `kith demo [DIR]`: a synthetic world with planted truths, imported into a
//! workspace, and kith's main job run on it.

use crate::context::{CliError, Context, exit, store_error};
use crate::progress::spinner;
use kith_demo::{DemoOptions, DemoWorld};
use kith_store::{CommitSummary, Workspace};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The file in a demo workspace that holds what was planted.
pub const TRUTH_FILE: &str = "demo-truth.json";
/// The demo brand's brief, in the brief format.
pub const BRIEF_FILE: &str = "brief.toml";

#[derive(clap::Args)]
#[command(
    after_help = "The demo world is deterministic for a seed: a follow graph with niche communities, \
posts whose engagement falls with audience size, fake followers, bought-follower spikes, engagement pods, \
over-sponsored accounts, and a brand with customers. What was planted is written to DIR/demo-truth.json so \
results can be checked; docs/demo.md describes it all."
)]
pub struct Args {
    /// Directory for the demo workspace; an earlier demo there is replaced.
    #[arg(default_value = "kith-demo")]
    pub dir: PathBuf,
    /// Number of accounts in the world.
    #[arg(long, default_value_t = DemoOptions::default().accounts)]
    pub accounts: usize,
    /// Random seed: the same seed makes the same world.
    #[arg(long, default_value_t = DemoOptions::default().seed)]
    pub seed: u64,
    /// The world's shape: `demo` (realistic: half of ordinary users
    /// private, about 4 posts each) or `benchmark` (every ordinary user
    /// public with about 12 posts, the shape of bench/vetting).
    #[arg(long, value_enum, default_value_t = Shape::Demo)]
    pub shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    Demo,
    Benchmark,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    prepare_dir(&args.dir)?;
    let ws = Workspace::init(&args.dir).map_err(store_error)?;
    kith_track::init_sqlite(&ws.db_path())
        .map_err(|e| CliError::error(exit::IO, format!("{}: {e}", ws.db_path().display())))?;

    let opts = DemoOptions {
        accounts: args.accounts,
        seed: args.seed,
        ..DemoOptions::default()
    };
    if opts.accounts < kith_demo::MIN_ACCOUNTS {
        return Err(CliError::error(
            exit::USAGE,
            format!(
                "--accounts must be at least {} for a demo world",
                kith_demo::MIN_ACCOUNTS
            ),
        ));
    }
    let bar = spinner(
        ctx,
        &format!("generating a world of {} accounts", opts.accounts),
    );
    let shape = match args.shape {
        Shape::Demo => kith_demo::WorldShape::default(),
        Shape::Benchmark => kith_demo::WorldShape::benchmark(),
    };
    let world = kith_demo::generate_with(&opts, &shape);
    let generated = started.elapsed();
    bar.set_message("importing it");
    let summary = import(&ws, &world, &mut |stage| {
        bar.set_message(format!("importing: {stage}"))
    })?;
    bar.finish_and_clear();
    write_file(
        &args.dir.join(TRUTH_FILE),
        &serde_json::to_string_pretty(&world.truth)?,
    )?;
    write_file(&args.dir.join(BRIEF_FILE), &world.brief_toml)?;
    let referrals =
        crate::cmd::demo_referrals::write(&ws.db_path(), &world.referrals, ws.settings())?;
    let imported = started.elapsed();

    let report = crate::cmd::demo_report::main_job(&ws, &world)?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({
                "workspace": args.dir,
                "seed": args.seed,
                "world": summary.manifest.counts,
                "seconds": { "generate": generated.as_secs_f64(), "generate_and_import": imported.as_secs_f64(), "total": started.elapsed().as_secs_f64() },
                "truth_file": args.dir.join(TRUTH_FILE),
                "brief_file": args.dir.join(BRIEF_FILE),
                "referral_program": referrals,
                "main_job": report,
            })
        );
    } else {
        let c = &summary.manifest.counts;
        println!(
            "{} a demo world in {} (seed {}): {} accounts, {} follows, {} posts, {} interactions, {} history points, {} customers.",
            ctx.bold("Made"),
            args.dir.display(),
            args.seed,
            c.accounts,
            c.follows,
            c.posts,
            c.interactions,
            c.history_points,
            c.customers
        );
        println!(
            "Its referral program in kith.db: {} customers referring, {} clicks, {} signups, {} sales, {} commission rejected as fraud.",
            referrals.partners,
            referrals.clicks,
            referrals.leads,
            referrals.sales,
            referrals.rejected_as_fraud
        );
        println!(
            "Generated in {:.1} s, imported in {:.1} s. Planted truths: {}; the brand's brief: {}.",
            generated.as_secs_f64(),
            (imported - generated).as_secs_f64(),
            args.dir.join(TRUTH_FILE).display(),
            args.dir.join(BRIEF_FILE).display()
        );
        println!();
        crate::cmd::demo_report::print(&report, ctx);
        println!();
        let d = args.dir.display();
        println!("Next:");
        println!(
            "  kith -w {d} discover --brief {d}/{BRIEF_FILE}         # the whole shortlist, every term explained"
        );
        println!("  kith -w {d} plan --brief {d}/{BRIEF_FILE} --html plan.html");
        println!(
            "  kith -w {d} advocates --brief {d}/{BRIEF_FILE}       # customers by reach and referrals"
        );
        println!(
            "  kith -w {d} program report --program \"{}\"",
            world.referrals.name
        );
        println!(
            "  kith -w {d} inspect {}",
            report
                .shortlist
                .rows
                .first()
                .map_or("HANDLE", |r| r.account.as_str())
        );
        println!(
            "  kith -w {d} eval demo                                  # the shortlist against the planted truths"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses to replace a directory that holds anything but an earlier demo.
fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let is_empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if is_empty {
        return Ok(());
    }
    if dir.join(TRUTH_FILE).exists() && dir.join(kith_store::SETTINGS_FILE).exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| CliError::error(exit::IO, format!("{}: {e}", dir.display())))?;
        return Ok(());
    }
    Err(CliError::error(
        exit::CANT_CREATE,
        format!(
            "{} exists and is not an earlier kith demo; name another directory: kith demo DIR",
            dir.display()
        ),
    ))
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)
        .map_err(|e| CliError::error(exit::IO, format!("{}: {e}", path.display())))
}

/// Imports a generated world in one commit.
pub fn import(
    ws: &Workspace,
    world: &DemoWorld,
    stage: &mut dyn FnMut(&str),
) -> anyhow::Result<CommitSummary> {
    let mut imp = ws.begin_import().map_err(store_error)?;
    let ids = imp
        .add_accounts(world.accounts.clone())
        .map_err(store_error)?;
    let edges = world
        .follows
        .iter()
        .map(|&(a, b)| (ids[a as usize], ids[b as usize]))
        .collect();
    imp.add_follow_nodes(edges).map_err(store_error)?;
    imp.add_posts(world.posts.clone()).map_err(store_error)?;
    imp.add_interactions(world.interactions.clone())
        .map_err(store_error)?;
    imp.add_history(world.history.clone())
        .map_err(store_error)?;
    imp.add_customers(world.customers.clone())
        .map_err(store_error)?;
    imp.record(
        "demo",
        vec![format!("kith demo --seed {}", world.truth.seed)],
        world.accounts.len() as u64,
    );
    imp.commit(stage).map_err(store_error)
}
