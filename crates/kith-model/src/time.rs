//! Times and dates as the import contract writes them: RFC 3339 or Unix
//! seconds for times; `YYYY-MM-DD`, RFC 3339 or Unix seconds for dates.

use chrono::{DateTime, NaiveDate, Utc};

/// Parses RFC 3339 (`2024-05-01T12:00:00Z`, offsets allowed), a date-time
/// without offset taken as UTC (`2024-05-01 12:00:00`), a bare date taken as
/// midnight UTC, or integer Unix seconds. Returns Unix seconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return Ok(secs);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.timestamp());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(dt.and_utc().timestamp());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp());
    }
    Err(format!(
        "{s:?} is not a time (expected RFC 3339 such as 2024-05-01T12:00:00Z, or Unix seconds)"
    ))
}

/// Parses a date: `YYYY-MM-DD`, or any time [`parse_time`] accepts (its UTC
/// day). Returns days since 1970-01-01.
pub fn parse_date(s: &str) -> Result<i32, String> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(days_from_date(d));
    }
    parse_time(t)
        .map(|secs| secs.div_euclid(86_400) as i32)
        .map_err(|_| format!("{s:?} is not a date (expected YYYY-MM-DD, RFC 3339 or Unix seconds)"))
}

fn days_from_date(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// Formats Unix seconds as RFC 3339 UTC (`2024-05-01T12:00:00Z`).
pub fn format_time(secs: i64) -> String {
    // to_rfc3339_opts, not format("%Y..."): reports print millions of
    // these, and a strftime string is parsed again on every call.
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| secs.to_string())
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    DateTime::<Utc>::from_timestamp(days as i64 * 86_400, 0)
        .map(|d| d.date_naive().to_string())
        .unwrap_or_else(|| days.to_string())
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:01:00Z").unwrap(), 60);
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00").unwrap(), 0);
        assert_eq!(parse_time("86400").unwrap(), 86_400);
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400);
        assert_eq!(parse_time("1970-01-01 00:00:05").unwrap(), 5);
        assert!(parse_time("yesterday").is_err());
        assert_eq!(format_time(60), "1970-01-01T00:01:00Z");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-03").unwrap(), 2);
        assert_eq!(parse_date("1969-12-31").unwrap(), -1);
        assert_eq!(parse_date("1970-01-02T23:00:00Z").unwrap(), 1);
        assert_eq!(format_date(2), "1970-01-03");
        assert!(parse_date("2024-13-01").is_err());
    }
}
