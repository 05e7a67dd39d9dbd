//! The world's shape: determinism, integrity of the graph and the handles,
//! heavy tails, the engagement curve, the fake accounts' features, the
//! customers and the brief.

mod common;

use common::{er_followers_median, id, index, median, posts_by_account, world};
use kith_demo::{DemoOptions, WorldShape, WorldSkeleton, generate, generate_with};
use kith_model::{Platform, text};
use std::collections::{HashMap, HashSet};

#[test]
fn same_seed_same_world_other_seed_other_world() {
    let opts = DemoOptions {
        accounts: 3_000,
        seed: 7,
        ..DemoOptions::default()
    };
    let a = generate(&opts);
    let b = generate(&opts);
    assert_eq!(a.accounts, b.accounts);
    assert_eq!(a.follows, b.follows);
    assert_eq!(a.posts, b.posts);
    assert_eq!(a.interactions, b.interactions);
    assert_eq!(a.history, b.history);
    assert_eq!(a.customers, b.customers);
    assert_eq!(a.brief_toml, b.brief_toml);
    assert_eq!(a.truth, b.truth);

    let c = generate(&DemoOptions {
        seed: 8,
        ..opts.clone()
    });
    assert_ne!(a.accounts, c.accounts);
    assert_ne!(a.follows, c.follows);
    assert_ne!(a.truth.fake_accounts, c.truth.fake_accounts);

    // Same world on one thread as on many: nothing depends on scheduling.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let single = pool.install(|| generate(&opts));
    assert_eq!(a.follows, single.follows);
    assert_eq!(a.posts, single.posts);
    assert_eq!(a.truth, single.truth);
}

#[test]
fn activity_in_blocks_is_the_whole_worlds_activity() {
    let opts = DemoOptions {
        accounts: 2_500,
        seed: 11,
        ..DemoOptions::default()
    };
    let whole = generate(&opts);
    let skeleton = WorldSkeleton::new(&opts);
    assert_eq!(skeleton.accounts(), &whole.accounts[..]);
    assert_eq!(skeleton.follows(), &whole.follows[..]);
    assert_eq!(skeleton.truth(), &whole.truth);
    let (mut posts, mut interactions, mut history) = (Vec::new(), Vec::new(), Vec::new());
    for start in (0..2_500).step_by(700) {
        let a = skeleton.activity(start..start + 700);
        posts.extend(a.posts);
        interactions.extend(a.interactions);
        history.extend(a.history);
    }
    assert_eq!(posts, whole.posts);
    assert_eq!(interactions, whole.interactions);
    assert_eq!(history, whole.history);
    assert_eq!(whole.truth.counts.posts, whole.posts.len());
    assert_eq!(whole.truth.counts.history, whole.history.len());
    assert_eq!(whole.truth.counts.follows, whole.follows.len());
}

#[test]
fn benchmark_shape_has_about_twelve_posts_per_account() {
    let opts = DemoOptions {
        accounts: 2_000,
        ..DemoOptions::default()
    };
    let world = generate_with(&opts, &WorldShape::benchmark());
    let per_account = world.posts.len() as f64 / world.accounts.len() as f64;
    assert!((11.0..13.0).contains(&per_account), "{per_account}");
    let default = generate(&opts);
    assert!(default.posts.len() * 3 < world.posts.len());
}

#[test]
fn the_smallest_worlds_are_whole() {
    for seed in 0..4 {
        let w = generate(&DemoOptions {
            accounts: kith_demo::MIN_ACCOUNTS,
            seed,
            ..DemoOptions::default()
        });
        let accounts = index(&w);
        let t = &w.truth;
        assert!(accounts.contains_key(&t.brand));
        for a in t
            .fake_accounts
            .iter()
            .chain(&t.over_sponsored)
            .chain(t.pods.iter().flatten())
        {
            assert!(accounts.contains_key(a), "{a}");
        }
        assert!(!t.relevant_micro_influencers.is_empty() && !t.bought_followers.is_empty());
        toml::from_str::<toml::Table>(&w.brief_toml).expect("brief parses");
    }
}

#[test]
#[should_panic(expected = "accounts")]
fn tiny_worlds_are_refused() {
    generate(&DemoOptions {
        accounts: 10,
        ..DemoOptions::default()
    });
}

#[test]
fn handles_are_unique_per_platform_and_normalised() {
    let w = world();
    let mut seen = HashSet::new();
    for a in &w.accounts {
        assert!(
            seen.insert((a.platform, a.handle.clone())),
            "duplicate handle {}",
            a.handle
        );
        assert_eq!(text::normalize_handle(&a.handle), a.handle);
        assert!(!a.handle.is_empty() && a.handle.len() <= 30, "{}", a.handle);
    }
    assert_eq!(w.accounts.len(), DemoOptions::default().accounts);
}

#[test]
fn follows_are_unique_in_range_and_within_declared_counts() {
    let w = world();
    let n = w.accounts.len() as u32;
    assert!(
        w.follows.windows(2).all(|e| e[0] < e[1]),
        "follows are sorted and unique"
    );
    let mut in_degree = vec![0u64; n as usize];
    let mut out_degree = vec![0u64; n as usize];
    for &(f, t) in &w.follows {
        assert!(f < n && t < n && f != t);
        assert_eq!(
            w.accounts[f as usize].platform,
            w.accounts[t as usize].platform
        );
        in_degree[t as usize] += 1;
        out_degree[f as usize] += 1;
    }
    for (i, a) in w.accounts.iter().enumerate() {
        assert!(a.followers.unwrap() >= in_degree[i], "{}", a.handle);
        assert!(a.following.unwrap() >= out_degree[i], "{}", a.handle);
    }
    // About 16-20 follows per account, as in the 1M-account benchmark's shape.
    let per_account = w.follows.len() as f64 / n as f64;
    assert!((14.0..24.0).contains(&per_account), "{per_account}");
}

#[test]
fn follower_counts_are_heavy_tailed() {
    let w = world();
    let followers: Vec<u64> = w.accounts.iter().map(|a| a.followers.unwrap()).collect();
    let share = |lo: u64, hi: u64| {
        followers.iter().filter(|&&f| (lo..hi).contains(&f)).count() as f64 / followers.len() as f64
    };
    // Most accounts are ordinary users with a few hundred followers.
    assert!(share(0, 1_000) > 0.9);
    // Then many nano and micro, few mid, a handful of macro and mega.
    let (nano, micro, mid, big) = (
        share(1_000, 10_000),
        share(10_000, 100_000),
        share(100_000, 1_000_000),
        share(1_000_000, u64::MAX),
    );
    assert!(
        nano > mid && micro > mid && mid > big,
        "{nano} {micro} {mid} {big}"
    );
    assert!(followers.iter().any(|&f| f >= 1_000_000));
    let ordinary_median = median(
        followers
            .iter()
            .filter(|&&f| f < 1_000)
            .map(|&f| f as f64)
            .collect(),
    );
    assert!(
        (150.0..500.0).contains(&ordinary_median),
        "{ordinary_median}"
    );
}

/// Median ER of accounts in a follower band, on one platform.
fn band_median(platform: Platform, lo: u64, hi: u64) -> (f64, usize) {
    let w = world();
    let posts = posts_by_account(w);
    let rates: Vec<f64> = w
        .accounts
        .iter()
        .filter(|a| a.platform == platform && (lo..hi).contains(&a.followers.unwrap()))
        .filter_map(|a| er_followers_median(a, posts.get(&id(a))?, w.truth.now))
        .collect();
    let n = rates.len();
    (median(rates), n)
}

#[test]
fn instagram_engagement_falls_steeply_then_flattens() {
    let (small, n1) = band_median(Platform::Instagram, 200, 800);
    let (nano, n2) = band_median(Platform::Instagram, 1_000, 3_000);
    let (micro, n3) = band_median(Platform::Instagram, 15_000, 40_000);
    let (large, n4) = band_median(Platform::Instagram, 150_000, 10_000_000);
    assert!(
        n1 > 100 && n2 > 30 && n3 > 30 && n4 > 10,
        "{n1} {n2} {n3} {n4}"
    );
    assert!(
        small > nano && nano > micro && micro > large,
        "{small} {nano} {micro} {large}"
    );
    // Steep up to ~20k: per decade of followers it loses much more than after.
    let steep = (nano / micro).log10() / (25_000f64 / 2_000.0).log10();
    let flat = (micro / large).log10() / (600_000f64 / 25_000.0).log10();
    assert!(steep > 2.0 * flat, "steep {steep} flat {flat}");
    // Calibrated levels (docs/demo.md): ~20% below 1k, ~4% around 20k.
    assert!((0.15..0.30).contains(&small), "{small}");
    assert!((0.025..0.07).contains(&micro), "{micro}");
}

#[test]
fn tiktok_engagement_does_not_fall() {
    let (small, n1) = band_median(Platform::Tiktok, 1_000, 10_000);
    let (large, n2) = band_median(Platform::Tiktok, 30_000, 10_000_000);
    assert!(n1 > 10 && n2 > 10, "{n1} {n2}");
    let ratio = large / small;
    assert!((0.6..1.6).contains(&ratio), "{small} {large}");
    assert!(
        world()
            .posts
            .iter()
            .filter(|p| p.platform == Platform::Tiktok)
            .all(|p| p.views.is_some())
    );
}

/// Profile features of the authenticity format, for one account.
struct Features {
    followers: f64,
    following: f64,
    posts: f64,
    has_pic: bool,
    digit_ratio: f64,
    age_days: f64,
    bio_len: usize,
}

fn features(a: &kith_model::Account, now: i64) -> Features {
    let digits = a.handle.chars().filter(char::is_ascii_digit).count();
    Features {
        followers: a.followers.unwrap() as f64,
        following: a.following.unwrap() as f64,
        posts: a.posts.unwrap() as f64,
        has_pic: a.has_profile_pic.unwrap(),
        digit_ratio: digits as f64 / a.handle.chars().count() as f64,
        age_days: (now - a.created_at.unwrap()) as f64 / 86_400.0,
        bio_len: a.bio.as_deref().map_or(0, |b| b.chars().count()),
    }
}

#[test]
fn fake_accounts_look_like_instafake_fakes_and_real_ones_do_not() {
    let w = world();
    let fakes: HashSet<&str> = w.truth.fake_accounts.iter().map(String::as_str).collect();
    let (mut fake, mut real): (Vec<Features>, Vec<Features>) = (Vec::new(), Vec::new());
    for a in w
        .accounts
        .iter()
        .filter(|a| a.platform == Platform::Instagram)
    {
        let f = features(a, w.truth.now);
        if fakes.contains(id(a).as_str()) {
            fake.push(f)
        } else {
            real.push(f)
        }
    }
    let med = |v: &[Features], get: fn(&Features) -> f64| median(v.iter().map(get).collect());
    let share = |v: &[Features], get: fn(&Features) -> bool| {
        v.iter().filter(|f| get(f)).count() as f64 / v.len() as f64
    };
    // Following far above followers.
    let ratio = |f: &Features| f.following / (f.followers + 1.0);
    assert!(med(&fake, ratio) > 10.0 * med(&real, ratio));
    // Few posts, often none; often no picture; digits in handles; new; no bio.
    assert!(share(&fake, |f| f.posts == 0.0) > 0.4 && share(&real, |f| f.posts == 0.0) < 0.01);
    assert!(share(&fake, |f| !f.has_pic) > 0.3 && share(&real, |f| !f.has_pic) < 0.02);
    assert!(med(&fake, |f| f.digit_ratio) > 0.1 && med(&real, |f| f.digit_ratio) == 0.0);
    assert!(med(&fake, |f| f.age_days) < 365.0 && med(&real, |f| f.age_days) > 365.0);
    assert!(share(&fake, |f| f.bio_len == 0) > 0.6);
    // A two-rule screen separates them almost perfectly: what a trained
    // classifier should reach on these planted fakes.
    let flagged =
        |f: &Features| f.following > 3.0 * (f.followers + 10.0) && (f.posts <= 12.0 || !f.has_pic);
    let tp = fake.iter().filter(|f| flagged(f)).count() as f64;
    let fp = real.iter().filter(|f| flagged(f)).count() as f64;
    assert!(
        tp / fake.len() as f64 > 0.95,
        "recall {}",
        tp / fake.len() as f64
    );
    assert!(tp / (tp + fp) > 0.95, "precision {}", tp / (tp + fp));
}

#[test]
fn brief_parses_with_designs_keys_and_names_real_seeds() {
    let w = world();
    let brief: toml::Table = toml::from_str(&w.brief_toml).expect("the brief is TOML");
    for key in [
        "name",
        "platforms",
        "hashtags",
        "keywords",
        "followers",
        "seeds",
        "exclude",
        "budget",
        "currency",
        "goal",
    ] {
        assert!(
            brief.contains_key(key),
            "brief lacks {key}:\n{}",
            w.brief_toml
        );
    }
    let strings = |key: &str| -> Vec<String> {
        brief[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let hashtags = strings("hashtags");
    assert!(hashtags.iter().all(|h| h.starts_with('#')));
    assert!(
        hashtags
            .iter()
            .all(|h| w.truth.niche_hashtags.contains(&h[1..].to_string()))
    );
    let followers: Vec<i64> = brief["followers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_integer().unwrap())
        .collect();
    assert_eq!(followers, [1_000, 100_000]);
    assert!(["reach", "engagement", "sales"].contains(&brief["goal"].as_str().unwrap()));
    let accounts = index(w);
    let seeds = strings("seeds");
    assert_eq!(strings("brand"), std::slice::from_ref(&w.truth.brand));
    assert!(seeds.len() > 50, "{}", seeds.len());
    for s in seeds.iter().chain(&strings("exclude")) {
        assert!(accounts.contains_key(s), "{s} is not an account");
    }
    assert_eq!(strings("exclude"), w.truth.competitors);
}

#[test]
fn customers_include_accounts_and_micro_influencers() {
    let w = world();
    let accounts = index(w);
    assert!((200..=5_000).contains(&w.customers.len()));
    let ids: HashSet<&str> = w.customers.iter().map(|c| c.customer_id.as_str()).collect();
    assert_eq!(ids.len(), w.customers.len());
    let with_account: Vec<String> = w
        .customers
        .iter()
        .filter_map(|c| Some(format!("{}:{}", c.platform?, c.handle.as_deref()?)))
        .filter(|h| accounts.contains_key(h))
        .collect();
    let with_handle = w.customers.iter().filter(|c| c.handle.is_some()).count();
    assert!(with_account.len() > w.customers.len() / 5 && with_account.len() < with_handle);
    let matched: HashSet<&String> = with_account.iter().collect();
    assert!(w.truth.customer_influencers.len() >= 5);
    for ci in &w.truth.customer_influencers {
        assert!(matched.contains(ci), "{ci} is not a matched customer");
        let f = w.accounts[accounts[ci]].followers.unwrap();
        assert!((1_000..100_000).contains(&f), "{ci}: {f}");
    }
    // Customers follow the brand.
    let brand = accounts[&w.truth.brand] as u32;
    let fans: HashSet<u32> = w
        .follows
        .iter()
        .filter(|e| e.1 == brand)
        .map(|e| e.0)
        .collect();
    let following_brand = with_account
        .iter()
        .filter(|h| fans.contains(&(accounts[*h] as u32)))
        .count();
    assert!(following_brand as f64 > 0.9 * with_account.len() as f64);
}

#[test]
fn captions_agree_with_hashtag_and_mention_fields() {
    let w = world();
    let handles: HashMap<&str, Platform> = w
        .accounts
        .iter()
        .map(|a| (a.handle.as_str(), a.platform))
        .collect();
    let mut ids = HashSet::new();
    for p in &w.posts {
        let caption = p.caption.as_deref().unwrap();
        assert_eq!(p.hashtags, text::extract_hashtags(caption));
        assert_eq!(p.mentions, text::extract_mentions(caption));
        for m in &p.mentions {
            assert!(
                handles.contains_key(m.as_str()),
                "mention of a missing account {m}"
            );
        }
        assert!(p.posted_at.unwrap() < w.truth.now);
        assert!(ids.insert(&p.post_id));
    }
}
