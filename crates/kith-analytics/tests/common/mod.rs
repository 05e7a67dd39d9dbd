//! Shared by the data-backed tests: finding `../shared/data` (or
//! `$KITH_DATA`) and reading labelled feature files.

#![allow(dead_code)]

use kith_analytics::authenticity::LabelledSet;
use kith_model::AuthenticityFeatures;
use std::path::PathBuf;

/// The real-data folder, or `None` (said on stderr) when this checkout has
/// none, as in a user's fresh clone.
pub fn data_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("KITH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "{test}: skipped: no data folder at {} (set KITH_DATA)",
            dir.display()
        );
        None
    }
}

/// Reads labelled feature files into one set (one source per file).
pub fn labelled(paths: &[PathBuf]) -> LabelledSet {
    let mut set = LabelledSet::default();
    for p in paths {
        let rows: Vec<AuthenticityFeatures> =
            kith_io::read_all(p, &kith_io::ReadOptions::default()).unwrap();
        set.push_file(&p.display().to_string(), &rows).unwrap();
    }
    set
}

/// A demo world generated with `opts` and imported into a new workspace
/// in a temporary directory (kept alive by the returned guard).
pub fn demo_workspace(
    opts: &kith_demo::DemoOptions,
) -> (
    kith_demo::DemoWorld,
    tempfile::TempDir,
    kith_store::Workspace,
) {
    let demo = kith_demo::generate(opts);
    let dir = tempfile::tempdir().unwrap();
    let ws = kith_store::Workspace::init(dir.path()).unwrap();
    import_demo(&ws, &demo);
    (demo, dir, ws)
}

/// Imports a generated demo world in one commit, as `kith demo` does.
pub fn import_demo(ws: &kith_store::Workspace, world: &kith_demo::DemoWorld) {
    let mut imp = ws.begin_import().unwrap();
    let ids = imp.add_accounts(world.accounts.clone()).unwrap();
    let edges = world
        .follows
        .iter()
        .map(|&(a, b)| (ids[a as usize], ids[b as usize]))
        .collect();
    imp.add_follow_nodes(edges).unwrap();
    imp.add_posts(world.posts.clone()).unwrap();
    imp.add_interactions(world.interactions.clone()).unwrap();
    imp.add_history(world.history.clone()).unwrap();
    imp.add_customers(world.customers.clone()).unwrap();
    imp.commit(&mut |_| {}).unwrap();
}
