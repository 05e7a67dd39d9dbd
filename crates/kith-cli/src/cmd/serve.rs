//! `kith serve`: the HTTP server (API, redirects, stats pages, metrics).

use crate::context::{CliError, Context, exit};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Serves the JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json), tracked links \
at /{slug}, partner stats pages, /healthz and /metrics until Ctrl-C or SIGTERM. \
Make an API key first: kith keys create --scope admin"
)]
pub struct Args {
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub bind: String,
    /// Operations database: a SQLite path, sqlite://PATH or postgres://... [default: the workspace's kith.db].
    #[arg(long, env = "KITH_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
    /// Take visitors' addresses from X-Forwarded-For (only behind a proxy you run).
    #[arg(long)]
    pub behind_proxy: bool,
    /// Do not send webhooks or approve due commissions in this process (run one process that does).
    #[arg(long)]
    pub no_background: bool,
}

pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let (database, settings) =
        super::program::database_and_settings(ctx, args.database.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::error(exit::SOFTWARE, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            .json()
            .with_writer(std::io::stderr)
            .try_init();
        let db = super::program::connect(&database).await?;
        let listener = tokio::net::TcpListener::bind(&args.bind)
            .await
            .map_err(|e| {
                let code = match e.kind() {
                    std::io::ErrorKind::InvalidInput => exit::USAGE,
                    _ => exit::IO,
                };
                CliError::error(code, format!("cannot listen on {}: {e}", args.bind))
            })?;
        let address = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        if ctx.json {
            println!("{}", serde_json::json!({ "listening": address }));
        } else if !ctx.quiet {
            println!(
                "kith serving on http://{address} (API at /api/v1, OpenAPI at /api/v1/openapi.json)"
            );
        }
        let config = kith_server::Config {
            tracking: settings.tracking.clone(),
            trust_forwarded_for: args.behind_proxy,
            background_tasks: !args.no_background,
        };
        kith_server::serve(listener, db.clone(), config)
            .await
            .map_err(|e| CliError::error(exit::IO, format!("server failed: {e}")))?;
        db.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
