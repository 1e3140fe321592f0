//! Recursive-descent parser for the grammar of JOBS.md §6.4.
//!
//! Precedence, loosest first: `?:`, `||`/`or`, `&&`/`and`, `==`/`!=`/`eq`/`ne`, relational
//! (`<` `>` `<=` `>=` and word forms), `+ -`, `* / % div mod`, unary (`- ! not empty`), postfix
//! (`.name`, `.name(args)`, `[index]`). Trees deeper than [`MAX_DEPTH`] are rejected so that
//! neither parsing nor evaluation can exhaust the stack.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::error::ElError;
use super::lexer::{Token, TokenKind, tokenize};

/// The deepest expression tree accepted (nesting of operators, calls, members and indexes).
/// Real expressions nest fewer than ten levels.
pub const MAX_DEPTH: usize = 32;

/// The deepest recursion of the parser (parentheses, unary operators, arguments, branches). It
/// is twice [`MAX_DEPTH`] so that every accepted tree, printed fully parenthesised, parses
/// again; with it parsing and evaluation stay within 2 MiB of stack even in unoptimised builds.
const MAX_RECURSION: usize = 2 * MAX_DEPTH + 1;

/// Words that are operators or literals, never names of values.
const KEYWORDS: [&str; 16] = [
    "true",
    "false",
    "null",
    "and",
    "or",
    "not",
    "empty",
    "div",
    "mod",
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "instanceof",
];

/// Whether `word` is reserved (cannot be a bare identifier).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Parses a whole expression.
pub fn parse_expression(source: &str) -> Result<Expr, ElError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser { tokens, next: 0 };
    let (expr, _) = parser.expression(0)?;
    let token = parser.peek();
    if token.kind != TokenKind::End {
        return Err(ElError::expected(
            token.position,
            format!("unexpected {}", token.kind.describe()),
            "an operator or the end of the expression",
        ));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
}

/// An expression and the depth of its tree.
type Parsed = (Expr, usize);

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.next < self.tokens.len() - 1 {
            self.next += 1;
        }
        token
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<Token, ElError> {
        let token = self.peek().clone();
        if token.kind == kind {
            return Ok(self.advance());
        }
        Err(ElError::expected(token.position, format!("unexpected {}", token.kind.describe()), what))
    }

    fn check_depth(depth: usize, position: usize) -> Result<(), ElError> {
        if depth > MAX_DEPTH {
            return Err(ElError::new(position, format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn check_recursion(level: usize, position: usize) -> Result<(), ElError> {
        if level > MAX_RECURSION {
            return Err(ElError::new(position, format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn node(kind: ExprKind, position: usize, depth: usize) -> Result<Parsed, ElError> {
        Self::check_depth(depth, position)?;
        Ok((Expr { kind, position }, depth))
    }

    /// `expr := cond`; `level` counts the recursion so far.
    fn expression(&mut self, level: usize) -> Result<Parsed, ElError> {
        Self::check_recursion(level, self.peek().position)?;
        let (condition, depth) = self.binary(0, level)?;
        if self.peek().kind != TokenKind::Question {
            return Ok((condition, depth));
        }
        self.advance();
        let (then_branch, then_depth) = self.expression(level + 1)?;
        self.expect(TokenKind::Colon, "':' of the conditional")?;
        let (else_branch, else_depth) = self.expression(level + 1)?;
        let position = condition.position;
        let kind = ExprKind::Conditional {
            condition: Box::new(condition),
            then_branch: Box::new(then_branch),
            else_branch: Box::new(else_branch),
        };
        Self::node(kind, position, 1 + depth.max(then_depth).max(else_depth))
    }

    /// The binary operator at the current token, if any.
    fn binary_operator(&self) -> Option<BinaryOp> {
        let kind = &self.peek().kind;
        let word = match kind {
            TokenKind::Word(w) => w.as_str(),
            _ => "",
        };
        let op = match (kind, word) {
            (TokenKind::OrOr, _) | (_, "or") => BinaryOp::Or,
            (TokenKind::AndAnd, _) | (_, "and") => BinaryOp::And,
            (TokenKind::EqEq, _) | (_, "eq") => BinaryOp::Eq,
            (TokenKind::BangEq, _) | (_, "ne") => BinaryOp::Ne,
            (TokenKind::Less, _) | (_, "lt") => BinaryOp::Lt,
            (TokenKind::Greater, _) | (_, "gt") => BinaryOp::Gt,
            (TokenKind::LessEq, _) | (_, "le") => BinaryOp::Le,
            (TokenKind::GreaterEq, _) | (_, "ge") => BinaryOp::Ge,
            (TokenKind::Plus, _) => BinaryOp::Add,
            (TokenKind::Minus, _) => BinaryOp::Sub,
            (TokenKind::Star, _) => BinaryOp::Mul,
            (TokenKind::Slash, _) | (_, "div") => BinaryOp::Div,
            (TokenKind::Percent, _) | (_, "mod") => BinaryOp::Mod,
            _ => return None,
        };
        Some(op)
    }

    /// Left-associative binary operators binding at least as tightly as `min_tier`
    /// (precedence climbing: one stack frame per nesting level, not one per tier).
    fn binary(&mut self, min_tier: usize, level: usize) -> Result<Parsed, ElError> {
        let (mut lhs, mut depth) = self.unary(level)?;
        while let Some(op) = self.binary_operator().filter(|op| tier_of(*op) >= min_tier) {
            self.advance();
            // Recursion here is bounded by the number of precedence tiers.
            let (rhs, rhs_depth) = self.binary(tier_of(op) + 1, level)?;
            let position = lhs.position;
            let kind = ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) };
            (lhs, depth) = Self::node(kind, position, 1 + depth.max(rhs_depth))?;
        }
        Ok((lhs, depth))
    }

    fn unary(&mut self, level: usize) -> Result<Parsed, ElError> {
        let token = self.peek().clone();
        let op = match &token.kind {
            TokenKind::Minus => Some(UnaryOp::Negate),
            TokenKind::Bang => Some(UnaryOp::Not),
            TokenKind::Word(w) if w == "not" => Some(UnaryOp::Not),
            TokenKind::Word(w) if w == "empty" => Some(UnaryOp::Empty),
            _ => None,
        };
        let Some(op) = op else {
            return self.postfix(level);
        };
        self.advance();
        Self::check_recursion(level + 1, token.position)?;
        let (operand, depth) = self.unary(level + 1)?;
        Self::node(ExprKind::Unary { op, operand: Box::new(operand) }, token.position, depth + 1)
    }

    fn postfix(&mut self, level: usize) -> Result<Parsed, ElError> {
        let (mut target, mut depth) = self.primary(level)?;
        loop {
            let token = self.peek().clone();
            match token.kind {
                TokenKind::Dot => {
                    self.advance();
                    let name_token = self.advance();
                    let TokenKind::Word(name) = name_token.kind else {
                        return Err(ElError::expected(
                            name_token.position,
                            format!("unexpected {}", name_token.kind.describe()),
                            "a property or method name after '.'",
                        ));
                    };
                    let position = target.position;
                    if self.peek().kind == TokenKind::LParen {
                        let (args, args_depth) = self.arguments(level)?;
                        let kind = ExprKind::MethodCall { target: Box::new(target), name, args };
                        (target, depth) = Self::node(kind, position, 1 + depth.max(args_depth))?;
                    } else {
                        let kind = ExprKind::Member { target: Box::new(target), name };
                        (target, depth) = Self::node(kind, position, depth + 1)?;
                    }
                }
                TokenKind::LBracket => {
                    self.advance();
                    let (index, index_depth) = self.expression(level + 1)?;
                    self.expect(TokenKind::RBracket, "']'")?;
                    let position = target.position;
                    let kind = ExprKind::Index { target: Box::new(target), index: Box::new(index) };
                    (target, depth) = Self::node(kind, position, 1 + depth.max(index_depth))?;
                }
                _ => return Ok((target, depth)),
            }
        }
    }

    /// `"(" args? ")"`; returns the arguments and their greatest depth.
    fn arguments(&mut self, level: usize) -> Result<(Vec<Expr>, usize), ElError> {
        self.expect(TokenKind::LParen, "'('")?;
        self.list_until(TokenKind::RParen, "',' or ')'", level)
    }

    /// Comma-separated expressions up to and including `close`.
    fn list_until(&mut self, close: TokenKind, what: &str, level: usize) -> Result<(Vec<Expr>, usize), ElError> {
        let mut items = Vec::new();
        let mut depth = 0;
        if self.peek().kind == close {
            self.advance();
            return Ok((items, depth));
        }
        loop {
            let (item, item_depth) = self.expression(level + 1)?;
            items.push(item);
            depth = depth.max(item_depth);
            let token = self.advance();
            if token.kind == close {
                return Ok((items, depth));
            }
            if token.kind != TokenKind::Comma {
                return Err(ElError::expected(token.position, format!("unexpected {}", token.kind.describe()), what));
            }
        }
    }

    fn primary(&mut self, level: usize) -> Result<Parsed, ElError> {
        let token = self.advance();
        let position = token.position;
        let kind = match token.kind {
            TokenKind::Int(i) => ExprKind::Int(i),
            TokenKind::Float(x) => ExprKind::Float(x),
            TokenKind::Str(s) => ExprKind::Str(s),
            TokenKind::Word(w) => match w.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                "null" => ExprKind::Null,
                word if is_keyword(word) => {
                    return Err(ElError::expected(position, format!("unexpected '{word}'"), "a value"));
                }
                _ if self.peek().kind == TokenKind::LParen => {
                    let (args, depth) = self.arguments(level)?;
                    return Self::node(ExprKind::Call { name: w, args }, position, depth + 1);
                }
                _ => ExprKind::Ident(w),
            },
            TokenKind::LParen => {
                let inner = self.expression(level + 1)?;
                self.expect(TokenKind::RParen, "')'")?;
                return Ok(inner);
            }
            TokenKind::LBracket => {
                let (items, depth) = self.list_until(TokenKind::RBracket, "',' or ']'", level)?;
                return Self::node(ExprKind::Array(items), position, depth + 1);
            }
            other => {
                return Err(ElError::expected(position, format!("unexpected {}", other.describe()), "a value"));
            }
        };
        Ok((Expr { kind, position }, 1))
    }
}

/// Precedence tier of a binary operator: 0 binds loosest.
fn tier_of(op: BinaryOp) -> usize {
    match op {
        BinaryOp::Or => 0,
        BinaryOp::And => 1,
        BinaryOp::Eq | BinaryOp::Ne => 2,
        BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => 3,
        BinaryOp::Add | BinaryOp::Sub => 4,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(source: &str) -> String {
        parse_expression(source).unwrap().to_string()
    }

    #[test]
    fn precedence_follows_the_grammar() {
        assert_eq!(shape("1 + 2 * 3 > 6 && !x || y"), "((((1 + (2 * 3)) > 6) && !x) || y)");
        assert_eq!(shape("a ? b : c ? d : e"), "(a ? b : (c ? d : e))");
        assert_eq!(shape("10 div 4 mod 3 eq 1 and not empty z"), "((((10 / 4) % 3) == 1) && !empty z)");
    }

    #[test]
    fn unary_targets_of_postfix_are_printed_in_parentheses() {
        assert_eq!(shape("(-x).y - -1"), "((-x).y - -1)");
        assert_eq!(shape("-x.y"), "-x.y");
    }

    #[test]
    fn every_accepted_tree_prints_to_source_that_parses_again() {
        // Found by the fuzzer: a long unary chain printed with parentheses nested too deep.
        let source = "N+Utini-------------------------d-wwz";
        let ast = parse_expression(source).unwrap();
        assert_eq!(parse_expression(&ast.to_string()).unwrap(), ast);
        let deepest = format!("{}x{}", "f(".repeat(MAX_DEPTH - 1), ")".repeat(MAX_DEPTH - 1));
        let ast = parse_expression(&deepest).unwrap();
        assert_eq!(parse_expression(&ast.to_string()).unwrap(), ast);
    }

    #[test]
    fn postfix_chains() {
        assert_eq!(shape("DateUtil.format(Job.planTime, 'yyyy')[0].x"), "DateUtil.format(Job.planTime, \"yyyy\")[0].x");
    }

    #[test]
    fn errors_say_what_was_expected() {
        let err = parse_expression("(1 + 2").unwrap_err();
        assert_eq!((err.position, err.expected.as_deref()), (6, Some("')'")));
        let err = parse_expression("a ?. b").unwrap_err();
        assert_eq!(err.position, 2);
        assert!(parse_expression("").is_err());
        assert!(parse_expression("1 2").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "(".repeat(10_000) + "1" + &")".repeat(10_000);
        assert!(parse_expression(&deep).unwrap_err().message.contains("nested deeper"));
        let long_chain = vec!["1"; 10_000].join("+");
        assert!(parse_expression(&long_chain).is_err());
        let unary = "-".repeat(10_000) + "1";
        assert!(parse_expression(&unary).is_err());
    }
}
