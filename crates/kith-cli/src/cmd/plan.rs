//! `kith plan --brief FILE`: the partners that spend the budget best, beside
//! the one macro post the same money would buy.

use crate::cmd::discover::{load_brief, load_seeds};
use crate::cmd::score::vetting_model;
use crate::context::{CliError, Context, exit, store_error};
use kith_analytics::Vetting;
use kith_analytics::discover::plan::{Objective, Plan, PlanTotals, plan};
use kith_analytics::discover::{DiscoverOptions, discover};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectiveArg {
    /// Distinct target-audience members reached.
    Reach,
    /// Expected distinct target-audience members who engage.
    Engagement,
    /// Expected accounts activated through the follow graph (Independent Cascade).
    Spread,
}

#[derive(clap::Args)]
#[command(
    after_help = "Partners are chosen by cost-effective lazy greedy compared with the \
best single partner (at least ½(1 - 1/e) of the optimum), or for --objective spread by budgeted \
influence maximization on reverse-reachable sets. Candidates: the top of the shortlist \
(kith.toml discovery.plan_candidates) and the customer advocates (customers with an account). \
docs/discovery.md writes out each figure.

Examples:
  kith plan --brief brief.toml
  kith plan --brief brief.toml --budget 5000 --objective reach --html plan.html"
)]
pub struct Args {
    /// The brief (TOML; see docs/discovery.md).
    #[arg(long, short = 'b', value_name = "FILE")]
    pub brief: PathBuf,
    /// Budget [default: the brief's].
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<f64>,
    /// What to maximize [default: from the brief's goal: reach -> reach, engagement and sales -> engagement].
    #[arg(long, value_enum)]
    pub objective: Option<ObjectiveArg>,
    /// Print CSV: one row per partner, then the baseline.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Also write an HTML report a marketer can send on.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The operations database holding the partners' referral history.
    #[command(flatten)]
    pub target: crate::cmd::program::Target,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let settings = ws.settings();
    let brief = load_brief(&args.brief, settings)?;
    let budget = match args.budget.or(brief.budget) {
        Some(b) if b.is_finite() && b > 0.0 => b,
        Some(b) => {
            return Err(CliError::error(
                exit::USAGE,
                format!("the budget must be a positive amount, got {b}"),
            ));
        }
        None => {
            return Err(CliError::error(
                exit::USAGE,
                "no budget: give --budget AMOUNT or `budget = ...` in the brief",
            ));
        }
    };
    let objective = match args.objective {
        Some(ObjectiveArg::Reach) => Objective::Reach,
        Some(ObjectiveArg::Engagement) => Objective::Engagement,
        Some(ObjectiveArg::Spread) => Objective::Spread,
        None => Objective::from_goal(brief.goal),
    };
    let world = ws.world().map_err(store_error)?;
    let seeds = load_seeds(&world, &brief, &args.brief)?;
    let (referrals, _) = crate::cmd::advocates::load_referrals(ctx, &world, &args.target)?;
    let (model, source) = vetting_model(&ws)?;
    let spinner = crate::progress::spinner(ctx, "vetting the population");
    let vetting = Vetting::build(&world, settings, &model, source, None);
    spinner.set_message("ranking candidates");
    let opts = DiscoverOptions {
        limit: settings.discovery.plan_candidates,
        include_flagged: false,
    };
    let shortlist = discover(&vetting, &brief, &seeds, &opts);
    spinner.set_message("planning");
    let p = plan(
        &vetting,
        &brief,
        &shortlist,
        &shortlist.audience,
        &referrals,
        budget,
        objective,
    );
    spinner.finish_and_clear();
    if let Some(path) = &args.html {
        std::fs::write(path, html(&p, brief.name.as_deref())).map_err(|e| {
            CliError::error(
                exit::CANT_CREATE,
                format!("{}: cannot write: {e}", path.display()),
            )
        })?;
    }
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&p)?);
    } else if args.csv {
        write_csv(&p)?;
    } else {
        print_plan(&p, ctx);
        if let Some(path) = &args.html {
            println!("\nHTML report: {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Partners listed in the text output (all of them in CSV, JSON, HTML).
const SHOWN_PARTNERS: usize = 25;

fn money(v: f64, currency: &str) -> String {
    format!("{v:.0} {currency}")
}

fn opt_money(v: Option<f64>, currency: &str) -> String {
    v.map_or("-".into(), |v| format!("{v:.2} {currency}"))
}

fn totals_lines(t: &PlanTotals, currency: &str, objective: Objective) -> Vec<(String, String)> {
    vec![
        ("cost".into(), money(t.cost, currency)),
        (
            format!("objective ({})", objective.as_str()),
            format!("{:.0}", t.objective_value),
        ),
        (
            "expected engagements".into(),
            format!("{:.0}", t.expected_engagements),
        ),
        (
            "authentic engagements".into(),
            format!("{:.0}", t.authentic_engagements),
        ),
        (
            "target reach, unique / total".into(),
            format!(
                "{} / {} (frequency {:.2})",
                t.unique_target_reach, t.total_target_reach, t.expected_frequency
            ),
        ),
        ("CPE".into(), opt_money(t.cpe, currency)),
        (
            "CPE per authentic engagement".into(),
            opt_money(t.cpe_authentic, currency),
        ),
        ("earned media value".into(), money(t.emv, currency)),
    ]
}

pub fn print_plan(p: &Plan, ctx: &Context) {
    println!(
        "{}",
        ctx.bold(&format!(
            "Plan: {} {}, objective {}, target audience {} accounts",
            p.budget,
            p.currency,
            p.objective.as_str(),
            p.audience_size
        ))
    );
    println!(
        "chose {} of {} candidates ({} customer advocates considered) by {}; {}",
        p.partners.len(),
        p.candidates,
        p.advocates_considered,
        p.chosen_by,
        p.guarantee
    );
    println!();
    println!(
        "{:<32} {:<10} {:>9} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9}",
        "partner", "kind", "followers", "cost", "exp. eng.", "reach", "gain", "CPE", "ref. sales"
    );
    for pp in p.partners.iter().take(SHOWN_PARTNERS) {
        let c = &pp.candidate;
        println!(
            "{:<32} {:<10} {:>9} {:>9.0} {:>10.0} {:>8} {:>9.1} {:>9} {:>9}",
            c.account,
            c.kind,
            c.followers.map_or("?".into(), |f| f.to_string()),
            c.cost,
            c.expected_engagements,
            c.target_reach,
            pp.marginal_gain,
            pp.cpe.map_or("-".into(), |v| format!("{v:.3}")),
            c.referrals
                .as_ref()
                .map_or("-".into(), |h| h.sales.to_string()),
        );
    }
    if p.partners.len() > SHOWN_PARTNERS {
        println!(
            "... and {} more (--csv, --json or --html for all)",
            p.partners.len() - SHOWN_PARTNERS
        );
    }
    println!();
    let plan_lines = totals_lines(&p.totals, &p.currency, p.objective);
    match &p.baseline {
        Some(b) => {
            let base_lines = totals_lines(&b.totals, &p.currency, p.objective);
            println!(
                "{:<32} {:>22} {:>30}",
                "",
                "this plan",
                format!("baseline: {}", b.partner.candidate.account)
            );
            for ((k, v), (_, bv)) in plan_lines.iter().zip(&base_lines) {
                println!("{k:<32} {v:>22} {bv:>30}");
            }
            if !b.within_budget {
                println!(
                    "  (no macro or mega account fits the budget: the baseline is the cheapest one)"
                );
            }
            if b.totals.objective_value > 0.0 {
                println!(
                    "\nthe plan reaches {:.1}x the baseline's {} for {:.0}% of its cost",
                    p.totals.objective_value / b.totals.objective_value,
                    p.objective.as_str(),
                    100.0 * p.totals.cost / b.totals.cost.max(1e-9)
                );
            }
        }
        None => {
            for (k, v) in &plan_lines {
                println!("{k:<32} {v:>22}");
            }
            println!("  (no macro or mega account in the world to compare with)");
        }
    }
}

fn write_csv(p: &Plan) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record([
        "row",
        "account",
        "kind",
        "followers",
        "tier",
        "cost",
        "expected_engagements",
        "authentic_share",
        "target_reach",
        "marginal_gain",
        "cpe",
        "cpe_authentic",
        "referral_sales",
    ])?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let mut rows: Vec<(&str, &kith_analytics::discover::plan::PlannedPartner)> =
        p.partners.iter().map(|pp| ("partner", pp)).collect();
    if let Some(b) = &p.baseline {
        rows.push(("baseline", &b.partner));
    }
    for (kind, pp) in rows {
        let c = &pp.candidate;
        w.write_record([
            kind.to_string(),
            c.account.clone(),
            c.kind.to_string(),
            c.followers.map_or(String::new(), |f| f.to_string()),
            c.tier.clone().unwrap_or_default(),
            c.cost.to_string(),
            c.expected_engagements.to_string(),
            c.authentic_share.to_string(),
            c.target_reach.to_string(),
            pp.marginal_gain.to_string(),
            opt(pp.cpe),
            opt(pp.cpe_authentic),
            c.referrals
                .as_ref()
                .map_or(String::new(), |h| h.sales.to_string()),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained page: the partners, the totals beside the baseline,
/// and a bar chart of the two.
fn html(p: &Plan, name: Option<&str>) -> String {
    let mut out = Vec::new();
    let title = escape(name.unwrap_or("kith plan"));
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}table{{border-collapse:collapse}}\
td,th{{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}}td:first-child,th:first-child{{text-align:left}}\
.note{{color:#666;font-size:.9rem}}</style></head><body><h1>{title}</h1>\
<p>Budget {} {}, objective <b>{}</b>, target audience {} accounts. Chosen by {}: {}.</p>",
        p.budget,
        escape(&p.currency),
        p.objective.as_str(),
        p.audience_size,
        p.chosen_by,
        escape(&p.guarantee)
    );
    let _ = write!(
        out,
        "<h2>Partners</h2><table><tr><th>partner</th><th>kind</th><th>followers</th><th>cost</th>\
<th>expected engagements</th><th>target reach</th><th>gain</th><th>CPE</th><th>CPE per authentic engagement</th></tr>"
    );
    for pp in &p.partners {
        let c = &pp.candidate;
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.account),
            c.kind,
            c.followers.map_or("?".into(), |f| f.to_string()),
            c.cost,
            c.expected_engagements,
            c.target_reach,
            pp.marginal_gain,
            pp.cpe.map_or("-".into(), |v| format!("{v:.3}")),
            pp.cpe_authentic.map_or("-".into(), |v| format!("{v:.3}")),
        );
    }
    let _ = write!(
        out,
        "</table><h2>This plan beside one macro post</h2><table><tr><th></th><th>this plan</th>"
    );
    let plan_lines = totals_lines(&p.totals, &p.currency, p.objective);
    let base_lines = p
        .baseline
        .as_ref()
        .map(|b| totals_lines(&b.totals, &p.currency, p.objective));
    if let Some(b) = &p.baseline {
        let _ = write!(
            out,
            "<th>baseline: {}</th>",
            escape(&b.partner.candidate.account)
        );
    }
    let _ = write!(out, "</tr>");
    for (i, (k, v)) in plan_lines.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td>", escape(k), escape(v));
        if let Some(bl) = &base_lines {
            let _ = write!(out, "<td>{}</td>", escape(&bl[i].1));
        }
        let _ = write!(out, "</tr>");
    }
    let _ = write!(out, "</table>");
    if let Some(b) = &p.baseline {
        let (a, bv) = (p.totals.objective_value, b.totals.objective_value);
        let max = a.max(bv).max(1e-9);
        let bar = |y: u32, v: f64, label: &str, color: &str| {
            format!(
                "<rect x=\"160\" y=\"{y}\" width=\"{:.1}\" height=\"28\" fill=\"{color}\"/>\
<text x=\"150\" y=\"{}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{}\">{v:.0}</text>",
                400.0 * v / max,
                y + 19,
                escape(label),
                168.0 + 400.0 * v / max,
                y + 19
            )
        };
        let _ = write!(
            out,
            "<h2>{} (expected)</h2><svg width=\"640\" height=\"90\" role=\"img\" aria-label=\"plan vs baseline\">{}{}</svg>",
            p.objective.as_str(),
            bar(8, a, "this plan", "#2a7"),
            bar(48, bv, "one macro post", "#999")
        );
    }
    let _ = write!(
        out,
        "<p class=\"note\">Expected engagements = followers × ER; CPE = cost / expected engagements; \
authentic engagements = engagements × (1 - suspicious-follower share). Made by kith.</p></body></html>"
    );
    String::from_utf8(out).unwrap_or_default()
}
