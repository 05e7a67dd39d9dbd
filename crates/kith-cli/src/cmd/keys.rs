use crate::context::Context;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {}

pub fn run(_command: &Command, ctx: &Context) -> anyhow::Result<ExitCode> {
    Err(ctx.not_built_yet())
}
