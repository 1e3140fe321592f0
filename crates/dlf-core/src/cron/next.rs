//! The next fire time: Quartz 2.3.2's `getTimeAfter`, reproduced round by round.
//!
//! Quartz does not enumerate candidate times. It starts one second after the reference instant
//! (milliseconds dropped) and runs rounds: each round checks second, minute, hour, day, month
//! and year in turn against the field's value set. The first field that does not match is moved
//! to its next allowed value (lower fields reset to their start) and a new round begins; a
//! round in which every field matches yields the fire time. Fields are written into a lenient
//! calendar ([`LenientCalendar`]) and re-read, which is where Quartz's DST behaviour, its
//! month-overflow behaviour and several quirks come from, so this module keeps the same order of
//! writes and reads. A round costs a handful of integer operations and zone look-ups; typical
//! expressions need fewer than ten rounds, and impossible ones (`0 0 0 30 2 ?`) run out at
//! Quartz's last year after a few hundred.

use super::error::CronField;
use super::lenient_calendar::{LenientCalendar, OutOfRange};
use super::schedule::{QUARTZ_MAX_YEAR, Schedule};
use crate::zone::Zone;

/// A safety net far above what real expressions need (a few rounds per month searched). Only
/// marker values such as `99-4/0` in minutes get near it: the minute then sticks at :39 and
/// every round moves one hour, where Quartz needs millions of rounds to answer "none". The cap
/// bounds such a call to about 100 ms.
const MAX_ROUNDS: usize = 100_000;

/// How a round ended.
pub(super) enum Round {
    /// A field was moved; start a new round.
    Again,
    /// There is no fire time (past the last year, or a field with no values at all).
    NoneLeft,
}

/// A step's verdict: `Ok(None)` when its field matches and the round goes on.
pub(super) type Step = Result<Option<Round>, OutOfRange>;

/// First fire time strictly after `after_ms`, or `None`.
pub(super) fn next_fire_after(schedule: &Schedule, after_ms: i64, zone: &Zone) -> Option<i64> {
    let start_ms = after_ms.checked_add(1000)?;
    let mut calendar = LenientCalendar::at_instant(zone, start_ms).ok()?;
    let mut loop_detector = LoopDetector::default();
    for _ in 0..MAX_ROUNDS {
        if loop_detector.seen_before(calendar.instant_ms().ok()?) {
            return None;
        }
        let mut search = Search { schedule, start_ms, calendar: &mut calendar, second_chosen: 0 };
        match search.round() {
            Ok(None) => {
                let fire_ms = calendar.instant_ms().ok()?;
                // Quartz can only go backwards for absurd expressions (negative values produced
                // by overflowing increments); never hand such a time to a scheduler.
                return (fire_ms > after_ms).then_some(fire_ms);
            }
            Ok(Some(Round::Again)) => {}
            Ok(Some(Round::NoneLeft)) | Err(OutOfRange) => return None,
        }
    }
    None
}

/// Notices when Quartz's search would run forever.
///
/// A round is a pure function of the instant it starts at, so a repeated start instant means
/// Quartz never ends (it happens: `0 24 20 L-29W * ?` after 2 January bounces between 1 February,
/// where `L-29` is 30 January, and 30 January, where it is 2 January, already past). dlf answers
/// "no fire time" instead. Brent's method: compare against a checkpoint that is refreshed after
/// 1, 2, 4, 8 … rounds, so a cycle is caught within a few times its length, in O(1) space.
#[derive(Default)]
struct LoopDetector {
    checkpoint: Option<i64>,
    rounds_since_checkpoint: u32,
    rounds_until_refresh: u32,
}

impl LoopDetector {
    fn seen_before(&mut self, round_start_ms: i64) -> bool {
        if self.checkpoint == Some(round_start_ms) {
            return true;
        }
        self.rounds_since_checkpoint += 1;
        if self.rounds_since_checkpoint >= self.rounds_until_refresh {
            self.checkpoint = Some(round_start_ms);
            self.rounds_since_checkpoint = 0;
            self.rounds_until_refresh = self.rounds_until_refresh.max(1) * 2;
        }
        false
    }
}

/// One round of the search.
pub(super) struct Search<'s, 'c, 'z> {
    pub(super) schedule: &'s Schedule,
    /// Reference instant + 1 s, milliseconds kept (Quartz's `afterTime` after its `+ 1000`).
    pub(super) start_ms: i64,
    pub(super) calendar: &'c mut LenientCalendar<'z>,
    /// The second value the second step picked, as written (it may be the `*` marker 99);
    /// Quartz reuses it, not the re-read field, when it probes a `W` day.
    pub(super) second_chosen: i64,
}

impl Search<'_, '_, '_> {
    /// `Ok(None)` when every field matched: the calendar holds the fire time.
    fn round(&mut self) -> Step {
        // Quartz stops when a round starts after year 2999, or when its month step sees a year
        // past 2126; no round that starts after 2126 can produce a fire time, so stop at once.
        if self.calendar.year()? > i64::from(QUARTZ_MAX_YEAR) {
            return Ok(Some(Round::NoneLeft));
        }
        let steps: [fn(&mut Self) -> Step; 6] = [
            Self::match_second,
            Self::match_minute,
            Self::match_hour,
            Self::match_day,
            Self::match_month,
            Self::match_year,
        ];
        for step in steps {
            if let Some(round) = step(self)? {
                return Ok(Some(round));
            }
        }
        Ok(None)
    }

    /// Seconds never end a round: an exhausted minute just carries into the next minute.
    fn match_second(&mut self) -> Step {
        let second = self.calendar.second()?;
        let minute = self.calendar.minute()?;
        let seconds = self.schedule.set(CronField::Second);
        let chosen = match seconds.first_at_or_after(second) {
            Some(value) => value,
            None => {
                let Some(first) = seconds.first() else { return Ok(Some(Round::NoneLeft)) };
                self.calendar.set_minute(minute + 1);
                first
            }
        };
        self.second_chosen = i64::from(chosen);
        self.calendar.set_second(self.second_chosen);
        Ok(None)
    }

    fn match_minute(&mut self) -> Step {
        let minute = self.calendar.minute()?;
        let mut hour = self.calendar.hour()?;
        let minutes = self.schedule.set(CronField::Minute);
        let (unchanged, target) = match minutes.first_at_or_after(minute) {
            Some(value) => (minute, value),
            None => {
                let Some(first) = minutes.first() else { return Ok(Some(Round::NoneLeft)) };
                hour += 1;
                (-1, first)
            }
        };
        let target = i64::from(target);
        if target != unchanged {
            self.calendar.set_second(0);
            self.calendar.set_minute(target);
            self.set_hour_past_gap(hour)?;
            return Ok(Some(Round::Again));
        }
        self.calendar.set_minute(target);
        Ok(None)
    }

    fn match_hour(&mut self) -> Step {
        let hour = self.calendar.hour()?;
        let mut day = self.calendar.day()?;
        let hours = self.schedule.set(CronField::Hour);
        let (unchanged, target) = match hours.first_at_or_after(hour) {
            Some(value) => (hour, value),
            None => {
                let Some(first) = hours.first() else { return Ok(Some(Round::NoneLeft)) };
                day += 1;
                (-1, first)
            }
        };
        let target = i64::from(target);
        if target != unchanged {
            self.calendar.set_second(0);
            self.calendar.set_minute(0);
            self.calendar.set_day(day);
            self.set_hour_past_gap(target)?;
            return Ok(Some(Round::Again));
        }
        self.calendar.set_hour(target);
        Ok(None)
    }

    fn match_month(&mut self) -> Step {
        let month = self.calendar.month()?;
        let mut year = self.calendar.year()?;
        if year > i64::from(QUARTZ_MAX_YEAR) {
            return Ok(Some(Round::NoneLeft));
        }
        let months = self.schedule.set(CronField::Month);
        let (unchanged, target) = match months.first_at_or_after(month) {
            Some(value) => (month, value),
            None => {
                let Some(first) = months.first() else { return Ok(Some(Round::NoneLeft)) };
                year += 1;
                (-1, first)
            }
        };
        let target = i64::from(target);
        if target != unchanged {
            self.calendar.set_midnight();
            self.calendar.set_day(1);
            self.calendar.set_month0(target - 1);
            self.calendar.set_year(year);
            return Ok(Some(Round::Again));
        }
        self.calendar.set_month0(target - 1);
        Ok(None)
    }

    fn match_year(&mut self) -> Step {
        let year = self.calendar.year()?;
        let Some(target) = self.schedule.set(CronField::Year).first_at_or_after(year) else {
            return Ok(Some(Round::NoneLeft));
        };
        let target = i64::from(target);
        if target != year {
            self.calendar.set_midnight();
            self.calendar.set_day(1);
            self.calendar.set_month0(0);
            self.calendar.set_year(target);
            return Ok(Some(Round::Again));
        }
        self.calendar.set_year(target);
        Ok(None)
    }

    /// Quartz's `setCalendarHour`: set the hour; if reading it back gives another hour (the hour
    /// fell into a spring-forward gap), set the next hour instead.
    fn set_hour_past_gap(&mut self, hour: i64) -> Result<(), OutOfRange> {
        self.calendar.set_hour(hour);
        if self.calendar.hour()? != hour && hour != 24 {
            self.calendar.set_hour(hour + 1);
        }
        Ok(())
    }
}
