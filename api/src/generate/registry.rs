//! The registry of a generated province: units dealt round-robin to the cities (each city's
//! departments, counties, party organs, companies, zones and others interleaved, so that even a
//! small run has every kind), then towns under the counties when more units are asked for;
//! leaders with their cities' posts; and the units each leader supervises. Pure: the plan is
//! made from the random generator alone, before anything is written.

use std::collections::{HashMap, HashSet};

use entity::enums::UnitKind;
use rand::Rng;
use rand::rngs::StdRng;

use super::names::{self, CITIES, City};

/// A unit to be: its name, how notices write it, its kind.
type Template = (String, String, UnitKind);

/// Units one city holds before towns are added.
const UNITS_PER_CITY: usize = 100;

#[derive(Debug, Clone)]
pub struct UnitPlan {
    pub id: i64,
    pub name: String,
    /// How a notice writes it: `市财政局` for 郑州市财政局.
    pub short: String,
    pub kind: UnitKind,
    pub city: usize,
    pub parent: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct LeaderPlan {
    pub id: i64,
    pub name: String,
    pub post: String,
    /// The place of the post in `names::POSTS`.
    pub post_index: usize,
}

#[derive(Debug, Default)]
pub struct Registry {
    pub cities: usize,
    pub units: Vec<UnitPlan>,
    pub leaders: Vec<LeaderPlan>,
    /// (leader id, unit id), each pair once.
    pub leader_units: Vec<(i64, i64)>,
    /// Indexes into `units` by city (towns included).
    pub city_units: Vec<Vec<usize>>,
    /// Indexes into `leaders` by city.
    pub city_leaders: Vec<Vec<usize>>,
    /// The leader supervising a unit, by unit id.
    pub supervisor: HashMap<i64, usize>,
}

/// How many cities a registry of `units` units spans.
pub fn city_count(units: usize) -> usize {
    units.div_ceil(UNITS_PER_CITY + 10).clamp(1, CITIES.len())
}

/// Plans `units` units and `leaders` leaders, numbering them from the given ids, avoiding the
/// unit names in `taken` (units already in the database).
pub fn plan(
    rng: &mut StdRng,
    units: usize,
    leaders: usize,
    first_unit_id: i64,
    first_leader_id: i64,
    taken: &HashSet<String>,
) -> Registry {
    let cities = city_count(units);
    let mut registry = Registry {
        cities,
        city_units: vec![Vec::new(); cities],
        city_leaders: vec![Vec::new(); cities],
        ..Default::default()
    };
    let mut names: HashSet<String> = taken.clone();
    let mut places: HashSet<String> = CITIES.iter().map(|c| c.name.to_owned()).collect();
    let templates: Vec<Vec<Template>> = (0..cities)
        .map(|c| city_templates(rng, &CITIES[c], &mut places))
        .collect();
    // Round-robin over the cities, each city's list in order.
    let longest = templates.iter().map(Vec::len).max().unwrap_or(0);
    'deal: for slot in 0..longest {
        for (city, list) in templates.iter().enumerate() {
            if registry.units.len() == units {
                break 'deal;
            }
            if let Some((name, short, kind)) = list.get(slot)
                && names.insert(name.clone())
            {
                push_unit(&mut registry, first_unit_id, name, short, *kind, city, None);
            }
        }
    }
    // Towns under the counties, as many as are still wanted.
    let counties: Vec<usize> = (0..registry.units.len())
        .filter(|&i| registry.units[i].kind == UnitKind::CountyDistrict)
        .collect();
    let mut attempts = 0;
    while registry.units.len() < units && attempts < units * 50 {
        attempts += 1;
        let (county_name, county_id, city) = match counties.get(attempts % counties.len().max(1)) {
            Some(&i) => {
                let county = &registry.units[i];
                let place = county.name.trim_end_matches("人民政府").to_owned();
                (place, Some(county.id), county.city)
            }
            None => (format!("{}市", CITIES[0].name), None, 0),
        };
        let town = format!(
            "{}{}镇",
            pick(rng, &names::PLACE_FIRST),
            pick(rng, &names::PLACE_SECOND)
        );
        let name = format!("{county_name}{town}人民政府");
        if names.insert(name.clone()) {
            let short = format!("{town}政府");
            push_unit(
                &mut registry,
                first_unit_id,
                &name,
                &short,
                UnitKind::Other,
                city,
                county_id,
            );
        }
    }
    plan_leaders(rng, &mut registry, leaders, first_leader_id);
    registry
}

fn push_unit(
    registry: &mut Registry,
    first_id: i64,
    name: &str,
    short: &str,
    kind: UnitKind,
    city: usize,
    parent: Option<i64>,
) {
    let index = registry.units.len();
    registry.city_units[city].push(index);
    registry.units.push(UnitPlan {
        id: first_id + index as i64,
        name: name.to_owned(),
        short: short.to_owned(),
        kind,
        city,
        parent,
    });
}

/// One city's units in the order they are dealt: a department, a county, a party organ, a
/// company, a zone, another body, then the next of each.
fn city_templates(rng: &mut StdRng, city: &City, places: &mut HashSet<String>) -> Vec<Template> {
    let c = city.name;
    let departments: Vec<_> = names::DEPARTMENTS
        .iter()
        .map(|d| {
            (
                format!("{c}市{d}"),
                format!("市{d}"),
                UnitKind::CityDepartment,
            )
        })
        .collect();
    let party: Vec<_> = names::PARTY_ORGANS
        .iter()
        .map(|p| {
            (
                format!("{c}市委{p}"),
                format!("市委{p}"),
                UnitKind::PartyOrgan,
            )
        })
        .collect();
    let companies: Vec<_> = names::STATE_COMPANIES
        .iter()
        .map(|s| {
            (
                format!("{c}市{s}"),
                format!("市{s}"),
                UnitKind::StateCompany,
            )
        })
        .collect();
    let zones: Vec<_> = names::ZONES
        .iter()
        .map(|z| {
            (
                format!("{c}{z}"),
                format!("{c}{z}"),
                UnitKind::DevelopmentZone,
            )
        })
        .collect();
    let others: Vec<_> = names::OTHERS
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let name = names::fill(o, c);
            let short = name.replacen(&format!("{c}市"), "市", 1);
            (name, short, names::other_kind(i))
        })
        .collect();
    let mut counties = Vec::new();
    while counties.len() < names::COUNTIES_PER_CITY {
        let place = format!(
            "{}{}",
            pick(rng, &names::PLACE_FIRST),
            pick(rng, &names::PLACE_SECOND)
        );
        if !places.insert(place.clone()) {
            continue;
        }
        // Four districts, five counties and a county-level city.
        let (name, short) = match counties.len() {
            0..=3 => (format!("{c}市{place}区人民政府"), format!("{place}区政府")),
            4..=8 => (format!("{place}县人民政府"), format!("{place}县政府")),
            _ => (format!("{place}市人民政府"), format!("{place}市政府")),
        };
        counties.push((name, short, UnitKind::CountyDistrict));
    }
    let lists = [departments, counties, party, companies, zones, others];
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    let mut all = Vec::new();
    for slot in 0..longest {
        for list in &lists {
            if let Some(entry) = list.get(slot) {
                all.push(entry.clone());
            }
        }
    }
    all
}

fn plan_leaders(rng: &mut StdRng, registry: &mut Registry, leaders: usize, first_id: i64) {
    let mut taken: HashSet<String> = HashSet::new();
    for k in 0..leaders {
        let city = k % registry.cities;
        let post_index = k / registry.cities;
        let pattern = names::POSTS
            .get(post_index)
            .copied()
            .unwrap_or("{}市政府副秘书长");
        let mut name = person_name(rng);
        for _ in 0..20 {
            if taken.insert(name.clone()) {
                break;
            }
            name = person_name(rng);
        }
        registry.city_leaders[city].push(registry.leaders.len());
        registry.leaders.push(LeaderPlan {
            id: first_id + k as i64,
            name,
            post: names::fill(pattern, CITIES[city].name),
            post_index,
        });
    }
    // Each city's units (towns aside) go round-robin to the leaders who supervise, the
    // executive vice mayor first, so that he has the development commission and finance.
    for city in 0..registry.cities {
        let supervisors: Vec<usize> = registry.city_leaders[city]
            .iter()
            .copied()
            .filter(|&l| names::post_supervises(registry.leaders[l].post_index))
            .collect();
        if supervisors.is_empty() {
            continue;
        }
        let units: Vec<usize> = registry.city_units[city]
            .iter()
            .copied()
            .filter(|&u| registry.units[u].parent.is_none())
            .collect();
        for (n, u) in units.into_iter().enumerate() {
            let leader = supervisors[n % supervisors.len()];
            let unit_id = registry.units[u].id;
            registry
                .leader_units
                .push((registry.leaders[leader].id, unit_id));
            registry.supervisor.insert(unit_id, leader);
        }
    }
}

/// A person's name: a surname and one or two characters.
pub fn person_name(rng: &mut StdRng) -> String {
    let mut name = pick(rng, &names::SURNAMES).to_owned();
    name.push_str(pick(rng, &names::GIVEN));
    if rng.random_bool(0.7) {
        name.push_str(pick(rng, &names::GIVEN));
    }
    name
}

/// One element of a non-empty list.
pub fn pick<T: Copy>(rng: &mut StdRng, list: &[T]) -> T {
    list[rng.random_range(0..list.len())]
}
