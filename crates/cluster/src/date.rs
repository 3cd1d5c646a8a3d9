//! Publication dates as sources give them → an instant in UTC.
//!
//! News feeds write dates in many shapes: ISO 8601 with or without an offset,
//! RFC 2822, "Oct 2, 2015 10:30 PM EST", Reuters' `26-FEB-1987 15:01:01.79`
//! (sometimes followed by feed codes). [`parse_date`] reads them all into a
//! [`Timestamp`] — seconds since 1970-01-01T00:00:00Z — so that two dates with
//! different offsets compare as instants. Anything it cannot read gets a
//! [`DateError`] saying why, for the caller to count and report.

use std::fmt;

/// An instant, in seconds since 1970-01-01T00:00:00 UTC (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The instant `s` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_seconds(s: i64) -> Timestamp {
        Timestamp(s)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC: `2015-10-02T10:30:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Why a date string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    #[error("empty date")]
    Empty,
    #[error("no day, month and year found")]
    NoDate,
    #[error("day, month or year out of range")]
    OutOfRange,
    #[error("time of day out of range")]
    BadTime,
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Zone abbreviations with a fixed offset (minutes east of UTC): RFC 2822's
/// North American zones and a few European ones. Ambiguous ones ("IST", "ET")
/// are not guessed.
const ZONES: [(&str, i32); 16] = [
    ("UT", 0),
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
];

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn month(s: &str) -> Option<u32> {
    let l = s.to_ascii_lowercase();
    if l.len() < 3 || !l.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| l.starts_with(m))
        .map(|p| p as u32 + 1)
}

/// A calendar date, before the time of day is known.
struct Day {
    y: i64,
    m: u32,
    d: u32,
}

impl Day {
    fn checked(y: i64, m: u32, d: u32) -> Result<Day, DateError> {
        if !(1000..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 {
            return Err(DateError::OutOfRange);
        }
        if d > days_in_month(y, m) {
            return Err(DateError::OutOfRange);
        }
        Ok(Day { y, m, d })
    }
}

/// Leading ASCII digits of `s` as a number, and how many bytes they took.
fn digits(s: &str) -> Option<(u32, usize)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > 9 {
        return None;
    }
    s[..n].parse().ok().map(|v| (v, n))
}

/// Reads `HH:MM[:SS[.frac]]`, an optional `AM`/`PM`, and an optional zone
/// (`Z`, `±HH[:MM]`, `±HHMM`, or an abbreviation from [`ZONES`], itself
/// optionally followed by an offset as in `GMT+2`). What follows is ignored when
/// it does not start with a letter (feeds append codes such as
/// `&#5;&#5;&#5;RM` or `# comment`). Returns seconds into the day and the
/// offset in minutes east of UTC.
fn time_and_zone(rest: &str) -> Result<(i64, i32), DateError> {
    let mut s = rest.trim_start_matches([' ', 'T', 't', ',']);
    if s.len() > 3 && s[..3].eq_ignore_ascii_case("at ") {
        s = s[3..].trim_start();
    }
    if s.is_empty() {
        return Ok((0, 0));
    }
    let Some((h, n)) = digits(s) else {
        // no time of day: a zone alone may follow ("2 Oct 2015 GMT")
        return zone(s).map(|z| (0, z));
    };
    if !s[n..].starts_with(':') {
        return Err(DateError::BadTime);
    }
    s = &s[n + 1..];
    let (mi, n) = digits(s).ok_or(DateError::BadTime)?;
    s = &s[n..];
    let mut se = 0;
    if let Some(t) = s.strip_prefix(':') {
        let (v, n) = digits(t).ok_or(DateError::BadTime)?;
        se = v;
        s = &t[n..];
        if let Some(t) = s.strip_prefix('.') {
            s = &t[t.bytes().take_while(u8::is_ascii_digit).count()..];
        }
    }
    let mut h = h;
    let t = s.trim_start();
    let lower = t.to_ascii_lowercase();
    for (word, add) in [("am", 0), ("a.m.", 0), ("pm", 12), ("p.m.", 12)] {
        let after = lower.strip_prefix(word);
        if after.is_some_and(|a| !a.starts_with(|c: char| c.is_ascii_alphabetic())) {
            if !(1..=12).contains(&h) {
                return Err(DateError::BadTime);
            }
            h = h % 12 + add;
            s = &t[word.len()..];
            break;
        }
    }
    if h > 23 || mi > 59 || se > 60 {
        return Err(DateError::BadTime);
    }
    let secs = i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(se.min(59));
    Ok((secs, zone(s)?))
}

/// A zone at the start of `s` (after spaces), or 0 when none is written.
/// Words that are not zones ("at", a weekday) are passed over; a short
/// all-capitals word that is not a known zone is an error rather than a guess.
fn zone(s: &str) -> Result<i32, DateError> {
    let s = s.trim_start();
    if let Some(z) = offset(s) {
        return Ok(z);
    }
    let word: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    if word.is_empty() {
        return Ok(0);
    }
    let upper = word.to_ascii_uppercase();
    match ZONES.iter().find(|(name, _)| *name == upper) {
        Some(&(_, base)) => Ok(base + offset(&s[word.len()..]).unwrap_or(0)),
        None if word.len() <= 5 && word == upper => Err(DateError::UnknownZone(word)),
        None => Ok(0),
    }
}

/// `±HH`, `±HHMM` or `±HH:MM` at the start of `s`.
fn offset(s: &str) -> Option<i32> {
    let (sign, s) = if let Some(t) = s.strip_prefix('+') {
        (1, t)
    } else if let Some(t) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        (-1, t)
    } else {
        return None;
    };
    let (v, n) = digits(s)?;
    let (h, m) = match n {
        1 | 2 => {
            let m = s[n..]
                .strip_prefix(':')
                .and_then(digits)
                .filter(|&(_, k)| k == 2)
                .map_or(0, |(m, _)| m);
            (v, m)
        }
        4 => (v / 100, v % 100),
        _ => return None,
    };
    (h <= 14 && m < 60).then(|| sign * (h as i32 * 60 + m as i32))
}

fn instant(day: Day, secs: i64, zone_minutes: i32) -> Timestamp {
    Timestamp(days_from_civil(day.y, day.m, day.d) * 86_400 + secs - i64::from(zone_minutes) * 60)
}

/// Reads the date formats news sources use, honouring time zones:
/// ISO 8601 (`2015-10-02`, `2015-10-02T10:00:00Z`, `2015-10-02 01:00+05:00`),
/// RFC 2822 (`Fri, 02 Oct 2015 10:00:00 GMT`, `… -0500`), `Oct 2, 2015` /
/// `October 2nd, 2015 10:30 PM EST`, `2 Oct 2015`, and Reuters'
/// `26-FEB-1987 15:01:01.79`. A date without a zone is taken as UTC. Text after
/// the time that does not start with a letter is ignored; an unknown zone
/// abbreviation is an error, as is an impossible day or time.
pub fn parse_timestamp(s: &str) -> Result<Timestamp, DateError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let b = s.as_bytes();
    // ISO 8601: YYYY-MM-DD, then an optional time and zone
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit) {
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            s.get(r)
                .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|p| p.parse().ok())
                .ok_or(DateError::NoDate)
        };
        let day = Day::checked(i64::from(num(0..4)?), num(5..7)?, num(8..10)?)?;
        let (secs, zone) = time_and_zone(&s[10..])?;
        return Ok(instant(day, secs, zone));
    }
    // a month name with a day number before or after it and a year after both
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let sep = c.is_whitespace() || c == ',' || c == '-' || c == '/' || c == '.';
        match (sep, start) {
            (true, Some(st)) => {
                words.push((st, &s[st..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
        if words.len() >= 8 {
            break;
        }
    }
    if let Some(st) = start {
        if words.len() < 8 {
            words.push((st, &s[st..]));
        }
    }
    let day_num = |w: &str| -> Option<u32> {
        let (d, n) = digits(w)?;
        let rest = w[n..].to_ascii_lowercase();
        (rest.is_empty() || ["st", "nd", "rd", "th"].contains(&rest.as_str()))
            .then_some(d)
            .filter(|d| (1..=31).contains(d))
    };
    for i in 0..words.len() {
        let Some(mo) = month(words[i].1) else {
            continue;
        };
        let (d, year_at) = if let Some(d) = i.checked_sub(1).and_then(|j| day_num(words[j].1)) {
            (d, i + 1)
        } else if let Some(d) = words.get(i + 1).and_then(|w| day_num(w.1)) {
            (d, i + 2)
        } else {
            continue;
        };
        let Some(&(at, year)) = words.get(year_at) else {
            return Err(DateError::NoDate);
        };
        let y: i64 = year
            .parse()
            .ok()
            .filter(|_| year.len() == 4)
            .ok_or(DateError::NoDate)?;
        let day = Day::checked(y, mo, d)?;
        let (secs, zone) = time_and_zone(&s[at + year.len()..])?;
        return Ok(instant(day, secs, zone));
    }
    Err(DateError::NoDate)
}

/// [`parse_timestamp`], forgetting why a date could not be read.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    parse_timestamp(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> String {
        parse_timestamp(s).map_or_else(|e| format!("error: {e}"), |t| t.to_string())
    }

    #[test]
    fn formats() {
        for s in [
            "2015-10-02",
            "Oct 2, 2015",
            "October 2nd, 2015",
            "2 Oct 2015",
            "Fri, 02 Oct 2015",
            "02-OCT-2015",
            "2 Oct 2015 GMT",
        ] {
            assert_eq!(at(s), "2015-10-02T00:00:00Z", "{s}");
        }
        assert_eq!(at("2015-10-02T10:30:00Z"), "2015-10-02T10:30:00Z");
        assert_eq!(at("Fri, 02 Oct 2015 10:30:00 GMT"), "2015-10-02T10:30:00Z");
        assert_eq!(at("26-FEB-1987 15:01:01.79"), "1987-02-26T15:01:01Z");
        assert!(parse_date("26-FEB-1987 15:01:01.79") < parse_date("26-FEB-1987 15:02:20.00"));
    }

    #[test]
    fn time_zones_are_honoured() {
        // the pair: 01:00 at +05:00 is 20:00 UTC, an hour *before*
        // 21:00Z of the day before
        let east = parse_date("2015-10-02T01:00:00+05:00").unwrap();
        let west = parse_date("2015-10-01T21:00:00Z").unwrap();
        assert!(east < west);
        assert_eq!(east.to_string(), "2015-10-01T20:00:00Z");
        assert_eq!(at("2015-10-02 01:00+0500"), "2015-10-01T20:00:00Z");
        assert_eq!(at("2015-10-02T01:00:00-03:30"), "2015-10-02T04:30:00Z");
        assert_eq!(
            at("Fri, 02 Oct 2015 10:30:00 -0500"),
            "2015-10-02T15:30:00Z"
        );
        assert_eq!(at("Fri, 02 Oct 2015 10:30:00 EDT"), "2015-10-02T14:30:00Z");
        assert_eq!(at("Oct 2, 2015 10:30 PM EST"), "2015-10-03T03:30:00Z");
        assert_eq!(at("Oct 2, 2015 12:05 a.m."), "2015-10-02T00:05:00Z");
        assert_eq!(at("2 Oct 2015 09:00 GMT+2"), "2015-10-02T07:00:00Z");
        // across a year boundary and a leap day
        assert_eq!(at("2016-01-01T01:00:00+02:00"), "2015-12-31T23:00:00Z");
        assert_eq!(at("29 Feb 2016"), "2016-02-29T00:00:00Z");
    }

    #[test]
    fn feed_codes_after_the_time_are_ignored() {
        assert_eq!(
            at("27-MAR-1987 07:29:24.33&#5;&#5;&#5;RM"),
            "1987-03-27T07:29:24Z"
        );
        assert_eq!(
            at("9-APR-1987 00:00:00.00    # date added by guesswork"),
            "1987-04-09T00:00:00Z"
        );
        assert_eq!(at("3-MAR-1987  09:15:05.40"), "1987-03-03T09:15:05Z");
    }

    #[test]
    fn unreadable_dates_say_why() {
        assert_eq!(parse_timestamp("   "), Err(DateError::Empty));
        assert_eq!(parse_timestamp("yesterday"), Err(DateError::NoDate));
        assert_eq!(parse_timestamp("Published in Dawn"), Err(DateError::NoDate));
        assert_eq!(parse_timestamp("2015-13-02"), Err(DateError::OutOfRange));
        assert_eq!(parse_timestamp("32 Oct 2015"), Err(DateError::NoDate));
        assert_eq!(parse_timestamp("31 Apr 2015"), Err(DateError::OutOfRange));
        assert_eq!(parse_timestamp("29 Feb 2015"), Err(DateError::OutOfRange));
        assert_eq!(
            parse_timestamp("31-MAR-1987 605:12:19.12"),
            Err(DateError::BadTime)
        );
        assert_eq!(
            parse_timestamp("2015-10-02 10:00 XYZ"),
            Err(DateError::UnknownZone("XYZ".into()))
        );
        assert_eq!(parse_timestamp("2015-10-02 25:00"), Err(DateError::BadTime));
        // words after the date that are not zones are not errors
        assert_eq!(at("2 Oct 2015, Friday"), "2015-10-02T00:00:00Z");
        assert_eq!(at("Oct 2, 2015 at 10:30"), "2015-10-02T10:30:00Z");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_timestamp(&s);
        }

        #[test]
        fn display_round_trips(secs in -30_000_000_000i64..200_000_000_000) {
            let t = Timestamp::from_unix_seconds(secs);
            proptest::prop_assert_eq!(parse_timestamp(&t.to_string()), Ok(t));
        }
    }

    #[test]
    fn civil_days_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
