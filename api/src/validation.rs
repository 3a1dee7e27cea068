//! Checks shared by the services' input handling. Text is trimmed of surrounding whitespace
//! (including the full-width space U+3000) and otherwise stored exactly as given.

use crate::error::{AppError, AppResult};

/// A required text field: trimmed, not empty, at most `max_chars` characters.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_field(field, "must not be empty"));
    }
    check_length(field, trimmed, max_chars)?;
    Ok(trimmed.to_owned())
}

/// An optional text field: trimmed; empty becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(trimmed) => {
            check_length(field, trimmed, max_chars)?;
            Ok(Some(trimmed.to_owned()))
        }
    }
}

fn check_length(field: &str, value: &str, max_chars: usize) -> AppResult<()> {
    if value.chars().count() > max_chars {
        return Err(AppError::bad_field(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(())
}

/// An integer within an inclusive range.
pub fn in_range(field: &str, value: i32, min: i32, max: i32) -> AppResult<i32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_field(
            field,
            format!("must be between {min} and {max}"),
        ))
    }
}

/// Escapes `%`, `_` and `\` so that user text is matched literally inside a LIKE pattern.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Longest names of units, leaders, users; longest document titles; longest task texts.
pub const NAME_MAX: usize = 100;
pub const TITLE_MAX: usize = 500;
pub const TEXT_MAX: usize = 20_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_of_ascii_and_full_width_space_only() {
        assert_eq!(
            required_text("name", "\u{3000} 市 财政局 \n", 10).unwrap(),
            "市 财政局"
        );
        assert!(required_text("name", "\u{3000}", 10).is_err());
        assert!(required_text("name", "一二三四五六七八九十一", 10).is_err());
        assert_eq!(optional_text("post", Some("  "), 10).unwrap(), None);
    }

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("5%"), "%5\\%%");
        assert_eq!(like_pattern("a_b\\"), "%a\\_b\\\\%");
        assert_eq!(like_pattern("充电桩"), "%充电桩%");
    }
}
