//! A stacked bar chart of answers over time for the terminal: one column per bucket (adjacent
//! buckets share a column when there are more than fit), one glyph per outcome so that it
//! reads without colours, and colours on top when they are on.

use std::fmt::Write;

/// The glyph and ANSI colour of each outcome, in stacking order (valid at the bottom).
const STYLE: [(&str, char, &str); 11] = [
    ("valid", '#', "32"),
    ("unknown", '?', "35"),
    ("malformed", 'm', "35"),
    ("inactive", 'x', "31"),
    ("expired", 'e', "31"),
    ("ip_denied", 'i', "33"),
    ("scope_denied", 's', "33"),
    ("usage_exceeded", 'u', "36"),
    ("rate_limited", 'r', "36"),
    ("stale_snapshot", 'z', "34"),
    ("counters_unavailable", 'c', "34"),
];

/// The height of the plot in lines.
const HEIGHT: usize = 10;

/// The width of the terminal on stdout: `COLUMNS` when set, else the terminal's, else 80.
pub fn width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    rustix::termios::tcgetwinsize(std::io::stdout())
        .ok()
        .map(|w| usize::from(w.ws_col))
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

/// Draws `series` (bucket start → counts by outcome, in time order, every bucket of the
/// window present) into at most `width` columns. `label` formats a bucket's start.
pub fn draw(
    series: &[(i64, Vec<(usize, i64)>)],
    width: usize,
    color: bool,
    label: impl Fn(i64) -> String,
) -> String {
    let mut out = String::new();
    if series.is_empty() {
        return out;
    }
    // The y axis takes 8 columns ("  12345 │"); the rest is for the bars.
    let room = width.saturating_sub(10).max(10);
    let per = series.len().div_ceil(room);
    // Few buckets are drawn wider (up to 3 columns each), so a day of hours reads as bars.
    let wide = (room / series.len()).clamp(1, 3);
    let columns: Vec<(i64, [i64; 11])> = series
        .chunks(per)
        .map(|chunk| {
            let mut sums = [0; 11];
            for (_, counts) in chunk {
                for (o, n) in counts {
                    sums[*o] += n;
                }
            }
            (chunk[0].0, sums)
        })
        .collect();
    let max = columns
        .iter()
        .map(|(_, s)| s.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    // Each column's stack, bottom first: one glyph per line, the outcome with most answers
    // in that line's share (so a small denial count still shows as at least one glyph).
    let stacks: Vec<Vec<Option<usize>>> = columns
        .iter()
        .map(|(_, sums)| {
            let total: i64 = sums.iter().sum();
            let lines = usize::try_from((total * HEIGHT as i64 + max - 1) / max).unwrap_or(0);
            let mut cells = Vec::with_capacity(lines);
            let nonzero: Vec<usize> = (0..11).filter(|o| sums[*o] > 0).collect();
            let mut shares: Vec<(usize, usize)> = nonzero
                .iter()
                .map(|o| {
                    let n = (sums[*o] * lines as i64) / total.max(1);
                    (*o, usize::try_from(n).unwrap_or(0).max(1))
                })
                .collect();
            // Trim the largest share until the stack fits its height.
            while shares.iter().map(|s| s.1).sum::<usize>() > lines {
                if let Some(big) = shares.iter_mut().max_by_key(|s| s.1) {
                    big.1 -= 1;
                }
            }
            while shares.iter().map(|s| s.1).sum::<usize>() < lines {
                if let Some(big) = shares.iter_mut().max_by_key(|s| s.1) {
                    big.1 += 1;
                }
            }
            for (o, n) in shares {
                cells.extend(std::iter::repeat_n(Some(o), n));
            }
            cells
        })
        .collect();
    for line in (0..HEIGHT).rev() {
        let axis = if line == HEIGHT - 1 {
            format!("{max:>7}")
        } else {
            " ".repeat(7)
        };
        let _ = write!(out, "{axis} │");
        for stack in &stacks {
            let cell = match stack.get(line).copied().flatten() {
                Some(o) => {
                    let (_, glyph, code) = STYLE[o];
                    let bar: String = std::iter::repeat_n(glyph, wide).collect();
                    if color {
                        format!("\x1b[{code}m{bar}\x1b[0m")
                    } else {
                        bar
                    }
                }
                None => " ".repeat(wide),
            };
            out.push_str(&cell);
        }
        out.push('\n');
    }
    let drawn = stacks.len() * wide;
    let _ = writeln!(out, "{:>7} └{}", 0, "─".repeat(drawn));
    let first = label(columns[0].0);
    let last = label(columns[columns.len() - 1].0);
    let gap = drawn.saturating_sub(first.len() + last.len());
    if gap > 0 {
        let _ = writeln!(out, "{}{first}{}{last}", " ".repeat(9), " ".repeat(gap));
    } else {
        let _ = writeln!(out, "{}{first}", " ".repeat(9));
    }
    out
}

/// The index of an outcome in the chart's order.
pub fn index_of(outcome: &str) -> Option<usize> {
    STYLE.iter().position(|(o, _, _)| *o == outcome)
}

/// The legend: each outcome present with its glyph and total, wrapped to `width`.
pub fn legend(totals: &[(usize, i64)], width: usize, color: bool) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for (o, n) in totals {
        let (name, glyph, code) = STYLE[*o];
        let plain = format!("{glyph} {name} {n}");
        if line_len > 0 && line_len + plain.len() + 3 > width {
            out.push('\n');
            line_len = 0;
        }
        if line_len > 0 {
            out.push_str("   ");
            line_len += 3;
        }
        if color {
            let _ = write!(out, "\x1b[{code}m{glyph}\x1b[0m {name} {n}");
        } else {
            out.push_str(&plain);
        }
        line_len += plain.chars().count();
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_fits_its_width_and_shows_a_single_denial() {
        let series: Vec<(i64, Vec<(usize, i64)>)> = (0..500)
            .map(|i| (i * 60, vec![(0, 1000 + i), (3, i64::from(i == 7))]))
            .collect();
        for width in [40, 80, 200] {
            let text = draw(&series, width, false, |t| t.to_string());
            for line in text.lines() {
                assert!(line.chars().count() <= width, "{width}: {line:?}");
            }
            assert!(text.contains('x'), "the one denial shows");
            assert!(text.contains('#'));
        }
    }
}
