//! The `OBSUtil` object (JOBS.md §6.11): it needs an object store, which dlf's expression
//! language has no access to, so `isExistOBSPath` is an error that says so.

use super::arguments::Args;
use super::error::ElError;
use super::eval::unknown_method;
use super::value::Value;

/// `OBSUtil.<name>(args)`.
pub(crate) fn call(name: &str, args: &Args) -> Result<Value, ElError> {
    match (name, args.len()) {
        ("isExistOBSPath", 1) => {
            let path = args.string(0)?.unwrap_or_default();
            Err(args.error(format!("OBSUtil.isExistOBSPath(\"{path}\"): no object store is configured")))
        }
        _ => Err(unknown_method("OBSUtil", name, args)),
    }
}
