//! The main job as `kith demo` runs it: discovery and the plan for the demo
//! brand's brief, with the planted truths checked beside them.

use crate::cmd::advocates::{HistorySource, print_ranking, referrals_from_db};
use crate::cmd::discover::print_shortlist;
use crate::cmd::plan::print_plan;
use crate::cmd::score::vetting_model;
use crate::context::{Context, store_error};
use kith_analytics::Vetting;
use kith_analytics::discover::advocates::{AdvocateRanking, REFERRAL_FRAUD, rank_advocates};
use kith_analytics::discover::plan::{Objective, Plan, plan};
use kith_analytics::discover::{DiscoverOptions, Seeds, Shortlist, discover};
use kith_demo::DemoWorld;
use kith_model::Brief;
use kith_store::Workspace;
use kith_track::keys::DEFAULT_WORKSPACE;
use serde::Serialize;
use std::collections::HashSet;

/// Rows of the shortlist the demo shows.
const SHOWN: usize = 20;
/// Rows of the advocate ranking the demo shows.
const SHOWN_ADVOCATES: usize = 10;

#[derive(Serialize)]
pub struct Report {
    pub shortlist: Shortlist,
    pub plan: Plan,
    /// The customers ranked as advocates (the top rows), with the referral
    /// history `kith demo` wrote to kith.db.
    pub advocates: AdvocateRanking,
    pub history: HistorySource,
    /// Planted proven referrers among the shown advocates, and how many
    /// were planted.
    pub proven_referrers_shown: usize,
    pub proven_referrers: usize,
    /// Whether the planted self-referrer was left out for referral fraud.
    pub referral_fraud_left_out: bool,
    /// Share of the shown rows that are planted relevant micro-influencers.
    pub precision_at_shown: f64,
    /// Planted fakes, pod members, bought-follower and over-sponsored
    /// creators in the shortlist (should be 0).
    pub vetted_out_in_shortlist: usize,
}

pub fn main_job(ws: &Workspace, demo: &DemoWorld) -> anyhow::Result<Report> {
    let world = ws.world().map_err(store_error)?;
    let settings = ws.settings();
    let brief = Brief::from_toml(&demo.brief_toml, "brief.toml", settings)?;
    let seeds = Seeds::resolve(&world, &brief, &brief.seeds);
    let db_path = ws.db_path();
    let (referrals, history) =
        referrals_from_db(&world, &db_path.to_string_lossy(), DEFAULT_WORKSPACE)?;
    let (model, source) = vetting_model(ws)?;
    let vetting = Vetting::build(&world, settings, &model, source, None);
    let mut shortlist = discover(
        &vetting,
        &brief,
        &seeds,
        &DiscoverOptions {
            limit: settings.discovery.plan_candidates,
            include_flagged: false,
        },
    );
    let budget = brief.budget.unwrap_or(10_000.0);
    let plan = plan(
        &vetting,
        &brief,
        &shortlist,
        &shortlist.audience,
        &referrals,
        budget,
        Objective::from_goal(brief.goal),
    );
    let mut advocates = rank_advocates(&vetting, &brief, &shortlist.audience, &referrals, false);
    advocates.rows.truncate(SHOWN_ADVOCATES);
    shortlist.rows.truncate(SHOWN);
    let t = &demo.truth;
    let proven: HashSet<&str> = t.proven_referrers.iter().map(String::as_str).collect();

    let relevant: HashSet<&str> = t
        .relevant_micro_influencers
        .iter()
        .map(String::as_str)
        .collect();
    let bad = t.vetted_out();
    let rows = &shortlist.rows;
    Ok(Report {
        precision_at_shown: rows
            .iter()
            .filter(|r| relevant.contains(r.account.as_str()))
            .count() as f64
            / rows.len().max(1) as f64,
        vetted_out_in_shortlist: rows
            .iter()
            .filter(|r| bad.contains(r.account.as_str()))
            .count(),
        proven_referrers_shown: advocates
            .rows
            .iter()
            .filter(|a| proven.contains(a.account.as_str()))
            .count(),
        proven_referrers: proven.len(),
        referral_fraud_left_out: advocates.excluded.get(REFERRAL_FRAUD).copied().unwrap_or(0)
            >= t.referral_fraud.len(),
        advocates,
        history,
        shortlist,
        plan,
    })
}

pub fn print(report: &Report, ctx: &Context) {
    print_shortlist(&report.shortlist, ctx, false);
    println!(
        "\nchecked against the planted truths: {:.0}% of these {} are planted relevant, authentic micro-influencers; {} planted fakes, pods, bought-follower or over-sponsored creators among them",
        100.0 * report.precision_at_shown,
        report.shortlist.rows.len(),
        report.vetted_out_in_shortlist
    );
    println!();
    print_plan(&report.plan, ctx);
    println!();
    print_ranking(&report.advocates, &report.history, ctx);
    println!(
        "\nchecked against the planted truths: {} of the {} customers whose referrals brought sales are among these {}; the self-referrer {}",
        report.proven_referrers_shown,
        report.proven_referrers,
        report.advocates.rows.len(),
        if report.referral_fraud_left_out {
            "was left out (referral fraud)"
        } else {
            "was NOT left out"
        }
    );
}
