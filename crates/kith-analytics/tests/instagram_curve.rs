//! The expected-ER curve on real Instagram accounts
//! (`worlds/instagram-engagement`: 700 accounts, 57,816 posts, 2018): the
//! table docs/vetting.md quotes, and the shape it shows (engagement falls
//! as audiences grow).

mod common;

use kith_model::{Account, Post};
use kith_store::Workspace;

#[test]
fn instagram_engagement_curve_falls_with_followers() {
    let Some(data) = common::data_dir("instagram_engagement_curve_falls_with_followers") else {
        return;
    };
    let dir = data.join("worlds/instagram-engagement");
    let opts = kith_io::ReadOptions::default();
    let accounts: Vec<Account> = kith_io::read_all(&dir.join("accounts.csv.gz"), &opts).unwrap();
    let posts: Vec<Post> = kith_io::read_all(&dir.join("posts.csv.gz"), &opts).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ws = Workspace::init(tmp.path()).unwrap();
    let mut imp = ws.begin_import().unwrap();
    imp.add_accounts(accounts).unwrap();
    imp.add_posts(posts).unwrap();
    imp.commit(&mut |_| {}).unwrap();
    let world = ws.world().unwrap();
    let as_of = kith_analytics::data_as_of(&world);
    let curves = kith_analytics::fit_curves(&world, ws.settings(), as_of);
    let curve = &curves[&kith_model::Platform::Instagram];
    eprintln!(
        "instagram-engagement: {} accounts with an ER, as of {}",
        curve.accounts,
        kith_model::time::format_time(as_of)
    );
    eprintln!("| followers | accounts | pooled | median ER | 95% interval | p25 | p75 |");
    eprintln!("|---|---:|---:|---:|---|---:|---:|");
    let pct = |v: f64| format!("{:.2}%", v * 100.0);
    for b in &curve.bands {
        if let Some(m) = b.er_median {
            let [lo, hi] = b.er_median_interval.unwrap_or([m, m]);
            eprintln!(
                "| {}-{} | {} | {} | {} | {} to {} | {} | {} |",
                b.followers_from,
                b.followers_to - 1,
                b.accounts,
                b.pooled_accounts,
                pct(m),
                pct(lo),
                pct(hi),
                pct(b.er_p25.unwrap_or(m)),
                pct(b.er_p75.unwrap_or(m))
            );
        }
    }
    assert!(curve.accounts >= 650, "{} accounts", curve.accounts);
    // The smallest and the largest audiences the data holds: engagement
    // falls with audience size (measured, not assumed; the docs quote it).
    let small = curve.expected(150).unwrap().er;
    let large = curve.expected(5_000).unwrap().er;
    eprintln!(
        "expected ER at 150 followers {} vs at 5,000 {}",
        pct(small),
        pct(large)
    );
    assert!(small > large, "{small} <= {large}");
}
