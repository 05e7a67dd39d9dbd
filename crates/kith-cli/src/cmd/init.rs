//! `kith init [DIR]`: a new workspace.

use crate::context::{CliError, Context, exit, store_error};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "A workspace is a directory: kith.toml (settings, every one written out with its default \
and a comment), world/ (accounts, posts, graphs) and kith.db (programs, links, events; SQLite)."
)]
pub struct Args {
    /// Directory to make the workspace in (created if missing) [default: --workspace or the current directory].
    pub dir: Option<PathBuf>,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| ctx.workspace_dir.clone());
    let ws = kith_store::Workspace::init(&dir).map_err(store_error)?;
    kith_track::init_sqlite(&ws.db_path())
        .map_err(|e| CliError::error(exit::IO, format!("{}: {e}", ws.db_path().display())))?;
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({
                "workspace": dir,
                "settings": dir.join(kith_store::SETTINGS_FILE),
                "world": dir.join(kith_store::WORLD_DIR),
                "database": ws.db_path(),
            })
        );
    } else {
        println!("Made a kith workspace in {}", dir.display());
        println!("  kith.toml  settings (edit any; each has its default and a comment)");
        println!("  world/     accounts, posts, follows, interactions, history, customers");
        println!("  kith.db    programs, partners, links, events (SQLite)");
        println!();
        println!(
            "Next: kith -w {} import accounts accounts.csv",
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
