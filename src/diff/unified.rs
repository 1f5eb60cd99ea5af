//! Unified diff text from two YAML renderings, and its colouring for a terminal. The text
//! itself never carries colour, so it can go into files, JSON output and snapshots as is.

use similar::TextDiff;

/// Lines of unchanged YAML shown around each change, as in `diff -u` and `kubectl diff`.
const CONTEXT: usize = 3;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// `--- live <object>` / `+++ desired <object>` (or the other names of `sides`) and the hunks;
/// empty when the texts are equal.
pub(crate) fn unified(sides: super::Sides<'_>, object: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(
            &format!("{} {object}", sides.before),
            &format!("{} {object}", sides.after),
        )
        .to_string()
}

/// Colours a unified diff for a terminal: removed lines red, added lines green, hunk headers
/// cyan, file headers bold. Hunk line counts are followed, so a removed YAML line that happens
/// to start with `--` is not mistaken for a header.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    // Lines of the current hunk still to come, on the old and the new side.
    let (mut old_left, mut new_left) = (0usize, 0usize);
    for line in diff.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let in_hunk = old_left > 0 || new_left > 0;
        let colour = if in_hunk {
            match body.chars().next() {
                Some('-') => {
                    old_left = old_left.saturating_sub(1);
                    Some(RED)
                }
                Some('+') => {
                    new_left = new_left.saturating_sub(1);
                    Some(GREEN)
                }
                Some('\\') => None,
                _ => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                    None
                }
            }
        } else if let Some((old, new)) = hunk_counts(body) {
            (old_left, new_left) = (old, new);
            Some(CYAN)
        } else if body.starts_with("--- ") || body.starts_with("+++ ") {
            Some(BOLD)
        } else {
            None
        };
        match colour {
            Some(c) => {
                out.push_str(c);
                out.push_str(body);
                out.push_str(RESET);
            }
            None => out.push_str(body),
        }
        out.push_str(newline);
    }
    out
}

/// The old and new line counts of `@@ -a,b +c,d @@`; a missing count means one line.
fn hunk_counts(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let count = |range: &str| match range.split_once(',') {
        Some((_, n)) => n.parse().ok(),
        None => range.parse::<usize>().ok().map(|_| 1),
    };
    Some((count(old)?, count(new)?))
}

/// Whether diffs printed to stdout should be coloured: stdout is a terminal, `NO_COLOR` is
/// unset or empty (https://no-color.org), and the terminal is not `dumb`.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    color_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

fn color_wanted(
    terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(
            unified(super::super::Sides::LIVE, "configmap/a", "a: 1\n", "a: 1\n"),
            ""
        );
    }

    #[test]
    fn headers_name_both_sides() {
        let d = unified(super::super::Sides::LIVE, "configmap/a", "a: 1\n", "a: 2\n");
        assert!(
            d.starts_with("--- live configmap/a\n+++ desired configmap/a\n@@"),
            "{d}"
        );
    }

    #[test]
    fn colours_follow_the_hunk() {
        let diff = "--- live x\n+++ desired x\n@@ -1,3 +1,3 @@\n a\n--- removed\n+++ added\n c\n";
        let out = colorize(diff);
        assert_eq!(
            out,
            format!(
                "{BOLD}--- live x{RESET}\n{BOLD}+++ desired x{RESET}\n{CYAN}@@ -1,3 +1,3 @@{RESET}\n a\n{RED}--- removed{RESET}\n{GREEN}+++ added{RESET}\n c\n"
            )
        );
    }

    #[test]
    fn colours_restart_for_each_object_and_after_a_single_line_hunk() {
        let diff = "@@ -1 +1 @@\n-a\n+b\n--- live y\n+++ desired y\n@@ -0,0 +1,1 @@\n+c\n";
        let out = colorize(diff);
        assert!(out.contains(&format!("{BOLD}--- live y{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{GREEN}+c{RESET}")), "{out:?}");
        assert!(out.contains(&format!("{RED}-a{RESET}")), "{out:?}");
    }

    #[test]
    fn no_color_and_pipes_switch_colour_off() {
        assert!(color_wanted(true, None, Some(OsStr::new("xterm"))));
        assert!(color_wanted(true, Some(OsStr::new("")), None));
        assert!(!color_wanted(true, Some(OsStr::new("1")), None));
        assert!(!color_wanted(false, None, None));
        assert!(!color_wanted(true, None, Some(OsStr::new("dumb"))));
    }
}
