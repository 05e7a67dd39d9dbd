//! `kith advocates --brief FILE`: the brand's customers with an account,
//! ranked by their reach into the target audience and by what their
//! referral links and codes already brought (from the operations database);
//! and the referral-history loading `plan` and `demo` share.

use crate::cmd::discover::{load_brief, load_seeds};
use crate::cmd::program::{Target, connect, database_and_settings, track_error};
use crate::cmd::score::vetting_model;
use crate::context::{CliError, Context, exit, store_error};
use kith_analytics::Vetting;
use kith_analytics::discover::Audience;
use kith_analytics::discover::advocates::{
    AdvocateRanking, PartnerRecord, Referrals, rank_advocates,
};
use kith_store::World;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "score = (w_reach · reach + w_referral · referral) / (w_reach + w_referral), with \
reach = ln(1 + target-audience followers) / ln(1 + the most any advocate has) and referral the same \
for referred sales (kith.db: sales bound to the customer's partner records, not refunded in full). \
Weights: kith.toml discovery.advocate_reach_weight and advocate_referral_weight (0.5 each). \
Partners are matched to accounts by platform and handle, else by customer id. Advocates with a \
red flag of discovery.exclude_flags or a referral commission rejected as fraud are left out \
unless --include-flagged. docs/discovery.md has the details.

Examples:
  kith advocates --brief brief.toml
  kith advocates --brief brief.toml --limit 100 --csv > advocates.csv
  kith advocates --brief brief.toml --database postgres://kith@db/kith --tenant acme --json"
)]
pub struct Args {
    /// The brief (TOML; see docs/discovery.md): its seeds make the target audience.
    #[arg(long, short = 'b', value_name = "FILE")]
    pub brief: PathBuf,
    /// Rows to show.
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Keep advocates with red flags that would leave them out (they are marked).
    #[arg(long)]
    pub include_flagged: bool,
    /// Print CSV, one row per advocate.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    #[command(flatten)]
    pub target: Target,
}

/// Where the referral history came from.
#[derive(Debug, Clone, Serialize)]
pub struct HistorySource {
    /// The database read, or none.
    pub database: Option<String>,
    /// Partner records read.
    pub partner_records: usize,
    /// Why there is no history, when there is none.
    pub note: Option<String>,
}

/// Every partner's referral history, matched to the world's accounts. With
/// no `--database` and no kith.db in the workspace there is no history
/// (discovery works before any tracking).
pub fn load_referrals(
    ctx: &Context,
    world: &World,
    target: &Target,
) -> anyhow::Result<(Referrals, HistorySource)> {
    if target.database.is_none() && !ctx.workspace()?.db_path().exists() {
        return Ok((
            Referrals::default(),
            HistorySource {
                database: None,
                partner_records: 0,
                note: Some("no operations database (kith.db) yet: ranked by reach".into()),
            },
        ));
    }
    let (url, _) = database_and_settings(ctx, target.database.as_deref())?;
    referrals_from_db(world, &url, &target.tenant)
}

/// Every partner's referral history in database `url` (tenant `tenant`),
/// matched to the world's accounts.
pub fn referrals_from_db(
    world: &World,
    url: &str,
    tenant: &str,
) -> anyhow::Result<(Referrals, HistorySource)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::error(exit::SOFTWARE, format!("cannot start the runtime: {e}")))?;
    let partners = runtime.block_on(async {
        let db = connect(url).await?;
        let result = async {
            let ws = db.ensure_workspace(tenant).await.map_err(track_error)?;
            db.referral_history(&ws.id).await.map_err(track_error)
        }
        .await;
        db.close().await;
        result
    })?;
    let referrals = Referrals::match_records(
        world,
        partners.iter().map(|p| PartnerRecord {
            platform: p.platform.as_deref(),
            handle: p.handle.as_deref(),
            customer_ref: p.customer_ref.as_deref(),
            history: &p.history,
        }),
    );
    // A PostgreSQL address may hold a password.
    let shown = if url.starts_with("postgres") {
        "postgres".to_string()
    } else {
        url.to_string()
    };
    Ok((
        referrals,
        HistorySource {
            database: Some(shown),
            partner_records: partners.len(),
            note: partners
                .is_empty()
                .then(|| "no partners in the operations database yet: ranked by reach".into()),
        },
    ))
}

#[derive(Serialize)]
struct Output<'a> {
    history: &'a HistorySource,
    #[serde(flatten)]
    ranking: &'a AdvocateRanking,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let brief = load_brief(&args.brief, ws.settings())?;
    let world = ws.world().map_err(store_error)?;
    let seeds = load_seeds(&world, &brief, &args.brief)?;
    let (referrals, source) = load_referrals(ctx, &world, &args.target)?;
    let (model, model_source) = vetting_model(&ws)?;
    let spinner = crate::progress::spinner(ctx, "vetting the customers");
    let vetting = Vetting::build(&world, ws.settings(), &model, model_source, None);
    let audience = Audience::build(&world, &seeds.nodes);
    let mut ranking = rank_advocates(
        &vetting,
        &brief,
        &audience,
        &referrals,
        args.include_flagged,
    );
    spinner.finish_and_clear();
    if ranking.with_account == 0 {
        return Err(CliError::error(
            exit::NO_INPUT,
            "no customer has an account on the brief's platforms in the world: import a \
customers file with platform and handle columns (docs/formats.md)",
        ));
    }
    ranking.rows.truncate(args.limit);
    if ctx.json {
        let out = Output {
            history: &source,
            ranking: &ranking,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if args.csv {
        write_csv(&ranking)?;
    } else {
        print_ranking(&ranking, &source, ctx);
    }
    Ok(ExitCode::SUCCESS)
}

fn revenue_text(revenue: &std::collections::BTreeMap<String, f64>) -> String {
    revenue
        .iter()
        .map(|(c, v)| format!("{v:.2} {c}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn write_csv(r: &AdvocateRanking) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record([
        "rank",
        "account",
        "customer_ids",
        "followers",
        "tier",
        "target_reach",
        "er",
        "authentic_share",
        "expected_target_engagements",
        "referral_clicks",
        "referral_leads",
        "referral_sales",
        "referral_revenue",
        "commissions_held",
        "commissions_rejected",
        "reach_term",
        "referral_term",
        "score",
        "red_flags",
    ])?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    for a in &r.rows {
        let h = a.referrals.clone().unwrap_or_default();
        w.write_record([
            a.rank.to_string(),
            a.account.clone(),
            a.customer_ids.join(";"),
            a.followers.to_string(),
            a.tier.clone().unwrap_or_default(),
            a.target_reach.to_string(),
            opt(a.er),
            format!("{}", a.authentic_share),
            opt(a.expected_target_engagements),
            h.clicks_human.to_string(),
            h.leads.to_string(),
            h.sales.to_string(),
            revenue_text(&h.revenue),
            h.commissions_held.to_string(),
            h.commissions_rejected.to_string(),
            format!("{:.6}", a.reach_term),
            format!("{:.6}", a.referral_term),
            format!("{:.6}", a.score),
            a.red_flags.join(";"),
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn print_ranking(r: &AdvocateRanking, source: &HistorySource, ctx: &Context) {
    println!(
        "{}",
        ctx.bold(&format!(
            "Customer advocates: {} customers, {} with an account on the brief's platforms, {} with referral history",
            r.customers, r.with_account, r.with_history
        ))
    );
    match (&source.database, &source.note) {
        (_, Some(note)) => println!("{note}"),
        (Some(db), None) => println!(
            "referral history from {db}: {} partner records, {} matched to no account",
            source.partner_records, r.unmatched_partners
        ),
        (None, None) => {}
    }
    println!(
        "score = ({} × reach + {} × referral) / {}",
        r.reach_weight,
        r.referral_weight,
        r.reach_weight + r.referral_weight
    );
    println!();
    println!(
        "{:>4} {:<30} {:>9} {:>8} {:>9} {:>7} {:>6} {:>6} {:>14} {:>6}",
        "rank",
        "account",
        "followers",
        "target",
        "exp. eng.",
        "clicks",
        "leads",
        "sales",
        "revenue",
        "score"
    );
    for a in &r.rows {
        let h = a.referrals.clone().unwrap_or_default();
        println!(
            "{:>4} {:<30} {:>9} {:>8} {:>9} {:>7} {:>6} {:>6} {:>14} {:>6.3}{}",
            a.rank,
            a.account,
            a.followers,
            a.target_reach,
            a.expected_target_engagements
                .map_or("-".into(), |v| format!("{v:.1}")),
            h.clicks_human,
            h.leads,
            h.sales,
            if h.revenue.is_empty() {
                "-".into()
            } else {
                revenue_text(&h.revenue)
            },
            a.score,
            if a.red_flags.is_empty() {
                String::new()
            } else {
                format!("  [{}]", a.red_flags.join(", "))
            }
        );
    }
    if !r.excluded.is_empty() {
        let parts: Vec<String> = r.excluded.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!(
            "\nleft out: {} (--include-flagged lists them, marked)",
            parts.join(", ")
        );
    }
}
