//! The DLF expression language: `${name}` parameters and `#{expr}` EL expressions
//! (JOBS.md §6), evaluated purely — no I/O, no clock, no globals.
//!
//! Hand-written because no expression crate accepts this grammar (research/crates.md §8): a
//! Java-EL-like language with single- and double-quoted strings, word operators (`eq`, `div`,
//! `empty`), Java's coercions, and helper objects with Java semantics (`DateUtil` on
//! `SimpleDateFormat` patterns, `StringUtil` = Commons Lang `StringUtils`).
//!
//! # Public API
//!
//! - [`render`]`(text, &ElContext) -> Result<String, ElError>`: the whole §6.2 pipeline — `${}`
//!   substitution, simple variables (if [`ElContext::simple_variables`]), then every `#{...}`
//!   left to right.
//! - [`substitute_params`]`(text, &dyn Fn(&str) -> Option<String>) -> String`: `${}` only;
//!   unresolved names stay verbatim.
//! - [`eval_condition`]`(expression, &ElContext) -> Result<bool, ElError>`: §5.6 step 4 — render,
//!   trim, equals `true` ignoring case.
//! - [`parse_expression`]`(source) -> Result<Expr, ElError>` and [`evaluate`]`(&Expr, &ElContext)`;
//!   [`Expr`] implements `Display` as re-parseable source.
//! - [`parse_template`]`(text) -> Result<Vec<TemplatePart>, ElError>`: the `#{...}` segments.
//! - [`parse_dataset`]`(text) -> Result<Vec<Vec<String>>, ElError>`: For Each datasets.
//! - [`ElContext`] with the lookups [`ParamLookup`] (job parameters by priority, the job's own
//!   definition for `Job.getParam`, script parameters), [`EnvLookup`] (`Env.get`) and
//!   [`NodeLookup`] (`getNodeStatus`/`getNodeOutput`, `Err` for "not an upstream node"); §6.3's
//!   priority job parameter > environment variable > script parameter is applied here
//!   ([`ElContext::resolve_name`]). [`StaticParams`], [`StaticEnv`], [`StaticNodes`] are
//!   map-backed implementations.
//! - [`ElError`] `{ position, expected, message }`, displayed `at position N: message (expected X)`.
//!
//! # Decisions where JOBS.md is silent
//!
//! - Error positions are character offsets into the text the failing step saw: for [`render`],
//!   the text after `${}` substitution and simple variables.
//! - `null` in `+` concatenation renders as empty text; `-`, `*`, `/`, `%` and unary `-` on null
//!   or non-numeric text are errors; integer overflow continues in decimals; integer `/` or `%`
//!   by zero is an error.
//! - `==` with exactly one null side is false; `<` etc. with a null side are false; two dates
//!   compare by instant; lists and maps compare as JSON and cannot be ordered.
//! - Reading a property or index of null gives null (Java EL); calling a method on null is an
//!   error. List indexes out of range give null.
//! - Besides the built-in objects, a few Java methods work on plain values
//!   (`value_methods.rs`: `String.length()`, `substring`, …; `Date.getTime()`, `date.time`).
//! - A function-call syntax without an object (`foo(1)`) parses but is an "unknown function"
//!   error; `NumberUtil` and `OBSUtil.isExistOBSPath` are errors that say why.
//! - `DateUtil.formatWithTimeZone` with an unknown zone is an error (Java would silently use
//!   GMT); `DateUtil.parseDate` reads two-digit `yy` years relative to [`ElContext::now_ms`].
//! - Decimals render as JDK 17's `Double.toString` (checked against 20,000 doubles printed by
//!   JDK 17, including its exact-integer output such as `9.3358383954768048E16`).
//! - `Job`'s calendar methods, `JSONUtil.toString` of strings, datasets, simple variables: see
//!   `job.rs`, `json_util.rs`, `dataset.rs`, `simple_vars.rs`.
//! - Limits: expression trees deeper than [`MAX_DEPTH`], texts longer than [`MAX_TEXT_CHARS`]
//!   from one value, and rendered output longer than [`MAX_RENDERED_CHARS`] are errors.

mod arguments;
mod ast;
mod context;
mod dataset;
mod date_patterns;
mod date_util;
mod env;
mod error;
mod eval;
mod java_double;
mod java_text;
mod job;
mod json_util;
mod lexer;
mod limits;
mod loop_obj;
mod obs_util;
mod operators;
mod params;
mod parser;
mod simple_vars;
mod static_lookups;
mod string_split;
mod string_util;
mod template;
mod value;
mod value_methods;

pub use ast::{BinaryOp, Expr, ExprKind, UnaryOp};
pub use context::{ElContext, EnvLookup, LoopContext, NodeLookup, NodeLookupError, ParamLookup};
pub use dataset::{MAX_DATASET_ROWS, parse_dataset};
pub use error::ElError;
pub use eval::evaluate;
pub use java_double::java_double_to_string;
pub use job::{MAX_NODE_OUTPUT_CHARS, OUTPUT_TOO_LARGE};
pub use limits::MAX_TEXT_CHARS;
pub use params::substitute_params;
pub use parser::{MAX_DEPTH, is_keyword, parse_expression};
pub use static_lookups::{StaticEnv, StaticNodes, StaticParams};
pub use template::{TemplatePart, parse_template};
pub use value::{BuiltinObject, Value};

use crate::datefmt::LocalInstant;
use simple_vars::{SimpleVariableValues, substitute_simple_variables};

/// The longest text [`render`] produces.
pub const MAX_RENDERED_CHARS: usize = 4 * MAX_TEXT_CHARS;

/// Renders `text` (§6.2): replaces `${name}` by §6.3, then the simple variables if enabled, then
/// evaluates every `#{...}` segment left to right and splices in its rendering.
pub fn render(text: &str, ctx: &ElContext) -> Result<String, ElError> {
    let substituted = substitute_params(text, &|name: &str| ctx.resolve_name(name));
    let mut output_chars = 0usize;
    let limit_error = |position: usize| {
        ElError::new(position, format!("the rendered text would exceed {MAX_RENDERED_CHARS} characters"))
    };
    if substituted.len() > MAX_RENDERED_CHARS * 4 || substituted.chars().count() > MAX_RENDERED_CHARS {
        return Err(limit_error(0));
    }
    let expanded = if ctx.simple_variables {
        substitute_simple_variables(&substituted, &simple_variable_values(ctx))
    } else {
        substituted
    };
    let mut out = String::with_capacity(expanded.len());
    for part in parse_template(&expanded)? {
        let piece = match part {
            TemplatePart::Text(text) => text,
            TemplatePart::Expression { source, offset } => {
                let expr = parse_expression(&source).map_err(|e| e.shifted(offset))?;
                let value = evaluate(&expr, ctx).map_err(|e| e.shifted(offset))?;
                value.to_text(&ctx.service_zone).ok_or_else(|| {
                    ElError::expected(
                        offset,
                        format!("{} cannot be rendered as text", value.type_name()),
                        "a property or method of it",
                    )
                })?
            }
        };
        output_chars += piece.chars().count();
        if output_chars > MAX_RENDERED_CHARS {
            return Err(limit_error(0));
        }
        out.push_str(&piece);
    }
    Ok(out)
}

fn simple_variable_values(ctx: &ElContext) -> SimpleVariableValues {
    let local = LocalInstant::new(ctx.plan_time_ms, &ctx.service_zone);
    let local_ms = ctx.plan_time_ms.saturating_add(local.offset_seconds * 1000);
    let plan_local = chrono::DateTime::from_timestamp_millis(local_ms).unwrap_or_default().naive_utc();
    SimpleVariableValues { plan_local, job_id: ctx.job_id, instance_id: ctx.instance_id }
}

/// Evaluates an edge condition (§5.6 step 4): true when the rendered text, trimmed, equals
/// `true` ignoring case; any other text is false; errors propagate.
pub fn eval_condition(expression: &str, ctx: &ElContext) -> Result<bool, ElError> {
    Ok(crate::state::condition_is_true(&render(expression, ctx)?))
}
