//! Chart values from the user: values files, the `--set` family of flags with Helm's syntax and
//! typing, and the merge rules that lay them over a chart's defaults. Values are plain
//! `serde_json::Value`s with insertion-ordered maps.

mod merge;
mod path;
mod sources;
mod strvals;

#[cfg(test)]
mod tests;

pub use merge::{coalesce, merge_into, merge_maps};
pub use path::{PathError, PathSegment, get_path, get_path_mut, parse_path, set_path};
pub use sources::{
    MAX_VALUES_ALIASES, MAX_VALUES_DEPTH, MAX_VALUES_NODES, ValueSources, ValuesFileError,
    parse_values_yaml, read_values_file,
};
pub use strvals::{
    MAX_INDEX, MAX_NESTED_NAME_LEVEL, SetError, parse_set, parse_set_file, parse_set_json,
    parse_set_string, typed_value,
};
