//! Reading the entries of an Office file (a zip archive) within bounds. A zip bomb's entry
//! claims little and expands to gigabytes, so an entry is read through a cap whatever its
//! header says, and the whole archive has a budget too. An XML entity bomb needs a document
//! type declaration, which Office never writes: an entry with one is refused.

use std::io::{Cursor, Read};

use crate::error::{AppError, AppResult};

/// The most bytes one entry may expand to (a 5 MB notice is a few tens of MB of Word XML).
pub const MAX_ENTRY_BYTES: u64 = 100 * 1024 * 1024;

/// The most bytes all the entries checked may expand to together.
pub const MAX_ARCHIVE_BYTES: u64 = 200 * 1024 * 1024;

/// An Office archive, opened.
pub struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    kind: &'static str,
}

impl<'a> Archive<'a> {
    /// Opens the archive of a file of `kind` (`.docx`, `.xlsx`), for the error messages.
    pub fn open(bytes: &'a [u8], kind: &'static str) -> AppResult<Self> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_readable(kind))?;
        Ok(Self { zip, kind })
    }

    /// Reads one entry whole, within the cap, refusing a document type declaration.
    pub fn read(&mut self, name: &str) -> AppResult<Vec<u8>> {
        let kind = self.kind;
        let entry = self.zip.by_name(name).map_err(|_| not_readable(kind))?;
        let mut bytes = Vec::new();
        entry
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| not_readable(kind))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(too_large(kind));
        }
        if name.ends_with(".xml") || name.ends_with(".rels") {
            refuse_doctype(&bytes, kind)?;
        }
        Ok(bytes)
    }

    /// Every entry read within the caps, written into a new archive (stored, not compressed):
    /// what a library that opens archives itself (calamine, with its own zip reader) then reads
    /// is exactly what was checked.
    pub fn checked_copy(&mut self) -> AppResult<Vec<u8>> {
        use std::io::Write;

        let kind = self.kind;
        let mut total = 0u64;
        let mut out = Cursor::new(Vec::new());
        let mut copy = zip::ZipWriter::new(&mut out);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for index in 0..self.zip.len() {
            let name = {
                let entry = self.zip.by_index(index).map_err(|_| not_readable(kind))?;
                entry.name().map_err(|_| not_readable(kind))?.into_owned()
            };
            if name.ends_with('/') {
                continue;
            }
            let bytes = self.read(&name)?;
            total += bytes.len() as u64;
            if total > MAX_ARCHIVE_BYTES {
                return Err(too_large(kind));
            }
            copy.start_file(name, stored)
                .map_err(|_| not_readable(kind))?;
            copy.write_all(&bytes).map_err(|_| not_readable(kind))?;
        }
        copy.finish().map_err(|_| not_readable(kind))?;
        Ok(out.into_inner())
    }
}

fn refuse_doctype(bytes: &[u8], kind: &'static str) -> AppResult<()> {
    let prolog = &bytes[..bytes.len().min(4096)];
    if prolog
        .windows(9)
        .any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE"))
    {
        return Err(AppError::bad_field(
            "file",
            format!("is not a {kind} file as Office writes it (it declares a document type)"),
        ));
    }
    Ok(())
}

fn not_readable(kind: &'static str) -> AppError {
    AppError::bad_field("file", format!("is not a readable {kind} file"))
}

fn too_large(kind: &'static str) -> AppError {
    AppError::bad_field(
        "file",
        format!("expands to more than a {kind} notice can hold (a compressed archive bomb?)"),
    )
}
