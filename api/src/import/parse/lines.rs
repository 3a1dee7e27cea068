//! Lines and blocks. A notice converted from PDF or Word arrives as lines, with Markdown marks
//! in some (`#` headings, `**bold**` labels), full-width and half-width punctuation mixed, and
//! page breaks that split a sentence, a word or a unit's name anywhere, often with a blank line
//! in between. This module cleans the lines and joins them into blocks: a heading, an item, a
//! role line or a paragraph, each with the number of the line it starts on.

use std::sync::LazyLock;

use regex::Regex;

/// A cleaned line with its 1-based number in the original text.
#[derive(Debug, Clone)]
pub struct Line {
    pub number: usize,
    pub text: String,
}

/// The role lines a task list uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleLabel {
    /// 牵头领导
    LeadLeader,
    /// 责任领导
    ResponsibleLeader,
    /// 牵头单位
    LeadUnit,
    /// 责任单位
    ResponsibleUnit,
    /// 配合单位
    CooperatingUnit,
    /// 完成时限 / 完成时间: the deadline of the items the block applies to.
    Deadline,
}

/// What a block is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// `一、…`: a top-level heading, with its ordinal (一).
    Heading { ordinal: String },
    /// `（一）…`: a second-level heading, with its ordinal as written (（一）).
    SubHeading { ordinal: String },
    /// `1. …`: a numbered item, with its number as written.
    Item { seq: String },
    /// `责任单位：…`
    Role(RoleLabel),
    /// `附件`, `附 件`, `附件1：…`
    Attachment,
    /// `主办：`, `抄送：`, `…印发`, `---`: the end matter.
    Footer,
    /// Anything else.
    Paragraph,
}

/// A heading, item, role line or paragraph, joined across wrapped lines and page breaks.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// The line it starts on.
    pub line: usize,
    /// The text after the ordinal or label, joined without spaces across breaks.
    pub text: String,
}

/// Maps full-width ASCII forms (（）：，．０-９Ａ-Ｚ) and the ideographic space to their
/// half-width forms. One character in, one character out, so positions stay aligned with the
/// original text; used only to match, never to store.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// Removes Markdown marks and surrounding whitespace; keeps everything else as written.
pub fn clean(text: &str) -> Vec<Line> {
    text.lines()
        .enumerate()
        .map(|(i, raw)| Line {
            number: i + 1,
            text: clean_line(raw),
        })
        .collect()
}

/// One line without its Markdown marks and surrounding whitespace.
pub fn clean_line(raw: &str) -> String {
    let mut line = raw.trim();
    while let Some(rest) = line.strip_prefix('#') {
        line = rest;
    }
    let line = line.replace("**", "").replace("__", "");
    line.trim_matches(|c: char| c.is_whitespace()).to_owned()
}

static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(责任领导|牵头领导|责任单位|牵头单位|配合单位|完成时限|完成时间)\s*:\s*")
        .expect("valid regex")
});
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([一二三四五六七八九十]{1,3})\s*[、.]\s*").expect("valid regex")
});
static SUB_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\(\s*([一二三四五六七八九十]{1,3})\s*\)\s*").expect("valid regex")
});
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,3})\s*([.、])(\s*)").expect("valid regex"));
static ATTACHMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^附\s*件\s*\d*\s*(:|$)").expect("valid regex"));
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{Han}]{2,6}\s*:").expect("valid regex"));
static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$").expect("valid regex")
});

/// Whether a paragraph line can continue the open block (a wrapped line or a page break),
/// rather than start something of its own: a labelled line (联系人：…), a date line, or, after a
/// role line, a sentence (a list of names has no full stop and is never long).
fn continues(open: &BlockKind, text: &str) -> bool {
    let folded = fold(text);
    if LABEL.is_match(&folded) || DATE_ONLY.is_match(&folded) {
        return false;
    }
    match open {
        BlockKind::Role(_) => !folded.contains('。') && folded.chars().count() <= 60,
        _ => true,
    }
}

static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(主办|督办|承办|抄送|抄报|印发)\s*:|印发$|^-{3,}$").expect("valid regex")
});

/// Classifies one cleaned line; returns the kind and where its content starts (in chars).
fn classify(text: &str) -> (BlockKind, usize) {
    let folded = fold(text);
    let chars_before = |byte: usize| folded[..byte].chars().count();
    if let Some(m) = ROLE.captures(&folded) {
        let label = match &m[1] {
            "牵头领导" => RoleLabel::LeadLeader,
            "责任领导" => RoleLabel::ResponsibleLeader,
            "牵头单位" => RoleLabel::LeadUnit,
            "配合单位" => RoleLabel::CooperatingUnit,
            "完成时限" | "完成时间" => RoleLabel::Deadline,
            _ => RoleLabel::ResponsibleUnit,
        };
        return (BlockKind::Role(label), chars_before(m[0].len()));
    }
    if FOOTER.is_match(&folded) {
        return (BlockKind::Footer, 0);
    }
    if ATTACHMENT.is_match(&folded) {
        return (BlockKind::Attachment, 0);
    }
    if let Some(m) = SUB_HEADING.captures(&folded) {
        let end = chars_before(m[0].len());
        let ordinal: String = text.chars().take(end).collect::<String>().trim().to_owned();
        return (BlockKind::SubHeading { ordinal }, end);
    }
    if let Some(m) = HEADING.captures(&folded) {
        return (
            BlockKind::Heading {
                ordinal: m[1].to_owned(),
            },
            chars_before(m[0].len()),
        );
    }
    if let Some(m) = ITEM.captures(&folded) {
        // `6.24万人` at the start of a wrapped line is a number, not item 6.
        let rest = &folded[m[0].len()..];
        let decimal =
            &m[2] == "." && m[3].is_empty() && rest.starts_with(|c: char| c.is_ascii_digit());
        if !decimal && !rest.trim().is_empty() {
            return (
                BlockKind::Item {
                    seq: m[1].to_owned(),
                },
                chars_before(m[0].len()),
            );
        }
    }
    (BlockKind::Paragraph, 0)
}

/// Joins lines into blocks.
///
/// A paragraph line that follows a heading, an item or a role line continues it: that is a
/// wrapped line or a page break (with or without blank lines between), and it is joined without
/// a space, so `技术改` + `造` reads `技术改造` and `…、市` + `市场监管局` reads `…、市市场监管局`.
/// Attachment markers and end matter close the open block.
pub fn blocks(lines: &[Line]) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut open = false;
    for line in lines {
        if line.text.is_empty() {
            continue;
        }
        let (kind, start) = classify(&line.text);
        let content: String = line
            .text
            .chars()
            .skip(start)
            .collect::<String>()
            .trim()
            .to_owned();
        match kind {
            BlockKind::Paragraph
                if open
                    && blocks
                        .last()
                        .is_some_and(|last| continues(&last.kind, &content)) =>
            {
                if let Some(last) = blocks.last_mut() {
                    last.text.push_str(&content);
                }
            }
            BlockKind::Paragraph => {
                blocks.push(Block {
                    kind,
                    line: line.number,
                    text: content,
                });
                // Consecutive paragraph lines are one paragraph as far as the list is concerned.
                open = true;
            }
            BlockKind::Attachment | BlockKind::Footer => {
                blocks.push(Block {
                    kind,
                    line: line.number,
                    text: line.text.clone(),
                });
                open = false;
            }
            _ => {
                // `1、…。（责任领导：…；责任单位：…；完成时限：…）`: the roles in brackets at the
                // end of the item are its role block.
                let (content, roles) = trailing_roles(&content);
                blocks.push(Block {
                    kind,
                    line: line.number,
                    text: content,
                });
                for (label, text) in roles {
                    blocks.push(Block {
                        kind: BlockKind::Role(label),
                        line: line.number,
                        text,
                    });
                }
                open = true;
            }
        }
    }
    blocks
}

static TRAILING_ROLES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(\s*((?:责任领导|牵头领导|责任单位|牵头单位|配合单位|完成时限|完成时间)\s*:[^()]*)\)\s*$")
        .expect("valid regex")
});

/// An item's text without a trailing bracket of role lines, and those role lines.
fn trailing_roles(content: &str) -> (String, Vec<(RoleLabel, String)>) {
    let folded = fold(content);
    let Some(caps) = TRAILING_ROLES.captures(&folded) else {
        return (content.to_owned(), Vec::new());
    };
    // Folding keeps one character per character: cut the original at the same places.
    let whole = caps.get(0).expect("the whole match");
    let inner = caps.get(1).expect("the roles");
    let at = |byte: usize| folded[..byte].chars().count();
    let text: String = content.chars().take(at(whole.start())).collect();
    let inner_text: String = content
        .chars()
        .skip(at(inner.start()))
        .take(at(inner.end()) - at(inner.start()))
        .collect();
    let mut roles = Vec::new();
    for part in inner_text.split(['；', ';']) {
        if let (BlockKind::Role(label), start) = classify(part.trim()) {
            let value: String = part.trim().chars().skip(start).collect();
            roles.push((label, value.trim().to_owned()));
        }
    }
    (text.trim().to_owned(), roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(BlockKind, String)> {
        blocks(&clean(text))
            .into_iter()
            .map(|b| (b.kind, b.text))
            .collect()
    }

    #[test]
    fn markdown_marks_and_widths_do_not_matter() {
        let parsed = kinds(
            "## **二、全年重点工作**\n**(一) 坚持制造立市**\n#### （四）坚持扩大内需\n**责任领导：**刘 震",
        );
        assert_eq!(
            parsed[0],
            (
                BlockKind::Heading {
                    ordinal: "二".into()
                },
                "全年重点工作".into()
            )
        );
        assert_eq!(
            parsed[1],
            (
                BlockKind::SubHeading {
                    ordinal: "(一)".into()
                },
                "坚持制造立市".into()
            )
        );
        assert_eq!(
            parsed[2],
            (
                BlockKind::SubHeading {
                    ordinal: "（四）".into()
                },
                "坚持扩大内需".into()
            )
        );
        assert_eq!(
            parsed[3],
            (
                BlockKind::Role(RoleLabel::ResponsibleLeader),
                "刘 震".into()
            )
        );
    }

    #[test]
    fn page_breaks_are_joined_without_spaces() {
        let parsed = kinds(
            "17. 加快推进纺纱生产技术改\n\n造等项目建设。\n\n责任单位：市商务局、市\n\n市场监管局\n\n18. 下一项",
        );
        assert_eq!(parsed[0].1, "加快推进纺纱生产技术改造等项目建设。");
        assert_eq!(parsed[1].1, "市商务局、市市场监管局");
        assert_eq!(parsed[2].0, BlockKind::Item { seq: "18".into() });
    }

    #[test]
    fn numbers_at_the_start_of_a_wrapped_line_are_not_items() {
        let parsed = kinds("8. 城镇新增就业\n6.24万人。\n2022 年开封市任务清单");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].1, "城镇新增就业6.24万人。2022 年开封市任务清单");
    }
}
