//! Size limits that keep a hostile or mistaken expression from exhausting memory.
//!
//! `StringUtil.repeat("x", 2000000000)` or a long chain of concatenations must fail with an
//! error, not allocate gigabytes. The cap matches the largest text DLF accepts anywhere
//! (script content, 4 MB; JOBS.md §8), so every legitimate value fits.

use super::error::ElError;

/// The longest text (in characters) an expression may produce.
pub const MAX_TEXT_CHARS: usize = 4 * 1024 * 1024;

/// Fails when a text of `chars` characters would exceed [`MAX_TEXT_CHARS`].
pub(crate) fn check_text_size(chars: usize, position: usize) -> Result<(), ElError> {
    if chars > MAX_TEXT_CHARS {
        return Err(ElError::new(
            position,
            format!("result would be {chars} characters long; the limit is {MAX_TEXT_CHARS}"),
        ));
    }
    Ok(())
}
