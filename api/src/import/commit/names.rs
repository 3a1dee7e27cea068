//! The registry writes of an import: the units a written name stands for (creating new ones),
//! new leaders, sub-units named in brackets, and the aliases learned from the notice.

use entity::enums::{AliasSource, UnitKind};
use entity::{leaders, unit_aliases, units};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{Overrides, UnitChoice, Writer};
use crate::error::{AppError, AppResult};
use crate::import::normalize::compact_key;
use crate::import::preview::PreviewUnit;
use crate::import::resolve::Resolution;

impl Writer<'_> {
    /// The registry units a written name stands for, with their local flag.
    pub(super) async fn unit_ids(
        &mut self,
        unit: &PreviewUnit,
        overrides: &Overrides,
    ) -> AppResult<Vec<(i64, bool)>> {
        let written = written_name(unit);
        let choice = overrides
            .units
            .get(&unit.as_written)
            .or_else(|| overrides.units.get(&written));
        let id = match (choice, unit.resolution) {
            (Some(UnitChoice::Existing(id)), _) => {
                let id = *id;
                self.registry.unit(id).ok_or_else(|| {
                    AppError::bad_field(
                        "overrides.units",
                        format!("no unit with id {id} for {}", unit.as_written),
                    )
                })?;
                self.learn_alias(id, &written).await?;
                id
            }
            (Some(UnitChoice::New { name, kind }), _) => self.new_unit(name, *kind, None).await?,
            (None, Resolution::Collective) => {
                return Ok(unit.group.iter().map(|id| (*id, true)).collect());
            }
            (None, _) => match unit.unit_id {
                Some(id) => {
                    if matches!(unit.resolution, Resolution::Normalized | Resolution::Fuzzy) {
                        self.learn_alias(id, &written).await?;
                    }
                    id
                }
                None => {
                    self.new_unit(&unit.name, guess_kind(&unit.name), None)
                        .await?
                }
            },
        };
        if let Some(sub) = &unit.sub_unit {
            self.ensure_sub_unit(sub, id).await?;
        }
        Ok(vec![(id, unit.is_local)])
    }

    pub(super) async fn ensure_sub_unit(&mut self, name: &str, parent: i64) -> AppResult<()> {
        let written = crate::import::parse::split_units(name).into_iter().next();
        let Some(written) = written else {
            return Ok(());
        };
        let found = self.registry.resolve_unit(&written);
        if found.unit_id.is_none() && !self.new_units.contains_key(&written.name) {
            self.new_unit(&written.name, guess_kind(&written.name), Some(parent))
                .await?;
        }
        Ok(())
    }

    pub(super) async fn new_unit(
        &mut self,
        name: &str,
        kind: UnitKind,
        parent: Option<i64>,
    ) -> AppResult<i64> {
        if let Some(id) = self.new_units.get(name) {
            return Ok(*id);
        }
        let unit = units::ActiveModel {
            name: Set(name.to_owned()),
            kind: Set(kind),
            parent_id: Set(parent),
            merged_into_id: Set(None),
            is_active: Set(true),
            sort_order: Set(0),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Duplicate => {
                AppError::conflict(format!("a unit named {name} already exists"))
            }
            other => other,
        })?;
        self.outcome.units_created += 1;
        self.known_names.insert(name.to_owned());
        self.new_units.insert(name.to_owned(), unit.id);
        Ok(unit.id)
    }

    pub(super) async fn new_leader(&mut self, name: &str) -> AppResult<i64> {
        if let Some(id) = self.new_leaders.get(name) {
            return Ok(*id);
        }
        let leader = leaders::ActiveModel {
            name: Set(name.to_owned()),
            post: Set(None),
            is_active: Set(true),
            sort_order: Set(0),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        self.outcome.leaders_created += 1;
        self.new_leaders.insert(name.to_owned(), leader.id);
        Ok(leader.id)
    }

    /// Remembers `written` as an alias of `unit_id`, unless the name is already in use.
    pub(super) async fn learn_alias(&mut self, unit_id: i64, written: &str) -> AppResult<()> {
        if written.is_empty() || !self.known_names.insert(written.to_owned()) {
            return Ok(());
        }
        let taken = units::Entity::find()
            .filter(units::Column::Name.eq(written))
            .one(self.txn)
            .await?
            .is_some()
            || unit_aliases::Entity::find()
                .filter(unit_aliases::Column::Alias.eq(written))
                .one(self.txn)
                .await?
                .is_some();
        if !taken {
            unit_aliases::ActiveModel {
                unit_id: Set(unit_id),
                alias: Set(written.to_owned()),
                source: Set(AliasSource::Import),
                created_at: Set(self.now),
                ..Default::default()
            }
            .insert(self.txn)
            .await?;
            self.outcome.aliases_learned += 1;
        }
        Ok(())
    }
}

/// The written unit name without spaces and without its bracketed sub-unit.
fn written_name(unit: &PreviewUnit) -> String {
    crate::import::parse::split_units(&unit.as_written)
        .into_iter()
        .next()
        .map(|u| u.name)
        .unwrap_or_else(|| compact_key(&unit.as_written))
}

/// The kind of a unit the registry does not know yet, from its name.
pub fn guess_kind(name: &str) -> UnitKind {
    if ["示范区", "开发区", "园区", "片区", "新区", "管委会"]
        .iter()
        .any(|w| name.contains(w))
    {
        UnitKind::DevelopmentZone
    } else if name.ends_with('县') || name.ends_with('区') || name.ends_with("人民政府") {
        UnitKind::CountyDistrict
    } else if name.contains("公司") || name.contains("集团") {
        UnitKind::StateCompany
    } else if name.starts_with("市委") {
        UnitKind::PartyOrgan
    } else if name.starts_with('市') {
        UnitKind::CityDepartment
    } else {
        UnitKind::Other
    }
}
