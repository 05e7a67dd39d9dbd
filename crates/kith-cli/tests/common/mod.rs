//! The `kith` binary as every CLI test starts it: cut off from the caller's
//! environment (a workspace or database named there would be used instead
//! of the test's own), without colour and without a terminal on stdin.

use std::process::{Command, Stdio};

pub fn kith_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kith"));
    command
        .env_remove("KITH_DATABASE_URL")
        .env_remove("KITH_WORKSPACE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}
