//! `kith curve`: the expected engagement-rate curve by follower count, per
//! platform, measured on the accounts the world holds.

use crate::cmd::score::parse_time;
use crate::context::{CliError, Context, exit};
use kith_analytics::curve::ErCurve;
use kith_model::Platform;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Each band holds accounts whose follower count lies in [from, to); its value \
is the median er_followers_median of the accounts pooled from the band and its neighbours \
(curve.smoothing_bands, widened until curve.min_band_accounts accounts are pooled), with the \
median's 95% interval and the quartiles. docs/vetting.md writes the formulas out.

Examples:
  kith curve --platform instagram
  kith curve --csv > curve.csv"
)]
pub struct Args {
    /// Only this platform's curve.
    #[arg(long, short = 'p')]
    pub platform: Option<Platform>,
    /// Print CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
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
    let as_of = args
        .as_of
        .unwrap_or_else(|| kith_analytics::data_as_of(&world));
    let curves = kith_analytics::fit_curves(&world, ws.settings(), as_of);
    let curves: Vec<&ErCurve> = curves
        .iter()
        .filter(|(p, _)| args.platform.is_none_or(|want| want == **p))
        .map(|(_, c)| c)
        .collect();
    if curves.is_empty() {
        return Err(CliError::error(
            exit::NO_INPUT,
            match args.platform {
                Some(p) => format!("no {p} account has both a follower count and posts with engagement"),
                None => "no account has both a follower count and posts with engagement: import accounts and posts first".to_string(),
            },
        ));
    }
    let fmt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.6}"));
    if ctx.json {
        let out = serde_json::json!({
            "as_of": kith_model::time::format_time(as_of),
            "variant": "er_followers_median",
            "curves": curves,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if args.csv {
        println!(
            "platform,followers_from,followers_to,accounts,pooled_accounts,er_median,er_median_lo,er_median_hi,er_p25,er_p75"
        );
        for c in &curves {
            for b in &c.bands {
                println!(
                    "{},{},{},{},{},{},{},{},{},{}",
                    c.platform,
                    b.followers_from,
                    b.followers_to,
                    b.accounts,
                    b.pooled_accounts,
                    fmt(b.er_median),
                    fmt(b.er_median_interval.map(|i| i[0])),
                    fmt(b.er_median_interval.map(|i| i[1])),
                    fmt(b.er_p25),
                    fmt(b.er_p75)
                );
            }
        }
    } else {
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.2}%", v * 100.0));
        for c in &curves {
            println!(
                "{}",
                ctx.bold(&format!(
                    "{}: median ER (er_followers_median) by follower band, {} accounts, as of {}",
                    c.platform,
                    c.accounts,
                    kith_model::time::format_time(as_of)
                ))
            );
            println!(
                "{:>21}  {:>8}  {:>6}  {:>8}  {:>19}  {:>8}  {:>8}",
                "followers", "accounts", "pooled", "median", "95% interval", "p25", "p75"
            );
            for b in &c.bands {
                let interval = b.er_median_interval.map_or("-".to_string(), |[lo, hi]| {
                    format!("{} to {}", pct(Some(lo)), pct(Some(hi)))
                });
                println!(
                    "{:>9} to {:>9}  {:>8}  {:>6}  {:>8}  {:>19}  {:>8}  {:>8}",
                    b.followers_from,
                    b.followers_to,
                    b.accounts,
                    b.pooled_accounts,
                    pct(b.er_median),
                    interval,
                    pct(b.er_p25),
                    pct(b.er_p75)
                );
            }
            println!();
        }
        println!(
            "Bands pool their neighbours until {} accounts are reached; '-' means fewer than that within a decade.",
            ws.settings().curve.min_band_accounts
        );
    }
    Ok(ExitCode::SUCCESS)
}
