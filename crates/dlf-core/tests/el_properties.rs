//! Property tests: printed expressions parse back to the same tree, evaluation and rendering
//! never panic.

mod el_support;

use dlf_core::el::{BinaryOp, Expr, ExprKind, UnaryOp, evaluate, is_keyword, parse_expression, parse_template};
use el_support::Fixture;
use proptest::prelude::*;

fn node(kind: ExprKind) -> Expr {
    Expr { kind, position: 0 }
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Job".to_string()),
        Just("DateUtil".to_string()),
        Just("StringUtil".to_string()),
        Just("JSONUtil".to_string()),
        Just("Loop".to_string()),
        Just("Env".to_string()),
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
    ]
    .prop_filter("not a keyword", |n| !is_keyword(n))
}

fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("planTime".to_string()),
        Just("format".to_string()),
        Just("addDays".to_string()),
        Just("split".to_string()),
        Just("current".to_string()),
        Just("path".to_string()),
        Just("getNodeOutput".to_string()),
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        Just(node(ExprKind::Null)),
        any::<bool>().prop_map(|b| node(ExprKind::Bool(b))),
        (0i64..=i64::MAX).prop_map(|i| node(ExprKind::Int(i))),
        (0.0f64..1e300).prop_map(|x| node(ExprKind::Float(x))),
        any::<String>().prop_map(|s| node(ExprKind::Str(s))),
        "[ -~]{0,12}".prop_map(|s| node(ExprKind::Str(s))),
        Just(node(ExprKind::Str("yyyy-MM-dd".into()))),
        name().prop_map(|n| node(ExprKind::Ident(n))),
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    prop_oneof![
        Just(BinaryOp::Or),
        Just(BinaryOp::And),
        Just(BinaryOp::Eq),
        Just(BinaryOp::Ne),
        Just(BinaryOp::Lt),
        Just(BinaryOp::Gt),
        Just(BinaryOp::Le),
        Just(BinaryOp::Ge),
        Just(BinaryOp::Add),
        Just(BinaryOp::Sub),
        Just(BinaryOp::Mul),
        Just(BinaryOp::Div),
        Just(BinaryOp::Mod),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 64, 4, |inner| {
        let boxed = || inner.clone().prop_map(Box::new);
        prop_oneof![
            (name(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(name, args)| node(ExprKind::Call { name, args })),
            (boxed(), member_name()).prop_map(|(target, name)| node(ExprKind::Member { target, name })),
            (boxed(), member_name(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(target, name, args)| node(ExprKind::MethodCall { target, name, args })),
            (boxed(), boxed()).prop_map(|(target, index)| node(ExprKind::Index { target, index })),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| node(ExprKind::Array(items))),
            (prop_oneof![Just(UnaryOp::Negate), Just(UnaryOp::Not), Just(UnaryOp::Empty)], boxed())
                .prop_map(|(op, operand)| node(ExprKind::Unary { op, operand })),
            (binary_op(), boxed(), boxed()).prop_map(|(op, lhs, rhs)| node(ExprKind::Binary { op, lhs, rhs })),
            (boxed(), boxed(), boxed()).prop_map(|(condition, then_branch, else_branch)| node(ExprKind::Conditional {
                condition,
                then_branch,
                else_branch
            })),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn printed_expressions_parse_back_to_the_same_tree(ast in expr()) {
        let printed = ast.to_string();
        let parsed = parse_expression(&printed);
        prop_assert!(parsed.is_ok(), "{printed}: {:?}", parsed);
        prop_assert_eq!(parsed.unwrap(), ast, "{}", printed);
    }

    #[test]
    fn evaluation_is_total(ast in expr()) {
        let fixture = Fixture::new();
        let _ = evaluate(&ast, &fixture.ctx());
    }

    #[test]
    fn evaluation_is_total_inside_a_loop(ast in expr()) {
        let fixture = Fixture::new().in_loop(vec![vec!["a".into(), "1".into()], vec!["b".into()]], 1);
        let _ = evaluate(&ast, &fixture.ctx());
    }

    #[test]
    fn render_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = Fixture::new().render(&text);
        let _ = parse_template(&text);
    }

    #[test]
    fn render_never_panics_on_template_like_text(text in r#"([a-z ]|\$\{[a-z]{0,4}\}|#\{|\}|'|"|\$\[[a-z0-9+-/]{0,8}\]|[(),.+*/%<>=!?:]|StringUtil|DateUtil|Job|[0-9]){0,40}"#) {
        let mut fixture = Fixture::new();
        fixture.simple_variables = true;
        let _ = fixture.render(&text);
    }
}
