//! `kith score`'s rows: an account's report flattened to one line of
//! numbers. Unknown is empty (CSV) or null (JSON), never NaN. The
//! definitions of the columns are those of the report's figures
//! (docs/vetting.md writes them out).

use super::Vetting;
use super::report::{AccountReport, Detail};
use crate::figure::Figure;
use serde::Serialize;

/// One account's vetting metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    pub platform: String,
    pub handle: String,
    pub tier: Option<String>,
    pub followers: Option<u64>,
    pub following: Option<u64>,
    pub posts_in_world: usize,
    pub er_followers_median: Option<f64>,
    pub er_followers_median_lo: Option<f64>,
    pub er_followers_median_hi: Option<f64>,
    pub er_posts: u64,
    pub er_confidence: &'static str,
    pub er_followers_mean: Option<f64>,
    pub er_views: Option<f64>,
    pub er_views_posts: u64,
    pub expected_er: Option<f64>,
    pub er_index: Option<f64>,
    pub er_index_confidence: &'static str,
    pub peer_percentile: Option<f64>,
    pub fake_probability: Option<f64>,
    pub suspicious_follower_share: Option<f64>,
    pub suspicious_follower_share_lo: Option<f64>,
    pub suspicious_follower_share_hi: Option<f64>,
    pub followers_seen: u64,
    pub follower_anomalies: Option<u64>,
    pub following_anomalies: Option<u64>,
    pub history_changes: u64,
    pub pod_size: usize,
    pub reply_rate: Option<f64>,
    pub reciprocity: Option<f64>,
    pub non_follower_engagement: Option<f64>,
    pub interactions_in: u64,
    pub interactions_out: u64,
    pub sponsored_share: Option<f64>,
    pub sponsored_share_lo: Option<f64>,
    pub sponsored_share_hi: Option<f64>,
    pub window_posts: u64,
    pub brands_promoted: Option<u64>,
    pub paid_post_performance: Option<f64>,
    /// Kinds of the red flags, space-separated, each once.
    pub red_flags: String,
    /// Observation time (RFC 3339).
    pub as_of: String,
}

/// The column names, in order (the CSV header).
pub const SCORE_COLUMNS: &[&str] = &[
    "platform",
    "handle",
    "tier",
    "followers",
    "following",
    "posts_in_world",
    "er_followers_median",
    "er_followers_median_lo",
    "er_followers_median_hi",
    "er_posts",
    "er_confidence",
    "er_followers_mean",
    "er_views",
    "er_views_posts",
    "expected_er",
    "er_index",
    "er_index_confidence",
    "peer_percentile",
    "fake_probability",
    "suspicious_follower_share",
    "suspicious_follower_share_lo",
    "suspicious_follower_share_hi",
    "followers_seen",
    "follower_anomalies",
    "following_anomalies",
    "history_changes",
    "pod_size",
    "reply_rate",
    "reciprocity",
    "non_follower_engagement",
    "interactions_in",
    "interactions_out",
    "sponsored_share",
    "sponsored_share_lo",
    "sponsored_share_hi",
    "window_posts",
    "brands_promoted",
    "paid_post_performance",
    "red_flags",
    "as_of",
];

fn lo(f: &Figure) -> Option<f64> {
    f.interval.map(|i| i[0])
}

fn hi(f: &Figure) -> Option<f64> {
    f.interval.map(|i| i[1])
}

impl Vetting<'_> {
    /// One account's score row (the numbers of its report).
    pub fn score_row(&self, id: u32) -> ScoreRow {
        ScoreRow::new(&self.report_with(id, Detail::Numbers), &self.as_of_text)
    }
}

impl ScoreRow {
    /// `as_of` is the report's observation time, already formatted (every
    /// row of a run shares it).
    fn new(r: &AccountReport, as_of: &str) -> ScoreRow {
        let e = &r.engagement;
        let a = &r.authenticity;
        let s = &r.saturation;
        let c = &r.conversation;
        let mut kinds: Vec<&str> = r.red_flags.iter().map(|f| f.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        ScoreRow {
            platform: r.account.platform.clone(),
            handle: r.account.handle.clone(),
            tier: r.account.tier.clone(),
            followers: r.account.followers,
            following: r.account.following,
            posts_in_world: r.account.posts_in_world,
            er_followers_median: e.er_followers_median.value,
            er_followers_median_lo: lo(&e.er_followers_median),
            er_followers_median_hi: hi(&e.er_followers_median),
            er_posts: e.er_followers_median.sample_size,
            er_confidence: e.er_followers_median.confidence.as_str(),
            er_followers_mean: e.er_followers_mean.value,
            er_views: e.er_views.value,
            er_views_posts: e.er_views.sample_size,
            expected_er: e.expected_er,
            er_index: e.er_index.value,
            er_index_confidence: e.er_index.confidence.as_str(),
            peer_percentile: e.peer_percentile,
            fake_probability: a.fake_probability,
            suspicious_follower_share: a.suspicious_followers.share.value,
            suspicious_follower_share_lo: lo(&a.suspicious_followers.share),
            suspicious_follower_share_hi: hi(&a.suspicious_followers.share),
            followers_seen: a.suspicious_followers.followers_seen,
            follower_anomalies: a.follower_growth.figure.value.map(|v| v as u64),
            following_anomalies: a.following_growth.figure.value.map(|v| v as u64),
            history_changes: a.follower_growth.figure.sample_size,
            pod_size: a.pod_members.len(),
            reply_rate: c.reply_rate.value,
            reciprocity: c.reciprocity.value,
            non_follower_engagement: c.non_follower_engagement.value,
            interactions_in: c.interactions_in,
            interactions_out: c.interactions_out,
            sponsored_share: s.sponsored_share.value,
            sponsored_share_lo: lo(&s.sponsored_share),
            sponsored_share_hi: hi(&s.sponsored_share),
            window_posts: s.sponsored_share.sample_size,
            brands_promoted: s.brands_promoted.value.map(|v| v as u64),
            paid_post_performance: s.paid_post_performance.value,
            red_flags: kinds.join(" "),
            as_of: as_of.to_string(),
        }
    }
}

/// Appends one field, quoted as the csv crate quotes (only when it holds a
/// comma, a quote or a line break; quotes doubled).
fn csv_text(out: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// The numbers as the csv crate writes them (ryu, itoa); unknown is empty.
trait CsvField {
    fn put(&self, out: &mut Vec<u8>);
}

impl CsvField for f64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(ryu::Buffer::new().format(*self).as_bytes());
    }
}

impl CsvField for u64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(itoa::Buffer::new().format(*self).as_bytes());
    }
}

impl CsvField for usize {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(itoa::Buffer::new().format(*self).as_bytes());
    }
}

impl CsvField for &str {
    fn put(&self, out: &mut Vec<u8>) {
        csv_text(out, self);
    }
}

impl CsvField for String {
    fn put(&self, out: &mut Vec<u8>) {
        csv_text(out, self);
    }
}

impl<T: CsvField> CsvField for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        if let Some(v) = self {
            v.put(out);
        }
    }
}

impl ScoreRow {
    /// Appends the row as one CSV record (the columns of [`SCORE_COLUMNS`],
    /// `\n`-terminated), byte for byte what `csv::Writer::serialize` writes.
    /// Written by hand because a million rows through serde and the csv
    /// crate cost a seventh of `kith score`'s CPU; this costs about half.
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        let fields: [&dyn CsvField; 40] = [
            &self.platform,
            &self.handle,
            &self.tier,
            &self.followers,
            &self.following,
            &self.posts_in_world,
            &self.er_followers_median,
            &self.er_followers_median_lo,
            &self.er_followers_median_hi,
            &self.er_posts,
            &self.er_confidence,
            &self.er_followers_mean,
            &self.er_views,
            &self.er_views_posts,
            &self.expected_er,
            &self.er_index,
            &self.er_index_confidence,
            &self.peer_percentile,
            &self.fake_probability,
            &self.suspicious_follower_share,
            &self.suspicious_follower_share_lo,
            &self.suspicious_follower_share_hi,
            &self.followers_seen,
            &self.follower_anomalies,
            &self.following_anomalies,
            &self.history_changes,
            &self.pod_size,
            &self.reply_rate,
            &self.reciprocity,
            &self.non_follower_engagement,
            &self.interactions_in,
            &self.interactions_out,
            &self.sponsored_share,
            &self.sponsored_share_lo,
            &self.sponsored_share_hi,
            &self.window_posts,
            &self.brands_promoted,
            &self.paid_post_performance,
            &self.red_flags,
            &self.as_of,
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            field.put(out);
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn csv_crate_bytes(row: &ScoreRow) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.serialize(row).unwrap();
        w.into_inner().unwrap()
    }

    fn any_f64() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            Just(Some(0.0)),
            Just(Some(1.0)),
            Just(Some(-0.0)),
            Just(Some(1e-9)),
            Just(Some(123456789.125)),
            (-1e6f64..1e6).prop_map(Some),
            (0f64..1.0).prop_map(Some),
        ]
    }

    proptest! {
        #[test]
        fn hand_written_csv_equals_the_csv_crate(
            text in "[a-z ,\"\n\r#'é]{0,12}",
            handle in "[a-z_.0-9]{1,15}",
            counts in proptest::collection::vec(0u64..u64::MAX, 8),
            floats in proptest::collection::vec(any_f64(), 20),
            tier in proptest::option::of("[a-z]{3,6}"),
        ) {
            let f = |i: usize| floats[i];
            let row = ScoreRow {
                platform: "instagram".into(),
                handle,
                tier,
                followers: Some(counts[0]),
                following: None,
                posts_in_world: counts[1] as usize,
                er_followers_median: f(0),
                er_followers_median_lo: f(1),
                er_followers_median_hi: f(2),
                er_posts: counts[2],
                er_confidence: "medium",
                er_followers_mean: f(3),
                er_views: f(4),
                er_views_posts: counts[3],
                expected_er: f(5),
                er_index: f(6),
                er_index_confidence: "none",
                peer_percentile: f(7),
                fake_probability: f(8),
                suspicious_follower_share: f(9),
                suspicious_follower_share_lo: f(10),
                suspicious_follower_share_hi: f(11),
                followers_seen: counts[4],
                follower_anomalies: Some(counts[5]),
                following_anomalies: None,
                history_changes: counts[6],
                pod_size: counts[7] as usize,
                reply_rate: f(12),
                reciprocity: f(13),
                non_follower_engagement: f(14),
                interactions_in: counts[0],
                interactions_out: counts[1],
                sponsored_share: f(15),
                sponsored_share_lo: f(16),
                sponsored_share_hi: f(17),
                window_posts: counts[2],
                brands_promoted: None,
                paid_post_performance: f(18),
                red_flags: text.clone(),
                as_of: text,
            };
            let mut ours = Vec::new();
            row.write_csv(&mut ours);
            let theirs = csv_crate_bytes(&row);
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        }
    }

    #[test]
    fn columns_match_the_fields() {
        // The header list and the struct must not drift apart.
        let row = ScoreRow {
            platform: String::new(),
            handle: String::new(),
            tier: None,
            followers: None,
            following: None,
            posts_in_world: 0,
            er_followers_median: None,
            er_followers_median_lo: None,
            er_followers_median_hi: None,
            er_posts: 0,
            er_confidence: "none",
            er_followers_mean: None,
            er_views: None,
            er_views_posts: 0,
            expected_er: None,
            er_index: None,
            er_index_confidence: "none",
            peer_percentile: None,
            fake_probability: None,
            suspicious_follower_share: None,
            suspicious_follower_share_lo: None,
            suspicious_follower_share_hi: None,
            followers_seen: 0,
            follower_anomalies: None,
            following_anomalies: None,
            history_changes: 0,
            pod_size: 0,
            reply_rate: None,
            reciprocity: None,
            non_follower_engagement: None,
            interactions_in: 0,
            interactions_out: 0,
            sponsored_share: None,
            sponsored_share_lo: None,
            sponsored_share_hi: None,
            window_posts: 0,
            brands_promoted: None,
            paid_post_performance: None,
            red_flags: String::new(),
            as_of: String::new(),
        };
        let v = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected: Vec<&str> = SCORE_COLUMNS.to_vec();
        let mut got = keys.clone();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected);
    }
}
