//! Clicks: the identity hash under a daily salt, bot and link-preview
//! detection, and the group-committed durable write path.
//!
//! [`ClickRecorder::record`] returns only once the click's transaction has
//! committed (with `synchronous = FULL` on SQLite: once it is on disk). One
//! writer task takes every click waiting in its queue and writes them in one
//! transaction, so the cost of a commit is shared by all clicks that arrived
//! while the previous one ran. The queue is bounded: when the disk falls
//! behind, callers wait for room; a click is never dropped.

use crate::sql::q;
use crate::track::Tx;
use crate::util::{new_id, now_ms, random_hex};
use crate::{Db, Error};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A click to record.
#[derive(Debug, Clone)]
pub struct NewClick {
    pub id: String,
    pub workspace_id: Arc<str>,
    pub program_id: Arc<str>,
    pub link_id: Arc<str>,
    pub partner_id: Arc<str>,
    pub at: i64,
    pub identity_hash: String,
    pub user_agent: Option<String>,
    pub referrer: Option<String>,
    pub country: Option<String>,
    pub is_bot: bool,
    /// A paid-ads click id (gclid=..., fbclid=...) seen on the request.
    pub ads_click_id: Option<String>,
}

pub fn new_click_id() -> String {
    new_id("clk")
}

/// User-agent fragments of link-preview fetchers (chat apps and social
/// networks unfurling a pasted link): such a fetch is not a click at all.
const PREVIEW_AGENTS: &[&str] = &[
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "slackbot",
    "linkedinbot",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "skypeuripreview",
    "pinterestbot",
    "redditbot",
    "embedly",
    "iframely",
    "vkshare",
    "mastodon",
    "bluesky cardyb",
    "google-pagerenderer",
    "snapchat",
];

/// User-agent fragments of crawlers and scripts: stored and flagged as bots.
const BOT_AGENTS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "crawl",
    "slurp",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "headlesschrome",
    "phantomjs",
    "scrapy",
    "node-fetch",
    "axios/",
    "postmanruntime",
    "apache-httpclient",
    "lighthouse",
    "wrk",
];

/// Who sent a request, by its user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    /// A browser: a person, as far as the user agent tells.
    Browser,
    /// A chat app or social network unfurling a pasted link: not a click.
    LinkPreview,
    /// A crawler or a script (or no user agent at all): a click, flagged.
    Bot,
}

/// Every preview and bot fragment in one automaton, matched without case
/// in one pass over the user agent and with no lowercased copy of it (the
/// redirect classifies every request; 42 `contains` scans of a lowercased
/// copy were 2% of its CPU).
fn agent_patterns() -> &'static aho_corasick::AhoCorasick {
    static PATTERNS: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // 42 short patterns: a full DFA is small and the fastest scan.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(PREVIEW_AGENTS.iter().chain(BOT_AGENTS))
            // The patterns are constants: building them cannot fail.
            .expect("user-agent patterns")
    })
}

/// Classifies a user agent. A preview fragment anywhere wins over a bot
/// fragment ("Discordbot" is a preview, not a crawler).
pub fn classify_agent(user_agent: Option<&str>) -> Agent {
    let Some(ua) = user_agent.filter(|ua| !ua.trim().is_empty()) else {
        return Agent::Bot;
    };
    let mut agent = Agent::Browser;
    for m in agent_patterns().find_overlapping_iter(ua) {
        if m.pattern().as_usize() < PREVIEW_AGENTS.len() {
            return Agent::LinkPreview;
        }
        agent = Agent::Bot;
    }
    agent
}

/// Whether a request is a link preview, not a person following the link.
pub fn is_link_preview(user_agent: &str) -> bool {
    classify_agent(Some(user_agent)) == Agent::LinkPreview
}

/// Whether a user agent is a crawler or a script. A missing one counts as a
/// bot, and so does a link preview (an automated fetch, should one ever be
/// recorded).
pub fn is_bot(user_agent: Option<&str>) -> bool {
    classify_agent(user_agent) != Agent::Browser
}

/// Query parameters by which ad platforms mark paid clicks.
pub const ADS_CLICK_PARAMS: &[&str] = &[
    "gclid",
    "gbraid",
    "wbraid",
    "fbclid",
    "msclkid",
    "ttclid",
    "twclid",
    "li_fat_id",
    "dclid",
    "epik",
    "sccid",
];

/// The identity of a visitor for unique counts and fraud rules: a hash of IP
/// and user agent keyed by the day's salt. When the salt is deleted the hash
/// can no longer be tied back to an IP.
pub fn identity_hash(salt: &str, ip: &str, user_agent: &str) -> String {
    let mut data = Vec::with_capacity(salt.len() + ip.len() + user_agent.len() + 2);
    data.extend_from_slice(salt.as_bytes());
    data.push(0);
    data.extend_from_slice(ip.as_bytes());
    data.push(0);
    data.extend_from_slice(user_agent.as_bytes());
    // The first 16 bytes of the digest, hex: 32 characters.
    hex::encode(&Sha256::digest(&data)[..16])
}

/// `s` cut to at most `n` characters, copied once.
fn clip(s: Option<&str>, n: usize) -> Option<String> {
    s.map(|s| {
        // A character is at least one byte: short strings need no scan.
        let end = if s.len() <= n {
            s.len()
        } else {
            s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
        };
        s[..end].to_owned()
    })
}

/// The UTC day number of a time in milliseconds.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

impl Db {
    /// The identity-hash salt of a UTC day, made on first use; salts older
    /// than yesterday are deleted.
    pub async fn daily_salt(&self, day: i64) -> Result<String, Error> {
        sqlx::query(
            "INSERT INTO click_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
        )
        .bind(day)
        .bind(random_hex(32))
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM click_salts WHERE day < $1")
            .bind(day - 1)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT salt FROM click_salts WHERE day = $1")
            .bind(day)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Writes clicks in one transaction on a connection of the pool (the
    /// PostgreSQL click writer; SQLite's writer thread batches its own).
    pub async fn insert_clicks(&self, clicks: &[NewClick]) -> Result<(), Error> {
        let mut tx = Tx::begin(&self.pool).await?;
        insert_clicks(&mut tx, clicks).await?;
        tx.commit().await
    }
}

/// Writes clicks in the transaction `tx`, as multi-row INSERTs of a few
/// fixed sizes (so each statement is prepared once per connection and stays
/// under both backends' parameter limits).
pub(crate) async fn insert_clicks(tx: &mut Tx<'_>, clicks: &[NewClick]) -> Result<(), Error> {
    if let crate::sql::Conn::Lite(conn) = &tx.conn {
        return insert_clicks_lite(conn, clicks);
    }
    let chunks: &[usize] = &CLICK_CHUNKS;
    let mut rest = clicks;
    while !rest.is_empty() {
        let size = chunks
            .iter()
            .copied()
            .find(|&n| n <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let mut query = q(insert_clicks_sql(size));
        for c in chunk {
            query = query
                .bind(&c.id)
                .bind(&*c.workspace_id)
                .bind(&*c.program_id)
                .bind(&*c.link_id)
                .bind(&*c.partner_id)
                .bind(c.at)
                .bind(&c.identity_hash)
                .bind(&c.user_agent)
                .bind(&c.referrer)
                .bind(&c.country)
                .bind(c.is_bot as i64)
                .bind(&c.ads_click_id);
        }
        query.execute(&mut tx.conn).await?;
    }
    Ok(())
}

/// In the SQLite writer a statement costs no round trip: one prepared
/// single-row INSERT run per click is cheapest (a statement of thousands of
/// parameters costs SQLite a scan per parameter to bind it). The click's
/// fields are bound in place, by position (`$1`..`$12` appear in order), with
/// no copy of its strings into a parameter list.
fn insert_clicks_lite(
    conn: &std::sync::Mutex<rusqlite::Connection>,
    clicks: &[NewClick],
) -> Result<(), Error> {
    if clicks.is_empty() {
        return Ok(());
    }
    let conn = conn
        .lock()
        .map_err(|_| Error::Database("the SQLite writer's connection is poisoned".into()))?;
    let mut stmt = conn.prepare_cached(insert_clicks_sql(1))?;
    for c in clicks {
        stmt.execute(rusqlite::params![
            c.id,
            &*c.workspace_id,
            &*c.program_id,
            &*c.link_id,
            &*c.partner_id,
            c.at,
            c.identity_hash,
            c.user_agent,
            c.referrer,
            c.country,
            c.is_bot as i64,
            c.ads_click_id,
        ])?;
    }
    Ok(())
}

/// Rows per INSERT statement, largest first; a batch is cut into these.
const CLICK_CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];

/// The INSERT of `rows` clicks (one of [`CLICK_CHUNKS`]), made once.
fn insert_clicks_sql(rows: usize) -> &'static str {
    static SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let all = SQL.get_or_init(|| {
        CLICK_CHUNKS
            .iter()
            .map(|&n| {
                // Placeholders are written out as $n: the Any driver's query
                // builder would write `?`, which PostgreSQL does not take.
                let mut sql = String::from(
                    "INSERT INTO clicks (id, workspace_id, program_id, link_id, partner_id, at, \
                     identity_hash, user_agent, referrer, country, is_bot, ads_click_id) VALUES ",
                );
                for row in 0..n {
                    if row > 0 {
                        sql.push(',');
                    }
                    sql.push('(');
                    for col in 0..CLICK_COLUMNS {
                        if col > 0 {
                            sql.push(',');
                        }
                        sql.push_str(&format!("${}", row * CLICK_COLUMNS + col + 1));
                    }
                    sql.push(')');
                }
                // A retried batch may hold clicks already written: keep the first.
                sql.push_str(" ON CONFLICT (id) DO NOTHING");
                sql
            })
            .collect()
    });
    let i = CLICK_CHUNKS.iter().position(|&n| n == rows).unwrap_or(4);
    &all[i]
}

/// A click waiting for its commit, and where to say it committed.
pub(crate) type Pending = (NewClick, oneshot::Sender<Result<(), String>>);

/// The group-commit writer of clicks. Cheap to clone.
#[derive(Clone)]
pub struct ClickRecorder {
    queue: Queue,
}

#[derive(Clone)]
enum Queue {
    /// PostgreSQL: a task of this process on a pooled connection.
    Pool(mpsc::Sender<Pending>),
    /// SQLite: the database's writer thread, which commits clicks together
    /// with the tracking events waiting beside them.
    Sqlite(crate::writer::Writer),
}

/// Columns of one click row in `insert_clicks`.
const CLICK_COLUMNS: usize = 12;

/// Most clicks written in one transaction.
const MAX_BATCH: usize = 2000;

impl ClickRecorder {
    /// Starts the writer (on SQLite: joins the database's writer thread).
    pub fn start(db: Db) -> ClickRecorder {
        if let Some(writer) = db.sqlite_writer() {
            return ClickRecorder {
                queue: Queue::Sqlite(writer),
            };
        }
        let (queue, receiver) = mpsc::channel(65_536);
        tokio::spawn(write_loop(db, receiver));
        ClickRecorder {
            queue: Queue::Pool(queue),
        }
    }

    /// Records a click and returns once it is committed.
    pub async fn record(&self, click: NewClick) -> Result<(), Error> {
        let (done, committed) = oneshot::channel();
        let sent = match &self.queue {
            Queue::Pool(queue) => queue.send((click, done)).await.is_ok(),
            Queue::Sqlite(writer) => writer.send(crate::writer::Job::Click((click, done))).await,
        };
        let stopped = || Error::Database("the click writer has stopped".into());
        if !sent {
            return Err(stopped());
        }
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::Database(e)),
            Err(_) => Err(stopped()),
        }
    }
}

async fn write_loop(db: Db, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let clicks: Vec<NewClick> = batch.iter().map(|(c, _)| c.clone()).collect();
        let mut result = db.insert_clicks(&clicks).await;
        // A busy or briefly unreachable database gets a few more tries before
        // the callers hear of it; the batch is idempotent (ON CONFLICT).
        for delay in crate::track::retry_delays() {
            if result.is_ok() {
                break;
            }
            tokio::time::sleep(delay).await;
            result = db.insert_clicks(&clicks).await;
        }
        let outcome = result.map_err(|e| e.to_string());
        if let Err(e) = &outcome {
            tracing::error!(clicks = clicks.len(), error = %e, "click batch not written");
        }
        for (_, done) in batch.drain(..) {
            // A caller that gave up (client gone) no longer listens: fine.
            let _ = done.send(outcome.clone());
        }
    }
}

/// Builds a click from request facts; `now` in milliseconds.
pub struct ClickFacts<'a> {
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub referrer: Option<&'a str>,
    pub country: Option<&'a str>,
    pub ads_click_id: Option<String>,
}

impl NewClick {
    pub fn new(
        target: &crate::links::RedirectTarget,
        facts: &ClickFacts<'_>,
        salt: &str,
    ) -> NewClick {
        NewClick {
            id: new_click_id(),
            workspace_id: target.workspace_id.clone(),
            program_id: target.program_id.clone(),
            link_id: target.link_id.clone(),
            partner_id: target.partner_id.clone(),
            at: now_ms(),
            identity_hash: identity_hash(salt, facts.ip, facts.user_agent.unwrap_or("")),
            user_agent: clip(facts.user_agent, 512),
            referrer: clip(facts.referrer, 1024),
            country: clip(facts.country, 2).map(|c| c.to_ascii_uppercase()),
            is_bot: is_bot(facts.user_agent),
            ads_click_id: facts.ads_click_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_and_previews() {
        assert!(is_link_preview("facebookexternalhit/1.1"));
        assert!(is_link_preview("Mozilla/5.0 (compatible; Discordbot/2.0)"));
        assert!(!is_link_preview("Mozilla/5.0 (iPhone) Safari/604.1"));
        assert!(is_bot(Some("curl/8.0")));
        assert!(is_bot(Some("Googlebot/2.1")));
        assert!(is_bot(None));
        assert!(!is_bot(Some(
            "Mozilla/5.0 (Windows NT 10.0) Chrome/120 Safari/537.36"
        )));
        assert!(is_bot(Some("  ")));
        // Case does not matter; a preview fragment wins over a bot fragment.
        assert_eq!(classify_agent(Some("CURL/8.0")), Agent::Bot);
        assert_eq!(
            classify_agent(Some("Mozilla/5.0 (compatible; DISCORDBOT/2.0)")),
            Agent::LinkPreview
        );
        assert_eq!(classify_agent(Some("WhatsApp/2.23")), Agent::LinkPreview);
        assert_eq!(
            classify_agent(Some("Mozilla/5.0 (iPhone) Safari/604.1")),
            Agent::Browser
        );
    }

    proptest::proptest! {
        /// The automaton agrees with the plain definition: lowercase, then
        /// look for each fragment.
        #[test]
        fn classify_agent_matches_substring_search(
            ua in proptest::string::string_regex("(Mozilla/5.0 |[a-zA-Z/ .()]{0,12}|bot|Bot|WRK|slack|SlackBot|curl/|Whatsapp|crawl){0,6}").unwrap()
        ) {
            let lower = ua.to_ascii_lowercase();
            let expected = if ua.trim().is_empty() {
                Agent::Bot
            } else if PREVIEW_AGENTS.iter().any(|p| lower.contains(p)) {
                Agent::LinkPreview
            } else if BOT_AGENTS.iter().any(|b| lower.contains(b)) {
                Agent::Bot
            } else {
                Agent::Browser
            };
            proptest::prop_assert_eq!(classify_agent(Some(&ua)), expected);
        }
    }

    #[test]
    fn identity_depends_on_salt() {
        let a = identity_hash("s1", "1.2.3.4", "ua");
        assert_eq!(a, identity_hash("s1", "1.2.3.4", "ua"));
        assert_ne!(a, identity_hash("s2", "1.2.3.4", "ua"));
        assert_eq!(a.len(), 32);
        let full = crate::util::sha256_hex(b"s1\x001.2.3.4\x00ua");
        assert_eq!(a, full[..32]);
    }

    #[test]
    fn clipping() {
        assert_eq!(clip(Some("abc"), 2).as_deref(), Some("ab"));
        assert_eq!(clip(Some("abc"), 3).as_deref(), Some("abc"));
        assert_eq!(clip(Some("ééé"), 2).as_deref(), Some("éé"));
        assert_eq!(clip(Some("éé"), 3).as_deref(), Some("éé"));
        assert_eq!(clip(None, 3), None);
    }
}
