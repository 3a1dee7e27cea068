//! The documents of a generated province: each is a city's notice (number, issuer, issue date
//! in the first quarter, a monthly reporting schedule in the stored JSON form of
//! `documents::schedule`, the periods `periods::calendar` makes of it from the issue date on,
//! as `periods::service::generate` would) with its category tree; its tasks are planned by
//! `tasks`. Pure planning: nothing here writes.

use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::enums::{DocumentKind, ObligationRule};
use rand::Rng;
use rand::rngs::StdRng;

use super::names::CITIES;
use super::registry::Registry;
use super::tasks::{Pickers, TaskPlan, plan_tasks};
use super::text::{self, TOPICS};
use super::{Ids, at_china};
use crate::documents::schedule::{ReportingSchedule, ScheduleKind};
use crate::periods::calendar::periods_of;

#[derive(Debug)]
pub struct DocPlan {
    pub id: i64,
    pub city: usize,
    pub kind: DocumentKind,
    pub number: String,
    pub title: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub schedule: ReportingSchedule,
    pub rule: ObligationRule,
    pub periods: Vec<PeriodPlan>,
    pub categories: Vec<CategoryPlan>,
    /// Indexes of the document's tasks in the task list.
    pub tasks: Range<usize>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct PeriodPlan {
    pub id: i64,
    pub label: String,
    pub starts_on: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub position: i32,
}

#[derive(Debug)]
pub struct CategoryPlan {
    pub id: i64,
    pub parent: Option<i64>,
    pub ordinal: String,
    pub title: String,
    pub position: i32,
    pub path: String,
    pub declared_count: i32,
    pub topic: usize,
}

/// The kinds of documents, one for each remainder of the document's number modulo ten.
const KINDS: [DocumentKind; 10] = [
    DocumentKind::WorkReport,
    DocumentKind::Livelihood,
    DocumentKind::Planning,
    DocumentKind::WorkReport,
    DocumentKind::Instruction,
    DocumentKind::Livelihood,
    DocumentKind::Proposal,
    DocumentKind::WorkReport,
    DocumentKind::Other,
    DocumentKind::Planning,
];

/// Plans `documents` documents with `tasks` tasks among them.
pub fn plan(
    rng: &mut StdRng,
    registry: &Registry,
    documents: usize,
    tasks: usize,
    today: NaiveDate,
    ids: &mut Ids,
    taken_numbers: &std::collections::HashSet<String>,
) -> (Vec<DocPlan>, Vec<TaskPlan>) {
    let year = today.year();
    let weights: Vec<f64> = (0..documents).map(|_| rng.random_range(0.4..1.6)).collect();
    let total: f64 = weights.iter().sum();
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| ((tasks as f64) * w / total).floor() as usize)
        .collect();
    // The rounding's remainder, one more task for the first documents.
    let short = tasks - sizes.iter().sum::<usize>();
    for i in 0..short {
        sizes[i % documents] += 1;
    }
    let pickers = Pickers::new(registry);
    let mut numbers = taken_numbers.clone();
    let mut docs = Vec::with_capacity(documents);
    let mut all_tasks = Vec::with_capacity(tasks);
    for (d, &size) in sizes.iter().enumerate() {
        let mut doc = plan_document(rng, d, registry.cities, year, today, ids, &mut numbers);
        let start = all_tasks.len();
        let leaves = plan_categories(rng, &mut doc, ids);
        plan_tasks(
            rng,
            &mut doc,
            docs.len(),
            &leaves,
            size,
            registry,
            &pickers,
            today,
            ids,
            &mut all_tasks,
        );
        doc.tasks = start..all_tasks.len();
        docs.push(doc);
    }
    (docs, all_tasks)
}

fn plan_document(
    rng: &mut StdRng,
    d: usize,
    cities: usize,
    year: i32,
    today: NaiveDate,
    ids: &mut Ids,
    numbers: &mut std::collections::HashSet<String>,
) -> DocPlan {
    let city = d % cities;
    let c = CITIES[city].name;
    let kind = KINDS[d % KINDS.len()];
    let by_government = matches!(kind, DocumentKind::WorkReport | DocumentKind::Planning);
    let (issuer, prefix) = if by_government {
        (format!("{c}市人民政府"), format!("{}政", CITIES[city].abbr))
    } else {
        (
            format!("{c}市人民政府办公室"),
            format!("{}政办", CITIES[city].abbr),
        )
    };
    let mut n = 1 + 3 * (d / cities) + rng.random_range(0..3);
    let number = loop {
        let candidate = format!("{prefix}〔{year}〕{n}号");
        if numbers.insert(candidate.clone()) {
            break candidate;
        }
        n += 1;
    };
    let title = match kind {
        DocumentKind::WorkReport => {
            format!("{c}市人民政府关于印发{year}年《政府工作报告》重点工作任务分解方案的通知")
        }
        DocumentKind::Livelihood => {
            format!("{c}市人民政府办公室关于印发{c}市{year}年重点民生实事工作方案的通知")
        }
        DocumentKind::Planning => format!(
            "{c}市人民政府关于印发{c}市{year}年国民经济和社会发展计划主要目标任务分工方案的通知"
        ),
        DocumentKind::Instruction => {
            format!("{c}市人民政府办公室关于抓好{year}年市领导批示事项落实的督办通知")
        }
        DocumentKind::Proposal => format!(
            "{c}市人民政府办公室关于做好{year}年市人大代表建议和市政协委员提案办理工作的通知"
        ),
        DocumentKind::Other => {
            format!("{c}市人民政府办公室关于印发{c}市{year}年优化营商环境重点任务清单的通知")
        }
        // Not among the kinds generated (`KINDS`): a source has no tasks.
        DocumentKind::Source => format!("{year}年{c}市人民政府工作报告"),
    };
    let earliest = NaiveDate::from_ymd_opt(year, 1, 5).unwrap_or(today);
    let issued_on =
        (earliest + Duration::days(rng.random_range(0..85))).min(today - Duration::days(1));
    let day = match d % 5 {
        2 => 20,
        4 => 28,
        _ => 25,
    };
    let summaries = kind == DocumentKind::WorkReport;
    let mut as_written = format!("请各牵头单位于每月{day}日前报送当月工作进展情况");
    let mut dates = Vec::new();
    if summaries {
        as_written.push_str("，6月30日前报送半年工作总结、12月20日前报送全年工作总结");
        dates.extend(NaiveDate::from_ymd_opt(year, 6, 30));
        dates.extend(NaiveDate::from_ymd_opt(year, 12, 20));
    }
    as_written.push('。');
    let schedule = ReportingSchedule {
        kind: ScheduleKind::Monthly,
        day_of_month: Some(day),
        dates,
        previous_month: false,
        as_written: Some(as_written),
    };
    // The periods `generate` would make: none due before the notice's date.
    let periods = periods_of(&schedule, year)
        .into_iter()
        .filter(|(_, _, due)| *due >= issued_on)
        .enumerate()
        .map(|(i, (label, starts_on, due_on))| PeriodPlan {
            id: ids.next(Ids::PERIODS),
            label,
            starts_on,
            due_on,
            position: i as i32 + 1,
        })
        .collect();
    let rule = match d % 25 {
        11 => ObligationRule::AllAssigned,
        _ if d % 7 == 3 => ObligationRule::LeadAndResponsible,
        _ => ObligationRule::LeadElseResponsible,
    };
    DocPlan {
        id: ids.next(Ids::DOCUMENTS),
        city,
        kind,
        number,
        title,
        issuer,
        issued_on,
        schedule,
        rule,
        periods,
        categories: Vec::new(),
        tasks: 0..0,
        created_at: at_china(issued_on, 17),
    }
}

/// The document's category tree: four to ten headings on consecutive topics, with two to four
/// subheadings each in a planning document. Returns the indexes of the categories tasks go
/// under (the leaves).
fn plan_categories(rng: &mut StdRng, doc: &mut DocPlan, ids: &mut Ids) -> Vec<usize> {
    // Two levels (with numbers restarting under each heading) for planning documents.
    let nested = doc.kind == DocumentKind::Planning;
    let top = rng.random_range(4..=TOPICS.len());
    let first_topic = rng.random_range(0..TOPICS.len());
    let mut leaves: Vec<usize> = Vec::new();
    for t in 0..top {
        let topic = (first_topic + t) % TOPICS.len();
        let title = if doc.kind == DocumentKind::Livelihood {
            TOPICS[topic].livelihood
        } else {
            TOPICS[topic].work
        };
        let id = ids.next(Ids::CATEGORIES);
        doc.categories.push(CategoryPlan {
            id,
            parent: None,
            ordinal: text::chinese_ordinal(t + 1),
            title: title.to_owned(),
            position: t as i32 + 1,
            path: (t + 1).to_string(),
            declared_count: 0,
            topic,
        });
        if !nested {
            leaves.push(doc.categories.len() - 1);
            continue;
        }
        for s in 0..rng.random_range(2..=4) {
            let object = TOPICS[topic].objects[s % TOPICS[topic].objects.len()];
            doc.categories.push(CategoryPlan {
                id: ids.next(Ids::CATEGORIES),
                parent: Some(id),
                ordinal: format!("（{}）", text::chinese_ordinal(s + 1)),
                title: format!("推进{object}"),
                position: s as i32 + 1,
                path: format!("{}.{}", t + 1, s + 1),
                declared_count: 0,
                topic,
            });
            leaves.push(doc.categories.len() - 1);
        }
    }
    leaves
}
