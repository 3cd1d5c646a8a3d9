//! Publication dates as given by sources → a sortable timestamp.

/// A point in time, as seconds on a proleptic calendar (only compared, never shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(s: &str) -> Option<u32> {
    let l = s.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| l.starts_with(m))
        .map(|p| p as u32 + 1)
}

fn make(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = y * 372 + i64::from(mo) * 31 + i64::from(d);
    Some(Timestamp(
        days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s),
    ))
}

fn time_of(rest: &str) -> (u32, u32, u32) {
    let digits: Vec<u32> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(3)
        .filter_map(|p| p.parse().ok())
        .collect();
    (
        digits.first().copied().unwrap_or(0),
        digits.get(1).copied().unwrap_or(0),
        digits.get(2).copied().unwrap_or(0),
    )
}

/// Parses the date formats news sources use: ISO 8601 (`2015-10-02`,
/// `2015-10-02T10:00:00Z`), `26-FEB-1987 15:01:01.79` (Reuters), `Oct 2, 2015` /
/// `October 2nd, 2015`, `2 Oct 2015` and RFC 2822 (`Fri, 02 Oct 2015 10:00:00 GMT`).
/// Time zones are ignored. Anything else is `None`.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let b = s.as_bytes();
    // ISO 8601
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let y = s[..4].parse().ok()?;
        let (h, mi, se) = if b.len() > 11 {
            time_of(&s[11..])
        } else {
            (0, 0, 0)
        };
        return make(y, s[5..7].parse().ok()?, s[8..10].parse().ok()?, h, mi, se);
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    let num = |w: &str| -> Option<u32> {
        let d: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = &w[d.len()..];
        if d.is_empty()
            || !(rest.is_empty()
                || ["st", "nd", "rd", "th"].contains(&rest.to_ascii_lowercase().as_str()))
        {
            return None;
        }
        d.parse().ok()
    };
    // find day, month name, year in order: D Mon Y or Mon D Y
    for i in 0..words.len() {
        let Some(mo) = month(words[i])
            .filter(|_| words[i].len() >= 3 && words[i].chars().all(|c| c.is_alphabetic()))
        else {
            continue;
        };
        let (day, year_at) = if i > 0 && num(words[i - 1]).is_some_and(|d| d <= 31) {
            (num(words[i - 1])?, i + 1)
        } else if i + 1 < words.len() && num(words[i + 1]).is_some_and(|d| d <= 31) {
            (num(words[i + 1])?, i + 2)
        } else {
            continue;
        };
        let year: i64 = words
            .get(year_at)
            .and_then(|w| w.parse().ok())
            .filter(|y| (1000..=9999).contains(y))?;
        let (h, mi, se) = words.get(year_at + 1).map_or((0, 0, 0), |t| {
            if t.contains(':') {
                time_of(t)
            } else {
                (0, 0, 0)
            }
        });
        return make(year, mo, day, h, mi, se);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let base = parse_date("2015-10-02").unwrap();
        for s in [
            "Oct 2, 2015",
            "October 2nd, 2015",
            "2 Oct 2015",
            "Fri, 02 Oct 2015",
            "02-OCT-2015",
        ] {
            assert_eq!(parse_date(s), Some(base), "{s}");
        }
        let t = parse_date("2015-10-02T10:30:00Z").unwrap();
        assert!(t > base);
        assert_eq!(parse_date("Fri, 02 Oct 2015 10:30:00 GMT"), Some(t));
        assert!(
            parse_date("26-FEB-1987 15:01:01.79").unwrap()
                < parse_date("26-FEB-1987 15:02:20.00").unwrap()
        );
        for bad in [
            "",
            "yesterday",
            "2015-13-02",
            "Published in Dawn",
            "32 Oct 2015",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
