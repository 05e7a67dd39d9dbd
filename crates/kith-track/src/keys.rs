//! Workspaces (tenants of one database) and their API keys. Keys are shown
//! once at creation and stored only as SHA-256 hashes.

use crate::util::{new_id, now_ms, random_hex, sha256_hex};
use crate::{Db, Error};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The workspace a SQLite `kith.db` holds unless told otherwise.
pub const DEFAULT_WORKSPACE: &str = "default";

/// What a key may do. `admin` may do everything; `read` reads; `track` only
/// reports events (the key a shop's backend holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Admin,
    Read,
    Track,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Read => "read",
            Scope::Track => "track",
        }
    }

    pub fn parse(text: &str) -> Result<Scope, Error> {
        match text {
            "admin" => Ok(Scope::Admin),
            "read" => Ok(Scope::Read),
            "track" => Ok(Scope::Track),
            other => Err(Error::Invalid(format!(
                "unknown scope {other:?}: use admin, read or track"
            ))),
        }
    }

    /// Whether a key of this scope may do what `needed` names.
    pub fn allows(self, needed: Scope) -> bool {
        self == Scope::Admin || self == needed
    }
}

/// Who a request is, once its key checked out.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace_id: String,
    pub key_id: String,
    pub scope: Scope,
}

/// A key as listed (never the key itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiKeyInfo {
    pub id: String,
    pub workspace: String,
    pub name: String,
    pub scope: Scope,
    #[serde(with = "crate::util::rfc3339")]
    pub created_at: i64,
    #[serde(with = "crate::util::rfc3339::option")]
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub stats_secret: String,
}

impl Db {
    /// The workspace of this name, made if absent.
    pub async fn ensure_workspace(&self, name: &str) -> Result<Workspace, Error> {
        let name = crate::util::check_text("workspace", name, 100)?;
        sqlx::query(
            "INSERT INTO workspaces (id, name, stats_secret, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(new_id("ws"))
        .bind(&name)
        .bind(random_hex(32))
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT id, name, stats_secret FROM workspaces WHERE name = $1")
            .bind(&name)
            .fetch_one(&self.pool)
            .await?;
        Ok(Workspace {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            stats_secret: row.try_get(2)?,
        })
    }

    pub async fn workspace_by_id(&self, id: &str) -> Result<Workspace, Error> {
        let row = sqlx::query("SELECT id, name, stats_secret FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::NotFound(format!("workspace {id}")))?;
        Ok(Workspace {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            stats_secret: row.try_get(2)?,
        })
    }

    /// Makes a key for `workspace` (made if absent) and returns it with the
    /// plaintext key, which is stored nowhere.
    pub async fn create_api_key(
        &self,
        workspace: &str,
        scope: Scope,
        name: &str,
    ) -> Result<(ApiKeyInfo, String), Error> {
        let ws = self.ensure_workspace(workspace).await?;
        let name = crate::util::check_text("name", name, 200)?;
        let key = format!("kith_{}", random_hex(24));
        let info = ApiKeyInfo {
            id: new_id("key"),
            workspace: ws.name.clone(),
            name,
            scope,
            created_at: now_ms(),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_keys (id, workspace_id, name, scope, key_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&info.id)
        .bind(&ws.id)
        .bind(&info.name)
        .bind(scope.as_str())
        .bind(sha256_hex(key.as_bytes()))
        .bind(info.created_at)
        .execute(&self.pool)
        .await?;
        Ok((info, key))
    }

    /// The caller a key stands for, or `None` for an unknown or revoked key.
    pub async fn authenticate(&self, key: &str) -> Result<Option<Caller>, Error> {
        let row = sqlx::query(
            "SELECT id, workspace_id, scope FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(sha256_hex(key.as_bytes()))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let scope: String = row.try_get(2)?;
        Ok(Some(Caller {
            key_id: row.try_get(0)?,
            workspace_id: row.try_get(1)?,
            scope: Scope::parse(&scope)?,
        }))
    }

    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>, Error> {
        let rows = sqlx::query(
            "SELECT k.id, w.name, k.name, k.scope, k.created_at, k.revoked_at \
             FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id ORDER BY k.created_at, k.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let scope: String = r.try_get(3)?;
                Ok(ApiKeyInfo {
                    id: r.try_get(0)?,
                    workspace: r.try_get(1)?,
                    name: r.try_get(2)?,
                    scope: Scope::parse(&scope)?,
                    created_at: r.try_get(4)?,
                    revoked_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn revoke_api_key(&self, id: &str) -> Result<(), Error> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("active key {id}")));
        }
        Ok(())
    }
}

/// The signature of a partner's stats page link: HMAC of the partner id
/// under its workspace's secret.
pub fn stats_signature(stats_secret: &str, partner_id: &str) -> String {
    crate::util::hmac_hex(
        stats_secret.as_bytes(),
        format!("stats:{partner_id}").as_bytes(),
    )[..32]
        .to_string()
}

impl Db {
    /// The workspace that holds a partner (stats pages name no workspace).
    pub async fn partner_workspace(&self, partner_id: &str) -> Result<Workspace, Error> {
        let row = sqlx::query("SELECT workspace_id FROM partners WHERE id = $1")
            .bind(partner_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::NotFound(format!("partner {partner_id}")))?;
        let ws: String = row.try_get(0)?;
        self.workspace_by_id(&ws).await
    }

    /// The stored answer to an earlier write with this idempotency key, if
    /// any; a key reused for another request is a conflict.
    pub async fn idempotent_replay(
        &self,
        ws: &str,
        key: &str,
        route: &str,
        request_hash: &str,
    ) -> Result<Option<(u16, String)>, Error> {
        let row = sqlx::query(
            "SELECT route, request_hash, status, response FROM idempotency_keys \
             WHERE workspace_id = $1 AND idem_key = $2",
        )
        .bind(ws)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let (r, h): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        if r != route || h != request_hash {
            return Err(Error::Conflict(
                "this Idempotency-Key was used with another request".into(),
            ));
        }
        let status: i64 = row.try_get(2)?;
        Ok(Some((
            u16::try_from(status).unwrap_or(200),
            row.try_get(3)?,
        )))
    }

    /// Stores the answer to a write made with an idempotency key.
    pub async fn idempotent_remember(
        &self,
        ws: &str,
        key: &str,
        route: &str,
        request_hash: &str,
        status: u16,
        response: &str,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO idempotency_keys (workspace_id, idem_key, route, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, idem_key) DO NOTHING",
        )
        .bind(ws)
        .bind(key)
        .bind(route)
        .bind(request_hash)
        .bind(status as i64)
        .bind(response)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
