//! Turning a local wall-clock time into an instant the way Java's lenient `GregorianCalendar` does.
//!
//! Java looks up the zone transition by wall time measured with the offset *after* each
//! transition. The effect: a wall time inside a spring-forward gap is read with the offset from
//! before the gap (02:30 in New York on a change day becomes 03:30 daylight time), and a wall time
//! in a fall-back overlap gets the later instant (standard time). Parsing and calendar arithmetic
//! both go through here so they agree with Java.

use super::calendar::MS_PER_DAY;
use super::java_zone::offset_seconds_at;
use crate::zone::Zone;

/// The instant (epoch ms) that Java picks for local milliseconds `local_ms` in `zone`.
pub(crate) fn wall_to_instant(zone: &Zone, local_ms: i64) -> i64 {
    let offset_ms = |instant: i64| offset_seconds_at(zone, instant) * 1000;
    let before = offset_ms(local_ms.saturating_sub(2 * MS_PER_DAY));
    let after = offset_ms(local_ms.saturating_add(2 * MS_PER_DAY));
    let consistent = |offset: i64| {
        let instant = local_ms.saturating_sub(offset);
        (offset_ms(instant) == offset).then_some(instant)
    };
    match (consistent(before), consistent(after)) {
        (Some(a), Some(b)) => a.max(b),
        (Some(instant), None) | (None, Some(instant)) => instant,
        (None, None) if before == after => {
            let guess = local_ms.saturating_sub(before);
            local_ms.saturating_sub(offset_ms(guess))
        }
        (None, None) => local_ms.saturating_sub(before),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny_local(text: &str) -> i64 {
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        naive.and_utc().timestamp_millis()
    }

    #[test]
    fn gap_moves_forward_and_overlap_takes_standard_time() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-03-08 02:30 does not exist: Java gives 03:30 EDT = 07:30Z.
        assert_eq!(wall_to_instant(&ny, ny_local("2026-03-08 02:30")), ny_local("2026-03-08 07:30"));
        // 2026-11-01 01:30 happens twice: Java gives the EST one = 06:30Z.
        assert_eq!(wall_to_instant(&ny, ny_local("2026-11-01 01:30")), ny_local("2026-11-01 06:30"));
        assert_eq!(wall_to_instant(&ny, ny_local("2026-07-01 12:00")), ny_local("2026-07-01 16:00"));
    }
}
