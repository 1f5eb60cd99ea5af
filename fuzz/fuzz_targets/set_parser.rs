//! The `--set` family of parsers on arbitrary expressions: every input either applies or fails
//! with a `SetError` whose message can be printed; none panics, loops or exhausts memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use todoctl::values::{
    parse_path, parse_set, parse_set_file, parse_set_json, parse_set_string, typed_value,
};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the flag, the rest is the expression.
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(expr) = std::str::from_utf8(rest) else {
        return;
    };
    // Start from values a chart might already hold, so merges into existing maps and lists run.
    let mut dest = json!({ "a": { "b": [1, { "c": "x" }] }, "list": [], "s": "str" });
    let result = match selector % 5 {
        0 => parse_set(expr, &mut dest),
        1 => parse_set_string(expr, &mut dest),
        2 => parse_set_json(expr, &mut dest),
        3 => parse_set_file(expr, &mut dest, |path| {
            // Some files read, some do not: both paths of --set-file run.
            if path.len() % 2 == 0 {
                Ok(format!("contents of {path}"))
            } else {
                Err(anyhow::anyhow!("cannot read `{path}`"))
            }
        }),
        _ => {
            let _ = parse_path(expr);
            let _ = typed_value(expr);
            return;
        }
    };
    match result {
        Ok(()) => {
            serde_json::to_vec(&dest).expect("values serialize");
        }
        Err(err) => {
            assert!(!err.to_string().is_empty());
            let _ = (err.flag(), err.expr(), err.offset(), err.message());
        }
    }
});
