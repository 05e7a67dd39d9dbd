//! Generates a demo world and prints its size, the time it took and the
//! process's peak memory: `cargo run --release -p kith-demo --example
//! world_stats -- [ACCOUNTS] [SEED]`. docs/demo.md records its output.

use kith_demo::{DemoOptions, generate};
use std::time::Instant;

/// Peak resident set size of this process, from Linux's /proc.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut opts = DemoOptions::default();
    if let Some(n) = args.next() {
        opts.accounts = n.replace('_', "").parse().expect("ACCOUNTS is a number");
    }
    if let Some(s) = args.next() {
        opts.seed = s.parse().expect("SEED is a number");
    }
    let start = Instant::now();
    let world = generate(&opts);
    let elapsed = start.elapsed();
    let t = &world.truth;
    println!("accounts      {}", world.accounts.len());
    println!("follows       {}", world.follows.len());
    println!("posts         {}", world.posts.len());
    println!("interactions  {}", world.interactions.len());
    println!("history       {}", world.history.len());
    println!("customers     {}", world.customers.len());
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
    println!("seconds       {:.2}", elapsed.as_secs_f64());
    if let Some(mib) = peak_rss_mib() {
        println!("peak MiB      {mib:.0}");
    }
}
