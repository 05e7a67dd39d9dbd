//! Conversation, from interaction edges: does the account answer the people
//! who talk to it, who does it talk with most, and does its engagement come
//! from its own audience?

use crate::figure::{Confidence, Figure};
use crate::stats;
use kith_model::InteractionKind;
use serde::{Deserialize, Serialize};

/// One interaction seen from the account: the other end, the kind, the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub other: u32,
    pub kind: InteractionKind,
    pub at: Option<i64>,
}

/// Someone the account talks with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interlocutor {
    pub node: u32,
    /// Interactions from the account to them.
    pub to_them: u64,
    /// Interactions from them to the account.
    pub from_them: u64,
    /// Latest interaction either way, when timed.
    pub last_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub reply_rate: Figure,
    pub reciprocity: Figure,
    pub non_follower_engagement: Figure,
    /// Up to `top` interlocutors by interactions both ways, most first.
    pub top_interlocutors: Vec<Interlocutor>,
    pub interactions_out: u64,
    pub interactions_in: u64,
}

/// Kinds by which someone addresses the account and expects an answer.
fn addresses(kind: InteractionKind) -> bool {
    matches!(
        kind,
        InteractionKind::Comment | InteractionKind::Reply | InteractionKind::Mention
    )
}

/// Computes the conversation figures. `outgoing` are the account's
/// interactions, `incoming` those to it; `is_follower(node)` tells whether
/// a node follows the account, `known_followers` how many followers the
/// follow graph holds for it (0: the graph does not know its audience).
pub fn conversation(
    outgoing: &[Edge],
    incoming: &[Edge],
    is_follower: impl Fn(u32) -> bool,
    known_followers: usize,
    observed_at: Option<i64>,
    top: usize,
) -> Conversation {
    // One sort of the edges by the other account, then one pass over each
    // account's run: every per-account fact below comes from that pass
    // (four hash tables did the same at twice the cost).
    const OUT: u8 = 1;
    const IN: u8 = 2;
    const ADDRESSED_US: u8 = 4;
    const WE_REPLIED: u8 = 8;
    let mut touches: Vec<(u32, u8, Option<i64>)> =
        Vec::with_capacity(outgoing.len() + incoming.len());
    touches.extend(outgoing.iter().map(|e| {
        let reply = if e.kind == InteractionKind::Reply {
            WE_REPLIED
        } else {
            0
        };
        (e.other, OUT | reply, e.at)
    }));
    touches.extend(incoming.iter().map(|e| {
        let addressed = if addresses(e.kind) { ADDRESSED_US } else { 0 };
        (e.other, IN | addressed, e.at)
    }));
    touches.sort_unstable_by_key(|t| t.0);
    // At most one per touch; sized once rather than grown run by run.
    let mut by_node: Vec<Interlocutor> = Vec::with_capacity(touches.len());
    let (mut addressed_by, mut answered, mut both_ways) = (0u64, 0u64, 0u64);
    let (mut engagers, mut non_followers) = (0u64, 0u64);
    for run in touches.chunk_by(|a, b| a.0 == b.0) {
        let node = run[0].0;
        let mut who = Interlocutor {
            node,
            to_them: 0,
            from_them: 0,
            last_at: None,
        };
        let mut flags = 0u8;
        for &(_, f, at) in run {
            flags |= f;
            if f & OUT != 0 {
                who.to_them += 1;
            } else {
                who.from_them += 1;
            }
            who.last_at = who.last_at.max(at);
        }
        if flags & ADDRESSED_US != 0 {
            addressed_by += 1;
            if flags & WE_REPLIED != 0 {
                answered += 1;
            }
        }
        if flags & (OUT | IN) == OUT | IN {
            both_ways += 1;
        }
        if flags & IN != 0 {
            engagers += 1;
            if !is_follower(node) {
                non_followers += 1;
            }
        }
        by_node.push(who);
    }
    let window = "every interaction the world holds";
    let mk = |name: &'static str, def: &'static str| {
        Figure::new(name, def, "accounts")
            .window(window)
            .observed_at(observed_at)
    };

    // Reply rate over distinct accounts that addressed it.
    let reply_rate = proportion(
        mk(
            "reply_rate",
            "distinct accounts that commented on, replied to or mentioned the account and got a reply from it / distinct accounts that did so",
        ),
        answered,
        addressed_by,
        "nobody commented on, replied to or mentioned the account",
    );

    let reciprocity = proportion(
        mk(
            "reciprocity",
            "distinct accounts with interactions in both directions / distinct accounts with any interaction",
        ),
        both_ways,
        by_node.len() as u64,
        "no interactions",
    );

    let non_follower_engagement = if known_followers == 0 {
        mk(
            "non_follower_engagement",
            "distinct accounts that engaged with the account without following it / distinct accounts that engaged",
        )
        .not_enough("the follow graph holds none of the account's followers")
    } else {
        proportion(
            mk(
                "non_follower_engagement",
                "distinct accounts that engaged with the account without following it / distinct accounts that engaged",
            ),
            non_followers,
            engagers,
            "nobody engaged with the account",
        )
    };

    // Most interactions first, ties by node id: a total order, so selecting
    // the top before sorting gives the same list as sorting everything.
    let by_volume = |a: &Interlocutor, b: &Interlocutor| {
        (b.to_them + b.from_them)
            .cmp(&(a.to_them + a.from_them))
            .then(a.node.cmp(&b.node))
    };
    let mut top_interlocutors = by_node;
    if top_interlocutors.len() > top {
        if top > 0 {
            top_interlocutors.select_nth_unstable_by(top - 1, by_volume);
        }
        top_interlocutors.truncate(top);
    }
    top_interlocutors.sort_unstable_by(by_volume);
    Conversation {
        reply_rate,
        reciprocity,
        non_follower_engagement,
        top_interlocutors,
        interactions_out: outgoing.len() as u64,
        interactions_in: incoming.len() as u64,
    }
}

/// A proportion with its Wilson interval; "not enough data" when n = 0.
pub fn proportion(base: Figure, k: u64, n: u64, why_none: &str) -> Figure {
    if n == 0 {
        return base.not_enough(why_none);
    }
    base.sample(n)
        .value(k as f64 / n as f64, Confidence::from_sample(n, 10, 30))
        .interval(stats::wilson_interval(k, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use InteractionKind::*;

    fn e(other: u32, kind: InteractionKind, at: i64) -> Edge {
        Edge {
            other,
            kind,
            at: Some(at),
        }
    }

    #[test]
    fn reply_rate_reciprocity_and_top() {
        // 1, 2, 3, 4 comment; the account replies to 1 and 2; 5 only likes;
        // the account also mentions 9, who never answers.
        let incoming = [
            e(1, Comment, 10),
            e(1, Comment, 20),
            e(2, Comment, 11),
            e(3, Mention, 12),
            e(4, Reply, 13),
            e(5, Like, 14),
        ];
        let outgoing = [
            e(1, Reply, 21),
            e(2, Reply, 15),
            e(1, Reply, 30),
            e(9, Mention, 5),
        ];
        let c = conversation(&outgoing, &incoming, |n| n != 5, 100, Some(40), 3);
        assert_eq!(c.reply_rate.value, Some(0.5));
        assert_eq!(c.reply_rate.sample_size, 4);
        // partners 1,2,3,4,5,9; both ways: 1, 2.
        assert_eq!(c.reciprocity.value, Some(2.0 / 6.0));
        assert_eq!(c.non_follower_engagement.value, Some(1.0 / 5.0));
        assert_eq!(c.top_interlocutors[0].node, 1);
        assert_eq!(c.top_interlocutors[0].to_them, 2);
        assert_eq!(c.top_interlocutors[0].from_them, 2);
        assert_eq!(c.top_interlocutors[0].last_at, Some(30));
        assert_eq!(c.top_interlocutors.len(), 3);
    }

    #[test]
    fn no_interactions_is_not_enough_data() {
        let c = conversation(&[], &[], |_| false, 0, None, 5);
        for f in [&c.reply_rate, &c.reciprocity, &c.non_follower_engagement] {
            assert_eq!(f.value, None);
            assert!(f.note.as_ref().unwrap().starts_with("not enough data"));
        }
    }
}
