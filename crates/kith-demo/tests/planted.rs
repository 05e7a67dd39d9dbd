//! The planted truths: every one names real accounts, and each is findable
//! by DESIGN's definition of the signal with kith's default settings, with
//! no organic account looking the same. These are deliberately simple
//! detectors; kith-analytics' own are tested against the same truths.

mod common;

use common::{er_followers_median, id, index, median, posts_by_account, precision_recall, world};
use kith_model::{InteractionKind, Settings};
use std::collections::{BTreeSet, HashMap, HashSet};

#[test]
fn every_truth_names_existing_accounts() {
    let w = world();
    let t = &w.truth;
    let accounts = index(w);
    let exists = |s: &String| assert!(accounts.contains_key(s), "{s} is not an account");
    exists(&t.brand);
    t.competitors.iter().for_each(exists);
    t.fake_accounts.iter().for_each(exists);
    t.bought_followers.iter().for_each(|b| exists(&b.account));
    t.follower_spikes
        .iter()
        .chain(&t.following_spikes)
        .for_each(|s| exists(&s.account));
    t.pods.iter().flatten().for_each(exists);
    t.over_sponsored.iter().for_each(exists);
    t.relevant_micro_influencers.iter().for_each(exists);
    t.customer_influencers.iter().for_each(exists);
    // Every kind is planted, and enough relevant creators for a top 20.
    assert!(t.fake_accounts.len() > 500 && t.bought_followers.len() >= 10);
    assert!(t.follower_spikes.len() >= t.bought_followers.len());
    assert!(t.pods.len() >= 2 && t.pods.iter().all(|p| (4..=8).contains(&p.len())));
    assert!(t.over_sponsored.len() >= 5 && t.following_spikes.len() >= 2);
    assert!(
        t.relevant_micro_influencers.len() >= 30,
        "{}",
        t.relevant_micro_influencers.len()
    );
    // The kinds do not overlap, and none is relevant.
    let relevant: HashSet<&String> = t.relevant_micro_influencers.iter().collect();
    let mut flagged: Vec<&String> = t.bought_followers.iter().map(|b| &b.account).collect();
    flagged.extend(t.pods.iter().flatten());
    flagged.extend(&t.over_sponsored);
    let distinct: HashSet<&&String> = flagged.iter().collect();
    assert_eq!(distinct.len(), flagged.len());
    assert!(flagged.iter().all(|f| !relevant.contains(f)));
    // Communities cover every non-bot account.
    let members: usize = t.communities.iter().map(|c| c.members).sum();
    assert_eq!(members + t.fake_accounts.len(), w.accounts.len());
}

#[test]
fn bought_followers_show_as_a_high_fake_share_in_the_graph() {
    let w = world();
    let fakes: HashSet<usize> = {
        let accounts = index(w);
        w.truth.fake_accounts.iter().map(|f| accounts[f]).collect()
    };
    let mut followers: HashMap<u32, (usize, usize)> = HashMap::new();
    for &(f, t) in &w.follows {
        let e = followers.entry(t).or_default();
        e.0 += 1;
        e.1 += usize::from(fakes.contains(&(f as usize)));
    }
    let found: Vec<String> = followers
        .iter()
        .filter(|(_, (all, fake))| *all >= 20 && *fake as f64 / *all as f64 > 0.15)
        .map(|(t, _)| id(&w.accounts[*t as usize]))
        .collect();
    let truth: Vec<String> = w
        .truth
        .bought_followers
        .iter()
        .map(|b| b.account.clone())
        .collect();
    let (precision, recall) = precision_recall(&found, &truth);
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision} recall {recall}"
    );
    for b in &w.truth.bought_followers {
        let share = b.fake_followers_in_graph as f64 / b.followers_in_graph as f64;
        assert!(
            (b.fake_share - share).abs() < 0.2,
            "{}: declared {} in graph {share}",
            b.account,
            b.fake_share
        );
    }
}

#[test]
fn follower_spikes_stand_out_by_robust_z_score() {
    let w = world();
    let z_limit = Settings::default().authenticity.growth_robust_z;
    let mut series: HashMap<String, Vec<(i32, u64)>> = HashMap::new();
    for h in &w.history {
        series
            .entry(format!("{}:{}", h.platform, h.handle))
            .or_default()
            .push((h.date, h.followers.unwrap()));
    }
    let mut found = Vec::new();
    for (account, points) in &series {
        let changes: Vec<f64> = points
            .windows(2)
            .map(|p| p[1].1 as f64 - p[0].1 as f64)
            .collect();
        let m = median(changes.clone());
        let mad = median(changes.iter().map(|c| (c - m).abs()).collect()) * 1.4826;
        for (k, c) in changes.iter().enumerate() {
            if mad > 0.0 && (c - m) / mad > z_limit {
                found.push(format!(
                    "{account}@{}",
                    kith_model::time::format_date(points[k + 1].0)
                ));
            }
        }
        // The typical day changes by about 1%.
        let typical =
            median(changes.iter().map(|c| c.abs()).collect()) / points.last().unwrap().1 as f64;
        assert!(typical < 0.02, "{account}: {typical}");
    }
    let truth: Vec<String> = w
        .truth
        .follower_spikes
        .iter()
        .map(|s| format!("{}@{}", s.account, s.date))
        .collect();
    let (precision, recall) = precision_recall(&found, &truth);
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision} recall {recall}"
    );
}

#[test]
fn over_sponsored_accounts_exceed_the_sponsored_share_threshold() {
    let w = world();
    let settings = Settings::default();
    let disclosures: HashSet<&str> = settings
        .saturation
        .disclosure_tags
        .iter()
        .map(String::as_str)
        .collect();
    let window_start = w.truth.now - settings.saturation.window_days as i64 * 86_400;
    let mut found = Vec::new();
    let mut languages = BTreeSet::new();
    for (account, posts) in posts_by_account(w) {
        let recent: Vec<_> = posts
            .iter()
            .filter(|p| p.posted_at.unwrap() >= window_start)
            .collect();
        let paid: Vec<_> = recent
            .iter()
            .filter(|p| {
                p.sponsored == Some(true)
                    || p.hashtags.iter().any(|h| disclosures.contains(h.as_str()))
            })
            .collect();
        if recent.len() >= 3
            && paid.len() as f64 / recent.len() as f64 > settings.saturation.max_sponsored_share
        {
            let brands: HashSet<&String> = paid.iter().flat_map(|p| &p.mentions).collect();
            assert!(
                brands.len() >= 3,
                "{account} promotes {} brands",
                brands.len()
            );
            found.push(account);
        }
        for p in &paid {
            languages.extend(
                p.hashtags
                    .iter()
                    .filter(|h| disclosures.contains(h.as_str()))
                    .cloned(),
            );
        }
    }
    let (precision, recall) = precision_recall(&found, &w.truth.over_sponsored);
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision} recall {recall}"
    );
    assert!(languages.len() >= 10, "disclosure tags used: {languages:?}");
}

#[test]
fn pods_comment_on_each_other_within_minutes_again_and_again() {
    let w = world();
    let a = Settings::default().authenticity;
    let window = a.pod_window_minutes as i64 * 60;
    let post_times: HashMap<&str, Vec<i64>> = {
        let mut m: HashMap<&str, Vec<i64>> = HashMap::new();
        for p in &w.posts {
            m.entry(p.handle.as_str())
                .or_default()
                .push(p.posted_at.unwrap());
        }
        m
    };
    // Fast comments: within the window after one of the author's posts.
    let mut fast: HashMap<(&str, &str), u32> = HashMap::new();
    for i in w
        .interactions
        .iter()
        .filter(|i| i.kind == InteractionKind::Comment)
    {
        let at = i.at.unwrap();
        if post_times[i.to.as_str()]
            .iter()
            .any(|&t| at >= t && at - t <= window)
        {
            *fast.entry((i.from.as_str(), i.to.as_str())).or_default() += 1;
        }
    }
    // Pairs that do it repeatedly, both ways; members are accounts in at
    // least (min_members - 1) such pairs.
    let repeated: HashSet<(&str, &str)> = fast
        .iter()
        .filter(|(_, n)| **n >= a.pod_min_repeats)
        .map(|(k, _)| *k)
        .collect();
    let mut partners: HashMap<&str, usize> = HashMap::new();
    for &(x, y) in &repeated {
        if x < y && repeated.contains(&(y, x)) {
            *partners.entry(x).or_default() += 1;
            *partners.entry(y).or_default() += 1;
        }
    }
    let found: Vec<String> = partners
        .iter()
        .filter(|(_, n)| **n + 1 >= a.pod_min_members)
        .map(|(h, _)| format!("instagram:{h}"))
        .collect();
    let truth: Vec<String> = w.truth.pods.iter().flatten().cloned().collect();
    let (precision, recall) = precision_recall(&found, &truth);
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision} recall {recall}"
    );
}

#[test]
fn relevant_micro_influencers_are_on_topic_engaged_and_reach_the_brands_audience() {
    let w = world();
    let accounts = index(w);
    let posts = posts_by_account(w);
    let niche: HashSet<&str> = w.truth.niche_hashtags.iter().map(String::as_str).collect();
    let brand = accounts[&w.truth.brand] as u32;
    let fans: HashSet<u32> = w
        .follows
        .iter()
        .filter(|e| e.1 == brand)
        .map(|e| e.0)
        .collect();
    let mut audience: HashMap<u32, (usize, usize)> = HashMap::new();
    for &(f, t) in &w.follows {
        let e = audience.entry(t).or_default();
        e.0 += 1;
        e.1 += usize::from(fans.contains(&f));
    }
    let fan_share = |i: usize| {
        audience
            .get(&(i as u32))
            .map_or(0.0, |(all, fan)| *fan as f64 / *all as f64)
    };
    let mut shares = Vec::new();
    for r in &w.truth.relevant_micro_influencers {
        let account = &w.accounts[accounts[r]];
        let own = &posts[r];
        let on_topic = own
            .iter()
            .filter(|p| p.hashtags.iter().any(|h| niche.contains(h.as_str())))
            .count();
        assert!(
            on_topic as f64 >= 0.7 * own.len() as f64,
            "{r}: {on_topic} of {}",
            own.len()
        );
        assert!(er_followers_median(account, own, w.truth.now).unwrap() > 0.0);
        shares.push(fan_share(accounts[r]));
    }
    // The brand's fans follow its niche's creators far more than others.
    let others: Vec<f64> = w
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            a.category
                .as_deref()
                .is_some_and(|c| c != "brand" && c != w.truth.niche)
        })
        .map(|(i, _)| fan_share(i))
        .collect();
    assert!(median(shares) > 5.0 * median(others).max(0.001));
}

/// A bare-bones discovery (hashtag relevance plus reach into the seeds'
/// audience, vetted accounts left out) puts relevant micro-influencers at
/// the top: nothing else in the world looks like them.
#[test]
fn a_simple_shortlist_is_made_of_relevant_micro_influencers() {
    let w = world();
    let accounts = index(w);
    let posts = posts_by_account(w);
    let brief: toml::Table = toml::from_str(&w.brief_toml).unwrap();
    let list = |key: &str| -> Vec<String> {
        brief[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let tags: HashSet<String> = list("hashtags")
        .iter()
        .map(|h| h[1..].to_string())
        .collect();
    let seeds: HashSet<u32> = list("seeds")
        .iter()
        .chain(&list("brand"))
        .map(|s| accounts[s] as u32)
        .collect();
    let excluded: HashSet<String> = list("exclude").into_iter().collect();
    let audience: HashSet<u32> = w
        .follows
        .iter()
        .filter(|e| seeds.contains(&e.1))
        .map(|e| e.0)
        .collect();
    let mut followers: HashMap<u32, (usize, usize)> = HashMap::new();
    for &(f, t) in &w.follows {
        let e = followers.entry(t).or_default();
        e.0 += 1;
        e.1 += usize::from(audience.contains(&f));
    }
    let t = &w.truth;
    let vetted_out: HashSet<&String> = t
        .bought_followers
        .iter()
        .map(|b| &b.account)
        .chain(t.pods.iter().flatten())
        .chain(&t.over_sponsored)
        .collect();
    let mut ranked: Vec<(f64, String)> = w
        .accounts
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            (1_000..100_000).contains(&a.followers.unwrap()) && !seeds.contains(&(*i as u32))
        })
        .map(|(i, a)| (i, id(a)))
        .filter(|(_, h)| !excluded.contains(h) && !vetted_out.contains(h))
        .map(|(i, h)| {
            let own = posts.get(&h).map_or(&[][..], |p| &p[..]);
            let on_topic = own
                .iter()
                .filter(|p| p.hashtags.iter().any(|x| tags.contains(x)))
                .count();
            let relevance = on_topic as f64 / own.len().max(1) as f64;
            let (all, in_audience) = followers.get(&(i as u32)).copied().unwrap_or_default();
            let fit = in_audience as f64 / all.max(1) as f64;
            (0.6 * relevance + 0.4 * fit, h)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = ranked.iter().take(20).map(|r| r.1.clone()).collect();
    let (precision, _) = precision_recall(&top, &t.relevant_micro_influencers);
    assert!(precision >= 0.9, "precision@20 {precision}: {top:?}");
}
