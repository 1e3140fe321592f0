//! `Cron.startTime` / `endTime`: `yyyy-MM-dd'T'HH:mm:ssZ` with a two-digit offset (`+08`).
//!
//! DLF writes `2018-10-22T23:59:59+08`; clients also send `+0800`, `+08:00` and `Z`. All are
//! accepted; the value is written back as `±HH`, or `±HH:MM` when the offset has minutes so it is
//! never truncated (JOBS.md §2.4).

use chrono::{DateTime, FixedOffset, NaiveDateTime};

/// A parsed schedule boundary: the instant and the offset it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleTime {
    pub epoch_ms: i64,
    pub offset: FixedOffset,
}

impl ScheduleTime {
    /// Parses `2018-10-22T23:59:59+08` and its `+0800` / `+08:00` / `Z` variants (also a space
    /// instead of `T`, and optional fractional seconds).
    pub fn parse(text: &str) -> Result<ScheduleTime, String> {
        let s = text.trim();
        let err = || format!("'{text}' is not a time of the form yyyy-MM-dd'T'HH:mm:ss+08");
        let (local, offset) = split_offset(s).ok_or_else(err)?;
        let local = local.replacen(' ', "T", 1);
        let naive = NaiveDateTime::parse_from_str(&local, "%Y-%m-%dT%H:%M:%S%.f")
            .or_else(|_| NaiveDateTime::parse_from_str(&local, "%Y-%m-%dT%H:%M"))
            .map_err(|_| err())?;
        let instant = naive.and_local_timezone(offset).single().ok_or_else(err)?;
        Ok(ScheduleTime { epoch_ms: instant.timestamp_millis(), offset })
    }

    /// The canonical wire form: `2018-10-22T23:59:59+08`.
    pub fn to_wire(&self) -> String {
        let Some(t) = DateTime::from_timestamp_millis(self.epoch_ms) else {
            return String::new();
        };
        let local = t.with_timezone(&self.offset);
        let secs = self.offset.local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs();
        let (h, m) = (abs / 3600, (abs % 3600) / 60);
        let zone = if m == 0 { format!("{sign}{h:02}") } else { format!("{sign}{h:02}:{m:02}") };
        format!("{}{zone}", local.format("%Y-%m-%dT%H:%M:%S"))
    }
}

/// Splits `...+08`, `...+0800`, `...+08:00`, `...Z` into the local part and the offset.
fn split_offset(s: &str) -> Option<(String, FixedOffset)> {
    if let Some(local) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((local.to_string(), FixedOffset::east_opt(0)?));
    }
    // The offset sign is the last '+' or a '-' after the time part (index > 10 skips the date).
    let idx = s.rfind(['+', '-']).filter(|&i| i > 10)?;
    let offset = crate::zone::parse_offset(&s[idx..])?;
    Some((s[..idx].to_string(), offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dlf_offsets_and_writes_two_digit_form() {
        let a = ScheduleTime::parse("2018-10-22T23:59:59+08").unwrap();
        for other in ["2018-10-22T23:59:59+0800", "2018-10-22T23:59:59+08:00", "2018-10-22T15:59:59Z"] {
            assert_eq!(ScheduleTime::parse(other).unwrap().epoch_ms, a.epoch_ms, "{other}");
        }
        assert_eq!(a.to_wire(), "2018-10-22T23:59:59+08");
        assert_eq!(ScheduleTime::parse("2018-10-22T15:59:59Z").unwrap().to_wire(), "2018-10-22T15:59:59+00");
        assert_eq!(ScheduleTime::parse("2018-10-22T23:59:59-05").unwrap().to_wire(), "2018-10-22T23:59:59-05");
    }

    #[test]
    fn keeps_minute_offsets() {
        let t = ScheduleTime::parse("2026-01-01T00:00:00+05:30").unwrap();
        assert_eq!(t.to_wire(), "2026-01-01T00:00:00+05:30");
    }

    #[test]
    fn rejects_garbage() {
        for s in
            ["", "yesterday", "2018-10-22", "2018-10-22T23:59:59", "2018-13-22T23:59:59+08", "2018-10-22T23:59:59+99"]
        {
            assert!(ScheduleTime::parse(s).is_err(), "{s}");
        }
    }
}
