//! The `Env` object (JOBS.md §6.10): `Env.get(name)` reads a workspace environment variable.

use super::arguments::Args;
use super::context::ElContext;
use super::error::ElError;
use super::eval::unknown_method;
use super::value::Value;

/// `Env.<name>(args)`.
pub(crate) fn call(ctx: &ElContext, name: &str, args: &Args) -> Result<Value, ElError> {
    match (name, args.len()) {
        ("get", 1) => Ok(ctx.env.env_var(&args.required_string(0)?).map_or(Value::Null, Value::Str)),
        _ => Err(unknown_method("Env", name, args)),
    }
}
