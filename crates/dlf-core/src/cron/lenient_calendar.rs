//! A calendar that behaves like Java's lenient `GregorianCalendar`, as Quartz uses it.
//!
//! Quartz finds fire times by writing field values into a `java.util.Calendar` (`set(DAY, 32)`,
//! `set(MONTH, 12)`, `set(SECOND, 99)`) and reading them back; every read first turns the
//! pending wall-clock fields into an instant and that instant back into fields. Much of
//! Quartz's observable behaviour comes from that round trip, so it is reproduced here:
//!
//! * out-of-range fields spill over (day 32 of March is 1 April, month 12 is next January);
//! * a wall-clock time in a spring-forward gap is read with the offset *before* the gap, so
//!   02:30 on a New York spring-forward day becomes 03:30 EDT;
//! * a wall-clock time in a fall-back overlap takes the offset *after* the transition, i.e.
//!   the later of the two instants — even when the calendar was just set from the earlier one.
//!
//! Dates use the proleptic Gregorian calendar (Java switches to Julian before 1582-10-15;
//! Quartz's own years start at 1970, so only an explicit year before 1583 could tell).
//! Local years outside 1..=9999 are reported as [`OutOfRange`]: the search gives up there, as
//! Quartz does past year 2999.

use super::civil::{civil_from_days, day_of_week, days_from_civil, month_length};
use crate::zone::Zone;
use chrono::{DateTime, LocalResult};

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_SECOND: i64 = 1000;
const FIRST_YEAR: i64 = 1;
const LAST_YEAR: i64 = 9999;

/// The calendar left the years it can represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct OutOfRange;

/// Wall-clock fields as Java holds them: possibly out of range until the next read.
#[derive(Clone, Copy, Debug)]
struct Fields {
    year: i64,
    /// 0-based, as `Calendar.MONTH`.
    month0: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

pub(super) struct LenientCalendar<'z> {
    zone: &'z Zone,
    fields: Fields,
    /// Fields were set since the last read (Java's `isTimeSet == false`).
    pending: bool,
    /// The instant of the fields, valid when not pending.
    instant_ms: i64,
    /// Days since 1970-01-01 of the local date, valid when not pending.
    local_day: i64,
}

impl<'z> LenientCalendar<'z> {
    /// `setTime(instant)` followed by `set(MILLISECOND, 0)`: the fields of `instant_ms` in
    /// `zone`, milliseconds dropped, re-read on first use (which moves a time in the earlier
    /// copy of a fall-back hour to the later copy, as Java does).
    pub(super) fn at_instant(zone: &'z Zone, instant_ms: i64) -> Result<Self, OutOfRange> {
        let mut calendar = LenientCalendar {
            zone,
            fields: Fields { year: 1970, month0: 0, day: 1, hour: 0, minute: 0, second: 0 },
            pending: false,
            instant_ms,
            local_day: 0,
        };
        calendar.load(instant_ms)?;
        calendar.pending = true;
        Ok(calendar)
    }

    /// A calendar whose fields are set to the given (possibly out-of-range) values.
    pub(super) fn at_fields(zone: &'z Zone, year: i64, month0: i64, day: i64) -> Self {
        LenientCalendar {
            zone,
            fields: Fields { year, month0, day, hour: 0, minute: 0, second: 0 },
            pending: true,
            instant_ms: 0,
            local_day: 0,
        }
    }

    pub(super) fn zone(&self) -> &'z Zone {
        self.zone
    }

    pub(super) fn second(&mut self) -> Result<i64, OutOfRange> {
        self.settle().map(|f| f.second)
    }

    pub(super) fn minute(&mut self) -> Result<i64, OutOfRange> {
        self.settle().map(|f| f.minute)
    }

    pub(super) fn hour(&mut self) -> Result<i64, OutOfRange> {
        self.settle().map(|f| f.hour)
    }

    pub(super) fn day(&mut self) -> Result<i64, OutOfRange> {
        self.settle().map(|f| f.day)
    }

    /// The month, 1-based (Quartz always reads `get(MONTH) + 1`).
    pub(super) fn month(&mut self) -> Result<i64, OutOfRange> {
        self.settle().map(|f| f.month0 + 1)
    }

    pub(super) fn year(&mut self) -> Result<i64, OutOfRange> {
        self.settle().map(|f| f.year)
    }

    /// `Calendar.DAY_OF_WEEK`: 1 = Sunday … 7 = Saturday.
    pub(super) fn day_of_week(&mut self) -> Result<i64, OutOfRange> {
        self.settle()?;
        Ok(day_of_week(self.local_day))
    }

    /// `getTime()`.
    pub(super) fn instant_ms(&mut self) -> Result<i64, OutOfRange> {
        self.settle()?;
        Ok(self.instant_ms)
    }

    pub(super) fn set_second(&mut self, value: i64) {
        self.write(|f| &mut f.second, value);
    }

    pub(super) fn set_minute(&mut self, value: i64) {
        self.write(|f| &mut f.minute, value);
    }

    pub(super) fn set_hour(&mut self, value: i64) {
        self.write(|f| &mut f.hour, value);
    }

    pub(super) fn set_day(&mut self, value: i64) {
        self.write(|f| &mut f.day, value);
    }

    /// `set(MONTH, value)`: 0-based.
    pub(super) fn set_month0(&mut self, value: i64) {
        self.write(|f| &mut f.month0, value);
    }

    /// `set(field, value)`. Writing the value a settled calendar already holds changes nothing:
    /// a settled state is a fixed point of Java's resolution (its fields resolve back to its
    /// instant), so the re-read Java would do is skipped.
    fn write(&mut self, field: impl Fn(&mut Fields) -> &mut i64, value: i64) {
        let slot = field(&mut self.fields);
        if *slot != value {
            *slot = value;
            self.pending = true;
        }
    }

    pub(super) fn set_year(&mut self, value: i64) {
        self.write(|f| &mut f.year, value);
    }

    /// `set(SECOND, 0); set(MINUTE, 0); set(HOUR_OF_DAY, 0)`.
    pub(super) fn set_midnight(&mut self) {
        self.set_second(0);
        self.set_minute(0);
        self.set_hour(0);
    }

    /// `add(YEAR, 1)`: settle, next year, same wall time, day pinned to the month's length.
    pub(super) fn add_one_year(&mut self) -> Result<(), OutOfRange> {
        self.settle()?;
        self.fields.year += 1;
        self.fields.day = self.fields.day.min(month_length(self.fields.month0 + 1, self.fields.year));
        self.pending = true;
        Ok(())
    }

    /// Resolves pending fields the way Java does on any read, and returns the result.
    fn settle(&mut self) -> Result<Fields, OutOfRange> {
        if self.pending {
            let wall_ms = self.wall_ms()?;
            match wall_to_instant_as_java(self.zone, wall_ms)? {
                Resolution::AsWritten(instant_ms) => self.load_local(wall_ms, instant_ms)?,
                Resolution::PastGap(instant_ms) => self.load(instant_ms)?,
            }
            self.pending = false;
        }
        Ok(self.fields)
    }

    /// The pending fields as local wall-clock milliseconds, spilling over as Java does.
    fn wall_ms(&self) -> Result<i64, OutOfRange> {
        let f = self.fields;
        let year = f.year.checked_add(f.month0.div_euclid(12)).ok_or(OutOfRange)?;
        if !(FIRST_YEAR - 1..=LAST_YEAR + 1).contains(&year) {
            return Err(OutOfRange);
        }
        let month = f.month0.rem_euclid(12) + 1;
        let days = days_from_civil(year, month, 1).checked_add(f.day - 1).ok_or(OutOfRange)?;
        let seconds_of_day = f
            .hour
            .checked_mul(3600)
            .and_then(|h| f.minute.checked_mul(60).and_then(|m| h.checked_add(m)))
            .and_then(|hm| hm.checked_add(f.second))
            .ok_or(OutOfRange)?;
        days.checked_mul(MS_PER_DAY)
            .and_then(|d| seconds_of_day.checked_mul(MS_PER_SECOND).and_then(|s| d.checked_add(s)))
            .ok_or(OutOfRange)
    }

    /// Sets the fields from an instant (Java's `computeFields`), milliseconds dropped.
    fn load(&mut self, instant_ms: i64) -> Result<(), OutOfRange> {
        let offset_ms = i64::from(self.zone.offset_at_ms(instant_ms).local_minus_utc()) * MS_PER_SECOND;
        let wall_ms = instant_ms.checked_add(offset_ms).ok_or(OutOfRange)?;
        self.load_local(wall_ms, instant_ms)
    }

    /// Sets the fields from the wall-clock time of `instant_ms`.
    fn load_local(&mut self, wall_ms: i64, instant_ms: i64) -> Result<(), OutOfRange> {
        let local_day = wall_ms.div_euclid(MS_PER_DAY);
        let second_of_day = wall_ms.rem_euclid(MS_PER_DAY) / MS_PER_SECOND;
        let (year, month, day) = civil_from_days(local_day);
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(OutOfRange);
        }
        self.fields = Fields {
            year,
            month0: month - 1,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
        };
        self.instant_ms = instant_ms;
        self.local_day = local_day;
        Ok(())
    }
}

/// Where a wall-clock time lands.
enum Resolution {
    /// At an instant whose wall-clock time is the one written.
    AsWritten(i64),
    /// Past a spring-forward gap: the instant's wall-clock time is later than the one written.
    PastGap(i64),
}

/// The instant Java's `GregorianCalendar` gives a local wall-clock time: the one unambiguous
/// instant; in a fall-back overlap the later one; in a spring-forward gap the wall time read
/// with the offset in force before the gap (so it lands after the gap by the gap's length).
fn wall_to_instant_as_java(zone: &Zone, wall_ms: i64) -> Result<Resolution, OutOfRange> {
    if let Zone::Fixed { offset, .. } = zone {
        return Ok(Resolution::AsWritten(wall_ms - i64::from(offset.local_minus_utc()) * MS_PER_SECOND));
    }
    let wall = DateTime::from_timestamp_millis(wall_ms).ok_or(OutOfRange)?.naive_utc();
    Ok(match zone.from_local(&wall) {
        LocalResult::Single(instant) => Resolution::AsWritten(instant.timestamp_millis()),
        LocalResult::Ambiguous(_, later) => Resolution::AsWritten(later.timestamp_millis()),
        LocalResult::None => {
            // The offset before a gap is the smaller of the two offsets around it; reading the
            // wall time as UTC and once more with the offset found gives both of them.
            let guess = zone.offset_at_ms(wall_ms).local_minus_utc();
            let other = zone.offset_at_ms(wall_ms - i64::from(guess) * MS_PER_SECOND).local_minus_utc();
            Resolution::PastGap(wall_ms - i64::from(guess.min(other)) * MS_PER_SECOND)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn spills_over_like_java() {
        let zone = Zone::UTC;
        let mut calendar = LenientCalendar::at_fields(&zone, 2026, 3, 31); // 31 April
        assert_eq!((calendar.month().unwrap(), calendar.day().unwrap()), (5, 1));
        calendar.set_month0(12);
        assert_eq!((calendar.year().unwrap(), calendar.month().unwrap()), (2027, 1));
        calendar.set_second(99);
        assert_eq!((calendar.minute().unwrap(), calendar.second().unwrap()), (1, 39));
    }

    #[test]
    fn gap_moves_forward_overlap_takes_later_instant() {
        let ny = Zone::parse("America/New_York").unwrap();
        let mut calendar = LenientCalendar::at_fields(&ny, 2026, 2, 8);
        calendar.set_hour(2);
        calendar.set_minute(30);
        assert_eq!(calendar.instant_ms().unwrap(), ms("2026-03-08T03:30:00-04:00"));
        assert_eq!(calendar.hour().unwrap(), 3);
        let mut calendar = LenientCalendar::at_fields(&ny, 2026, 10, 1);
        calendar.set_hour(1);
        calendar.set_minute(30);
        assert_eq!(calendar.instant_ms().unwrap(), ms("2026-11-01T01:30:00-05:00"));
        // Set from the earlier copy, re-read: Java moves it to the later copy.
        let mut calendar = LenientCalendar::at_instant(&ny, ms("2026-11-01T01:20:00-04:00")).unwrap();
        assert_eq!(calendar.instant_ms().unwrap(), ms("2026-11-01T01:20:00-05:00"));
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let mut calendar = LenientCalendar::at_fields(&berlin, 2026, 2, 29);
        calendar.set_hour(2);
        assert_eq!(calendar.instant_ms().unwrap(), ms("2026-03-29T03:00:00+02:00"));
    }

    #[test]
    fn far_fields_are_out_of_range() {
        let zone = Zone::UTC;
        let mut calendar = LenientCalendar::at_fields(&zone, 2026, 0, i64::from(i32::MAX));
        assert_eq!(calendar.year(), Err(OutOfRange));
        let mut calendar = LenientCalendar::at_fields(&zone, 2026, 0, i64::from(i32::MIN));
        assert_eq!(calendar.year(), Err(OutOfRange));
    }
}
