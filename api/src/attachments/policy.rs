//! Which files a report may carry. Types are checked twice: by the name's extension (what the
//! reader's software will open) and by the first bytes (so a renamed executable is refused).

use crate::error::{AppError, AppResult};

/// An accepted kind of file: its extensions, the type served on download, and its signature.
struct Kind {
    extensions: &'static [&'static str],
    content_type: &'static str,
    signature: Signature,
}

enum Signature {
    /// The file starts with these bytes.
    Prefix(&'static [u8]),
    /// Text: no NUL byte in the first kilobytes.
    Text,
}

/// OLE compound files: the old Office and WPS formats.
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// ZIP containers: the Office Open XML formats and plain ZIP archives.
const ZIP: &[u8] = b"PK\x03\x04";

const KINDS: &[Kind] = &[
    Kind {
        extensions: &["pdf"],
        content_type: "application/pdf",
        signature: Signature::Prefix(b"%PDF-"),
    },
    Kind {
        extensions: &["ofd"],
        content_type: "application/ofd",
        signature: Signature::Prefix(ZIP),
    },
    Kind {
        extensions: &["png"],
        content_type: "image/png",
        signature: Signature::Prefix(b"\x89PNG\r\n\x1a\n"),
    },
    Kind {
        extensions: &["jpg", "jpeg"],
        content_type: "image/jpeg",
        signature: Signature::Prefix(b"\xFF\xD8\xFF"),
    },
    Kind {
        extensions: &["docx"],
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        signature: Signature::Prefix(ZIP),
    },
    Kind {
        extensions: &["xlsx"],
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        signature: Signature::Prefix(ZIP),
    },
    Kind {
        extensions: &["pptx"],
        content_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        signature: Signature::Prefix(ZIP),
    },
    Kind {
        extensions: &["doc", "wps"],
        content_type: "application/msword",
        signature: Signature::Prefix(OLE),
    },
    Kind {
        extensions: &["xls", "et"],
        content_type: "application/vnd.ms-excel",
        signature: Signature::Prefix(OLE),
    },
    Kind {
        extensions: &["zip"],
        content_type: "application/zip",
        signature: Signature::Prefix(ZIP),
    },
    Kind {
        extensions: &["txt"],
        content_type: "text/plain; charset=utf-8",
        signature: Signature::Text,
    },
];

/// The accepted extensions, for error messages.
pub fn accepted() -> String {
    KINDS
        .iter()
        .flat_map(|k| k.extensions.iter().map(|e| format!(".{e}")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The file's name as stored: the last path component, trimmed, at most 200 characters.
pub fn clean_name(name: &str) -> AppResult<String> {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if base.is_empty() || base.chars().any(char::is_control) {
        return Err(AppError::bad_field("file", "the file needs a name"));
    }
    if base.chars().count() > 200 {
        return Err(AppError::bad_field(
            "file",
            "the file name is longer than 200 characters",
        ));
    }
    Ok(base)
}

/// The content type of an accepted file, after checking its name and first bytes.
pub fn content_type(name: &str, head: &[u8]) -> AppResult<&'static str> {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = KINDS
        .iter()
        .find(|k| k.extensions.contains(&extension.as_str()))
        .ok_or_else(|| {
            AppError::bad_field(
                "file",
                format!("`{name}` is not an accepted type; accepted: {}", accepted()),
            )
        })?;
    let matches = match kind.signature {
        Signature::Prefix(prefix) => head.starts_with(prefix),
        Signature::Text => !head.contains(&0),
    };
    if !matches {
        return Err(AppError::bad_field(
            "file",
            format!("the content of `{name}` is not a .{extension} file"),
        ));
    }
    Ok(kind.content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_contents_must_agree() {
        assert_eq!(
            content_type("进展.PDF", b"%PDF-1.7\n").unwrap(),
            "application/pdf"
        );
        assert!(content_type("照片.jpg", b"\xFF\xD8\xFF\xE0").is_ok());
        assert!(content_type("台账.xlsx", b"PK\x03\x04rest").is_ok());
        assert!(content_type("说明.txt", "进展情况".as_bytes()).is_ok());
        // A renamed program, a binary posing as text, and an unknown type.
        assert!(content_type("report.pdf", b"MZ\x90\x00").is_err());
        assert!(content_type("说明.txt", b"ab\0cd").is_err());
        let err = content_type("setup.exe", b"MZ").unwrap_err().to_string();
        assert!(err.contains(".pdf"), "{err}");
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(
            clean_name("C:\\用户\\桌面\\进展.docx").unwrap(),
            "进展.docx"
        );
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert!(clean_name("  ").is_err());
        assert!(clean_name("a\nb.txt").is_err());
    }
}
