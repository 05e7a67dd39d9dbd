//! Caption text, with the hashtags and mentions written into it. They are
//! recorded as the caption is built (parsing them back with kith's text
//! rules gives the same lists; a test holds the two together), which keeps
//! the generator from scanning and allocating every caption twice.

use crate::niches::{GENERIC_HASHTAGS, Niche, PERSONAL_PHRASES};
use crate::rng::Draw;
use rand::Rng;

const EMOJI: &[&str] = &["✨", "🔥", "🙌", "❤️", "😍", "🌿", "☀️", "💪", "🏔️", "☕"];

const SPONSORED_TEMPLATES: &[&str] = &[
    "Loving my new {product} from @{brand}",
    "Partnered with @{brand}: code {code} gets you 15% off the {product}",
    "My go-to {product}? @{brand}, every time",
    "Thanks @{brand} for the {product}!",
    "Unboxing the new {product} by @{brand}",
    "Three weeks with the {product} from @{brand}: honest review",
];

/// A caption and what it tags and mentions, each once, in order of
/// appearance, normalised as kith's text rules normalise them.
#[derive(Debug, Default)]
pub(crate) struct Caption {
    pub text: String,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
}

impl Caption {
    fn phrase<R: Rng>(r: &mut R, phrase: &str) -> Caption {
        let mut text = String::with_capacity(128);
        text.push_str(phrase);
        if r.chance(0.5) {
            text.push(' ');
            text.push_str(r.pick_str(EMOJI));
        }
        Caption {
            text,
            ..Caption::default()
        }
    }

    fn mention(&mut self, handle: &str) {
        self.text.push_str(" with @");
        self.text.push_str(handle);
        self.mentions.push(handle.to_string());
    }

    /// Appends `#tag` (after `separator`) unless the caption has it already.
    fn tag(&mut self, separator: &str, tag: &str) {
        if self.hashtags.iter().any(|t| t == tag) {
            return;
        }
        self.text.push_str(separator);
        self.text.push('#');
        self.text.push_str(tag);
        self.hashtags.push(tag.to_string());
    }

    fn tags<'a>(&mut self, first_separator: &str, tags: impl IntoIterator<Item = &'a str>) {
        for (k, t) in tags.into_iter().enumerate() {
            self.tag(if k == 0 { first_separator } else { " " }, t);
        }
    }
}

/// Hashtags for a creator's post: a few of its signature tags, sometimes
/// another tag of its niche, and sometimes generic ones.
fn creator_tags<'a, R: Rng>(r: &mut R, signature: &'a [String], niche: &'a Niche) -> Vec<&'a str> {
    let mut order: Vec<usize> = (0..signature.len()).collect();
    let keep = r.gen_range(2..=5).min(signature.len());
    for k in 0..keep {
        let j = r.gen_range(k..order.len());
        order.swap(k, j);
    }
    let mut tags: Vec<&str> = order[..keep]
        .iter()
        .map(|&k| signature[k].as_str())
        .collect();
    if r.chance(0.25) {
        tags.push(r.pick_str(niche.hashtags));
    }
    for _ in 0..r.gen_range(0..=2) {
        tags.push(r.pick_str(GENERIC_HASHTAGS));
    }
    tags
}

/// An organic post of a creator or brand.
pub(crate) fn organic<R: Rng>(
    r: &mut R,
    niche: &Niche,
    signature: &[String],
    mention: Option<&str>,
) -> Caption {
    let phrase = r.pick_str(niche.phrases);
    let mut c = Caption::phrase(r, phrase);
    if let Some(m) = mention {
        c.mention(m);
    }
    let tags = creator_tags(r, signature, niche);
    c.tags("\n\n", tags);
    c
}

/// A paid post: names the brand by @mention, and carries a disclosure
/// hashtag unless the platform's paid-partnership flag is its only
/// disclosure (`disclosure` is `None`).
pub(crate) fn sponsored<R: Rng>(
    r: &mut R,
    niche: &Niche,
    signature: &[String],
    brand: &str,
    product: &str,
    disclosure: Option<&str>,
) -> Caption {
    let code: String = brand.chars().take(5).collect::<String>().to_uppercase() + "15";
    let text = r
        .pick(SPONSORED_TEMPLATES)
        .replace("{product}", product)
        .replace("{brand}", brand)
        .replace("{code}", &code);
    let mut c = Caption::phrase(r, &text);
    c.mentions.push(brand.to_string());
    let mut separator = "\n\n";
    if let Some(tag) = disclosure {
        c.tag(separator, tag);
        separator = " ";
    }
    let tags = creator_tags(r, signature, niche);
    c.tags(separator, tags);
    c
}

/// An ordinary user's post: personal, sometimes tagged with an interest.
pub(crate) fn personal<R: Rng>(r: &mut R, interest: &Niche, mention: Option<&str>) -> Caption {
    let phrase = r.pick_str(PERSONAL_PHRASES);
    let mut c = Caption::phrase(r, phrase);
    if let Some(m) = mention {
        c.mention(m);
    }
    if r.chance(0.45) {
        for _ in 0..r.gen_range(1..=2) {
            c.tag(" ", r.pick_str(interest.hashtags));
        }
    }
    if r.chance(0.4) {
        c.tag(" ", r.pick_str(GENERIC_HASHTAGS));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::niches::NICHES;
    use crate::rng::{Stage, rng};
    use kith_model::text::{extract_hashtags, extract_mentions};

    fn agrees(c: &Caption) {
        assert_eq!(c.hashtags, extract_hashtags(&c.text), "{}", c.text);
        assert_eq!(c.mentions, extract_mentions(&c.text), "{}", c.text);
    }

    #[test]
    fn recorded_tags_and_mentions_are_what_kith_parses() {
        let mut r = rng(3, Stage::Posts, 0);
        for niche in NICHES {
            let signature: Vec<String> =
                niche.hashtags[..5].iter().map(|t| t.to_string()).collect();
            for _ in 0..50 {
                agrees(&sponsored(
                    &mut r,
                    niche,
                    &signature,
                    "crema_co",
                    "kettle",
                    Some("werbung"),
                ));
                agrees(&sponsored(
                    &mut r,
                    niche,
                    &signature,
                    "threadline",
                    "jacket",
                    None,
                ));
                agrees(&organic(&mut r, niche, &signature, Some("anna.keller")));
                agrees(&organic(&mut r, niche, &signature, None));
                agrees(&personal(&mut r, niche, Some("bo.li.xq")));
            }
        }
        let c = sponsored(
            &mut r,
            &NICHES[0],
            &["ootd".into()],
            "threadline",
            "jacket",
            Some("anzeige"),
        );
        assert_eq!(c.hashtags[0], "anzeige");
        assert_eq!(c.mentions, ["threadline"]);
    }
}
