//! Posts: when accounts post, what they write, which posts are paid, and how
//! much engagement each gets (see [`crate::curve`]). Also the mention
//! interactions that captions create.

use crate::captions;
use crate::cast::{Anomaly, Cast, Persona, Role};
use crate::curve::{self, collected_share, instagram_er};
use crate::follows::FollowGraph;
use crate::niches::NICHES;
use crate::people::disclosure_tags;
use crate::rng::{Draw, Stage, hash, rng, splitmix64, unit};
use kith_model::{Account, Interaction, InteractionKind, Platform, Post, PostKind};
use rand::Rng;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Most posts an ordinary user has in the world.
const ORDINARY_MAX_POSTS: u64 = 30;
/// Share of paid posts that carry a disclosure hashtag; the rest are
/// disclosed by the platform's paid-partnership flag only.
const TAGGED_DISCLOSURE: f64 = 0.85;
/// Share of tagged paid posts that also set the paid-partnership flag.
const TAGGED_AND_FLAGGED: f64 = 0.4;
/// An over-sponsored creator's share of paid posts in the saturation window
/// is at least this; any other creator's is at most [`ORGANIC_MAX_PAID_SHARE`],
/// so the default threshold (0.3) separates them.
const OVER_SPONSORED_MIN_SHARE: f64 = 0.5;
const ORGANIC_MAX_PAID_SHARE: f64 = 0.2;
/// Share of a creator's organic posts that are off its niche's topic.
const CREATOR_OFF_TOPIC: f64 = 0.1;
/// Share of an engagement pod's members that comment on a member's post.
const POD_TURNOUT: f64 = 0.85;

/// When a pod member comments on another member's post: `Some(seconds after
/// posting)` (one to eight minutes), or `None` if it skips this post. A pure
/// function of its arguments, so the post's comment count and the comment
/// interactions agree.
pub(crate) fn pod_comment_delay(seed: u64, author: u32, post: u32, member: u32) -> Option<i64> {
    let h = hash(
        seed,
        Stage::PodTiming,
        ((author as u64) << 32) | post as u64,
        member as u64,
    );
    (unit(h) < POD_TURNOUT).then(|| 60 + (splitmix64(h) % 420) as i64)
}

/// How many posts account `i` has in the world: a stream of its own, so
/// the count is known without generating the posts.
pub(crate) fn post_count(cast: &Cast, i: usize) -> usize {
    let p = &cast.personas[i];
    let mut r = rng(cast.seed, Stage::PostCount, i as u64);
    match p.role {
        Role::Creator => r.gen_range(12..=30),
        Role::Brand => r.gen_range(12..=20),
        Role::Ordinary if !p.private => r
            .poisson(cast.shape.ordinary_posts_mean)
            .min(ORDINARY_MAX_POSTS) as usize,
        _ => 0,
    }
}

/// A short, unique, Instagram-like post id ("shortcode"): the (author, post)
/// pair scrambled by an invertible multiplication, in base 62.
fn shortcode(author: usize, k: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
    let mask = (1u64 << 48) - 1;
    let mut x = ((((author as u64) << 6) | k as u64).wrapping_mul(0x0005_DEEC_E66D)) & mask;
    let mut out = Vec::with_capacity(9);
    for _ in 0..9 {
        out.push(ALPHABET[(x % 62) as usize]);
        x /= 62;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// Posting times, oldest first.
fn posting_times<R: Rng>(r: &mut R, p: &Persona, count: usize, now: i64) -> Vec<i64> {
    let (newest_within, gap_days) = match (p.role, p.platform) {
        (Role::Creator, Platform::Tiktok) => (2 * DAY, 2.0),
        (Role::Creator, _) => (3 * DAY, 3.5),
        (Role::Brand, _) => (3 * DAY, 4.0),
        _ => (30 * DAY, 14.0),
    };
    let mut t = now - r.gen_range(HOUR..newest_within);
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        times.push(t);
        let gap = (r.lognormal(gap_days, 0.6) * DAY as f64) as i64;
        t -= gap.max(4 * HOUR);
    }
    times.reverse();
    times
}

/// Which posts are paid. Over-sponsored creators pay for most posts in the
/// saturation window; others for a few, by tier; each side is held to its
/// bound so the planted truth is exact.
fn plan_sponsorship<R: Rng>(r: &mut R, cast: &Cast, p: &Persona, times: &[i64]) -> Vec<bool> {
    if p.role != Role::Creator {
        return vec![false; times.len()];
    }
    let window_start = cast.now - cast.paid_window_days * DAY;
    let over = p.anomaly == Anomaly::OverSponsored;
    let t = &cast.tiers;
    let rate = match p.followers {
        _ if over => 0.75,
        f if f < t.micro => 0.03,
        f if f < t.mid => 0.06,
        f if f < t.macro_ => 0.10,
        _ => 0.15,
    };
    let mut paid: Vec<bool> = times.iter().map(|_| r.chance(rate)).collect();
    let in_window: Vec<usize> = (0..times.len())
        .filter(|&k| times[k] >= window_start)
        .collect();
    let share = |paid: &[bool]| {
        in_window.iter().filter(|&&k| paid[k]).count() as f64 / in_window.len().max(1) as f64
    };
    // Newest posts first: adjust the most visible ones.
    for &k in in_window.iter().rev() {
        if over && share(&paid) < OVER_SPONSORED_MIN_SHARE {
            paid[k] = true;
        } else if !over && share(&paid) > ORGANIC_MAX_PAID_SHARE {
            paid[k] = false;
        }
    }
    paid
}

/// Account `i`'s posts, oldest first, and one `mention` interaction per
/// @mention in their captions.
pub(crate) fn author_posts(
    cast: &Cast,
    accounts: &[Account],
    graph: &FollowGraph,
    i: usize,
) -> (Vec<Post>, Vec<Interaction>) {
    let p = &cast.personas[i];
    let account = &accounts[i];
    let mut r = rng(cast.seed, Stage::Posts, i as u64);
    let count = post_count(cast, i);
    if count == 0 {
        return (Vec::new(), Vec::new());
    }
    let times = posting_times(&mut r, p, count, cast.now);
    let paid = plan_sponsorship(&mut r, cast, p, &times);
    let partners = if paid.contains(&true) {
        sponsors(&mut r, cast, p)
    } else {
        Vec::new()
    };
    let followed: Vec<u32> = graph.followed_by(i).collect();
    let comment_ratio = r
        .lognormal(curve::COMMENTS_PER_LIKE, curve::COMMENTS_PER_LIKE_SIGMA)
        .clamp(0.001, 0.3);
    let language = account.language.as_deref().unwrap_or("en");
    let niche = &NICHES[p.niche];
    let pod = match p.anomaly {
        Anomaly::Pod(id) => Some(&cast.pods[id as usize]),
        _ => None,
    };

    let mut posts = Vec::with_capacity(count);
    let mut mentions = Vec::new();
    let mut paid_seen = 0;
    for (k, &at) in times.iter().enumerate() {
        let age_hours = (cast.now - at) as f64 / HOUR as f64;
        let (caption, sponsored_flag) = if paid[k] {
            // The first paid posts name distinct brands, so an over-sponsored
            // creator visibly promotes several.
            let brand = if paid_seen < partners.len() {
                partners[paid_seen]
            } else {
                *r.pick(&partners)
            };
            paid_seen += 1;
            let brand_niche = &NICHES[cast.personas[brand as usize].niche];
            let tagged = r.chance(TAGGED_DISCLOSURE);
            let disclosure = tagged.then(|| {
                let tags = if r.chance(0.2) {
                    disclosure_tags("en")
                } else {
                    disclosure_tags(language)
                };
                *r.pick(tags)
            });
            let product = *r.pick(brand_niche.products);
            let brand = &accounts[brand as usize].handle;
            let caption =
                captions::sponsored(&mut r, niche, &account.tags, brand, product, disclosure);
            (caption, !tagged || r.chance(TAGGED_AND_FLAGGED))
        } else {
            let mention_rate = match p.role {
                Role::Creator => 0.12,
                Role::Brand => 0.3,
                _ => 0.2,
            };
            let mention = (!followed.is_empty() && r.chance(mention_rate))
                .then(|| accounts[*r.pick(&followed) as usize].handle.as_str());
            // Creators post off-topic now and then (a personal post tagged,
            // if at all, with their interest), as real ones do.
            let off_topic = p.role == Role::Creator && r.chance(CREATOR_OFF_TOPIC);
            let caption = if p.role == Role::Ordinary || off_topic {
                captions::personal(&mut r, &NICHES[p.interest], mention)
            } else {
                captions::organic(&mut r, niche, &account.tags, mention)
            };
            (caption, false)
        };
        for handle in &caption.mentions {
            mentions.push(Interaction {
                platform: p.platform,
                from: account.handle.clone(),
                to: handle.clone(),
                kind: InteractionKind::Mention,
                at: Some(at),
            });
        }
        let pod_comments = pod.map_or(0, |members| {
            members
                .iter()
                .filter(|&&m| {
                    m as usize != i && pod_comment_delay(cast.seed, i as u32, k as u32, m).is_some()
                })
                .count() as u64
        });
        let mut post = Post {
            platform: p.platform,
            handle: account.handle.clone(),
            post_id: shortcode(i, k),
            posted_at: Some(at),
            caption: Some(caption.text),
            hashtags: caption.hashtags,
            mentions: caption.mentions,
            sponsored: Some(sponsored_flag),
            ..Post::default()
        };
        let collected = collected_share(age_hours);
        let paid_factor = if paid[k] {
            curve::SPONSORED_ENGAGEMENT
        } else {
            1.0
        };
        match p.platform {
            Platform::Tiktok => {
                tiktok_engagement(&mut r, p, &mut post, comment_ratio, collected * paid_factor)
            }
            _ => instagram_engagement(&mut r, p, &mut post, comment_ratio, collected * paid_factor),
        }
        post.comments = post.comments.map(|c| c + pod_comments);
        posts.push(post);
    }
    (posts, mentions)
}

/// Brands an account is paid by: an over-sponsored creator has three to
/// seven; others one or two, mostly of their own niche. Never the demo
/// brand, whose partners are for the user to choose.
fn sponsors<R: Rng>(r: &mut R, cast: &Cast, p: &Persona) -> Vec<u32> {
    let all: Vec<u32> = cast
        .brands
        .iter()
        .flatten()
        .copied()
        .filter(|&b| b != cast.brand)
        .collect();
    let own: Vec<u32> = cast.brands[p.niche]
        .iter()
        .copied()
        .filter(|&b| b != cast.brand)
        .collect();
    let wanted = if p.anomaly == Anomaly::OverSponsored {
        r.gen_range(3..=7)
    } else {
        r.gen_range(1..=2)
    };
    let mut out: Vec<u32> = Vec::with_capacity(wanted);
    while out.len() < wanted {
        let b = if p.anomaly != Anomaly::OverSponsored && r.chance(0.8) {
            *r.pick(&own)
        } else {
            *r.pick(&all)
        };
        if !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// Instagram: (likes + comments) / followers follows the measured curve at
/// the account's organic size; bought followers add to the denominator only.
/// Shares and saves are not public on Instagram and stay unknown.
fn instagram_engagement<R: Rng>(
    r: &mut R,
    p: &Persona,
    post: &mut Post,
    comment_ratio: f64,
    factor: f64,
) {
    let organic = p.organic_followers as f64;
    let expected = organic * instagram_er(organic) * p.er_factor;
    let engagements = expected * r.lognormal(1.0, curve::POST_SIGMA) * factor;
    let likes = engagements / (1.0 + comment_ratio);
    post.likes = Some(likes.round() as u64);
    post.comments = Some((likes * comment_ratio).round() as u64);
    let kind = match p.role {
        Role::Ordinary => [PostKind::Photo, PostKind::Reel][usize::from(r.chance(0.15))],
        _ => *r.pick(&[
            PostKind::Photo,
            PostKind::Photo,
            PostKind::Photo,
            PostKind::Reel,
            PostKind::Reel,
            PostKind::Video,
        ]),
    };
    post.kind = Some(kind);
    if kind != PostKind::Photo {
        let views = p.followers as f64 * r.lognormal(0.4, 0.7) * factor;
        post.views = Some((views.round() as u64).max(post.likes.unwrap_or(0)));
    }
}

/// TikTok: views do not shrink with audience size and likes are a share of
/// views, so ER by followers stays flat across sizes.
fn tiktok_engagement<R: Rng>(
    r: &mut R,
    p: &Persona,
    post: &mut Post,
    comment_ratio: f64,
    factor: f64,
) {
    let views = p.organic_followers as f64
        * r.lognormal(curve::TIKTOK_VIEWS_PER_FOLLOWER, curve::TIKTOK_VIEWS_SIGMA)
        * factor;
    let likes = views * r.lognormal(curve::TIKTOK_LIKES_PER_VIEW, 0.3) * p.er_factor;
    post.kind = Some(PostKind::Video);
    post.views = Some(views.round() as u64);
    post.likes = Some(likes.round() as u64);
    post.comments = Some((likes * comment_ratio).round() as u64);
    post.shares =
        Some((likes * curve::TIKTOK_SHARES_PER_LIKE * r.lognormal(1.0, 0.5)).round() as u64);
    post.saves =
        Some((likes * curve::TIKTOK_SAVES_PER_LIKE * r.lognormal(1.0, 0.5)).round() as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in (0..2_000_000).step_by(997) {
            for k in 0..30 {
                assert!(seen.insert(shortcode(a, k)));
            }
        }
    }

    #[test]
    fn pod_delays_are_within_minutes_and_stable() {
        let mut some = 0;
        for post in 0..200 {
            if let Some(d) = pod_comment_delay(5, 10, post, 11) {
                assert!((60..480).contains(&d));
                assert_eq!(pod_comment_delay(5, 10, post, 11), Some(d));
                some += 1;
            }
        }
        assert!((140..195).contains(&some), "{some}");
    }
}
