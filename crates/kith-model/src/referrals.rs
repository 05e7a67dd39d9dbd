//! What a partner's tracked links and codes brought: the referral history
//! kept by the operations database (`kith-track`) and read by the analytics
//! to rank customer advocates.

use serde::Serialize;
use std::collections::BTreeMap;

/// One account's referral history, summed over its partner records (one
/// per program it is a partner of).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReferralHistory {
    /// Partner records summed here.
    pub partners: u32,
    /// Clicks on the partner's links not flagged as bots.
    pub clicks_human: u64,
    /// Leads (signups) bound to the partner.
    pub leads: u64,
    /// Sales bound to the partner that were not refunded in full.
    pub sales: u64,
    /// Revenue of those sales less refunds, in major units, by currency.
    pub revenue: BTreeMap<String, f64>,
    /// The partner's commissions on hold for review (a fraud rule fired).
    pub commissions_held: u64,
    /// The partner's commissions rejected on review as fraud.
    pub commissions_rejected: u64,
}

impl ReferralHistory {
    /// Adds another record's history to this one.
    pub fn merge(&mut self, other: &ReferralHistory) {
        self.partners += other.partners;
        self.clicks_human += other.clicks_human;
        self.leads += other.leads;
        self.sales += other.sales;
        for (currency, amount) in &other.revenue {
            *self.revenue.entry(currency.clone()).or_default() += amount;
        }
        self.commissions_held += other.commissions_held;
        self.commissions_rejected += other.commissions_rejected;
    }

    /// Whether anything was ever tracked for this partner.
    pub fn is_empty(&self) -> bool {
        self.clicks_human == 0 && self.leads == 0 && self.sales == 0
    }

    /// Sales per human click, when there were clicks.
    pub fn conversion(&self) -> Option<f64> {
        (self.clicks_human > 0).then(|| self.sales as f64 / self.clicks_human as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_counts_and_keeps_currencies_apart() {
        let mut a = ReferralHistory {
            partners: 1,
            clicks_human: 10,
            sales: 2,
            revenue: [("EUR".to_string(), 50.0)].into(),
            ..Default::default()
        };
        let b = ReferralHistory {
            partners: 1,
            clicks_human: 5,
            leads: 3,
            sales: 1,
            revenue: [("EUR".to_string(), 20.0), ("USD".to_string(), 9.5)].into(),
            commissions_rejected: 1,
            ..Default::default()
        };
        a.merge(&b);
        assert_eq!(
            (a.partners, a.clicks_human, a.leads, a.sales),
            (2, 15, 3, 3)
        );
        assert_eq!(a.revenue["EUR"], 70.0);
        assert_eq!(a.revenue["USD"], 9.5);
        assert_eq!(a.commissions_rejected, 1);
        assert_eq!(a.conversion(), Some(0.2));
        assert!(ReferralHistory::default().conversion().is_none());
        assert!(ReferralHistory::default().is_empty());
    }
}
