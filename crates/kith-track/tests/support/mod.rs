//! Test support shared by kith-track's and kith-server's integration tests:
//! a real PostgreSQL server for the PostgreSQL half of the suite.
//!
//! `KITH_TEST_POSTGRES_URL` (a server URL whose user may create databases)
//! is used when set. Otherwise the first test that asks starts a private
//! server from the machine's PostgreSQL binaries in a temporary directory,
//! on 127.0.0.1 and a free port, with a watchdog process that stops it and
//! removes its files once the test process ends. Each test gets a fresh
//! database. Where no server can be had the tests say so and skip, unless
//! `KITH_REQUIRE_POSTGRES=1` (CI), which turns the skip into a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// A URL of a fresh, empty PostgreSQL database, or `None` (after saying why)
/// when no server can be had and skipping is allowed.
pub async fn fresh_postgres_db(test: &str) -> Option<String> {
    let server = match SERVER.get_or_init(|| match std::env::var("KITH_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => start_private_server(),
    }) {
        Ok(url) => url.clone(),
        Err(why) => {
            if std::env::var("KITH_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("{test}: PostgreSQL is required (KITH_REQUIRE_POSTGRES=1) but: {why}");
            }
            eprintln!("SKIPPED {test} on PostgreSQL: {why}");
            return None;
        }
    };
    let name = format!(
        "kith_test_{}_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed),
        test.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect::<String>()
            .to_lowercase()
    );
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {server}: {e}"));
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    Some(replace_database(&server, &name))
}

fn replace_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server, String::new()),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..authority_end])
}

fn find_binary(name: &str) -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    from_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
            .filter(|p| p.is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn start_private_server() -> Result<String, String> {
    let initdb = find_binary("initdb").ok_or("no initdb on PATH or in /usr/lib/postgresql")?;
    let pg_ctl = find_binary("pg_ctl").ok_or("no pg_ctl")?;
    let as_root = is_root();
    // PostgreSQL refuses to run as root: run it as the `postgres` user.
    if as_root && !user_exists("postgres") {
        return Err("running as root and there is no postgres user".into());
    }
    let dir = std::env::temp_dir().join(format!("kith-pg-{}-{}", std::process::id(), nanos()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let run = |program: &Path, args: &[&str]| -> Result<(), String> {
        let mut cmd = if as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed: {}{}",
                program.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    if as_root {
        let ok = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !ok.success() {
            return Err("cannot chown the data directory to postgres".into());
        }
    }
    let data = dir.join("data");
    let data_s = data.to_str().ok_or("temp dir is not UTF-8")?;
    run(
        &initdb,
        &["-D", data_s, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
    )?;
    let port = free_port()?;
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
        dir.display()
    );
    let log = dir.join("server.log");
    run(
        &pg_ctl,
        &[
            "-D",
            data_s,
            "-o",
            &options,
            "-l",
            log.to_str().unwrap_or("/dev/null"),
            "-w",
            "start",
        ],
    )?;
    // The watchdog outlives this process by design: it stops the server and
    // removes its files once the test process is gone.
    let stop = if as_root {
        format!(
            "runuser -u postgres -- {} -D {data_s} -m immediate stop",
            pg_ctl.display()
        )
    } else {
        format!("{} -D {data_s} -m immediate stop", pg_ctl.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    use std::os::unix::process::CommandExt;
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the watchdog: {e}"))?;
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg(name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}
