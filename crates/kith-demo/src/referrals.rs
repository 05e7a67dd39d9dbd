//! The brand's referral program as it stands when the demo starts: a few
//! customers already refer friends (their links were clicked, friends
//! signed up and bought), and one of them refers herself, which the fraud
//! rules must catch. `kith demo` writes it into the workspace's kith.db
//! through the tracking API, so `kith advocates` ranks customers by their
//! referral history beside their reach.

use crate::cast::Cast;
use crate::rng::{Draw, Stage, rng};
use kith_model::{Account, Customer, Platform};
use rand::Rng;
use rand::seq::SliceRandom;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Median purchase of a referred friend, in the brief's currency.
const FRIEND_ORDER_MEDIAN: f64 = 70.0;

/// The program and its referrers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferralProgram {
    pub name: String,
    pub referrers: Vec<Referrer>,
}

/// A customer who refers friends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Referrer {
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub platform: Platform,
    pub handle: String,
    /// Clicks by people (not bots) on the referrer's link.
    pub clicks: u32,
    /// Friends who signed up through the link, each with the amounts (minor
    /// units) of the purchases they made.
    pub friends: Vec<Vec<i64>>,
    /// The planted fraud: the referrer signs up through her own link with a
    /// variant of her own mailbox.
    pub self_referral: bool,
}

impl Referrer {
    /// `platform:handle`.
    pub fn account(&self) -> String {
        format!("{}:{}", self.platform, self.handle)
    }
}

/// Picks referrers among the customers who are ordinary users with an
/// account (small audiences: what they bring shows in their referrals, not
/// their reach).
pub(crate) fn build(cast: &Cast, accounts: &[Account], customers: &[Customer]) -> ReferralProgram {
    let mut r = rng(cast.seed, Stage::Referrals, 0);
    let by_handle: FxHashMap<(Platform, &str), &Customer> = customers
        .iter()
        .filter_map(|c| Some(((c.platform?, c.handle.as_deref()?), c)))
        .collect();
    let mut pool: Vec<&Customer> = cast
        .customer_accounts
        .iter()
        .filter(|i| cast.customer_influencers.binary_search(i).is_err())
        .filter_map(|&i| {
            let a = &accounts[i as usize];
            by_handle.get(&(a.platform, a.handle.as_str())).copied()
        })
        .filter(|c| c.email.is_some())
        .collect();
    pool.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    pool.shuffle(&mut r);
    let count = (pool.len() / 25).clamp(3, 40).min(pool.len());
    let referrers = pool[..count]
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let self_referral = k + 1 == count;
            let friends: Vec<Vec<i64>> = if self_referral {
                Vec::new()
            } else {
                (0..1 + r.poisson(2.0))
                    .map(|_| {
                        let orders = if r.chance(0.75) {
                            1 + r.poisson(0.4)
                        } else {
                            0
                        };
                        (0..orders)
                            .map(|_| (r.lognormal(FRIEND_ORDER_MEDIAN, 0.4) * 100.0).round() as i64)
                            .collect()
                    })
                    .collect()
            };
            let clicks = (friends.len() as u32 + 1) * r.gen_range(2..7);
            Referrer {
                customer_id: c.customer_id.clone(),
                name: c.name.clone().unwrap_or_else(|| c.customer_id.clone()),
                email: c.email.clone().unwrap_or_default(),
                platform: c.platform.unwrap_or_default(),
                handle: c.handle.clone().unwrap_or_default(),
                clicks,
                friends,
                self_referral,
            }
        })
        .collect();
    ReferralProgram {
        name: "Friends of the brand".into(),
        referrers,
    }
}
