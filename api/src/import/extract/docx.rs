//! A Word file's paragraphs and tables, from `word/document.xml`. A table keeps its grid: a
//! cell spanning columns (`w:gridSpan`) leaves the columns it covers empty, and a row that one
//! cell spans whole (a category row) says so; a cell merged down (`w:vMerge`) repeats the text
//! of the cell it continues. Paragraphs inside a cell (and line breaks) stay on separate lines
//! of its text; a table inside a cell is read as that cell's text.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::archive::Archive;
use crate::error::{AppError, AppResult};
use crate::import::parse::{Notice, Part, Row, Table};

/// The widest and longest table read, and the most text its cells may hold once merged cells
/// are repeated down their rows: far beyond any notice, far below what a hostile file could
/// otherwise make the grid take in memory.
const MAX_COLUMNS: usize = 256;
const MAX_ROWS: usize = 20_000;
/// For the whole document: the most grid cells, and the most text in them.
const MAX_CELLS: usize = 2_000_000;
const MAX_GRID_BYTES: usize = 50 * 1024 * 1024;

/// What the tables of a document may still take.
struct Budget {
    cells: usize,
    bytes: usize,
}

/// How a cell takes part in a vertical merge.
#[derive(Clone, Copy, PartialEq, Eq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

/// One `w:tc` as read.
struct Cell {
    text: String,
    span: usize,
    vmerge: VMerge,
}

/// The table being read (the outermost one; nested tables feed its current cell).
#[derive(Default)]
struct TableState {
    rows: Vec<Row>,
    grid_columns: usize,
    cells: Vec<Cell>,
}

pub fn notice(bytes: &[u8]) -> AppResult<Notice> {
    let mut archive = Archive::open(bytes, ".docx")?;
    let xml = archive.read("word/document.xml")?;
    read(&xml)
}

fn read(xml: &[u8]) -> AppResult<Notice> {
    let not_docx = || AppError::bad_field("file", "is not a readable .docx file");
    let mut reader = Reader::from_reader(xml);
    let mut buffer = Vec::new();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut table = TableState::default();
    let mut paragraph = String::new();
    let mut cell: Option<Cell> = None;
    let mut in_text = false;
    let mut budget = Budget {
        cells: MAX_CELLS,
        bytes: MAX_GRID_BYTES,
    };
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|_| not_docx())?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tbl" => depth += 1,
                b"tc" if depth == 1 => {
                    cell = Some(Cell {
                        text: String::new(),
                        span: 1,
                        vmerge: VMerge::None,
                    });
                }
                b"vMerge" if depth == 1 => set_vmerge(&mut cell, &e),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"br" | b"cr" => paragraph.push('\n'),
                b"tab" => paragraph.push('\t'),
                b"gridCol" if depth == 1 => table.grid_columns += 1,
                b"gridSpan" if depth == 1 => {
                    if let (Some(cell), Some(span)) = (cell.as_mut(), value(&e)) {
                        cell.span = span.parse().unwrap_or(1).clamp(1, 64);
                    }
                }
                b"vMerge" if depth == 1 => set_vmerge(&mut cell, &e),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let text = std::mem::take(&mut paragraph);
                    match cell.as_mut() {
                        Some(cell) if depth >= 1 => {
                            if !cell.text.is_empty() {
                                cell.text.push('\n');
                            }
                            cell.text.push_str(&text);
                        }
                        _ => parts.push(Part::Paragraph(text)),
                    }
                }
                b"tc" if depth == 1 => {
                    if let Some(cell) = cell.take() {
                        table.cells.push(cell);
                    }
                }
                b"tr" if depth == 1 => {
                    let cells = std::mem::take(&mut table.cells);
                    let wide = cells.iter().map(|c| c.span).sum::<usize>() > MAX_COLUMNS;
                    if wide || table.grid_columns > MAX_COLUMNS || table.rows.len() >= MAX_ROWS {
                        return Err(AppError::bad_field(
                            "file",
                            format!(
                                "has a table larger than a notice's ({MAX_ROWS} rows of \
                                 {MAX_COLUMNS} columns at most)"
                            ),
                        ));
                    }
                    let row = grid_row(cells, table.grid_columns, table.rows.last(), &mut budget)?;
                    table.rows.push(row);
                }
                b"tbl" => {
                    if depth == 1 {
                        let done = std::mem::take(&mut table);
                        parts.push(Part::Table(Table { rows: done.rows }));
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            },
            Event::Text(e) if in_text => {
                paragraph.push_str(&e.decode().map_err(|_| not_docx())?);
            }
            Event::GeneralRef(e) if in_text => {
                let name = e.decode().map_err(|_| not_docx())?;
                paragraph.push_str(&entity(&name));
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(Notice { parts })
}

/// The `w:val` of an element.
fn value(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"val")
        .and_then(|a| String::from_utf8(a.value.into_owned()).ok())
}

fn set_vmerge(cell: &mut Option<Cell>, e: &BytesStart<'_>) {
    if let Some(cell) = cell.as_mut() {
        cell.vmerge = match value(e).as_deref() {
            Some("restart") => VMerge::Restart,
            _ => VMerge::Continue,
        };
    }
}

/// A row on the table's grid: spans leave their columns empty, merged-down cells repeat the
/// text above them, within the document's budget.
fn grid_row(
    cells: Vec<Cell>,
    grid_columns: usize,
    above: Option<&Row>,
    budget: &mut Budget,
) -> AppResult<Row> {
    let spans: usize = cells.iter().map(|c| c.span).sum();
    let width = grid_columns.max(spans);
    let spent = |left: &mut usize, used: usize| {
        *left = left.checked_sub(used).ok_or_else(|| {
            AppError::bad_field("file", "expands to more table than a notice can hold")
        })?;
        AppResult::Ok(())
    };
    spent(&mut budget.cells, width)?;
    let spans_row = cells.len() == 1 && width > 1 && cells[0].span >= width;
    let mut row = Row {
        cells: Vec::with_capacity(spans),
        spans_row,
    };
    for cell in cells {
        let column = row.cells.len();
        let text = match cell.vmerge {
            VMerge::Continue => above
                .and_then(|above| above.cells.get(column))
                .map(String::as_str)
                .unwrap_or_default(),
            VMerge::None | VMerge::Restart => cell.text.as_str(),
        };
        spent(&mut budget.bytes, text.len())?;
        row.cells.push(text.to_owned());
        row.cells
            .extend(std::iter::repeat_n(String::new(), cell.span - 1));
    }
    Ok(row)
}

/// The text of an entity reference inside a run: the five XML ones and character references.
fn entity(name: &str) -> String {
    match name {
        "amp" => "&".to_owned(),
        "lt" => "<".to_owned(),
        "gt" => ">".to_owned(),
        "quot" => "\"".to_owned(),
        "apos" => "'".to_owned(),
        _ => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

    fn cell(text: &str, props: &str) -> String {
        let paragraphs: String = text
            .split('|')
            .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
            .collect();
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}</w:tc>")
    }

    #[test]
    fn tables_keep_their_grid_spans_and_merges() {
        let body = format!(
            "<w:p><w:r><w:t>附件</w:t></w:r></w:p><w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>\
             <w:tr>{}</w:tr><w:tr>{}{}{}</w:tr><w:tr>{}{}{}</w:tr></w:tbl><w:p><w:r><w:t>&#20013;</w:t></w:r></w:p>",
            cell("一、教育（共2项）", "<w:gridSpan w:val=\"3\"/>"),
            cell("1", ""),
            cell("甲", ""),
            cell("王建国", "<w:vMerge w:val=\"restart\"/>"),
            cell("2", ""),
            cell("乙|丙", ""),
            cell("", "<w:vMerge/>"),
        );
        let xml = format!("<w:document {W}><w:body>{body}</w:body></w:document>");
        let notice = read(xml.as_bytes()).unwrap();
        assert_eq!(notice.parts.len(), 3);
        let Part::Table(table) = &notice.parts[1] else {
            panic!("a table")
        };
        assert!(table.rows[0].spans_row);
        assert_eq!(table.rows[0].cells, ["一、教育（共2项）", "", ""]);
        assert_eq!(table.rows[2].cells, ["2", "乙\n丙", "王建国"]);
        assert_eq!(notice.parts[2], Part::Paragraph("中".to_owned()));
    }

    #[test]
    fn a_table_wider_than_any_notice_is_refused() {
        // 300 cells spanning 64 columns each: a grid of 19,200 columns a row.
        let row: String = (0..300)
            .map(|_| cell("x", "<w:gridSpan w:val=\"64\"/>"))
            .collect();
        let xml = format!(
            "<w:document {W}><w:body><w:tbl><w:tr>{row}</w:tr></w:tbl></w:body></w:document>"
        );
        let error = read(xml.as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("larger than a notice"),
            "{error}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Random grids of merged cells (spans beyond the grid, merges that continue nothing,
        /// rows of any width): never a panic, and every cell's text lands somewhere.
        #[test]
        fn random_merges_never_panic(
            rows in proptest::collection::vec(
                proptest::collection::vec((0usize..5, 0u8..3, "[a-z]{0,3}"), 0..6),
                0..8,
            ),
            grid in 0usize..6,
        ) {
            let grid_cols: String = (0..grid).map(|_| "<w:gridCol/>").collect();
            let body: String = rows
                .iter()
                .map(|cells| {
                    let tcs: String = cells
                        .iter()
                        .map(|(span, merge, text)| {
                            let merge = match merge {
                                0 => "",
                                1 => "<w:vMerge w:val=\"restart\"/>",
                                _ => "<w:vMerge/>",
                            };
                            cell(text, &format!("<w:gridSpan w:val=\"{span}\"/>{merge}"))
                        })
                        .collect();
                    format!("<w:tr>{tcs}</w:tr>")
                })
                .collect();
            let xml = format!(
                "<w:document {W}><w:body><w:tbl><w:tblGrid>{grid_cols}</w:tblGrid>{body}</w:tbl></w:body></w:document>"
            );
            let notice = read(xml.as_bytes()).unwrap();
            proptest::prop_assert_eq!(notice.parts.len(), 1);
        }
    }
}
