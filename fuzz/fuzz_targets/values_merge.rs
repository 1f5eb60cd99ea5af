//! Values merging on arbitrary JSON trees: `merge_into`, `coalesce` and `merge_maps` never panic,
//! and layering the same overlay twice changes nothing the second time (Helm's coalesce is
//! idempotent; an upgrade that reuses values must not drift).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use todoctl::values::{coalesce, merge_into, merge_maps};

/// Deeper than anything a values file (64) or `--set-json` (128) can produce.
const MAX_DEPTH: usize = 200;

#[derive(Debug, Arbitrary)]
enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Key),
    List(Vec<Tree>),
    Map(Vec<(Key, Tree)>),
}

/// A few fixed keys make collisions between the two trees likely.
#[derive(Debug, Arbitrary)]
enum Key {
    A,
    B,
    C,
    Dotted,
    Other(String),
}

impl Key {
    fn text(&self) -> String {
        match self {
            Key::A => "a".into(),
            Key::B => "b".into(),
            Key::C => "c".into(),
            Key::Dotted => "x.y".into(),
            Key::Other(s) => s.clone(),
        }
    }
}

fn to_value(tree: &Tree, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match tree {
        Tree::Null => Value::Null,
        Tree::Bool(b) => Value::Bool(*b),
        Tree::Int(n) => Value::from(*n),
        Tree::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Tree::Str(k) => Value::String(k.text()),
        Tree::List(items) => Value::Array(items.iter().map(|t| to_value(t, depth + 1)).collect()),
        Tree::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, t)| (k.text(), to_value(t, depth + 1)))
                .collect(),
        ),
    }
}

fn as_map(v: &Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    }
}

fuzz_target!(|input: (Tree, Tree)| {
    let base = to_value(&input.0, 0);
    let overlay = to_value(&input.1, 0);

    let mut once = base.clone();
    merge_into(&mut once, overlay.clone());
    let mut twice = once.clone();
    merge_into(&mut twice, overlay.clone());
    assert_eq!(
        once, twice,
        "merging the same overlay twice changed the result"
    );

    let coalesced = coalesce(base.clone(), &overlay);
    assert_eq!(coalesced, once, "coalesce and merge_into disagree");

    let mut maps = as_map(&base);
    merge_maps(&mut maps, as_map(&overlay));
    let mut again = maps.clone();
    merge_maps(&mut again, as_map(&overlay));
    assert_eq!(maps, again, "merge_maps is not idempotent");
});
