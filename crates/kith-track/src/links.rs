//! Tracked links (`/{slug}` to a destination, with UTM parameters and an
//! optional expiry) and promo and referral codes (fixed, from a pattern such
//! as `{NAME}10`, or unique single-use codes).

use crate::programs::conflict_as;
use crate::util::{check_opt_text, check_text, new_id, now_ms};
use crate::{Db, Error};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct Link {
    pub id: String,
    pub program_id: String,
    pub partner_id: String,
    pub campaign_id: Option<String>,
    /// The path of the tracked link: `https://your-host/{slug}`.
    pub slug: String,
    pub destination: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
    #[serde(with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<i64>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

/// A link to create (`partner_id` and `destination` required; a random slug
/// is made when none is given) or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub partner_id: Option<String>,
    pub campaign_id: Option<String>,
    pub slug: Option<String>,
    pub destination: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
    #[serde(default, with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<i64>,
}

/// What the redirect needs of a link, cached in memory by the server.
#[derive(Debug, Clone)]
pub struct RedirectTarget {
    // Shared with every click made from the cached target: a click copies
    // no id text.
    pub link_id: Arc<str>,
    pub workspace_id: Arc<str>,
    pub program_id: Arc<str>,
    pub partner_id: Arc<str>,
    /// The destination with the link's UTM parameters already added.
    pub destination: String,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Code {
    pub id: String,
    pub program_id: String,
    pub partner_id: String,
    pub campaign_id: Option<String>,
    /// Uppercase letters, digits, `-` and `_`.
    pub code: String,
    /// `promo` (a discount code the partner shares) or `referral`.
    pub kind: String,
    pub single_use: bool,
    #[serde(with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<i64>,
    pub active: bool,
    #[serde(with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<i64>,
    #[serde(with = "crate::util::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
}

/// Codes to create: either `code` (one fixed code) or `pattern`, where
/// `{NAME}` is the partner's name in capitals and `{RANDOM}` six random
/// characters; `count` > 1 makes that many codes and needs `{RANDOM}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeInput {
    pub partner_id: String,
    pub campaign_id: Option<String>,
    pub kind: Option<String>,
    pub code: Option<String>,
    pub pattern: Option<String>,
    pub count: Option<u32>,
    pub single_use: Option<bool>,
    #[serde(default, with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodePatch {
    pub active: Option<bool>,
    #[serde(default, with = "crate::util::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<i64>,
}

/// Paths the server answers itself; a slug may not take them.
const RESERVED_SLUGS: &[&str] = &[
    "api",
    "healthz",
    "metrics",
    "p",
    "favicon.ico",
    "robots.txt",
];

fn check_slug(slug: &str) -> Result<String, Error> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(Error::Invalid(
            "slug must be 1-64 letters, digits, '-' or '_'".into(),
        ));
    }
    if RESERVED_SLUGS.contains(&slug.to_ascii_lowercase().as_str()) {
        return Err(Error::Invalid(format!("slug {slug:?} is reserved")));
    }
    Ok(slug.to_string())
}

fn check_destination(url: &str) -> Result<String, Error> {
    let url = check_text("destination", url, 2000)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| Error::Invalid("destination must be an http or https URL".into()))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.contains(char::is_whitespace) {
        return Err(Error::Invalid(format!("destination {url:?} is not a URL")));
    }
    Ok(url)
}

fn random_chars(n: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// Appends UTM parameters to a destination, before any `#fragment`.
pub fn with_utm(destination: &str, link: &Link) -> String {
    let (base, fragment) = match destination.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (destination, None),
    };
    let mut out = base.to_string();
    for (key, value) in [
        ("utm_source", &link.utm_source),
        ("utm_medium", &link.utm_medium),
        ("utm_campaign", &link.utm_campaign),
        ("utm_content", &link.utm_content),
        ("utm_term", &link.utm_term),
    ] {
        if let Some(v) = value {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(key);
            out.push('=');
            out.push_str(&percent_encode(v));
        }
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const LINK_COLUMNS: &str = "id, program_id, partner_id, campaign_id, slug, destination, \
    utm_source, utm_medium, utm_campaign, utm_content, utm_term, expires_at, created_at, updated_at";
const CODE_COLUMNS: &str = "id, program_id, partner_id, campaign_id, code, kind, single_use, used_at, active, expires_at, created_at";

fn code_from_row(r: &sqlx::any::AnyRow) -> Result<Code, Error> {
    Ok(Code {
        id: r.try_get(0)?,
        program_id: r.try_get(1)?,
        partner_id: r.try_get(2)?,
        campaign_id: r.try_get(3)?,
        code: r.try_get(4)?,
        kind: r.try_get(5)?,
        single_use: r.try_get::<i64, _>(6)? != 0,
        used_at: r.try_get(7)?,
        active: r.try_get::<i64, _>(8)? != 0,
        expires_at: r.try_get(9)?,
        created_at: r.try_get(10)?,
    })
}

impl Db {
    async fn apply_link(&self, ws: &str, input: &LinkInput, link: &mut Link) -> Result<(), Error> {
        if let Some(partner_id) = &input.partner_id {
            let partner = self.partner(ws, partner_id).await?;
            link.partner_id = partner.id;
            link.program_id = partner.program_id;
        }
        if let Some(campaign_id) = &input.campaign_id {
            let campaign = self.campaign(ws, campaign_id).await?;
            if campaign.program_id != link.program_id {
                return Err(Error::Invalid("campaign belongs to another program".into()));
            }
            link.campaign_id = Some(campaign.id);
        }
        if let Some(slug) = &input.slug {
            link.slug = check_slug(slug)?;
        }
        if let Some(d) = &input.destination {
            link.destination = check_destination(d)?;
        }
        for (field, value, target) in [
            ("utm_source", &input.utm_source, &mut link.utm_source),
            ("utm_medium", &input.utm_medium, &mut link.utm_medium),
            ("utm_campaign", &input.utm_campaign, &mut link.utm_campaign),
            ("utm_content", &input.utm_content, &mut link.utm_content),
            ("utm_term", &input.utm_term, &mut link.utm_term),
        ] {
            if value.is_some() {
                *target = check_opt_text(field, value.as_deref(), 200)?;
            }
        }
        if input.expires_at.is_some() {
            link.expires_at = input.expires_at;
        }
        Ok(())
    }

    pub async fn create_link(&self, ws: &str, input: &LinkInput) -> Result<Link, Error> {
        if input.partner_id.is_none() || input.destination.is_none() {
            return Err(Error::Invalid(
                "partner_id and destination are required".into(),
            ));
        }
        let now = now_ms();
        let mut link = Link {
            id: new_id("lnk"),
            program_id: String::new(),
            partner_id: String::new(),
            campaign_id: None,
            slug: random_chars(8, b"abcdefghijkmnpqrstuvwxyz23456789"),
            destination: String::new(),
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_content: None,
            utm_term: None,
            expires_at: None,
            created_at: now,
            updated_at: now,
        };
        self.apply_link(ws, input, &mut link).await?;
        self.write_link(ws, &link, true).await?;
        Ok(link)
    }

    async fn write_link(&self, ws: &str, l: &Link, insert: bool) -> Result<(), Error> {
        let sql = if insert {
            format!(
                "INSERT INTO links (workspace_id, {LINK_COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            )
        } else {
            "UPDATE links SET program_id = $3, partner_id = $4, campaign_id = $5, slug = $6, \
             destination = $7, utm_source = $8, utm_medium = $9, utm_campaign = $10, \
             utm_content = $11, utm_term = $12, expires_at = $13, created_at = $14, updated_at = $15 \
             WHERE workspace_id = $1 AND id = $2"
                .to_string()
        };
        sqlx::query(&sql)
            .bind(ws)
            .bind(&l.id)
            .bind(&l.program_id)
            .bind(&l.partner_id)
            .bind(&l.campaign_id)
            .bind(&l.slug)
            .bind(&l.destination)
            .bind(&l.utm_source)
            .bind(&l.utm_medium)
            .bind(&l.utm_campaign)
            .bind(&l.utm_content)
            .bind(&l.utm_term)
            .bind(l.expires_at)
            .bind(l.created_at)
            .bind(l.updated_at)
            .execute(&self.pool)
            .await
            .map_err(|e| conflict_as(e, &format!("slug {:?} is taken", l.slug)))?;
        Ok(())
    }

    pub async fn link(&self, ws: &str, id: &str) -> Result<Link, Error> {
        sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM links WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("link {id}")))
    }

    /// Links of a program, optionally of one partner.
    pub async fn list_links(
        &self,
        ws: &str,
        program_id: &str,
        partner_id: Option<&str>,
    ) -> Result<Vec<Link>, Error> {
        self.program(ws, program_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM links WHERE workspace_id = $1 AND program_id = $2 \
             AND ($3 IS NULL OR partner_id = $3) ORDER BY created_at, id"
        ))
        .bind(ws)
        .bind(program_id)
        .bind(partner_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn update_link(&self, ws: &str, id: &str, input: &LinkInput) -> Result<Link, Error> {
        let mut link = self.link(ws, id).await?;
        self.apply_link(ws, input, &mut link).await?;
        link.updated_at = now_ms();
        self.write_link(ws, &link, false).await?;
        Ok(link)
    }

    /// The redirect target of a slug, in any workspace (slugs are global).
    pub async fn redirect_target(&self, slug: &str) -> Result<Option<RedirectTarget>, Error> {
        let row = sqlx::query(&format!(
            "SELECT workspace_id, {LINK_COLUMNS} FROM links WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let workspace_id: String = row.try_get(0)?;
        let link: Link = sqlx::FromRow::from_row(&row)?;
        Ok(Some(RedirectTarget {
            link_id: link.id.as_str().into(),
            workspace_id: workspace_id.into(),
            program_id: link.program_id.as_str().into(),
            partner_id: link.partner_id.as_str().into(),
            destination: with_utm(&link.destination, &link),
            expires_at: link.expires_at,
        }))
    }

    /// Makes one or more codes for a partner.
    pub async fn create_codes(&self, ws: &str, input: &CodeInput) -> Result<Vec<Code>, Error> {
        let partner = self.partner(ws, &input.partner_id).await?;
        if let Some(campaign_id) = &input.campaign_id {
            let campaign = self.campaign(ws, campaign_id).await?;
            if campaign.program_id != partner.program_id {
                return Err(Error::Invalid("campaign belongs to another program".into()));
            }
        }
        let kind = match input.kind.as_deref().unwrap_or("referral") {
            k @ ("promo" | "referral") => k.to_string(),
            other => {
                return Err(Error::Invalid(format!(
                    "kind must be promo or referral, got {other:?}"
                )));
            }
        };
        let count = input.count.unwrap_or(1);
        if !(1..=1000).contains(&count) {
            return Err(Error::Invalid("count must be between 1 and 1000".into()));
        }
        let pattern = match (&input.code, &input.pattern) {
            (Some(_), Some(_)) => {
                return Err(Error::Invalid("give code or pattern, not both".into()));
            }
            (Some(code), None) if count == 1 => code.clone(),
            (Some(_), None) => return Err(Error::Invalid("count > 1 needs a pattern".into())),
            (None, Some(p)) => p.clone(),
            (None, None) => "{NAME}{RANDOM}".to_string(),
        };
        if count > 1 && !pattern.contains("{RANDOM}") {
            return Err(Error::Invalid(
                "count > 1 needs {RANDOM} in the pattern".into(),
            ));
        }
        let name: String = partner
            .name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect::<String>()
            .to_ascii_uppercase();
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let mut codes = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let text = pattern
                .replace("{NAME}", &name)
                .replace(
                    "{RANDOM}",
                    &random_chars(6, b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
                )
                .to_ascii_uppercase();
            let ok = (3..=40).contains(&text.len())
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return Err(Error::Invalid(format!(
                    "code {text:?} must be 3-40 letters, digits, '-' or '_'"
                )));
            }
            let code = Code {
                id: new_id("cod"),
                program_id: partner.program_id.clone(),
                partner_id: partner.id.clone(),
                campaign_id: input.campaign_id.clone(),
                code: text,
                kind: kind.clone(),
                single_use: input.single_use.unwrap_or(false),
                used_at: None,
                active: true,
                expires_at: input.expires_at,
                created_at: now,
            };
            sqlx::query(&format!(
                "INSERT INTO codes (workspace_id, updated_at, {CODE_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            ))
            .bind(ws)
            .bind(now)
            .bind(&code.id)
            .bind(&code.program_id)
            .bind(&code.partner_id)
            .bind(&code.campaign_id)
            .bind(&code.code)
            .bind(&code.kind)
            .bind(code.single_use as i64)
            .bind(code.used_at)
            .bind(code.active as i64)
            .bind(code.expires_at)
            .bind(code.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_as(e, &format!("code {:?} exists in the program", code.code)))?;
            codes.push(code);
        }
        tx.commit().await?;
        Ok(codes)
    }

    pub async fn code(&self, ws: &str, id: &str) -> Result<Code, Error> {
        let row = sqlx::query(&format!(
            "SELECT {CODE_COLUMNS} FROM codes WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(ws)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| Error::NotFound(format!("code {id}")))?;
        code_from_row(&row)
    }

    /// An active code of a program by its text (any case).
    pub async fn code_by_text(
        &self,
        ws: &str,
        program_id: &str,
        text: &str,
    ) -> Result<Option<Code>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {CODE_COLUMNS} FROM codes WHERE workspace_id = $1 AND program_id = $2 AND code = $3"
        ))
        .bind(ws)
        .bind(program_id)
        .bind(text.trim().to_ascii_uppercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(code_from_row).transpose()
    }

    pub async fn list_codes(
        &self,
        ws: &str,
        program_id: &str,
        partner_id: Option<&str>,
    ) -> Result<Vec<Code>, Error> {
        self.program(ws, program_id).await?;
        let rows = sqlx::query(&format!(
            "SELECT {CODE_COLUMNS} FROM codes WHERE workspace_id = $1 AND program_id = $2 \
             AND ($3 IS NULL OR partner_id = $3) ORDER BY created_at, id"
        ))
        .bind(ws)
        .bind(program_id)
        .bind(partner_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(code_from_row).collect()
    }

    pub async fn update_code(&self, ws: &str, id: &str, patch: &CodePatch) -> Result<Code, Error> {
        let mut code = self.code(ws, id).await?;
        if let Some(active) = patch.active {
            code.active = active;
        }
        if patch.expires_at.is_some() {
            code.expires_at = patch.expires_at;
        }
        sqlx::query(
            "UPDATE codes SET active = $1, expires_at = $2, updated_at = $3 \
             WHERE workspace_id = $4 AND id = $5",
        )
        .bind(code.active as i64)
        .bind(code.expires_at)
        .bind(now_ms())
        .bind(ws)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(code)
    }

    /// Retires a code (leaked to a coupon site, say) and makes its successor
    /// for the same partner, kind and campaign.
    pub async fn rotate_code(&self, ws: &str, id: &str) -> Result<Code, Error> {
        let old = self.code(ws, id).await?;
        let base: String = old.code.chars().take(30).collect();
        let input = CodeInput {
            partner_id: old.partner_id.clone(),
            campaign_id: old.campaign_id.clone(),
            kind: Some(old.kind.clone()),
            code: None,
            pattern: Some(format!("{base}-{{RANDOM}}")),
            count: Some(1),
            single_use: Some(old.single_use),
            expires_at: old.expires_at,
        };
        let new = self.create_codes(ws, &input).await?.remove(0);
        self.update_code(
            ws,
            id,
            &CodePatch {
                active: Some(false),
                expires_at: None,
            },
        )
        .await?;
        Ok(new)
    }
}
