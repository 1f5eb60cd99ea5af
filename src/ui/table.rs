//! Plain aligned tables on stdout, like kubectl's: a header row, columns padded to the widest
//! cell, no borders, so the output greps and cuts well.

/// Prints the table on stdout through `ui`; fails only when stdout cannot be written (not when
/// its reader has gone away, see [`crate::ui::out`]).
pub fn print<I>(ui: &super::Ui, header: &[&str], rows: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = Vec<String>>,
{
    ui.out(&render(header, rows))
}

pub fn render<I>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = Vec<String>>,
{
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count() + 3;
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align() {
        let t = super::render(&["A", "LONGER"], vec![vec!["xyz".into(), "1".into()]]);
        assert_eq!(t, "A     LONGER\nxyz   1\n");
    }
}
