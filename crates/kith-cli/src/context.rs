//! What every command shares: the workspace location, output mode, colour,
//! progress bars, and how errors become messages and exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes, after BSD `sysexits.h`, so scripts can tell failures apart.
pub mod exit {
    /// Bad command-line usage (clap uses 2 as well).
    pub const USAGE: u8 = 2;
    /// An input file breaks the import contract (`FILE:LINE:COLUMN` given).
    pub const DATA: u8 = 65;
    /// An input file, workspace or account does not exist.
    pub const NO_INPUT: u8 = 66;
    /// An output file or workspace cannot be created (it already exists).
    pub const CANT_CREATE: u8 = 73;
    /// Another process holds the workspace; try again shortly.
    pub const TEMP_FAIL: u8 = 75;
    /// A bug in kith: please report it.
    pub const SOFTWARE: u8 = 70;
    /// Reading or writing failed (disk full, permissions).
    pub const IO: u8 = 74;
    /// `kith.toml` (or another settings file) is invalid.
    pub const CONFIG: u8 = 78;
}

/// An error that knows its exit code. Commands return it through `anyhow`;
/// anything else exits with 1.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn error(code: u8, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(CliError {
            code,
            message: message.into(),
        })
    }
}

/// Options every command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Workspace directory [default: the current directory].
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "KITH_WORKSPACE",
        value_name = "DIR"
    )]
    pub workspace: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bars or notes on stderr.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// When to use colour: auto (a terminal without NO_COLOR), always, never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Resolved global options.
pub struct Context {
    pub workspace_dir: PathBuf,
    pub json: bool,
    pub quiet: bool,
    pub color: bool,
}

impl Context {
    pub fn new(args: &GlobalArgs) -> Context {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Context {
            workspace_dir: args.workspace.clone().unwrap_or_else(|| PathBuf::from(".")),
            json: args.json,
            quiet: args.quiet,
            color,
        }
    }

    /// Whether to draw progress bars: stderr is a terminal and not `--quiet`.
    pub fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// Wraps text in bold when colour is on.
    pub fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Prints an error (as JSON with `--json`) and turns it into an exit code.
    pub fn report_error(&self, err: &anyhow::Error) -> ExitCode {
        let code = err.downcast_ref::<CliError>().map(|e| e.code).unwrap_or(1);
        let mut message = err.to_string();
        for cause in err.chain().skip(1) {
            message.push_str(&format!(": {cause}"));
        }
        if self.json {
            eprintln!(
                "{}",
                serde_json::json!({ "error": message, "exit_code": code })
            );
        } else {
            let prefix = if self.color {
                "\x1b[1;31merror\x1b[0m"
            } else {
                "error"
            };
            eprintln!("{prefix}: {message}");
        }
        ExitCode::from(code)
    }
}

impl Context {
    /// Opens the workspace named by `--workspace` (or `KITH_WORKSPACE`, or
    /// the current directory).
    pub fn workspace(&self) -> anyhow::Result<kith_store::Workspace> {
        kith_store::Workspace::open(&self.workspace_dir).map_err(store_error)
    }
}

/// A store error with the exit code that says what kind of failure it is.
pub fn store_error(err: kith_store::StoreError) -> anyhow::Error {
    use kith_store::StoreError as E;
    let code = match &err {
        E::NotAWorkspace(_) | E::NotFound(_) => exit::NO_INPUT,
        E::AlreadyAWorkspace(_) => exit::CANT_CREATE,
        E::Settings(_) => exit::CONFIG,
        E::Busy(_) => exit::TEMP_FAIL,
        E::Io { .. } | E::Corrupt { .. } => exit::IO,
        E::Invalid(_) => exit::DATA,
    };
    CliError::error(code, err.to_string())
}

/// An input-file error: a located contract breach is bad data, an unreadable
/// file is missing input.
pub fn input_error(err: kith_io::Error) -> anyhow::Error {
    let code = if err.line.is_none() && !err.path.exists() {
        exit::NO_INPUT
    } else {
        exit::DATA
    };
    CliError::error(code, err.to_string())
}
