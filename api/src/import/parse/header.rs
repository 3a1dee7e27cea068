//! The header and body of a notice, before its task list: issuer (开封市人民政府办公室文件),
//! number (汴政办〔2024〕3号), title, issue date, the reporting rule stated in the body, contacts,
//! a stated total (共 63 项), and the kind inferred from the title.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use entity::enums::{DocumentKind, UnitRole};
use regex::Regex;

use super::lines::{Line, fold};
use super::{LeadRule, ParsedHeader, Warning};
use crate::documents::schedule::{ReportingSchedule, ScheduleKind};

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}]{1,8}\s*[〔\[［(（]\s*(\d{4})\s*[〕\]］)）]\s*\d{1,4}\s*号")
        .expect("valid regex")
});
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$").expect("valid regex")
});
static TOTAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"共\s*(\d{1,4})\s*(?:项|条|个事项)").expect("valid regex"));
/// `排在第一位的`, `列第一位的责任单位`, `排名第一的`, `首位`.
static LEAD_POSITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(排在|列|排名|居)?第一位|排名第一|首位|(排在|列在?)第一(个|家)?(的)?(单位|责任单位)?为",
    )
    .expect("valid regex")
});
static TITLE_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("valid regex"));
/// A labelled line (`联系人：…`, `备注：…`): not a title.
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{Han}]{1,6}\s*:").expect("valid regex"));
static MONTHLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"每月\s*(\d{1,2})\s*日").expect("valid regex"));
static DAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("valid regex"));
/// `每季度最后一个月的20日前`, `每季度末月25日前`, `每季度第三个月20日前`.
static QUARTER_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"每(?:个)?季度(?:最后一个月|末月|第三个月|末)的?\s*(\d{1,2})\s*日")
        .expect("valid regex")
});
static MONTH_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*月\s*(?:底|末)").expect("valid regex"));

/// Reads the header from the cleaned lines outside the task list, which spans the lines
/// `list.start..list.end`. Most of it stands before the list; a notice with the list in its
/// body has its date and contacts after it.
pub fn read(
    lines: &[Line],
    list: std::ops::Range<usize>,
    warnings: &mut Vec<Warning>,
) -> ParsedHeader {
    let before: Vec<&Line> = lines
        .iter()
        .filter(|l| !list.contains(&l.number) && !l.text.is_empty())
        .collect();
    let folded: Vec<String> = before.iter().map(|l| fold(&l.text)).collect();

    let issuer = before
        .iter()
        .find(|l| l.text.ends_with("文件") && l.text.chars().count() <= 30)
        .map(|l| l.text.trim_end_matches("文件").trim().to_owned());

    let number_at = folded.iter().position(|l| DOC_NUMBER.is_match(l));
    let doc_number = number_at.and_then(|i| {
        DOC_NUMBER.find(&before[i].text).map(|m| {
            m.as_str()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        })
    });

    // The title: the first line after the number that is not blank, usually `…关于…的通知`.
    let title_at = before
        .iter()
        .enumerate()
        .skip(number_at.map_or(0, |i| i + 1))
        .find(|(_, l)| l.text.contains("关于") || l.text.ends_with("通知"))
        .map(|(i, _)| i)
        .or(number_at.map(|i| i + 1));
    let title = title_at
        .and_then(|i| before.get(i))
        .or_else(|| {
            // A table that is the whole notice (a sheet, a CSV file) has no number: its title is
            // its first line, as long as it reads like one.
            before.iter().find(|l| {
                let f = fold(&l.text);
                f.chars().count() <= 60
                    && !LABEL.is_match(&f)
                    && !DATE_LINE.is_match(&f)
                    && !f.ends_with("文件")
            })
        })
        .map(|l| close_gaps(&l.text));

    let issued_on = folded.iter().find_map(|l| {
        let caps = DATE_LINE.captures(l)?;
        NaiveDate::from_ymd_opt(
            caps[1].parse().ok()?,
            caps[2].parse().ok()?,
            caps[3].parse().ok()?,
        )
    });
    let year = issued_on
        .map(|d| d.year())
        .or_else(|| {
            doc_number.as_deref().and_then(|n| {
                DOC_NUMBER
                    .captures(&fold(n))
                    .and_then(|c| c[1].parse().ok())
            })
        })
        // `东湖区2025年十项民生实事任务分解表`: the year the title names.
        .or_else(|| {
            title.as_deref().and_then(|t| {
                TITLE_YEAR
                    .captures(&fold(t))
                    .and_then(|c| c[1].parse().ok())
            })
        });

    let body = folded.join("\n");
    let declared_total = TOTAL.captures(&body).and_then(|c| c[1].parse().ok());
    let contacts = before
        .iter()
        .filter(|l| {
            let f = fold(&l.text);
            f.starts_with("联系人")
                || f.starts_with("联系电话")
                || f.starts_with("电话")
                || f.starts_with("邮箱")
        })
        .map(|l| l.text.clone())
        .collect();

    let schedule = year.and_then(|year| schedule(&before, year));
    let item_deadlines =
        year.map_or_else(Vec::new, |year| super::item_deadlines::find(&before, year));
    let lead_rule = lead_rule(&before);
    let first_line = before.first().map_or(1, |l| l.number);
    if doc_number.is_none() {
        warnings.push(Warning {
            line: first_line,
            message: "no document number (文号) found".to_owned(),
        });
    }
    if issued_on.is_none() {
        warnings.push(Warning {
            line: first_line,
            message: "no issue date found".to_owned(),
        });
    }
    if schedule.is_none() {
        warnings.push(Warning {
            line: first_line,
            message: "no reporting rule (报送时间) found".to_owned(),
        });
    }
    ParsedHeader {
        kind: infer_kind(title.as_deref().unwrap_or_default()),
        doc_number,
        title,
        issuer,
        issued_on,
        year,
        schedule,
        contacts,
        declared_total,
        lead_rule,
        item_deadlines,
    }
}

/// The sentence that says the first listed 责任单位 leads (`排在第一位的为牵头单位`,
/// `列第一位的责任单位为牵头单位或汇总单位`), and the role of the others it gives
/// (`其他为配合单位`), if the notice has one.
fn lead_rule(lines: &[&Line]) -> Option<LeadRule> {
    let text = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    text.split_inclusive(['。', '；', '\n'])
        .find(|sentence| {
            let folded = fold(sentence);
            // The first listed unit, not a first month (`每季度第一个月`).
            LEAD_POSITION.is_match(&folded) && folded.contains("牵头单位")
        })
        .map(|sentence| {
            let sentence = sentence.trim();
            // A note's label is not part of the rule.
            let sentence = sentence
                .split_once(['：', ':'])
                .filter(|(label, _)| label.chars().count() <= 4)
                .map_or(sentence, |(_, rest)| rest.trim());
            let rest = if sentence.contains("配合") || sentence.contains("协办") {
                UnitRole::Cooperating
            } else {
                UnitRole::Responsible
            };
            LeadRule {
                rest,
                sentence: sentence.to_owned(),
            }
        })
}

/// Removes the gaps that line wrapping left between Chinese characters of a title.
fn close_gaps(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if prev.is_some_and(|p| !p.is_ascii()) || next.is_some_and(|n| !n.is_ascii()) {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// The kind of document, from its title.
pub fn infer_kind(title: &str) -> DocumentKind {
    if title.contains("工作报告") {
        DocumentKind::WorkReport
    } else if title.contains("民生") || title.contains("八需八难") || title.contains("实事")
    {
        DocumentKind::Livelihood
    } else if title.contains("议案") || title.contains("建议") {
        DocumentKind::Proposal
    } else if title.contains("谋划") {
        DocumentKind::Planning
    } else if title.contains("批示") {
        DocumentKind::Instruction
    } else {
        DocumentKind::Other
    }
}

/// The reporting rule: the sentence that says by when progress is reported.
fn schedule(lines: &[&Line], year: i32) -> Option<ReportingSchedule> {
    let text: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("");
    for sentence in text.split_inclusive(['。', '；']) {
        // A date for some items only (其中第2、4项…) is theirs, not the reporting rule's.
        let full = fold(sentence);
        let folded = super::item_deadlines::without_subset(&full).to_owned();
        let about_reporting =
            folded.contains('报') && (folded.contains('前') || folded.contains("每月"));
        if !about_reporting {
            continue;
        }
        let as_written = Some(sentence.trim().to_owned());
        if let Some(caps) = QUARTER_DAY.captures(&folded) {
            let day: u32 = caps[1].parse().ok()?;
            let dates = [3, 6, 9, 12]
                .into_iter()
                .filter_map(|month| {
                    // "By the 31st" in June means its last day.
                    let last = last_day(year, month)?;
                    NaiveDate::from_ymd_opt(year, month, day.clamp(1, last.day()))
                })
                .collect();
            return Some(ReportingSchedule {
                kind: ScheduleKind::Quarterly,
                previous_month: false,
                day_of_month: None,
                dates,
                as_written,
            });
        }
        if let Some(caps) = MONTHLY.captures(&folded) {
            // Summary reports stated with it (`6月30日前报送半年总结、12月20日前报送全年总结`),
            // in this sentence or one of the body's others.
            let mut dates: Vec<NaiveDate> = text
                .split_inclusive(['。', '；'])
                .map(fold)
                .filter(|s| s.contains("总结") && s.contains('报'))
                .flat_map(|s| {
                    DAY.captures_iter(&s)
                        .filter_map(|c| {
                            NaiveDate::from_ymd_opt(year, c[1].parse().ok()?, c[2].parse().ok()?)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            dates.sort_unstable();
            dates.dedup();
            return Some(ReportingSchedule {
                kind: ScheduleKind::Monthly,
                previous_month: folded.contains("上月") || folded.contains("上一月"),
                day_of_month: caps[1].parse().ok(),
                dates,
                as_written,
            });
        }
        let mut dates: Vec<NaiveDate> = DAY
            .captures_iter(&folded)
            .filter_map(|c| NaiveDate::from_ymd_opt(year, c[1].parse().ok()?, c[2].parse().ok()?))
            .collect();
        dates.extend(
            MONTH_END
                .captures_iter(&folded)
                .filter_map(|c| last_day(year, c[1].parse().ok()?)),
        );
        dates.sort_unstable();
        dates.dedup();
        let kind = match dates.len() {
            0 => continue,
            1 => ScheduleKind::Once,
            4 if dates.iter().map(Datelike::month).eq([3, 6, 9, 12]) => ScheduleKind::Quarterly,
            _ => ScheduleKind::Dates,
        };
        return Some(ReportingSchedule {
            kind,
            previous_month: false,
            day_of_month: None,
            dates,
            as_written,
        });
    }
    None
}

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

    fn lines(text: &str) -> Vec<Line> {
        super::super::lines::clean(text)
    }

    #[test]
    fn reporting_rules_in_their_written_forms() {
        let monthly = lines("各责任单位要分别于每月 28 日前将进展情况报市政府督查局。");
        let s = schedule(&monthly.iter().collect::<Vec<_>>(), 2022).unwrap();
        assert_eq!((s.kind, s.day_of_month), (ScheduleKind::Monthly, Some(28)));

        let quarterly = lines(
            "并分别于3月28日、6月28日、9月28日、12月28日前将承担的工作任务进展情况报市政府督查局。",
        );
        let s = schedule(&quarterly.iter().collect::<Vec<_>>(), 2024).unwrap();
        assert_eq!(s.kind, ScheduleKind::Quarterly);
        assert_eq!(s.dates.len(), 4);

        let month_ends = lines("请于 8 月底、9 月底、12 月底前报送谋划材料。");
        let s = schedule(&month_ends.iter().collect::<Vec<_>>(), 2023).unwrap();
        assert_eq!(s.kind, ScheduleKind::Dates);
        assert_eq!(s.dates[0], NaiveDate::from_ymd_opt(2023, 8, 31).unwrap());

        let once = lines("请于2023年11月15日前将材料报送市政府督查局。");
        let s = schedule(&once.iter().collect::<Vec<_>>(), 2023).unwrap();
        assert_eq!(s.kind, ScheduleKind::Once);
    }

    #[test]
    fn kinds_follow_the_title() {
        assert_eq!(
            infer_kind("关于印发政府工作报告确定事项分解落实意见的通知"),
            DocumentKind::WorkReport
        );
        assert_eq!(
            infer_kind("关于印发2022年破解民生“八需八难”任务清单的通知"),
            DocumentKind::Livelihood
        );
        assert_eq!(
            infer_kind("关于市人大代表建议办理工作的通知"),
            DocumentKind::Proposal
        );
        assert_eq!(
            infer_kind("关于做好2025年重点工作谋划的通知"),
            DocumentKind::Planning
        );
    }

    #[test]
    fn only_the_first_listed_unit_makes_a_lead_rule() {
        let rule = |text: &str| {
            let lines = lines(text);
            let refs: Vec<&Line> = lines.iter().collect();
            lead_rule(&refs)
        };
        assert!(rule("请各牵头单位于每季度第一个月5日前报送进展。").is_none());
        let found =
            rule("责任单位有两个及以上的，排在第一位的为牵头单位，其他为配合单位。").unwrap();
        assert_eq!(found.rest, UnitRole::Cooperating);
        assert!(rule("列第一位的责任单位为牵头单位或汇总单位。").is_some());
    }
}
