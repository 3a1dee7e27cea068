//! A notice as the extractors deliver it: its paragraphs and tables in document order. Word
//! files and spreadsheets arrive this way (`import::extract`); text arrives as lines, in which a
//! pasted pipe table (`| 序号 | 工作任务 | … |` over a `|---|` line) is found here.
//!
//! A table is a grid: merged cells are already expanded by the extractor. A cell merged down a
//! column (a leader or a category that continues) repeats its text in every row it covers; a
//! row whose one cell spans the whole width (a category row, a title, a note) says so with
//! `spans_row`, its text in the first cell.

use std::sync::LazyLock;

use regex::Regex;

/// A notice: paragraphs and tables, in document order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notice {
    pub parts: Vec<Part>,
}

/// One paragraph or one table. A paragraph may hold line breaks (Word's `w:br`): each of its
/// lines is a line of the notice, so that every reader numbers lines the same way.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Paragraph(String),
    Table(Table),
}

/// A table as a grid of texts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub rows: Vec<Row>,
}

/// One row of a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// The text of each column; a cell with several paragraphs keeps them on separate lines.
    pub cells: Vec<String>,
    /// One merged cell spans the whole row (its text is the first cell's).
    pub spans_row: bool,
}

impl Row {
    /// A row of plain cells.
    pub fn of<S: Into<String>>(cells: impl IntoIterator<Item = S>) -> Self {
        Self {
            cells: cells.into_iter().map(Into::into).collect(),
            spans_row: false,
        }
    }

    /// Whether every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|cell| cell.trim().is_empty())
    }

    /// The row as one line of text (cells separated by two spaces), for the line numbering
    /// and for reading the header around a table. One row is one line: a break inside a cell
    /// becomes a space, or the text read from the lines would number them past the notice's.
    pub fn as_line(&self) -> String {
        let one_line = |cell: &String| cell.trim().replace('\n', " ");
        if self.spans_row {
            return self.cells.first().map(one_line).unwrap_or_default();
        }
        self.cells
            .iter()
            .map(one_line)
            .filter(|cell| !cell.is_empty())
            .collect::<Vec<_>>()
            .join("  ")
    }
}

impl Notice {
    /// A notice from text: its lines are paragraphs, except pipe tables, which become tables.
    pub fn from_text(text: &str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut parts = Vec::with_capacity(lines.len());
        let mut i = 0;
        while i < lines.len() {
            if is_pipe_row(lines[i]) && lines.get(i + 1).is_some_and(|l| DELIMITER.is_match(l)) {
                let mut rows = vec![pipe_cells(lines[i])];
                i += 2;
                while i < lines.len() && is_pipe_row(lines[i]) {
                    if !DELIMITER.is_match(lines[i]) {
                        rows.push(pipe_cells(lines[i]));
                    }
                    i += 1;
                }
                parts.push(Part::Table(Table { rows }));
                continue;
            }
            parts.push(Part::Paragraph(lines[i].to_owned()));
            i += 1;
        }
        Self { parts }
    }

    /// The notice as numbered lines: each line of a paragraph one line, each table row one line. Task
    /// and warning line numbers refer to these.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for part in &self.parts {
            match part {
                Part::Paragraph(text) => lines.extend(text.split('\n').map(str::to_owned)),
                Part::Table(table) => lines.extend(table.rows.iter().map(Row::as_line)),
            }
        }
        lines
    }

    /// The tables with the line number (1-based) of their first row.
    pub fn tables(&self) -> Vec<(usize, &Table)> {
        let mut line = 1;
        let mut tables = Vec::new();
        for part in &self.parts {
            match part {
                Part::Paragraph(text) => line += text.split('\n').count(),
                Part::Table(table) => {
                    tables.push((line, table));
                    line += table.rows.len();
                }
            }
        }
        tables
    }
}

/// A Markdown table's delimiter row: `|---|:---:|`.
static DELIMITER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$").expect("valid regex")
});

/// A line of a pipe table: it starts with `|` (pasted tables always do).
fn is_pipe_row(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('|') && line.len() > 1
}

/// The cells of `| a | b |`; `\|` is a pipe inside a cell, `<br>` a line break.
fn pipe_cells(line: &str) -> Row {
    let line = line.trim();
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
    Row::of(cells.into_iter().map(|cell| {
        cell.replace("<br>", "\n")
            .replace("<br/>", "\n")
            .trim()
            .to_owned()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the random-table property: a paragraph with line breaks (Word's `w:br`) was one
    /// line to the counter and several to the line reader, so a task's line fell past the end.
    #[test]
    fn a_paragraph_with_line_breaks_counts_each_of_its_lines() {
        let notice = Notice {
            parts: vec![
                Part::Paragraph("附件\n\n重点任务".to_owned()),
                Part::Table(Table {
                    rows: vec![Row {
                        cells: vec!["序号".to_owned()],
                        spans_row: false,
                    }],
                }),
                Part::Paragraph("1. 新建学校。\n责任单位：区教育局".to_owned()),
            ],
        };
        let lines = notice.lines();
        assert_eq!(lines.len(), 6);
        assert_eq!(
            notice.tables()[0].0,
            4,
            "the table starts after the paragraph's 3 lines"
        );
        let doc = super::super::parse_notice(&notice).unwrap();
        assert_eq!(doc.tasks.len(), 1);
        assert_eq!(lines[doc.tasks[0].line - 1], "1. 新建学校。");
    }

    #[test]
    fn pipe_tables_are_found_in_text_and_lines_keep_their_numbers() {
        let text = "标题\n| 序号 | 工作任务 | 责任单位 |\n|---|---|:---:|\n| 1 | 新建学校\\|幼儿园 | 区教育局<br>区财政局 |\n| 2 | 修路 | 区交通局 |\n联系人：张三";
        let notice = Notice::from_text(text);
        assert_eq!(notice.parts.len(), 3);
        let Part::Table(table) = &notice.parts[1] else {
            panic!("a table")
        };
        assert_eq!(table.rows.len(), 3);
        assert_eq!(
            table.rows[1].cells,
            ["1", "新建学校|幼儿园", "区教育局\n区财政局"]
        );
        assert_eq!(notice.tables()[0].0, 2);
        assert_eq!(notice.lines().len(), 5);
        assert_eq!(notice.lines()[4], "联系人：张三");
    }

    /// A row that spans the table (a heading merged across its columns) is one line, like any
    /// other row, also when its text breaks across lines in the cell: the text read from the
    /// lines keeps the numbers of the notice's lines. (Found by `random_tables_never_panic`: a
    /// task after such a row was numbered past the notice's last line.)
    #[test]
    fn a_row_spanning_the_table_is_one_line_however_its_text_breaks() {
        let spanning = |text: &str| Row {
            cells: vec![text.to_owned()],
            spans_row: true,
        };
        let notice = Notice {
            parts: vec![
                Part::Table(Table {
                    rows: vec![spanning("一、教育\n（共1项）"), spanning("1. 新建学校。")],
                }),
                Part::Paragraph("责任单位：区教育局".to_owned()),
            ],
        };
        let lines = notice.lines();
        assert_eq!(
            lines,
            ["一、教育 （共1项）", "1. 新建学校。", "责任单位：区教育局"]
        );
        let doc = super::super::parse_notice(&notice).unwrap();
        assert_eq!(doc.tasks.len(), 1);
        assert_eq!(doc.tasks[0].line, 2);
        assert_eq!(lines[doc.tasks[0].line - 1], "1. 新建学校。");
    }

    #[test]
    fn a_pipe_without_a_delimiter_row_is_text() {
        let notice = Notice::from_text("| 只是一行 |\n正文");
        assert!(notice.parts.iter().all(|p| matches!(p, Part::Paragraph(_))));
    }
}
