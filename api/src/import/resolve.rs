//! Resolving the names of a notice against the registry.
//!
//! Units: the exact name, then an alias, then the normal form (`normalize::unit_key`), then the
//! nearest names by similarity (a typo such as 市政务服大数据局), proposed with a warning; a
//! name that matches nothing is proposed as a new unit. Collective words resolve to the group
//! of units they stand for. Merged units resolve to the unit they were merged into.
//!
//! Leaders: by name, by post (whoever holds it now), collectively (各位副市长: the holders of
//! those posts); an unknown name is proposed as a new leader.

use std::collections::HashMap;

use entity::enums::UnitKind;
use entity::{leaders, unit_aliases, units};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;

use crate::error::AppResult;
use crate::import::normalize::{compact_key, distance, is_close, unit_key};
use crate::import::parse::{LeaderName, UnitName};

/// How a name was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// The registry name itself.
    Matched,
    /// A known alias.
    Alias,
    /// The same unit written another way (widths, 市 prefix, abbreviations).
    Normalized,
    /// The nearest registry name by similarity: check it.
    Fuzzy,
    /// Not in the registry: proposed as new.
    New,
    /// A collective word standing for a group.
    Collective,
    /// A post, resolved to whoever holds it now.
    Post,
}

/// A registry unit proposed for a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub unit_id: i64,
    pub name: String,
    /// Edits between the written and the registry name.
    pub distance: usize,
}

/// The resolution of one written unit name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitMatch {
    pub resolution: Resolution,
    pub unit_id: Option<i64>,
    /// The registry name resolved to, or the proposed name of a new unit.
    pub name: String,
    /// For fuzzy matches: the nearest registry units, best first.
    pub candidates: Vec<Candidate>,
    /// For collective words: the units of the group.
    pub group: Vec<i64>,
}

/// The resolution of one written leader.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderMatch {
    pub resolution: Resolution,
    /// The person: named, or holding the post now.
    pub leader_id: Option<i64>,
    /// For collective words: the leaders of the group.
    pub group: Vec<i64>,
}

/// The registry, read once per import.
pub struct Registry {
    units: HashMap<i64, units::Model>,
    by_name: HashMap<String, i64>,
    by_alias: HashMap<String, i64>,
    by_key: HashMap<String, i64>,
    /// (compact key, unit id) of every name and alias, for similarity.
    compact: Vec<(String, i64)>,
    leaders_by_name: HashMap<String, i64>,
    leaders: Vec<leaders::Model>,
}

impl Registry {
    pub async fn load(db: &impl ConnectionTrait) -> AppResult<Self> {
        let all_units = units::Entity::find().all(db).await?;
        let aliases = unit_aliases::Entity::find().all(db).await?;
        let leaders = leaders::Entity::find().all(db).await?;
        Ok(Self::new(&all_units, &aliases, leaders))
    }

    pub fn new(
        all_units: &[units::Model],
        aliases: &[unit_aliases::Model],
        leaders: Vec<leaders::Model>,
    ) -> Self {
        let mut registry = Self {
            units: all_units.iter().map(|u| (u.id, u.clone())).collect(),
            by_name: HashMap::new(),
            by_alias: HashMap::new(),
            by_key: HashMap::new(),
            compact: Vec::new(),
            leaders_by_name: HashMap::new(),
            leaders: Vec::new(),
        };
        for unit in all_units {
            registry.by_name.insert(unit.name.clone(), unit.id);
        }
        for alias in aliases {
            registry.by_alias.insert(alias.alias.clone(), alias.unit_id);
        }
        // Normal forms: the registry name wins over an alias with the same form.
        let names = all_units.iter().map(|u| (u.name.as_str(), u.id));
        let alias_names = aliases.iter().map(|a| (a.alias.as_str(), a.unit_id));
        for (name, id) in alias_names.chain(names) {
            let id = registry.live(id);
            registry.by_key.insert(unit_key(name), id);
            registry.compact.push((compact_key(name), id));
        }
        let mut sorted = leaders;
        sorted.sort_by_key(|l| (!l.is_active, l.sort_order, l.id));
        for leader in &sorted {
            registry
                .leaders_by_name
                .entry(leader.name.clone())
                .or_insert(leader.id);
        }
        registry.leaders = sorted;
        registry
    }

    /// Follows merges to the unit that carries the assignments now.
    fn live(&self, mut id: i64) -> i64 {
        for _ in 0..16 {
            match self.units.get(&id).and_then(|u| u.merged_into_id) {
                Some(target) => id = target,
                None => break,
            }
        }
        id
    }

    pub fn unit(&self, id: i64) -> Option<&units::Model> {
        self.units.get(&id)
    }

    pub fn leader(&self, id: i64) -> Option<&leaders::Model> {
        self.leaders.iter().find(|l| l.id == id)
    }

    fn matched(&self, resolution: Resolution, id: i64) -> UnitMatch {
        let id = self.live(id);
        UnitMatch {
            resolution,
            unit_id: Some(id),
            name: self
                .units
                .get(&id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            candidates: Vec::new(),
            group: Vec::new(),
        }
    }

    /// Resolves a unit name as written (without its bracketed sub-unit).
    pub fn resolve_unit(&self, written: &UnitName) -> UnitMatch {
        let name = written.name.as_str();
        if written.collective {
            return UnitMatch {
                resolution: Resolution::Collective,
                unit_id: None,
                name: name.to_owned(),
                candidates: Vec::new(),
                group: self.group_of_units(name),
            };
        }
        if let Some(&id) = self.by_name.get(name) {
            return self.matched(Resolution::Matched, id);
        }
        if let Some(&id) = self.by_alias.get(name) {
            return self.matched(Resolution::Alias, id);
        }
        if let Some(&id) = self.by_key.get(&unit_key(name)) {
            return self.matched(Resolution::Normalized, id);
        }
        let key = compact_key(name);
        let mut candidates: Vec<Candidate> = Vec::new();
        for (other, id) in &self.compact {
            if is_close(&key, other) && !candidates.iter().any(|c| c.unit_id == *id) {
                candidates.push(Candidate {
                    unit_id: *id,
                    name: self
                        .units
                        .get(id)
                        .map(|u| u.name.clone())
                        .unwrap_or_default(),
                    distance: distance(&key, other),
                });
            }
        }
        candidates.sort_by_key(|c| (c.distance, c.unit_id));
        candidates.truncate(3);
        match candidates.first() {
            Some(best) => UnitMatch {
                resolution: Resolution::Fuzzy,
                unit_id: Some(best.unit_id),
                name: best.name.clone(),
                candidates,
                group: Vec::new(),
            },
            None => UnitMatch {
                resolution: Resolution::New,
                unit_id: None,
                name: name.to_owned(),
                candidates: Vec::new(),
                group: Vec::new(),
            },
        }
    }

    /// The units a collective word stands for.
    fn group_of_units(&self, word: &str) -> Vec<i64> {
        let kinds: &[UnitKind] = if word.contains("开发区")
            || word.contains("示范区")
            || word.contains("园区")
            || word.contains("管委会")
        {
            &[UnitKind::DevelopmentZone]
        } else if word.contains('县') || word.contains('区') {
            &[UnitKind::CountyDistrict]
        } else if word.contains("部门") {
            &[UnitKind::CityDepartment]
        } else {
            // 各单位, 各有关单位: every unit.
            &[]
        };
        let mut group: Vec<i64> = self
            .units
            .values()
            .filter(|u| u.is_active && u.merged_into_id.is_none())
            .filter(|u| kinds.is_empty() || kinds.contains(&u.kind))
            .map(|u| u.id)
            .collect();
        group.sort_unstable();
        group
    }

    /// Resolves a leader as written.
    pub fn resolve_leader(&self, written: &LeaderName) -> LeaderMatch {
        if let Some(collective) = &written.collective {
            let post_word = if collective.contains("秘书长") {
                "秘书长"
            } else {
                "市长"
            };
            return LeaderMatch {
                resolution: Resolution::Collective,
                leader_id: None,
                group: self
                    .leaders
                    .iter()
                    .filter(|l| {
                        l.is_active && l.post.as_deref().is_some_and(|p| p.contains(post_word))
                    })
                    .map(|l| l.id)
                    .collect(),
            };
        }
        if let Some(post) = &written.post {
            return LeaderMatch {
                resolution: Resolution::Post,
                leader_id: self
                    .leaders
                    .iter()
                    .find(|l| l.is_active && l.post.as_deref() == Some(post))
                    .map(|l| l.id),
                group: Vec::new(),
            };
        }
        let name = written.name.as_deref().unwrap_or_default();
        match self.leaders_by_name.get(name) {
            Some(&id) => LeaderMatch {
                resolution: Resolution::Matched,
                leader_id: Some(id),
                group: Vec::new(),
            },
            None => LeaderMatch {
                resolution: Resolution::New,
                leader_id: None,
                group: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use entity::enums::AliasSource;

    fn unit(id: i64, name: &str, kind: UnitKind) -> units::Model {
        units::Model {
            id,
            name: name.to_owned(),
            kind,
            parent_id: None,
            merged_into_id: None,
            is_active: true,
            sort_order: 0,
            signoff_required: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn written(name: &str) -> UnitName {
        crate::import::parse::split_units(name).remove(0)
    }

    fn registry() -> Registry {
        let units = vec![
            unit(1, "市发展和改革委员会", UnitKind::CityDepartment),
            unit(2, "市政务服务和大数据管理局", UnitKind::CityDepartment),
            unit(3, "尉氏县", UnitKind::CountyDistrict),
            unit(4, "杞县", UnitKind::CountyDistrict),
            unit(5, "市财政局", UnitKind::CityDepartment),
        ];
        let aliases = vec![unit_aliases::Model {
            id: 1,
            unit_id: 2,
            alias: "市政务服务大数据局".to_owned(),
            source: AliasSource::Manual,
            created_at: Utc::now(),
        }];
        Registry::new(&units, &aliases, Vec::new())
    }

    #[test]
    fn units_resolve_by_name_alias_normal_form_and_similarity() {
        let r = registry();
        let m = r.resolve_unit(&written("市财政局"));
        assert_eq!((m.resolution, m.unit_id), (Resolution::Matched, Some(5)));
        let m = r.resolve_unit(&written("市政务服务大数据局"));
        assert_eq!((m.resolution, m.unit_id), (Resolution::Alias, Some(2)));
        let m = r.resolve_unit(&written("市发改委"));
        assert_eq!((m.resolution, m.unit_id), (Resolution::Normalized, Some(1)));
        let m = r.resolve_unit(&written("尉氏县人民政府"));
        assert_eq!((m.resolution, m.unit_id), (Resolution::Normalized, Some(3)));
        let m = r.resolve_unit(&written("市政务服大数据局"));
        assert_eq!(
            (m.resolution, m.unit_id, m.name.as_str()),
            (Resolution::Fuzzy, Some(2), "市政务服务和大数据管理局")
        );
        assert_eq!(m.candidates[0].distance, 1);
        let m = r.resolve_unit(&written("市税务局"));
        assert_eq!((m.resolution, m.unit_id), (Resolution::New, None));
        let m = r.resolve_unit(&written("各县区"));
        assert_eq!(
            (m.resolution, m.group),
            (Resolution::Collective, vec![3, 4])
        );
    }
}
