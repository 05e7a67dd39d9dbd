//! `kith score`: the vetting metrics of every account, computed in parallel,
//! to CSV or JSON Lines (optionally gzip-compressed). Also the helpers the
//! other vetting commands share (workspace, model, observation time).

use crate::context::{CliError, Context, exit};
use kith_analytics::authenticity::{AuthenticityModel, WORKSPACE_MODEL_FILE};
use kith_analytics::world::SCORE_COLUMNS;
use kith_analytics::{ScoreRow, Vetting};
use kith_model::Platform;
use kith_store::Workspace;
use rayon::prelude::*;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
#[command(
    after_help = "Columns: see docs/vetting.md (each is a figure of `kith inspect`; empty or null \
means not enough data). The output format follows the file name: .csv, .jsonl, either with .gz. \
Without --out, CSV goes to standard output.

Parquet is not built in: its Rust implementation (arrow) would double kith's build time; convert \
the CSV with any Parquet tool.

The state over all accounts (fake probabilities, engagement curves, pods) is computed by the first \
vetting command after an import and kept in world/gen-N/cache/; later runs read it (at 1M accounts: \
about 13 s for the first run, 8 s after). Delete that directory to force a recomputation.

Examples:
  kith score --out scores.csv.gz
  kith score --platform instagram --out scores.jsonl"
)]
pub struct Args {
    /// Output file (.csv, .jsonl, optionally .gz) [default: CSV on stdout].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only accounts of this platform.
    #[arg(long, short = 'p')]
    pub platform: Option<Platform>,
    /// Judge the data as of this time (RFC 3339 or Unix seconds)
    /// [default: the newest post, interaction or history day in the world].
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub as_of: Option<i64>,
}

pub fn parse_time(s: &str) -> Result<i64, String> {
    kith_model::time::parse_time(s)
}

/// The workspace's own model (`kith authenticity train`) if it has one,
/// else the shipped default; with a name for reports.
pub fn vetting_model(ws: &Workspace) -> anyhow::Result<(AuthenticityModel, String)> {
    let path = ws.dir().join(WORKSPACE_MODEL_FILE);
    if path.exists() {
        let model = crate::cmd::authenticity::load_model(&path)?;
        Ok((model, path.display().to_string()))
    } else {
        Ok((
            AuthenticityModel::default_model(),
            "the model shipped with kith".to_string(),
        ))
    }
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let ws = ctx.workspace()?;
    let world = ws
        .world()
        .map_err(|e| CliError::error(exit::IO, e.to_string()))?;
    let (model, source) = vetting_model(&ws)?;
    let note = |s: &str| {
        if !ctx.quiet {
            eprintln!("{s}");
        }
    };
    let vetting = Vetting::build(&world, ws.settings(), &model, source, args.as_of);
    let prepared = started.elapsed();
    let ids: Vec<u32> = vetting
        .accounts()
        .into_iter()
        .filter(|&id| args.platform.is_none_or(|p| world.platform(id) == p))
        .collect();

    let mut sink = Sink::open(args.out.as_deref())?;
    // Chunks keep memory flat and the output in node order while every
    // chunk's reports run in parallel; a second thread computes the next
    // chunk while this one writes (formatting a million CSV rows is
    // serial, so it would otherwise idle every core but one).
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
        let vetting = &vetting;
        let ids = &ids;
        let format = sink.format;
        scope.spawn(move || {
            for chunk in ids.chunks(50_000) {
                // Rows are encoded where they are computed, in parallel:
                // the writer thread only copies bytes.
                let encoded: Vec<Vec<u8>> = chunk
                    .par_chunks(1_000)
                    .map(|ids| {
                        // A CSV row is about 340 bytes; room for 400 avoids regrowing.
                        let mut out = Vec::with_capacity(ids.len() * 400);
                        for &id in ids {
                            format.encode(&vetting.score_row(id), &mut out);
                        }
                        out
                    })
                    .collect();
                if tx.send(encoded).is_err() {
                    break; // the writer failed and said why
                }
            }
        });
        for encoded in rx {
            sink.write(&encoded)?;
        }
        Ok(())
    })?;
    sink.finish()?;
    note(&format!(
        "scored {} accounts in {:.1} s ({:.1} s population-wide: fake probabilities, curves, pods{}), as of {}",
        ids.len(),
        started.elapsed().as_secs_f64(),
        prepared.as_secs_f64(),
        if vetting.from_cache {
            ", read from the world's cache"
        } else {
            ""
        },
        kith_model::time::format_time(vetting.as_of)
    ));
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Jsonl,
}

impl Format {
    fn encode(self, row: &ScoreRow, out: &mut Vec<u8>) {
        match self {
            Format::Csv => row.write_csv(out),
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, row).expect("rows serialise");
                out.push(b'\n');
            }
        }
    }
}

struct Sink {
    format: Format,
    out: Box<dyn Write>,
    path: Option<PathBuf>,
}

impl Sink {
    fn open(path: Option<&Path>) -> anyhow::Result<Sink> {
        let Some(path) = path else {
            let out: Box<dyn Write> = Box::new(BufWriter::new(std::io::stdout().lock()));
            return Sink::new(Format::Csv, out, None);
        };
        let name = path.to_string_lossy().to_lowercase();
        let base = name.strip_suffix(".gz").unwrap_or(&name);
        let format = if base.ends_with(".csv") {
            Format::Csv
        } else if base.ends_with(".jsonl") || base.ends_with(".ndjson") {
            Format::Jsonl
        } else if base.ends_with(".parquet") {
            return Err(CliError::error(
                exit::USAGE,
                "Parquet output is not built into kith (see `kith score --help`); write .csv or .jsonl",
            ));
        } else {
            return Err(CliError::error(
                exit::USAGE,
                format!(
                    "{}: cannot tell the format from the name: use .csv or .jsonl, optionally + .gz",
                    path.display()
                ),
            ));
        };
        let file = std::fs::File::create(path)
            .map_err(|e| CliError::error(exit::IO, format!("{}: {e}", path.display())))?;
        let out: Box<dyn Write> = if name.ends_with(".gz") {
            Box::new(flate2::write::GzEncoder::new(
                BufWriter::new(file),
                flate2::Compression::fast(),
            ))
        } else {
            Box::new(BufWriter::new(file))
        };
        Sink::new(format, out, Some(path.to_path_buf()))
    }

    fn new(format: Format, out: Box<dyn Write>, path: Option<PathBuf>) -> anyhow::Result<Sink> {
        let mut sink = Sink { format, out, path };
        if let Format::Csv = format {
            // The header from the column list, so that an empty world still
            // gives a well-formed file (no column name needs quoting).
            let header = format!("{}\n", SCORE_COLUMNS.join(","));
            if let Err(e) = sink.out.write_all(header.as_bytes()) {
                return Err(sink.io_err(e));
            }
        }
        Ok(sink)
    }

    fn io_err(&self, e: impl std::fmt::Display) -> anyhow::Error {
        let name = self
            .path
            .as_ref()
            .map_or("standard output".to_string(), |p| p.display().to_string());
        CliError::error(exit::IO, format!("{name}: {e}"))
    }

    fn write(&mut self, encoded: &[Vec<u8>]) -> anyhow::Result<()> {
        for bytes in encoded {
            if let Err(e) = self.out.write_all(bytes) {
                return Err(self.io_err(e));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.io_err(e)),
        }
    }
}
