//! `kith inspect HANDLE`: one account's vetting report, for a marketer to
//! read and act on: tier, each metric against peers, red flags with their
//! evidence.

use crate::cmd::score::{parse_time, vetting_model};
use crate::context::{CliError, Context, exit};
use kith_analytics::figure::{Figure, percent};
use kith_analytics::{AccountReport, Vetting};
use kith_model::Platform;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Every figure shows its value with a 95% interval where one exists, the \
sample it rests on and a confidence level; \"not enough data\" says why a figure is missing. \
docs/vetting.md writes every formula out.

Examples:
  kith inspect instagram:anna.trails
  kith inspect anna.trails --platform instagram --json"
)]
pub struct Args {
    /// The account: platform:handle, or a handle (with --platform when
    /// several platforms have it).
    pub handle: String,
    #[arg(long, short = 'p')]
    pub platform: Option<Platform>,
    /// Judge the data as of this time (RFC 3339 or Unix seconds)
    /// [default: the newest post, interaction or history day in the world].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<i64>,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let world = ws
        .world()
        .map_err(|e| CliError::error(exit::IO, e.to_string()))?;
    let id = match args.platform {
        Some(p) => world.lookup(p, &args.handle).ok_or_else(|| {
            CliError::error(
                exit::NO_INPUT,
                format!("no account {p}:{} in the world", args.handle),
            )
        })?,
        None => world
            .resolve(&args.handle)
            .map_err(|e| CliError::error(exit::NO_INPUT, e.to_string()))?,
    };
    let (model, source) = vetting_model(&ws)?;
    let vetting = Vetting::build(&world, ws.settings(), &model, source, args.as_of);
    let report = vetting.report(id);
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, ctx);
    }
    Ok(ExitCode::SUCCESS)
}

fn line(label: &str, f: &Figure, format: impl Fn(f64) -> String) {
    let value = f.display_with(&format);
    let sample = if f.value.is_some() {
        format!(
            "  ({} {}, {} confidence)",
            f.sample_size,
            f.sample_unit,
            f.confidence.as_str()
        )
    } else {
        String::new()
    };
    println!("  {label:<26} {value}{sample}");
}

fn ratio(v: f64) -> String {
    format!("{v:.2}x")
}

fn print_report(r: &AccountReport, ctx: &Context) {
    let a = &r.account;
    let show = |v: Option<u64>| v.map_or("unknown".to_string(), |v| v.to_string());
    println!(
        "{}",
        ctx.bold(&format!(
            "{}:{}{}",
            a.platform,
            a.handle,
            a.name.as_ref().map_or(String::new(), |n| format!(" ({n})"))
        ))
    );
    println!(
        "  {} followers, following {}, {} posts ({} in the world); tier {}; as of {}",
        show(a.followers),
        show(a.following),
        show(a.posts),
        a.posts_in_world,
        a.tier.as_deref().unwrap_or("unknown"),
        kith_model::time::format_time(r.as_of)
    );

    println!("{}", ctx.bold("Engagement against peers"));
    let e = &r.engagement;
    line("ER (median, default)", &e.er_followers_median, percent);
    line("ER (mean)", &e.er_followers_mean, percent);
    line("ER on views", &e.er_views, percent);
    if let Some(exp) = e.expected_er {
        println!("  {:<26} {}", "peers' median ER", percent(exp));
    }
    line("ER index (ER / peers')", &e.er_index, ratio);
    if let Some(p) = e.peer_percentile {
        println!(
            "  {:<26} engages better than {:.0}% of same-size peers",
            "peer percentile",
            p * 100.0
        );
    }
    println!("  window: {}", e.er_followers_median.window);

    println!("{}", ctx.bold("Authenticity"));
    let au = &r.authenticity;
    match au.fake_probability {
        Some(p) => println!("  {:<26} {p:.2} ({})", "own fake probability", au.model),
        None => println!(
            "  {:<26} not enough data: no profile",
            "own fake probability"
        ),
    }
    let s = &au.suspicious_followers;
    let range = match (s.share.value, s.share.interval) {
        (Some(_), Some([lo, hi])) => format!("{} to {}", percent(lo), percent(hi)),
        _ => s.share.display_with(percent),
    };
    println!("  {:<26} {range}", "suspicious followers");
    println!("  {:<26} {}", "", s.share.window);
    line("follower anomalies", &au.follower_growth.figure, |v| {
        format!("{v:.0} day(s)")
    });
    line("following anomalies", &au.following_growth.figure, |v| {
        format!("{v:.0} day(s)")
    });
    if !au.pod_members.is_empty() {
        println!("  {:<26} {}", "engagement pod", au.pod_members.join(", "));
    }

    println!("{}", ctx.bold("Conversation"));
    let c = &r.conversation;
    line("reply rate", &c.reply_rate, percent);
    line("reciprocity", &c.reciprocity, percent);
    line(
        "engagement from non-followers",
        &c.non_follower_engagement,
        percent,
    );
    for (i, name) in c.top_interlocutors.iter().zip(&r.interlocutor_names) {
        println!(
            "  talks with {name}: {} to them, {} from them",
            i.to_them, i.from_them
        );
    }

    println!("{}", ctx.bold("Brand saturation"));
    let sat = &r.saturation;
    line("sponsored share", &sat.sponsored_share, percent);
    line("brands promoted", &sat.brands_promoted, |v| {
        format!("{v:.0}")
    });
    if !sat.brands.is_empty() {
        println!("  {:<26} {}", "", sat.brands.join(", "));
    }
    line("paid post performance", &sat.paid_post_performance, ratio);

    if r.red_flags.is_empty() {
        println!("{}", ctx.bold("No red flags."));
    } else {
        println!(
            "{}",
            ctx.bold(&format!("Red flags ({})", r.red_flags.len()))
        );
        for f in &r.red_flags {
            println!("  [{}] {}", f.kind, f.message);
            for ev in f.evidence.iter().take(8) {
                println!("      {} {}: {}", ev.kind, ev.id, ev.detail);
            }
            if f.evidence.len() > 8 {
                println!(
                    "      ... and {} more (--json lists all)",
                    f.evidence.len() - 8
                );
            }
        }
    }
}
