//! `kith info`: what the world holds.

use crate::context::{Context, store_error};
use crate::progress::human_bytes;
use kith_model::time::format_time;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let world = ws.world().map_err(store_error)?;
    let m = world.manifest();
    let sizes = world.sizes();
    let total: u64 = sizes.iter().map(|(_, s)| s).sum();
    if ctx.json {
        let sizes_json: serde_json::Map<String, serde_json::Value> = sizes
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "workspace": ws.dir(),
                "generation": m.generation,
                "committed_at": format_time(m.committed_at),
                "counts": m.counts,
                "platforms": m.platforms,
                "time_ranges": m.time_ranges,
                "size_bytes": sizes_json,
                "size_bytes_total": total,
                "imports": m.imports,
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    let c = &m.counts;
    println!("{} {}", ctx.bold("Workspace"), ws.dir().display());
    println!(
        "generation {} committed {}",
        m.generation,
        format_time(m.committed_at)
    );
    println!();
    println!("{}", ctx.bold("Counts"));
    for (label, n) in [
        ("accounts (with a profile)", c.accounts),
        ("handles seen (graph nodes)", c.nodes),
        ("posts", c.posts),
        ("follows", c.follows),
        ("interactions", c.interactions),
        ("follower-history points", c.history_points),
        ("customers", c.customers),
    ] {
        println!("  {label:<28} {n:>12}");
    }
    if !m.platforms.is_empty() {
        println!();
        println!("{}", ctx.bold("Platforms"));
        for (p, pc) in &m.platforms {
            println!(
                "  {p:<12} {:>10} handles {:>10} profiles",
                pc.nodes, pc.accounts
            );
        }
    }
    let r = &m.time_ranges;
    let ranges = [
        ("posts", r.posts),
        ("interactions", r.interactions),
        ("history", r.history),
        ("follows since", r.follows_since),
    ];
    if ranges.iter().any(|(_, x)| x.is_some()) {
        println!();
        println!("{}", ctx.bold("Time ranges (UTC)"));
        for (label, range) in ranges {
            if let Some((a, b)) = range {
                println!("  {label:<14} {} .. {}", format_time(a), format_time(b));
            }
        }
    }
    println!();
    println!("{} {}", ctx.bold("On disk"), human_bytes(total));
    for (part, size) in sizes {
        if size > 0 {
            println!("  {part:<14} {:>12}", human_bytes(size));
        }
    }
    Ok(ExitCode::SUCCESS)
}
