//! `kith keys`: API keys for the HTTP API.

use crate::context::{CliError, Context, exit};
use kith_track::keys::{DEFAULT_WORKSPACE, Scope};
use std::process::ExitCode;

/// Which database holds the keys.
#[derive(clap::Args)]
pub struct Database {
    /// Operations database: a SQLite path, sqlite://PATH or postgres://... [default: the workspace's kith.db].
    #[arg(long, env = "KITH_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// Make a key and print it once (only its hash is stored).
    Create {
        /// admin (everything), read (reads), or track (report leads, sales, refunds).
        #[arg(long, value_name = "SCOPE", value_parser = ["admin", "read", "track"])]
        scope: String,
        /// A name to tell keys apart.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Tenant (a workspace inside a shared database) the key belongs to and sees.
        #[arg(long, default_value = DEFAULT_WORKSPACE, value_name = "NAME")]
        tenant: String,
        #[command(flatten)]
        db: Database,
    },
    /// List keys of every tenant (never the keys themselves).
    List {
        #[command(flatten)]
        db: Database,
    },
    /// Revoke a key by its id (servers stop accepting it within 30 seconds).
    Revoke {
        /// The key's id (key_..., as `kith keys list` shows), not the key.
        id: String,
        #[command(flatten)]
        db: Database,
    },
}

pub fn run(command: &Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    let database = match command {
        Command::Create { db, .. } | Command::List { db } | Command::Revoke { db, .. } => {
            db.database.as_deref()
        }
    };
    let (url, _) = super::program::database_and_settings(ctx, database)?;
    super::program::with_db(&url, |db| async move {
        match command {
            Command::Create {
                scope,
                name,
                tenant,
                ..
            } => {
                let scope =
                    Scope::parse(scope).map_err(|e| CliError::error(exit::USAGE, e.to_string()))?;
                let (info, key) = db
                    .create_api_key(tenant, scope, name)
                    .await
                    .map_err(super::program::track_error)?;
                if ctx.json {
                    println!("{}", serde_json::json!({ "key": key, "info": info }));
                } else {
                    println!("{key}");
                    if !ctx.quiet {
                        eprintln!(
                            "API key {} (scope {}, tenant {}). Shown once: store it now. \
                             Send it as Authorization: Bearer KEY",
                            info.id,
                            scope.as_str(),
                            info.workspace
                        );
                    }
                }
            }
            Command::List { .. } => {
                let keys = db
                    .list_api_keys()
                    .await
                    .map_err(super::program::track_error)?;
                if ctx.json {
                    println!("{}", serde_json::to_string_pretty(&keys)?);
                } else {
                    for k in keys {
                        let state = if k.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        };
                        println!(
                            "{}  {:<6} {:<12} {:<8} {}",
                            k.id,
                            k.scope.as_str(),
                            k.workspace,
                            state,
                            k.name
                        );
                    }
                }
            }
            Command::Revoke { id, .. } => {
                db.revoke_api_key(id)
                    .await
                    .map_err(super::program::track_error)?;
                if ctx.json {
                    println!("{}", serde_json::json!({ "revoked": id }));
                } else if !ctx.quiet {
                    println!("revoked {id} (servers stop accepting it within 30 seconds)");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
