//! The main job as `kith demo` runs it today: what the world holds for the
//! brand, and the accounts of the brand's niche with the widest reach into
//! its own audience. Discovery (`kith discover`) will replace the ranking.

use crate::context::{Context, store_error};
use kith_demo::DemoWorld;
use kith_store::Workspace;
use serde::Serialize;

#[derive(Serialize)]
pub struct Report {
    pub brand: String,
    pub niche_hashtags: Vec<String>,
    pub brand_audience: usize,
    /// Ranked by how many of the brand's followers follow the account.
    pub top_accounts: Vec<Candidate>,
    pub measure: &'static str,
}

#[derive(Serialize)]
pub struct Candidate {
    pub account: String,
    pub followers: Option<u64>,
    pub shared_audience: usize,
    pub niche_posts: usize,
    pub posts: usize,
}

const MEASURE: &str = "shared_audience = brand followers who also follow the account; \
candidates: 1k-100k declared followers, at least one post with a niche hashtag";

pub fn main_job(ws: &Workspace, demo: &DemoWorld) -> anyhow::Result<Report> {
    let world = ws.world().map_err(store_error)?;
    let brand = world.resolve(&demo.truth.brand).map_err(store_error)?;
    let niche: Vec<&str> = demo
        .truth
        .niche_hashtags
        .iter()
        .map(String::as_str)
        .collect();
    let audience = world.follows_in().neighbors(brand);
    let mut in_audience = vec![false; world.num_nodes()];
    for &f in audience {
        in_audience[f as usize] = true;
    }
    let posts = world.posts();
    let mut candidates: Vec<Candidate> = (0..world.num_nodes() as u32)
        .filter(|&id| id != brand)
        .filter(|&id| {
            world
                .accounts()
                .followers(id)
                .is_some_and(|f| (1_000..100_000).contains(&f))
        })
        .filter_map(|id| {
            let rows = world.posts_of(id);
            let niche_posts = rows
                .clone()
                .filter(|&r| posts.hashtags(r).any(|h| niche.contains(&h)))
                .count();
            if niche_posts == 0 {
                return None;
            }
            let shared = world
                .follows_in()
                .neighbors(id)
                .iter()
                .filter(|&&f| in_audience[f as usize])
                .count();
            Some(Candidate {
                account: format!("{}:{}", world.platform(id), world.handle(id)),
                followers: world.accounts().followers(id),
                shared_audience: shared,
                niche_posts,
                posts: rows.len(),
            })
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.shared_audience
            .cmp(&a.shared_audience)
            .then(a.account.cmp(&b.account))
    });
    candidates.truncate(10);
    Ok(Report {
        brand: demo.truth.brand.clone(),
        niche_hashtags: demo.truth.niche_hashtags.clone(),
        brand_audience: audience.len(),
        top_accounts: candidates,
        measure: MEASURE,
    })
}

pub fn print(report: &Report, ctx: &Context) {
    println!(
        "{} {} ({} followers in the world), niche #{}",
        ctx.bold("Brand"),
        report.brand,
        report.brand_audience,
        report.niche_hashtags.join(" #")
    );
    println!(
        "Top accounts of the niche by reach into the brand's own audience ({}):",
        report.measure
    );
    println!(
        "  {:<32} {:>10} {:>16} {:>12}",
        "account", "followers", "shared audience", "niche posts"
    );
    for c in &report.top_accounts {
        let followers = c.followers.map_or("?".to_string(), |f| f.to_string());
        println!(
            "  {:<32} {:>10} {:>16} {:>8}/{:<3}",
            c.account, followers, c.shared_audience, c.niche_posts, c.posts
        );
    }
}
