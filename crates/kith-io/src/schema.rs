//! How a record kind maps to named columns: the raw [`Cell`]s a CSV or JSON
//! Lines row provides, the typed getters of [`Row`] that apply the import
//! contract's rules (empty = unknown, counts, booleans, times, normalised
//! handles and tags), and the [`Value`]s writers render.
//!
//! CSV and JSON Lines share these rules so a file means the same in either
//! format; JSON adds typed values (numbers, booleans, lists) that are accepted
//! where they make sense.

use kith_model::text::{normalize_handle, split_tags};
use kith_model::time::{parse_date, parse_time};
use kith_model::{InteractionKind, Label, ParseKindError, Platform, PostKind};
use std::borrow::Cow;
use std::str::FromStr;

const BOOLEAN: &str = "a boolean";

/// One column of a record kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// A row without a value here is rejected. (`platform` is required but may
    /// be supplied for every row by [`crate::ReadOptions::platform`].)
    pub required: bool,
}

/// Shorthand for the column tables of the record impls.
pub(crate) const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

/// One field of one row, as the file wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// The column is not in the header, or the key is not in the object.
    Absent,
    /// A CSV cell or a JSON string (unescaped).
    Text(Cow<'a, str>),
    /// A JSON number, as written.
    Number(&'a str),
    /// A JSON `true` or `false`.
    Bool(bool),
    /// A JSON `null`.
    Null,
    /// A JSON array of strings.
    List(Vec<Cow<'a, str>>),
    /// A JSON value of a type no column accepts; holds its description ("an object").
    Unsupported(&'static str),
}

/// A field that breaks the contract: which column (index into
/// [`Record::COLUMNS`](crate::Record::COLUMNS)) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub column: usize,
    pub message: String,
}

/// A value to write, typed so CSV and JSON writers can each render it as
/// their readers expect it back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Empty,
    Text(&'a str),
    Count(u64),
    Decimal(f64),
    Bool(bool),
    /// Unix seconds.
    Time(i64),
    /// Days since 1970-01-01.
    Date(i32),
    /// Space-separated in CSV, an array in JSON.
    Tags(&'a [String]),
    /// The canonical name of a vocabulary value (platform, kind, label).
    Word(&'static str),
}

/// One row's cells, in the order of the record kind's columns, with the rules
/// to read each as a typed value.
pub struct Row<'r, 'a> {
    pub(crate) cells: &'r [Cell<'a>],
    pub(crate) columns: &'static [Column],
    pub(crate) default_platform: Option<Platform>,
    /// "column" for CSV, "field" for JSON Lines: the word the user's file uses.
    pub(crate) noun: &'static str,
}

/// A closed vocabulary read without allocating in the common case (the
/// canonical lowercase name), falling back to `FromStr` for aliases and case.
pub(crate) trait Vocabulary: Copy + FromStr<Err = ParseKindError> + 'static {
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
}

macro_rules! vocabulary {
    ($($t:ty),*) => {$(
        impl Vocabulary for $t {
            fn all() -> &'static [Self] { <$t>::ALL }
            fn name(self) -> &'static str { self.as_str() }
        }
    )*};
}
vocabulary!(Platform, PostKind, InteractionKind, Label);

impl<'a> Row<'_, 'a> {
    fn cell(&self, i: usize) -> &Cell<'a> {
        self.cells.get(i).unwrap_or(&Cell::Absent)
    }

    fn name(&self, i: usize) -> &'static str {
        self.columns.get(i).map_or("?", |c| c.name)
    }

    fn fail(&self, i: usize, message: String) -> FieldError {
        FieldError { column: i, message }
    }

    fn type_error(&self, i: usize, expected: &str, got: &str) -> FieldError {
        let (noun, name) = (self.noun, self.name(i));
        self.fail(
            i,
            format!("{noun} \"{name}\" must be {expected}, not {got}"),
        )
    }

    /// The cell as trimmed scalar text (numbers as written), `None` when
    /// empty or absent. `what` names the expected type for error messages.
    fn scalar(&self, i: usize, what: &str) -> Result<Option<Cow<'a, str>>, FieldError> {
        match self.cell(i) {
            Cell::Absent | Cell::Null => Ok(None),
            Cell::Text(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Ok(None)
                } else if t.len() == s.len() {
                    Ok(Some(s.clone()))
                } else {
                    Ok(Some(Cow::Owned(t.to_string())))
                }
            }
            Cell::Number(n) => Ok(Some(Cow::Borrowed(*n))),
            Cell::Bool(b) if what == BOOLEAN => {
                Ok(Some(Cow::Borrowed(if *b { "true" } else { "false" })))
            }
            Cell::Bool(_) => Err(self.type_error(i, what, BOOLEAN)),
            Cell::List(_) => Err(self.type_error(i, what, "a list")),
            Cell::Unsupported(got) => Err(self.type_error(i, what, got)),
        }
    }

    /// Free text, kept verbatim (an empty value is unknown). JSON numbers are
    /// accepted as their text, since ids are often written as numbers.
    pub fn text(&self, i: usize) -> Result<Option<String>, FieldError> {
        match self.cell(i) {
            Cell::Absent | Cell::Null => Ok(None),
            Cell::Text(s) if s.is_empty() => Ok(None),
            Cell::Text(s) => Ok(Some(s.to_string())),
            Cell::Number(n) => Ok(Some(n.to_string())),
            Cell::Bool(_) => Err(self.type_error(i, "a string", "a boolean")),
            Cell::List(_) => Err(self.type_error(i, "a string", "a list")),
            Cell::Unsupported(got) => Err(self.type_error(i, "a string", got)),
        }
    }

    pub fn required_text(&self, i: usize) -> Result<String, FieldError> {
        self.text(i)?.ok_or_else(|| self.empty_required(i))
    }

    fn empty_required(&self, i: usize) -> FieldError {
        let (noun, name) = (self.noun, self.name(i));
        self.fail(i, format!("required {noun} \"{name}\" is empty"))
    }

    /// A handle, normalised (trimmed, no `@`, lowercased).
    pub fn handle(&self, i: usize) -> Result<Option<String>, FieldError> {
        let handle = match self.cell(i) {
            Cell::Text(s) => normalized_handle(s),
            Cell::Number(n) => normalized_handle(n),
            _ => return Ok(self.text(i)?.map(|h| normalize_handle(&h))),
        };
        Ok(Some(handle).filter(|h| !h.is_empty()))
    }

    pub fn required_handle(&self, i: usize) -> Result<String, FieldError> {
        self.handle(i)?.ok_or_else(|| self.empty_required(i))
    }

    /// A non-negative whole number written as plain digits.
    pub fn count(&self, i: usize) -> Result<Option<u64>, FieldError> {
        let Some(s) = self.scalar(i, "a whole number")? else {
            return Ok(None);
        };
        parse_count(&s).map(Some).map_err(|why| {
            let (noun, name) = (self.noun, self.name(i));
            self.fail(i, format!("{s:?} in {noun} \"{name}\" {why}"))
        })
    }

    /// A non-negative finite decimal number (money, feature values).
    pub fn decimal(&self, i: usize) -> Result<Option<f64>, FieldError> {
        let Some(s) = self.scalar(i, "a number")? else {
            return Ok(None);
        };
        let (noun, name) = (self.noun, self.name(i));
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            Ok(v) if v < 0.0 => Err(self.fail(
                i,
                format!("{s:?} in {noun} \"{name}\" is negative; it cannot be below zero"),
            )),
            _ => Err(self.fail(
                i,
                format!(
                    "{s:?} in {noun} \"{name}\" is not a number (write a plain decimal such as 1200.50, without separators or currency)"
                ),
            )),
        }
    }

    /// true/false, 1/0, yes/no, any case.
    pub fn boolean(&self, i: usize) -> Result<Option<bool>, FieldError> {
        let Some(s) = self.scalar(i, BOOLEAN)? else {
            return Ok(None);
        };
        parse_bool(&s).map(Some).ok_or_else(|| {
            let (noun, name) = (self.noun, self.name(i));
            self.fail(
                i,
                format!("{s:?} in {noun} \"{name}\" is not a boolean (expected true/false, 1/0 or yes/no)"),
            )
        })
    }

    /// RFC 3339 or Unix seconds; returns Unix seconds.
    pub fn time(&self, i: usize) -> Result<Option<i64>, FieldError> {
        let Some(s) = self.scalar(i, "a time")? else {
            return Ok(None);
        };
        parse_time(&s).map(Some).map_err(|why| {
            let (noun, name) = (self.noun, self.name(i));
            self.fail(i, format!("{noun} \"{name}\": {why}"))
        })
    }

    /// `YYYY-MM-DD`, RFC 3339 or Unix seconds; returns days since 1970-01-01.
    pub fn required_date(&self, i: usize) -> Result<i32, FieldError> {
        let Some(s) = self.scalar(i, "a date")? else {
            return Err(self.empty_required(i));
        };
        parse_date(&s).map_err(|why| {
            let (noun, name) = (self.noun, self.name(i));
            self.fail(i, format!("{noun} \"{name}\": {why}"))
        })
    }

    pub(crate) fn word<K: Vocabulary>(&self, i: usize) -> Result<Option<K>, FieldError> {
        let Some(s) = self.scalar(i, "a string")? else {
            return Ok(None);
        };
        if let Some(k) = K::all().iter().find(|k| k.name() == s) {
            return Ok(Some(*k));
        }
        s.parse::<K>().map(Some).map_err(|e| {
            let (noun, name) = (self.noun, self.name(i));
            self.fail(i, format!("{noun} \"{name}\": {e}"))
        })
    }

    pub(crate) fn required_word<K: Vocabulary>(&self, i: usize) -> Result<K, FieldError> {
        self.word(i)?.ok_or_else(|| self.empty_required(i))
    }

    /// The row's platform, or the caller's when the row leaves it empty.
    pub fn platform(&self, i: usize) -> Result<Platform, FieldError> {
        match self.optional_platform(i)? {
            Some(p) => Ok(p),
            None => {
                let (noun, name) = (self.noun, self.name(i));
                Err(self.fail(
                    i,
                    format!(
                        "required {noun} \"{name}\" is empty (fill it in, or pass --platform to set it for every row)"
                    ),
                ))
            }
        }
    }

    pub fn optional_platform(&self, i: usize) -> Result<Option<Platform>, FieldError> {
        Ok(self.word::<Platform>(i)?.or(self.default_platform))
    }

    /// Space-separated hashtags or topics (or a JSON list), normalised without
    /// `#`; empty when unknown.
    pub fn tags(&self, i: usize) -> Result<Vec<String>, FieldError> {
        self.list(i, split_tags)
    }

    /// Space-separated handles (or a JSON list), normalised without `@`.
    pub fn mentions(&self, i: usize) -> Result<Vec<String>, FieldError> {
        self.list(i, split_handles)
    }

    fn list(&self, i: usize, split: fn(&str) -> Vec<String>) -> Result<Vec<String>, FieldError> {
        match self.cell(i) {
            Cell::Absent | Cell::Null => Ok(Vec::new()),
            Cell::Text(s) => Ok(split(s)),
            Cell::List(items) => {
                let mut out: Vec<String> = Vec::new();
                for item in items {
                    for tag in split(item) {
                        if !out.contains(&tag) {
                            out.push(tag);
                        }
                    }
                }
                Ok(out)
            }
            Cell::Number(_) => Err(self.type_error(i, "a string or a list of strings", "a number")),
            Cell::Bool(_) => Err(self.type_error(i, "a string or a list of strings", "a boolean")),
            Cell::Unsupported(got) => Err(self.type_error(i, "a string or a list of strings", got)),
        }
    }
}

/// [`normalize_handle`], with one allocation and no per-character work for
/// handles that are already lowercase ASCII (most of them, in every dataset).
pub(crate) fn normalized_handle(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_prefix('@').unwrap_or(t);
    if t.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        t.to_owned()
    } else {
        normalize_handle(s)
    }
}

/// Handles separated by whitespace or commas, normalised, each once.
pub(crate) fn split_handles(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(|c: char| c.is_whitespace() || c == ',') {
        let handle = normalize_handle(part);
        if !handle.is_empty() && !out.contains(&handle) {
            out.push(handle);
        }
    }
    out
}

/// Plain digits (an optional leading `+`) to `u64`; the error completes the
/// sentence "\"x\" in column \"y\" ...".
pub(crate) fn parse_count(s: &str) -> Result<u64, &'static str> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(rest) = s.strip_prefix('-')
            && !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            return Err("is negative; counts cannot be below zero");
        }
        return Err(
            "is not a whole number (write counts as plain digits such as 1200, without separators, decimals or suffixes)",
        );
    }
    digits
        .parse::<u64>()
        .map_err(|_| "is too large for a count (the maximum is 18446744073709551615)")
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "1", "yes"];
    const FALSE: [&str; 3] = ["false", "0", "no"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("1200"), Ok(1200));
        assert_eq!(parse_count("+7"), Ok(7));
        assert!(parse_count("-5").unwrap_err().contains("negative"));
        assert!(parse_count("1,200").unwrap_err().contains("whole number"));
        assert!(parse_count("1200.0").unwrap_err().contains("whole number"));
        assert!(parse_count("12k").is_err());
        assert!(
            parse_count("99999999999999999999")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn booleans() {
        for (s, v) in [
            ("TRUE", true),
            ("yes", true),
            ("1", true),
            ("No", false),
            ("0", false),
        ] {
            assert_eq!(parse_bool(s), Some(v), "{s}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    proptest::proptest! {
        #[test]
        fn fast_handle_normalisation_agrees(s in "[ @a-zA-Z0-9_.\\PC]{0,16}") {
            proptest::prop_assert_eq!(normalized_handle(&s), normalize_handle(&s));
        }
    }

    #[test]
    fn handles_split() {
        assert_eq!(split_handles("@Bob, alice @bob"), ["bob", "alice"]);
        for h in [" @Alice ", "bob", "@", "", "ÉLAN", "@@x", "a\u{3000}"] {
            assert_eq!(normalized_handle(h), normalize_handle(h), "{h:?}");
        }
    }
}
