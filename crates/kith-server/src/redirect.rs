//! `GET /{slug}`: the tracked-link redirect. Answers from an in-process
//! cache of links, records the click through the group-committed writer and
//! only then sends the 302, whose `Location` carries the click id
//! (`kith_click=...`), also set as a first-party cookie.
//!
//! HEAD requests, link previews and browser prefetches are redirected but
//! not counted; bots are redirected, counted and flagged.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Path;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_track::clicks::{ADS_CLICK_PARAMS, Agent, ClickFacts, NewClick, classify_agent, day_of};
use kith_track::links::{RedirectTarget, percent_encode};
use kith_track::util::now_ms;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a cached link is trusted: edits made through another server
/// process show within this time (edits through this one at once).
const LINK_TTL: Duration = Duration::from_secs(30);
/// Unknown slugs are remembered briefly so a flood of them does not reach
/// the database.
const MISS_TTL: Duration = Duration::from_secs(5);

/// A slug's link (or its absence) and when it was read.
type CachedLink = (Option<Arc<RedirectTarget>>, Instant);

#[derive(Default)]
pub struct LinkCache {
    // Shared, not cloned, per redirect: a hit copies no strings.
    links: RwLock<HashMap<String, CachedLink>>,
    // Read by every redirect, written once a day: a read lock, so the
    // worker threads do not take turns for it.
    salt: RwLock<Option<(i64, Arc<str>)>>,
}

impl LinkCache {
    async fn get(
        &self,
        state: &AppState,
        slug: &str,
    ) -> Result<Option<Arc<RedirectTarget>>, ApiError> {
        if let Ok(links) = self.links.read()
            && let Some((target, at)) = links.get(slug)
        {
            let ttl = if target.is_some() { LINK_TTL } else { MISS_TTL };
            if at.elapsed() < ttl {
                return Ok(target.clone());
            }
        }
        let target = state.db.redirect_target(slug).await?.map(Arc::new);
        if let Ok(mut links) = self.links.write() {
            if links.len() > 200_000 {
                links.clear();
            }
            links.insert(slug.to_string(), (target.clone(), Instant::now()));
        }
        Ok(target)
    }

    /// Forgets a link after an edit through this process.
    pub fn forget(&self, slug: &str) {
        if let Ok(mut links) = self.links.write() {
            links.remove(slug);
        }
    }

    async fn salt(&self, state: &AppState) -> Result<Arc<str>, ApiError> {
        let today = day_of(now_ms());
        if let Ok(salt) = self.salt.read()
            && let Some((day, s)) = salt.as_ref()
            && *day == today
        {
            return Ok(s.clone());
        }
        let s: Arc<str> = state.db.daily_salt(today).await?.into();
        if let Ok(mut salt) = self.salt.write() {
            *salt = Some((today, s.clone()));
        }
        Ok(s)
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

/// The first paid-ads click id in the request's query, as `name=value`.
fn ads_click_id(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        ADS_CLICK_PARAMS
            .contains(&name)
            .then(|| format!("{name}={}", value.chars().take(200).collect::<String>()))
    })
}

fn client_ip(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    if state.config.trust_forwarded_for
        && let Some(first) =
            header_str(headers, "x-forwarded-for").and_then(|v| v.split(',').next())
    {
        return first.trim().to_string();
    }
    peer.ip().to_string()
}

/// A 302 to `location`, not cached, with the click cookie if any. Header
/// values are built from the strings in place (no copy); a destination that
/// cannot be a header value is a server error, as before.
fn found(location: String, cookie: Option<String>) -> Response {
    let Ok(location) = HeaderValue::try_from(location) else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the link's destination is not a valid Location header",
        )
            .into_response();
    };
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::try_from(c).ok()) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

pub async fn follow(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    // The request itself rather than `HeaderMap`, `Method` and `RawQuery`
    // extractors: those copy the headers and the query per request.
    request: Request,
) -> Result<Response, ApiError> {
    let (method, headers, query) = (request.method(), request.headers(), request.uri().query());
    let target = state
        .links
        .get(&state, &slug)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no link {slug:?}")))?;
    if target.expires_at.is_some_and(|e| e <= now_ms()) {
        return Err(ApiError::new(
            StatusCode::GONE,
            format!("link {slug:?} has expired"),
        ));
    }
    let user_agent = header_str(headers, "user-agent");
    let prefetch = header_str(headers, "sec-purpose")
        .or_else(|| header_str(headers, "purpose"))
        .is_some_and(|p| p.contains("prefetch"));
    if method == Method::HEAD || prefetch || classify_agent(user_agent) == Agent::LinkPreview {
        state
            .metrics
            .redirects_not_counted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok(found(target.destination.clone(), None));
    }
    let salt = state.links.salt(&state).await?;
    let ip = client_ip(&state, headers, peer);
    let facts = ClickFacts {
        ip: &ip,
        user_agent,
        referrer: header_str(headers, "referer"),
        country: header_str(headers, "cf-ipcountry").or_else(|| header_str(headers, "x-country")),
        ads_click_id: ads_click_id(query),
    };
    let click = NewClick::new(&target, &facts, &salt);
    let click_id = click.id.clone();
    let is_bot = click.is_bot;
    match state.clicks.record(click).await {
        Ok(()) => {
            let m = &state.metrics;
            m.clicks_recorded
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if is_bot {
                m.clicks_bot
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let destination = &target.destination;
            let separator = if destination.contains('?') { '&' } else { '?' };
            let (base, fragment) = match destination.split_once('#') {
                Some((b, f)) => (b, Some(f)),
                None => (destination.as_str(), None),
            };
            let encoded = percent_encode(&click_id);
            let mut location = String::with_capacity(destination.len() + encoded.len() + 13);
            location.push_str(base);
            location.push(separator);
            location.push_str("kith_click=");
            location.push_str(&encoded);
            if let Some(fragment) = fragment {
                location.push('#');
                location.push_str(fragment);
            }
            let max_age = i64::from(state.config.tracking.attribution_window_days) * 86_400;
            let cookie =
                format!("kith_click={click_id}; Max-Age={max_age}; Path=/; SameSite=Lax; HttpOnly");
            Ok(found(location, Some(cookie)))
        }
        Err(e) => {
            // The visitor is sent on regardless; the click is not
            // acknowledged (no click id) and the failure is counted.
            tracing::error!(error = %e, slug = %slug, "click not recorded");
            state
                .metrics
                .clicks_not_recorded
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(found(target.destination.clone(), None))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ads_ids() {
        assert_eq!(
            super::ads_click_id(Some("a=1&gclid=XYZ")).as_deref(),
            Some("gclid=XYZ")
        );
        assert_eq!(super::ads_click_id(Some("a=1")), None);
        assert_eq!(super::ads_click_id(None), None);
    }
}
