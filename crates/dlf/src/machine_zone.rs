//! The machine's time zone: the service zone when none is configured.
//!
//! It lives in the binary, not in `dlf-core`, because it reads the environment and the file
//! system; `dlf-core` does no I/O and is handed the zone.

use dlf_core::zone::Zone;

/// The zone dlf uses when none is configured: the machine's zone.
///
/// In order: the `TZ` environment variable when it names a zone [`Zone::parse`] accepts (a
/// leading `:` as in `TZ=:Asia/Shanghai` is allowed); else the IANA name `/etc/localtime`
/// links to (`…/zoneinfo/Europe/Berlin`), or the name in `/etc/timezone`; else UTC. The server and
/// the offline commands call it once at start-up and pass the zone on.
pub fn default_service_zone() -> Zone {
    let from_tz_variable = std::env::var("TZ").ok().and_then(|tz| Zone::parse(tz.trim_start_matches(':')).ok());
    let from_localtime_link = || {
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let target = target.to_str()?;
        let (_, name) = target.split_once("zoneinfo/")?;
        Zone::parse(name).ok()
    };
    let from_timezone_file = || Zone::parse(std::fs::read_to_string("/etc/timezone").ok()?.trim()).ok();
    from_tz_variable.or_else(from_localtime_link).or_else(from_timezone_file).unwrap_or(Zone::UTC)
}
