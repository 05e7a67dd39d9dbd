//! `kith import KIND FILE...`: rows into the world, all or nothing.

use crate::context::{Context, input_error, store_error};
use crate::progress::ImportProgress;
use kith_io::{ReadOptions, Record};
use kith_model::{Account, Customer, Follow, HistoryPoint, Interaction, Platform, Post};
use kith_store::Import;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Accounts,
    Posts,
    Follows,
    Interactions,
    History,
    Customers,
}

#[derive(clap::Args)]
#[command(
    after_help = "Files are CSV with a header row (any column order) or JSON Lines (.jsonl), either \
optionally gzip-compressed; SNAP edge lists with --snap. The columns of each kind are in docs/formats.md.

An import is all or nothing: the first row that breaks the format stops it with FILE:LINE:COLUMN and \
what is wrong, and the workspace is left exactly as it was. Re-importing a row updates it by key; \
empty cells keep what is stored.

Examples:
  kith import accounts accounts.csv.gz
  kith import posts posts.jsonl --platform instagram
  kith import follows --snap edges.txt.gz --platform x"
)]
pub struct Args {
    /// What the files hold.
    #[arg(value_enum)]
    pub kind: Kind,
    /// Input files (CSV, JSON Lines, SNAP edge lists; .gz allowed).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Platform of rows that do not name one (and of SNAP ids).
    #[arg(long, short = 'p')]
    pub platform: Option<Platform>,
    /// Skip columns this kind does not know instead of failing.
    #[arg(long)]
    pub ignore_unknown: bool,
    /// The files are SNAP edge lists (follows only): two integer ids a line.
    #[arg(long)]
    pub snap: bool,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    if args.snap && args.kind != Kind::Follows {
        return Err(crate::context::CliError::error(
            crate::context::exit::USAGE,
            "--snap reads edge lists, which hold follows: use `kith import follows --snap FILE`",
        ));
    }
    let ws = ctx.workspace()?;
    let started = Instant::now();
    let mut imp = ws.begin_import().map_err(store_error)?;
    let progress = kith_io::Progress::for_files(&args.files);
    let bar = ImportProgress::start(ctx, progress.clone());
    let opts = ReadOptions {
        platform: args.platform,
        ignore_unknown: args.ignore_unknown,
        progress: Some(progress),
    };
    let mut rows = 0u64;
    for file in &args.files {
        let n = match args.kind {
            Kind::Follows if args.snap => read_snap(&mut imp, file, &opts, args.platform)?,
            Kind::Accounts => read::<Account>(&mut imp, file, &opts, |imp, b| {
                imp.add_accounts(b).map(drop)
            })?,
            Kind::Posts => read::<Post>(&mut imp, file, &opts, Import::add_posts)?,
            Kind::Follows => read::<Follow>(&mut imp, file, &opts, Import::add_follows)?,
            Kind::Interactions => {
                read::<Interaction>(&mut imp, file, &opts, Import::add_interactions)?
            }
            Kind::History => read::<HistoryPoint>(&mut imp, file, &opts, Import::add_history)?,
            Kind::Customers => read::<Customer>(&mut imp, file, &opts, Import::add_customers)?,
        };
        rows += n;
    }
    let kind = format!("{:?}", args.kind).to_lowercase();
    imp.record(
        &kind,
        args.files.iter().map(|f| f.display().to_string()).collect(),
        rows,
    );
    let parsed = started.elapsed();
    let summary = imp
        .commit(&mut |stage| bar.stage(stage))
        .map_err(store_error)?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    let rate = rows as f64 / secs.max(1e-9);
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({
                "kind": kind,
                "files": args.files,
                "rows": rows,
                "seconds": secs,
                "parse_seconds": parsed.as_secs_f64(),
                "rows_per_second": rate,
                "generation": summary.generation,
                "new_accounts_seen": summary.new_nodes,
                "world": summary.manifest.counts,
            })
        );
    } else {
        let c = &summary.manifest.counts;
        println!(
            "Imported {rows} {kind} rows from {} file(s) in {secs:.2} s ({}/s); {} new handles.",
            args.files.len(),
            crate::progress::human_count(rate),
            summary.new_nodes
        );
        println!(
            "World: {} accounts ({} handles seen), {} posts, {} follows, {} interactions, {} history points, {} customers.",
            c.accounts, c.nodes, c.posts, c.follows, c.interactions, c.history_points, c.customers
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read<T: Record>(
    imp: &mut Import,
    file: &std::path::Path,
    opts: &ReadOptions,
    mut add: impl FnMut(&mut Import, Vec<T>) -> Result<(), kith_store::StoreError>,
) -> anyhow::Result<u64> {
    feed(file, |batch_sink| {
        kith_io::read_records::<T>(file, opts, |batch| batch_sink(add(imp, batch)))
    })
}

/// Runs a reader whose batches go into the import, keeping a store error
/// (exit by its kind) apart from a bad-input error (65 or 66).
fn feed(
    file: &std::path::Path,
    read: impl FnOnce(
        &mut dyn FnMut(Result<(), kith_store::StoreError>) -> Result<(), kith_io::Error>,
    ) -> Result<u64, kith_io::Error>,
) -> anyhow::Result<u64> {
    let mut failure = None;
    let result = read(&mut |added| {
        added.map_err(|e| {
            let message = e.to_string();
            failure = Some(e);
            kith_io::Error::new(file, message)
        })
    });
    match (result, failure) {
        (_, Some(store)) => Err(store_error(store)),
        (Err(e), None) => Err(input_error(e)),
        (Ok(n), None) => Ok(n),
    }
}

fn read_snap(
    imp: &mut Import,
    file: &std::path::Path,
    opts: &ReadOptions,
    platform: Option<Platform>,
) -> anyhow::Result<u64> {
    let platform = platform.unwrap_or(Platform::Other);
    feed(file, |batch_sink| {
        kith_io::read_snap(file, opts, |batch| {
            batch_sink(imp.add_snap_edges(platform, batch))
        })
    })
}
