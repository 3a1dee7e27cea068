//! The request's DataLoader. Relation fields never query the database themselves: they ask the
//! loader, which gathers the keys of one level of the response and reads them in one statement
//! per key type. The loader carries the request's principal, so the relation fields that list
//! tasks (unit → tasks, leader → tasks, document → tasks) apply the same row-level rules as the
//! `tasks` query.
//!
//! Each key type is a newtype, so one `DataLoader<DbLoader>` serves them all.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use entity::enums::UnitRole;
use entity::{
    categories, documents, leaders, task_leaders, task_units, tasks, unit_aliases, units, users,
};
use sea_orm::DatabaseConnection;

use crate::auth::Principal;
use crate::clock::SharedClock;
use crate::error::{AppError, AppResult};
use crate::leaders::service::LeaderRef;
use crate::{documents as document_service, leaders as leader_service, tasks as task_service};
use crate::{units as unit_service, users as user_service};

/// Loads rows for one request.
pub struct DbLoader {
    db: DatabaseConnection,
    /// `None` for anonymous requests, which see no tasks.
    actor: Option<Principal>,
    /// For values that depend on the date, such as obligation states.
    clock: SharedClock,
}

impl DbLoader {
    pub fn new(db: DatabaseConnection, actor: Option<Principal>, clock: SharedClock) -> Self {
        Self { db, actor, clock }
    }
}

/// Loader errors are shared by every resolver waiting on the batch.
pub type LoadError = Arc<AppError>;

/// Declares a key newtype and its `Loader` impl in terms of a batch function of a service.
macro_rules! loader {
    ($(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, |$this:ident, $ids:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub $inner);

        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let $this = self;
                let $ids: Vec<$inner> = keys.iter().map(|key| key.0.clone()).collect();
                let result: AppResult<HashMap<$inner, $value>> = $body.await;
                Ok(result.map_err(Arc::new)?.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

loader!(
    /// A unit by id.
    UnitById(i64) => units::Model,
    |this, ids| unit_service::service::by_ids(&this.db, &ids)
);
loader!(
    /// The aliases of a unit.
    AliasesOfUnit(i64) => Vec<unit_aliases::Model>,
    |this, ids| unit_service::service::aliases_of(&this.db, &ids)
);
loader!(
    /// A leader by id.
    LeaderById(i64) => leaders::Model,
    |this, ids| leader_service::service::by_ids(&this.db, &ids)
);
loader!(
    /// The person behind a task leader: named directly, or whoever holds the post now. One key
    /// type for both, so a level of task leaders is one statement.
    LeaderOf(LeaderRef) => leaders::Model,
    |this, refs| leader_service::service::resolve_refs(&this.db, &refs)
);
loader!(
    /// The units a leader supervises.
    SupervisedUnitsOf(i64) => Vec<units::Model>,
    |this, ids| leader_service::service::supervised_units_of(&this.db, &ids)
);
loader!(
    /// A document by id.
    DocumentById(i64) => documents::Model,
    |this, ids| document_service::service::by_ids(&this.db, &ids)
);
loader!(
    /// A category by id.
    CategoryById(i64) => categories::Model,
    |this, ids| document_service::categories::categories_by_ids(&this.db, &ids)
);
loader!(
    /// The top-level categories of a document.
    RootCategoriesOf(i64) => Vec<categories::Model>,
    |this, ids| document_service::categories::root_categories_of(&this.db, &ids)
);
loader!(
    /// The sub-categories of a category.
    ChildCategoriesOf(i64) => Vec<categories::Model>,
    |this, ids| document_service::categories::child_categories_of(&this.db, &ids)
);
loader!(
    /// The leaders of a task (the task itself has passed the access check).
    LeadersOfTask(i64) => Vec<task_leaders::Model>,
    |this, ids| task_service::query::leaders_of(&this.db, &ids)
);
loader!(
    /// The units of a task (the task itself has passed the access check).
    UnitsOfTask(i64) => Vec<task_units::Model>,
    |this, ids| task_service::query::units_of(&this.db, &ids)
);
loader!(
    /// A task by id, if the principal may see it.
    VisibleTaskById(i64) => tasks::Model,
    |this, ids| async {
        match &this.actor {
            Some(actor) => task_service::query::visible_by_ids(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// What the status and warning level of a task are derived from: its obligations now. The
    /// resolver holds a task the principal may see, so the key needs no further check.
    ObligationFactsOfTask(i64) => Vec<crate::tasks::progress::ObligationFacts>,
    |this, ids| task_service::progress::facts_of_ids(&this.db, &ids, this.clock.now())
);
loader!(
    /// The motion of a task of a PROPOSAL document, with its replies.
    ProposalOfTask(i64) => crate::proposals::service::ProposalWithReplies,
    |this, ids| crate::proposals::service::of_tasks(&this.db, &ids)
);
loader!(
    /// The indicators of a task, in written order.
    IndicatorsOfTask(i64) => Vec<entity::indicators::Model>,
    |this, ids| crate::reports::values::indicators_of(&this.db, &ids)
);
loader!(
    /// The indicator values of a report version, with their indicators.
    ValuesOfVersion(i64) => Vec<(entity::report_indicator_values::Model, entity::indicators::Model)>,
    |this, ids| crate::reports::values::of_versions(&this.db, &ids)
);
loader!(
    /// The principal's own uploads for a task, not yet submitted.
    MyPendingUploads(i64) => Vec<entity::attachments::Model>,
    |this, ids| crate::attachments::service::pending_of_tasks(
        &this.db,
        this.actor.as_ref().and_then(|a| a.user_id),
        &ids,
    )
);
loader!(
    /// The attachments submitted with a report version. The version has passed the report's
    /// access check.
    AttachmentsOfVersion(i64) => Vec<entity::attachments::Model>,
    |this, ids| crate::attachments::service::of_versions(&this.db, &ids)
);
loader!(
    /// The visible tasks of a unit, with the unit's role in each.
    VisibleTasksOfUnit(i64) => Vec<(UnitRole, tasks::Model)>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => task_service::query::visible_of_units(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// The visible tasks naming a leader in person or by post.
    VisibleTasksOfLeader(i64) => Vec<tasks::Model>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => task_service::query::visible_of_leaders(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// The visible tasks of a document.
    VisibleTasksOfDocument(i64) => Vec<tasks::Model>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => task_service::query::visible_of_documents(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// The reporting periods of a document, by due date.
    PeriodsOfDocument(i64) => Vec<entity::reporting_periods::Model>,
    |this, ids| crate::periods::service::of_documents(&this.db, &ids)
);
loader!(
    /// A reporting period by id.
    PeriodById(i64) => entity::reporting_periods::Model,
    |this, ids| crate::reports::service::periods_by_ids(&this.db, &ids)
);
loader!(
    /// The reports of a task the principal may read (a unit: its own unit's only).
    ReportsOfTask(i64) => Vec<entity::progress_reports::Model>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => crate::reports::service::readable_of_tasks(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// The submitted versions of a report (the report has passed the access check).
    VersionsOfReport(i64) => Vec<entity::report_versions::Model>,
    |this, ids| crate::reports::service::versions_of(&this.db, &ids)
);
loader!(
    /// The review of a report version.
    ReviewOfVersion(i64) => entity::report_reviews::Model,
    |this, ids| crate::reports::service::reviews_of(&this.db, &ids)
);
loader!(
    /// The reminders of a task the principal may read (a unit: those addressed to it).
    RemindersOfTask(i64) => Vec<entity::reminders::Model>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => crate::reminders::service::readable_of_tasks(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// The instructions of a task the principal may read (a unit: not other units' reports').
    InstructionsOfTask(i64) => Vec<entity::instructions::Model>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => crate::instructions::service::readable_of_tasks(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// The ledger entries of a task the principal may read (a unit: its own unit's).
    LedgerOfTask(i64) => Vec<entity::ledger_entries::Model>,
    |this, ids| async {
        match &this.actor {
            Some(actor) => crate::ledger::service::readable_of_tasks(actor, &this.db, &ids).await,
            None => Ok(HashMap::new()),
        }
    }
);
loader!(
    /// A user by id (for audit entries; only the bureau reaches them).
    UserById(i64) => users::Model,
    |this, ids| user_service::service::by_ids(&this.db, &ids)
);
