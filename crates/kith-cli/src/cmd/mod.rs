//! One module per subcommand (or group). Each exposes its clap arguments and
//! `run(&Args, &Context) -> anyhow::Result<ExitCode>`.

pub mod advocates;
pub mod audience;
pub mod authenticity;
pub mod curve;
pub mod demo;
pub mod demo_referrals;
pub mod demo_report;
pub mod discover;
pub mod eval;
pub mod graph;
pub mod import;
pub mod info;
pub mod init;
pub mod inspect;
pub mod keys;
pub mod plan;
pub mod program;
pub mod score;
pub mod serve;
