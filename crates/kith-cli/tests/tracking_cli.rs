//! The tracking half of the `kith` binary, run as a user runs it: `init`,
//! `keys`, `program ...` and `kith serve`, spoken to over real HTTP, on
//! SQLite and on PostgreSQL; and bad input, which must end with a non-zero
//! exit code and a message that names the problem.

#[path = "../../kith-track/tests/support/mod.rs"]
mod support;

mod common;

use common::kith_command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn kith(args: &[&str]) -> Output {
    kith_command().args(args).output().expect("run kith")
}

/// Runs kith, requires success, returns stdout parsed as JSON.
fn kith_json(args: &[&str]) -> Value {
    let out = kith(args);
    assert!(
        out.status.success(),
        "kith {args:?} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "kith {args:?}: stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Runs kith, requires the exit code `code` and a message on stderr that
/// contains `needle`.
fn kith_fails(args: &[&str], code: i32, needle: &str) {
    let out = kith(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "kith {args:?}: wanted exit {code}, stderr: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "kith {args:?}: stderr should mention {needle:?}: {stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "kith {args:?} panicked: {stderr}"
    );
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field} in {v}"))
}

/// A `kith serve` process, killed if still running when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(workspace: &Path, database: Option<&str>) -> Served {
        let mut cmd = kith_command();
        cmd.arg("-w")
            .arg(workspace)
            .args(["--json", "serve", "--bind", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(url) = database {
            cmd.args(["--database", url]);
        }
        let mut child = cmd.spawn().expect("start kith serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the listening line");
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("kith serve's first line is not JSON ({e}): {line:?}"));
        Served {
            child,
            addr: s(&info, "listening").to_string(),
        }
    }

    /// SIGTERM, then the exit status (graceful shutdown exits 0).
    fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("kith serve did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.0 request over a fresh connection (the server closes it
/// after the answer, so the body is whatever arrives until then).
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("receive");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

const BROWSER: (&str, &str) = (
    "User-Agent",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
);

/// Global options, the command, and `--database URL` when given.
fn argv(ws: &str, json: bool, db: Option<&str>, args: &[&str]) -> Vec<String> {
    let mut v = vec!["-w".to_string(), ws.to_string()];
    if json {
        v.push("--json".into());
    }
    v.extend(args.iter().map(|s| s.to_string()));
    if let Some(url) = db {
        v.push("--database".into());
        v.push(url.into());
    }
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The whole walk: keys, program, partner, rules, link, codes, campaign,
/// then a server that redirects (the click counts), takes a sale by the
/// partner's promo code, and the report that shows both. `db` is the
/// `--database` argument (None: the workspace's kith.db).
fn walkthrough(dir: &Path, db: Option<&str>) {
    let ws = dir.to_str().unwrap();
    let run = |args: &[&str]| kith_json(&strs(&argv(ws, true, db, args)));

    let admin = run(&["keys", "create", "--scope", "admin", "--name", "ops"]);
    let admin_key = s(&admin, "key").to_string();
    assert!(admin_key.starts_with("kith_"), "{admin}");
    assert_eq!(admin["info"]["scope"], "admin");
    let track = run(&["keys", "create", "--scope", "track"]);
    let track_key = s(&track, "key").to_string();

    let program = run(&[
        "program",
        "create",
        "Spring launch",
        "--currency",
        "eur",
        "--holding-days",
        "14",
    ]);
    let program_id = s(&program, "id").to_string();
    assert!(program_id.starts_with("prg_"), "{program}");
    assert_eq!(program["currency"], "EUR");
    assert_eq!(program["holding_days"], 14);
    assert_eq!(
        program["attribution_window_days"], 90,
        "default from kith.toml"
    );

    let partner = run(&[
        "program",
        "partner",
        "--program",
        "Spring launch",
        "Ana Trail",
        "--email",
        "ana@example.com",
        "--audience",
        "12000",
    ]);
    let partner_id = s(&partner, "id").to_string();
    assert_eq!(partner["program_id"], program_id.as_str());
    assert_eq!(partner["audience_size"], 12000);
    let partners = run(&["program", "partners", "--program", &program_id]);
    assert_eq!(partners.as_array().unwrap().len(), 1);

    let rule = run(&[
        "program",
        "rule",
        "--program",
        "Spring launch",
        "--event",
        "sale",
        "--kind",
        "percent",
        "--percent",
        "10",
    ]);
    assert_eq!(rule["percent_bp"], 1000);
    let flat = run(&[
        "program",
        "rule",
        "--program",
        "Spring launch",
        "--event",
        "lead",
        "--kind",
        "flat",
        "--amount",
        "5.00",
        "--side",
        "referred",
    ]);
    assert_eq!(flat["amount_minor"], 500);

    // The partner by name works as well as by id.
    let link = run(&[
        "program",
        "link",
        "--program",
        "Spring launch",
        "--partner",
        "Ana Trail",
        "https://shop.example/spring",
        "--slug",
        "ana-spring",
        "--utm-source",
        "ana",
    ]);
    assert_eq!(link["slug"], "ana-spring");
    assert_eq!(link["partner_id"], partner_id.as_str());
    let codes = run(&[
        "program",
        "code",
        "--program",
        &program_id,
        "--partner",
        &partner_id,
        "--pattern",
        "{NAME}10",
        "--kind",
        "promo",
    ]);
    assert_eq!(codes[0]["code"], "ANATRAIL10");
    let unique = run(&[
        "program",
        "code",
        "--program",
        &program_id,
        "--partner",
        &partner_id,
        "--pattern",
        "ANA-{RANDOM}",
        "--count",
        "5",
        "--single-use",
    ]);
    let unique: Vec<&str> = unique
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(unique.len(), 5);
    assert!(
        unique
            .iter()
            .all(|c| c.starts_with("ANA-") && c.len() == 10)
    );
    let campaign = run(&[
        "program",
        "campaign",
        "--program",
        "Spring launch",
        "Spring push",
        "--budget",
        "2500",
    ]);
    assert_eq!(campaign["budget_minor"], 250_000);

    let listed = run(&["keys", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|k| k.get("key").is_none()),
        "keys list shows no key"
    );
    assert!(listed.iter().any(|k| k["id"] == admin["info"]["id"]));

    // The server on the same database.
    let served = Served::start(dir, db);
    let addr = served.addr.clone();
    let health = http(&addr, "GET", "/healthz", &[], "");
    assert_eq!(health.status, 200, "{}", health.body);

    let redirect = http(&addr, "GET", "/ana-spring", &[BROWSER], "");
    assert_eq!(redirect.status, 302, "{}", redirect.body);
    let location = redirect.header("location").expect("Location").to_string();
    assert!(
        location.starts_with("https://shop.example/spring?")
            && location.contains("utm_source=ana")
            && location.contains("kith_click="),
        "{location}"
    );
    let cookie = redirect.header("set-cookie").expect("Set-Cookie");
    assert!(cookie.starts_with("kith_click="), "{cookie}");
    let missing = http(&addr, "GET", "/no-such-slug", &[BROWSER], "");
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["error"]["message"].is_string(),
        "{}",
        missing.body
    );

    // The CLI's program is the API's program, under the CLI's keys.
    let bearer = format!("Bearer {admin_key}");
    let programs = http(
        &addr,
        "GET",
        "/api/v1/programs",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(programs.status, 200, "{}", programs.body);
    assert!(programs.body.contains(&program_id), "{}", programs.body);
    let unauthorised = http(&addr, "GET", "/api/v1/programs", &[], "");
    assert_eq!(unauthorised.status, 401);

    let bearer = format!("Bearer {track_key}");
    let sale = format!(
        r#"{{"program_id":"{program_id}","customer_id":"cust-1","invoice_id":"inv-1","amount_minor":10000,"currency":"EUR","code":"anatrail10"}}"#
    );
    let posted = http(
        &addr,
        "POST",
        "/api/v1/track/sale",
        &[("Authorization", &bearer), ("Idempotency-Key", "sale-1")],
        &sale,
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let negative = sale.replace("10000", "-5").replace("inv-1", "inv-2");
    let refused = http(
        &addr,
        "POST",
        "/api/v1/track/sale",
        &[("Authorization", &bearer)],
        &negative,
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.json()["error"]["message"].is_string());

    let status = served.stop();
    assert!(status.success(), "kith serve after SIGTERM: {status:?}");

    // What the server wrote, as the CLI reports it.
    let report = run(&["program", "report", "--program", "Spring launch"]);
    assert_eq!(report["currency"], "EUR");
    let row = &report["rows"][0];
    assert_eq!(row["partner_id"], partner_id.as_str());
    assert_eq!(row["clicks_human"], 1, "{report}");
    assert_eq!(row["unique_clicks_human"], 1);
    assert_eq!(row["sales"], 1);
    assert_eq!(row["revenue_minor"], 10000);
    assert_eq!(row["commissions_minor"], 1000, "10% of 100.00 EUR");
    assert_eq!(row["cpa_minor"], 1000);
    assert!(report["definitions"]["revenue_roi"].is_string());
    assert_eq!(report["totals"]["sales"], 1);

    // Text and CSV for people and spreadsheets.
    let args = argv(
        ws,
        false,
        db,
        &["program", "report", "--program", "Spring launch"],
    );
    let table = kith(&strs(&args));
    assert!(table.status.success());
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("Ana Trail") && table.contains("all partners"),
        "{table}"
    );
    let args = argv(
        ws,
        false,
        db,
        &[
            "program",
            "report",
            "--program",
            "Spring launch",
            "--format",
            "csv",
        ],
    );
    let csv = kith(&strs(&args));
    assert!(csv.status.success());
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(
        csv.lines().count() >= 2 && csv.contains("Ana Trail"),
        "{csv}"
    );

    // A revoked key is gone for good; revoking twice says so.
    let key_id = s(&track["info"], "id").to_string();
    let revoked = run(&["keys", "revoke", &key_id]);
    assert_eq!(revoked["revoked"], key_id.as_str());
    kith_fails(
        &strs(&argv(ws, false, db, &["keys", "revoke", &key_id])),
        66,
        "not found",
    );
}

fn init_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = kith(&["init", dir.path().join("shop").to_str().unwrap()]);
    assert!(
        out.status.success(),
        "init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn walkthrough_on_sqlite() {
    let dir = init_workspace();
    walkthrough(&dir.path().join("shop"), None);
}

#[test]
fn walkthrough_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(url) = runtime.block_on(support::fresh_postgres_db("cli_walkthrough")) else {
        return;
    };
    let dir = init_workspace();
    walkthrough(&dir.path().join("shop"), Some(&url));
    // The workspace's own SQLite database was not touched.
    let local = kith_json(&[
        "-w",
        dir.path().join("shop").to_str().unwrap(),
        "--json",
        "program",
        "list",
    ]);
    assert_eq!(local, serde_json::json!([]));
}

#[test]
fn bad_input_exits_non_zero_with_a_message() {
    let dir = init_workspace();
    let shop = dir.path().join("shop");
    let ws = shop.to_str().unwrap();
    let nowhere = dir.path().join("nowhere");
    let nowhere = nowhere.to_str().unwrap();
    let fails = |args: &[&str], code: i32, needle: &str| {
        kith_fails(&strs(&argv(ws, false, None, args)), code, needle)
    };

    // No workspace: every command says where it looked.
    kith_fails(&["-w", nowhere, "program", "create", "X"], 66, "nowhere");
    kith_fails(
        &["-w", nowhere, "serve", "--bind", "127.0.0.1:0"],
        66,
        "nowhere",
    );
    kith_fails(&["-w", nowhere, "keys", "list"], 66, "nowhere");

    // Bad arguments are usage errors (2), caught before anything is written.
    fails(&["keys", "create", "--scope", "god"], 2, "god");
    fails(&["keys", "create"], 2, "--scope");
    fails(
        &["serve", "--database", "mysql://localhost/x"],
        2,
        "unsupported database address",
    );
    fails(&["serve", "--bind", "not-an-address"], 2, "not-an-address");

    // Bad data (65) or a missing record (66), named.
    fails(
        &["program", "create", "Shop", "--currency", "XYZ"],
        65,
        "unknown currency",
    );
    fails(&["program", "create", ""], 65, "name");
    let program = kith_json(&["-w", ws, "--json", "program", "create", "Shop"]);
    assert_eq!(program["currency"], "USD", "tracking.currency default");
    fails(&["program", "create", "Shop"], 65, "Shop");
    fails(
        &["program", "partner", "--program", "Nope", "Ana"],
        66,
        "Nope",
    );
    let partner = kith_json(&[
        "-w",
        ws,
        "--json",
        "program",
        "partner",
        "--program",
        "Shop",
        "Ana",
    ]);
    let link = ["program", "link", "--program", "Shop", "--partner"];
    fails(
        &[&link[..], &["Bob", "https://x.example/"]].concat(),
        66,
        "Bob",
    );
    fails(
        &[&link[..], &["Ana", "javascript:alert(1)"]].concat(),
        65,
        "destination",
    );
    fails(
        &[
            &link[..],
            &["Ana", "https://x.example/", "--expires", "next tuesday"],
        ]
        .concat(),
        2,
        "RFC 3339",
    );
    fails(
        &[&link[..], &["Ana", "https://x.example/", "--slug", "api"]].concat(),
        65,
        "slug",
    );
    let made = kith_json(
        &[
            &["-w", ws, "--json"][..],
            &link[..],
            &[s(&partner, "id"), "https://x.example/", "--slug", "taken"],
        ]
        .concat(),
    );
    assert_eq!(made["slug"], "taken");
    fails(
        &[&link[..], &["Ana", "https://y.example/", "--slug", "taken"]].concat(),
        65,
        "taken",
    );
    let code = ["program", "code", "--program", "Shop", "--partner", "Ana"];
    fails(
        &[&code[..], &["--code", "'; DROP TABLE codes; --"]].concat(),
        65,
        "letters, digits",
    );
    fails(
        &[&code[..], &["--pattern", "ANA", "--count", "3"]].concat(),
        65,
        "{RANDOM}",
    );
    let rule = ["program", "rule", "--program", "Shop", "--event"];
    fails(
        &[
            &rule[..],
            &["sale", "--kind", "percent", "--percent", "250"],
        ]
        .concat(),
        2,
        "between 0 and 100",
    );
    fails(
        &[&rule[..], &["sale", "--kind", "flat", "--amount", "-3"]].concat(),
        2,
        "--amount",
    );
    fails(
        &[&rule[..], &["sale", "--kind", "flat", "--amount", "1.234"]].concat(),
        2,
        "decimals",
    );
    fails(
        &[&rule[..], &["purchase", "--kind", "flat"]].concat(),
        2,
        "purchase",
    );
    fails(
        &["program", "report", "--program", "Shop", "--format", "xml"],
        2,
        "xml",
    );
    fails(
        &[
            "program",
            "report",
            "--program",
            "Shop",
            "--campaign",
            "cmp_nope",
        ],
        66,
        "cmp_nope",
    );

    // --json errors are JSON too.
    let out = kith(&["-w", ws, "--json", "keys", "revoke", "key_nope"]);
    assert_eq!(out.status.code(), Some(66));
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error");
    assert_eq!(err["exit_code"], 66);
    assert!(s(&err, "error").contains("key_nope"));

    // Nothing of the refused commands was written.
    let programs = kith_json(&["-w", ws, "--json", "program", "list"]);
    assert_eq!(programs.as_array().unwrap().len(), 1);
    let links = kith_json(&["-w", ws, "--json", "keys", "list"]);
    assert_eq!(links, serde_json::json!([]));
}

#[test]
fn serve_refuses_a_taken_port() {
    let dir = init_workspace();
    let shop = dir.path().join("shop");
    let served = Served::start(&shop, None);
    kith_fails(
        &[
            "-w",
            shop.to_str().unwrap(),
            "serve",
            "--bind",
            &served.addr,
        ],
        74,
        "cannot listen",
    );
    assert!(served.stop().success());
}
