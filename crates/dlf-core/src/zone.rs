//! Time zones as DLF writes them.
//!
//! A cron schedule carries `expressionTimeZone` (`GMT+8`, `GMT+08:00`, `UTC`, IANA names such as
//! `Asia/Shanghai`), and EL dates are rendered in the service zone. chrono-tz knows IANA names
//! but not Java's custom `GMT±H[:MM]` ids, so this module accepts both and hides the difference
//! behind one [`Zone`] type that cron and EL share. It does no I/O.

use chrono::{DateTime, Datelike, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// A time zone: a fixed offset (Java's custom `GMT+08:00` ids, `UTC`) or an IANA zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// A fixed offset from UTC. `id_is_utc` keeps `UTC`/`GMT`/`Z` apart from `GMT+00:00` for display.
    Fixed { offset: FixedOffset, id_is_utc: bool },
    /// An IANA zone from the tz database.
    Iana(Tz),
}

/// A zone id that is neither `GMT±H[:MM]`/`UTC` nor a known IANA name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone '{0}': use an IANA name such as Asia/Shanghai, or GMT+8 / GMT+08:00 / UTC")]
pub struct UnknownZone(pub String);

impl Zone {
    /// UTC.
    pub const UTC: Zone = Zone::Fixed { offset: FixedOffset::east_opt(0).unwrap(), id_is_utc: true };

    /// Parses a zone id the way DLF users write it: `GMT+8`, `GMT+08:00`, `GMT-0530`, `UTC`,
    /// `UTC+8`, `Z`, or any IANA name (`Asia/Shanghai`, `Etc/GMT-8`). Case matters for IANA names
    /// as in Java, except that `utc`/`gmt` prefixes are accepted in any case.
    pub fn parse(id: &str) -> Result<Zone, UnknownZone> {
        let s = id.trim();
        if s.is_empty() {
            return Err(UnknownZone(id.to_string()));
        }
        let upper = s.to_ascii_uppercase();
        if upper == "UTC" || upper == "GMT" || upper == "Z" || upper == "UT" {
            return Ok(Zone::UTC);
        }
        for prefix in ["GMT", "UTC"] {
            if let Some(rest) = upper.strip_prefix(prefix)
                && (rest.starts_with('+') || rest.starts_with('-'))
            {
                return parse_offset(rest)
                    .map(|offset| Zone::Fixed { offset, id_is_utc: false })
                    .ok_or_else(|| UnknownZone(id.to_string()));
            }
        }
        if s.starts_with('+') || s.starts_with('-') {
            return parse_offset(s)
                .map(|offset| Zone::Fixed { offset, id_is_utc: false })
                .ok_or_else(|| UnknownZone(id.to_string()));
        }
        Tz::from_str(s).map(Zone::Iana).map_err(|_| UnknownZone(id.to_string()))
    }

    /// The UTC offset in force at `instant`.
    pub fn offset_at(&self, instant: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Fixed { offset, .. } => *offset,
            Zone::Iana(tz) if instant.timestamp() < FIRST_INSTANT_PAST_TABLE => {
                tz.offset_from_utc_datetime(&instant.naive_utc()).fix()
            }
            Zone::Iana(tz) => {
                let shift = past_table_shift(instant.naive_utc().year());
                tz.offset_from_utc_datetime(&(instant.naive_utc() + shift)).fix()
            }
        }
    }

    /// The UTC offset in force at the instant `epoch_ms`.
    pub fn offset_at_ms(&self, epoch_ms: i64) -> FixedOffset {
        match DateTime::<Utc>::from_timestamp_millis(epoch_ms) {
            Some(t) => self.offset_at(t),
            None => FixedOffset::east_opt(0).unwrap(),
        }
    }

    /// `instant` as local wall-clock time with the offset in force.
    pub fn to_local(&self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        instant.with_timezone(&self.offset_at(instant))
    }

    /// The instants that carry the local wall-clock time `local` in this zone: none in a
    /// spring-forward gap, two in a fall-back overlap (earlier first).
    pub fn from_local(&self, local: &NaiveDateTime) -> LocalResult<DateTime<FixedOffset>> {
        match self {
            Zone::Fixed { offset, .. } => offset.from_local_datetime(local),
            Zone::Iana(tz) => {
                let shift = past_table_shift(local.year());
                let back = |t: DateTime<Tz>| t.fixed_offset() - shift;
                match tz.from_local_datetime(&(*local + shift)) {
                    LocalResult::None => LocalResult::None,
                    LocalResult::Single(t) => LocalResult::Single(back(t)),
                    LocalResult::Ambiguous(a, b) => LocalResult::Ambiguous(back(a), back(b)),
                }
            }
        }
    }

    /// The IANA zone, if this is one.
    pub fn iana(&self) -> Option<Tz> {
        match self {
            Zone::Iana(tz) => Some(*tz),
            Zone::Fixed { .. } => None,
        }
    }

    /// The zone's id as Java prints `TimeZone.getID()`: `UTC`, `GMT+08:00`, or the IANA name.
    pub fn id(&self) -> String {
        match self {
            Zone::Fixed { id_is_utc: true, .. } => "UTC".to_string(),
            Zone::Fixed { offset, .. } => format!("GMT{}", format_offset_colon(*offset)),
            Zone::Iana(tz) => tz.name().to_string(),
        }
    }
}

/// The last year chrono-tz's generated tables cover; after it every zone keeps its last offset.
const LAST_TABLE_YEAR: i32 = 2099;

/// 2100-01-01T00:00:00Z in epoch seconds: earlier instants need no [`past_table_shift`].
const FIRST_INSTANT_PAST_TABLE: i64 = 4_102_444_800;

/// How far to move a date of `year` so chrono-tz can answer for it like Java does.
///
/// chrono-tz stops at [`LAST_TABLE_YEAR`]: from 2100 on, Berlin would stay on winter time for
/// ever. Java (and so Quartz, which fires until 2126, and `SimpleDateFormat`) keeps applying
/// each zone's last rule ("last Sunday of March"), and such rules give the same month-day dates
/// in any two years that are both leap or both not and start on the same weekday. So a date
/// from 2100 on is looked up in its twin year among 2072..=2099 (28 years in which every kind of
/// year occurs and no century rule intervenes), moved by a whole number of weeks.
fn past_table_shift(year: i32) -> chrono::TimeDelta {
    if year <= LAST_TABLE_YEAR {
        return chrono::TimeDelta::zero();
    }
    let jan1 = |y: i32| chrono::NaiveDate::from_ymd_opt(y, 1, 1);
    let is_leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let (Some(start), true) = (jan1(year), year < 200_000) else { return chrono::TimeDelta::zero() };
    (LAST_TABLE_YEAR - 27..=LAST_TABLE_YEAR)
        .filter(|&twin| is_leap(twin) == is_leap(year))
        .filter_map(|twin| jan1(twin).map(|twin_start| twin_start - start))
        .find(|shift| shift.num_days() % 7 == 0)
        .unwrap_or_else(chrono::TimeDelta::zero)
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl FromStr for Zone {
    type Err = UnknownZone;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::parse(s)
    }
}

/// An instant as ISO-8601 local time with the offset in force, the way dlf prints fire times:
/// `2026-03-08T03:00:00-04:00`, `.SSS` only when the milliseconds are not zero, UTC as
/// `+00:00`. `None` for instants chrono cannot represent.
pub fn format_iso8601(epoch_ms: i64, zone: &Zone) -> Option<String> {
    let instant = DateTime::<Utc>::from_timestamp_millis(epoch_ms)?;
    let local = zone.to_local(instant);
    let millis = epoch_ms.rem_euclid(1000);
    let fraction = if millis == 0 { String::new() } else { format!(".{millis:03}") };
    Some(format!("{}{fraction}{}", local.format("%Y-%m-%dT%H:%M:%S"), format_offset_colon(*local.offset())))
}

/// `+08:00` / `-05:30` for an offset (always sign, hours and minutes).
pub fn format_offset_colon(offset: FixedOffset) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// Parses `+8`, `+08`, `+0800`, `+08:00`, `-5`, `+5:30` into an offset of at most ±18 h.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (hours, minutes) = if let Some((h, m)) = rest.split_once(':') {
        (h, m)
    } else if rest.len() == 4 {
        rest.split_at(2)
    } else {
        (rest, "0")
    };
    if hours.is_empty() || hours.len() > 2 || minutes.is_empty() || minutes.len() > 2 {
        return None;
    }
    if !hours.bytes().all(|b| b.is_ascii_digit()) || !minutes.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = hours.parse().ok()?;
    let m: i32 = minutes.parse().ok()?;
    if h > 18 || m > 59 || (h == 18 && m > 0) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dlf_forms() {
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        for id in ["GMT+8", "GMT+08:00", "GMT+0800", "gmt+8", "UTC+8", "+08:00"] {
            assert_eq!(Zone::parse(id).unwrap().offset_at_ms(0), east8, "{id}");
        }
        assert_eq!(Zone::parse("GMT+8").unwrap().id(), "GMT+08:00");
        assert_eq!(Zone::parse("GMT-05:30").unwrap().id(), "GMT-05:30");
        assert_eq!(Zone::parse("UTC").unwrap().id(), "UTC");
        assert_eq!(Zone::parse("Asia/Shanghai").unwrap().offset_at_ms(0), east8);
        // Etc/GMT-8 means UTC+8 (POSIX sign inversion).
        assert_eq!(Zone::parse("Etc/GMT-8").unwrap().offset_at_ms(0), east8);
    }

    #[test]
    fn rejects_nonsense() {
        for id in ["", "GMT+25", "Mars/Olympus", "GMT+8:99", "GMT+", "asia/shanghai"] {
            assert!(Zone::parse(id).is_err(), "{id}");
        }
    }

    #[test]
    fn formats_iso8601_like_the_golden_rows() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-03-08T07:00:00Z
        assert_eq!(format_iso8601(1_772_953_200_000, &ny).unwrap(), "2026-03-08T03:00:00-04:00");
        assert_eq!(format_iso8601(1_772_953_200_123, &Zone::UTC).unwrap(), "2026-03-08T07:00:00.123+00:00");
        assert_eq!(format_iso8601(-1, &Zone::UTC).unwrap(), "1969-12-31T23:59:59.999+00:00");
    }

    #[test]
    fn dst_rules_go_on_after_2099_as_in_java() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let hours = |zone: &str, s: &str| Zone::parse(zone).unwrap().offset_at(at(s)).local_minus_utc() / 3600;
        // Offsets JDK 17 gives (chrono-tz alone stays on the 2099 winter offset).
        assert_eq!(hours("Europe/Berlin", "2112-03-27T16:00:44Z"), 2);
        assert_eq!(hours("Europe/Berlin", "2112-03-27T00:30:00Z"), 1);
        assert_eq!(hours("Europe/Berlin", "2126-07-01T00:00:00Z"), 2);
        assert_eq!(hours("America/New_York", "2100-07-04T12:00:00Z"), -4);
        assert_eq!(hours("Australia/Sydney", "2110-07-01T00:00:00Z"), 10);
        assert_eq!(hours("Australia/Sydney", "2110-01-01T00:00:00Z"), 11);
        let ny = Zone::parse("America/New_York").unwrap();
        let gap = NaiveDateTime::parse_from_str("2100-03-14 02:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert!(matches!(ny.from_local(&gap), LocalResult::None));
        let summer = NaiveDateTime::parse_from_str("2100-07-04 08:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(ny.from_local(&summer).single().unwrap(), at("2100-07-04T12:00:00Z"));
    }

    #[test]
    fn dst_gap_and_overlap() {
        let ny = Zone::parse("America/New_York").unwrap();
        let gap = NaiveDateTime::parse_from_str("2026-03-08 02:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert!(matches!(ny.from_local(&gap), LocalResult::None));
        let overlap = NaiveDateTime::parse_from_str("2026-11-01 01:30:00", "%Y-%m-%d %H:%M:%S").unwrap();
        match ny.from_local(&overlap) {
            LocalResult::Ambiguous(a, b) => assert!(a < b),
            other => panic!("expected two instants, got {other:?}"),
        }
    }
}
