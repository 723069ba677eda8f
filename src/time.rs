//! Date formats used on the wire: RFC 1123 (`Date`, V1) and ISO 8601 basic (`x-oss-date`, V4).
//! Written here rather than pulled in: two formats and a parser are a few dozen lines.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
    wd: usize,
}

fn parts(t: i64) -> Parts {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    Parts {
        y,
        mo,
        d,
        h: secs / 3600,
        mi: secs / 60 % 60,
        s: secs % 60,
        wd: (days + 4).rem_euclid(7) as usize,
    }
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Thu, 17 Nov 2005 18:49:58 GMT`
pub fn rfc1123(t: i64) -> String {
    let p = parts(t);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[p.wd],
        p.d,
        MONTHS[(p.mo - 1) as usize],
        p.y,
        p.h,
        p.mi,
        p.s
    )
}

/// `20231216T162057Z`
pub fn iso8601_basic(t: i64) -> String {
    let p = parts(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// `2023-12-16T16:20:57.000Z` (ListObjects' LastModified)
pub fn iso8601_extended(t: i64) -> String {
    let p = parts(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s
    )
}

/// Parses `Thu, 17 Nov 2005 18:49:58 GMT`.
pub fn parse_rfc1123(s: &str) -> Option<i64> {
    let rest = s.trim().split_once(", ")?.1;
    let mut it = rest.split_ascii_whitespace();
    let d: u32 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let mo = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(mon))? as u32 + 1;
    let y: i64 = it.next()?.parse().ok()?;
    let hms = parse_hms(it.next()?, ':')?;
    if it.next()? != "GMT" || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + hms)
}

fn parse_hms(s: &str, sep: char) -> Option<i64> {
    let v: Vec<&str> = if sep == ':' {
        s.split(':').collect()
    } else {
        if s.len() != 6 {
            return None;
        }
        vec![&s[0..2], &s[2..4], &s[4..6]]
    };
    if v.len() != 3 {
        return None;
    }
    let h: i64 = v[0].parse().ok()?;
    let m: i64 = v[1].parse().ok()?;
    let sec: i64 = v[2].parse().ok()?;
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// Parses `20231216T162057Z`.
pub fn parse_iso8601_basic(s: &str) -> Option<i64> {
    if s.len() != 16 || !s.is_char_boundary(8) || &s[8..9] != "T" || !s.ends_with('Z') {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let mo: u32 = s[4..6].parse().ok()?;
    let d: u32 = s[6..8].parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + parse_hms(&s[9..15], ' ')?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc1123(1_132_253_398), "Thu, 17 Nov 2005 18:49:58 GMT");
        assert_eq!(iso8601_basic(1_702_743_657), "20231216T162057Z");
        assert_eq!(iso8601_extended(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc1123(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn parses_what_it_formats() {
        for t in [0, 951_782_400, 1_132_253_398, 1_702_743_657, 4_102_444_799] {
            assert_eq!(parse_rfc1123(&rfc1123(t)), Some(t));
            assert_eq!(parse_iso8601_basic(&iso8601_basic(t)), Some(t));
        }
        assert_eq!(parse_rfc1123("garbage"), None);
        assert_eq!(parse_iso8601_basic("2023121XT162057Z"), None);
    }
}
