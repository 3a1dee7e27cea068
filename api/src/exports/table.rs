//! Writing a table to `.xlsx` or `.csv` in constant memory: rows arrive in batches through a
//! bounded channel from the code that reads them, a blocking thread writes them to a file in
//! the storage's temporary directory (rust_xlsxwriter in its constant-memory mode, which keeps
//! one row in memory; the csv crate), and the finished file is what the client downloads. A
//! failure before the end is an error response, never a truncated file.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use tokio::sync::mpsc;

use crate::error::{AppError, AppResult};

/// The formats an export is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    /// UTF-8 with a byte-order mark, so that Excel opens the Chinese text as it is.
    Csv,
}

impl FileFormat {
    /// The format a file name asks for (`ranking.xlsx`), and the name without it.
    pub fn of(file: &str) -> Option<(&str, Self)> {
        if let Some(name) = file.strip_suffix(".xlsx") {
            Some((name, Self::Xlsx))
        } else {
            file.strip_suffix(".csv").map(|name| (name, Self::Csv))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Date(NaiveDate),
    Empty,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Empty, Into::into)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Self::Int(i64::from(n))
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Self::Float(n)
    }
}

impl From<NaiveDate> for Cell {
    fn from(day: NaiveDate) -> Self {
        Self::Date(day)
    }
}

/// A column: its header and its width in Excel's character units.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

/// What is written: the sheet's name and its columns.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: String,
    pub columns: Vec<Column>,
}

/// The rows a reader sends: at most a few batches wait at once.
pub type Rows = mpsc::Sender<Vec<Vec<Cell>>>;

/// Writes `table` as `format` to a new file under `dir`, with the rows `produce` sends; returns
/// the open file, already unlinked, to stream (so nothing is left behind whatever happens).
pub async fn write<F, Fut>(
    dir: &Path,
    format: FileFormat,
    table: Table,
    produce: F,
) -> AppResult<std::fs::File>
where
    F: FnOnce(Rows) -> Fut,
    Fut: std::future::Future<Output = AppResult<()>>,
{
    std::fs::create_dir_all(dir).map_err(internal)?;
    let file = tempfile::NamedTempFile::new_in(dir).map_err(internal)?;
    let (sender, receiver) = mpsc::channel::<Vec<Vec<Cell>>>(2);
    let dir = dir.to_owned();
    let writer = tokio::task::spawn_blocking(move || -> AppResult<tempfile::NamedTempFile> {
        match format {
            FileFormat::Xlsx => write_xlsx(&dir, &table, receiver, file.path()).map_err(internal),
            FileFormat::Csv => write_csv(&table, receiver, file.as_file()).map_err(internal),
        }?;
        Ok(file)
    });
    // If the reader fails, the writer sees the channel close and finishes a partial file, which
    // is dropped: the reader's error is the answer. If the writer fails, the reader's next send
    // fails too, and the writer's error is the one that says why.
    let produced = produce(sender).await;
    let file = writer.await.map_err(internal)??;
    produced?;
    let reopened = file.reopen().map_err(internal)?;
    drop(file); // unlinks the path; the open handle stays readable
    Ok(reopened)
}

fn internal(err: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(err.into())
}

fn write_xlsx(
    dir: &Path,
    table: &Table,
    mut rows: mpsc::Receiver<Vec<Vec<Cell>>>,
    path: &Path,
) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_tempdir(dir)?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("#DDEBF7");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let date = Format::new()
        .set_num_format("yyyy-mm-dd")
        .set_align(FormatAlign::Top);
    let number = Format::new().set_align(FormatAlign::Top);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    // Sheet names are at most 31 characters and exclude a few.
    let name: String = table
        .sheet
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(name)?;
    for (col, column) in table.columns.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.set_column_width(col, column.width)?;
        sheet.write_string_with_format(0, col, column.header, &header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row_number: u32 = 1;
    while let Some(batch) = rows.blocking_recv() {
        for row in batch {
            for (col, cell) in row.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(text) => {
                        sheet.write_string_with_format(row_number, col, cell_text(text), &wrap)?;
                    }
                    Cell::Int(n) => {
                        #[allow(clippy::cast_precision_loss)]
                        sheet.write_number_with_format(row_number, col, *n as f64, &number)?;
                    }
                    Cell::Float(n) => {
                        sheet.write_number_with_format(row_number, col, *n, &number)?;
                    }
                    Cell::Date(day) => {
                        use chrono::Datelike;
                        let excel = rust_xlsxwriter::ExcelDateTime::from_ymd(
                            u16::try_from(day.year()).unwrap_or(1900),
                            u8::try_from(day.month()).unwrap_or(1),
                            u8::try_from(day.day()).unwrap_or(1),
                        )?;
                        sheet.write_date_with_format(row_number, col, &excel, &date)?;
                    }
                    Cell::Empty => {}
                }
            }
            row_number += 1;
        }
    }
    workbook.save(path)
}

fn write_csv(
    table: &Table,
    mut rows: mpsc::Receiver<Vec<Vec<Cell>>>,
    file: &std::fs::File,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(file);
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(table.columns.iter().map(|c| c.header))?;
    while let Some(batch) = rows.blocking_recv() {
        for row in batch {
            writer.write_record(row.iter().map(|cell| match cell {
                Cell::Text(text) => inert(text),
                Cell::Int(n) => n.to_string(),
                Cell::Float(n) => format!("{n}"),
                Cell::Date(day) => day.to_string(),
                Cell::Empty => String::new(),
            }))?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// Excel holds at most 32,767 characters in a cell: a longer text is cut there, with a mark.
fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 32_767;
    if text.chars().count() <= MAX {
        std::borrow::Cow::Borrowed(text)
    } else {
        let mut cut: String = text.chars().take(MAX - 1).collect();
        cut.push('…');
        std::borrow::Cow::Owned(cut)
    }
}

/// A text cell of a CSV file that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a
/// tab or carriage return first: "CSV injection") gets a `'` before it, which Excel and WPS show
/// as text. Numbers are written as numbers and never start this way by accident. The `.xlsx`
/// export needs nothing of the sort: its strings are strings.
fn inert(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_csv_text_are_made_inert() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("-1+2"), "'-1+2");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("完成投资12亿元"), "完成投资12亿元");
    }

    #[test]
    fn long_texts_are_cut_to_what_a_cell_holds() {
        let long = "长".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), 32_767);
        assert!(cut.ends_with('…'));
        assert_eq!(cell_text("短"), "短");
    }
}
