//! A published notice as a Word document in the usual layout of an official notice (公文,
//! after GB/T 9704): the issuer in red across the top, the number under it, the title in bold,
//! the text in paragraphs indented two characters, then the issuer and the date on the right.
//! Written with docx-rs; fonts are named as the bureau's machines have them (方正小标宋简体 for
//! the title, 仿宋_GB2312 for the text), and Word falls back where they are missing.

use std::io::Cursor;

use chrono::Datelike;
use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts};
use entity::notices;

use crate::error::{AppError, AppResult};

/// Half-points, as Word sizes text: 二号 (22 pt) for the heads, 三号 (16 pt) for the text.
const HEAD: usize = 44;
const TEXT: usize = 32;

/// The notice as `.docx` bytes.
pub fn write(notice: &notices::Model) -> AppResult<Vec<u8>> {
    let title_font = RunFonts::new()
        .east_asia("方正小标宋简体")
        .ascii("Times New Roman");
    let text_font = RunFonts::new()
        .east_asia("仿宋_GB2312")
        .ascii("Times New Roman");
    let run = |text: &str, size: usize, fonts: &RunFonts| {
        Run::new().add_text(text).size(size).fonts(fonts.clone())
    };
    let centred = |run: Run| Paragraph::new().add_run(run).align(AlignmentType::Center);
    let mut doc = Docx::new();
    if let Some(issuer) = &notice.issuer {
        doc = doc.add_paragraph(centred(run(issuer, HEAD, &title_font).color("FF0000")));
    }
    if let Some(number) = &notice.doc_number {
        doc = doc.add_paragraph(centred(run(number, TEXT, &text_font)));
    }
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(run(&notice.title, HEAD, &title_font).bold()))
        .add_paragraph(Paragraph::new());
    for line in notice.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(line, TEXT, &text_font))
                .first_line_chars(200),
        );
    }
    doc = doc.add_paragraph(Paragraph::new());
    let right = |text: &str| {
        Paragraph::new()
            .add_run(run(text, TEXT, &text_font))
            .align(AlignmentType::Right)
    };
    if let Some(issuer) = &notice.issuer {
        doc = doc.add_paragraph(right(issuer));
    }
    if let Some(day) = notice.issued_on {
        doc = doc.add_paragraph(right(&format!(
            "{}年{}月{}日",
            day.year(),
            day.month(),
            day.day()
        )));
    }
    let mut bytes = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut bytes)
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok(bytes.into_inner())
}
