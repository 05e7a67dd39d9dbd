//! Prints the demo world's engagement rate by follower band, the way
//! docs/demo.md compares it with the measured Instagram curve:
//! `cargo run --release -p kith-demo --example er_bands -- [ACCOUNTS]`.
//!
//! ER per account is DESIGN's default: the median over its last 12 posts
//! older than 24 h of (likes + comments + shares + saves) / followers; each
//! band shows the median over its accounts and how many there are.

use kith_demo::{DemoOptions, generate};
use kith_model::{Platform, Post};
use std::collections::HashMap;

const BANDS: &[u64] = &[
    0,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
    1_000_000,
    u64::MAX,
];

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let mut opts = DemoOptions::default();
    if let Some(n) = std::env::args().nth(1) {
        opts.accounts = n.replace('_', "").parse().expect("ACCOUNTS is a number");
    }
    let world = generate(&opts);
    let mut posts: HashMap<&str, Vec<&Post>> = HashMap::new();
    for p in &world.posts {
        posts.entry(p.handle.as_str()).or_default().push(p);
    }
    for platform in [Platform::Instagram, Platform::Tiktok] {
        println!("{platform}: band, accounts, median ER");
        let mut bands: Vec<Vec<f64>> = vec![Vec::new(); BANDS.len() - 1];
        for a in world.accounts.iter().filter(|a| a.platform == platform) {
            let Some(own) = posts.get(a.handle.as_str()) else {
                continue;
            };
            let mut eligible: Vec<&&Post> = own
                .iter()
                .filter(|p| world.truth.now - p.posted_at.unwrap() >= 86_400)
                .collect();
            eligible.sort_by_key(|p| std::cmp::Reverse(p.posted_at));
            eligible.truncate(12);
            let followers = a.followers.unwrap() as f64;
            if eligible.is_empty() || followers == 0.0 {
                continue;
            }
            let er = median(
                eligible
                    .iter()
                    .map(|p| {
                        (p.likes.unwrap_or(0)
                            + p.comments.unwrap_or(0)
                            + p.shares.unwrap_or(0)
                            + p.saves.unwrap_or(0)) as f64
                            / followers
                    })
                    .collect(),
            );
            let band = BANDS.partition_point(|&b| b <= a.followers.unwrap()) - 1;
            bands[band].push(er);
        }
        for (k, rates) in bands.into_iter().enumerate() {
            if !rates.is_empty() {
                let hi = if BANDS[k + 1] == u64::MAX {
                    "+".to_string()
                } else {
                    format!("-{}", BANDS[k + 1])
                };
                println!(
                    "  {:>9}{hi:<10} {:>6} {:.4}",
                    BANDS[k],
                    rates.len(),
                    median(rates)
                );
            }
        }
    }
}
