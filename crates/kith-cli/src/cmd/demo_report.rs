//! The main job as `kith demo` runs it: discovery and the plan for the demo
//! brand's brief, with the planted truths checked beside them.

use crate::cmd::discover::print_shortlist;
use crate::cmd::plan::print_plan;
use crate::cmd::score::vetting_model;
use crate::context::{Context, store_error};
use kith_analytics::Vetting;
use kith_analytics::discover::plan::{Objective, Plan, plan};
use kith_analytics::discover::{DiscoverOptions, Seeds, Shortlist, discover};
use kith_demo::DemoWorld;
use kith_model::Brief;
use kith_store::Workspace;
use serde::Serialize;
use std::collections::HashSet;

/// Rows of the shortlist the demo shows.
const SHOWN: usize = 20;

#[derive(Serialize)]
pub struct Report {
    pub shortlist: Shortlist,
    pub plan: Plan,
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
        budget,
        Objective::from_goal(brief.goal),
    );
    shortlist.rows.truncate(SHOWN);
    let t = &demo.truth;
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
}
