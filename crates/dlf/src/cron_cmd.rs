//! `dlf cron next`: print the next fire times of a Quartz cron expression, offline.
//!
//! It runs the same `dlf_core::cron` code the scheduler runs, so what it prints is exactly when
//! a job with that schedule would fire — DST and Quartz's quirks included. Invalid input (the
//! expression, the zone or the time) exits with status 2 and a message on stderr, printing
//! nothing on stdout, so scripts can tell a preview from a failure.

use crate::machine_zone::default_service_zone;
use chrono::{DateTime, LocalResult, NaiveDateTime, Utc};
use clap::Subcommand;
use dlf_core::cron::CronExpr;
use dlf_core::zone::{Zone, format_iso8601};
use std::io::Write;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CronCommand {
    /// Print the next fire times of a Quartz cron expression, one per line (ISO-8601 with offset).
    Next {
        /// The expression, e.g. '0 0/30 8-18 ? * MON-FRI' (seconds first, day-of-week 1 = Sunday).
        #[arg(allow_hyphen_values = true)]
        expression: String,
        /// Zone the expression is evaluated in: an IANA name (Asia/Shanghai), GMT+8, GMT+08:00 or
        /// UTC. Default: the machine's zone (TZ, else /etc/localtime, else UTC).
        #[arg(long = "time-zone", value_name = "ZONE")]
        time_zone: Option<String>,
        /// List fire times strictly after this instant: ISO-8601 with an offset
        /// (2026-02-27T10:16:07+08:00, 2026-02-27T02:16:07Z), or without one for a local time in
        /// the --time-zone zone. Default: now.
        #[arg(long, value_name = "ISO-8601")]
        after: Option<String>,
        /// How many fire times to print (fewer when the schedule ends sooner).
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
}

pub fn run(cmd: CronCommand) -> ExitCode {
    match cmd {
        CronCommand::Next { expression, time_zone, after, count } => {
            match next_fire_times(&expression, time_zone.as_deref(), after.as_deref(), count) {
                Ok(lines) => print_lines(&lines),
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// The fire times as printed lines, or a message saying which input is wrong.
fn next_fire_times(
    expression: &str,
    time_zone: Option<&str>,
    after: Option<&str>,
    count: usize,
) -> Result<Vec<String>, String> {
    let expr = CronExpr::parse(expression).map_err(|e| format!("invalid cron expression '{expression}': {e}"))?;
    let zone = match time_zone {
        Some(id) => Zone::parse(id).map_err(|e| format!("invalid --time-zone: {e}"))?,
        None => default_service_zone(),
    };
    let after_ms = match after {
        Some(text) => parse_instant(text, &zone)?,
        None => Utc::now().timestamp_millis(),
    };
    expr.fire_times_after(after_ms, zone)
        .take(count)
        .map(|fire_ms| format_iso8601(fire_ms, &zone).ok_or_else(|| format!("fire time {fire_ms} cannot be printed")))
        .collect()
}

/// `--after`: RFC 3339 / ISO-8601 with an offset or `Z`, or a local date-time in `zone`.
fn parse_instant(text: &str, zone: &Zone) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%#z"] {
        if let Ok(instant) = DateTime::parse_from_str(text, format) {
            return Ok(instant.timestamp_millis());
        }
    }
    let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| format!("invalid --after '{text}': expected ISO-8601 such as 2026-02-27T10:16:07+08:00"))?;
    match zone.from_local(&local) {
        LocalResult::Single(instant) | LocalResult::Ambiguous(instant, _) => Ok(instant.timestamp_millis()),
        LocalResult::None => {
            Err(format!("invalid --after '{text}': that local time does not exist in {zone} (DST gap)"))
        }
    }
}

fn print_lines(lines: &[String]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            // A closed pipe (`| head -1`) is not an error worth a message.
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_accepts_offsets_z_and_local_times() {
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        let expected = 1_772_158_567_000; // 2026-02-27T02:16:07Z
        assert_eq!(parse_instant("2026-02-27T10:16:07+08:00", &Zone::UTC), Ok(expected));
        assert_eq!(parse_instant("2026-02-27T02:16:07Z", &Zone::UTC), Ok(expected));
        assert_eq!(parse_instant("2026-02-27T10:16:07", &shanghai), Ok(expected));
        assert_eq!(parse_instant("2026-02-27T10:16+08:00", &Zone::UTC), Ok(expected - 7_000));
        assert!(parse_instant("yesterday", &Zone::UTC).is_err());
        let ny = Zone::parse("America/New_York").unwrap();
        assert!(parse_instant("2026-03-08T02:30:00", &ny).is_err());
    }

    #[test]
    fn prints_what_exists() {
        let lines =
            next_fire_times("0 0 0 1 1 ? 2027-2029", Some("GMT+8"), Some("2026-02-27T10:16:07+08:00"), 5).unwrap();
        assert_eq!(lines, ["2027-01-01T00:00:00+08:00", "2028-01-01T00:00:00+08:00", "2029-01-01T00:00:00+08:00"]);
    }
}
