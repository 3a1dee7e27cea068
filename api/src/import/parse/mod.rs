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

mod categories;
mod deadline;
mod header;
mod indicators;
mod item_deadlines;
mod lines;
mod list;
mod names;
pub mod notice;
mod table;

use chrono::NaiveDate;
use entity::enums::{Comparator, DocumentKind, LeaderRole, UnitRole};
use serde::Serialize;

use crate::documents::schedule::ReportingSchedule;

pub use lines::fold;
pub use names::{LeaderName, UnitName, split_leaders, split_units};
pub use notice::{Notice, Part, Row, Table};

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
        "no task list found: no item carries a role line (责任领导, 牵头领导, 责任单位, 牵头单位 or 配合单位); a text that tasks come from, such as the work report itself, is stored with createDocument(kind: SOURCE) and cited from the tasks (citeSource)"
    )]
    NoTaskList,
    #[error(
        "no task table found: no table has a task column (工作任务, 重点任务, 任务内容, 项目名称…) beside 序号, a leader or a unit column; the headers found are {0}"
    )]
    NoTaskColumn(String),
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
    /// The notice's sentence saying the first listed 责任单位 leads, if it has one.
    pub lead_rule: Option<LeadRule>,
    /// A second deadline for some items only (其中第2、4项于…前), given to those items.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item_deadlines: Vec<item_deadlines::ItemDeadline>,
}

/// "排在第一位的为牵头单位": in a 责任单位 list, the first unit is LEAD and the others `rest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadRule {
    /// The role of the units after the first (RESPONSIBLE, or COOPERATING when the sentence
    /// says so).
    pub rest: UnitRole,
    /// The sentence as written.
    pub sentence: String,
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
    /// The task's own deadline (完成时限), when the notice gives one that means a date.
    pub deadline: Option<NaiveDate>,
    /// The deadline as written (`2025年6月底`, `长期坚持`), kept beside the date.
    pub deadline_as_written: Option<String>,
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

/// Parses the text of a notice (a pasted pipe table in it is read as a table).
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
    parse_notice(&Notice::from_text(text))
}

/// Parses a notice: from its task tables when it has one, else from its lines.
pub fn parse_notice(notice: &Notice) -> Result<ParsedDocument, ParseError> {
    let texts = notice.lines();
    if texts.iter().map(String::len).sum::<usize>() > MAX_TEXT_BYTES {
        return Err(ParseError::TooLarge(texts.iter().map(String::len).sum()));
    }
    if texts.iter().all(|t| t.trim().is_empty()) {
        return Err(ParseError::Empty);
    }
    // A NUL or other control characters from a file (a CSV cell, `&#0;` in Word XML) would
    // reach the database, which refuses them: the file is not a notice's text.
    if texts.iter().any(|t| looks_binary(t)) {
        return Err(ParseError::NotText);
    }
    let tables = notice.tables();
    let mut warnings = Vec::new();
    let mut document = if tables
        .iter()
        .any(|(_, t)| t.rows.iter().any(|r| table::columns_of(r).is_some()))
    {
        from_tables(notice, &tables, &mut warnings)
    } else {
        match from_lines(&texts.join("\n"), &mut warnings) {
            Err(ParseError::NoTaskList) if !tables.is_empty() => {
                // Tables, but none a task table: say what their headers are.
                let headers = tables
                    .iter()
                    .filter_map(|(_, t)| t.rows.iter().find(|r| !r.is_blank() && !r.spans_row))
                    .map(|r| {
                        r.cells
                            .iter()
                            .map(|c| format!("`{}`", c.trim()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(ParseError::NoTaskColumn(headers));
            }
            other => other?,
        }
    };
    if let Some(rule) = document.header.lead_rule.clone() {
        apply_lead_rule(&mut document.tasks, &rule);
    }
    let subsets = document.header.item_deadlines.clone();
    item_deadlines::apply(&mut document.tasks, &subsets, &mut warnings);
    unique_seqs(&mut document.tasks, &mut warnings);
    warnings.sort_by_key(|w| w.line);
    document.warnings = warnings;
    Ok(document)
}

/// A notice whose list is in its lines (role lines under numbered items).
fn from_lines(text: &str, warnings: &mut Vec<Warning>) -> Result<ParsedDocument, ParseError> {
    let lines = lines::clean(text);
    let blocks = lines::blocks(&lines);
    let region = list::find_region(&blocks).ok_or(ParseError::NoTaskList)?;
    let list_lines =
        blocks[region.start].line..blocks.get(region.end).map_or(usize::MAX, |b| b.line);
    let header = header::read(&lines, list_lines, warnings);
    let (categories, mut tasks) = list::read(&blocks[region], warnings);
    for task in &mut tasks {
        // A 完成时限 line gave the words; else a phrase in the text (`6月底前完成`).
        let found = match &task.deadline_as_written {
            Some(written) => deadline::read(written, header.year),
            None => deadline::find_in_text(&task.text, header.year),
        };
        task.deadline = found.date;
        task.deadline_as_written = found.as_written;
    }
    list::check_counts(&header, &categories, &tasks, warnings);
    Ok(ParsedDocument {
        header,
        categories,
        tasks,
        warnings: Vec::new(),
    })
}

/// A notice whose list is a table: the header is read from its paragraphs and the rows that
/// are not tasks (titles, notes under the table).
fn from_tables(
    notice: &Notice,
    tables: &[(usize, &Table)],
    warnings: &mut Vec<Warning>,
) -> ParsedDocument {
    let mut body: Vec<lines::Line> = Vec::new();
    let mut number = 0;
    for part in &notice.parts {
        match part {
            Part::Paragraph(text) => {
                for text in text.split('\n') {
                    number += 1;
                    body.push(lines::Line {
                        number,
                        text: lines::clean_line(text),
                    });
                }
            }
            Part::Table(table) => number += table.rows.len(),
        }
    }
    // The rows around the list (a title row, notes under it) belong to the body; the header
    // they complete gives the year that dates like `6月底` belong to. Reading the rows is
    // cheap, so they are read twice: for the body, then with the year.
    let rows_only = table::read(tables, None, &mut Vec::new());
    for (line, text) in &rows_only.other_lines {
        body.push(lines::Line {
            number: *line,
            text: lines::clean_line(text),
        });
    }
    body.sort_by_key(|l| l.number);
    let header = header::read(&body, 0..0, warnings);
    let read = table::read(tables, header.year, warnings);
    list::check_counts(&header, &read.categories, &read.tasks, warnings);
    ParsedDocument {
        header,
        categories: read.categories,
        tasks: read.tasks,
        warnings: Vec::new(),
    }
}

/// In a task with no LEAD unit, the first 责任单位 leads and the others take the rule's role.
fn apply_lead_rule(tasks: &mut [ParsedTask], rule: &LeadRule) {
    for task in tasks {
        if task.units.iter().any(|u| u.role == UnitRole::Lead) {
            continue;
        }
        let mut responsible = task
            .units
            .iter_mut()
            .filter(|u| u.role == UnitRole::Responsible);
        if let Some(first) = responsible.next() {
            first.role = UnitRole::Lead;
            for other in responsible {
                other.role = rule.rest;
            }
        }
    }
}

/// Makes every task's `seq` unique within the document, as the commit requires: when the
/// numbering restarts under each heading, every task is numbered by its category's path and its
/// own number (`2.1`); whatever still repeats gets a suffix, with a warning.
fn unique_seqs(tasks: &mut [ParsedTask], warnings: &mut Vec<Warning>) {
    let repeats = |tasks: &[ParsedTask]| {
        let mut seen = std::collections::HashSet::new();
        tasks.iter().any(|t| !seen.insert(t.seq.clone()))
    };
    if !repeats(tasks) {
        return;
    }
    for task in tasks.iter_mut() {
        if let Some(path) = &task.category_path {
            task.seq = format!("{path}.{}", task.seq);
            if let Some(parent) = &task.parent_seq {
                task.parent_seq = Some(format!("{path}.{parent}"));
            }
        }
    }
    // Whatever still repeats gets the first suffix no task has (`4-2` may be a sub-point).
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    let all: std::collections::HashSet<String> = tasks.iter().map(|t| t.seq.clone()).collect();
    let mut renamed_parent: Option<(String, String)> = None;
    for task in tasks.iter_mut() {
        // Sub-points follow their item, renamed or not.
        if let (Some(parent), Some((from, to))) = (&task.parent_seq, &renamed_parent)
            && parent == from
        {
            let suffix = task
                .seq
                .strip_prefix(from.as_str())
                .unwrap_or("")
                .to_owned();
            task.parent_seq = Some(to.clone());
            task.seq = format!("{to}{suffix}");
        }
        if task.parent_seq.is_none() {
            renamed_parent = None;
        }
        if taken.insert(task.seq.clone()) {
            continue;
        }
        let mut n = 2;
        let renamed = loop {
            let candidate = format!("{}-{n}", task.seq);
            if !all.contains(&candidate) && !taken.contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        warnings.push(Warning {
            line: task.line,
            message: format!(
                "item {} appears more than once under the same heading; numbered {renamed}",
                task.seq
            ),
        });
        if task.parent_seq.is_none() {
            renamed_parent = Some((task.seq.clone(), renamed.clone()));
        }
        taken.insert(renamed.clone());
        task.seq = renamed;
    }
}

/// Control characters other than line breaks and tabs, or the replacement character of a
/// failed decoding, in any number mean binary data, not a notice.
pub fn looks_binary(text: &str) -> bool {
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
