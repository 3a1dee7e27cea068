//! The GraphQL output types of the importer: the preview a clerk checks before committing (the
//! document, its categories and tasks, each name with its resolution and candidates, warnings
//! with line numbers) and the counts a commit reports. Built from the importer's own types.

use async_graphql::{ID, SimpleObject};
use chrono::NaiveDate;

use crate::documents::schema::ScheduleOutput;
use crate::graphql::enums::{Comparator, DocumentKind, LeaderRole, UnitRole};
use crate::graphql::relay::{Kind, global_id};
use crate::import::commit::ImportCounts;
use crate::import::parse::{ParsedCategory, ParsedIndicator, Warning};
use crate::import::preview::{Preview, PreviewLeader, PreviewTask, PreviewUnit};
use crate::import::resolve::{Candidate, Resolution};

/// A warning about the notice, with the line it concerns.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportWarning {
    pub line: i32,
    pub message: String,
}

impl From<Warning> for ImportWarning {
    fn from(w: Warning) -> Self {
        Self {
            line: i32::try_from(w.line).unwrap_or(i32::MAX),
            message: w.message,
        }
    }
}

/// What the notice's header says.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportedDocument {
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub year: Option<i32>,
    pub kind: DocumentKind,
    pub schedule: Option<ScheduleOutput>,
    pub declared_total: Option<i32>,
    pub contacts: Vec<String>,
    /// The rule the notice states for 责任单位 lists, which the preview applied: the first unit
    /// listed leads (LEAD) and the others take `rest`. None: the roles are as the columns and
    /// role lines give them.
    pub lead_rule: Option<ImportLeadRule>,
}

/// "排在第一位的为牵头单位": the sentence, and the role it gives the units after the first.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportLeadRule {
    pub rest: UnitRole,
    /// The notice's sentence, as written.
    pub sentence: String,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportCategory {
    pub path: String,
    pub ordinal: String,
    pub title: String,
    pub declared_count: Option<i32>,
    pub line: i32,
}

impl From<ParsedCategory> for ImportCategory {
    fn from(c: ParsedCategory) -> Self {
        Self {
            path: c.path,
            ordinal: c.ordinal,
            title: c.title,
            declared_count: c.declared_count,
            line: i32::try_from(c.line).unwrap_or(i32::MAX),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportCandidate {
    pub unit_id: ID,
    pub name: String,
    pub distance: i32,
}

impl From<Candidate> for ImportCandidate {
    fn from(c: Candidate) -> Self {
        Self {
            unit_id: global_id(Kind::Unit, c.unit_id),
            name: c.name,
            distance: i32::try_from(c.distance).unwrap_or(i32::MAX),
        }
    }
}

/// A unit named on a role line and what it resolved to.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportUnit {
    /// The registry name (or the proposed name of a new unit).
    pub name: String,
    pub as_written: String,
    pub role: UnitRole,
    pub is_local: bool,
    pub sub_unit: Option<String>,
    pub resolution: Resolution,
    pub unit_id: Option<ID>,
    pub candidates: Vec<ImportCandidate>,
    /// For a collective word: the units it stands for.
    pub group: Vec<ID>,
}

impl From<PreviewUnit> for ImportUnit {
    fn from(u: PreviewUnit) -> Self {
        Self {
            name: u.name,
            as_written: u.as_written,
            role: u.role.into(),
            is_local: u.is_local,
            sub_unit: u.sub_unit,
            resolution: u.resolution,
            unit_id: u.unit_id.map(|id| global_id(Kind::Unit, id)),
            candidates: u.candidates.into_iter().map(Into::into).collect(),
            group: u
                .group
                .into_iter()
                .map(|id| global_id(Kind::Unit, id))
                .collect(),
        }
    }
}

/// A leader named on a role line and what it resolved to.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportLeader {
    pub name: Option<String>,
    pub post: Option<String>,
    pub collective: Option<String>,
    pub as_written: String,
    pub role: LeaderRole,
    pub resolution: Resolution,
    pub leader_id: Option<ID>,
}

impl From<PreviewLeader> for ImportLeader {
    fn from(l: PreviewLeader) -> Self {
        Self {
            name: l.name,
            post: l.post,
            collective: l.collective,
            as_written: l.as_written,
            role: l.role.into(),
            resolution: l.resolution,
            leader_id: l.leader_id.map(|id| global_id(Kind::Leader, id)),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportIndicator {
    pub phrase: String,
    pub value: String,
    pub unit: String,
    pub comparator: Comparator,
}

impl From<ParsedIndicator> for ImportIndicator {
    fn from(i: ParsedIndicator) -> Self {
        Self {
            phrase: i.phrase,
            value: i.value,
            unit: i.unit,
            comparator: i.comparator.into(),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportTask {
    pub seq: String,
    pub parent_seq: Option<String>,
    pub category_path: Option<String>,
    pub text: String,
    pub line: i32,
    pub leaders: Vec<ImportLeader>,
    pub units: Vec<ImportUnit>,
    pub indicators: Vec<ImportIndicator>,
    /// The task's deadline, when the notice gives one that means a date (a 完成时限 column, or
    /// `6月底前` in the text); stored with the task.
    pub deadline: Option<NaiveDate>,
    /// The deadline as written (`2025年6月底`, `长期坚持`: no date).
    pub deadline_as_written: Option<String>,
}

impl From<PreviewTask> for ImportTask {
    fn from(t: PreviewTask) -> Self {
        Self {
            seq: t.seq,
            parent_seq: t.parent_seq,
            category_path: t.category_path,
            text: t.text,
            line: i32::try_from(t.line).unwrap_or(i32::MAX),
            leaders: t.leaders.into_iter().map(Into::into).collect(),
            units: t.units.into_iter().map(Into::into).collect(),
            indicators: t.indicators.into_iter().map(Into::into).collect(),
            deadline: t.deadline,
            deadline_as_written: t.deadline_as_written,
        }
    }
}

/// The whole parse of a notice with each name's resolution; nothing is stored.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportPreview {
    pub document: ImportedDocument,
    pub categories: Vec<ImportCategory>,
    pub tasks: Vec<ImportTask>,
    pub warnings: Vec<ImportWarning>,
}

impl From<Preview> for ImportPreview {
    fn from(p: Preview) -> Self {
        let d = p.document;
        Self {
            document: ImportedDocument {
                doc_number: d.doc_number,
                title: d.title,
                issuer: d.issuer,
                issued_on: d.issued_on,
                year: d.year,
                kind: d.kind.into(),
                schedule: d.schedule.map(Into::into),
                declared_total: d.declared_total,
                contacts: d.contacts,
                lead_rule: d.lead_rule.map(|rule| ImportLeadRule {
                    rest: rule.rest.into(),
                    sentence: rule.sentence,
                }),
            },
            categories: p.categories.into_iter().map(Into::into).collect(),
            tasks: p.tasks.into_iter().map(Into::into).collect(),
            warnings: p.warnings.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(SimpleObject, Debug)]
pub struct ImportCountsOutput {
    pub tasks_created: i32,
    pub tasks_updated: i32,
    pub tasks_removed: i32,
    pub units_created: i32,
    pub leaders_created: i32,
    pub aliases_learned: i32,
    pub replaced: bool,
}

impl From<ImportCounts> for ImportCountsOutput {
    fn from(c: ImportCounts) -> Self {
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            tasks_created: n(c.tasks_created),
            tasks_updated: n(c.tasks_updated),
            tasks_removed: n(c.tasks_removed),
            units_created: n(c.units_created),
            leaders_created: n(c.leaders_created),
            aliases_learned: n(c.aliases_learned),
            replaced: c.replaced,
        }
    }
}
