//! Relevance: how well an account's topics match the brief, by BM25 over
//! two fields (Robertson and Zaragoza's BM25F, simplified to a weighted sum
//! of per-field BM25 scores):
//!
//! - tags: the account's tags and the hashtags of its recent posts, each
//!   reduced to a key (lowercase, without `#`, `_`, `-` and `.`) so that
//!   `#Trail_Running` and `#trailrunning` are one tag;
//! - text: the words of its bio and of its recent captions.
//!
//! For a query term t in a field, with tf its count in the account's field,
//! dl the field's length, avgdl the mean length over the scanned accounts,
//! N the accounts scanned and df those whose field holds t:
//!
//! idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
//! bm25(t) = idf(t) · tf (k1 + 1) / (tf + k1 (1 - b + b · dl / avgdl))
//!
//! with b = `bm25_b` for text and `bm25_b_tags` (default 0) for tags: a tag
//! list is a set, not prose, and an account that uses many tags does not
//! dilute its topic the way a long document does (on x-ego, b = 0.75 on
//! tags halves precision@50 against b = 0).
//!
//! relevance_raw = tag_weight · Σ bm25 over tag terms + text_weight · Σ bm25
//! over word terms, plus the related tags pseudo-relevance feedback adds
//! (see [`feedback`]); the relevance term is relevance_raw divided by its
//! largest value among the candidates (so the best match is 1).

use kith_model::settings::Discovery;
use kith_model::{Brief, text::normalize_tag};
use kith_store::World;
use rayon::prelude::*;
use std::collections::HashMap;

/// A tag's matching key: lowercase, no `#`, no `_`, `-` or `.`.
pub fn tag_key(tag: &str) -> String {
    let mut key = String::new();
    tag_key_into(tag, &mut key);
    key
}

/// [`tag_key`] into a reused buffer: discovery keys every tag of every
/// account scanned (tens of millions at a million accounts), and two
/// allocations per tag were a tenth of its time.
pub fn tag_key_into(tag: &str, key: &mut String) {
    key.clear();
    let t = tag.trim().trim_start_matches('#');
    if t.is_ascii() {
        key.extend(
            t.bytes()
                .filter(|b| !matches!(b, b'_' | b'-' | b'.'))
                .map(|b| b.to_ascii_lowercase() as char),
        );
    } else {
        // str::to_lowercase knows context (a final sigma), char's does not.
        let lower = normalize_tag(tag).unwrap_or_default();
        key.extend(lower.chars().filter(|c| !matches!(c, '_' | '-' | '.')));
    }
}

/// Calls `f` with the key of each of an account's tags and its recent
/// posts' hashtags, empty keys left out.
fn for_each_tag_key(
    world: &World,
    id: u32,
    recent: usize,
    buf: &mut String,
    mut f: impl FnMut(&str),
) {
    for t in world.accounts().tags(id) {
        tag_key_into(t, buf);
        if !buf.is_empty() {
            f(buf);
        }
    }
    let rows = world.posts_of(id);
    let posts = world.posts();
    let start = rows.end.saturating_sub(recent).max(rows.start);
    for r in start..rows.end {
        for h in posts.hashtags(r) {
            tag_key_into(h, buf);
            if !buf.is_empty() {
                f(buf);
            }
        }
    }
}

/// The brief's terms, per field.
#[derive(Debug, Clone)]
pub struct Query {
    /// Tag keys, with how the brief wrote them (for evidence).
    pub tags: Vec<(String, String)>,
    /// Lowercase words, with how the brief wrote them.
    pub words: Vec<(String, String)>,
}

impl Query {
    /// Hashtags and keywords are looked for in both fields: a keyword
    /// `trail running` is the tag `trailrunning` and the words `trail`,
    /// `running`; a hashtag `#trailrunning` is also that word in a caption.
    pub fn from_brief(brief: &Brief) -> Query {
        let mut tags: Vec<(String, String)> = Vec::new();
        let mut words: Vec<(String, String)> = Vec::new();
        let add = |list: &mut Vec<(String, String)>, key: String, shown: String| {
            if !key.is_empty() && !list.iter().any(|(k, _)| *k == key) {
                list.push((key, shown));
            }
        };
        for h in &brief.hashtags {
            add(&mut tags, tag_key(h), format!("#{h}"));
            add(&mut words, tag_key(h), format!("#{h}"));
        }
        for k in &brief.keywords {
            add(
                &mut tags,
                tag_key(&k.replace(' ', "")),
                format!("#{}", k.replace(' ', "")),
            );
            for w in split_words(k) {
                add(&mut words, w.clone(), w);
            }
        }
        Query { tags, words }
    }
}

/// Unicode words, lowercased.
fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Counts of the query's terms in one account's two fields.
#[derive(Debug, Clone, Default)]
struct FieldCounts {
    tag_tf: Vec<u32>,
    tag_len: u32,
    word_tf: Vec<u32>,
    word_len: u32,
    /// Related tags (from feedback) found, with counts.
    related: Vec<(String, u32)>,
}

/// Relevance of every account scanned.
#[derive(Debug, Clone)]
pub struct Relevance {
    pub query: Query,
    /// relevance_raw per scanned account (same order as the input ids).
    pub raw: Vec<f64>,
    counts: Vec<FieldCounts>,
    /// Tags added to the query by feedback.
    pub related: Vec<String>,
}

impl Relevance {
    /// The largest raw score (0 when nothing matched).
    pub fn max_raw(&self) -> f64 {
        self.raw.iter().copied().fold(0.0, f64::max)
    }

    /// The brief's terms found in account `i` (input order), as
    /// `(term as the brief wrote it, times seen)`, tags first.
    pub fn matched_terms(&self, i: usize) -> Vec<(String, u32)> {
        let c = &self.counts[i];
        let mut out: Vec<(String, u32)> = Vec::new();
        for ((_, shown), &tf) in self.query.tags.iter().zip(&c.tag_tf) {
            if tf > 0 {
                out.push((shown.clone(), tf));
            }
        }
        for ((_, shown), &tf) in self.query.words.iter().zip(&c.word_tf) {
            if tf > 0 && !out.iter().any(|(s, _)| s == shown) {
                out.push((shown.clone(), tf));
            }
        }
        for (t, tf) in &c.related {
            out.push((format!("{t} (related)"), *tf));
        }
        out
    }
}

/// Scans `ids`' tags, bios and recent posts, in parallel, then expands the
/// brief with related tags (pseudo-relevance feedback) and scores again.
pub fn relevance(world: &World, ids: &[u32], brief: &Brief, settings: &Discovery) -> Relevance {
    let mut rel = first_pass(world, ids, Query::from_brief(brief), settings);
    if settings.feedback_tags > 0 && settings.feedback_accounts > 0 {
        feedback(world, ids, &mut rel, settings);
    }
    rel
}

/// The tag keys of an account: its tags and its recent posts' hashtags.
fn tag_keys(world: &World, id: u32, recent: usize) -> Vec<String> {
    let mut keys = Vec::new();
    for_each_tag_key(world, id, recent, &mut String::new(), |k| {
        keys.push(k.to_string())
    });
    keys
}

/// Pseudo-relevance feedback (RM3-style, Lavrenko and Croft 2001; Abdul-
/// Jaleel et al. 2004) over tags: the `feedback_accounts` best-scoring
/// accounts vote for the other tags they use, each vote weighted by the
/// account's score; the `feedback_tags` tags with the most votes × idf
/// join the query with weight feedback_weight × votes·idf / max votes·idf,
/// scored by the same BM25. A brief that says #trailrunning thereby also
/// finds #ultrarunning accounts, and the evidence names them as related.
fn feedback(world: &World, ids: &[u32], rel: &mut Relevance, settings: &Discovery) {
    let mut order: Vec<usize> = (0..ids.len()).filter(|&i| rel.raw[i] > 0.0).collect();
    order.sort_by(|&a, &b| rel.raw[b].total_cmp(&rel.raw[a]).then(a.cmp(&b)));
    order.truncate(settings.feedback_accounts);
    if order.is_empty() {
        return;
    }
    let in_query: std::collections::HashSet<&str> =
        rel.query.tags.iter().map(|(k, _)| k.as_str()).collect();
    let mut votes: HashMap<String, f64> = HashMap::new();
    for &i in &order {
        let mut keys = tag_keys(world, ids[i], settings.recent_captions);
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            if !in_query.contains(k.as_str()) {
                *votes.entry(k).or_default() += rel.raw[i];
            }
        }
    }
    // df of the most voted tags, for idf
    let mut voted: Vec<(String, f64)> = votes.into_iter().collect();
    voted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    voted.truncate(settings.feedback_tags * 10);
    let index: HashMap<&str, usize> = voted
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let tfs: Vec<Vec<(usize, u32)>> = ids
        .par_iter()
        .map_init(String::new, |buf, &id| {
            let mut tf: Vec<(usize, u32)> = Vec::new();
            for_each_tag_key(world, id, settings.recent_captions, buf, |k| {
                if let Some(&j) = index.get(k) {
                    match tf.iter_mut().find(|e| e.0 == j) {
                        Some(e) => e.1 += 1,
                        None => tf.push((j, 1)),
                    }
                }
            });
            tf
        })
        .collect();
    let n = ids.len().max(1) as f64;
    let mut df = vec![0usize; voted.len()];
    for tf in &tfs {
        for &(j, _) in tf {
            df[j] += 1;
        }
    }
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| (1.0 + (n - d as f64 + 0.5) / (d as f64 + 0.5)).ln())
        .collect();
    let mut chosen: Vec<(usize, f64)> =
        (0..voted.len()).map(|j| (j, voted[j].1 * idf[j])).collect();
    chosen.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    chosen.truncate(settings.feedback_tags);
    let top = chosen.first().map_or(1.0, |c| c.1).max(1e-12);
    let weights: HashMap<usize, f64> = chosen
        .iter()
        .map(|&(j, v)| (j, settings.feedback_weight * v / top))
        .collect();
    let avg_tag = (rel.counts.iter().map(|c| c.tag_len as f64).sum::<f64>() / n).max(1.0);
    let (k1, b) = (settings.bm25_k1, settings.bm25_b_tags);
    for (i, tf) in tfs.iter().enumerate() {
        let dl = rel.counts[i].tag_len as f64;
        for &(j, t) in tf {
            if let Some(&w) = weights.get(&j) {
                let t = t as f64;
                let s = idf[j] * t * (k1 + 1.0) / (t + k1 * (1.0 - b + b * dl / avg_tag));
                rel.raw[i] += settings.tag_weight * w * s;
                rel.counts[i]
                    .related
                    .push((format!("#{}", voted[j].0), t as u32));
            }
        }
    }
    rel.related = chosen
        .iter()
        .map(|&(j, _)| format!("#{}", voted[j].0))
        .collect();
}

fn first_pass(world: &World, ids: &[u32], query: Query, settings: &Discovery) -> Relevance {
    let tag_index: HashMap<&str, usize> = query
        .tags
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let word_index: HashMap<&str, usize> = query
        .words
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let accounts = world.accounts();
    let posts = world.posts();
    let recent = settings.recent_captions;
    let counts: Vec<FieldCounts> = ids
        .par_iter()
        .map_init(String::new, |buf, &id| {
            let mut c = FieldCounts {
                tag_tf: vec![0; query.tags.len()],
                word_tf: vec![0; query.words.len()],
                ..FieldCounts::default()
            };
            let mut add_tag = |c: &mut FieldCounts, tag: &str| {
                c.tag_len += 1;
                tag_key_into(tag, buf);
                if let Some(&i) = tag_index.get(buf.as_str()) {
                    c.tag_tf[i] += 1;
                }
            };
            for t in accounts.tags(id) {
                add_tag(&mut c, t);
            }
            let rows = world.posts_of(id);
            let start = rows.end.saturating_sub(recent).max(rows.start);
            for r in start..rows.end {
                for h in posts.hashtags(r) {
                    add_tag(&mut c, h);
                }
            }
            let mut add_text = |c: &mut FieldCounts, text: &str| {
                for w in text.split(|ch: char| !ch.is_alphanumeric()) {
                    if w.is_empty() {
                        continue;
                    }
                    c.word_len += 1;
                    let key = if w.chars().any(char::is_uppercase) {
                        buf.clear();
                        buf.extend(w.chars().flat_map(char::to_lowercase));
                        buf.as_str()
                    } else {
                        w
                    };
                    if let Some(&i) = word_index.get(key) {
                        c.word_tf[i] += 1;
                    }
                }
            };
            if let Some(bio) = accounts.bio(id) {
                add_text(&mut c, bio);
            }
            for r in start..rows.end {
                if let Some(caption) = posts.caption(r) {
                    add_text(&mut c, caption);
                }
            }
            c
        })
        .collect();
    let n = counts.len().max(1) as f64;
    let idf = |df: usize| (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln();
    let tag_df: Vec<usize> = (0..query.tags.len())
        .map(|i| counts.iter().filter(|c| c.tag_tf[i] > 0).count())
        .collect();
    let word_df: Vec<usize> = (0..query.words.len())
        .map(|i| counts.iter().filter(|c| c.word_tf[i] > 0).count())
        .collect();
    let tag_idf: Vec<f64> = tag_df.iter().map(|&d| idf(d)).collect();
    let word_idf: Vec<f64> = word_df.iter().map(|&d| idf(d)).collect();
    let avg_tag = (counts.iter().map(|c| c.tag_len as f64).sum::<f64>() / n).max(1.0);
    let avg_word = (counts.iter().map(|c| c.word_len as f64).sum::<f64>() / n).max(1.0);
    let k1 = settings.bm25_k1;
    let bm25 = |tf: u32, dl: u32, avgdl: f64, idf: f64, b: f64| {
        if tf == 0 {
            return 0.0;
        }
        let tf = tf as f64;
        idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl as f64 / avgdl))
    };
    let raw = counts
        .par_iter()
        .map(|c| {
            let tags: f64 = c
                .tag_tf
                .iter()
                .zip(&tag_idf)
                .map(|(&tf, &idf)| bm25(tf, c.tag_len, avg_tag, idf, settings.bm25_b_tags))
                .sum();
            let words: f64 = c
                .word_tf
                .iter()
                .zip(&word_idf)
                .map(|(&tf, &idf)| bm25(tf, c.word_len, avg_word, idf, settings.bm25_b))
                .sum();
            settings.tag_weight * tags + settings.text_weight * words
        })
        .collect();
    Relevance {
        query,
        raw,
        counts,
        related: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The buffered key equals the plain definition: normalise, then
        /// drop the separators.
        #[test]
        fn tag_key_into_matches_its_definition(tag in "[#_ .A-Za-zÉéΣσ日本-]{0,16}") {
            let expected: String = normalize_tag(&tag)
                .unwrap_or_default()
                .chars()
                .filter(|c| !matches!(c, '_' | '-' | '.'))
                .collect();
            proptest::prop_assert_eq!(tag_key(&tag), expected);
        }
    }

    #[test]
    fn tag_keys_fold_case_and_separators() {
        assert_eq!(tag_key("#Trail_Running"), "trailrunning");
        assert_eq!(tag_key("trail-running"), "trailrunning");
        assert_eq!(tag_key("#Café"), "café");
        assert_eq!(tag_key("#日本"), "日本");
    }

    #[test]
    fn keywords_become_tags_and_words() {
        let brief = Brief::from_toml(
            "hashtags = [\"#TrailRunning\"]\nkeywords = [\"Trail running\", \"ultra\"]\n",
            "b.toml",
            &kith_model::Settings::default(),
        )
        .unwrap();
        let q = Query::from_brief(&brief);
        let tags: Vec<&str> = q.tags.iter().map(|t| t.0.as_str()).collect();
        let words: Vec<&str> = q.words.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(tags, ["trailrunning", "ultra"]);
        assert_eq!(words, ["trailrunning", "trail", "running", "ultra"]);
    }
}
