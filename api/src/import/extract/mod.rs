//! A notice out of an uploaded file, as paragraphs and tables (`parse::Notice`): `.txt` and
//! `.md` as text (UTF-8, or GB18030, the encoding many government files still use; a pasted pipe
//! table in them is a table), `.docx` from the Word XML (paragraphs, and tables with their
//! merged cells), `.xlsx` with calamine (each sheet a table, merged ranges expanded), `.csv`.
//! Anything else is refused with the list of accepted types.
//!
//! Office files are zip archives, and hostile ones expand enormously (a zip bomb) or define
//! entities that expand exponentially (an XML entity bomb): every entry read is capped
//! (`archive`), and a document type declaration, which Office never writes, is refused.

mod archive;
mod docx;
mod xlsx;

use crate::error::{AppError, AppResult};
use crate::import::parse::{MAX_TEXT_BYTES, Notice, Part, Row, Table};

/// The file types an import accepts.
pub const ACCEPTED: &str = ".txt, .md, .docx, .xlsx and .csv";

/// The largest uploaded file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Extracts the paragraphs and tables of a file by its name's extension.
pub fn notice_of(file_name: &str, bytes: &[u8]) -> AppResult<Notice> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::bad_field(
            "file",
            format!(
                "is {} bytes; the largest accepted is {MAX_FILE_BYTES} bytes",
                bytes.len()
            ),
        ));
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "md" | "markdown" => Ok(Notice::from_text(&decode(bytes)?)),
        "docx" => docx::notice(bytes),
        "xlsx" | "xlsm" => xlsx::notice(bytes),
        "csv" => csv_notice(bytes),
        _ => Err(AppError::bad_field(
            "file",
            format!("`{file_name}` is not a type the importer reads; accepted are {ACCEPTED}"),
        )),
    }
}

/// The text of a file, as the notice's stored original: its lines (a table row a line).
pub fn text_of(file_name: &str, bytes: &[u8]) -> AppResult<String> {
    Ok(notice_of(file_name, bytes)?.lines().join("\n"))
}

/// UTF-8 (with or without a byte-order mark), else GB18030.
fn decode(bytes: &[u8]) -> AppResult<String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(AppError::bad_field(
            "file",
            "is neither UTF-8 nor GB18030 text",
        ));
    }
    Ok(text.into_owned())
}

/// A CSV file (as Excel saves it: UTF-8 with a byte-order mark, or GB18030) as one table.
fn csv_notice(bytes: &[u8]) -> AppResult<Notice> {
    let text = decode(bytes)?;
    if text.len() > MAX_TEXT_BYTES {
        return Err(AppError::bad_field(
            "file",
            "holds more text than a notice can",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| {
            AppError::bad_field("file", format!("is not a readable CSV file: {err}"))
        })?;
        rows.push(Row::of(
            record.iter().map(|cell| cell.replace("\r\n", "\n")),
        ));
    }
    Ok(Notice {
        parts: vec![Part::Table(Table { rows })],
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    /// A minimal .docx: a zip holding word/document.xml with two paragraphs.
    pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        );
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn word_paragraphs_become_lines() {
        let bytes = docx(&[
            "1. 新建充电桩 700 个。",
            "责任单位：市发展改革委 &amp; 市财政局",
        ]);
        let text = text_of("通知.DOCX", &bytes).unwrap();
        assert_eq!(
            text,
            "1. 新建充电桩 700 个。\n责任单位：市发展改革委 & 市财政局"
        );
    }

    #[test]
    fn text_files_may_be_gb18030() {
        let (encoded, _, _) = encoding_rs::GB18030.encode("责任单位：市财政局");
        assert_eq!(text_of("a.txt", &encoded).unwrap(), "责任单位：市财政局");
        assert_eq!(
            text_of("a.md", "\u{feff}# 标题".as_bytes()).unwrap(),
            "# 标题"
        );
    }

    #[test]
    fn other_types_and_broken_files_are_refused() {
        let error = text_of("通知.pdf", b"%PDF-1.7").unwrap_err();
        assert!(
            error
                .to_string()
                .contains(".txt, .md, .docx, .xlsx and .csv"),
            "{error}"
        );
        assert!(text_of("通知.docx", b"not a zip").is_err());
        assert!(text_of("a.txt", &[0xff, 0xfe, 0xfd, 0x80, 0x81]).is_err());
    }
}
