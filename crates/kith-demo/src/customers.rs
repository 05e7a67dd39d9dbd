//! The brand's customers and its brief.

use crate::cast::{Cast, customer_count};
use crate::niches::{BRAND_NICHE, NICHES};
use crate::people::{FIRST_NAMES, LAST_NAMES, ascii_letters, capitalise};
use crate::profiles::outside_handle;
use crate::rng::{Draw, Stage, rng};
use kith_model::{Account, Customer, Platform};
use rand::Rng;
use rand::seq::SliceRandom;
use rustc_hash::FxHashSet;

const DAY: i64 = 86_400;
/// Share of customers without an account in the world who still gave an
/// Instagram handle (one kith cannot match).
const OUTSIDE_HANDLE_SHARE: f64 = 0.1;
/// Median order value in the brief's currency.
const ORDER_VALUE_MEDIAN: f64 = 85.0;

/// The customers file: matched customers carry their account's platform and
/// handle; the rest have no handle or one that is not in the world.
pub(crate) fn build(cast: &Cast, accounts: &[Account]) -> Vec<Customer> {
    let total = customer_count(cast.len()).max(cast.customer_accounts.len());
    let taken: FxHashSet<&str> = accounts.iter().map(|a| a.handle.as_str()).collect();
    let mut slots: Vec<Option<u32>> = cast.customer_accounts.iter().map(|&i| Some(i)).collect();
    slots.resize(total, None);
    slots.shuffle(&mut rng(cast.seed, Stage::Customers, 0));
    slots
        .iter()
        .enumerate()
        .map(|(k, slot)| {
            let mut r = rng(cast.seed, Stage::Customers, k as u64 + 1);
            let first = *r.pick(FIRST_NAMES);
            let last = *r.pick(LAST_NAMES);
            let (name, platform, handle) = match slot {
                Some(i) => {
                    let a = &accounts[*i as usize];
                    let name = a
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{} {}", capitalise(first), capitalise(last)));
                    (name, Some(a.platform), Some(a.handle.clone()))
                }
                None => {
                    let name = format!("{} {}", capitalise(first), capitalise(last));
                    if r.chance(OUTSIDE_HANDLE_SHARE) {
                        let h = outside_handle(&mut r, first, last, &taken);
                        (name, Some(Platform::Instagram), Some(h))
                    } else {
                        (name, None, None)
                    }
                }
            };
            let orders = 1 + r.poisson(0.8);
            let revenue: f64 = (0..orders)
                .map(|_| r.lognormal(ORDER_VALUE_MEDIAN, 0.4))
                .sum();
            Customer {
                customer_id: format!("cus_{:06}", k + 1),
                email: Some(email(&mut r, &name)),
                name: Some(name),
                platform,
                handle,
                orders: Some(orders),
                revenue: Some((revenue * 100.0).round() / 100.0),
                first_order_at: Some(cast.now - r.gen_range(5..730) * DAY),
            }
        })
        .collect()
}

fn email<R: Rng>(r: &mut R, name: &str) -> String {
    let words: Vec<String> = name
        .split_whitespace()
        .map(|w| ascii_letters(&w.to_lowercase()))
        .filter(|w| !w.is_empty())
        .collect();
    let local = if words.is_empty() {
        "customer".to_string()
    } else {
        words.join(".")
    };
    let domain = r.pick(&["example.com", "example.org", "example.net"]);
    format!("{local}{}@{domain}", r.gen_range(1..100))
}

/// Quotes a string for TOML.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list<'a>(items: impl IntoIterator<Item = &'a str>, one_per_line: bool) -> String {
    let quoted: Vec<String> = items.into_iter().map(toml_str).collect();
    if one_per_line {
        format!(
            "[\n{}\n]",
            quoted
                .iter()
                .map(|q| format!("  {q},"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    } else {
        format!("[{}]", quoted.join(", "))
    }
}

/// The brand's brief in DESIGN's format: its niche's hashtags and words, the
/// brief's tier range, and its own audience as seeds (the brand account and
/// every customer handle that names an account in the world).
pub(crate) fn brief(cast: &Cast, accounts: &[Account], customers: &[Customer]) -> String {
    let niche = &NICHES[BRAND_NICHE];
    let brand = &accounts[cast.brand as usize];
    let in_world: FxHashSet<&str> = cast
        .customer_accounts
        .iter()
        .map(|&i| accounts[i as usize].handle.as_str())
        .collect();
    let brand_account = format!("{}:{}", brand.platform, brand.handle);
    let mut seeds: Vec<String> = Vec::new();
    seeds.extend(customers.iter().filter_map(|c| {
        let handle = c.handle.as_deref()?;
        in_world
            .contains(handle)
            .then(|| format!("{}:{}", c.platform.unwrap_or(Platform::Instagram), handle))
    }));
    let exclude: Vec<String> = cast.brands[BRAND_NICHE][1..]
        .iter()
        .map(|&b| {
            format!(
                "{}:{}",
                accounts[b as usize].platform, accounts[b as usize].handle
            )
        })
        .collect();
    let hashtags: Vec<String> = niche.hashtags[..6]
        .iter()
        .map(|t| format!("#{t}"))
        .collect();
    let brand_name = brand.name.as_deref().unwrap_or(&brand.handle);
    let mut out = String::new();
    out.push_str("# The demo brand's brief (generated by kith-demo; see docs/demo.md).\n");
    out.push_str(&format!(
        "name = {}\n",
        toml_str(&format!("{brand_name}: trail-running shoes, summer launch"))
    ));
    out.push_str(&format!("brand = [{}]\n", toml_str(&brand_account)));
    out.push_str(&format!(
        "platforms = {}\n",
        toml_list(["instagram", "tiktok"], false)
    ));
    out.push_str(&format!(
        "hashtags = {}\n",
        toml_list(hashtags.iter().map(String::as_str), false)
    ));
    out.push_str(&format!(
        "keywords = {}\n",
        toml_list(niche.keywords.iter().copied(), false)
    ));
    out.push_str(&format!(
        "followers = [{}, {}]\n",
        cast.tiers.nano, cast.tiers.mid
    ));
    out.push_str(&format!(
        "exclude = {}\n",
        toml_list(exclude.iter().map(String::as_str), false)
    ));
    out.push_str("budget = 10000\n");
    out.push_str("currency = \"USD\"\n");
    out.push_str("goal = \"engagement\"\n");
    out.push_str("# The brand's own audience: its customers' accounts (the brand's account is a seed too).\n");
    out.push_str(&format!(
        "seeds = {}\n",
        toml_list(seeds.iter().map(String::as_str), true)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(toml_list(["x", "y"], false), "[\"x\", \"y\"]");
    }
}
