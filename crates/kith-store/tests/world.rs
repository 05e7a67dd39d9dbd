//! The world store end to end: init, import every kind, re-import updates,
//! reading back, and atomicity when an import fails.

use kith_model::{
    Account, Customer, Follow, HistoryPoint, Interaction, InteractionKind, Platform, Post,
};
use kith_store::{StoreError, Workspace};
use std::path::Path;

fn account(handle: &str, followers: Option<u64>) -> Account {
    Account {
        platform: Platform::Instagram,
        handle: handle.into(),
        followers,
        ..Account::default()
    }
}

fn follow(a: &str, b: &str) -> Follow {
    Follow {
        platform: Platform::Instagram,
        follower: a.into(),
        followed: b.into(),
        since: None,
    }
}

fn post(handle: &str, id: &str, at: i64, likes: u64) -> Post {
    Post {
        platform: Platform::Instagram,
        handle: handle.into(),
        post_id: id.into(),
        posted_at: Some(at),
        likes: Some(likes),
        hashtags: vec!["trail".into(), "café".into()],
        ..Post::default()
    }
}

/// Every file under `dir` with its bytes, for "exactly as it was" checks.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != ".lock" {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn init_refuses_twice_and_open_needs_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path()).unwrap();
    assert_eq!(ws.world().unwrap().num_nodes(), 0);
    assert!(matches!(
        Workspace::init(dir.path()),
        Err(StoreError::AlreadyAWorkspace(_))
    ));
    let other = tempfile::tempdir().unwrap();
    let err = Workspace::open(other.path()).err().unwrap();
    assert!(err.to_string().contains("kith init"), "{err}");
}

#[test]
fn import_read_back_and_update_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path()).unwrap();

    let mut imp = ws.begin_import().unwrap();
    imp.add_accounts(vec![account("alice", Some(1200)), account("bob", None)])
        .unwrap();
    imp.add_follows(vec![
        follow("bob", "alice"),
        follow("carol", "alice"),
        follow("bob", "alice"),
    ])
    .unwrap();
    imp.add_posts(vec![
        post("alice", "p2", 200, 10),
        post("alice", "p1", 100, 5),
        post("bob", "b1", 50, 1),
    ])
    .unwrap();
    imp.add_interactions(vec![Interaction {
        platform: Platform::Instagram,
        from: "bob".into(),
        to: "alice".into(),
        kind: InteractionKind::Comment,
        at: Some(210),
    }])
    .unwrap();
    imp.add_history(vec![HistoryPoint {
        platform: Platform::Instagram,
        handle: "alice".into(),
        date: 19_000,
        followers: Some(1100),
        following: None,
    }])
    .unwrap();
    imp.add_customers(vec![Customer {
        customer_id: "c1".into(),
        platform: Some(Platform::Instagram),
        handle: Some("carol".into()),
        revenue: Some(99.5),
        ..Customer::default()
    }])
    .unwrap();
    let summary = imp.commit(&mut |_| {}).unwrap();
    assert_eq!(summary.generation, 1);

    let w = ws.world().unwrap();
    assert_eq!(w.num_nodes(), 3);
    assert_eq!(w.manifest().counts.accounts, 2);
    assert_eq!(
        w.manifest().counts.follows,
        2,
        "duplicate follow counted once"
    );
    let alice = w.lookup(Platform::Instagram, "@Alice").unwrap();
    let bob = w.resolve("instagram:bob").unwrap();
    let carol = w.resolve("carol").unwrap();
    assert_eq!(w.accounts().followers(alice), Some(1200));
    assert!(w.has_profile(alice) && !w.has_profile(carol));
    let mut audience = w.follows_in().neighbors(alice).to_vec();
    audience.sort();
    assert_eq!(audience, {
        let mut v = vec![bob, carol];
        v.sort();
        v
    });
    let rows: Vec<_> = w
        .posts_of(alice)
        .map(|r| w.posts().post_id(r).to_string())
        .collect();
    assert_eq!(rows, ["p1", "p2"], "posts sorted by time");
    let r = w.posts_of(alice).start;
    assert_eq!(w.posts().hashtags(r).collect::<Vec<_>>(), ["trail", "café"]);
    assert_eq!(w.interactions_to(alice).len(), 1);
    assert_eq!(
        w.interactions().from(w.interactions_to(alice)[0] as usize),
        bob
    );
    assert_eq!(w.history().followers(w.history_of(alice).start), Some(1100));
    assert_eq!(w.customers().node(0), Some(carol));
    assert_eq!(w.customers().revenue(0), Some(99.5));
    drop(w);

    // Re-import: known fields replace, unknown keep; posts update by id.
    let mut imp = ws.begin_import().unwrap();
    let mut a = account("alice", None);
    a.bio = Some("trail runner".into());
    imp.add_accounts(vec![a]).unwrap();
    imp.add_posts(vec![post("alice", "p1", 100, 7)]).unwrap();
    imp.add_follows(vec![follow("alice", "dave")]).unwrap();
    imp.commit(&mut |_| {}).unwrap();
    let w = ws.world().unwrap();
    let alice = w.resolve("alice").unwrap();
    assert_eq!(
        w.accounts().followers(alice),
        Some(1200),
        "unknown field keeps the stored value"
    );
    assert_eq!(w.accounts().bio(alice), Some("trail runner"));
    assert_eq!(w.manifest().counts.posts, 3);
    let likes: Vec<_> = w.posts_of(alice).map(|r| w.posts().likes(r)).collect();
    assert_eq!(likes, [Some(7), Some(10)]);
    assert_eq!(w.num_nodes(), 4);
    assert_eq!(
        w.follows_out().neighbors(alice),
        [w.resolve("dave").unwrap()]
    );
    assert_eq!(w.follows_in().degree(alice), 2);
    // Old generations are swept after commit.
    let gens: Vec<_> = std::fs::read_dir(dir.path().join("world"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .collect();
    assert_eq!(gens.len(), 1);
}

#[test]
fn dropped_import_leaves_the_world_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path()).unwrap();
    let mut imp = ws.begin_import().unwrap();
    imp.add_accounts(vec![account("alice", Some(5))]).unwrap();
    imp.commit(&mut |_| {}).unwrap();
    let before = snapshot(dir.path());
    let mut imp = ws.begin_import().unwrap();
    imp.add_accounts(vec![account("zed", Some(1))]).unwrap();
    imp.add_snap_edges(Platform::X, vec![(1, 2), (2, 3)])
        .unwrap();
    drop(imp);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn one_import_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path()).unwrap();
    let _first = ws.begin_import().unwrap();
    assert!(matches!(ws.begin_import(), Err(StoreError::Busy(_))));
}

#[test]
fn snap_edges_and_growth_keep_lookup_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path()).unwrap();
    for batch in [
        vec![(10u64, 2u64), (2, 33)],
        vec![(33, 10), (7, 2), (100, 5)],
    ] {
        let mut imp = ws.begin_import().unwrap();
        imp.add_snap_edges(Platform::X, batch).unwrap();
        imp.commit(&mut |_| {}).unwrap();
    }
    let w = ws.world().unwrap();
    assert_eq!(w.num_nodes(), 6);
    assert_eq!(w.manifest().counts.follows, 5);
    for h in ["10", "2", "33", "7", "100", "5"] {
        let id = w.lookup(Platform::X, h).unwrap();
        assert_eq!(w.handle(id), h);
    }
    assert!(w.lookup(Platform::Instagram, "10").is_none());
    let ten = w.lookup(Platform::X, "10").unwrap();
    assert_eq!(
        w.follows_in().neighbors(ten),
        [w.lookup(Platform::X, "33").unwrap()]
    );
}

#[test]
fn a_snap_id_and_the_same_handle_in_a_file_are_one_node() {
    // SNAP ids live in the numeric dictionary, handles in the string one;
    // "10" written either way must still be one account, "010" another.
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(dir.path()).unwrap();
    let mut imp = ws.begin_import().unwrap();
    imp.add_snap_edges(Platform::X, vec![(10, 2)]).unwrap();
    let mut ten = account("10", Some(7));
    ten.platform = Platform::X;
    let mut padded = account("010", Some(9));
    padded.platform = Platform::X;
    let ids = imp.add_accounts(vec![ten, padded]).unwrap();
    imp.add_snap_edges(Platform::X, vec![(2, 10)]).unwrap();
    imp.commit(&mut |_| {}).unwrap();
    let w = ws.world().unwrap();
    assert_eq!(w.num_nodes(), 3);
    let node = w.lookup(Platform::X, "10").unwrap();
    assert_eq!(ids[0], node);
    assert_ne!(ids[1], node);
    assert_eq!(w.accounts().followers(node), Some(7));
    assert_eq!(w.follows_in().neighbors(node).len(), 1);
    assert_eq!(w.manifest().counts.follows, 2);
}
