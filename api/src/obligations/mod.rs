//! Obligations: who owes which report, by when. One layer below everything that works with
//! them (reports, extensions, motions, ledgers, attachments, reminders, `tasks::progress`,
//! stats): it reads tasks, their units, the documents' rules, periods, reports and approved
//! extensions, and imports none of those modules' rules.
//!
//! - `rule` (pure): which units of a task owe reports under a document's `ObligationRule`.
//! - `parts`: a unit's part in a task: `assigned_unit` (the acting unit, on the task, or
//!   FORBIDDEN), `owing_unit` (and owing the report, for a period of the task's document).
//! - `dues`: the due date of one obligation: the period's, or the unit's approved extension.
//! - `store`: the stored rows (`obligations` table), their derivation, `sync` after a change,
//!   the rebuild and the consistency check.
//! - `list`: the obligations a principal may see, with their states, read from the stored rows.
//! - `schema`: `myObligations` and `obligations(filter:)`.

pub mod dues;
pub mod list;
pub mod parts;
pub mod rule;
pub mod schema;
pub mod store;

pub use dues::{approved_dues, effective_due};
pub use list::list;
pub use parts::{Part, ReportKey, assigned_unit, owing_unit, owing_unit_under, part_of};
pub use rule::owing_units;
pub use store::sync;

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ObligationState {
    /// Nothing written yet, and the due day has not ended.
    NotStarted,
    /// A draft is saved but not submitted.
    Draft,
    /// Submitted on time, awaiting review.
    Submitted,
    /// Submitted after the due day, awaiting review.
    Late,
    /// Returned by the bureau: to be revised and resubmitted.
    Returned,
    Accepted,
    /// The due day has ended and nothing was submitted.
    Overdue,
}

/// One report a unit owes.
#[derive(Debug, Clone)]
pub struct Obligation {
    pub task: entity::tasks::Model,
    pub period: entity::reporting_periods::Model,
    /// The period's due date, or the unit's approved extension.
    pub due_on: chrono::NaiveDate,
    pub unit_id: i64,
    pub state: ObligationState,
    pub report: Option<entity::progress_reports::Model>,
}

/// Which obligations to list; all given conditions hold.
#[derive(Debug, Default)]
pub struct ObligationFilter {
    pub document_id: Option<i64>,
    pub period_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub states: Vec<ObligationState>,
    /// Owed by the units this leader supervises (分管), whatever tasks they are of: a leader's
    /// page (`pages`), which decides who may ask.
    pub supervised_by: Option<i64>,
}

impl ObligationFilter {
    /// Whether the filter is said of tasks alone (their document, their leader), so that the
    /// rows it keeps hold every obligation of each task they touch. Destructured so that a new
    /// field must be classed here.
    pub fn is_of_whole_tasks(&self) -> bool {
        let Self {
            document_id: _,
            leader_id: _,
            period_id,
            unit_id,
            states,
            supervised_by,
        } = self;
        period_id.is_none() && unit_id.is_none() && states.is_empty() && supervised_by.is_none()
    }

    /// Whether the filter names at most a document: what the stored counts of obligations
    /// (`tallies::OBLIGATIONS`) are kept by. Destructured like `is_of_whole_tasks`.
    pub fn is_of_documents_only(&self) -> bool {
        let Self {
            document_id: _,
            leader_id,
            period_id: _,
            unit_id: _,
            states: _,
            supervised_by: _,
        } = self;
        self.is_of_whole_tasks() && leader_id.is_none()
    }
}

/// The state of an obligation from its report's state (if it has one), whether the latest
/// version came in late, its due date and the date in China. `list` applies the same rule in SQL
/// (`list::state_condition`): change both together.
pub fn state_from(
    report_state: Option<entity::enums::ReportState>,
    latest_is_late: bool,
    due_on: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> ObligationState {
    use entity::enums::ReportState;
    match report_state {
        Some(ReportState::Submitted) if latest_is_late => ObligationState::Late,
        Some(ReportState::Submitted) => ObligationState::Submitted,
        Some(ReportState::Returned) => ObligationState::Returned,
        Some(ReportState::Accepted) => ObligationState::Accepted,
        _ if today > due_on => ObligationState::Overdue,
        Some(ReportState::Draft) => ObligationState::Draft,
        None => ObligationState::NotStarted,
    }
}
