//! Evaluating a syntax tree against an [`ElContext`]: names, operators, members, indexing and
//! the dispatch of method calls to the built-in objects.

use super::arguments::Args;
use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::context::ElContext;
use super::error::ElError;
use super::operators::{apply_binary, negate};
use super::parser::MAX_DEPTH;
use super::value::{BuiltinObject, Value};
use super::{date_util, env, job, json_util, loop_obj, obs_util, string_util, value_methods};

/// Evaluates `expr` in `ctx`.
pub fn evaluate(expr: &Expr, ctx: &ElContext) -> Result<Value, ElError> {
    Evaluator { ctx }.eval(expr, 0)
}

pub(crate) struct Evaluator<'c, 'a> {
    pub ctx: &'c ElContext<'a>,
}

impl Evaluator<'_, '_> {
    fn eval(&self, expr: &Expr, depth: usize) -> Result<Value, ElError> {
        if depth > MAX_DEPTH {
            return Err(ElError::new(expr.position, format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        let position = expr.position;
        let zone = &self.ctx.service_zone;
        match &expr.kind {
            ExprKind::Null => Ok(Value::Null),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Int(i) => Ok(Value::Int(*i)),
            ExprKind::Float(x) => Ok(Value::Float(*x)),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Ident(name) => self.name(name, position),
            ExprKind::Call { name, .. } => Err(ElError::new(
                position,
                format!("unknown function '{name}': call methods on Job, DateUtil, StringUtil, JSONUtil, Loop or Env"),
            )),
            ExprKind::Array(items) => {
                let values = items.iter().map(|item| self.eval(item, depth + 1)).collect::<Result<Vec<_>, _>>()?;
                Ok(Value::List(values))
            }
            ExprKind::Unary { op, operand } => {
                let value = self.eval(operand, depth + 1)?;
                match op {
                    UnaryOp::Negate => negate(&value, position),
                    UnaryOp::Not => Ok(Value::Bool(!self.truth(&value, operand.position)?)),
                    UnaryOp::Empty => Ok(Value::Bool(value.is_empty_value())),
                }
            }
            ExprKind::Binary { op: op @ (BinaryOp::And | BinaryOp::Or), lhs, rhs } => {
                let left = self.truth(&self.eval(lhs, depth + 1)?, lhs.position)?;
                if left == (*op == BinaryOp::Or) {
                    return Ok(Value::Bool(left));
                }
                Ok(Value::Bool(self.truth(&self.eval(rhs, depth + 1)?, rhs.position)?))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let left = self.eval(lhs, depth + 1)?;
                let right = self.eval(rhs, depth + 1)?;
                apply_binary(*op, &left, &right, position, zone)
            }
            ExprKind::Conditional { condition, then_branch, else_branch } => {
                if self.truth(&self.eval(condition, depth + 1)?, condition.position)? {
                    self.eval(then_branch, depth + 1)
                } else {
                    self.eval(else_branch, depth + 1)
                }
            }
            ExprKind::Member { target, name } => {
                let value = self.eval(target, depth + 1)?;
                self.member(&value, name, position)
            }
            ExprKind::Index { target, index } => {
                let value = self.eval(target, depth + 1)?;
                let key = self.eval(index, depth + 1)?;
                self.index(&value, &key, index.position)
            }
            ExprKind::MethodCall { target, name, args } => {
                let receiver = self.eval(target, depth + 1)?;
                let values = args.iter().map(|arg| self.eval(arg, depth + 1)).collect::<Result<Vec<_>, _>>()?;
                let positions: Vec<usize> = args.iter().map(|arg| arg.position).collect();
                self.call(&receiver, name, &values, &positions, position)
            }
        }
    }

    fn truth(&self, value: &Value, position: usize) -> Result<bool, ElError> {
        value.truthiness().ok_or_else(|| {
            ElError::expected(position, format!("{} is neither true nor false", value.type_name()), "a boolean")
        })
    }

    /// A bare name: a built-in object, else a parameter (§6.3) as a string, else null.
    fn name(&self, name: &str, position: usize) -> Result<Value, ElError> {
        let object = match name {
            "Job" => BuiltinObject::Job,
            "DateUtil" => BuiltinObject::DateUtil,
            "StringUtil" => BuiltinObject::StringUtil,
            "JSONUtil" => BuiltinObject::JsonUtil,
            "Env" => BuiltinObject::Env,
            "OBSUtil" => BuiltinObject::ObsUtil,
            "Loop" if self.ctx.loop_ctx.is_some() => BuiltinObject::Loop,
            "Loop" => return Ok(Value::Null),
            "NumberUtil" => {
                return Err(ElError::new(
                    position,
                    "NumberUtil does not exist in DLF EL; use the arithmetic operators + - * / %",
                ));
            }
            _ => return Ok(self.ctx.resolve_name(name).map_or(Value::Null, Value::Str)),
        };
        Ok(Value::Object(object))
    }

    fn member(&self, value: &Value, name: &str, position: usize) -> Result<Value, ElError> {
        match value {
            Value::Null => Ok(Value::Null),
            Value::Object(BuiltinObject::Job) => job::property(self.ctx, name, position),
            Value::Object(BuiltinObject::JobTrigger) => job::trigger_property(name, position),
            Value::Object(BuiltinObject::Loop) => loop_obj::property(self.ctx, name, position),
            Value::Object(object) => Err(ElError::new(position, format!("{} has no property '{name}'", object.name()))),
            Value::Map(_) => Ok(value.map_get(name).cloned().unwrap_or(Value::Null)),
            Value::Date(ms) if name == "time" => Ok(Value::Int(*ms)),
            other => Err(ElError::new(position, format!("{} has no property '{name}'", other.type_name()))),
        }
    }

    fn index(&self, value: &Value, key: &Value, position: usize) -> Result<Value, ElError> {
        match value {
            Value::Null => Ok(Value::Null),
            Value::List(items) => {
                let index = match key.as_number() {
                    Some(super::value::Number::Int(i)) => i,
                    Some(super::value::Number::Float(x)) if x.fract() == 0.0 => x as i64,
                    _ => {
                        return Err(ElError::expected(
                            position,
                            format!("a list cannot be indexed by {}", key.type_name()),
                            "an integer index",
                        ));
                    }
                };
                Ok(usize::try_from(index).ok().and_then(|i| items.get(i)).cloned().unwrap_or(Value::Null))
            }
            Value::Map(_) | Value::Object(_) => {
                let Some(name) = key.to_text(&self.ctx.service_zone) else {
                    return Err(ElError::expected(position, "invalid key", "a string key"));
                };
                self.member(value, &name, position)
            }
            other => Err(ElError::new(position, format!("{} cannot be indexed with []", other.type_name()))),
        }
    }

    fn call(
        &self,
        receiver: &Value,
        name: &str,
        values: &[Value],
        positions: &[usize],
        position: usize,
    ) -> Result<Value, ElError> {
        let owner = match receiver {
            Value::Object(object) => object.name().to_string(),
            other => other.type_name(),
        };
        let args = Args { method: format!("{owner}.{name}"), values, positions, position, zone: self.ctx.service_zone };
        match receiver {
            Value::Object(BuiltinObject::Job) => job::call(self.ctx, name, &args),
            Value::Object(BuiltinObject::DateUtil) => date_util::call(self.ctx, name, &args),
            Value::Object(BuiltinObject::StringUtil) => string_util::call(name, &args),
            Value::Object(BuiltinObject::JsonUtil) => json_util::call(name, &args),
            Value::Object(BuiltinObject::Env) => env::call(self.ctx, name, &args),
            Value::Object(BuiltinObject::ObsUtil) => obs_util::call(name, &args),
            Value::Object(object @ (BuiltinObject::Loop | BuiltinObject::JobTrigger)) => {
                Err(ElError::new(position, format!("{} has no method '{name}'", object.name())))
            }
            Value::Null => Err(ElError::expected(position, format!("cannot call '{name}' on null"), "a value")),
            other => value_methods::call(other, name, &args),
        }
    }
}

/// The error for a method an object does not have.
pub(crate) fn unknown_method(object: &str, name: &str, args: &Args) -> ElError {
    ElError::new(args.position, format!("{object} has no method '{name}' taking {} argument(s)", args.len()))
}
