//! The preview of an import: the whole parse with each name's resolution and the warnings,
//! computed against the registry without storing anything. The commit stores exactly what the
//! preview shows, after the clerk's overrides; `api import --json` prints it.

use entity::enums::{LeaderRole, UnitRole};
use serde::Serialize;

use crate::import::parse::{
    ParsedCategory, ParsedDocument, ParsedHeader, ParsedIndicator, Warning,
};
use crate::import::resolve::{Candidate, Registry, Resolution};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewLeader {
    /// The person's name, or the name of the leader holding the post now.
    pub name: Option<String>,
    pub post: Option<String>,
    pub collective: Option<String>,
    pub as_written: String,
    pub role: LeaderRole,
    pub resolution: Resolution,
    pub leader_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewUnit {
    /// The registry name resolved to (or the proposed name of a new unit).
    pub name: String,
    pub as_written: String,
    pub role: UnitRole,
    pub is_local: bool,
    pub sub_unit: Option<String>,
    pub resolution: Resolution,
    pub unit_id: Option<i64>,
    pub candidates: Vec<Candidate>,
    /// For a collective word: the units it stands for.
    pub group: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewTask {
    pub seq: String,
    pub parent_seq: Option<String>,
    pub category_path: Option<String>,
    pub text: String,
    pub line: usize,
    pub leaders: Vec<PreviewLeader>,
    pub units: Vec<PreviewUnit>,
    pub indicators: Vec<ParsedIndicator>,
    /// The task's deadline (ISO date), when the notice gives one that means a date.
    pub deadline: Option<chrono::NaiveDate>,
    /// The deadline as written (`2025年6月底`, `长期坚持`).
    pub deadline_as_written: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// What the header says, as the parser read it.
    pub document: ParsedHeader,
    pub categories: Vec<ParsedCategory>,
    pub tasks: Vec<PreviewTask>,
    pub warnings: Vec<Warning>,
}

/// Resolution warnings, one per distinct message, with every line it concerns.
#[derive(Default)]
struct Notes {
    lines: Vec<(String, Vec<usize>)>,
}

impl Notes {
    fn push(&mut self, line: usize, message: String) {
        match self.lines.iter_mut().find(|(m, _)| *m == message) {
            Some((_, lines)) => lines.push(line),
            None => self.lines.push((message, vec![line])),
        }
    }

    fn into_warnings(self) -> impl Iterator<Item = Warning> {
        self.lines.into_iter().map(|(message, lines)| {
            let message = match lines.len() {
                1 => message,
                n => {
                    let shown: Vec<String> =
                        lines.iter().take(8).map(ToString::to_string).collect();
                    let more = if n > 8 { "…" } else { "" };
                    format!("{message} ({n} items, at lines {}{more})", shown.join(", "))
                }
            };
            Warning {
                line: lines[0],
                message,
            }
        })
    }
}

/// Resolves every name of a parsed notice and adds the resolution warnings.
pub fn build(parsed: ParsedDocument, registry: &Registry) -> Preview {
    let mut warnings = parsed.warnings;
    let mut notes = Notes::default();
    let tasks = parsed
        .tasks
        .into_iter()
        .map(|task| {
            let leaders = task
                .leaders
                .into_iter()
                .map(|leader| {
                    let found = registry.resolve_leader(&leader.name);
                    let holder = found.leader_id.and_then(|id| registry.leader(id)).map(|l| l.name.clone());
                    match found.resolution {
                        Resolution::New => notes.push(
                            task.line,
                            format!(
                                "leader {} is not in the registry; proposed as new",
                                leader.name.name.as_deref().unwrap_or(&leader.name.as_written)
                            ),
                        ),
                        Resolution::Post if found.leader_id.is_none() => notes.push(
                            task.line,
                            format!(
                                "nobody holds the post {} in the registry; its tasks will follow whoever is given it",
                                leader.name.as_written
                            ),
                        ),
                        _ => {}
                    }
                    PreviewLeader {
                        name: leader.name.name.clone().or(holder),
                        post: leader.name.post,
                        collective: leader.name.collective,
                        as_written: leader.name.as_written,
                        role: leader.role,
                        resolution: found.resolution,
                        leader_id: found.leader_id,
                    }
                })
                .collect();
            let units = task
                .units
                .into_iter()
                .map(|unit| {
                    let found = registry.resolve_unit(&unit.name);
                    match found.resolution {
                        Resolution::Fuzzy => notes.push(
                            task.line,
                            format!(
                                "unit {} is not in the registry; the nearest is {} (check it)",
                                unit.name.as_written, found.name
                            ),
                        ),
                        Resolution::New => notes.push(
                            task.line,
                            format!("unit {} is not in the registry; proposed as new", unit.name.as_written),
                        ),
                        Resolution::Collective if found.group.is_empty() => notes.push(
                            task.line,
                            format!("{} names a group with no unit in the registry", unit.name.as_written),
                        ),
                        _ => {}
                    }
                    PreviewUnit {
                        name: found.name,
                        as_written: unit.name.as_written,
                        role: unit.role,
                        is_local: unit.name.is_local,
                        sub_unit: unit.name.sub_unit,
                        resolution: found.resolution,
                        unit_id: found.unit_id,
                        candidates: found.candidates,
                        group: found.group,
                    }
                })
                .collect();
            PreviewTask {
                seq: task.seq,
                parent_seq: task.parent_seq,
                category_path: task.category_path,
                text: task.text,
                line: task.line,
                leaders,
                units,
                indicators: task.indicators,
                deadline: task.deadline,
                deadline_as_written: task.deadline_as_written,
            }
        })
        .collect();
    warnings.extend(notes.into_warnings());
    warnings.sort_by_key(|w| w.line);
    Preview {
        document: parsed.header,
        categories: parsed.categories,
        tasks,
        warnings,
    }
}
