//! `kith program`: referral and affiliate programs from the command line:
//! programs, partners, links, codes, reward rules, campaigns and reports.
//! The same operations as the HTTP API, on the same database.

use crate::context::{CliError, Context, exit};
use kith_model::Settings;
use kith_track::keys::DEFAULT_WORKSPACE;
use kith_track::links::{CodeInput, LinkInput};
use kith_track::partners::{CampaignInput, Partner, PartnerInput};
use kith_track::programs::{Program, ProgramInput};
use kith_track::rules::RuleInput;
use kith_track::util::{parse_time, to_minor};
use kith_track::{Db, Error};
use std::future::Future;
use std::process::ExitCode;

/// Where the program data lives.
#[derive(clap::Args, Clone)]
pub struct Target {
    /// Operations database: a SQLite path, sqlite://PATH or postgres://... [default: the workspace's kith.db].
    #[arg(long, env = "KITH_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
    /// Tenant (a workspace inside a shared database); API keys of this tenant see the data.
    #[arg(long, default_value = DEFAULT_WORKSPACE, value_name = "NAME")]
    pub tenant: String,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// Make a program.
    Create {
        /// The program's name (unique in the tenant).
        name: String,
        /// ISO 4217 currency [default: tracking.currency in kith.toml].
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// Days commissions wait (for refunds) before approval [default: tracking.holding_days].
        #[arg(long, value_name = "DAYS")]
        holding_days: Option<u32>,
        /// A lead binds to a click or code at most this many days old [default: tracking.attribution_window_days].
        #[arg(long, value_name = "DAYS")]
        attribution_window_days: Option<u32>,
        #[command(flatten)]
        target: Target,
    },
    /// List programs.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Add a partner (influencer or customer advocate) to a program.
    Partner {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        /// The partner's name (codes made from {NAME} use it).
        name: String,
        /// influencer or customer (a customer advocate).
        #[arg(long, default_value = "influencer", value_parser = ["influencer", "customer"])]
        kind: String,
        /// The partner's e-mail (the self-referral fraud rule compares it).
        #[arg(long, value_name = "ADDRESS")]
        email: Option<String>,
        /// Platform of the partner's account (instagram, tiktok, x, ...).
        #[arg(long)]
        platform: Option<String>,
        /// The partner's handle on that platform.
        #[arg(long)]
        handle: Option<String>,
        /// Followers (the coupon-leak fraud rule uses it).
        #[arg(long, value_name = "FOLLOWERS")]
        audience: Option<u64>,
        #[command(flatten)]
        target: Target,
    },
    /// List a program's partners.
    Partners {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        #[command(flatten)]
        target: Target,
    },
    /// Make a tracked link /{slug} for a partner.
    Link {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        /// Partner id or name.
        #[arg(long, value_name = "PARTNER")]
        partner: String,
        /// Where the link leads (http or https URL).
        destination: String,
        /// The link's path [default: eight random characters].
        #[arg(long)]
        slug: Option<String>,
        /// Campaign id the link belongs to.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// utm_source added to the destination.
        #[arg(long, value_name = "TEXT")]
        utm_source: Option<String>,
        /// utm_medium added to the destination.
        #[arg(long, value_name = "TEXT")]
        utm_medium: Option<String>,
        /// utm_campaign added to the destination.
        #[arg(long, value_name = "TEXT")]
        utm_campaign: Option<String>,
        /// When the link stops counting (RFC 3339, e.g. 2027-01-31T23:59:59Z); it then answers 410.
        #[arg(long, value_name = "TIME")]
        expires: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Make promo or referral codes for a partner.
    Code {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        /// Partner id or name.
        #[arg(long, value_name = "PARTNER")]
        partner: String,
        /// A fixed code, such as BEN5.
        #[arg(long, conflicts_with = "pattern")]
        code: Option<String>,
        /// A pattern: {NAME} is the partner's name, {RANDOM} six random characters [default: {NAME}{RANDOM}].
        #[arg(long)]
        pattern: Option<String>,
        /// promo (a discount the partner shares) or referral.
        #[arg(long, default_value = "referral", value_parser = ["promo", "referral"])]
        kind: String,
        /// How many codes to make (more than one needs {RANDOM} in the pattern).
        #[arg(long, default_value_t = 1, value_name = "N")]
        count: u32,
        /// Each code attributes one customer only.
        #[arg(long)]
        single_use: bool,
        /// Campaign id the codes belong to.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Add a reward rule.
    Rule {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        /// The event that earns.
        #[arg(long, value_parser = ["click", "lead", "sale"])]
        event: String,
        /// flat (--amount per event) or percent (--percent of the sale).
        #[arg(long, value_parser = ["flat", "percent"])]
        kind: String,
        /// referrer (the partner) or referred (the customer they brought).
        #[arg(long, default_value = "referrer", value_parser = ["referrer", "referred"])]
        side: String,
        /// Flat amount in major units of the program's currency (5.00).
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: Option<f64>,
        /// Percentage of the sale (10 = 10%).
        #[arg(long, value_name = "PERCENT", allow_negative_numbers = true)]
        percent: Option<f64>,
        /// Partner group id: the rule applies to that group's partners only.
        #[arg(long, value_name = "ID")]
        group: Option<String>,
        /// Most one beneficiary earns from this rule per --cap-period, in major units.
        #[arg(
            long,
            requires = "cap_period",
            value_name = "AMOUNT",
            allow_negative_numbers = true
        )]
        cap: Option<f64>,
        /// The cap's period (calendar, UTC).
        #[arg(long, value_parser = ["day", "week", "month", "year"], value_name = "PERIOD")]
        cap_period: Option<String>,
        /// Sale rules: only sales within this many 30-day months of the customer's attribution earn.
        #[arg(long, value_name = "MONTHS")]
        max_recurring_months: Option<u32>,
        /// Holding period of this rule's commissions [default: the program's].
        #[arg(long, value_name = "DAYS")]
        holding_days: Option<u32>,
        #[command(flatten)]
        target: Target,
    },
    /// Make a campaign.
    Campaign {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        /// The campaign's name.
        name: String,
        /// What the campaign is for.
        #[arg(long, default_value = "sales", value_parser = ["awareness", "engagement", "sales"])]
        goal: String,
        /// Budget in major units of the program's currency.
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        budget: Option<f64>,
        #[command(flatten)]
        target: Target,
    },
    /// Clicks, leads, sales, revenue, commissions, CPA and ROI per partner.
    Report {
        /// Program id or name.
        #[arg(long, value_name = "PROGRAM")]
        program: String,
        /// Report one campaign (its id) instead of the whole program.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// Output format (--json also gives json).
        #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
        format: String,
        #[command(flatten)]
        target: Target,
    },
}

/// The database address and settings for a command: `--database` (or
/// `KITH_DATABASE_URL`) or the workspace's `kith.db`; settings from the
/// workspace's `kith.toml` when there is one.
pub fn database_and_settings(
    ctx: &Context,
    database: Option<&str>,
) -> anyhow::Result<(String, Settings)> {
    match database {
        Some(url) => {
            let settings = ctx
                .workspace()
                .map(|w| w.settings().clone())
                .unwrap_or_default();
            Ok((url.to_string(), settings))
        }
        None => {
            let ws = ctx.workspace()?;
            let path = ws.db_path();
            let url = path
                .to_str()
                .ok_or_else(|| CliError::error(exit::IO, "workspace path is not UTF-8"))?
                .to_string();
            Ok((url, ws.settings().clone()))
        }
    }
}

/// An operations error with the exit code of its kind.
pub fn track_error(e: Error) -> anyhow::Error {
    let code = match &e {
        Error::Invalid(_) | Error::Conflict(_) => exit::DATA,
        Error::NotFound(_) => exit::NO_INPUT,
        Error::Database(_) => exit::IO,
    };
    CliError::error(code, e.to_string())
}

/// Opens the operations database (migrating it); a malformed address is a
/// usage error, an unreachable database an I/O error.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    Db::connect(url).await.map_err(|e| match e {
        Error::Invalid(m) => CliError::error(exit::USAGE, m),
        other => CliError::error(exit::IO, other.to_string()),
    })
}

/// Connects, runs `f`, closes.
pub fn with_db<F, Fut>(url: &str, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = anyhow::Result<ExitCode>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::error(exit::SOFTWARE, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let db = connect(url).await?;
        let result = f(db.clone()).await;
        db.close().await;
        result
    })
}

async fn resolve_program(db: &Db, ws: &str, text: &str) -> anyhow::Result<Program> {
    if text.starts_with("prg_")
        && let Ok(p) = db.program(ws, text).await
    {
        return Ok(p);
    }
    db.program_by_name(ws, text).await.map_err(|e| match e {
        Error::NotFound(_) => CliError::error(
            exit::NO_INPUT,
            format!("no program with id or name {text:?} (kith program list shows them)"),
        ),
        other => track_error(other),
    })
}

/// A partner of `program` by id, or by name when exactly one has it.
async fn resolve_partner(
    db: &Db,
    ws: &str,
    program: &Program,
    text: &str,
) -> anyhow::Result<Partner> {
    let partners = db
        .list_partners(ws, &program.id)
        .await
        .map_err(track_error)?;
    if let Some(p) = partners.iter().find(|p| p.id == text) {
        return Ok(p.clone());
    }
    let named: Vec<&Partner> = partners.iter().filter(|p| p.name == text).collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(CliError::error(
            exit::NO_INPUT,
            format!(
                "program {:?} has no partner with id or name {text:?} (kith program partners --program {:?} shows them)",
                program.name, program.name
            ),
        )),
        many => Err(CliError::error(
            exit::USAGE,
            format!(
                "{} partners are named {text:?}: give an id ({})",
                many.len(),
                many.iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn print<T: serde::Serialize>(
    ctx: &Context,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

/// A major-unit amount given as `flag` in minor units of `currency`.
fn minor(flag: &str, amount: Option<f64>, currency: &str) -> anyhow::Result<Option<u64>> {
    amount
        .map(|a| {
            to_minor(a, currency)
                .map(|m| m as u64)
                .map_err(|e| CliError::error(exit::USAGE, format!("{flag}: {e}")))
        })
        .transpose()
}

fn target_of(command: &Command) -> &Target {
    match command {
        Command::Create { target, .. }
        | Command::List { target }
        | Command::Partner { target, .. }
        | Command::Partners { target, .. }
        | Command::Link { target, .. }
        | Command::Code { target, .. }
        | Command::Rule { target, .. }
        | Command::Campaign { target, .. }
        | Command::Report { target, .. } => target,
    }
}

pub fn run(command: &Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    let target = target_of(command);
    let (url, settings) = database_and_settings(ctx, target.database.as_deref())?;
    with_db(&url, |db| async move {
        let ws = db
            .ensure_workspace(&target.tenant)
            .await
            .map_err(track_error)?
            .id;
        run_on(command, ctx, &db, &ws, &settings).await
    })
}

async fn run_on(
    command: &Command,
    ctx: &Context,
    db: &Db,
    ws: &str,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Create {
            name,
            currency,
            holding_days,
            attribution_window_days,
            ..
        } => {
            let input = ProgramInput {
                name: Some(name.clone()),
                currency: currency.clone(),
                holding_days: *holding_days,
                attribution_window_days: *attribution_window_days,
                ..Default::default()
            };
            let p = db
                .create_program(ws, &input, &settings.tracking)
                .await
                .map_err(track_error)?;
            print(ctx, &p, || format!("{}  {} ({})", p.id, p.name, p.currency))?;
        }
        Command::List { .. } => {
            let programs = db.list_programs(ws).await.map_err(track_error)?;
            print(ctx, &programs, || {
                programs
                    .iter()
                    .map(|p| format!("{}  {} ({})", p.id, p.name, p.currency))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Partner {
            program,
            name,
            kind,
            email,
            platform,
            handle,
            audience,
            ..
        } => {
            let program = resolve_program(db, ws, program).await?;
            let input = PartnerInput {
                name: Some(name.clone()),
                kind: Some(kind.clone()),
                email: email.clone(),
                platform: platform.clone(),
                handle: handle.clone(),
                audience_size: *audience,
                ..Default::default()
            };
            let p = db
                .create_partner(ws, &program.id, &input)
                .await
                .map_err(track_error)?;
            print(ctx, &p, || format!("{}  {} ({})", p.id, p.name, p.kind))?;
        }
        Command::Partners { program, .. } => {
            let program = resolve_program(db, ws, program).await?;
            let partners = db
                .list_partners(ws, &program.id)
                .await
                .map_err(track_error)?;
            print(ctx, &partners, || {
                partners
                    .iter()
                    .map(|p| format!("{}  {} ({})", p.id, p.name, p.kind))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Link {
            program,
            partner,
            destination,
            slug,
            campaign,
            utm_source,
            utm_medium,
            utm_campaign,
            expires,
            ..
        } => {
            let program = resolve_program(db, ws, program).await?;
            let partner = resolve_partner(db, ws, &program, partner).await?;
            let expires_at = expires
                .as_deref()
                .map(parse_time)
                .transpose()
                .map_err(|e| CliError::error(exit::USAGE, format!("--expires: {e}")))?;
            let input = LinkInput {
                partner_id: Some(partner.id.clone()),
                campaign_id: campaign.clone(),
                slug: slug.clone(),
                destination: Some(destination.clone()),
                utm_source: utm_source.clone(),
                utm_medium: utm_medium.clone(),
                utm_campaign: utm_campaign.clone(),
                expires_at,
                ..Default::default()
            };
            let l = db.create_link(ws, &input).await.map_err(track_error)?;
            print(ctx, &l, || {
                format!("{}  /{} -> {}", l.id, l.slug, l.destination)
            })?;
        }
        Command::Code {
            program,
            partner,
            code,
            pattern,
            kind,
            count,
            single_use,
            campaign,
            ..
        } => {
            let program = resolve_program(db, ws, program).await?;
            let partner = resolve_partner(db, ws, &program, partner).await?;
            let input = CodeInput {
                partner_id: partner.id.clone(),
                campaign_id: campaign.clone(),
                kind: Some(kind.clone()),
                code: code.clone(),
                pattern: pattern.clone(),
                count: Some(*count),
                single_use: Some(*single_use),
                ..Default::default()
            };
            let codes = db.create_codes(ws, &input).await.map_err(track_error)?;
            print(ctx, &codes, || {
                codes
                    .iter()
                    .map(|c| format!("{}  {} ({})", c.id, c.code, c.kind))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        }
        Command::Rule {
            program,
            event,
            kind,
            side,
            amount,
            percent,
            group,
            cap,
            cap_period,
            max_recurring_months,
            holding_days,
            ..
        } => {
            let program = resolve_program(db, ws, program).await?;
            let percent_bp = percent
                .map(|p| {
                    if (0.0..=100.0).contains(&p) {
                        Ok((p * 100.0).round() as u32)
                    } else {
                        Err(CliError::error(
                            exit::USAGE,
                            format!("--percent must be between 0 and 100, got {p}"),
                        ))
                    }
                })
                .transpose()?;
            let input = RuleInput {
                group_id: group.clone(),
                side: Some(side.clone()),
                event: Some(event.clone()),
                kind: Some(kind.clone()),
                amount_minor: minor("--amount", *amount, &program.currency)?,
                percent_bp,
                cap_minor: minor("--cap", *cap, &program.currency)?,
                cap_period: cap_period.clone(),
                max_recurring_months: *max_recurring_months,
                holding_days: *holding_days,
            };
            let r = db
                .create_rule(ws, &program.id, &input)
                .await
                .map_err(track_error)?;
            print(ctx, &r, || {
                format!("{}  {} {} on {}", r.id, r.side, r.kind, r.event)
            })?;
        }
        Command::Campaign {
            program,
            name,
            goal,
            budget,
            ..
        } => {
            let program = resolve_program(db, ws, program).await?;
            let input = CampaignInput {
                name: Some(name.clone()),
                goal: Some(goal.clone()),
                budget_minor: minor("--budget", *budget, &program.currency)?,
                ..Default::default()
            };
            let c = db
                .create_campaign(ws, &program.id, &input)
                .await
                .map_err(track_error)?;
            print(ctx, &c, || format!("{}  {} ({})", c.id, c.name, c.goal))?;
        }
        Command::Report {
            program,
            campaign,
            format,
            ..
        } => {
            let program = resolve_program(db, ws, program).await?;
            let window = i64::from(settings.tracking.unique_click_window_hours);
            let report = match campaign {
                Some(c) => {
                    let campaign = db.campaign(ws, c).await.map_err(track_error)?;
                    if campaign.program_id != program.id {
                        return Err(CliError::error(
                            exit::USAGE,
                            format!(
                                "campaign {c} belongs to another program than {:?}",
                                program.name
                            ),
                        ));
                    }
                    db.campaign_report(ws, c, window).await
                }
                None => db.program_report(ws, &program.id, window).await,
            }
            .map_err(track_error)?;
            if ctx.json || format == "json" {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if format == "csv" {
                print!("{}", report.to_csv());
            } else {
                print_table(&report);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(report: &kith_track::reports::Report) {
    let money = |m: i64| kith_track::util::to_major(m, &report.currency);
    let ratio = |r: Option<f64>| r.map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into());
    println!(
        "{:<24} {:>8} {:>6} {:>8} {:>6} {:>6} {:>12} {:>12} {:>10} {:>8} {:>9}",
        "partner",
        "clicks",
        "bots",
        "unique",
        "leads",
        "sales",
        "revenue",
        "commissions",
        "cpa",
        "rev_roi",
        "media_roi"
    );
    for r in report.rows.iter().chain(std::iter::once(&report.totals)) {
        println!(
            "{:<24} {:>8} {:>6} {:>8} {:>6} {:>6} {:>12.2} {:>12.2} {:>10} {:>8} {:>9}",
            r.partner_name.chars().take(24).collect::<String>(),
            r.clicks_human,
            r.clicks_bot,
            r.unique_clicks_human,
            r.leads,
            r.sales,
            money(r.revenue_minor),
            money(r.commissions_minor),
            r.cpa_minor
                .map(|c| format!("{:.2}", money(c)))
                .unwrap_or_else(|| "-".into()),
            ratio(r.revenue_roi),
            ratio(r.media_roi),
        );
    }
    println!(
        "amounts in {}; clicks: human clicks (bots: flagged bot clicks); unique per {} h; \
         cpa = cost / sales; rev_roi = (revenue - cost) / cost; media_roi = (EMV - cost) / cost",
        report.currency, report.unique_click_window_hours
    );
}
