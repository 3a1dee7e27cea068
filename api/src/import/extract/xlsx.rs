//! An Excel workbook's sheets, each a table, read with calamine. Merged ranges are expanded as
//! the parser expects them: a range across the whole width of the sheet is a spanning row (a
//! category row, a title, a note), text in its first cell; a range down a column repeats its
//! text in every row it covers (a leader or a category that continues); other merges keep their
//! text in their first cell. A date cell reads as its date (`2025-08-31`), a whole number
//! without a decimal point.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx};

use super::archive::Archive;
use crate::error::{AppError, AppResult};
use crate::import::parse::{Notice, Part, Row, Table};

/// The most rows and columns a sheet's cells may span: far beyond any notice, far below what a
/// grid of every cell between A1 and one far-away cell (XFD1048576) would take in memory.
const MAX_ROWS: u32 = 20_000;
const MAX_COLUMNS: u32 = 256;
/// The most rows all of a sheet's merged ranges may cover together.
const MAX_MERGED_ROWS: usize = 200_000;
/// The most cells (rows × columns of the read grids) and the most text all sheets together may
/// hold: a shared string used by every cell is copied into each.
const MAX_CELLS: usize = 2_000_000;
const MAX_TEXT: usize = 50 * 1024 * 1024;

pub fn notice(bytes: &[u8]) -> AppResult<Notice> {
    // calamine reads the archive with its own zip reader: it gets a copy of exactly the
    // entries read and checked here, within the caps.
    let checked = Archive::open(bytes, ".xlsx")?.checked_copy()?;
    // A crafted workbook can make calamine panic (a shared string index out of range): that
    // is a broken file, not a server error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&checked)))
        .unwrap_or_else(|_| Err(not_xlsx()))
}

fn not_xlsx() -> AppError {
    AppError::bad_field("file", "is not a readable .xlsx file")
}

fn too_large(what: String) -> AppError {
    AppError::bad_field("file", what)
}

fn read(bytes: &[u8]) -> AppResult<Notice> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let mut parts = Vec::new();
    let mut cells_left = MAX_CELLS;
    let mut text_left = MAX_TEXT;
    for name in workbook.sheet_names() {
        // The cells one by one (a sparse read), never the dense range calamine would allocate
        // for the whole used area.
        let mut cells = Vec::new();
        {
            let mut reader = workbook
                .worksheet_cells_reader(&name)
                .map_err(|_| not_xlsx())?;
            while let Some(cell) = reader.next_cell().map_err(|_| not_xlsx())? {
                let value = cell.get_value();
                let size = text_size(value);
                if size == 0 {
                    continue;
                }
                text_left = text_left.checked_sub(size).ok_or_else(|| {
                    too_large(format!("sheet `{name}` holds more text than a notice can"))
                })?;
                let (row, column) = cell.get_position();
                if row >= MAX_ROWS || column >= MAX_COLUMNS {
                    return Err(too_large(format!(
                        "sheet `{name}` has values beyond row {MAX_ROWS} or column {MAX_COLUMNS}; \
                         a notice's table is far smaller"
                    )));
                }
                cells.push((row, column, text(&Data::from(value.clone()))));
            }
        }
        let Some(top) = cells.iter().map(|c| c.0).min() else {
            continue;
        };
        let left = cells.iter().map(|c| c.1).min().unwrap_or(0);
        let bottom = cells.iter().map(|c| c.0).max().unwrap_or(top);
        let width = (cells.iter().map(|c| c.1).max().unwrap_or(left) - left + 1) as usize;
        let height = (bottom - top + 1) as usize;
        cells_left = cells_left.checked_sub(width * height).ok_or_else(|| {
            too_large(format!(
                "the workbook's sheets span more cells than a notice ({MAX_CELLS})"
            ))
        })?;
        let mut rows = vec![Row::of(vec![String::new(); width]); height];
        for (row, column, value) in cells {
            rows[(row - top) as usize].cells[(column - left) as usize] = value;
        }
        let merges = workbook
            .worksheet_merge_cells(&name)
            .transpose()
            .map_err(|_| not_xlsx())?
            .unwrap_or_default();
        // Every merged row is written once per merge: bound the work a hostile file can ask
        // for with many long merges, and the text the merges repeat.
        let mut budget = MAX_MERGED_ROWS;
        for merge in merges {
            // Positions relative to the cells read; a merge outside them changes nothing.
            let (Some(r0), Some(c0)) = (
                (merge.start.0 as usize).checked_sub(top as usize),
                (merge.start.1 as usize).checked_sub(left as usize),
            ) else {
                continue;
            };
            let r1 = (merge.end.0 as usize).saturating_sub(top as usize);
            let c1 = (merge.end.1 as usize).saturating_sub(left as usize);
            let Some(value) = rows.get(r0).and_then(|r| r.cells.get(c0)).cloned() else {
                continue;
            };
            let whole_width = c0 == 0 && c1 + 1 >= width && width > 1;
            let span = (r1 + 1).min(rows.len()).saturating_sub(r0);
            budget = budget.checked_sub(span).ok_or_else(|| {
                too_large(format!(
                    "sheet `{name}` merges more cells than a notice's table has"
                ))
            })?;
            text_left = text_left
                .checked_sub(span.saturating_mul(value.len()))
                .ok_or_else(|| {
                    too_large(format!(
                        "sheet `{name}` repeats more text than a notice holds"
                    ))
                })?;
            for row in rows.iter_mut().take(r1 + 1).skip(r0) {
                if whole_width {
                    row.spans_row = true;
                }
                if let Some(cell) = row.cells.get_mut(c0) {
                    cell.clone_from(&value);
                }
            }
        }
        parts.push(Part::Table(Table { rows }));
    }
    Ok(Notice { parts })
}

/// The bytes a cell's value takes as text, before copying it.
fn text_size(value: &DataRef<'_>) -> usize {
    match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            text.len()
        }
        DataRef::SharedString(text) => text.len(),
        DataRef::Empty | DataRef::Error(_) => 0,
        _ => 24,
    }
}

/// A cell's text as the sheet shows it.
fn text(cell: &Data) -> String {
    match cell {
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(when) => when
            .as_datetime()
            .map(|at| at.date().to_string())
            .unwrap_or_else(|| when.to_string()),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        build(workbook.add_worksheet());
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn merges_span_rows_and_repeat_down_columns() {
        let bytes = workbook(|sheet| {
            let plain = rust_xlsxwriter::Format::new();
            sheet
                .merge_range(0, 0, 0, 2, "一、教育（2项）", &plain)
                .unwrap();
            sheet.merge_range(1, 0, 2, 0, "李 娜", &plain).unwrap();
            sheet.write_string(1, 1, "甲").unwrap();
            sheet.write_number(2, 1, 12.0).unwrap();
            sheet.write_string(2, 2, "区教育局").unwrap();
        });
        let notice = notice(&bytes).unwrap();
        let Part::Table(table) = &notice.parts[0] else {
            panic!("a table")
        };
        assert!(table.rows[0].spans_row);
        assert_eq!(table.rows[2].cells, ["李 娜", "12", "区教育局"]);
    }

    #[test]
    fn a_far_away_cell_is_refused_not_allocated() {
        // One value in A1 and one in XFD1048576: a dense grid would be 17 billion cells.
        let bytes = workbook(|sheet| {
            sheet.write_string(0, 0, "序号").unwrap();
            sheet.write_string(1_048_575, 16_383, "x").unwrap();
        });
        let error = notice(&bytes).unwrap_err();
        assert!(error.to_string().contains("beyond row"), "{error}");
    }
}

#[cfg(test)]
mod budgets {
    use super::*;

    #[test]
    fn a_shared_string_repeated_in_every_cell_is_refused_not_copied() {
        // One string of Excel's longest (32,000 characters, 96 KB), stored once and used by 600
        // cells: 58 MB once read.
        let big = "甲".repeat(32_000);
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for row in 0..600 {
            sheet.write_string(row, 0, &big).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let error = notice(&bytes).unwrap_err();
        assert!(error.to_string().contains("more text"), "{error}");
    }
}
