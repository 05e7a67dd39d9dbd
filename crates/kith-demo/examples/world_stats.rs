//! Generates a demo world and prints its size, the time it took and the
//! process's peak memory. docs/demo.md records its output.
//!
//! `cargo run --release -p kith-demo --example world_stats -- [ACCOUNTS]
//! [SEED] [--benchmark] [--stream]`: `--benchmark` uses
//! `WorldShape::benchmark()` (about 12 posts per account); `--stream`
//! generates the activity block by block from a `WorldSkeleton` and drops
//! each block after counting it, as a writer that streams to disk would;
//! `--truth FILE` writes the planted truth as JSON.

use kith_demo::{DemoOptions, WorldShape, WorldSkeleton};
use std::time::Instant;

/// Peak resident set size of this process, from Linux's /proc.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU seconds (user + system) this process has used, from Linux's /proc:
/// on a shared machine a fairer figure than wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let truth_file = args.iter().position(|a| a == "--truth").map(|k| k + 1);
    let mut numbers = args
        .iter()
        .enumerate()
        .filter(|(k, a)| !a.starts_with("--") && Some(*k) != truth_file)
        .map(|(_, a)| a);
    let mut opts = DemoOptions::default();
    if let Some(n) = numbers.next() {
        opts.accounts = n.replace('_', "").parse().expect("ACCOUNTS is a number");
    }
    if let Some(s) = numbers.next() {
        opts.seed = s.parse().expect("SEED is a number");
    }
    let shape = if flag("--benchmark") {
        WorldShape::benchmark()
    } else {
        WorldShape::default()
    };
    let start = Instant::now();
    let skeleton = WorldSkeleton::with_shape(&opts, &shape);
    let skeleton_seconds = start.elapsed().as_secs_f64();
    let (accounts, follows, customers) = (
        skeleton.accounts().len(),
        skeleton.follows().len(),
        skeleton.customers().len(),
    );
    let t = skeleton.truth().clone();
    if let Some(k) = args.iter().position(|a| a == "--truth") {
        let path = args.get(k + 1).expect("--truth needs a FILE");
        std::fs::write(
            path,
            serde_json::to_string_pretty(&t).expect("truth serialises"),
        )
        .expect("truth file written");
    }
    let (posts, interactions, history) = if flag("--stream") {
        let mut counts = (0, 0, 0);
        for block in (0..accounts).step_by(50_000) {
            let a = skeleton.activity(block..block + 50_000);
            counts.0 += a.posts.len();
            counts.1 += a.interactions.len();
            counts.2 += a.history.len();
        }
        counts
    } else {
        let world = skeleton.into_world();
        (
            world.posts.len(),
            world.interactions.len(),
            world.history.len(),
        )
    };
    let elapsed = start.elapsed();
    println!("accounts      {accounts}");
    println!("follows       {follows}");
    println!("posts         {posts}");
    println!("interactions  {interactions}");
    println!("history       {history}");
    println!("customers     {customers}");
    println!(
        "planted       {} fakes, {} buyers, {} follower spikes, {} following spikes, {} pods, {} over-sponsored, {} relevant micro, {} customer influencers",
        t.fake_accounts.len(),
        t.bought_followers.len(),
        t.follower_spikes.len(),
        t.following_spikes.len(),
        t.pods.len(),
        t.over_sponsored.len(),
        t.relevant_micro_influencers.len(),
        t.customer_influencers.len()
    );
    println!("skeleton s    {skeleton_seconds:.2}");
    println!("wall seconds  {:.2}", elapsed.as_secs_f64());
    if let Some(cpu) = cpu_seconds() {
        println!("cpu seconds   {cpu:.2}");
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak MiB      {mib:.0}");
    }
}
