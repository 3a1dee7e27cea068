//! A second deadline for some items only. A call for material gives one date for everything
//! and another for a subset: "请于11月15日前报送谋划材料，其中第2、4项的项目清单于11月10日前报送。"
//! The reporting rule is the first date alone (`header::schedule` reads the sentence without
//! its `其中…` clause); the subset's items get the second date as their own deadline, with the
//! clause as written beside it (`apply`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

use super::lines::{Line, fold};
use super::{ParsedTask, Warning};

/// `其中第2、4项`, `其中第1至3项`, `其中2-4项`, `其中第5条`: the clause that names a subset.
static SUBSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"其中\s*(?:第\s*)?((?:\d{1,3}\s*(?:、|,|和|及|与|至|到|-|—|~)\s*(?:第\s*)?)*\d{1,3})\s*(?:项|条)",
    )
    .expect("valid regex")
});
static DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("valid regex"));
static MONTH_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月\s*(?:底|末)").expect("valid regex"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,3})\s*(?:至|到|-|—|~)\s*(?:第\s*)?(\d{1,3})$").expect("valid regex")
});

/// The most items a range names: a subset, not a list.
const MAX_ITEMS: u32 = 200;

/// Items with their own deadline, as the notice's sentence names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDeadline {
    /// The items' numbers as the list writes them (`2`, `4`).
    pub seqs: Vec<String>,
    pub date: NaiveDate,
    /// The sentence as written.
    pub as_written: String,
}

/// The folded sentence without its subset clause, for the reporting rule.
pub fn without_subset(folded: &str) -> &str {
    match SUBSET.find(folded) {
        Some(m) => &folded[..m.start()],
        None => folded,
    }
}

/// The subsets with a date of their own in the notice's lines, in `year`.
pub fn find(lines: &[&Line], year: i32) -> Vec<ItemDeadline> {
    let text: String = lines.iter().map(|l| l.text.as_str()).collect();
    let mut found = Vec::new();
    for sentence in text.split_inclusive(['。', '；']) {
        let folded = fold(sentence);
        let Some(caps) = SUBSET.captures(&folded) else {
            continue;
        };
        let clause = &folded[caps.get(0).map_or(0, |m| m.start())..];
        let date = DAY
            .captures(clause)
            .and_then(|c| NaiveDate::from_ymd_opt(year, c[1].parse().ok()?, c[2].parse().ok()?))
            .or_else(|| {
                MONTH_END
                    .captures(clause)
                    .and_then(|c| last_day(year, c[1].parse().ok()?))
            });
        let Some(date) = date else { continue };
        let seqs = items(&caps[1]);
        if !seqs.is_empty() {
            found.push(ItemDeadline {
                seqs,
                date,
                as_written: sentence.trim().to_owned(),
            });
        }
    }
    found
}

/// `2、4` → 2, 4; `1至3` → 1, 2, 3 (a range past `MAX_ITEMS` is left out, not guessed).
fn items(list: &str) -> Vec<String> {
    let mut seqs = Vec::new();
    let parts = list.split(['、', ',', '和', '及', '与']);
    for part in parts {
        let part = part.trim().trim_start_matches('第').trim();
        if let Some(range) = RANGE.captures(part) {
            let (Ok(from), Ok(to)) = (range[1].parse::<u32>(), range[2].parse::<u32>()) else {
                continue;
            };
            if from <= to && to - from < MAX_ITEMS {
                seqs.extend((from..=to).map(|n| n.to_string()));
            }
        } else if part.chars().all(|c| c.is_ascii_digit()) && !part.is_empty() {
            seqs.push(part.trim_start_matches('0').to_owned());
        }
    }
    seqs.dedup();
    seqs
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// Gives the named items their subset's date, unless an item has a deadline of its own; warns
/// of a number no item carries.
pub fn apply(tasks: &mut [ParsedTask], subsets: &[ItemDeadline], warnings: &mut Vec<Warning>) {
    for subset in subsets {
        for seq in &subset.seqs {
            match tasks.iter_mut().find(|t| fold(&t.seq) == *seq) {
                Some(task) if task.deadline.is_none() => {
                    task.deadline = Some(subset.date);
                    task.deadline_as_written = Some(subset.as_written.clone());
                }
                Some(_) => {}
                None => warnings.push(Warning {
                    line: 1,
                    message: format!(
                        "the notice gives item {seq} its own deadline ({}), but no item has that number",
                        subset.date
                    ),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_as_notices_write_them() {
        assert_eq!(items("2、4"), ["2", "4"]);
        assert_eq!(items("1至3"), ["1", "2", "3"]);
        assert_eq!(items("第2、第5"), ["2", "5"]);
        assert_eq!(items("1-2、7"), ["1", "2", "7"]);
        assert_eq!(items("1至900"), Vec::<String>::new(), "not a subset");
        let sentence = fold("请于11月15日前报送谋划材料，其中第2、4项的项目清单于11月10日前报送。");
        assert_eq!(without_subset(&sentence), "请于11月15日前报送谋划材料,");
    }
}
