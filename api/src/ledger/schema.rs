//! GraphQL face of ledgers: `Task.ledger` and the unit's mutations.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::ledger_entries;

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::LedgerState;
use crate::graphql::relay::{self, Kind, expect_id};
use crate::ledger::service::{self, EntryFields};
use crate::units::loaders::UnitById;
use crate::units::schema::Unit;

/// One line of a unit's ledger (工作台账) for a task.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct LedgerEntry {
    pub id: ID,
    pub title: String,
    pub detail: Option<String>,
    /// 时间节点
    pub time_node: Option<NaiveDate>,
    /// The unit's responsible leader.
    pub responsible_leader: Option<String>,
    /// 具体责任人
    pub responsible_person: Option<String>,
    pub phone: Option<String>,
    pub state: LedgerState,
    pub position: i32,
    /// Send it back to change the entry.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub unit_id: i64,
}

impl From<ledger_entries::Model> for LedgerEntry {
    fn from(e: ledger_entries::Model) -> Self {
        Self {
            id: relay::global_id(Kind::LedgerEntry, e.id),
            title: e.title,
            detail: e.detail,
            time_node: e.time_node,
            responsible_leader: e.responsible_leader,
            responsible_person: e.responsible_person,
            phone: e.phone,
            state: e.state.into(),
            position: e.position,
            version: e.version,
            updated_at: e.updated_at,
            unit_id: e.unit_id,
        }
    }
}

#[ComplexObject]
impl LedgerEntry {
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load(ctx, UnitById(self.unit_id)).await
    }
}

#[derive(InputObject, Debug)]
pub struct AddLedgerEntryInput {
    pub task_id: ID,
    pub title: String,
    pub detail: Option<String>,
    pub time_node: Option<NaiveDate>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    pub phone: Option<String>,
    pub state: Option<LedgerState>,
}

#[derive(InputObject, Debug)]
pub struct UpdateLedgerEntryInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub detail: Option<String>,
    pub time_node: Option<NaiveDate>,
    pub responsible_leader: Option<String>,
    pub responsible_person: Option<String>,
    pub phone: Option<String>,
    pub state: Option<LedgerState>,
}

#[derive(InputObject, Debug)]
pub struct DeleteLedgerEntryInput {
    pub id: ID,
    pub version: i32,
}

#[derive(SimpleObject, Debug)]
pub struct LedgerEntryPayload {
    pub entry: LedgerEntry,
}

#[derive(Default)]
pub struct LedgerMutation;

#[Object]
impl LedgerMutation {
    /// Adds an entry to the caller's unit's ledger for a task (UNIT of the task).
    async fn add_ledger_entry(
        &self,
        ctx: &Context<'_>,
        input: AddLedgerEntryInput,
    ) -> Result<LedgerEntryPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let fields = EntryFields {
            title: Some(input.title),
            detail: input.detail,
            time_node: input.time_node,
            responsible_leader: input.responsible_leader,
            responsible_person: input.responsible_person,
            phone: input.phone,
            state: input.state.map(Into::into),
        };
        let entry = service::add(actor, ctx.db(), ctx.now(), task_id, fields).await?;
        Ok(LedgerEntryPayload {
            entry: entry.into(),
        })
    }

    /// Changes one of the caller's unit's entries at the version read.
    async fn update_ledger_entry(
        &self,
        ctx: &Context<'_>,
        input: UpdateLedgerEntryInput,
    ) -> Result<LedgerEntryPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::LedgerEntry)?;
        let fields = EntryFields {
            title: input.title,
            detail: input.detail,
            time_node: input.time_node,
            responsible_leader: input.responsible_leader,
            responsible_person: input.responsible_person,
            phone: input.phone,
            state: input.state.map(Into::into),
        };
        let entry = service::update(actor, ctx.db(), ctx.now(), id, input.version, fields).await?;
        Ok(LedgerEntryPayload {
            entry: entry.into(),
        })
    }

    /// Removes one of the caller's unit's entries (kept in history).
    async fn delete_ledger_entry(
        &self,
        ctx: &Context<'_>,
        input: DeleteLedgerEntryInput,
    ) -> Result<LedgerEntryPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::LedgerEntry)?;
        let entry = service::delete(actor, ctx.db(), ctx.now(), id, input.version).await?;
        Ok(LedgerEntryPayload {
            entry: entry.into(),
        })
    }
}
