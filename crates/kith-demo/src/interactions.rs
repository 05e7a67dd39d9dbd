//! Conversation: comments on posts from in-world followers, the authors'
//! replies, and engagement pods' comments within minutes of posting.
//!
//! Only a sample of each post's comments is in the world as rows (the
//! post's `comments` count is the platform's total); likes are counts only.

use crate::cast::{Anomaly, Cast, Role};
use crate::follows::FollowGraph;
use crate::posts::pod_comment_delay;
use crate::rng::{Draw, Stage, rng};
use kith_model::{Account, Interaction, InteractionKind, Post};
use rand::Rng;

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;

/// Median delay of an organic comment after posting: engagement arrives over
/// hours, with a few comments in the first minutes.
const COMMENT_DELAY_MEDIAN_HOURS: f64 = 2.0;
const COMMENT_DELAY_SIGMA: f64 = 1.3;
/// Median delay of an author's reply to a comment.
const REPLY_DELAY_MEDIAN_MINUTES: f64 = 45.0;

/// Writes a comment row and, sometimes, the author's reply to it.
struct Thread<'a> {
    cast: &'a Cast,
    accounts: &'a [Account],
    author: usize,
    out: Vec<Interaction>,
}

impl Thread<'_> {
    fn comment<R: Rng>(&mut self, r: &mut R, from: u32, at: i64, reply_rate: f64) {
        let platform = self.cast.personas[self.author].platform;
        let author = &self.accounts[self.author].handle;
        let commenter = &self.accounts[from as usize].handle;
        self.out.push(Interaction {
            platform,
            from: commenter.clone(),
            to: author.clone(),
            kind: InteractionKind::Comment,
            at: Some(at),
        });
        if r.chance(reply_rate) {
            let reply_at =
                at + (r.lognormal(REPLY_DELAY_MEDIAN_MINUTES, 1.0) * MINUTE as f64) as i64;
            if reply_at <= self.cast.now {
                self.out.push(Interaction {
                    platform,
                    from: author.clone(),
                    to: commenter.clone(),
                    kind: InteractionKind::Reply,
                    at: Some(reply_at),
                });
            }
        }
    }
}

/// Comments on account `i`'s posts (`own`, as [`crate::posts::author_posts`]
/// made them) and the replies to them.
pub(crate) fn author_conversation(
    cast: &Cast,
    accounts: &[Account],
    graph: &FollowGraph,
    own: &[Post],
    i: usize,
) -> Vec<Interaction> {
    if own.is_empty() {
        return Vec::new();
    }
    let p = &cast.personas[i];
    let mut r = rng(cast.seed, Stage::Interactions, i as u64);
    let (rows_per_post, reply_rate) = match p.role {
        Role::Creator => (1.2, 0.3),
        Role::Brand => (0.8, 0.5),
        _ => (0.6, 0.5),
    };
    // Bots follow but do not talk.
    let commenters: Vec<u32> = graph
        .followers_of(i)
        .iter()
        .copied()
        .filter(|&f| cast.personas[f as usize].role != Role::Bot)
        .collect();
    let pod = match p.anomaly {
        Anomaly::Pod(id) => Some(&cast.pods[id as usize]),
        _ => None,
    };
    let mut thread = Thread {
        cast,
        accounts,
        author: i,
        out: Vec::new(),
    };
    for (k, post) in own.iter().enumerate() {
        let posted = post.posted_at.expect("generated posts have a time");
        let mut pod_count = 0;
        if let Some(members) = pod {
            for &m in members.iter().filter(|&&m| m as usize != i) {
                if let Some(delay) = pod_comment_delay(cast.seed, i as u32, k as u32, m) {
                    pod_count += 1;
                    if posted + delay <= cast.now {
                        thread.comment(&mut r, m, posted + delay, 0.2);
                    }
                }
            }
        }
        if commenters.is_empty() {
            continue;
        }
        let room = post.comments.unwrap_or(0).saturating_sub(pod_count);
        let rows = r.poisson(rows_per_post).min(room);
        for _ in 0..rows {
            let from = *r.pick(&commenters);
            let delay =
                (r.lognormal(COMMENT_DELAY_MEDIAN_HOURS, COMMENT_DELAY_SIGMA) * HOUR as f64) as i64;
            let at = posted + delay.max(20);
            if at <= cast.now {
                thread.comment(&mut r, from, at, reply_rate);
            }
        }
    }
    thread.out
}
