// Helm's pkg/strvals/parser_test.go cases, the typing rules, error texts, values files and
// property tests for the parser and the merge.
//
// Why this file is over 600 lines: it is test data more than code. Its first part is Helm's
// parser_test.go tables kept whole, one test here per Helm test function in Helm's order, so a
// case is found by its Helm name; splitting them would only scatter that table.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;

fn set(expr: &str) -> Result<Value, SetError> {
    let mut v = json!({});
    parse_set(expr, &mut v).map(|()| v)
}

fn set_string(expr: &str) -> Result<Value, SetError> {
    let mut v = json!({});
    parse_set_string(expr, &mut v).map(|()| v)
}

fn set_json(expr: &str, mut v: Value) -> Result<Value, SetError> {
    parse_set_json(expr, &mut v).map(|()| v)
}

fn err_text(result: Result<Value, SetError>) -> String {
    match result {
        Ok(v) => format!("unexpectedly parsed: {v}"),
        Err(e) => e.to_string(),
    }
}

// parser_test.go TestParseSet: the valid rows.
#[test]
fn helm_parse_set_valid() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "name1=null,f=false,t=true",
            json!({"name1": null, "f": false, "t": true}),
        ),
        ("name1=value1", json!({"name1": "value1"})),
        (
            "name1=value1,name2=value2",
            json!({"name1": "value1", "name2": "value2"}),
        ),
        (
            "name1=value1,name2=value2,",
            json!({"name1": "value1", "name2": "value2"}),
        ),
        (
            "name1=,name2=value2",
            json!({"name1": "", "name2": "value2"}),
        ),
        ("leading_zeros=00009", json!({"leading_zeros": "00009"})),
        ("zero_int=0", json!({"zero_int": 0})),
        ("long_int=1234567890", json!({"long_int": 1234567890})),
        ("boolean=true", json!({"boolean": true})),
        ("is_null=null", json!({"is_null": null})),
        (
            r"name1=one\,two,name2=three\,four",
            json!({"name1": "one,two", "name2": "three,four"}),
        ),
        (
            r"name1=one\=two,name2=three\=four",
            json!({"name1": "one=two", "name2": "three=four"}),
        ),
        (
            "name1=one two three,name2=three two one",
            json!({"name1": "one two three", "name2": "three two one"}),
        ),
        ("outer.inner=value", json!({"outer": {"inner": "value"}})),
        (
            "outer.middle.inner=value",
            json!({"outer": {"middle": {"inner": "value"}}}),
        ),
        (
            "outer.inner1=value,outer.inner2=value2",
            json!({"outer": {"inner1": "value", "inner2": "value2"}}),
        ),
        (
            "outer.inner1=value,outer.middle.inner=value",
            json!({"outer": {"inner1": "value", "middle": {"inner": "value"}}}),
        ),
        ("name1.name2=", json!({"name1": {"name2": ""}})),
        (
            "name1={value1,value2}",
            json!({"name1": ["value1", "value2"]}),
        ),
        (
            "name1={value1,value2},name2={value1,value2}",
            json!({"name1": ["value1", "value2"], "name2": ["value1", "value2"]}),
        ),
        ("name1={1021,902}", json!({"name1": [1021, 902]})),
        (
            "name1.name2={value1,value2}",
            json!({"name1": {"name2": ["value1", "value2"]}}),
        ),
        ("list[0]=foo", json!({"list": ["foo"]})),
        ("list[0].foo=bar", json!({"list": [{"foo": "bar"}]})),
        (
            "list[0].foo=bar,list[0].hello=world",
            json!({"list": [{"foo": "bar", "hello": "world"}]}),
        ),
        ("list[0]=foo,list[1]=bar", json!({"list": ["foo", "bar"]})),
        ("list[0]=foo,list[1]=bar,", json!({"list": ["foo", "bar"]})),
        (
            "list[0]=foo,list[3]=bar",
            json!({"list": ["foo", null, null, "bar"]}),
        ),
        ("noval[0]", json!({"noval": []})),
        ("noval[0]=", json!({"noval": [""]})),
        ("nested[0][0]=1", json!({"nested": [[1]]})),
        ("nested[1][1]=1", json!({"nested": [null, [null, 1]]})),
        (
            "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
            json!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
        ),
        (
            "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
            json!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}),
        ),
        (
            "name1.name2[1].foo=bar",
            json!({"name1": {"name2": [null, {"foo": "bar"}]}}),
        ),
    ];
    for (expr, want) in cases {
        match set(expr) {
            Ok(got) => assert_eq!(got, want, "{expr}"),
            Err(e) => panic!("{expr}: {e}"),
        }
    }
}

// parser_test.go TestParseSet: the rows that must fail.
#[test]
fn helm_parse_set_invalid() {
    for expr in [
        "name1=value1,,,,name2=value2,",
        "name1,name2=",
        "name1,name2=value2",
        r"name1,name2=value2\",
        "name1,name2",
        "name1.name2",
        "name1.name2,name1.name3",
        "name1.=name2",
        "name1.,name2",
        "name1={1021,902",
        "list[0].foo=bar,list[-30].hello=world",
        "list[0]=foo,list[-20]=bar",
        "illegal[0]name.foo=bar",
        "]={}].",
    ] {
        assert!(set(expr).is_err(), "{expr} should fail");
    }
}

// parser_test.go TestParseSet, testsString: --set-string keeps every value a string.
#[test]
fn helm_parse_set_string() {
    for (expr, want) in [
        (
            "long_int_string=1234567890",
            json!({"long_int_string": "1234567890"}),
        ),
        ("boolean=true", json!({"boolean": "true"})),
        ("is_null=null", json!({"is_null": "null"})),
        ("zero=0", json!({"zero": "0"})),
        ("list={1,true}", json!({"list": ["1", "true"]})),
    ] {
        assert_eq!(set_string(expr).ok(), Some(want), "{expr}");
    }
}

// parser_test.go TestParseInto: expressions applied over existing values.
#[test]
fn helm_parse_into() {
    let cases: Vec<(Value, Vec<&str>, Value)> = vec![
        (
            json!({"outer": {"inner1": "overwrite", "inner2": "value2"}}),
            vec!["outer.inner1=value1,outer.inner3=value3,outer.inner4=4"],
            json!({"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}}),
        ),
        (
            json!({}),
            vec![
                "listOuter[0][0].type=listValue",
                "listOuter[0][0].status=alive",
            ],
            json!({"listOuter": [[{"type": "listValue", "status": "alive"}]]}),
        ),
        (
            json!({}),
            vec![
                "listOuter[0][0].type=listValue",
                "listOuter[1][0].status=alive",
            ],
            json!({"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]}),
        ),
        (
            json!({"listOuter": [[[{"exited": "old"}]]]}),
            vec![
                "listOuter[0][1][0].type=listValue",
                "listOuter[0][0][1].status=alive",
            ],
            json!({"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]}),
        ),
    ];
    for (mut got, exprs, want) in cases {
        for expr in exprs {
            if let Err(e) = parse_set(expr, &mut got) {
                panic!("{expr}: {e}");
            }
        }
        assert_eq!(got, want);
    }
}

// parser_test.go TestParseIntoString.
#[test]
fn helm_parse_into_string() {
    let mut got = json!({"outer": {"inner1": "overwrite", "inner2": "value2"}});
    assert!(parse_set_string("outer.inner1=1,outer.inner3=3", &mut got).is_ok());
    assert_eq!(
        got,
        json!({"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}})
    );
}

// parser_test.go TestParseJSON.
#[test]
fn helm_parse_json() {
    let start = json!({"outer": {"inner1": "overwrite", "inner2": "value2"}});
    assert_eq!(
        set_json(
            r#"outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true""#,
            start.clone()
        )
        .ok(),
        Some(json!({"outer": {
            "inner1": "1", "inner2": "value2", "inner3": 3, "inner4": true, "inner5": "true"
        }}))
    );

    let start = json!({"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2", "inner3": ["overwrite"]}});
    assert_eq!(
        set_json(
            r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5=[{"A":"1","B":2,"C":[1,2,3]}]"#,
            start
        )
        .ok(),
        Some(json!({"outer": {
            "inner1": {"a": "1", "b": 2, "c": [1, 2, 3]},
            "inner2": "value2",
            "inner3": ["new value 1", "new value 2"],
            "inner4": {"aa": "1", "bb": 2, "cc": [1, 2, 3]},
            "inner5": [{"A": "1", "B": 2, "C": [1, 2, 3]}],
        }}))
    );

    let start = json!({"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2"}});
    assert_eq!(
        set_json(
            r#"outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null"#,
            start
        )
        .ok(),
        Some(json!({"outer": {
            "inner1": null,
            "inner2": "value2",
            "inner3": {"aa": "1", "bb": 2, "cc": [1, null, 3]},
        }}))
    );

    assert!(
        set_json(
            r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5={"A":"1","B":2,"C":[1,2,3]}]"#,
            json!({})
        )
        .is_err()
    );
}

// parser_test.go TestParseFile / TestParseIntoFile.
#[test]
fn helm_parse_file() {
    let mut got = json!({});
    let read = |path: &str| -> anyhow::Result<String> {
        match path {
            "path1" => Ok("value1".to_string()),
            other => Err(anyhow::anyhow!("unexpected path {other}")),
        }
    };
    assert!(parse_set_file("name1=path1", &mut got, read).is_ok());
    assert_eq!(got, json!({"name1": "value1"}));
}

// parser_test.go TestSetIndex, through the parser.
#[test]
fn helm_set_index() {
    let cases: Vec<(Value, &str, Option<Value>)> = vec![
        (json!([0, 1]), "a[2]=2", Some(json!([0, 1, 2]))),
        (json!([0, 1]), "a[1]=2", Some(json!([0, 2]))),
        (
            json!([0, 1, 2, 3, 4, 5]),
            "a[3]=4",
            Some(json!([0, 1, 2, 4, 4, 5])),
        ),
        (json!([0, 1, 2, 3, 4, 5]), "a[-1]=4", None),
        (json!([0, 1, 2, 3, 4, 5]), "a[65537]=4", None),
    ];
    for (initial, expr, want) in cases {
        let mut v = json!({ "a": initial.clone() });
        let result = parse_set(expr, &mut v);
        match want {
            Some(want) => {
                assert!(result.is_ok(), "{expr}");
                assert_eq!(v, json!({ "a": want }), "{expr}");
            }
            None => {
                assert!(result.is_err(), "{expr}");
                assert_eq!(v, json!({ "a": initial }), "{expr} must not change values");
            }
        }
    }
}

#[test]
fn max_index_is_allowed() {
    let v = set("a[65536]=x").ok();
    let len = v.as_ref().and_then(|v| v["a"].as_array()).map(Vec::len);
    assert_eq!(len, Some(65537));
    assert!(set("a[99999999999999999999]=1").is_err());
    assert!(set("a[0][65537]=1").is_err());
}

// parser_test.go TestParseSetNestedLevels.
#[test]
fn helm_nested_levels() {
    let key = |dots: usize| {
        (1..=dots + 1)
            .map(|i| format!("name{i}"))
            .collect::<Vec<_>>()
            .join(".")
    };
    assert!(set(&format!("{}=value", key(MAX_NESTED_NAME_LEVEL))).is_ok());
    let err = err_text(set(&format!("{}=value", key(MAX_NESTED_NAME_LEVEL + 1))));
    assert!(err.contains("nested deeper than 30 levels"), "{err}");
}

#[test]
fn typing_follows_helm() {
    for (raw, want) in [
        ("true", json!(true)),
        ("FALSE", json!(false)),
        ("True", json!(true)),
        ("null", Value::Null),
        ("NULL", Value::Null),
        ("0", json!(0)),
        ("-1", json!(-1)),
        ("+5", json!(5)),
        ("42", json!(42)),
        ("9223372036854775807", json!(i64::MAX)),
        ("-9223372036854775808", json!(i64::MIN)),
        ("9223372036854775808", json!("9223372036854775808")),
        ("1.5", json!("1.5")),
        ("010", json!("010")),
        ("00", json!("00")),
        ("1e3", json!("1e3")),
        ("0x10", json!("0x10")),
        (" 1", json!(" 1")),
        ("yes", json!("yes")),
        ("", json!("")),
        ("-", json!("-")),
    ] {
        assert_eq!(typed_value(raw), want, "{raw:?}");
        assert_eq!(
            set(&format!("k={raw}")).ok(),
            Some(json!({ "k": want })),
            "{raw:?}"
        );
    }
}

#[test]
fn values_and_keys_keep_special_characters() {
    assert_eq!(set(r"a\.b=1").ok(), Some(json!({"a.b": 1})));
    assert_eq!(set(r"a\,b=1").ok(), Some(json!({"a,b": 1})));
    assert_eq!(set(r"a\[0\]=1").ok(), Some(json!({"a[0]": 1})));
    assert_eq!(set("a=b=c").ok(), Some(json!({"a": "b=c"})));
    assert_eq!(set("a=x.y[0]").ok(), Some(json!({"a": "x.y[0]"})));
    assert_eq!(set(r"a=x\\y").ok(), Some(json!({"a": r"x\y"})));
    assert_eq!(set(r"a=\{x").ok(), Some(json!({"a": "{x"})));
    assert_eq!(set("a=x{y}").ok(), Some(json!({"a": "x{y}"})));
    assert_eq!(
        set("a=é,ü.ß=✓").ok(),
        Some(json!({"a": "é", "ü": {"ß": "✓"}}))
    );
}

#[test]
fn list_values_follow_helm() {
    assert_eq!(set("a={null,1,x}").ok(), Some(json!({"a": [null, 1, "x"]})));
    // Helm reads `{}` as one empty item.
    assert_eq!(set("a={}").ok(), Some(json!({"a": [""]})));
    assert_eq!(set("a={x},b=1").ok(), Some(json!({"a": ["x"], "b": 1})));
    assert_eq!(set(r"a={x\,y,z}").ok(), Some(json!({"a": ["x,y", "z"]})));
    assert_eq!(
        set("a[1]={x,y}").ok(),
        Some(json!({"a": [null, ["x", "y"]]}))
    );
    assert!(set("a={x}z").is_err());
}

#[test]
fn set_overwrites_and_extends_existing_values() {
    let mut v = json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
    assert!(parse_set("a.b=2,a.c[3]=4,d=y,e=5", &mut v).is_ok());
    assert_eq!(
        v,
        json!({"a": {"b": 2, "c": [1, 2, null, 4]}, "d": "y", "e": 5})
    );
}

#[test]
fn list_item_that_is_not_a_map_is_replaced() {
    let mut v = json!({"a": [1, 2]});
    assert!(parse_set("a[0].b=x", &mut v).is_ok());
    assert_eq!(v, json!({"a": [{"b": "x"}, 2]}));
}

#[test]
fn type_conflicts_are_errors() {
    for (start, expr) in [
        (json!({"a": "x"}), "a.b=1"),
        (json!({"a": null}), "a.b=1"),
        (json!({"a": 1}), "a[0]=1"),
        (json!({"a": [1]}), "a[0][0]=1"),
        (json!({"a": 1}), "a=1,a.b=2"),
    ] {
        let mut v = start.clone();
        assert!(parse_set(expr, &mut v).is_err(), "{expr} over {start}");
        assert_eq!(v, start, "a failed expression must not change values");
    }
}

#[test]
fn null_in_a_nested_list_counts_as_absent() {
    let mut v = json!({"a": [null]});
    assert!(parse_set("a[0][1]=x", &mut v).is_ok());
    assert_eq!(v, json!({"a": [[null, "x"]]}));
}

#[test]
fn null_deletes_key_once_coalesced() {
    let user = set("image.tag=null,replicas=2").ok().unwrap_or_default();
    assert_eq!(user, json!({"image": {"tag": null}, "replicas": 2}));
    let defaults = json!({"image": {"repo": "app", "tag": "1.0"}, "replicas": 1});
    assert_eq!(
        coalesce(defaults, &user),
        json!({"image": {"repo": "app"}, "replicas": 2})
    );
}

#[test]
fn empty_segments_are_errors() {
    for expr in [
        "=1", ".a=1", "a..b=1", "[0]=1", "a.", "a[0].", "a[0].=x", "a.[0]=1",
    ] {
        assert!(set(expr).is_err(), "{expr} should fail");
    }
    assert_eq!(set("").ok(), Some(json!({})));
}

#[test]
fn index_syntax_errors() {
    for expr in [
        "a[]=1", "a[x]=1", "a[1", "a[1.5]=1", "a[0]x", "a[0],b=1", "a[ 1]=1",
    ] {
        assert!(set(expr).is_err(), "{expr} should fail");
    }
}

#[test]
fn deep_list_nesting_fails_cleanly() {
    let expr = format!("a{}=1", "[0]".repeat(100_000));
    let err = err_text(set(&expr));
    assert!(err.contains("nested deeper than 64 levels"), "{err}");
    let expr = format!("a{}=1", "[0]".repeat(60));
    assert!(set(&expr).is_ok());
}

#[test]
fn set_requires_a_map_to_set_into() {
    let mut v = json!([1]);
    assert!(parse_set("a=1", &mut v).is_err());
    let mut v = Value::Null;
    assert!(parse_set("a=1", &mut v).is_ok());
    assert_eq!(v, json!({"a": 1}));
}

#[test]
fn json_values() {
    assert_eq!(
        set_json(r#"a=[1,2],b={"c":true}"#, json!({})).ok(),
        Some(json!({"a": [1, 2], "b": {"c": true}}))
    );
    assert_eq!(
        set_json(r#"a="x,y",b=1.5"#, json!({})).ok(),
        Some(json!({"a": "x,y", "b": 1.5}))
    );
    assert_eq!(
        set_json("a=  ,b= 2 ,c=null", json!({})).ok(),
        Some(json!({"a": null, "b": 2, "c": null}))
    );
    assert_eq!(
        set_json("a", json!({}))
            .err()
            .map(|e| e.message().to_string()),
        Some("key `a` has no value; write `a=VALUE`".to_string())
    );
    assert!(set_json("a=1b", json!({})).is_err());
    assert!(set_json("a={", json!({})).is_err());
    assert!(set_json(&format!("a={}", "[".repeat(10_000)), json!({})).is_err());
}

#[test]
fn json_object_form_merges_like_helm() {
    let start = json!({"a": {"b": 1, "c": 2}, "d": [1]});
    assert_eq!(
        set_json(r#" {"a": {"b": null, "e": 3}, "d": [2]} "#, start).ok(),
        Some(json!({"a": {"b": null, "c": 2, "e": 3}, "d": [2]}))
    );
    assert!(set_json(r#"{"a": "#, json!({})).is_err());
}

#[test]
fn set_file_reads_each_value() {
    let read = |path: &str| -> anyhow::Result<String> { Ok(format!("<{path}>")) };
    let mut v = json!({});
    assert!(parse_set_file("a=one,b.c=two,l={x,y}", &mut v, read).is_ok());
    assert_eq!(
        v,
        json!({"a": "<one>", "b": {"c": "<two>"}, "l": ["<x>", "<y>"]})
    );
}

#[test]
fn error_names_flag_expression_and_offset() {
    let err = set("a..b=1").err();
    assert_eq!(err.as_ref().map(SetError::offset), Some(2));
    assert_eq!(err.as_ref().map(SetError::flag), Some("--set"));
    assert_eq!(err.as_ref().map(SetError::expr), Some("a..b=1"));
    insta::assert_snapshot!(err_text(set("a..b=1")), @r"
    invalid --set expression: key `a..b` has an empty segment
      a..b=1
        ^
    ");
}

#[test]
fn error_messages() {
    let read_fails = |path: &str| -> anyhow::Result<String> {
        match path {
            "tls.crt" => Err(anyhow::anyhow!("the file does not exist")),
            other => Ok(other.to_string()),
        }
    };
    let mut v = json!({});
    let file_err = parse_set_file("a=1,cert=tls.crt", &mut v, read_fails)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let mut conflict = json!({"image": "nginx"});
    let conflict_err = parse_set("image.tag=1", &mut conflict)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let long = format!("{}=1,b[x]=2", "k".repeat(150));
    let all = [
        err_text(set("image.tag")),
        err_text(set("a=1,b,c=2")),
        err_text(set("a=1,,b=2")),
        err_text(set("a[x]=1")),
        err_text(set("a[-1]=1")),
        err_text(set("a[70000]=1")),
        err_text(set("a[1=x")),
        err_text(set("a={1,2")),
        err_text(set("a[0]b=1")),
        err_text(set("a.")),
        err_text(set("=x")),
        err_text(set_string("a..b=1")),
        err_text(set_json("a={\"b\":}", json!({}))),
        err_text(set_json("{\"a\":1", json!({}))),
        file_err,
        conflict_err,
        err_text(set("tab\there..x=1")),
        err_text(set(&long)),
        set("a..b=1")
            .err()
            .map(|e| e.with_flag("--set-label").to_string())
            .unwrap_or_default(),
    ]
    .join("\n\n");
    insta::assert_snapshot!(all, @r#"
    invalid --set expression: key `image.tag` has no value; write `image.tag=VALUE`
      image.tag
               ^

    invalid --set expression: key `b` has no value; write `b=VALUE`
      a=1,b,c=2
           ^

    invalid --set expression: empty assignment between commas
      a=1,,b=2
          ^

    invalid --set expression: list index `x` in key `a[x]` is not a number
      a[x]=1
        ^

    invalid --set expression: negative list index `-1` is not allowed
      a[-1]=1
        ^

    invalid --set expression: list index `70000` is larger than the maximum of 65536
      a[70000]=1
        ^

    invalid --set expression: list index in key `a[1` has no closing `]`
      a[1=x
       ^

    invalid --set expression: list value for key `a` has no closing `}`
      a={1,2
        ^

    invalid --set expression: unexpected `b` after a list index in key `a[0]b`; expected `.`, `[` or `=`
      a[0]b=1
          ^

    invalid --set expression: key `a.` ends with `.`
      a.
        ^

    invalid --set expression: an assignment has no key before `=`
      =x
      ^

    invalid --set-string expression: key `a..b` has an empty segment
      a..b=1
        ^

    invalid --set-json expression: invalid JSON value for key `a`: expected value
      a={"b":}
             ^

    invalid --set-json expression: invalid JSON object: EOF while parsing an object
      {"a":1
           ^

    invalid --set-file expression: cannot read file `tls.crt` for key `cert`: the file does not exist
      a=1,cert=tls.crt
               ^

    invalid --set expression: cannot set a key under `image`: it holds a string, not a map
      image.tag=1
      ^

    invalid --set expression: key `tab\there..x` has an empty segment
      tab\there..x=1
                ^

    invalid --set expression: list index `x` in key `b[x]` is not a number
      ...kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=1,b[x]=2
                                                 ^

    invalid --set-label expression: key `a..b` has an empty segment
      a..b=1
        ^
    "#);
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    if let Err(e) = std::fs::write(&path, text) {
        panic!("writing {}: {e}", path.display());
    }
    path
}

fn file_error(text: &str) -> String {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else {
        return "no temp dir".to_string();
    };
    let path = write(&dir, "values.yaml", text);
    match read_values_file(&path) {
        Ok(v) => format!("unexpectedly parsed: {}", Value::Object(v)),
        Err(e) => e
            .to_string()
            .replace(&dir.path().display().to_string(), "DIR"),
    }
}

fn parse_yaml(text: &str) -> Result<Value, ValuesFileError> {
    parse_values_yaml(text, std::path::Path::new("values.yaml")).map(Value::Object)
}

#[test]
fn values_file_basics() {
    assert_eq!(parse_yaml("").ok(), Some(json!({})));
    assert_eq!(parse_yaml("# only a comment\n").ok(), Some(json!({})));
    assert_eq!(parse_yaml("---\n").ok(), Some(json!({})));
    assert_eq!(
        parse_yaml("b: 1\na: [x, {c: null}]\n").ok(),
        Some(json!({"b": 1, "a": ["x", {"c": null}]}))
    );
    assert_eq!(
        parse_yaml("a: 1\n---\nb: 2\n---\na: 3\n").ok(),
        Some(json!({"a": 3, "b": 2}))
    );
}

#[test]
fn values_file_scalars_follow_helm_yaml_rules() {
    assert_eq!(
        parse_yaml("a: yes\nb: off\nc: 0755\nd: 1.5\ne: ~\nf: \"010\"\ng: 1_000\nh: a: b\n").err().map(|e| e.to_string()),
        Some("values file `values.yaml` is not valid YAML at 8:5: mapping values are not allowed in this context".to_string())
    );
    assert_eq!(
        parse_yaml("a: yes\nb: off\nc: 0755\nd: 1.5\ne: ~\nf: \"010\"\ng: 1_000\n").ok(),
        Some(json!({"a": true, "b": false, "c": 493, "d": 1.5, "e": null, "f": "010", "g": 1000}))
    );
    // A repeated key loses the first block without a word in Helm; here it is an error.
    assert_eq!(
        parse_yaml("a: 1\na: 2\n").err().map(|e| e.to_string()),
        Some("values file `values.yaml` repeats the key `a` at values.yaml:2:1: a mapping holds each key once, and the first `a` would be lost; merge the two into one".to_string()),
    );
}

#[test]
fn values_file_scalar_keys_become_strings() {
    assert_eq!(
        parse_yaml("1: a\ntrue: b\nnull: c\n1.5: d\n").ok(),
        Some(json!({"1": "a", "true": "b", "null": "c", "1.5": "d"}))
    );
    assert_eq!(
        parse_yaml(
            "y: 1
on: 2
x: y
"
        )
        .ok(),
        Some(json!({"y": 1, "on": 2, "x": true}))
    );
    assert!(parse_yaml("? [1, 2]\n: x\n").is_err());
}

#[test]
fn values_file_errors() {
    let missing = std::env::temp_dir().join("todoctl-no-such-dir/values.yaml");
    let missing_err = read_values_file(&missing)
        .err()
        .map(|e| {
            e.to_string()
                .replace(&std::env::temp_dir().display().to_string(), "TMP")
        })
        .unwrap_or_default();
    let all = [
        file_error("image:\n  repo: app\n tag: 1\n"),
        file_error("a: [1, 2\nb: 3\n"),
        file_error("a: \"unterminated\n"),
        file_error("a: *nope\n"),
        file_error("- a\n- b\n"),
        file_error("just a string\n"),
        file_error("a: 1\n---\n- x\n"),
        file_error("a: .inf\n"),
        missing_err,
    ]
    .join("\n");
    insta::assert_snapshot!(all, @r#"
    values file `DIR/values.yaml` is not valid YAML at 3:2: while parsing a block mapping, did not find expected key
    values file `DIR/values.yaml` is not valid YAML at 2:2: illegal placement of ':' indicator
    values file `DIR/values.yaml` is not valid YAML at 1:4: unclosed quote
    values file `DIR/values.yaml` is not valid YAML at 1:4: alias references unknown anchor
    values file `DIR/values.yaml` must hold a map of keys at the top level, not a list
    values file `DIR/values.yaml` must hold a map of keys at the top level, not a string
    values file `DIR/values.yaml` must hold a map of keys at the top level, not a list
    values file `DIR/values.yaml` is not valid YAML at 1:4: `.inf` is not a finite number
    values file `TMP/todoctl-no-such-dir/values.yaml` does not exist
    "#);
}

#[test]
fn values_file_alias_bomb_is_refused() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = "a".to_string();
    for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name.to_string();
    }
    let started = std::time::Instant::now();
    let err = file_error(&text);
    assert!(err.contains("is refused"), "{err}");
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn values_file_deep_nesting_is_refused() {
    let mut block = String::new();
    for i in 0..200 {
        block.push_str(&" ".repeat(i));
        block.push_str(&format!("k{i}:\n"));
    }
    let flow = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    for text in [block, flow] {
        let err = file_error(&text);
        assert!(err.contains("levels deep"), "{err}");
    }
}

#[test]
fn sources_apply_in_helm_order() {
    let Ok(dir) = tempfile::tempdir() else {
        panic!("no temp dir");
    };
    let first = write(
        &dir,
        "a.yaml",
        "a: 1\nkeep: {x: 1, y: 2}\ngone: 1\nlist: [1, 2]\n",
    );
    let second = write(
        &dir,
        "b.yaml",
        "a: 2\nkeep: {y: 3}\ngone: null\nlist: [3]\n",
    );
    let cert = write(&dir, "cert.pem", "-----CERT-----\n");
    let sources = ValueSources {
        files: vec![first, second],
        // Given in the struct in the "wrong" order: the kind decides, not the position.
        set_file: vec![format!("s={}", cert.display())],
        set_string: vec!["s=string,n=3".to_string()],
        set: vec!["s=set,n=2,j=set".to_string()],
        set_json: vec![r#"j={"from":"json"},n=1"#.to_string()],
        set_env: vec![],
    };
    assert!(!sources.is_empty());
    let got = sources.user_values();
    assert_eq!(
        got.ok(),
        Some(json!({
            "a": 2,
            "keep": {"x": 1, "y": 3},
            "gone": null,
            "list": [3],
            "j": "set",
            "n": "3",
            "s": "-----CERT-----\n",
        }))
    );
}

#[test]
fn sources_report_typed_errors() {
    let Ok(dir) = tempfile::tempdir() else {
        panic!("no temp dir");
    };
    let sources = ValueSources {
        set: vec!["a..b=1".to_string()],
        ..ValueSources::default()
    };
    let err = sources.user_values().err();
    assert!(
        err.as_ref()
            .is_some_and(|e| e.downcast_ref::<SetError>().is_some())
    );

    let sources = ValueSources {
        files: vec![dir.path().join("missing.yaml")],
        ..ValueSources::default()
    };
    let err = sources.user_values().err();
    assert!(matches!(
        err.as_ref()
            .and_then(|e| e.downcast_ref::<ValuesFileError>()),
        Some(ValuesFileError::NotFound { .. })
    ));

    let sources = ValueSources {
        set_file: vec![format!("a={}", dir.path().join("nope.txt").display())],
        ..ValueSources::default()
    };
    let msg = sources
        .user_values()
        .err()
        .map(|e| {
            e.to_string()
                .replace(&dir.path().display().to_string(), "DIR")
        })
        .unwrap_or_default();
    assert!(
        msg.starts_with("invalid --set-file expression: cannot read file `DIR/nope.txt` for key `a`: the file does not exist"),
        "{msg}"
    );
}

#[test]
fn empty_sources() {
    let sources = ValueSources::default();
    assert!(sources.is_empty());
    assert_eq!(sources.user_values().ok(), Some(json!({})));
}

// Property tests.

fn simple_key() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_.,=\\[\\]-]{0,6}"
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9 ,.=:{}\\[\\]\\\\/-]{0,12}"
            .prop_filter("must stay a string", |s| typed_value(s).is_string())
            .prop_map(Value::String),
    ]
}

fn nested_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Value::Array),
            prop::collection::vec((simple_key(), inner), 1..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn nested_map() -> impl Strategy<Value = Value> {
    prop::collection::vec((simple_key(), nested_value()), 1..5)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>()))
}

fn escape(text: &str, specials: &[char]) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch == '\\' || specials.contains(&ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Renders values as one `--set` expression, the way a user would type them.
fn render_set(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let key = escape(key, &['.', ',', '=', '[']);
                let path = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                };
                render_set(&path, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                render_set(&format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::String(s) => {
            let mut text = escape(s, &[',']);
            if text.starts_with('{') {
                text.insert(0, '\\');
            }
            out.push(format!("{prefix}={text}"));
        }
        other => out.push(format!("{prefix}={other}")),
    }
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every leaf of an overlay as a (path, value) pair, in `get_path` syntax.
fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let k = escape(k, &['.', '[']);
                let path = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&path, v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn merge_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        "[a-z]{0,4}".prop_map(Value::String),
        prop::collection::vec(any::<bool>().prop_map(Value::Bool), 0..3).prop_map(Value::Array),
    ];
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::vec(("[a-c]{1,2}", inner), 0..4)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
    });
    prop::collection::vec(("[a-c]{1,2}", tree), 0..4)
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
}

proptest! {
    #[test]
    fn rendered_values_parse_back(values in nested_map()) {
        let mut parts = Vec::new();
        render_set("", &values, &mut parts);
        let expr = parts.join(",");
        let mut got = json!({});
        let result = parse_set(&expr, &mut got);
        prop_assert!(result.is_ok(), "{expr}: {result:?}");
        prop_assert_eq!(got, values, "{}", expr);
    }

    #[test]
    fn parsers_never_panic(expr in "[a-z0-9=,.\\\\\\[\\]{}\" :-]{0,40}", junk in any::<String>()) {
        for text in [expr.as_str(), junk.as_str()] {
            let mut v = json!({"a": [1, {"b": null}], "c": "x"});
            let _ = parse_set(text, &mut v);
            let _ = parse_set_string(text, &mut v);
            let _ = parse_set_json(text, &mut v);
            let _ = parse_set_file(text, &mut v, |p| Ok(p.to_string()));
            if let Err(e) = parse_set(text, &mut v) {
                let _ = e.to_string();
            }
            let _ = get_path(&v, text);
            let _ = set_path(&mut v, text, json!(1));
            let _ = parse_yaml(text);
        }
    }

    #[test]
    fn merge_with_itself_changes_nothing(values in merge_value()) {
        let clean = strip_nulls(&values);
        let mut base = clean.clone();
        merge_into(&mut base, values.clone());
        prop_assert_eq!(&base, &clean);
        merge_into(&mut base, values);
        prop_assert_eq!(base, clean);
    }

    #[test]
    fn overlay_keys_win(base in merge_value(), overlay in merge_value()) {
        let merged = coalesce(base.clone(), &overlay);
        let mut found = Vec::new();
        leaves("", &overlay, &mut found);
        for (path, want) in found {
            if path.is_empty() {
                continue;
            }
            match want {
                Value::Null => prop_assert!(get_path(&merged, &path).is_none(), "{path} should be gone"),
                Value::Object(_) => prop_assert!(get_path(&merged, &path).is_some_and(Value::is_object), "{path}"),
                want => prop_assert_eq!(get_path(&merged, &path), Some(&want), "{}", path),
            }
        }
        // Keys the overlay does not mention keep their base value.
        if let (Value::Object(b), Value::Object(o)) = (&base, &overlay) {
            for (k, v) in b {
                if !o.contains_key(k) {
                    prop_assert_eq!(merged.get(k), Some(v));
                }
            }
        }
    }
}

#[test]
fn set_env_reads_a_variable_and_never_echoes_it() {
    // SAFETY: the variable name is unique to this test; no other test reads or writes it.
    unsafe { std::env::set_var("TODOCTL_TEST_SET_ENV_SENTINEL", "s3cr3t,with=odd chars") };
    let sources = ValueSources {
        set_env: vec!["secrets.key=TODOCTL_TEST_SET_ENV_SENTINEL".to_string()],
        set: vec!["secrets.key=from-set".to_string()],
        ..Default::default()
    };
    let got = sources.user_values().expect("values");
    assert_eq!(
        got["secrets"]["key"], "s3cr3t,with=odd chars",
        "set-env wins, verbatim"
    );

    let missing = ValueSources {
        set_env: vec!["secrets.key=TODOCTL_TEST_SET_ENV_UNSET".to_string()],
        ..Default::default()
    };
    let err = format!("{:#}", missing.user_values().expect_err("unset variable"));
    assert!(err.contains("TODOCTL_TEST_SET_ENV_UNSET"), "{err}");
    assert!(err.contains("--set-env"), "{err}");
    // A variable, not a file: the message says which it could not read.
    assert!(
        err.contains(
            "cannot read environment variable `TODOCTL_TEST_SET_ENV_UNSET` for key `secrets.key`: it is not set; export it before running todoctl"
        ),
        "{err}"
    );
    assert!(!err.contains("file"), "{err}");

    // A value where the name goes (`--set-env key=$VAR`) is never quoted back.
    let value_given = ValueSources {
        set_env: vec!["secrets.key=sk-live-s3cr3t".to_string()],
        ..Default::default()
    };
    let err = format!("{:#}", value_given.user_values().expect_err("not a name"));
    assert!(!err.contains("s3cr3t"), "{err}");
    assert!(err.contains("not a variable's name"), "{err}");
}

#[test]
fn set_env_and_set_file_with_nothing_after_the_equals_sign_are_errors_not_empty_strings() {
    // `--set-env key=$UNSET` reaches todoctl as `key=`: at the end, before a comma, in a list.
    for (env, file, key) in [
        ("secrets.key=", "secrets.key=", "secrets.key"),
        (
            "secrets.key=,a=PATH",
            "secrets.key=,a=Cargo.toml",
            "secrets.key",
        ),
        (
            "a=PATH,secrets.key=",
            "a=Cargo.toml,secrets.key=",
            "secrets.key",
        ),
        ("list[0]=", "list[0]=", "list[0]"),
    ] {
        let sources = ValueSources {
            set_env: vec![env.to_string()],
            ..Default::default()
        };
        let err = format!("{:#}", sources.user_values().expect_err(env));
        assert!(
            err.contains("no environment variable named for key")
                && err.contains("nothing follows `=`"),
            "{env}: {err}"
        );
        assert!(err.contains(&format!("`{key}`")), "{env}: {err}");
        let sources = ValueSources {
            set_file: vec![file.to_string()],
            ..Default::default()
        };
        let err = format!("{:#}", sources.user_values().expect_err(file));
        assert!(
            err.contains(&format!("no file named for key `{key}`")),
            "{file}: {err}"
        );
    }
    // --set keeps Helm's rule: `key=` is the empty string.
    let sources = ValueSources {
        set: vec!["a=".to_string()],
        ..Default::default()
    };
    assert_eq!(sources.user_values().expect("values")["a"], "");
}
