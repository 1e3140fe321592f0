//! Quartz cron expressions (placeholder; implemented by the cron work).
