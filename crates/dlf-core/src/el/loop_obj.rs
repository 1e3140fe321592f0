//! The `Loop` object (JOBS.md §6.9), bound while a For Each node evaluates a child's parameters:
//! `dataArray` (all rows), `current` (this row), `offset` (its index from 0). Elements are the
//! rows' bare texts.

use super::context::ElContext;
use super::error::ElError;
use super::value::Value;

fn row(cells: &[String]) -> Value {
    Value::List(cells.iter().cloned().map(Value::Str).collect())
}

/// `Loop.<name>`.
pub(crate) fn property(ctx: &ElContext, name: &str, position: usize) -> Result<Value, ElError> {
    let Some(loop_ctx) = ctx.loop_ctx else {
        return Ok(Value::Null);
    };
    match name {
        "dataArray" => Ok(Value::List(loop_ctx.data_array.iter().map(|r| row(r)).collect())),
        "current" => Ok(loop_ctx.data_array.get(loop_ctx.offset).map_or(Value::Null, |r| row(r))),
        "offset" => Ok(Value::Int(i64::try_from(loop_ctx.offset).unwrap_or(i64::MAX))),
        other => Err(ElError::new(position, format!("Loop has no property '{other}'"))),
    }
}
