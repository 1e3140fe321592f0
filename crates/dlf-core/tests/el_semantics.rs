//! The coercions, errors and limits of JOBS.md §6.4 and the decisions recorded in `el/mod.rs`.

mod el_support;

use dlf_core::el::{ElError, MAX_TEXT_CHARS, Value, parse_expression, substitute_params};
use el_support::Fixture;

fn err(text: &str) -> ElError {
    Fixture::new().render(text).expect_err(text)
}

#[test]
fn arithmetic_converts_numeric_strings_except_for_plus() {
    let f = Fixture::new().with_param("five", " 5 ");
    assert_eq!(f.ok("#{five * 2} #{five - 1} #{five / 2} #{five % 2} #{-five}"), "10 4 2.5 1 -5");
    assert_eq!(f.ok("#{'1' + '2'} #{1 + 2.5} #{'a' + null + 1}"), "12 3.5 a1");
}

#[test]
fn integer_division_is_decimal_unless_exact_and_overflow_becomes_decimal() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{7 / 2} #{8 / 2} #{-7 % 3} #{7.5 % 2}"), "3.5 4 -1 1.5");
    assert_eq!(f.ok("#{9223372036854775807 + 1}"), "9.223372036854776E18");
    assert_eq!(f.ok("#{1.0 / 0}"), "Infinity");
    assert!(err("#{1 / 0}").message.contains("division by zero"));
    assert!(err("#{1 % 0}").message.contains("by zero"));
}

#[test]
fn non_numbers_in_arithmetic_are_errors_with_positions() {
    let e = err("ab #{'x' * 2}");
    assert_eq!((e.position, e.expected.as_deref()), (5, Some("a number")));
    assert!(err("#{missing - 1}").message.contains("null"));
}

#[test]
fn comparisons() {
    let f = Fixture::new();
    assert_eq!(
        f.ok("#{'05' == 5} #{'10' > '9'} #{'b' > 'a'} #{null == null} #{null == ''} #{null < 1}"),
        "true true true true false false"
    );
    assert_eq!(
        f.ok("#{true == 'true'} #{1 == 1.0} #{[1,2] == [1,2]} #{Job.planTime < DateUtil.now()}"),
        "true true true true"
    );
    assert!(err("#{[1] < [2]}").message.contains("cannot order"));
}

#[test]
fn truthiness_accepts_booleans_and_true_false_strings_only() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{'TRUE' ? 1 : 2} #{!'false'} #{'true' && 'False'}"), "1 true false");
    let e = err("#{1 ? 'a' : 'b'}");
    assert_eq!(e.expected.as_deref(), Some("a boolean"));
    assert!(err("#{!'yes'}").message.contains("neither true nor false"));
}

#[test]
fn logical_operators_short_circuit() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{false && 1/0 == 1} #{true || NumberUtil}"), "false true");
}

#[test]
fn empty_is_true_for_null_empty_text_and_empty_collections() {
    let f = Fixture::new();
    assert_eq!(
        f.ok("#{empty null} #{empty ''} #{empty []} #{empty JSONUtil.parse('{}')} #{empty 0} #{empty ' '}"),
        "true true true true false false"
    );
}

#[test]
fn members_and_indexes() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{JSONUtil.parse('{\"a\":{\"b\":[10,20]}}').a.b[1]}"), "20");
    assert_eq!(f.ok("#{JSONUtil.parse('{\"a.b\":1}')['a.b']}"), "1");
    assert_eq!(f.ok("[#{[1,2][5]}][#{[1,2][-1]}][#{null.x}][#{null[0]}]"), "[][][][]");
    assert_eq!(f.ok("#{Job['name']} #{Job.planTime.time} #{[1,2,3]['1']}"), "daily_job 1537894800000 2");
    assert!(err("#{'abc'[0]}").message.contains("cannot be indexed"));
    assert!(err("#{[1][true]}").message.contains("cannot be indexed by"));
}

#[test]
fn java_methods_on_plain_values() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{Job.getPlanTime('yyyyMMdd').substring(2, 6)} #{'abc'.length()} #{' x '.trim()}|#{'a-b'.replace('-', '+')}"), "1809 3 x|a+b");
    assert_eq!(f.ok("#{StringUtil.split('a,b', ',').size()} #{DateUtil.now().getTime() > 0}"), "2 true");
    assert!(err("#{'abc'.substring(5)}").message.contains("out of bounds"));
    assert!(err("#{null.length()}").message.contains("on null"));
}

#[test]
fn unknown_names_are_errors_that_name_them() {
    assert!(err("#{DateUtil.tomorrow()}").message.contains("'tomorrow'"));
    assert!(err("#{StringUtil.split()}").message.contains("'split' taking 0"));
    assert!(err("#{Job.nope}").message.contains("'nope'"));
    assert!(err("#{foo(1)}").message.contains("'foo'"));
    assert!(err("#{Job}").message.contains("cannot be rendered"));
}

#[test]
fn wrong_argument_types_point_at_the_argument() {
    let e = err("#{DateUtil.format('2024-01-01', 'yyyy')}");
    assert_eq!((e.position, e.expected.as_deref()), (18, Some("a date")));
    let e = err("#{DateUtil.format(Job.planTime, 'yyyy-MM-ddTHH')}");
    assert!(e.message.contains("Illegal pattern character 'T'"), "{e}");
    assert!(err("#{DateUtil.addDays(Job.planTime, 'x')}").message.contains("argument 2"));
    assert!(
        err("#{DateUtil.formatWithTimeZone(Job.planTime, 'HH', 'Mars/Base')}").message.contains("unknown time zone")
    );
}

#[test]
fn int_arguments_accept_numeric_strings() {
    let f = Fixture::new().with_param("offset", "-1");
    assert_eq!(f.ok("#{DateUtil.format(DateUtil.addDays(Job.planTime, offset), 'MMdd')}"), "0925");
}

#[test]
fn syntax_errors_carry_position_and_expectation() {
    let e = err("abc #{(1 + 2}");
    assert_eq!((e.position, e.expected.as_deref()), (12, Some("')'")));
    assert_eq!(e.to_string(), "at position 12: unexpected end of expression (expected ')')");
    let e = err("x #{1 + }");
    assert_eq!((e.position, e.expected.as_deref()), (8, Some("a value")));
    let e = err("#{'open}");
    assert!(e.message.contains("never closed"), "{e}");
    assert!(err("#{a = 1}").expected.as_deref() == Some("'=='"));
    assert!(err("#{a & b}").expected.as_deref() == Some("'&&'"));
}

#[test]
fn errors_never_render_partial_output() {
    assert!(Fixture::new().render("ok #{1} then #{1/0}").is_err());
}

#[test]
fn deep_nesting_is_rejected_without_exhausting_the_stack() {
    let run = || {
        let f = Fixture::new();
        let nested = format!("#{{{}1{}}}", "(".repeat(5000), ")".repeat(5000));
        assert!(f.render(&nested).unwrap_err().message.contains("nested deeper"));
        let chain = format!("#{{{}}}", vec!["1"; 5000].join("+"));
        assert!(f.render(&chain).is_err());
        let negations = format!("#{{{}true}}", "!".repeat(5000));
        assert!(f.render(&negations).is_err());
        let calls = format!("#{{{}'x'{}}}", "StringUtil.trim(".repeat(500), ")".repeat(500));
        assert!(f.render(&calls).is_err());
        let just_inside = format!("#{{{}1{}}}", "(".repeat(64), ")".repeat(64));
        assert_eq!(f.ok(&just_inside), "1");
        let deep_ok = format!("#{{{}'x'{}}}", "StringUtil.trim(".repeat(31), ")".repeat(31));
        assert_eq!(f.ok(&deep_ok), "x");
    };
    // A small stack, smaller than any thread the engine or the tests run on.
    std::thread::Builder::new().stack_size(1024 * 1024).spawn(run).unwrap().join().unwrap();
}

#[test]
fn huge_results_are_errors_not_allocations() {
    let f = Fixture::new();
    assert!(f.render("#{StringUtil.repeat('ab', 2000000000)}").unwrap_err().message.contains("limit"));
    assert!(f.render("#{StringUtil.leftPad('a', 9000000000, 'xy')}").is_err());
    assert!(f.render("#{StringUtil.rightPad('a', 5000000)}").is_err());
    let big = format!("#{{StringUtil.repeat('x', {MAX_TEXT_CHARS})}}");
    assert_eq!(f.ok(&big).len(), MAX_TEXT_CHARS);
    let doubled = format!("#{{StringUtil.repeat('x', {MAX_TEXT_CHARS}) + 'y'}}");
    assert!(f.render(&doubled).is_err());
    let many = format!("#{{StringUtil.repeat('x', {MAX_TEXT_CHARS})}}").repeat(5);
    assert!(f.render(&many).is_err());
    assert!(
        f.render("#{StringUtil.replace(StringUtil.repeat('a', 100000), 'a', StringUtil.repeat('b', 100))}").is_err()
    );
}

#[test]
fn dates_out_of_range_are_errors() {
    assert!(err("#{DateUtil.addDays(Job.planTime, 9223372036854775807)}").message.contains("out of range"));
    assert!(err("#{DateUtil.addHours(Job.planTime, 9223372036854775807)}").message.contains("out of range"));
    assert!(err("#{DateUtil.addMonths(Job.planTime, -9223372036854775807)}").message.contains("out of range"));
}

#[test]
fn substitute_params_alone() {
    let lookup = |name: &str| (name == "x").then(|| "1".to_string());
    assert_eq!(substitute_params("${x}${y}${x", &lookup), "1${y}${x");
}

#[test]
fn parse_display_round_trip_of_doc_expressions() {
    for source in [
        r#"DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyy-MM-dd")"#,
        r#"Job.getNodeStatus("test") == "success" ? "true" : "false""#,
        "empty a ? 'default' : a",
        "Loop.dataArray[1][0]",
        r#"StringUtil.split(StringUtil.split(Job.getNodeOutput("n"),"]")[0],"\"")[0]"#,
        "10 div 4 mod 3 eq 1 and not (x lt 2) or y ge 1e-7",
    ] {
        let ast = parse_expression(source).unwrap();
        assert_eq!(parse_expression(&ast.to_string()).unwrap(), ast, "{source} -> {ast}");
    }
}

#[test]
fn values_of_json_keep_types() {
    let f = Fixture::new();
    assert_eq!(
        f.eval("JSONUtil.parse('[1, 1.5, \"s\", true, null]')").unwrap(),
        Value::List(vec![Value::Int(1), Value::Float(1.5), Value::Str("s".into()), Value::Bool(true), Value::Null])
    );
    assert!(f.eval("JSONUtil.parse('{bad')").unwrap_err().message.contains("invalid JSON"));
}
