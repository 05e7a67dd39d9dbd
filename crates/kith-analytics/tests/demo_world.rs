//! The planted truths of the demo world are found (issue 3): fakes, follower
//! spikes, pods and over-sponsored accounts, each with recall >= 0.9 and
//! precision >= 0.8. The world is generated and imported here exactly as
//! `kith demo` does it.

mod common;

use kith_analytics::authenticity::AuthenticityModel;
use kith_analytics::{AccountReport, Vetting};
use kith_demo::DemoOptions;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};

/// Recall and precision of `found` against `truth`.
fn score(what: &str, truth: &HashSet<String>, found: &HashSet<String>) -> (f64, f64) {
    let hit = truth.intersection(found).count() as f64;
    let recall = hit / truth.len().max(1) as f64;
    let precision = if found.is_empty() {
        1.0
    } else {
        hit / found.len() as f64
    };
    eprintln!(
        "{what:<18} truth {:>5}  found {:>5}  recall {recall:.3}  precision {precision:.3}",
        truth.len(),
        found.len()
    );
    (recall, precision)
}

fn flagged(reports: &[AccountReport], kind: &str) -> HashSet<String> {
    reports
        .iter()
        .filter(|r| r.red_flags.iter().any(|f| f.kind == kind))
        .map(|r| format!("{}:{}", r.account.platform, r.account.handle))
        .collect()
}

#[test]
fn planted_truths_are_found() {
    let (demo, _dir, ws) = common::demo_workspace(&DemoOptions::default());
    let world = ws.world().unwrap();
    let model = AuthenticityModel::default_model();
    let vetting = Vetting::build(
        &world,
        ws.settings(),
        &model,
        "shipped default".into(),
        None,
    );
    let reports: Vec<AccountReport> = vetting
        .accounts()
        .par_iter()
        .map(|&id| vetting.report(id))
        .collect();
    let truth = &demo.truth;
    eprintln!(
        "demo world: {} accounts, seed {}, as of {}",
        truth.accounts,
        truth.seed,
        kith_model::time::format_time(vetting.as_of)
    );

    let fakes: HashSet<String> = truth.fake_accounts.iter().cloned().collect();
    let (fake_r, fake_p) = score("fake accounts", &fakes, &flagged(&reports, "fake_account"));

    // A spike is found when the account is flagged on the planted date.
    let spikes: HashSet<String> = truth
        .follower_spikes
        .iter()
        .map(|s| format!("{} {}", s.account, s.date))
        .collect();
    let found_spikes: HashSet<String> = reports
        .iter()
        .flat_map(|r| {
            let name = format!("{}:{}", r.account.platform, r.account.handle);
            r.red_flags
                .iter()
                .filter(|f| f.kind == "follower_spike")
                .flat_map(|f| f.evidence.iter().map(|e| e.id.clone()))
                .map(move |date| format!("{name} {date}"))
                .collect::<Vec<_>>()
        })
        .collect();
    let (spike_r, spike_p) = score("follower spikes", &spikes, &found_spikes);

    let following: HashSet<String> = truth
        .following_spikes
        .iter()
        .map(|s| s.account.clone())
        .collect();
    let (churn_r, churn_p) = score(
        "following spikes",
        &following,
        &flagged(&reports, "following_spike"),
    );

    let pod_members: HashSet<String> = truth.pods.iter().flatten().cloned().collect();
    let (pod_r, pod_p) = score(
        "pod members",
        &pod_members,
        &flagged(&reports, "engagement_pod"),
    );
    // Each planted pod is matched by one detected pod with the same members.
    let detected: Vec<BTreeSet<String>> = vetting
        .pods
        .iter()
        .map(|p| p.members.iter().map(|&m| vetting.name_of(m)).collect())
        .collect();
    let whole = truth
        .pods
        .iter()
        .filter(|p| detected.contains(&p.iter().cloned().collect()))
        .count();
    eprintln!(
        "pods: {} planted, {} detected, {whole} exactly",
        truth.pods.len(),
        detected.len()
    );
    assert_eq!(whole, truth.pods.len(), "every planted pod is found whole");

    let over: HashSet<String> = truth.over_sponsored.iter().cloned().collect();
    let (over_r, over_p) = score(
        "over-sponsored",
        &over,
        &flagged(&reports, "over_sponsored"),
    );

    let bought: HashSet<String> = truth
        .bought_followers
        .iter()
        .map(|b| b.account.clone())
        .collect();
    let (bought_r, bought_p) = score(
        "bought followers",
        &bought,
        &flagged(&reports, "bought_followers"),
    );

    for (what, r, p) in [
        ("fake accounts", fake_r, fake_p),
        ("follower spikes", spike_r, spike_p),
        ("pod members", pod_r, pod_p),
        ("over-sponsored", over_r, over_p),
        ("bought followers", bought_r, bought_p),
        ("following spikes", churn_r, churn_p),
    ] {
        assert!(
            r >= 0.9 && p >= 0.8,
            "{what}: recall {r:.3}, precision {p:.3}"
        );
    }
}

/// The population state read back from the world's cache scores every
/// account exactly as the state computed (peer percentiles included: the
/// curves' per-band ERs are cached beside the JSON, whose floats read back
/// bit for bit).
#[test]
fn a_cached_state_scores_as_the_computed_one() {
    let (_demo, _dir, ws) = common::demo_workspace(&DemoOptions {
        accounts: 3_000,
        ..DemoOptions::default()
    });
    let world = ws.world().unwrap();
    let model = AuthenticityModel::default_model();
    let build = || Vetting::build(&world, ws.settings(), &model, "default".into(), None);
    let computed = build();
    let cached = build();
    assert!(!computed.from_cache);
    assert!(cached.from_cache, "the second build reads the cache");
    let ids = computed.accounts();
    let with_percentile = ids
        .iter()
        .filter(|&&id| computed.score_row(id).peer_percentile.is_some())
        .count();
    assert!(
        with_percentile > ids.len() / 4,
        "{with_percentile} of {}",
        ids.len()
    );
    for &id in &ids {
        assert_eq!(computed.score_row(id), cached.score_row(id));
    }
}
