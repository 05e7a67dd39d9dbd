use crate::context::Context;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    Err(ctx.not_built_yet())
}
