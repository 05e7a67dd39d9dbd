//! Closed vocabularies: platforms, post kinds, interaction kinds, labels.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value that is not one of a closed vocabulary; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {what} (expected one of: {})", .expected.trim_end())]
pub struct ParseKindError {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, [$($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        #[repr(u8)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in code order (the order of the `u8` codes).
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical lowercase name used in files and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Stable one-byte code used in the columnar store.
            pub fn code(self) -> u8 { self as u8 }

            /// Inverse of [`Self::code`].
            pub fn from_code(code: u8) -> Option<Self> {
                Self::ALL.get(code as usize).copied()
            }
        }

        impl FromStr for $name {
            type Err = ParseKindError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.trim().to_ascii_lowercase();
                match lower.as_str() {
                    $($text $(| $alias)* => Ok($name::$variant),)+
                    _ => Err(ParseKindError {
                        what: $what,
                        value: s.to_string(),
                        expected: concat!($($text, " "),+),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

vocabulary!(
    /// The social platform an account lives on.
    Platform, "platform", [
        Instagram => "instagram" | "ig",
        Tiktok => "tiktok",
        Youtube => "youtube" | "yt",
        X => "x" | "twitter",
        Facebook => "facebook" | "fb",
        Pinterest => "pinterest",
        Snapchat => "snapchat",
        Linkedin => "linkedin",
        Twitch => "twitch",
        Bluesky => "bluesky",
        Mastodon => "mastodon",
        Other => "other",
    ]
);

vocabulary!(
    /// What a post is.
    PostKind, "post kind", [
        Photo => "photo" | "image" | "carousel",
        Video => "video",
        Reel => "reel" | "short" | "shorts",
        Story => "story",
        Text => "text" | "tweet",
    ]
);

vocabulary!(
    /// How one account engaged with another.
    InteractionKind, "interaction kind", [
        Reply => "reply",
        Mention => "mention",
        Comment => "comment",
        Repost => "repost" | "retweet" | "rt" | "share",
        Like => "like",
    ]
);

vocabulary!(
    /// Ground truth of an authenticity training row.
    Label, "label", [
        Fake => "fake" | "1" | "bot",
        Real => "real" | "0" | "genuine",
    ]
);

impl Default for Platform {
    /// `Other`, so that records can be built field by field; readers always set it.
    fn default() -> Self {
        Platform::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_code(p.code()), Some(*p));
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), *p);
        }
        assert_eq!(Platform::from_code(200), None);
    }

    #[test]
    fn aliases_and_case() {
        assert_eq!("Twitter".parse::<Platform>().unwrap(), Platform::X);
        assert_eq!(" IG ".parse::<Platform>().unwrap(), Platform::Instagram);
        let err = "myspace".parse::<Platform>().unwrap_err();
        assert!(err.to_string().contains("instagram"), "{err}");
    }
}
