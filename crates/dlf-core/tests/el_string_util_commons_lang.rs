//! `StringUtil` against Apache Commons Lang 3.12 `StringUtils`: every expected value below was
//! printed by Java calling the same method with the same arguments (`N` = null, `S:` string,
//! `B:` boolean, `I:` int, `A:` array with elements separated by U+0001).

mod el_support;

use dlf_core::el::Value;
use el_support::Fixture;

const COMMONS_LANG_VECTORS: &[(&str, &str)] = &[
    (r#"StringUtil.isEmpty("")"#, r#"B:true"#),
    (r#"StringUtil.isEmpty(null)"#, r#"B:true"#),
    (r#"StringUtil.isEmpty(" ")"#, r#"B:false"#),
    (r#"StringUtil.isNotEmpty("a")"#, r#"B:true"#),
    (r#"StringUtil.isBlank(" \t\n")"#, r#"B:true"#),
    (r#"StringUtil.isBlank(null)"#, r#"B:true"#),
    (r#"StringUtil.isBlank(" ")"#, r#"B:false"#),
    (r#"StringUtil.isNotBlank(" x ")"#, r#"B:true"#),
    (r#"StringUtil.equals("a","a")"#, r#"B:true"#),
    (r#"StringUtil.equals(null,null)"#, r#"B:true"#),
    (r#"StringUtil.equals("a",null)"#, r#"B:false"#),
    (r#"StringUtil.equalsIgnoreCase("ABC","abc")"#, r#"B:true"#),
    (r#"StringUtil.equalsIgnoreCase(null,"a")"#, r#"B:false"#),
    (r#"StringUtil.contains("abc","b")"#, r#"B:true"#),
    (r#"StringUtil.contains(null,"b")"#, r#"B:false"#),
    (r#"StringUtil.contains("abc","")"#, r#"B:true"#),
    (r#"StringUtil.containsIgnoreCase("ABC","b")"#, r#"B:true"#),
    (r#"StringUtil.containsIgnoreCase("abc",null)"#, r#"B:false"#),
    (r#"StringUtil.startsWith("abc","ab")"#, r#"B:true"#),
    (r#"StringUtil.startsWith(null,null)"#, r#"B:true"#),
    (r#"StringUtil.startsWith("abc",null)"#, r#"B:false"#),
    (r#"StringUtil.startsWith("ab","abc")"#, r#"B:false"#),
    (r#"StringUtil.endsWith("abc","bc")"#, r#"B:true"#),
    (r#"StringUtil.endsWith("abc","")"#, r#"B:true"#),
    (r#"StringUtil.isNumeric("123")"#, r#"B:true"#),
    (r#"StringUtil.isNumeric("12.3")"#, r#"B:false"#),
    (r#"StringUtil.isNumeric("")"#, r#"B:false"#),
    (r#"StringUtil.isNumeric("-1")"#, r#"B:false"#),
    (r#"StringUtil.isNumeric("٣")"#, r#"B:true"#),
    (r#"StringUtil.isAlpha("abc")"#, r#"B:true"#),
    (r#"StringUtil.isAlpha("ab1")"#, r#"B:false"#),
    (r#"StringUtil.isAlpha("")"#, r#"B:false"#),
    (r#"StringUtil.isAlpha("日本")"#, r#"B:true"#),
    (r#"StringUtil.substring("abcdef",2)"#, r#"S:cdef"#),
    (r#"StringUtil.substring("abcdef",-2)"#, r#"S:ef"#),
    (r#"StringUtil.substring("abcdef",10)"#, r#"S:"#),
    (r#"StringUtil.substring("abcdef",1,3)"#, r#"S:bc"#),
    (r#"StringUtil.substring("abcdef",-4,-1)"#, r#"S:cde"#),
    (r#"StringUtil.substring("abcdef",4,2)"#, r#"S:"#),
    (r#"StringUtil.substring("abcdef",-100,100)"#, r#"S:abcdef"#),
    (r#"StringUtil.substring(null,1)"#, r#"N"#),
    (r#"StringUtil.left("abc",2)"#, r#"S:ab"#),
    (r#"StringUtil.left("abc",-1)"#, r#"S:"#),
    (r#"StringUtil.left("abc",5)"#, r#"S:abc"#),
    (r#"StringUtil.right("abc",2)"#, r#"S:bc"#),
    (r#"StringUtil.right("abc",0)"#, r#"S:"#),
    (r#"StringUtil.right("abc",9)"#, r#"S:abc"#),
    (r#"StringUtil.mid("abcdef",2,3)"#, r#"S:cde"#),
    (r#"StringUtil.mid("abcdef",-1,2)"#, r#"S:ab"#),
    (r#"StringUtil.mid("abcdef",9,2)"#, r#"S:"#),
    (r#"StringUtil.mid("abcdef",4,9)"#, r#"S:ef"#),
    (r#"StringUtil.mid("abc",0,-1)"#, r#"S:"#),
    (r#"StringUtil.substringBefore("No.0010",".")"#, r#"S:No"#),
    (r#"StringUtil.substringBefore("abc","")"#, r#"S:"#),
    (r#"StringUtil.substringBefore("abc","x")"#, r#"S:abc"#),
    (r#"StringUtil.substringBefore("",null)"#, r#"S:"#),
    (r#"StringUtil.substringBefore("abc",null)"#, r#"S:abc"#),
    (r#"StringUtil.substringAfter("No.0010",".")"#, r#"S:0010"#),
    (r#"StringUtil.substringAfter("abc","")"#, r#"S:abc"#),
    (r#"StringUtil.substringAfter("abc","x")"#, r#"S:"#),
    (r#"StringUtil.substringAfter("abc",null)"#, r#"S:"#),
    (r#"StringUtil.substringAfter("",null)"#, r#"S:"#),
    (r#"StringUtil.substringBeforeLast("a.b.c",".")"#, r#"S:a.b"#),
    (r#"StringUtil.substringBeforeLast("abc","")"#, r#"S:abc"#),
    (r#"StringUtil.substringBeforeLast("abc","x")"#, r#"S:abc"#),
    (r#"StringUtil.substringAfterLast("a.b.c",".")"#, r#"S:c"#),
    (r#"StringUtil.substringAfterLast("abc.",".")"#, r#"S:"#),
    (r#"StringUtil.substringAfterLast("abc","")"#, r#"S:"#),
    (r#"StringUtil.substringAfterLast("abc","x")"#, r#"S:"#),
    (r#"StringUtil.substringAfterLast("abc",null)"#, r#"S:"#),
    (r#"StringUtil.substringBetween("<a>x<a>","<a>")"#, r#"S:x"#),
    (
        r#"StringUtil.substringBetween("yabcz","y","z")"#,
        r#"S:abc"#,
    ),
    (r#"StringUtil.substringBetween("yabcz","y","q")"#, r#"N"#),
    (r#"StringUtil.substringBetween("abc","","")"#, r#"S:"#),
    (r#"StringUtil.substringBetween(null,"a")"#, r#"N"#),
    (r#"StringUtil.split("a b  c ")"#, r#"A:abc"#),
    (r#"StringUtil.split("No,0020",",")"#, r#"A:No0020"#),
    (r#"StringUtil.split("a..b.c.",".")"#, r#"A:abc"#),
    (r#"StringUtil.split("ab:cd:ef",":",2)"#, r#"A:abcd:ef"#),
    (r#"StringUtil.split("ab:cd:ef",":",0)"#, r#"A:abcdef"#),
    (r#"StringUtil.split("",",")"#, r#"A:"#),
    (r#"StringUtil.split("a,b;c",",;")"#, r#"A:abc"#),
    (r#"StringUtil.split("abc",null)"#, r#"A:abc"#),
    (r#"StringUtil.split("[[\"000\"]]","]")"#, r#"A:[["000""#),
    (r#"StringUtil.split("a  b c","  ",2)"#, r#"A:ab c"#),
    (
        r#"StringUtil.splitByWholeSeparator("ab-!-cd-!--!-ef","-!-")"#,
        r#"A:abcdef"#,
    ),
    (
        r#"StringUtil.splitByWholeSeparator("a,b,",",")"#,
        r#"A:ab"#,
    ),
    (
        r#"StringUtil.splitByWholeSeparator(",a,,b",",")"#,
        r#"A:ab"#,
    ),
    (
        r#"StringUtil.splitByWholeSeparator("ab:cd:ef",":",2)"#,
        r#"A:abcd:ef"#,
    ),
    (
        r#"StringUtil.splitByWholeSeparator("a b",null)"#,
        r#"A:ab"#,
    ),
    (r#"StringUtil.splitByWholeSeparator("a b","")"#, r#"A:ab"#),
    (r#"StringUtil.splitByWholeSeparator("",",")"#, r#"A:"#),
    (r#"StringUtil.trim("  a b \t")"#, r#"S:a b"#),
    (r#"StringUtil.trim(null)"#, r#"N"#),
    (r#"StringUtil.strip("  a b 　")"#, r#"S:a b"#),
    (r#"StringUtil.strip("xxaxx","x")"#, r#"S:a"#),
    (r#"StringUtil.strip("  a  ",null)"#, r#"S:a"#),
    (r#"StringUtil.stripStart("yxabcxy","xy")"#, r#"S:abcxy"#),
    (r#"StringUtil.stripEnd("yxabcxy","xy")"#, r#"S:yxabc"#),
    (r#"StringUtil.trimToNull("   ")"#, r#"N"#),
    (r#"StringUtil.trimToEmpty(null)"#, r#"S:"#),
    (r#"StringUtil.replace("aba","a","z")"#, r#"S:zbz"#),
    (r#"StringUtil.replace("aba","","z")"#, r#"S:aba"#),
    (r#"StringUtil.replace("aba","a",null)"#, r#"S:aba"#),
    (r#"StringUtil.replace("abaa","a","zz",2)"#, r#"S:zzbzza"#),
    (r#"StringUtil.replaceOnce("aba","a","z")"#, r#"S:zba"#),
    (r#"StringUtil.remove("queued","ue")"#, r#"S:qd"#),
    (r#"StringUtil.remove("queued","")"#, r#"S:queued"#),
    (
        r#"StringUtil.removeStart("www.domain.com","www.")"#,
        r#"S:domain.com"#,
    ),
    (
        r#"StringUtil.removeEnd("www.domain.com",".com")"#,
        r#"S:www.domain"#,
    ),
    (r#"StringUtil.removeEnd("abc","")"#, r#"S:abc"#),
    (r#"StringUtil.upperCase("aBc")"#, r#"S:ABC"#),
    (r#"StringUtil.lowerCase("AbC")"#, r#"S:abc"#),
    (r#"StringUtil.capitalize("cat")"#, r#"S:Cat"#),
    (r#"StringUtil.capitalize("")"#, r#"S:"#),
    (r#"StringUtil.uncapitalize("Cat")"#, r#"S:cat"#),
    (r#"StringUtil.reverse("bat")"#, r#"S:tab"#),
    (r#"StringUtil.repeat("ab",3)"#, r#"S:ababab"#),
    (r#"StringUtil.repeat("ab",0)"#, r#"S:"#),
    (r#"StringUtil.repeat("ab",-2)"#, r#"S:"#),
    (r#"StringUtil.repeat("?",", ",3)"#, r#"S:?, ?, ?"#),
    (r#"StringUtil.repeat("?",", ",1)"#, r#"S:?"#),
    (r#"StringUtil.leftPad("bat",5)"#, r#"S:  bat"#),
    (r#"StringUtil.leftPad("bat",5,"xy")"#, r#"S:xybat"#),
    (r#"StringUtil.leftPad("bat",8,"yz")"#, r#"S:yzyzybat"#),
    (r#"StringUtil.leftPad("bat",1)"#, r#"S:bat"#),
    (r#"StringUtil.leftPad("bat",5,"")"#, r#"S:  bat"#),
    (r#"StringUtil.leftPad("5",3,"0")"#, r#"S:005"#),
    (r#"StringUtil.rightPad("bat",5,"yz")"#, r#"S:batyz"#),
    (r#"StringUtil.rightPad("bat",-1)"#, r#"S:bat"#),
    (r#"StringUtil.chomp("abc\r\n")"#, r#"S:abc"#),
    (r#"StringUtil.chomp("abc\n\n")"#, r#"S:abc\n"#),
    (r#"StringUtil.chomp("abc\r")"#, r#"S:abc"#),
    (r#"StringUtil.chomp("\r")"#, r#"S:"#),
    (r#"StringUtil.chomp("abc")"#, r#"S:abc"#),
    (r#"StringUtil.deleteWhitespace(" a b\tc\n")"#, r#"S:abc"#),
    (r#"StringUtil.indexOf("aabaabaa","b")"#, r#"I:2"#),
    (r#"StringUtil.indexOf("aabaabaa","b",3)"#, r#"I:5"#),
    (r#"StringUtil.indexOf("aabaabaa","b",-1)"#, r#"I:2"#),
    (r#"StringUtil.indexOf("aabaabaa","")"#, r#"I:0"#),
    (r#"StringUtil.indexOf("aabaabaa","",9)"#, r#"I:8"#),
    (r#"StringUtil.indexOf(null,"a")"#, r#"I:-1"#),
    (r#"StringUtil.lastIndexOf("aabaabaa","b")"#, r#"I:5"#),
    (r#"StringUtil.lastIndexOf("aabaabaa","b",4)"#, r#"I:2"#),
    (r#"StringUtil.lastIndexOf("aabaabaa","b",-1)"#, r#"I:-1"#),
    (r#"StringUtil.lastIndexOf("aabaabaa","")"#, r#"I:8"#),
    (r#"StringUtil.lastIndexOf("aabaabaa","a",0)"#, r#"I:0"#),
    (r#"StringUtil.countMatches("abba","a")"#, r#"I:2"#),
    (r#"StringUtil.countMatches("abba","")"#, r#"I:0"#),
    (r#"StringUtil.countMatches("aaaa","aa")"#, r#"I:2"#),
    (r#"StringUtil.length("abc")"#, r#"I:3"#),
    (r#"StringUtil.length(null)"#, r#"I:0"#),
    (r#"StringUtil.defaultString(null)"#, r#"S:"#),
    (r#"StringUtil.defaultString(null,"x")"#, r#"S:x"#),
    (r#"StringUtil.defaultString("a","x")"#, r#"S:a"#),
    (r#"StringUtil.defaultIfEmpty("","x")"#, r#"S:x"#),
    (r#"StringUtil.defaultIfEmpty(" ","x")"#, r#"S: "#),
    (r#"StringUtil.defaultIfBlank(" ","x")"#, r#"S:x"#),
    (r#"StringUtil.defaultIfBlank("a","x")"#, r#"S:a"#),
    (r#"StringUtil.getDigits("1123~45")"#, r#"S:112345"#),
    (r#"StringUtil.getDigits("abc")"#, r#"S:"#),
    (r#"StringUtil.getDigits("[[\"11\"]]")"#, r#"S:11"#),
    (r#"StringUtil.getDigits("")"#, r#"S:"#),
    (r#"StringUtil.getDigits(null)"#, r#"N"#),
    (r#"StringUtil.isAlphanumeric("ab2c")"#, r#"B:true"#),
    (r#"StringUtil.isAlphanumeric("ab-c")"#, r#"B:false"#),
    (
        r#"StringUtil.startsWithIgnoreCase("ABCxyz","abc")"#,
        r#"B:true"#,
    ),
    (
        r#"StringUtil.endsWithIgnoreCase("ABCXYZ","xyz")"#,
        r#"B:true"#,
    ),
];

fn decode(escaped: &str) -> String {
    let mut out = String::new();
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn expected(encoded: &str) -> Value {
    match encoded.split_once(':') {
        None => Value::Null,
        Some(("S", text)) => Value::Str(decode(text)),
        Some(("B", b)) => Value::Bool(b == "true"),
        Some(("I", i)) => Value::Int(i.parse().unwrap()),
        Some(("A", "")) => Value::List(Vec::new()),
        Some(("A", items)) => Value::List(
            items
                .split('\u{1}')
                .map(|s| Value::Str(decode(s)))
                .collect(),
        ),
        other => panic!("bad vector {other:?}"),
    }
}

#[test]
fn string_util_matches_commons_lang() {
    let fixture = Fixture::new();
    let mut failures = Vec::new();
    for (expression, encoded) in COMMONS_LANG_VECTORS {
        let want = expected(encoded);
        match fixture.eval(expression) {
            Ok(got) if got == want => {}
            other => failures.push(format!("{expression}: expected {want:?}, got {other:?}")),
        }
    }
    assert_eq!(COMMONS_LANG_VECTORS.len(), 168);
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
