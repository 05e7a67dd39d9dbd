//! `kith discover --brief FILE`: the ranked shortlist, every score term with
//! its contribution and evidence; and the brief and seed loading `plan`
//! shares.

use crate::cmd::score::vetting_model;
use crate::context::{CliError, Context, exit, input_error, store_error};
use kith_analytics::Vetting;
use kith_analytics::discover::{DiscoverOptions, Seeds, Shortlist, discover};
use kith_model::{Brief, Customer, Settings};
use kith_store::World;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "The score is Σ weight × term / Σ weights over relevance, network fit, \
engagement (ER index), authenticity, saturation and tier fit, each in [0, 1] (unknown counts \
0.5). Weights come from kith.toml [weights], overridden by the brief's [weights]. \
docs/discovery.md writes every formula out and has a worked brief.

Examples:
  kith discover --brief brief.toml
  kith discover --brief brief.toml --limit 100 --csv > shortlist.csv
  kith discover --brief brief.toml --include-flagged --json"
)]
pub struct Args {
    /// The brief (TOML; see docs/discovery.md).
    #[arg(long, short = 'b', value_name = "FILE")]
    pub brief: PathBuf,
    /// Rows to show.
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Keep accounts with red flags that would leave them out (they are marked).
    #[arg(long)]
    pub include_flagged: bool,
    /// Print CSV (one row per account, one column per term).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

/// Reads and checks a brief.
pub fn load_brief(path: &Path, settings: &Settings) -> anyhow::Result<Brief> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::error(
            exit::NO_INPUT,
            format!("{}: cannot read the brief: {e}", path.display()),
        )
    })?;
    Brief::from_toml(&text, &path.display().to_string(), settings)
        .map_err(|e| CliError::error(exit::DATA, e.to_string()))
}

/// The brief's seeds and its seeds file's customers, resolved in the world.
pub fn load_seeds(world: &World, brief: &Brief, brief_path: &Path) -> anyhow::Result<Seeds> {
    let mut specs = brief.seeds.clone();
    if let Some(file) = &brief.seeds_file {
        let path = if file.is_relative() {
            brief_path.parent().unwrap_or(Path::new(".")).join(file)
        } else {
            file.clone()
        };
        let customers: Vec<Customer> =
            kith_io::read_all(&path, &kith_io::ReadOptions::default()).map_err(input_error)?;
        specs.extend(customers.iter().filter_map(|c| {
            let handle = c.handle.as_deref()?;
            let platform = c.platform?;
            Some(format!(
                "{platform}:{}",
                kith_model::text::normalize_handle(handle)
            ))
        }));
    }
    Ok(Seeds::resolve(world, brief, &specs))
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let ws = ctx.workspace()?;
    let brief = load_brief(&args.brief, ws.settings())?;
    let world = ws.world().map_err(store_error)?;
    let seeds = load_seeds(&world, &brief, &args.brief)?;
    let (model, source) = vetting_model(&ws)?;
    let spinner = crate::progress::spinner(ctx, "vetting the population");
    let vetting = Vetting::build(&world, ws.settings(), &model, source, None);
    spinner.set_message("ranking");
    let opts = DiscoverOptions {
        limit: args.limit,
        include_flagged: args.include_flagged,
    };
    let shortlist = discover(&vetting, &brief, &seeds, &opts);
    spinner.finish_and_clear();
    if ctx.json {
        println!("{}", serde_json::to_string_pretty(&shortlist)?);
    } else if args.csv {
        write_csv(&shortlist)?;
    } else {
        print_shortlist(&shortlist, ctx, true);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_csv(s: &Shortlist) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header: Vec<String> = ["rank", "account", "followers", "tier", "score"]
        .map(String::from)
        .to_vec();
    if let Some(r) = s.rows.first() {
        for t in &r.terms {
            header.push(t.name.to_string());
            header.push(format!("{}_contribution", t.name));
        }
    }
    header.extend(
        [
            "matched",
            "audience_hits",
            "coverage",
            "precision",
            "ppr",
            "is_seed",
            "red_flags",
            "er",
            "authentic_share",
            "price",
            "expected_engagements",
        ]
        .map(String::from),
    );
    w.write_record(&header)?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    for r in &s.rows {
        let mut rec = vec![
            r.rank.to_string(),
            r.account.clone(),
            r.followers.map_or(String::new(), |f| f.to_string()),
            r.tier.clone().unwrap_or_default(),
            format!("{:.6}", r.score),
        ];
        for t in &r.terms {
            rec.push(opt(t.value));
            rec.push(format!("{:.6}", t.contribution));
        }
        rec.extend([
            r.matched
                .iter()
                .map(|(t, c)| format!("{t}:{c}"))
                .collect::<Vec<_>>()
                .join(" "),
            r.audience_hits.to_string(),
            format!("{}", r.coverage),
            format!("{}", r.precision),
            format!("{}", r.ppr),
            r.is_seed.to_string(),
            r.red_flags.join(" "),
            opt(r.er),
            opt(r.authentic_share),
            opt(r.price),
            opt(r.expected_engagements),
        ]);
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The shortlist as a table, then why for each row.
pub fn print_shortlist(s: &Shortlist, ctx: &Context, why: bool) {
    if let Some(name) = &s.brief {
        println!("{}", ctx.bold(&format!("Shortlist: {name}")));
    }
    let seeds = &s.seeds;
    let source = match seeds.source {
        "brief" => "the brief's seeds",
        "customers" => "the workspace's customers",
        _ => "the most relevant accounts (the brief has no seeds)",
    };
    println!(
        "target audience: {} accounts ({} seeds from {source} and their followers); data as of {}",
        seeds.audience_size, seeds.resolved, s.as_of
    );
    if !seeds.missing.is_empty() {
        println!(
            "  {} seeds are not in the world: {}",
            seeds.missing.len(),
            seeds
                .missing
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "scanned {} accounts; {} matched the topic or reach the audience; {} vetted in full",
        s.scanned, s.candidates, s.vetted
    );
    if !s.left_out.is_empty() {
        println!("left out:");
        for (reason, n) in &s.left_out {
            println!("  {n:>8}  {reason}");
        }
    }
    println!();
    println!(
        "{:>4}  {:<32} {:>9} {:<6} {:>6}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
        "rank", "account", "followers", "tier", "score", "rel", "net", "eng", "auth", "sat", "tier"
    );
    let cell = |t: &kith_analytics::discover::Term| {
        t.value.map_or("  ?".to_string(), |v| format!("{v:.2}"))
    };
    for r in &s.rows {
        let mut account = r.account.clone();
        if r.is_seed {
            account.push_str(" *");
        }
        println!(
            "{:>4}  {:<32} {:>9} {:<6} {:>6.3}  {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
            r.rank,
            truncate(&account, 32),
            r.followers.map_or("?".to_string(), |f| f.to_string()),
            r.tier.as_deref().unwrap_or("?"),
            r.score,
            cell(&r.terms[0]),
            cell(&r.terms[1]),
            cell(&r.terms[2]),
            cell(&r.terms[3]),
            cell(&r.terms[4]),
            cell(&r.terms[5]),
        );
    }
    if s.rows.iter().any(|r| r.is_seed) {
        println!("  * one of the brand's own audience (a seed): a customer advocate");
    }
    if why {
        println!();
        println!("{}", ctx.bold("Why"));
        for r in s.rows.iter().take(10) {
            println!("{:>4}. {}", r.rank, r.account);
            for t in &r.terms {
                println!(
                    "        {:<13} {:>5} × {:.2} = {:.3}  {}",
                    t.name,
                    t.value.map_or("?".into(), |v| format!("{v:.2}")),
                    t.weight,
                    t.contribution,
                    t.detail
                );
            }
            if !r.red_flags.is_empty() {
                println!("        red flags: {}", r.red_flags.join(", "));
            }
        }
        if s.rows.len() > 10 {
            println!("  (--json or --csv for the evidence of every row)");
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
