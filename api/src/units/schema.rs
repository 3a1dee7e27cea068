//! GraphQL face of the unit registry: the `Unit` type, the `units` and `unit` queries and the
//! registry mutations. Resolvers decode input, call `service`, and convert the result.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::{unit_aliases, units};

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::{AliasSource, UnitKind, UnitRole};
use crate::graphql::relay::{self, Conn, Kind, expect_id, expect_optional_id};
use crate::tasks::loaders::VisibleTasksOfUnit;
use crate::tasks::schema::Task;
use crate::units::loaders::{AliasesOfUnit, UnitById};
use crate::units::merge::{self, MergeCounts};
use crate::units::service::{self, NewUnit, UnitChanges, UnitSearch};

/// An organisation that receives tasks.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Unit {
    pub id: ID,
    /// The registry name, e.g. 市发展和改革委员会.
    pub name: String,
    pub kind: UnitKind,
    /// False once deactivated or merged into another unit.
    pub is_active: bool,
    pub sort_order: i32,
    /// Whether the unit's reports go through its head (审核签发) before the bureau.
    pub signoff_required: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row_id: i64,
    #[graphql(skip)]
    pub parent_id: Option<i64>,
    #[graphql(skip)]
    pub merged_into_id: Option<i64>,
}

impl From<units::Model> for Unit {
    fn from(unit: units::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Unit, unit.id),
            name: unit.name,
            kind: unit.kind.into(),
            is_active: unit.is_active,
            sort_order: unit.sort_order,
            signoff_required: unit.signoff_required,
            created_at: unit.created_at,
            updated_at: unit.updated_at,
            row_id: unit.id,
            parent_id: unit.parent_id,
            merged_into_id: unit.merged_into_id,
        }
    }
}

/// Another name of a unit as written in documents.
#[derive(SimpleObject, Debug, Clone)]
pub struct UnitAlias {
    pub alias: String,
    pub source: AliasSource,
    pub created_at: DateTime<Utc>,
}

impl From<unit_aliases::Model> for UnitAlias {
    fn from(alias: unit_aliases::Model) -> Self {
        Self {
            alias: alias.alias,
            source: alias.source.into(),
            created_at: alias.created_at,
        }
    }
}

/// A task of the unit, with the unit's role in it.
#[derive(SimpleObject, Debug, Clone)]
pub struct UnitTask {
    pub role: UnitRole,
    pub task: Task,
}

impl From<(entity::enums::UnitRole, entity::tasks::Model)> for UnitTask {
    fn from((role, task): (entity::enums::UnitRole, entity::tasks::Model)) -> Self {
        Self {
            role: role.into(),
            task: task.into(),
        }
    }
}

#[ComplexObject]
impl Unit {
    /// The unit this one belongs to, e.g. 市委宣传部 for 市文明办.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load_unit(ctx, self.parent_id).await
    }

    /// Set when this unit was merged into another; that one carries its assignments now.
    async fn merged_into(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        load_unit(ctx, self.merged_into_id).await
    }

    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<UnitAlias>> {
        let aliases = ctx.loader().load_one(AliasesOfUnit(self.row_id)).await?;
        Ok(aliases
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The tasks of this unit that the caller may see, in document order.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        role: Option<UnitRole>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<UnitTask>> {
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let mut tasks = ctx
            .loader()
            .load_one(VisibleTasksOfUnit(self.row_id))
            .await?
            .unwrap_or_default();
        if let Some(role) = role {
            let role = entity::enums::UnitRole::from(role);
            tasks.retain(|(r, _)| *r == role);
        }
        Ok(relay::connection(page.slice(&tasks)))
    }
}

async fn load_unit(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Unit>> {
    let Some(id) = id else { return Ok(None) };
    load(ctx, UnitById(id)).await
}

#[derive(Default)]
pub struct UnitQuery;

#[Object]
impl UnitQuery {
    /// Units of the registry, searched by part of their name or any alias.
    #[graphql(complexity = "relay::connection_complexity(first, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn units(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        kind: Option<UnitKind>,
        parent_id: Option<ID>,
        #[graphql(default = false)] include_inactive: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Unit>> {
        let actor = ctx.actor()?;
        let page = relay::page_request(ctx, first, after.as_deref())?;
        let search = UnitSearch {
            text: search,
            kind: kind.map(Into::into),
            parent_id: expect_optional_id("parentId", parent_id.as_ref(), Kind::Unit)?,
            include_inactive,
        };
        Ok(relay::connection(
            service::search(actor, ctx.db(), search, page).await?,
        ))
    }

    /// Null, with an error saying why, when there is no such unit or the caller may not see
    /// it: the other fields of the request are answered all the same.
    async fn unit(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Unit>> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &id, Kind::Unit)?;
        Ok(Some(service::get(actor, ctx.db(), id).await?.into()))
    }
}

#[derive(InputObject, Debug)]
pub struct CreateUnitInput {
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<ID>,
    /// Other names the unit is written under.
    #[graphql(default)]
    pub aliases: Vec<String>,
}

#[derive(InputObject, Debug)]
pub struct UpdateUnitInput {
    pub id: ID,
    /// A new name; the old one is kept as an alias.
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    /// `null` removes the parent.
    pub parent_id: MaybeUndefined<ID>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
    /// Whether the unit's clerks put reports to its head before the bureau (审核签发).
    pub signoff_required: Option<bool>,
}

#[derive(InputObject, Debug)]
pub struct AddUnitAliasInput {
    pub unit_id: ID,
    pub alias: String,
}

#[derive(InputObject, Debug)]
pub struct MergeUnitsInput {
    /// The duplicate, which ends inactive.
    pub source_id: ID,
    /// The unit that takes over every name and assignment.
    pub target_id: ID,
}

#[derive(SimpleObject, Debug)]
pub struct CreateUnitPayload {
    pub unit: Unit,
}

#[derive(SimpleObject, Debug)]
pub struct UpdateUnitPayload {
    pub unit: Unit,
}

#[derive(SimpleObject, Debug)]
pub struct AddUnitAliasPayload {
    pub unit: Unit,
}

/// What a merge moved from the source to the target.
#[derive(SimpleObject, Debug)]
pub struct MergedCounts {
    pub aliases: u64,
    pub task_assignments: u64,
    /// Assignments the target already held in the same role; the target's row stands for both.
    pub duplicate_assignments_dropped: u64,
    pub supervising_leaders: u64,
    pub users: u64,
    pub child_units: u64,
    pub reports: u64,
    pub reminders: u64,
    pub ledger_entries: u64,
    pub extension_requests: u64,
    pub notices: u64,
}

impl From<MergeCounts> for MergedCounts {
    fn from(c: MergeCounts) -> Self {
        Self {
            aliases: c.aliases,
            task_assignments: c.task_assignments,
            duplicate_assignments_dropped: c.duplicate_assignments_dropped,
            supervising_leaders: c.supervising_leaders,
            users: c.users,
            child_units: c.child_units,
            reports: c.reports,
            reminders: c.reminders,
            ledger_entries: c.ledger_entries,
            extension_requests: c.extension_requests,
            notices: c.notices,
        }
    }
}

#[derive(SimpleObject, Debug)]
pub struct MergeUnitsPayload {
    pub target: Unit,
    pub moved: MergedCounts,
}

#[derive(Default)]
pub struct UnitMutation;

#[Object]
impl UnitMutation {
    async fn create_unit(
        &self,
        ctx: &Context<'_>,
        input: CreateUnitInput,
    ) -> Result<CreateUnitPayload> {
        let actor = ctx.actor()?;
        let new = NewUnit {
            name: input.name,
            kind: input.kind.into(),
            parent_id: expect_optional_id("parentId", input.parent_id.as_ref(), Kind::Unit)?,
            aliases: input.aliases,
        };
        let unit = service::create(actor, ctx.db(), ctx.now(), new).await?;
        Ok(CreateUnitPayload { unit: unit.into() })
    }

    async fn update_unit(
        &self,
        ctx: &Context<'_>,
        input: UpdateUnitInput,
    ) -> Result<UpdateUnitPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("id", &input.id, Kind::Unit)?;
        let parent: Option<Option<ID>> = input.parent_id.into();
        let changes = UnitChanges {
            name: input.name,
            kind: input.kind.map(Into::into),
            parent_id: parent
                .map(|p| expect_optional_id("parentId", p.as_ref(), Kind::Unit))
                .transpose()?,
            is_active: input.is_active,
            sort_order: input.sort_order,
            signoff_required: input.signoff_required,
        };
        let unit = service::update(actor, ctx.db(), ctx.now(), id, changes).await?;
        Ok(UpdateUnitPayload { unit: unit.into() })
    }

    async fn add_unit_alias(
        &self,
        ctx: &Context<'_>,
        input: AddUnitAliasInput,
    ) -> Result<AddUnitAliasPayload> {
        let actor = ctx.actor()?;
        let id = expect_id("unitId", &input.unit_id, Kind::Unit)?;
        let unit = service::add_alias(actor, ctx.db(), ctx.now(), id, &input.alias).await?;
        Ok(AddUnitAliasPayload { unit: unit.into() })
    }

    /// Merges a duplicate unit into another; nothing assigned to either is lost.
    async fn merge_units(
        &self,
        ctx: &Context<'_>,
        input: MergeUnitsInput,
    ) -> Result<MergeUnitsPayload> {
        let actor = ctx.actor()?;
        let source = expect_id("sourceId", &input.source_id, Kind::Unit)?;
        let target = expect_id("targetId", &input.target_id, Kind::Unit)?;
        let (target, counts) = merge::merge(actor, ctx.db(), ctx.now(), source, target).await?;
        Ok(MergeUnitsPayload {
            target: target.into(),
            moved: counts.into(),
        })
    }
}
