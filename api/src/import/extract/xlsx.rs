//! An Excel workbook's sheets, each a table, read with calamine. Merged ranges are expanded as
//! the parser expects them: a range across the whole width of the sheet is a spanning row (a
//! category row, a title, a note), text in its first cell; a range down a column repeats its
//! text in every row it covers (a leader or a category that continues); other merges keep their
//! text in their first cell. A date cell reads as its date (`2025-08-31`), a whole number
//! without a decimal point.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::archive::Archive;
use crate::error::{AppError, AppResult};
use crate::import::parse::{Notice, Part, Row, Table};

pub fn notice(bytes: &[u8]) -> AppResult<Notice> {
    // calamine reads the archive itself: check every entry's size and prolog first.
    Archive::open(bytes, ".xlsx")?.check_all()?;
    let not_xlsx = || AppError::bad_field("file", "is not a readable .xlsx file");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let mut parts = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|_| not_xlsx())?;
        let Some((top, left)) = range.start() else {
            continue;
        };
        let width = range.width();
        let mut rows: Vec<Row> = range
            .rows()
            .map(|cells| Row::of(cells.iter().map(text)))
            .collect();
        let merges = workbook
            .worksheet_merge_cells(&name)
            .transpose()
            .map_err(|_| not_xlsx())?
            .unwrap_or_default();
        for merge in merges {
            // Positions relative to the used range.
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
