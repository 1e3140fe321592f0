//! The syntax tree of an expression, and its printing back to source.
//!
//! `Display` prints source that parses back to an equal tree (the round-trip property test and
//! the fuzz target rely on it): binary and conditional expressions in parentheses, unary ones
//! bare unless they are the target of `.`/`[]`. Equality ignores positions: they are
//! diagnostics, not meaning.

use std::fmt;

/// One expression node and the character offset where it starts.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    /// Character offset in the parsed text.
    pub position: usize,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// What an expression node is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A bare name: a built-in object (`Job`, `DateUtil`, …) or a parameter.
    Ident(String),
    /// `name(args)` without a target (no such functions exist; evaluating one is an error).
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// `target.name`
    Member {
        target: Box<Expr>,
        name: String,
    },
    /// `target.name(args)`
    MethodCall {
        target: Box<Expr>,
        name: String,
        args: Vec<Expr>,
    },
    /// `target[index]`
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `[a, b, …]`
    Array(Vec<Expr>),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `condition ? then_branch : else_branch`
    Conditional {
        condition: Box<Expr>,
        then_branch: Box<Expr>,
        else_branch: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Negate,
    /// `!` / `not`
    Not,
    /// `empty`
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    /// The symbol form (word forms such as `div` print as their symbol).
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Gt => ">",
            BinaryOp::Le => "<=",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Negate => "-",
            UnaryOp::Not => "!",
            UnaryOp::Empty => "empty ",
        }
    }
}

/// Writes `text` as a double-quoted EL string literal.
pub(crate) fn write_string_literal(f: &mut impl fmt::Write, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            other => f.write_char(other)?,
        }
    }
    f.write_char('"')
}

fn write_args(f: &mut fmt::Formatter<'_>, args: &[Expr]) -> fmt::Result {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{arg}")?;
    }
    Ok(())
}

/// The target of `.`/`[]`: a unary expression needs parentheses there (`(-x).y`).
fn write_target(f: &mut fmt::Formatter<'_>, target: &Expr) -> fmt::Result {
    match target.kind {
        ExprKind::Unary { .. } => write!(f, "({target})"),
        _ => write!(f, "{target}"),
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Null => f.write_str("null"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Float(x) => write!(f, "{x:?}"),
            ExprKind::Str(s) => write_string_literal(f, s),
            ExprKind::Ident(name) => f.write_str(name),
            ExprKind::Call { name, args } => {
                write!(f, "{name}(")?;
                write_args(f, args)?;
                f.write_str(")")
            }
            ExprKind::Member { target, name } => {
                write_target(f, target)?;
                write!(f, ".{name}")
            }
            ExprKind::MethodCall { target, name, args } => {
                write_target(f, target)?;
                write!(f, ".{name}(")?;
                write_args(f, args)?;
                f.write_str(")")
            }
            ExprKind::Index { target, index } => {
                write_target(f, target)?;
                write!(f, "[{index}]")
            }
            ExprKind::Array(items) => {
                f.write_str("[")?;
                write_args(f, items)?;
                f.write_str("]")
            }
            ExprKind::Unary { op, operand } => write!(f, "{}{operand}", op.symbol()),
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({lhs} {} {rhs})", op.symbol()),
            ExprKind::Conditional { condition, then_branch, else_branch } => {
                write!(f, "({condition} ? {then_branch} : {else_branch})")
            }
        }
    }
}
