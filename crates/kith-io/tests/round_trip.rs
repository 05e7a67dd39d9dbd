//! Property tests: whatever the writers write, the readers read back as the
//! same records (in their canonical form), in CSV, TSV and JSON Lines, plain
//! and gzip; and no input, however broken, makes a reader panic.

use kith_io::{
    Format, ReadOptions, Record, read_all, read_records_from, read_snap_from, write_records,
};
use kith_model::text::{extract_hashtags, extract_mentions};
use kith_model::{
    Account, AuthenticityFeatures, Customer, Follow, HistoryPoint, Interaction, InteractionKind,
    Label, Platform, Post, PostKind,
};
use proptest::prelude::*;
use std::fmt::Debug;
use std::path::Path;

const NAMES: [&str; 6] = [
    "r.csv",
    "r.csv.gz",
    "r.tsv",
    "r.jsonl",
    "r.ndjson.gz",
    "r.json",
];

fn platform() -> impl Strategy<Value = Platform> {
    proptest::sample::select(Platform::ALL)
}

/// Handles as the readers store them: normalised, so they read back equal.
fn handle() -> impl Strategy<Value = String> {
    "[a-z0-9_.é日]{1,12}"
}

/// Free text with the characters that stress quoting; never empty, since an
/// empty value means unknown.
fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[\\PC\t\n\r\",;{}\\\\]{1,24}")
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z0-9_é]{1,8}", 0..5).prop_map(|mut tags| {
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(t.clone()));
        tags
    })
}

fn time() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(prop_oneof![0i64..2_000_000_000, any::<i64>()])
}

fn decimal() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of(prop_oneof![
        (0u32..100_000).prop_map(|c| f64::from(c) / 100.0),
        any::<f64>()
            .prop_map(f64::abs)
            .prop_filter("finite", |x| x.is_finite()),
    ])
}

fn account() -> impl Strategy<Value = Account> {
    (
        (
            platform(),
            handle(),
            text(),
            text(),
            any::<[Option<u64>; 3]>(),
        ),
        (
            any::<[Option<bool>; 3]>(),
            text(),
            time(),
            text(),
            text(),
            text(),
            tags(),
        ),
    )
        .prop_map(
            |(
                (platform, handle, name, bio, counts),
                (flags, url, created, country, language, category, tags),
            )| Account {
                platform,
                handle,
                name,
                bio,
                followers: counts[0],
                following: counts[1],
                posts: counts[2],
                verified: flags[0],
                private: flags[1],
                has_profile_pic: flags[2],
                external_url: url,
                created_at: created,
                country,
                language,
                category,
                tags,
            },
        )
}

fn post() -> impl Strategy<Value = Post> {
    (
        (platform(), handle(), "[a-zA-Z0-9_-]{1,12}", time()),
        (
            proptest::option::of(proptest::sample::select(PostKind::ALL)),
            text(),
            tags(),
            tags(),
        ),
        (any::<[Option<u64>; 5]>(), any::<Option<bool>>()),
    )
        .prop_map(
            |(
                (platform, handle, post_id, posted_at),
                (kind, caption, hashtags, mentions),
                (counts, sponsored),
            )| Post {
                platform,
                handle,
                post_id,
                posted_at,
                kind,
                caption,
                hashtags,
                mentions,
                likes: counts[0],
                comments: counts[1],
                shares: counts[2],
                saves: counts[3],
                views: counts[4],
                sponsored,
            },
        )
}

fn follow() -> impl Strategy<Value = Follow> {
    (platform(), handle(), handle(), time()).prop_map(|(platform, follower, followed, since)| {
        Follow {
            platform,
            follower,
            followed,
            since,
        }
    })
}

fn interaction() -> impl Strategy<Value = Interaction> {
    (
        platform(),
        handle(),
        handle(),
        proptest::sample::select(InteractionKind::ALL),
        time(),
    )
        .prop_map(|(platform, from, to, kind, at)| Interaction {
            platform,
            from,
            to,
            kind,
            at,
        })
}

fn history() -> impl Strategy<Value = HistoryPoint> {
    (
        platform(),
        handle(),
        prop_oneof![0i32..40_000, any::<i32>()],
        any::<[Option<u64>; 2]>(),
    )
        .prop_map(|(platform, handle, date, counts)| HistoryPoint {
            platform,
            handle,
            date,
            followers: counts[0],
            following: counts[1],
        })
}

fn customer() -> impl Strategy<Value = Customer> {
    (
        "[a-zA-Z0-9_-]{1,12}",
        text(),
        text(),
        proptest::option::of(platform()),
        proptest::option::of(handle()),
        any::<Option<u64>>(),
        decimal(),
        time(),
    )
        .prop_map(
            |(customer_id, email, name, platform, handle, orders, revenue, first_order_at)| {
                Customer {
                    customer_id,
                    email,
                    name,
                    platform,
                    handle,
                    orders,
                    revenue,
                    first_order_at,
                }
            },
        )
}

fn features() -> impl Strategy<Value = AuthenticityFeatures> {
    (
        [
            decimal(),
            decimal(),
            decimal(),
            decimal(),
            decimal(),
            decimal(),
            decimal(),
            decimal(),
        ],
        any::<[Option<bool>; 5]>(),
        proptest::sample::select(Label::ALL),
    )
        .prop_map(|(d, b, label)| AuthenticityFeatures {
            followers: d[0],
            following: d[1],
            posts: d[2],
            has_profile_pic: b[0],
            private: b[1],
            verified: b[2],
            has_external_url: b[3],
            bio_length: d[3],
            handle_length: d[4],
            handle_digit_ratio: d[5],
            name_words: d[6],
            name_matches_handle: b[4],
            account_age_days: d[7],
            label: Some(label),
        })
}

/// What a post reads back as: tags and mentions missing from their columns
/// come from the caption.
fn canonical_post(mut p: Post) -> Post {
    if let Some(caption) = &p.caption {
        if p.hashtags.is_empty() {
            p.hashtags = extract_hashtags(caption);
        }
        if p.mentions.is_empty() {
            p.mentions = extract_mentions(caption);
        }
    }
    p
}

fn round_trip<T: Record + PartialEq + Debug>(
    rows: &[T],
    expected: &[T],
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    for name in NAMES {
        let path = dir.path().join(name);
        write_records(&path, rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Vec<T> = read_all(&path, &ReadOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        prop_assert_eq!(&back[..], expected, "{}", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn accounts_round_trip(rows in proptest::collection::vec(account(), 0..8)) {
        round_trip(&rows, &rows)?;
    }

    #[test]
    fn posts_round_trip(rows in proptest::collection::vec(post(), 0..8)) {
        let expected: Vec<Post> = rows.iter().cloned().map(canonical_post).collect();
        round_trip(&rows, &expected)?;
    }

    #[test]
    fn follows_round_trip(rows in proptest::collection::vec(follow(), 0..8)) {
        round_trip(&rows, &rows)?;
    }

    #[test]
    fn interactions_round_trip(rows in proptest::collection::vec(interaction(), 0..8)) {
        round_trip(&rows, &rows)?;
    }

    #[test]
    fn history_round_trips(rows in proptest::collection::vec(history(), 0..8)) {
        round_trip(&rows, &rows)?;
    }

    #[test]
    fn customers_round_trip(rows in proptest::collection::vec(customer(), 0..8)) {
        round_trip(&rows, &rows)?;
    }

    #[test]
    fn features_round_trip(rows in proptest::collection::vec(features(), 0..8)) {
        round_trip(&rows, &rows)?;
    }
}

/// Reads `bytes` every way there is; none may panic or fail internally.
fn read_every_way(bytes: &[u8]) -> Result<(), TestCaseError> {
    fn check<T: Record>(bytes: &[u8], name: &str, format: Format) -> Result<(), TestCaseError> {
        let opts = ReadOptions::default();
        let result = read_records_from::<T>(
            std::io::Cursor::new(bytes.to_vec()),
            Path::new(name),
            format,
            &opts,
            |_| Ok(()),
        );
        if let Err(e) = result {
            prop_assert!(!e.message.contains("internal error"), "{}", e);
        }
        Ok(())
    }
    for (name, format) in [
        ("f.csv", Format::Csv),
        ("f.tsv", Format::Csv),
        ("f.jsonl", Format::Jsonl),
    ] {
        check::<Account>(bytes, name, format)?;
        check::<Post>(bytes, name, format)?;
        check::<Follow>(bytes, name, format)?;
        check::<Interaction>(bytes, name, format)?;
        check::<HistoryPoint>(bytes, name, format)?;
        check::<Customer>(bytes, name, format)?;
        check::<AuthenticityFeatures>(bytes, name, format)?;
    }
    let snap = read_snap_from(
        std::io::Cursor::new(bytes.to_vec()),
        Path::new("g.txt"),
        &ReadOptions::default(),
        |_| Ok(()),
    );
    if let Err(e) = snap {
        prop_assert!(!e.message.contains("internal error"), "{}", e);
    }
    Ok(())
}

/// Input that looks like the contract, then goes wrong in small ways.
fn near_miss() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just("platform".to_string()),
        Just("handle".to_string()),
        Just("followers".to_string()),
        Just("caption".to_string()),
        Just("post_id".to_string()),
        Just("customer_id".to_string()),
        Just("label".to_string()),
        Just("{\"handle\":".to_string()),
        Just("\"".to_string()),
        Just(",".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("#".to_string()),
        Just("@".to_string()),
        Just("x".to_string()),
        Just("fake".to_string()),
        Just("-1".to_string()),
        "[0-9]{1,21}",
        "\\PC{0,4}",
    ];
    proptest::collection::vec(token, 0..60).prop_map(|tokens| tokens.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        read_every_way(&bytes)?;
    }

    #[test]
    fn near_misses_never_panic(bytes in near_miss()) {
        read_every_way(&bytes)?;
    }

    #[test]
    fn arbitrary_gzip_never_panics(bytes in near_miss(), cut in any::<prop::sample::Index>()) {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &bytes).unwrap();
        let compressed = gz.finish().unwrap();
        read_every_way(&compressed)?;
        read_every_way(&compressed[..cut.index(compressed.len() + 1)])?;
    }
}
