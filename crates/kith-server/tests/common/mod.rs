//! A real server on a loopback port over a real database, for the HTTP tests.
#![allow(dead_code)]

#[path = "../../../kith-track/tests/support/mod.rs"]
pub mod support;

use kith_track::Db;
use kith_track::keys::Scope;
use serde_json::{Value, json};
use std::net::SocketAddr;

pub struct Server {
    pub base: String,
    pub db: Db,
    pub http: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl Server {
    /// Starts a server; `None` when PostgreSQL is asked for and not to be had.
    pub async fn start(backend: Backend, test: &str) -> Option<Server> {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (
                    dir.path().join("kith.db").to_str().unwrap().to_string(),
                    Some(dir),
                )
            }
            Backend::Postgres => (support::fresh_postgres_db(test).await?, None),
        };
        let db = Db::connect(&url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let server_db = db.clone();
        tokio::spawn(async move {
            let config = kith_server::Config {
                background_tasks: true,
                ..Default::default()
            };
            let _ = kith_server::serve(listener, server_db, config).await;
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Some(Server {
            base: format!("http://{addr}"),
            db,
            http,
            _dir: dir,
        })
    }

    pub async fn key(&self, tenant: &str, scope: Scope) -> String {
        self.db
            .create_api_key(tenant, scope, "test")
            .await
            .unwrap()
            .1
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, key: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, key: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A program with a partner, a 10% sale rule and a link; returns
    /// (program id, partner id, slug).
    pub async fn program(&self, admin: &str) -> (String, String, String) {
        let (status, p) = self
            .post(admin, "/api/v1/programs", json!({ "name": "Spring" }))
            .await;
        assert_eq!(status, 201, "{p}");
        let program = p["id"].as_str().unwrap().to_string();
        let (_, partner) = self
            .post(
                admin,
                &format!("/api/v1/programs/{program}/partners"),
                json!({ "name": "Ana", "email": "ana@example.com" }),
            )
            .await;
        let partner = partner["id"].as_str().unwrap().to_string();
        let (status, rule) = self
            .post(
                admin,
                &format!("/api/v1/programs/{program}/rules"),
                json!({ "event": "sale", "kind": "percent", "percent_bp": 1000 }),
            )
            .await;
        assert_eq!(status, 201, "{rule}");
        let (status, link) = self
            .post(
                admin,
                "/api/v1/links",
                json!({ "partner_id": partner, "destination": "https://shop.example/x" }),
            )
            .await;
        assert_eq!(status, 201, "{link}");
        (program, partner, link["slug"].as_str().unwrap().to_string())
    }
}
