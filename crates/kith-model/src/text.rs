//! Text rules that must agree everywhere: how handles and hashtags are
//! normalised, and how hashtags and mentions are found in captions.
//!
//! Hashtags are Unicode-aware: `#café`, `#日本`, `#हिंदी` are whole tags. A
//! tag runs from `#` to the first whitespace, punctuation (other than `_`),
//! symbol/emoji, or the next `#` or `@`; a run of digits alone is not a tag
//! (`#1`), matching Instagram's and X's behaviour.

/// Canonical form of a handle: trimmed, without a leading `@`, lowercased.
/// Platforms treat handles case-insensitively, so `@Alice` and `alice` are
/// one account.
pub fn normalize_handle(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_prefix('@').unwrap_or(t);
    t.to_lowercase()
}

/// Canonical form of a hashtag or topic: trimmed, without its leading `#`,
/// lowercased. Returns `None` for an empty tag.
pub fn normalize_tag(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t.trim_start_matches('#');
    if t.is_empty() {
        None
    } else {
        Some(t.to_lowercase())
    }
}

/// Splits a space-separated tag list (`#a #b c`) into normalised tags,
/// dropping duplicates but keeping first-seen order.
pub fn split_tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(|c: char| c.is_whitespace() || c == ',') {
        if let Some(tag) = normalize_tag(part)
            && !out.contains(&tag)
        {
            out.push(tag);
        }
    }
    out
}

fn ends_token(c: char) -> bool {
    if c == '_' {
        return false;
    }
    if c.is_whitespace() || c.is_ascii_punctuation() || c.is_control() {
        return true;
    }
    let u = c as u32;
    // General punctuation, currency/letterlike symbols, arrows, math, dingbats,
    // CJK punctuation, fullwidth ASCII punctuation, emoji and pictographs.
    matches!(u,
        0x00A1..=0x00BF | 0x00D7 | 0x00F7 | 0x2000..=0x2BFF | 0x3000..=0x303F
        | 0xFE10..=0xFE6F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65 | 0xFE00..=0xFE0F | 0x1F000..=0x1FAFF)
}

fn scan(text: &str, sigil: char, allow_dot: bool, needs_boundary: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        if c == sigil && (!needs_boundary || prev.is_none_or(|p| !p.is_alphanumeric() && p != '_'))
        {
            let start = i + c.len_utf8();
            let mut end = start;
            while let Some(&(j, d)) = chars.peek() {
                if d == '#' || d == '@' || (ends_token(d) && !(allow_dot && d == '.')) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            let mut token = &text[start..end];
            if allow_dot {
                token = token.trim_end_matches('.');
            }
            if token.chars().any(|ch| !ch.is_ascii_digit()) && !token.is_empty() {
                let norm = token.to_lowercase();
                if !out.contains(&norm) {
                    out.push(norm);
                }
            }
            prev = text[..end].chars().next_back();
            continue;
        }
        prev = Some(c);
    }
    out
}

/// The hashtags of a caption, normalised (no `#`, lowercased), each once, in
/// order of first appearance. `#a#b` is two tags, as Instagram reads it.
pub fn extract_hashtags(caption: &str) -> Vec<String> {
    scan(caption, '#', false, false)
}

/// The @-mentions of a caption, normalised, each once. An `@` inside a word
/// (an e-mail address) is not a mention; dots inside a handle are kept, a
/// trailing dot (end of sentence) is not.
pub fn extract_mentions(caption: &str) -> Vec<String> {
    scan(caption, '@', true, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unicode_hashtags() {
        assert_eq!(
            extract_hashtags("Lunch #café! #日本 and #हिंदी."),
            ["café", "日本", "हिंदी"]
        );
        assert_eq!(
            extract_hashtags("#evolution#artificialintelligence #AI #ai"),
            ["evolution", "artificialintelligence", "ai"]
        );
        assert_eq!(extract_hashtags("#1 #2024 #top10 # #_"), ["top10", "_"]);
        assert_eq!(
            extract_hashtags("run 🏃#trail🌲 #trail_running"),
            ["trail", "trail_running"]
        );
        assert_eq!(extract_hashtags("深夜の#ラーメン、最高"), ["ラーメン"]);
    }

    #[test]
    fn mentions() {
        assert_eq!(
            extract_mentions("thanks @Mike.Q. and @bob_1, mail me at a@b.com"),
            ["mike.q", "bob_1"]
        );
        assert_eq!(extract_mentions("@@x"), ["x"]);
    }

    #[test]
    fn handles_and_tags() {
        assert_eq!(normalize_handle(" @Alice "), "alice");
        assert_eq!(normalize_tag("#TrailRunning"), Some("trailrunning".into()));
        assert_eq!(normalize_tag("#"), None);
        assert_eq!(split_tags("#a  #B a, c"), ["a", "b", "c"]);
    }

    proptest! {
        #[test]
        fn extraction_never_panics_and_tags_are_clean(s in "\\PC{0,200}") {
            for tag in extract_hashtags(&s) {
                prop_assert!(!tag.is_empty());
                prop_assert!(!tag.contains('#') && !tag.contains(char::is_whitespace));
            }
            for m in extract_mentions(&s) {
                prop_assert!(!m.is_empty() && !m.contains('@'));
            }
        }

        #[test]
        fn tags_found_again_in_their_own_caption(words in proptest::collection::vec("[a-zA-Zé日]{1,8}", 1..6)) {
            let caption = words.iter().map(|w| format!("#{w}")).collect::<Vec<_>>().join(" ");
            let tags = extract_hashtags(&caption);
            for w in &words {
                prop_assert!(tags.contains(&w.to_lowercase()));
            }
        }
    }
}
