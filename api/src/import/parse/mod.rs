//! The notice parser. Pure: text in, a `ParsedDocument` out, no database and no I/O.
//!
//! The work is split by what it reads:
//! - `lines`: cleaning (Markdown marks, widths) and classifying lines, joining page breaks;
//! - `header`: issuer, number, title, date, kind, reporting rule, contacts, stated total;
//! - `list`: finding the task list by its role lines, the category tree and the tasks;
//! - `names`: splitting leader and unit lists as they are written;
//! - `indicators`: the measurable targets inside a task's text.
//!
//! Text is data: every name keeps the spelling of the document (`as_written`) beside the form
//! the parser derived from it.

mod header;
mod indicators;
mod lines;
mod list;
mod names;

use chrono::NaiveDate;
use entity::enums::{Comparator, DocumentKind, LeaderRole, UnitRole};
use serde::Serialize;

use crate::documents::schedule::ReportingSchedule;

pub use lines::fold;
pub use names::{LeaderName, UnitName, split_leaders, split_units};

/// The largest text accepted, in bytes. A notice is some 100 KB; this leaves ample room.
pub const MAX_TEXT_BYTES: usize = 5 * 1024 * 1024;

/// Why a text cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is {0} bytes; the largest accepted is {MAX_TEXT_BYTES} bytes")]
    TooLarge(usize),
    #[error("the file does not look like text (it holds binary data)")]
    NotText,
    #[error(
        "no task list found: no item carries a role line (责任领导, 牵头领导, 责任单位, 牵头单位 or 配合单位)"
    )]
    NoTaskList,
}

/// What the header of a notice says.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedHeader {
    /// 文号, e.g. 汴政办〔2024〕3号.
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub year: Option<i32>,
    pub kind: DocumentKind,
    pub schedule: Option<ReportingSchedule>,
    /// Contact lines as written (联系人, 电话, 邮箱).
    pub contacts: Vec<String>,
    /// The item count the notice states (共 63 项).
    pub declared_total: Option<i32>,
}

/// A heading of the task list.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedCategory {
    /// Positions from the root: `2`, `2.3`.
    pub path: String,
    /// The ordinal as written: `一`, `（三）`.
    pub ordinal: String,
    pub title: String,
    pub declared_count: Option<i32>,
    pub line: usize,
}

/// A leader named on a role line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedLeader {
    #[serde(flatten)]
    pub name: LeaderName,
    pub role: LeaderRole,
}

/// A unit named on a role line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedUnit {
    #[serde(flatten)]
    pub name: UnitName,
    pub role: UnitRole,
}

/// A measurable target inside a task's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedIndicator {
    /// The clause that states it: 城镇新增就业6.24万人.
    pub phrase: String,
    /// The number exactly as written: `6.24`.
    pub value: String,
    /// The unit of measure: 万人, %, 个.
    pub unit: String,
    pub comparator: Comparator,
}

/// One task of the list.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedTask {
    /// The sequence number as written: `52`, `（三）`; sub-points get `12-1`, `12-2`.
    pub seq: String,
    /// For an inline sub-point (一是 … 二是 …): the item it belongs to.
    pub parent_seq: Option<String>,
    pub category_path: Option<String>,
    pub text: String,
    pub line: usize,
    pub leaders: Vec<ParsedLeader>,
    pub units: Vec<ParsedUnit>,
    pub indicators: Vec<ParsedIndicator>,
}

/// Something the clerk should look at; the import can go on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// Everything the parser read from a notice.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedDocument {
    pub header: ParsedHeader,
    pub categories: Vec<ParsedCategory>,
    pub tasks: Vec<ParsedTask>,
    pub warnings: Vec<Warning>,
}

/// Parses the text of a notice.
pub fn parse(text: &str) -> Result<ParsedDocument, ParseError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ParseError::TooLarge(text.len()));
    }
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if looks_binary(text) {
        return Err(ParseError::NotText);
    }
    let lines = lines::clean(text);
    let blocks = lines::blocks(&lines);
    let region = list::find_region(&blocks).ok_or(ParseError::NoTaskList)?;
    let mut warnings = Vec::new();
    let list_lines =
        blocks[region.start].line..blocks.get(region.end).map_or(usize::MAX, |b| b.line);
    let header = header::read(&lines, list_lines, &mut warnings);
    let (categories, tasks) = list::read(&blocks[region], &mut warnings);
    list::check_counts(&header, &categories, &tasks, &mut warnings);
    warnings.sort_by_key(|w| w.line);
    Ok(ParsedDocument {
        header,
        categories,
        tasks,
        warnings,
    })
}

/// Control characters other than line breaks and tabs, or the replacement character of a
/// failed decoding, in any number mean binary data, not a notice.
fn looks_binary(text: &str) -> bool {
    let suspicious = text
        .chars()
        .filter(|c| {
            (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || *c == '\u{fffd}'
        })
        .count();
    text.contains('\0') || (suspicious > 0 && suspicious * 100 >= text.chars().count().max(1))
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod unseen;
