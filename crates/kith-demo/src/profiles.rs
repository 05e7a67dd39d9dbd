//! Account profiles: handles, names, bios and the profile features the
//! authenticity classifier reads. Real people look like instafake's real
//! accounts; bots look like its fakes (see docs/demo.md for the figures).

use crate::cast::{Cast, Persona, Role};
use crate::niches::NICHES;
use crate::people::{
    BOT_BIOS, BOT_WORDS, COUNTRIES, FIRST_NAMES, LAST_NAMES, ascii_letters, capitalise,
};
use crate::rng::{Draw, Stage, rng};
use kith_model::{Account, Platform};
use rand::Rng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

const DAY: i64 = 86_400;
/// Instagram's handle length limit.
const MAX_HANDLE: usize = 30;

/// Builds every account's profile. `followers`, `following` and `posts` are
/// the declared counts; [`crate::generate`] raises them later where the
/// world holds more than declared.
pub(crate) fn build(cast: &Cast) -> Vec<Account> {
    let mut accounts: Vec<Account> = cast
        .personas
        .par_iter()
        .enumerate()
        .map(|(i, p)| profile(cast, i, p))
        .collect();
    make_handles_unique(cast, &mut accounts);
    accounts
}

fn profile(cast: &Cast, i: usize, p: &Persona) -> Account {
    let mut r = rng(cast.seed, Stage::Profile, i as u64);
    let first = *r.pick(FIRST_NAMES);
    let last = *r.pick(LAST_NAMES);
    let niche = &NICHES[p.niche];
    let country = &COUNTRIES[p.country];
    let now = cast.now;
    let mut a = Account {
        platform: p.platform,
        followers: Some(p.followers),
        private: Some(p.private),
        verified: Some(false),
        has_profile_pic: Some(true),
        country: Some(country.code.to_string()),
        language: Some(country.language.to_string()),
        ..Account::default()
    };
    match p.role {
        Role::Ordinary => {
            a.handle = person_handle(&mut r, first, last);
            a.name = match r.weighted(&[0.80, 0.12, 0.05, 0.03]) {
                0 => Some(format!("{} {}", capitalise(first), capitalise(last))),
                1 => Some(capitalise(first)),
                2 => Some(format!("{} {}.", capitalise(first), capitalise(&last[..1]))),
                _ => None,
            };
            if r.chance(0.6) {
                let mut bio = r.pick(crate::niches::PERSONAL_BIOS).to_string();
                if r.chance(0.5) {
                    bio.push_str(" | ");
                    let keyword = *r.pick(NICHES[p.interest].keywords);
                    bio.push_str(keyword);
                }
                if r.chance(0.3) {
                    bio.push_str(" | ");
                    bio.push_str(country.city);
                }
                a.bio = Some(bio);
            }
            // Following tracks followers for real people (instafake's real
            // accounts: following/followers median 1.12, p90 2.18).
            a.following =
                Some((p.followers as f64 * r.lognormal(1.12, 0.42)).clamp(20.0, 3_000.0) as u64);
            a.posts = Some(r.lognormal(35.0, 1.0).clamp(3.0, 5_000.0) as u64);
            a.has_profile_pic = Some(r.chance(0.99));
            if r.chance(0.04) {
                a.external_url = Some(format!("https://example.com/{}", a.handle));
            }
            a.created_at = Some(now - r.gen_range(365..12 * 365) * DAY);
        }
        Role::Bot => {
            a.handle = bot_handle(&mut r, first, last);
            let word = *r.pick(BOT_WORDS);
            a.name = match r.weighted(&[0.40, 0.45, 0.08, 0.07]) {
                0 => None,
                1 => Some(capitalise([first, last, word][r.gen_range(0..3)])),
                2 => Some(a.handle.clone()),
                _ => Some(format!("{} {}", capitalise(first), capitalise(last))),
            };
            if r.chance(0.25) {
                a.bio = Some(r.pick(BOT_BIOS).to_string());
            }
            // Bots follow thousands and are followed by few (instafake's
            // fakes: following median 1,470; posts: 57% none).
            a.following = Some(r.lognormal(1_500.0, 0.8).clamp(80.0, 7_500.0) as u64);
            a.posts = Some(if r.chance(0.57) {
                0
            } else {
                1 + r.poisson(1.5).min(10)
            });
            a.has_profile_pic = Some(r.chance(0.55));
            if r.chance(0.01) {
                a.external_url = Some("https://example.net/promo".to_string());
            }
            a.created_at = Some(now - r.gen_range(3..400) * DAY);
            if r.chance(0.7) {
                a.country = None;
                a.language = None;
            }
        }
        Role::Creator => {
            a.handle = creator_handle(&mut r, first, last, niche.handle_words);
            a.name = Some(format!("{} {}", capitalise(first), capitalise(last)));
            a.bio = Some(format!(
                "{} | {} | collabs: {}@example.com",
                r.pick(niche.creator_bios),
                country.city,
                ascii_letters(first)
            ));
            a.following = Some(r.lognormal(900.0, 0.9).clamp(50.0, 7_500.0) as u64);
            a.posts = Some(r.lognormal(900.0, 0.9).clamp(30.0, 20_000.0) as u64);
            let verified = match p.followers {
                f if f >= cast.tiers.mega => 0.6,
                f if f >= cast.tiers.macro_ => 0.25,
                f if f >= cast.tiers.mid => 0.05,
                _ => 0.0,
            };
            a.verified = Some(r.chance(verified));
            if r.chance(0.65) {
                a.external_url = Some(format!("https://example.com/{}", a.handle));
            }
            a.created_at = Some(now - r.gen_range(2 * 365..13 * 365) * DAY);
            a.category = Some(niche.name.to_string());
            let mut tags: Vec<&str> = niche.hashtags.to_vec();
            tags.shuffle(&mut r);
            tags.truncate(r.gen_range(4..=6));
            a.tags = tags.into_iter().map(str::to_string).collect();
        }
        Role::Brand => {
            let slot = cast.brands[p.niche]
                .iter()
                .position(|&b| b as usize == i)
                .expect("a brand is in its niche's list");
            a.handle = niche.brands[slot].to_string();
            a.name = Some(niche.brand_names[slot].to_string());
            a.bio = Some(format!(
                "{}: {} and more | free shipping",
                niche.brand_names[slot],
                niche.products.join(", ")
            ));
            a.following = Some(r.lognormal(300.0, 0.8).clamp(10.0, 3_000.0) as u64);
            a.posts = Some(r.lognormal(600.0, 0.6) as u64);
            a.verified = Some(p.followers >= cast.tiers.mid && r.chance(0.5));
            a.external_url = Some(format!("https://{}.example.com", a.handle));
            a.created_at = Some(now - r.gen_range(3 * 365..12 * 365) * DAY);
            a.category = Some("brand".to_string());
            a.tags = niche.hashtags[..4].iter().map(|t| t.to_string()).collect();
            a.country = Some("US".to_string());
            a.language = Some("en".to_string());
        }
    }
    if p.platform == Platform::Tiktok {
        // TikTok profiles are public by default and carry no profile-level
        // private flag in exports.
        a.private = Some(false);
    }
    a.handle.truncate(MAX_HANDLE);
    a
}

fn digits<R: Rng>(r: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + r.gen_range(0..10u8)))
        .collect()
}

fn letters<R: Rng>(r: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'a' + r.gen_range(0..26u8)))
        .collect()
}

/// A real person's handle: name-based, rarely with digits (instafake's real
/// accounts: 89% have none).
fn person_handle<R: Rng>(r: &mut R, first: &str, last: &str) -> String {
    let (f, l) = (ascii_letters(first), ascii_letters(last));
    let mut h = match r.weighted(&[0.30, 0.20, 0.15, 0.15, 0.10, 0.10]) {
        0 => format!("{f}.{l}"),
        1 => format!("{f}_{l}"),
        2 => format!("{f}{l}"),
        3 => format!("{f}.{}", &l[..1]),
        4 => format!("{}.{l}", &f[..1]),
        _ => format!("{l}.{f}"),
    };
    if r.chance(0.08) {
        h.push_str(&digits(r, 2));
    }
    h
}

fn creator_handle<R: Rng>(r: &mut R, first: &str, last: &str, words: &[&str]) -> String {
    let (f, l) = (ascii_letters(first), ascii_letters(last));
    let w = r.pick(words);
    match r.weighted(&[0.3, 0.25, 0.15, 0.15, 0.15]) {
        0 => format!("{f}{w}"),
        1 => format!("{f}.{w}"),
        2 => format!("{w}with{f}"),
        3 => format!("{f}{l}.{w}"),
        _ => format!("the{f}{w}"),
    }
}

/// A bot's handle: digit-heavy or random letters (instafake's fakes: digit
/// ratio median 0.1-0.3; kaggle's: 0.3).
fn bot_handle<R: Rng>(r: &mut R, first: &str, last: &str) -> String {
    let (f, l) = (ascii_letters(first), ascii_letters(last));
    let word = r.pick(BOT_WORDS);
    match r.weighted(&[0.25, 0.2, 0.2, 0.15, 0.2]) {
        0 => format!("{f}{}{}", &l[..l.len().min(3)], digits(r, 4)),
        1 => format!("{word}{f}{}", digits(r, 3)),
        2 => format!("{f}_{}{}", letters(r, 4), digits(r, 2)),
        3 => {
            let n = r.gen_range(7..=10);
            letters(r, n)
        }
        _ => format!("{word}.{}{}", letters(r, 3), digits(r, 6)),
    }
}

/// Makes handles unique, in index order so the result is deterministic. A
/// person whose handle is taken adds a letter suffix (as people do); a bot
/// adds digits.
fn make_handles_unique(cast: &Cast, accounts: &mut [Account]) {
    let role = |i: usize| cast.personas[i].role;
    let mut taken: FxHashSet<String> = FxHashSet::default();
    taken.reserve(accounts.len());
    // Brands keep their names: claim them first.
    for (i, a) in accounts.iter().enumerate() {
        if role(i) == Role::Brand {
            taken.insert(a.handle.clone());
        }
    }
    for (i, a) in accounts.iter_mut().enumerate() {
        if role(i) == Role::Brand || taken.insert(a.handle.clone()) {
            continue;
        }
        let mut r = rng(cast.seed, Stage::HandleRepair, i as u64);
        let is_bot = role(i) == Role::Bot;
        let base: String = a.handle.chars().take(MAX_HANDLE - 6).collect();
        loop {
            let candidate = if is_bot {
                format!("{base}{}", digits(&mut r, 3))
            } else {
                format!("{base}.{}", letters(&mut r, 3))
            };
            if taken.insert(candidate.clone()) {
                a.handle = candidate;
                break;
            }
        }
    }
}

/// A handle for a customer outside the world: shaped like a person's, and
/// guaranteed not to be any account's.
pub(crate) fn outside_handle<R: Rng>(
    r: &mut R,
    first: &str,
    last: &str,
    taken: &FxHashSet<&str>,
) -> String {
    loop {
        let h = format!("{}.{}", person_handle(r, first, last), letters(r, 2));
        if !taken.contains(h.as_str()) {
            return h;
        }
    }
}
