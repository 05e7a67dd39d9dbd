//! kith-server owns kith's HTTP face: the JSON API under `/api/v1` with its
//! OpenAPI document (`/api/v1/openapi.json`), the tracked-link redirect
//! `/{slug}`, signed read-only partner stats pages (`/p/...`), `/healthz`
//! and `/metrics` (Prometheus). The work itself is done by `kith-track`;
//! this crate only turns HTTP into calls and results into HTTP.

mod api;
mod error;
mod extract;
mod metrics;
mod redirect;
mod stats_page;

pub use error::{ApiError, ErrorBody};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use kith_model::settings::Tracking;
use kith_track::clicks::ClickRecorder;
use kith_track::keys::Caller;
use kith_track::track::Tracker;
use kith_track::{Db, Error};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub tracking: Tracking,
    /// Take the client address from `X-Forwarded-For` (behind a proxy you
    /// run); otherwise from the TCP peer.
    pub trust_forwarded_for: bool,
    /// Run webhook delivery and commission approval in this process.
    pub background_tasks: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tracking: Tracking::default(),
            trust_forwarded_for: false,
            background_tasks: true,
        }
    }
}

/// Everything a handler may reach. Cheap to clone: one reference count,
/// because axum clones the state for every request (into the metrics
/// layer and the handler), and seven separate `Arc`s showed up as 5% of the
/// redirect's CPU.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What an [`AppState`] shares.
pub struct Shared {
    pub db: Db,
    pub clicks: ClickRecorder,
    pub tracker: Tracker,
    pub config: Config,
    pub links: redirect::LinkCache,
    pub keys: KeyCache,
    pub metrics: metrics::Metrics,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Starts the click and tracking writers on the current runtime.
    pub fn new(db: Db, config: Config) -> AppState {
        AppState(Arc::new(Shared {
            clicks: ClickRecorder::start(db.clone()),
            tracker: Tracker::start(db.clone()),
            db,
            config,
            links: redirect::LinkCache::default(),
            keys: KeyCache::default(),
            metrics: metrics::Metrics::default(),
        }))
    }
}

/// API keys seen lately. A revoked key stops working within [`KEY_TTL`].
#[derive(Default)]
pub struct KeyCache {
    entries: RwLock<HashMap<String, (Option<Caller>, Instant)>>,
}

const KEY_TTL: Duration = Duration::from_secs(30);

impl KeyCache {
    pub async fn authenticate(&self, db: &Db, key: &str) -> Result<Option<Caller>, Error> {
        if let Ok(entries) = self.entries.read()
            && let Some((caller, at)) = entries.get(key)
            && at.elapsed() < KEY_TTL
        {
            return Ok(caller.clone());
        }
        let caller = db.authenticate(key).await?;
        if let Ok(mut entries) = self.entries.write() {
            // Bounded: a flood of made-up keys must not grow memory for ever.
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(key.to_string(), (caller.clone(), Instant::now()));
        }
        Ok(caller)
    }
}

/// The whole application: API, redirect, pages, health and metrics.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let openapi_json = Arc::new(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    Router::new()
        .nest("/api/v1", api)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let body = openapi_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        (*body).clone(),
                    )
                }
            }),
        )
        .route("/healthz", axum::routing::get(metrics::healthz))
        .route("/metrics", axum::routing::get(metrics::render))
        .route(
            "/p/{partner_id}/{signature}",
            axum::routing::get(stats_page::page),
        )
        .route("/{slug}", axum::routing::get(redirect::follow))
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .with_state(state)
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}

/// Serves on `listener` until Ctrl-C or SIGTERM, then drains.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Db,
    config: Config,
) -> std::io::Result<()> {
    let background = config.background_tasks;
    let state = AppState::new(db.clone(), config);
    if background {
        tokio::spawn(kith_track::webhooks::run_background(db));
    }
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
