//! Caption text. Hashtags and mentions are written into the caption; the
//! post's `hashtags` and `mentions` fields are then parsed back out of it
//! with kith's own text rules, so the two always agree.

use crate::niches::{GENERIC_HASHTAGS, Niche, PERSONAL_PHRASES};
use crate::rng::Draw;
use rand::Rng;
use rand::seq::SliceRandom;

const EMOJI: &[&str] = &["✨", "🔥", "🙌", "❤️", "😍", "🌿", "☀️", "💪", "🏔️", "☕"];

const SPONSORED_TEMPLATES: &[&str] = &[
    "Loving my new {product} from @{brand}",
    "Partnered with @{brand}: code {code} gets you 15% off the {product}",
    "My go-to {product}? @{brand}, every time",
    "Thanks @{brand} for the {product}!",
    "Unboxing the new {product} by @{brand}",
    "Three weeks with the {product} from @{brand}: honest review",
];

/// Hashtags for a creator's post: a few of its signature tags, sometimes
/// another tag of its niche, and sometimes generic ones.
pub(crate) fn creator_tags<R: Rng>(r: &mut R, signature: &[String], niche: &Niche) -> Vec<String> {
    let mut tags: Vec<String> = signature.to_vec();
    tags.shuffle(r);
    tags.truncate(r.gen_range(2..=5).min(signature.len()));
    if r.chance(0.25) {
        let extra = r.pick(niche.hashtags).to_string();
        if !tags.contains(&extra) {
            tags.push(extra);
        }
    }
    for _ in 0..r.gen_range(0..=2) {
        let generic = r.pick(GENERIC_HASHTAGS).to_string();
        if !tags.contains(&generic) {
            tags.push(generic);
        }
    }
    tags
}

fn hashtag_line(tags: &[String]) -> String {
    tags.iter()
        .map(|t| format!("#{t}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_emoji<R: Rng>(r: &mut R, text: &str) -> String {
    if r.chance(0.5) {
        format!("{text} {}", r.pick(EMOJI))
    } else {
        text.to_string()
    }
}

/// An organic post of a creator or brand.
pub(crate) fn organic<R: Rng>(
    r: &mut R,
    niche: &Niche,
    tags: &[String],
    mention: Option<&str>,
) -> String {
    let phrase = *r.pick(niche.phrases);
    let mut text = with_emoji(r, phrase);
    if let Some(m) = mention {
        text.push_str(&format!(" with @{m}"));
    }
    format!("{text}\n\n{}", hashtag_line(tags))
}

/// A paid post: names the brand by @mention, and carries a disclosure
/// hashtag unless the platform's paid-partnership flag is its only
/// disclosure (`disclosure` is `None`).
pub(crate) fn sponsored<R: Rng>(
    r: &mut R,
    brand: &str,
    product: &str,
    disclosure: Option<&str>,
    tags: &[String],
) -> String {
    let code = format!(
        "{}15",
        brand.chars().take(5).collect::<String>().to_uppercase()
    );
    let text = r
        .pick(SPONSORED_TEMPLATES)
        .replace("{product}", product)
        .replace("{brand}", brand)
        .replace("{code}", &code);
    let mut line = String::new();
    if let Some(tag) = disclosure {
        line.push_str(&format!("#{tag} "));
    }
    line.push_str(&hashtag_line(tags));
    format!("{}\n\n{line}", with_emoji(r, &text))
}

/// An ordinary user's post: personal, sometimes tagged with an interest.
pub(crate) fn personal<R: Rng>(r: &mut R, interest: &Niche, mention: Option<&str>) -> String {
    let phrase = *r.pick(PERSONAL_PHRASES);
    let mut text = with_emoji(r, phrase);
    if let Some(m) = mention {
        text.push_str(&format!(" with @{m}"));
    }
    let mut tags = Vec::new();
    if r.chance(0.45) {
        for _ in 0..r.gen_range(1..=2) {
            let t = r.pick(interest.hashtags).to_string();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    if r.chance(0.4) {
        tags.push(r.pick(GENERIC_HASHTAGS).to_string());
    }
    if tags.is_empty() {
        text
    } else {
        format!("{text} {}", hashtag_line(&tags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::niches::NICHES;
    use crate::rng::{Stage, rng};
    use kith_model::text::{extract_hashtags, extract_mentions};

    #[test]
    fn captions_parse_back_to_their_tags_and_mentions() {
        let mut r = rng(3, Stage::Posts, 0);
        let niche = &NICHES[0];
        let tags = vec!["ootd".to_string(), "instagood".to_string()];
        let c = sponsored(&mut r, "threadline", "jacket", Some("werbung"), &tags);
        assert_eq!(extract_hashtags(&c), ["werbung", "ootd", "instagood"]);
        assert_eq!(extract_mentions(&c), ["threadline"]);
        let c = organic(&mut r, niche, &tags, Some("anna.keller"));
        assert_eq!(extract_mentions(&c), ["anna.keller"]);
        assert_eq!(extract_hashtags(&c), ["ootd", "instagood"]);
    }
}
