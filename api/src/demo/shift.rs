//! Moving a bundled notice to the demo's year: every year it writes (`2024年`, `〔2024〕`,
//! `2022至2024年`) moves by the same number of years, so that its dates, deadlines and reporting
//! periods fall in the year being played. Pure.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

/// Runs of ASCII digits: a year is a run of exactly four (phone numbers and room numbers are
/// other lengths and stay as they are).
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+").expect("valid regex"));

/// The year the demo plays: this year from April, when the bundled notices (issued in
/// February and March) have had reports due; the year before until then, played to its end.
pub fn demo_year(today: NaiveDate) -> i32 {
    if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    }
}

/// `text` with every year from 2000 to 2099 moved by `by` years.
pub fn shift_years(text: &str, by: i32) -> String {
    if by == 0 {
        return text.to_owned();
    }
    DIGITS
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let run = &caps[0];
            match run.parse::<i32>() {
                Ok(year) if run.len() == 4 && (2000..=2099).contains(&year) => {
                    (year + by).to_string()
                }
                _ => run.to_owned(),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_move_and_other_numbers_stay() {
        assert_eq!(
            shift_years(
                "汴政办〔2024〕3号 2024年2月22日 海绵城市三年（2022至2024年）",
                2
            ),
            "汴政办〔2026〕3号 2026年2月22日 海绵城市三年（2024至2026年）"
        );
        assert_eq!(
            shift_years("电话：23859965，7 号楼 623B 房间，每月 28 日，1990年", 4),
            "电话：23859965，7 号楼 623B 房间，每月 28 日，1990年"
        );
        assert_eq!(shift_years("2022 年 3 月 21 日", 4), "2026 年 3 月 21 日");
    }

    #[test]
    fn the_year_played_has_had_reports_due() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(demo_year(day(2026, 11, 28)), 2026);
        assert_eq!(demo_year(day(2026, 4, 1)), 2026);
        assert_eq!(demo_year(day(2027, 1, 15)), 2026);
    }
}
