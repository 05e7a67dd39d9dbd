//! Small shared rules: ids, clocks, hashing, e-mail normalisation, money and
//! time formats.

use crate::Error;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

const ID_ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new id: `prefix_` and 20 characters of Crockford base32, so ids say
/// what they name: the first 10 are the time in milliseconds (50 bits), the
/// last 10 random (50 bits: no collision in practice even among ids made
/// in one millisecond).
///
/// Time first because ids are primary keys: new rows land at the right edge
/// of each index instead of on a random page, so a batch of inserts dirties
/// (and writes to the WAL) a few pages rather than one page per row.
pub fn new_id(prefix: &str) -> String {
    let mut rng = rand::thread_rng();
    let mut id = String::with_capacity(prefix.len() + 21);
    id.push_str(prefix);
    id.push('_');
    let ms = now_ms().max(0) as u64;
    for i in (0..10).rev() {
        id.push(ID_ALPHABET[((ms >> (5 * i)) & 31) as usize] as char);
    }
    let random: u64 = rng.r#gen();
    for i in 0..10 {
        id.push(ID_ALPHABET[((random >> (5 * i)) & 31) as usize] as char);
    }
    id
}

/// `n` random bytes as lowercase hex: secrets and keys.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill(&mut bytes[..]);
    hex::encode(bytes)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// HMAC-SHA256 of `message` under `key`, hex.
pub fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    // An HMAC key may have any length: new_from_slice cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The form of an e-mail address two people cannot share: lowercased, the
/// `+tag` dropped, and for Gmail the dots too (Gmail ignores both).
pub fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || !domain.contains('.') {
        return None;
    }
    let local = local.split('+').next().unwrap_or(local);
    let (local, domain) = if domain == "gmail.com" || domain == "googlemail.com" {
        (local.replace('.', ""), "gmail.com")
    } else {
        (local.to_string(), domain)
    };
    Some(format!("{local}@{domain}"))
}

/// Minor-unit exponent of an ISO 4217 currency (2 for USD: cents), or `None`
/// for a code kith does not know.
pub fn currency_exponent(code: &str) -> Option<u32> {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    const TWO: &[&str] = &[
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
        "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
        "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
        "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
        "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
        "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
        "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
        "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
        "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY",
        "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR", "ZMW",
        "ZWL",
    ];
    if TWO.contains(&code) {
        Some(2)
    } else if ZERO.contains(&code) {
        Some(0)
    } else if THREE.contains(&code) {
        Some(3)
    } else {
        None
    }
}

/// Checks a currency code and returns it uppercased.
pub fn check_currency(code: &str) -> Result<String, Error> {
    let upper = code.trim().to_ascii_uppercase();
    currency_exponent(&upper).map(|_| upper).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown currency {code:?} (ISO 4217 codes such as USD, EUR)"
        ))
    })
}

/// Largest amount accepted, in major units: far above any real order, far
/// below where f64 loses cents.
const MAX_AMOUNT: f64 = 1e12;

/// Converts an amount in major units (49.99) to minor units (4999) of
/// `currency`. Negative, non-finite, too large or too precise amounts are
/// errors.
pub fn to_minor(amount: f64, currency: &str) -> Result<i64, Error> {
    let exponent = currency_exponent(currency)
        .ok_or_else(|| Error::Invalid(format!("unknown currency {currency:?}")))?;
    if !amount.is_finite() || amount < 0.0 {
        return Err(Error::Invalid(format!(
            "amount must be a number >= 0, got {amount}"
        )));
    }
    if amount > MAX_AMOUNT {
        return Err(Error::Invalid(format!("amount {amount} is too large")));
    }
    let scaled = amount * 10f64.powi(exponent as i32);
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 * scaled.abs().max(1.0) {
        return Err(Error::Invalid(format!(
            "amount {amount} has more decimals than {currency} allows ({exponent})"
        )));
    }
    Ok(rounded as i64)
}

/// Converts minor units back to major units for display.
pub fn to_major(minor: i64, currency: &str) -> f64 {
    let exponent = currency_exponent(currency).unwrap_or(2);
    minor as f64 / 10f64.powi(exponent as i32)
}

/// Formats stored milliseconds as RFC 3339 (UTC).
pub fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Parses an RFC 3339 time to milliseconds.
pub fn parse_time(text: &str) -> Result<i64, Error> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|e| Error::Invalid(format!("bad time {text:?}: {e} (use RFC 3339)")))
}

/// Serde helpers: stored milliseconds shown as RFC 3339 strings.
pub mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(*ms))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_time(&text).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match ms {
                Some(ms) => s.serialize_str(&super::super::format_time(*ms)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(text) => super::super::parse_time(&text)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// Checks a required, bounded, non-blank text field.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::Invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(Error::Invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Error::Invalid(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(value.to_string())
}

/// Like [`check_text`] for optional fields; blank becomes `None`.
pub fn check_opt_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => check_text(field, v, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_normalise() {
        assert_eq!(
            normalize_email(" Jo.Doe+promo@GMail.com ").as_deref(),
            Some("jodoe@gmail.com")
        );
        assert_eq!(
            normalize_email("a.b+x@example.org").as_deref(),
            Some("a.b@example.org")
        );
        assert_eq!(normalize_email("nope"), None);
    }

    #[test]
    fn money() {
        assert_eq!(to_minor(49.99, "USD").unwrap(), 4999);
        assert_eq!(to_minor(500.0, "JPY").unwrap(), 500);
        assert_eq!(to_minor(1.234, "KWD").unwrap(), 1234);
        assert!(to_minor(-1.0, "USD").is_err());
        assert!(to_minor(1.001, "USD").is_err());
        assert!(to_minor(f64::NAN, "USD").is_err());
        assert!(to_minor(1.0, "XXX").is_err());
        assert!(check_currency("eur").is_ok());
        assert!(check_currency("ZZZ").is_err());
    }

    #[test]
    fn ids_and_times() {
        let id = new_id("prg");
        assert!(id.starts_with("prg_") && id.len() == 24);
        // Later ids sort after earlier ones (they append to indexes), and
        // ids of one millisecond still differ.
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = new_id("prg");
        assert!(id < later && later != new_id("prg"));
        let t = parse_time("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(format_time(t), "2026-01-02T03:04:05.000Z");
        assert!(parse_time("yesterday").is_err());
    }
}
