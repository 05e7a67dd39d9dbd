//! `kith lookalike HANDLE` and `kith overlap HANDLE...`: accounts like one
//! account, and how much a set of accounts' audiences overlap.

use crate::context::{CliError, Context, exit, store_error};
use kith_analytics::discover::lookalike::lookalike;
use kith_graph::{SketchOptions, exact_overlap, sketch_overlap};
use kith_model::Platform;
use kith_store::World;
use serde::Serialize;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "score = 0.6 × shared audience (Jaccard / best Jaccard) + 0.3 × topic \
similarity (cosine of tag counts) + 0.1 × size similarity, weights in kith.toml [discovery].

Examples:
  kith lookalike instagram:anna.trails
  kith lookalike anna.trails --platform instagram --limit 50 --json"
)]
pub struct LookalikeArgs {
    /// The account: platform:handle, or a handle (with --platform when several platforms have it).
    pub handle: String,
    #[arg(long, short = 'p')]
    pub platform: Option<Platform>,
    /// Rows to show.
    #[arg(long, short = 'n', default_value_t = 20)]
    pub limit: usize,
}

#[derive(clap::Args)]
#[command(
    after_help = "Audiences are the accounts' followers in the world. Exact up to \
kith.toml overlap.exact_max_audience followers per account, else (or with --sketch) HyperLogLog \
for unique reach and MinHash for pairwise overlap, with their standard errors.

Examples:
  kith overlap instagram:anna.trails instagram:ben.runs instagram:cara.ultra
  kith overlap a b c --platform tiktok --json"
)]
pub struct OverlapArgs {
    /// Two or more accounts (platform:handle, or handles with --platform).
    #[arg(required = true, num_args = 2..)]
    pub handles: Vec<String>,
    #[arg(long, short = 'p')]
    pub platform: Option<Platform>,
    /// Estimate by sketches even when exact counting fits.
    #[arg(long)]
    pub sketch: bool,
}

fn resolve(world: &World, handle: &str, platform: Option<Platform>) -> anyhow::Result<u32> {
    match platform {
        Some(p) if !handle.contains(':') => world.lookup(p, handle).ok_or_else(|| {
            CliError::error(
                exit::NO_INPUT,
                format!("no account {p}:{handle} in the world"),
            )
        }),
        _ => world
            .resolve(handle)
            .map_err(|e| CliError::error(exit::NO_INPUT, e.to_string())),
    }
}

pub fn run_lookalike(args: &LookalikeArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let world = ws.world().map_err(store_error)?;
    let id = resolve(&world, &args.handle, args.platform)?;
    let l = lookalike(&world, ws.settings(), id, args.limit);
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&l)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}",
        ctx.bold(&format!(
            "Accounts like {} ({} followers in the world{})",
            l.account,
            l.followers_in_world,
            if l.followers_walked < l.followers_in_world {
                format!(", a sample of {} walked", l.followers_walked)
            } else {
                String::new()
            }
        ))
    );
    if l.rows.is_empty() {
        println!("no account shares followers with it in the world");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>4}  {:<32} {:>9} {:<6} {:>6}  why",
        "rank", "account", "followers", "tier", "score"
    );
    for r in &l.rows {
        println!(
            "{:>4}  {:<32} {:>9} {:<6} {:>6.3}  {}",
            r.rank,
            r.account,
            r.followers.map_or("?".into(), |f| f.to_string()),
            r.tier.as_deref().unwrap_or("?"),
            r.score,
            r.why
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct OverlapOut {
    accounts: Vec<String>,
    method: &'static str,
    sizes: Vec<u64>,
    total: u64,
    unique: f64,
    unique_relative_std_error: Option<f64>,
    shared: Option<u64>,
    exclusive: Option<Vec<u64>>,
    expected_frequency: f64,
    pairwise: Vec<Pair>,
    jaccard_std_error: Option<f64>,
}

#[derive(Serialize)]
struct Pair {
    a: String,
    b: String,
    intersection: f64,
    overlap: f64,
    jaccard: f64,
}

pub fn run_overlap(args: &OverlapArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let world = ws.world().map_err(store_error)?;
    let ids = args
        .handles
        .iter()
        .map(|h| resolve(&world, h, args.platform))
        .collect::<anyhow::Result<Vec<u32>>>()?;
    let names: Vec<String> = ids
        .iter()
        .map(|&v| format!("{}:{}", world.platform(v), world.handle(v)))
        .collect();
    let audiences: Vec<&[u32]> = ids
        .iter()
        .map(|&v| world.follows_in().neighbors(v))
        .collect();
    let settings = ws.settings();
    let exact = !args.sketch
        && audiences
            .iter()
            .all(|a| a.len() as u64 <= settings.overlap.exact_max_audience);
    let pairs = |list: &[kith_graph::overlap::PairOverlap]| -> Vec<Pair> {
        list.iter()
            .map(|p| Pair {
                a: names[p.a].clone(),
                b: names[p.b].clone(),
                intersection: p.intersection,
                overlap: p.overlap,
                jaccard: p.jaccard,
            })
            .collect()
    };
    let out = if exact {
        let r = exact_overlap(&audiences);
        OverlapOut {
            accounts: names.clone(),
            method: "exact",
            sizes: r.sizes,
            total: r.total,
            unique: r.unique as f64,
            unique_relative_std_error: None,
            shared: Some(r.shared),
            exclusive: Some(r.exclusive),
            expected_frequency: r.expected_frequency,
            pairwise: pairs(&r.pairwise),
            jaccard_std_error: None,
        }
    } else {
        let opts = SketchOptions {
            hll_precision: settings.overlap.hll_precision,
            minhash_size: settings.overlap.minhash_size,
        };
        let r = sketch_overlap(&audiences, &opts);
        OverlapOut {
            accounts: names.clone(),
            method: "sketch (HyperLogLog unique reach, MinHash pairwise)",
            sizes: r.sizes,
            total: r.total,
            unique: r.unique,
            unique_relative_std_error: Some(r.unique_relative_std_error),
            shared: None,
            exclusive: None,
            expected_frequency: r.expected_frequency,
            pairwise: pairs(&r.pairwise),
            jaccard_std_error: Some(r.jaccard_std_error),
        }
    };
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}",
        ctx.bold(&format!("Audience overlap ({})", out.method))
    );
    println!("{:<32} {:>10} {:>10}", "account", "followers", "exclusive");
    for (i, name) in names.iter().enumerate() {
        println!(
            "{:<32} {:>10} {:>10}",
            name,
            out.sizes[i],
            out.exclusive
                .as_ref()
                .map_or("-".into(), |e| e[i].to_string())
        );
    }
    let err = out
        .unique_relative_std_error
        .map_or(String::new(), |e| format!(" (± {:.1}%)", 100.0 * e));
    println!("total (with duplicates)          {:>10}", out.total);
    println!("unique reach                     {:>10.0}{err}", out.unique);
    if let Some(s) = out.shared {
        println!("shared (in two or more)          {s:>10}");
    }
    println!(
        "expected frequency               {:>10.2}",
        out.expected_frequency
    );
    println!();
    println!(
        "{:<32} {:<32} {:>10} {:>8} {:>8}",
        "a", "b", "shared", "overlap", "jaccard"
    );
    for p in &out.pairwise {
        println!(
            "{:<32} {:<32} {:>10.0} {:>7.1}% {:>8.3}",
            p.a,
            p.b,
            p.intersection,
            100.0 * p.overlap,
            p.jaccard
        );
    }
    if let Some(e) = out.jaccard_std_error {
        println!("  (Jaccard standard error up to {e:.3})");
    }
    println!("overlap = |A ∩ B| / min(|A|, |B|); expected frequency = total / unique");
    Ok(ExitCode::SUCCESS)
}
