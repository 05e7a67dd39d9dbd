//! `kith eval`: evaluations of discovery a user can rerun, each printing
//! the data set it ran on and every figure.

use crate::cmd::discover::{load_brief, load_seeds};
use crate::cmd::score::vetting_model;
use crate::context::{CliError, Context, exit, store_error};
use kith_analytics::Vetting;
use kith_analytics::discover::eval::{HashtagEvalOptions, hashtag_retrieval};
use kith_analytics::discover::{DiscoverOptions, discover};
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Hashtag retrieval: briefs made of co-occurring hashtags must find the
    /// accounts that use a held-out hashtag (worlds whose accounts carry
    /// their hashtags, such as ../shared/data/worlds/x-ego).
    #[command(after_help = "Example (x-ego):
  kith init /tmp/x && cd /tmp/x
  kith import accounts ../shared/data/worlds/x-ego/accounts.csv.gz
  kith import follows ../shared/data/worlds/x-ego/follows.csv.gz
  kith eval hashtags")]
    Hashtags(HashtagArgs),
    /// The demo world: are the planted relevant micro-influencers at the top
    /// of the shortlist, and the planted fakes and over-sponsored out of it?
    #[command(after_help = "Example:
  kith demo /tmp/demo && kith -w /tmp/demo eval demo")]
    Demo(DemoArgs),
}

#[derive(clap::Args)]
pub struct HashtagArgs {
    /// Hashtags to evaluate (a seeded sample of the eligible ones).
    #[arg(long, default_value_t = 50)]
    pub hashtags: usize,
    /// Eligible hashtags are used by at least this many accounts.
    #[arg(long, default_value_t = 200)]
    pub min_accounts: usize,
    /// Co-occurring hashtags in each brief.
    #[arg(long, default_value_t = 5)]
    pub brief_tags: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pick each brief's co-occurring hashtags by raw count instead of
    /// Jaccard (raw counts favour tags everyone uses, such as #ff).
    #[arg(long)]
    pub by_count: bool,
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// The demo's brief [default: brief.toml in the workspace].
    #[arg(long, value_name = "FILE")]
    pub brief: Option<PathBuf>,
    /// The demo's planted truths [default: demo-truth.json in the workspace].
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Precision is taken over this many top rows.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

pub fn run(cmd: &Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Hashtags(a) => hashtags(a, ctx),
        Command::Demo(a) => demo(a, ctx),
    }
}

fn hashtags(args: &HashtagArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let world = ws.world().map_err(store_error)?;
    let (model, source) = vetting_model(&ws)?;
    let vetting = Vetting::build(&world, ws.settings(), &model, source, None);
    let opts = HashtagEvalOptions {
        hashtags: args.hashtags,
        min_accounts: args.min_accounts,
        brief_tags: args.brief_tags,
        seed: args.seed,
        by_count: args.by_count,
        ..HashtagEvalOptions::default()
    };
    let bar = crate::progress::spinner(ctx, "evaluating");
    let eval = hashtag_retrieval(&vetting, &opts, |done, total| {
        bar.set_message(format!("hashtag {done} of {total}"));
    });
    bar.finish_and_clear();
    if eval.results.is_empty() {
        return Err(CliError::error(
            exit::DATA,
            format!(
                "no hashtag is used by {} or more accounts in this world: import accounts with tags (x-ego's accounts.csv.gz)",
                args.min_accounts
            ),
        ));
    }
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&eval)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}",
        ctx.bold(&format!(
            "Hashtag retrieval on {} ({} of {} hashtags used by {}+ accounts; briefs of the {} tags co-occurring most by {})",
            ws.dir().display(),
            eval.results.len(),
            eval.hashtags_eligible,
            args.min_accounts,
            args.brief_tags,
            eval.cooccurrence
        ))
    );
    println!(
        "{:<24} {:>8} {:>7} {:>8} {:>8} {:>9}  brief",
        "hashtag",
        "accounts",
        format!("P@{}", eval.precision_at),
        format!("R@{}", eval.recall_at),
        "base P",
        "base R"
    );
    for r in &eval.results {
        println!(
            "{:<24} {:>8} {:>7.2} {:>8.2} {:>8.2} {:>9.2}  {}",
            r.hashtag,
            r.accounts,
            r.precision,
            r.recall,
            r.baseline_precision,
            r.baseline_recall,
            r.brief.join(" ")
        );
    }
    println!();
    println!(
        "mean precision@{}: {:.3} (in-degree baseline {:.3})",
        eval.precision_at, eval.mean_precision, eval.baseline_mean_precision
    );
    println!(
        "mean recall@{}:    {:.3} (in-degree baseline {:.3})",
        eval.recall_at, eval.mean_recall, eval.baseline_mean_recall
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct DemoEval {
    top: usize,
    precision_at_top: f64,
    shortlist_rows: usize,
    planted_fakes_in_shortlist: usize,
    over_sponsored_in_shortlist: usize,
    pod_members_in_shortlist: usize,
    bought_followers_in_shortlist: usize,
    not_relevant_in_top: Vec<String>,
}

fn demo(args: &DemoArgs, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let brief_path = args
        .brief
        .clone()
        .unwrap_or_else(|| ws.dir().join(crate::cmd::demo::BRIEF_FILE));
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| ws.dir().join(crate::cmd::demo::TRUTH_FILE));
    let truth: kith_demo::PlantedTruth =
        serde_json::from_slice(&std::fs::read(&truth_path).map_err(|e| {
            CliError::error(
                exit::NO_INPUT,
                format!(
                    "{}: {e} (is this a workspace made by `kith demo`?)",
                    truth_path.display()
                ),
            )
        })?)
        .map_err(|e| CliError::error(exit::DATA, format!("{}: {e}", truth_path.display())))?;
    let brief = load_brief(&brief_path, ws.settings())?;
    let world = ws.world().map_err(store_error)?;
    let seeds = load_seeds(&world, &brief, &brief_path)?;
    let (model, source) = vetting_model(&ws)?;
    let vetting = Vetting::build(&world, ws.settings(), &model, source, None);
    let shortlist = discover(&vetting, &brief, &seeds, &DiscoverOptions::default());
    let rows: Vec<&str> = shortlist.rows.iter().map(|r| r.account.as_str()).collect();
    fn set(v: &[String]) -> HashSet<&str> {
        v.iter().map(String::as_str).collect()
    }
    let relevant = set(&truth.relevant_micro_influencers);
    let count = |s: &HashSet<&str>| rows.iter().filter(|r| s.contains(*r)).count();
    let top = args.top.min(rows.len()).max(1);
    let pods: Vec<String> = truth.pods.iter().flatten().cloned().collect();
    let bought: Vec<String> = truth
        .bought_followers
        .iter()
        .map(|b| b.account.clone())
        .collect();
    let e = DemoEval {
        top: args.top,
        precision_at_top: rows
            .iter()
            .take(top)
            .filter(|r| relevant.contains(*r))
            .count() as f64
            / args.top as f64,
        shortlist_rows: rows.len(),
        planted_fakes_in_shortlist: count(&set(&truth.fake_accounts)),
        over_sponsored_in_shortlist: count(&set(&truth.over_sponsored)),
        pod_members_in_shortlist: count(&set(&pods)),
        bought_followers_in_shortlist: count(&set(&bought)),
        not_relevant_in_top: rows
            .iter()
            .take(top)
            .filter(|r| !relevant.contains(*r))
            .map(|r| r.to_string())
            .collect(),
    };
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        println!(
            "{}",
            ctx.bold(&format!(
                "Demo world {}: shortlist of {} rows",
                ws.dir().display(),
                e.shortlist_rows
            ))
        );
        println!(
            "precision@{}: {:.2} (planted relevant, authentic micro-influencers of the brand's niche)",
            e.top, e.precision_at_top
        );
        println!(
            "planted fakes in the shortlist: {}",
            e.planted_fakes_in_shortlist
        );
        println!(
            "over-sponsored in the shortlist: {}",
            e.over_sponsored_in_shortlist
        );
        println!(
            "pod members in the shortlist: {}",
            e.pod_members_in_shortlist
        );
        println!(
            "bought-follower creators in the shortlist: {}",
            e.bought_followers_in_shortlist
        );
        if !e.not_relevant_in_top.is_empty() {
            println!(
                "in the top {} but not planted relevant: {}",
                e.top,
                e.not_relevant_in_top.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
