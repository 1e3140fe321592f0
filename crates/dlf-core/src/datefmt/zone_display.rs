//! What Java prints for a zone at an instant for `z`/`zzzz`.
//!
//! Java decides between the standard and the daylight name with `DST_OFFSET != 0` at the instant
//! and takes the text from its CLDR tables (`zone_names.rs`); custom `GMT±hh:mm` zones
//! print their id.

use super::java_zone::{is_daylight, offset_seconds_at};
use super::zone_names::names_of;
use crate::zone::Zone;

/// The zone name Java prints for pattern letter `z` (`long` for `zzzz`).
pub(crate) fn zone_name(zone: &Zone, epoch_ms: i64, long: bool) -> String {
    match zone {
        Zone::Fixed { id_is_utc: true, .. } => {
            if long {
                "Coordinated Universal Time".to_string()
            } else {
                "UTC".to_string()
            }
        }
        Zone::Fixed { .. } => zone.id(),
        Zone::Iana(tz) => {
            let Some(names) = names_of(tz.name()) else {
                return gmt_offset_name(zone, epoch_ms);
            };
            let daylight = is_daylight(zone, epoch_ms);
            let name = match (long, daylight) {
                (false, false) => names.short_standard,
                (false, true) => names.short_daylight,
                (true, false) => names.long_standard,
                (true, true) => names.long_daylight,
            };
            name.to_string()
        }
    }
}

/// `GMT+08:00`: Java's fallback for a zone it has no name for.
fn gmt_offset_name(zone: &Zone, epoch_ms: i64) -> String {
    let minutes = offset_seconds_at(zone, epoch_ms) / 60;
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("GMT{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}
