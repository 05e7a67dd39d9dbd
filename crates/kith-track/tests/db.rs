//! Opening, creating and migrating the operations database on both backends.

mod support;

use kith_track::{Backend, Db, init_sqlite};
use sqlx::Row;

#[test]
fn init_sqlite_creates_a_wal_database_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kith.db");
    init_sqlite(&path).unwrap();
    assert!(path.is_file());
    init_sqlite(&path).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = Db::connect(path.to_str().unwrap()).await.unwrap();
        assert_eq!(db.backend(), Backend::Sqlite);
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(mode, "wal");
        let migrations: i64 = sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert!(migrations >= 1);
    });
}

#[test]
fn init_sqlite_in_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = init_sqlite(&dir.path().join("no/such/dir/kith.db")).unwrap_err();
    assert!(err.to_string().contains("cannot open"), "{err}");
}

#[tokio::test]
async fn postgres_connects_and_migrates_twice() {
    let Some(url) = support::fresh_postgres_db("connects").await else {
        return;
    };
    let db = Db::connect(&url).await.unwrap();
    assert_eq!(db.backend(), Backend::Postgres);
    db.close().await;
    let db = Db::connect(&url).await.unwrap();
    let tables: i64 = sqlx::query(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'commissions'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap()
    .get(0);
    assert_eq!(tables, 1);
}
