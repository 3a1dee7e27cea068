//! The tasks of a generated document: deadlines as notices write them, the bureau's closures
//! (most tasks past their deadline completed near it), units (LEAD first, then RESPONSIBLE and
//! COOPERATING) and leaders (mostly in person, some by post or collectively). A task's units
//! and leaders come mostly from its document's city, the lead units weighted so that a city's
//! first departments lead the most, as in real notices. Pure planning: nothing here writes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::enums::{LeaderRole, TaskStatus, UnitKind, UnitRole};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;

use super::documents::DocPlan;
use super::names;
use super::registry::Registry;
use super::{Ids, at_china};

/// How a task names a leader.
#[derive(Debug, Clone, Copy)]
pub enum LeaderRef {
    /// In person: an index into the registry's leaders.
    Person(usize, LeaderRole),
    /// By the post that leader holds.
    Post(usize, LeaderRole),
    /// Collectively (各位副市长).
    Collective(&'static str, LeaderRole),
}

#[derive(Debug)]
pub struct TaskPlan {
    pub id: i64,
    pub doc: usize,
    pub category_id: Option<i64>,
    pub topic: usize,
    pub seq: String,
    pub sort_order: i32,
    pub deadline: Option<NaiveDate>,
    pub deadline_as_written: Option<String>,
    /// COMPLETED or CANCELLED, and when, for tasks the bureau closed.
    pub closed: Option<(TaskStatus, DateTime<Utc>)>,
    pub created_at: DateTime<Utc>,
    /// Unit ids with their roles, LEAD first, each unit once.
    pub units: Vec<(i64, UnitRole)>,
    pub leaders: Vec<LeaderRef>,
    /// Seeds everything generated later for this task (its texts, its reports).
    pub seed: u64,
    /// Derived from its reports before it is written.
    pub status: TaskStatus,
    pub percent: i32,
    pub updated_at: DateTime<Utc>,
}

/// Weighted choices of lead units per city: a city's first units (the development commission,
/// finance, the first county…) lead far more tasks than its last; the province's first unit,
/// the `unit` account's, three times more again.
pub struct Pickers {
    lead: Vec<Option<WeightedIndex<f64>>>,
}

impl Pickers {
    pub fn new(registry: &Registry) -> Self {
        let lead = registry
            .city_units
            .iter()
            .enumerate()
            .map(|(city, units)| {
                let weights: Vec<f64> = units
                    .iter()
                    .enumerate()
                    .map(|(rank, &u)| {
                        let boost = if city == 0 && rank == 0 { 3.0 } else { 1.0 };
                        let town = registry.units[u].parent.is_some();
                        boost * if town { 0.1 } else { 1.0 } / (rank as f64 + 8.0)
                    })
                    .collect();
                WeightedIndex::new(weights).ok()
            })
            .collect();
        Self { lead }
    }
}

/// The document's tasks, under the categories at `leaves`, numbered within the document (or
/// within each leaf, `2.3.1`, when the document has two levels).
#[allow(clippy::too_many_arguments)]
pub fn plan_tasks(
    rng: &mut StdRng,
    doc: &mut DocPlan,
    doc_index: usize,
    leaves: &[usize],
    size: usize,
    registry: &Registry,
    pickers: &Pickers,
    today: NaiveDate,
    ids: &mut Ids,
    out: &mut Vec<TaskPlan>,
) {
    let year = doc.issued_on.year();
    let nested = doc.categories.iter().any(|c| c.parent.is_some());
    // Tasks go to the leaves in order, in runs of random length.
    let shares: Vec<f64> = leaves.iter().map(|_| rng.random_range(0.5..1.5)).collect();
    let total: f64 = shares.iter().sum();
    let mut ends = Vec::with_capacity(leaves.len());
    let mut acc = 0.0;
    for share in &shares {
        acc += share;
        ends.push(((size as f64) * acc / total).round() as usize);
    }
    let mut leaf = 0;
    let mut number_in_leaf = 0;
    for i in 0..size {
        while leaf + 1 < leaves.len() && i >= ends[leaf] {
            leaf += 1;
            number_in_leaf = 0;
        }
        number_in_leaf += 1;
        let category = leaves[leaf];
        let seq = if nested {
            format!("{}.{number_in_leaf}", doc.categories[category].path)
        } else {
            (i + 1).to_string()
        };
        let (deadline, deadline_as_written) = deadline(rng, year);
        let created_at = doc.created_at + Duration::hours(rng.random_range(16..72));
        let closed = closing(rng, deadline, created_at, today);
        let units = units_of(rng, doc.city, registry, pickers);
        let leaders = leaders_of(rng, doc.city, &units, registry);
        doc.categories[category].declared_count += 1;
        out.push(TaskPlan {
            id: ids.next(Ids::TASKS),
            doc: doc_index,
            category_id: Some(doc.categories[category].id),
            topic: doc.categories[category].topic,
            seq,
            sort_order: i as i32 + 1,
            deadline,
            deadline_as_written,
            closed,
            created_at,
            units,
            leaders,
            seed: rng.random(),
            status: TaskStatus::NotStarted,
            percent: 0,
            updated_at: created_at,
        });
    }
    // A heading's count includes its children's.
    for c in (0..doc.categories.len()).rev() {
        if let Some(parent) = doc.categories[c].parent {
            let count = doc.categories[c].declared_count;
            if let Some(p) = doc.categories.iter_mut().find(|p| p.id == parent) {
                p.declared_count += count;
            }
        }
    }
}

/// A deadline as a notice writes it, and the date it means.
fn deadline(rng: &mut StdRng, year: i32) -> (Option<NaiveDate>, Option<String>) {
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    match rng.random_range(0..100) {
        0..35 => (None, None),
        35..45 => (
            None,
            Some(
                if rng.random_bool(0.5) {
                    "长期坚持"
                } else {
                    "持续推进"
                }
                .to_owned(),
            ),
        ),
        45..65 => (date(12, 31), Some("年底前".to_owned())),
        65..80 => (date(6, 30), Some(format!("{year}年6月底"))),
        80..90 => (date(9, 30), Some(format!("{year}年9月底"))),
        90..95 => (date(10, 31), Some(format!("{year}年10月底"))),
        _ => (date(11, 30), Some(format!("{year}年11月底"))),
    }
}

/// Whether the bureau has closed the task, and when: most tasks whose deadline has passed are
/// completed near it, a few others early, a very few cancelled.
fn closing(
    rng: &mut StdRng,
    deadline: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    today: NaiveDate,
) -> Option<(TaskStatus, DateTime<Utc>)> {
    let latest = at_china(today, 9) - Duration::days(1);
    let earliest = created_at + Duration::days(10);
    if latest <= earliest {
        return None;
    }
    let between = |rng: &mut StdRng, from: DateTime<Utc>, to: DateTime<Utc>| {
        let span = (to - from).num_minutes().max(1);
        from + Duration::minutes(rng.random_range(0..span))
    };
    let passed = deadline.is_some_and(|d| d < today);
    let roll = rng.random_range(0..1000);
    if passed && roll < 650 {
        let near =
            at_china(deadline.unwrap_or(today), 16) - Duration::days(rng.random_range(0..20));
        return Some((TaskStatus::Completed, near.clamp(earliest, latest)));
    }
    match roll {
        0..30 => Some((TaskStatus::Completed, between(rng, earliest, latest))),
        30..35 => Some((TaskStatus::Cancelled, between(rng, earliest, latest))),
        _ => None,
    }
}

/// A task's units: one lead unit (two for one task in ten), up to three responsible and up to
/// two cooperating, mostly of the document's city.
fn units_of(
    rng: &mut StdRng,
    city: usize,
    registry: &Registry,
    pickers: &Pickers,
) -> Vec<(i64, UnitRole)> {
    let wanted = [
        (UnitRole::Lead, if rng.random_bool(0.1) { 2 } else { 1 }),
        (UnitRole::Responsible, rng.random_range(0..=3)),
        (UnitRole::Cooperating, rng.random_range(0..=2)),
    ];
    let mut units: Vec<(i64, UnitRole)> = Vec::new();
    for (role, count) in wanted {
        let mut added = 0;
        let mut attempts = 0;
        while added < count && attempts < 20 {
            attempts += 1;
            let unit = if rng.random_bool(0.95) {
                let pool = &registry.city_units[city];
                match (&pickers.lead[city], role) {
                    (Some(picker), UnitRole::Lead) => pool[picker.sample(rng)],
                    _ if pool.is_empty() => continue,
                    _ => pool[rng.random_range(0..pool.len())],
                }
            } else {
                rng.random_range(0..registry.units.len())
            };
            let id = registry.units[unit].id;
            if units.iter().any(|(u, _)| *u == id) {
                continue;
            }
            units.push((id, role));
            added += 1;
        }
    }
    units
}

/// A task's leaders: the lead leader (the mayor for one task in twenty, else whoever supervises
/// the lead unit), and none to two responsible leaders (supervisors of its other units), some
/// named by post and a few collectively.
fn leaders_of(
    rng: &mut StdRng,
    city: usize,
    units: &[(i64, UnitRole)],
    registry: &Registry,
) -> Vec<LeaderRef> {
    let city_leaders = &registry.city_leaders[city];
    let any_leader = |rng: &mut StdRng| -> Option<usize> {
        if city_leaders.is_empty() {
            (!registry.leaders.is_empty()).then(|| rng.random_range(0..registry.leaders.len()))
        } else {
            Some(city_leaders[rng.random_range(0..city_leaders.len())])
        }
    };
    let supervisor_of = |unit: i64| registry.supervisor.get(&unit).copied();
    let mut refs: Vec<LeaderRef> = Vec::new();
    let mut chosen: Vec<usize> = Vec::new();
    // Names a leader not named yet; false when the leader is named already.
    let mut name =
        |rng: &mut StdRng, leader: usize, role: LeaderRole, refs: &mut Vec<LeaderRef>| {
            if chosen.contains(&leader) {
                return false;
            }
            chosen.push(leader);
            let by_post =
                names::post_is_unique(registry.leaders[leader].post_index) && rng.random_bool(0.2);
            refs.push(if by_post {
                LeaderRef::Post(leader, role)
            } else {
                LeaderRef::Person(leader, role)
            });
            true
        };
    let mayor = city_leaders
        .iter()
        .copied()
        .find(|&l| registry.leaders[l].post_index == 0);
    let lead = match mayor {
        Some(mayor) if rng.random_bool(0.05) => Some(mayor),
        _ => units
            .first()
            .and_then(|(u, _)| supervisor_of(*u))
            .or_else(|| any_leader(rng)),
    };
    if let Some(lead) = lead {
        name(rng, lead, LeaderRole::Lead, &mut refs);
    }
    let responsible = match rng.random_range(0..4) {
        0 => 0,
        3 => 2,
        _ => 1,
    };
    let mut others = units.iter().skip(1).filter_map(|(u, _)| supervisor_of(*u));
    for _ in 0..responsible {
        match rng.random_range(0..1000) {
            0..12 => {
                let word = if rng.random_bool(0.2) {
                    "各位市领导"
                } else {
                    "各位副市长"
                };
                if !refs
                    .iter()
                    .any(|r| matches!(r, LeaderRef::Collective(w, _) if *w == word))
                {
                    refs.push(LeaderRef::Collective(word, LeaderRole::Responsible));
                }
            }
            _ => {
                // The supervisor of the next unit, else anyone of the city, not named yet.
                for _ in 0..4 {
                    match others.next().or_else(|| any_leader(rng)) {
                        Some(leader) if !name(rng, leader, LeaderRole::Responsible, &mut refs) => {}
                        _ => break,
                    }
                }
            }
        }
    }
    refs
}

/// Whether a unit of this kind is a county taking part (listed after the city's units).
pub fn is_local(kind: UnitKind, role: UnitRole) -> bool {
    kind == UnitKind::CountyDistrict && role != UnitRole::Lead
}
