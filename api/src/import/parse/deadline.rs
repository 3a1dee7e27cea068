//! Per-task deadlines as notices write them, in a 完成时限 column or in the task's text:
//! `2025年6月底`, `6月底前`, `2024年10月` (the last day of that month), `年底前` (31 December of the
//! notice's year), an exact date (`2025年8月31日`, `2025-08-31`), or no date at all (`长期坚持`,
//! `长期`, `持续推进`). The written form is always kept beside the date.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::lines::fold;

/// A deadline as read: the date it means, if any, and the words it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deadline {
    pub date: Option<NaiveDate>,
    pub as_written: Option<String>,
}

static EXACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
        .expect("valid regex")
});
static MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*月?\s*(?:份)?\s*(?:底|末|中旬|下旬)?")
        .expect("valid regex")
});
static QUARTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\d{4})\s*年\s*)?(?:第)?([一二三四1-4])\s*季度").expect("valid regex")
});
/// A deadline inside a task's text: `6月底前`, `2025年10月31日前`, `年底前`.
static IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"((?:\d{4}年)?\d{1,2}月(?:底|末|\d{1,2}日)?前|年底前|年内完成|上半年完成|下半年完成)",
    )
    .expect("valid regex")
});

/// Words that mean the task has no end date.
const ONGOING: &[&str] = &["长期", "持续", "常态", "经常性", "逐年"];

/// Reads a 完成时限 cell. `year`: the notice's year, for dates written without one.
pub fn read(cell: &str, year: Option<i32>) -> Deadline {
    let written = cell.split_whitespace().collect::<Vec<_>>().join(" ");
    if written.is_empty() {
        return Deadline::default();
    }
    Deadline {
        date: date_of(&written, year),
        as_written: Some(written),
    }
}

/// Finds a deadline phrase in a task's text (`…，6月底前完成`): the phrase is what is kept.
pub fn find_in_text(text: &str, year: Option<i32>) -> Deadline {
    let folded = fold(text);
    match IN_TEXT.find(&folded) {
        Some(found) => {
            // Folding keeps one character per character: cut the original at the same place.
            let start = folded[..found.start()].chars().count();
            let len = found.as_str().chars().count();
            let phrase: String = text.chars().skip(start).take(len).collect();
            Deadline {
                date: date_of(&phrase, year),
                as_written: Some(phrase),
            }
        }
        None => Deadline::default(),
    }
}

/// The date a deadline's words mean, if they mean one.
fn date_of(written: &str, year: Option<i32>) -> Option<NaiveDate> {
    let folded: String = fold(written)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if ONGOING.iter().any(|word| folded.contains(word)) {
        return None;
    }
    if folded.contains("年底")
        || folded.contains("年末")
        || folded.contains("年内")
        || folded == "全年"
    {
        let year = folded
            .split('年')
            .next()
            .and_then(|y| y.parse().ok())
            .or(year)?;
        return NaiveDate::from_ymd_opt(year, 12, 31);
    }
    if folded.contains("上半年") {
        return NaiveDate::from_ymd_opt(year?, 6, 30);
    }
    if folded.contains("下半年") {
        return NaiveDate::from_ymd_opt(year?, 12, 31);
    }
    let text = folded
        .trim_start_matches(['于', '在', '截', '至'])
        .trim_end_matches(['前', '止', '完', '成']);
    let year_of =
        |caps: &regex::Captures<'_>| caps.get(1).and_then(|y| y.as_str().parse().ok()).or(year);
    if let Some(caps) = EXACT.captures(text) {
        // `6月30日`, `2025-08-31`; a bare `6.30` needs the 月 or a year to be read as a date.
        let has_day_mark = text.contains('日') || caps.get(1).is_some() || text.contains('月');
        if has_day_mark {
            return NaiveDate::from_ymd_opt(
                year_of(&caps)?,
                caps[2].parse().ok()?,
                caps[3].parse().ok()?,
            );
        }
    }
    if let Some(caps) = QUARTER.captures(text) {
        let quarter = match &caps[2] {
            "一" | "1" => 3,
            "二" | "2" => 6,
            "三" | "3" => 9,
            _ => 12,
        };
        return last_day(year_of(&caps)?, quarter);
    }
    if let Some(caps) = MONTH.captures(text)
        && (text.contains('月') || caps.get(1).is_some())
    {
        return last_day(year_of(&caps)?, caps[2].parse().ok()?);
    }
    None
}

/// The last day of a month.
fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn columns_as_notices_write_them() {
        let year = Some(2025);
        for (written, expected) in [
            ("2025年6月底", date(2025, 6, 30)),
            ("2025年12月底前", date(2025, 12, 31)),
            ("2024年10月", date(2024, 10, 31)),
            ("6月底前", date(2025, 6, 30)),
            ("12月底", date(2025, 12, 31)),
            ("年底前", date(2025, 12, 31)),
            ("2025年底", date(2025, 12, 31)),
            ("2025年8月31日", date(2025, 8, 31)),
            ("2025-08-31", date(2025, 8, 31)),
            ("2025/8/31", date(2025, 8, 31)),
            ("2025.08", date(2025, 8, 31)),
            ("9月30日前", date(2025, 9, 30)),
            ("２０２５年６月底", date(2025, 6, 30)),
            ("第三季度", date(2025, 9, 30)),
            ("上半年", date(2025, 6, 30)),
            ("长期坚持", None),
            ("长期", None),
            ("持续推进", None),
            ("按进度推进", None),
        ] {
            let read = read(written, year);
            assert_eq!(read.date, expected, "{written}");
            assert_eq!(read.as_written.as_deref(), Some(written));
        }
        assert_eq!(read("  ", year), Deadline::default());
        // Without the notice's year, only dates that carry their own.
        assert_eq!(read("6月底", None).date, None);
        assert_eq!(read("2025年6月底", None).date, date(2025, 6, 30));
    }

    #[test]
    fn phrases_inside_a_task_text() {
        let found = find_in_text("完成老旧小区改造42个，6月底前完成主体工程。", Some(2025));
        assert_eq!(found.date, date(2025, 6, 30));
        assert_eq!(found.as_written.as_deref(), Some("6月底前"));
        let found = find_in_text("年底前建成社区医院3家。", Some(2025));
        assert_eq!(found.date, date(2025, 12, 31));
        assert_eq!(
            find_in_text("新建5G基站300个。", Some(2025)),
            Deadline::default()
        );
        // A number of months is not a deadline.
        assert_eq!(
            find_in_text("连续6个月保持稳定。", Some(2025)),
            Deadline::default()
        );
    }
}
