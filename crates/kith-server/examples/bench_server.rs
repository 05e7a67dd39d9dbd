//! The servers `bench/tracking/run.sh` loads: `bare PORT` answers every
//! request with a 302 and does nothing else (the ceiling); `kith PORT DB`
//! is the real application on the database DB, with a program, a partner, a
//! link `/bench` and a `track` key made for the run (printed as JSON).

use kith_track::Db;

// The `kith` binary runs on mimalloc; so does what the benchmark measures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use kith_track::keys::Scope;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: bench_server bare PORT | bench_server kith PORT DATABASE";
    let (mode, port) = match (args.get(1), args.get(2)) {
        (Some(m), Some(p)) => (m.as_str(), p.clone()),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    match mode {
        "bare" => {
            let app = axum::Router::new().route(
                "/{slug}",
                axum::routing::get(|| async {
                    (
                        axum::http::StatusCode::FOUND,
                        [(axum::http::header::LOCATION, "https://x.example/")],
                    )
                }),
            );
            println!("{{\"ready\": true}}");
            axum::serve(listener, app).await.expect("serve");
        }
        "kith" => {
            let Some(database) = args.get(3) else {
                eprintln!("{usage}");
                std::process::exit(2);
            };
            let db = Db::connect(database).await.expect("database");
            let ws = db.ensure_workspace("bench").await.expect("workspace").id;
            let tracking = kith_model::settings::Tracking::default();
            let program = match db.program_by_name(&ws, "bench").await {
                Ok(p) => p,
                Err(_) => {
                    let input = kith_track::programs::ProgramInput {
                        name: Some("bench".into()),
                        ..Default::default()
                    };
                    db.create_program(&ws, &input, &tracking)
                        .await
                        .expect("program")
                }
            };
            let partner = db
                .create_partner(
                    &ws,
                    &program.id,
                    &kith_track::partners::PartnerInput {
                        name: Some("Ana".into()),
                        ..Default::default()
                    },
                )
                .await
                .expect("partner");
            let rule = kith_track::rules::RuleInput {
                event: Some("sale".into()),
                kind: Some("percent".into()),
                percent_bp: Some(1000),
                ..Default::default()
            };
            db.create_rule(&ws, &program.id, &rule).await.expect("rule");
            let code = format!("ANA{}", kith_track::util::random_hex(3).to_uppercase());
            let codes = kith_track::links::CodeInput {
                partner_id: partner.id.clone(),
                code: Some(code.clone()),
                ..Default::default()
            };
            db.create_codes(&ws, &codes).await.expect("code");
            let link = kith_track::links::LinkInput {
                partner_id: Some(partner.id.clone()),
                destination: Some("https://shop.example/landing".into()),
                slug: Some("bench".into()),
                ..Default::default()
            };
            // The link survives from an earlier run on the same database.
            let _ = db.create_link(&ws, &link).await;
            let key = db
                .create_api_key("bench", Scope::Track, "bench")
                .await
                .expect("key")
                .1;
            println!(
                "{}",
                serde_json::json!({ "ready": true, "key": key, "program_id": program.id, "code": code })
            );
            let config = kith_server::Config {
                tracking,
                background_tasks: false,
                ..Default::default()
            };
            kith_server::serve(listener, db, config)
                .await
                .expect("serve");
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
