//! Text out of an uploaded file: `.txt` and `.md` as text (UTF-8, or GB18030, the encoding many
//! government files still use), `.docx` from the Word XML (each paragraph a line). Anything else
//! is refused with the list of accepted types.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{AppError, AppResult};
use crate::import::parse::MAX_TEXT_BYTES;

/// The file types an import accepts.
pub const ACCEPTED: &str = ".txt, .md and .docx";

/// The largest uploaded file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// Extracts the text of a file by its name's extension.
pub fn text_of(file_name: &str, bytes: &[u8]) -> AppResult<String> {
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
        "txt" | "md" | "markdown" => decode(bytes),
        "docx" => docx_text(bytes),
        _ => Err(AppError::bad_field(
            "file",
            format!("`{file_name}` is not a type the importer reads; accepted are {ACCEPTED}"),
        )),
    }
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

/// The paragraphs of `word/document.xml`, one per line.
fn docx_text(bytes: &[u8]) -> AppResult<String> {
    let not_docx = || AppError::bad_field("file", "is not a readable .docx file");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_docx())?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|_| not_docx())?;
    // A hostile archive can expand enormously; read no more than a notice could need.
    let limit = (MAX_TEXT_BYTES * 20) as u64;
    let mut xml = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut xml)
        .map_err(|_| not_docx())?;
    if xml.len() as u64 > limit {
        return Err(AppError::bad_field(
            "file",
            "expands to more text than a notice can hold",
        ));
    }
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut text = String::new();
    let mut in_text = false;
    let mut buffer = Vec::new();
    loop {
        match reader
            .read_event_into(&mut buffer)
            .map_err(|_| not_docx())?
        {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == b"p" => text.push('\n'),
            Event::Empty(e) if e.local_name().as_ref() == b"br" => text.push('\n'),
            Event::Empty(e) if e.local_name().as_ref() == b"tab" => text.push('\t'),
            Event::Text(e) if in_text => {
                let piece = e.decode().map_err(|_| not_docx())?;
                text.push_str(&piece);
            }
            Event::GeneralRef(e) if in_text => {
                // Entities such as &amp; inside a text run.
                let name = e.decode().map_err(|_| not_docx())?;
                text.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

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
            "1. 新建充电桩 700 个。\n责任单位：市发展改革委 & 市财政局\n"
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
        assert!(error.to_string().contains(".txt, .md and .docx"), "{error}");
        assert!(text_of("通知.docx", b"not a zip").is_err());
        assert!(text_of("a.txt", &[0xff, 0xfe, 0xfd, 0x80, 0x81]).is_err());
    }
}
