//! Formatting and parsing dates for EL methods, turning pattern and range failures into EL errors.

use super::arguments::Args;
use super::error::ElError;
use crate::datefmt::{DatePattern, MAX_DATE_MS};
use crate::zone::Zone;

/// Formats `epoch_ms` in `zone` with the pattern in argument `pattern_index` of `args`.
pub(crate) fn format_with_pattern(
    args: &Args,
    pattern_index: usize,
    epoch_ms: i64,
    zone: &Zone,
) -> Result<String, ElError> {
    let pattern = compile(args, pattern_index)?;
    Ok(pattern.format(epoch_ms, zone))
}

/// Compiles the pattern in argument `index`.
pub(crate) fn compile(args: &Args, index: usize) -> Result<DatePattern, ElError> {
    let pattern = args.required_string(index)?;
    DatePattern::compile(&pattern).map_err(|e| {
        ElError::expected(
            args.positions.get(index).copied().unwrap_or(args.position),
            format!("invalid date pattern '{pattern}': {e}"),
            "a Java date pattern such as yyyy-MM-dd",
        )
    })
}

/// A date result, or an error when date arithmetic left the supported range.
pub(crate) fn date_in_range(result: Option<i64>, args: &Args) -> Result<i64, ElError> {
    match result {
        Some(ms) if (-MAX_DATE_MS..=MAX_DATE_MS).contains(&ms) => Ok(ms),
        _ => Err(args.error(format!("{}: the date is out of range", args.method))),
    }
}
