//! Whether an actual value meets its indicator's target (`城镇新增就业6.24万人` against a report's
//! `6.5万人`). Pure: no database. Values are text as written on both sides; a verdict is derived
//! beside them (`indicators.latest_value` keeps the words) and only where the two share a unit
//! of measure after scaling (`万人` and `人`, `亿元` and `万元`). Anything else — a target without
//! a number, an actual value in another unit or with no number — is `NotComparable`, never a
//! guess.
//!
//! How each comparator is met:
//! - `AT_LEAST` (以上, 不少于, 突破, 达到) and `EXACTLY` (a bare number: `新建充电桩 700 个`, a
//!   quantity to reach, so 720 meets it): actual ≥ target;
//! - `AT_MOST` (以内, 不超过, 控制在): actual ≤ target;
//! - `ABOUT` (左右, 约): within 5% of the target either way.
//!
//! A bare number in the actual value (`420`) is read in the target's unit: a report form shows
//! the indicator's unit beside the field.

use std::sync::LazyLock;

use entity::enums::Comparator;
use regex::Regex;

// Full-width digits, points and percent signs read as half-width (`６．５万人` is `6.5万人`).
use crate::import::parse::fold;

/// The outcome of comparing an actual value with a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "TargetVerdict")]
pub enum Verdict {
    Met,
    NotMet,
    /// No number to compare, or the two are in different units.
    NotComparable,
}

impl Verdict {
    /// The stored form (`indicators.verdict`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "MET",
            Self::NotMet => "NOT_MET",
            Self::NotComparable => "NOT_COMPARABLE",
        }
    }

    /// Reads the stored form.
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "MET" => Some(Self::Met),
            "NOT_MET" => Some(Self::NotMet),
            "NOT_COMPARABLE" => Some(Self::NotComparable),
            _ => None,
        }
    }
}

/// How far from the target an `ABOUT` target may land and still be met, relative to it.
const ABOUT_TOLERANCE: f64 = 0.05;

/// A number followed by a unit of measure, in text folded to half-width digits.
static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>个百分点|%|‰|[万亿千]?[^\s0-9.,，。；;、:：()（）]{0,3})")
        .expect("valid regex")
});

/// A quantity in a base unit: `6.24` `万人` is 62,400 `人`.
#[derive(Debug, Clone, PartialEq)]
struct Quantity {
    value: f64,
    unit: String,
}

/// Scales a number written with a unit to its base unit. `万` and `亿` are multipliers when a
/// unit follows them (`万人`, `亿元`) and the unit itself when alone (`万` of something).
fn quantity(number: &str, unit: &str) -> Option<Quantity> {
    let value: f64 = number.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let unit = unit.trim();
    let mut chars = unit.chars();
    let scale = match chars.next() {
        Some('万') if chars.clone().next().is_some() => 1e4,
        Some('亿') if chars.clone().next().is_some() => 1e8,
        Some('千') if chars.clone().next().is_some_and(|c| c != '瓦') => 1e3,
        _ => {
            return Some(Quantity {
                value,
                unit: unit.to_owned(),
            });
        }
    };
    Some(Quantity {
        value: value * scale,
        unit: chars.collect(),
    })
}

/// The quantities written in `text`, with the units as written after each number (trimmed to
/// the first word: `6.5万人，同比` gives `万人`).
fn quantities(text: &str) -> Vec<(Quantity, bool)> {
    let folded = fold(text);
    QUANTITY
        .captures_iter(&folded)
        .filter_map(|caps| {
            let unit = caps.name("unit").map_or("", |m| m.as_str());
            let bare = unit.is_empty();
            quantity(&caps["num"], unit).map(|q| (q, bare))
        })
        .collect()
}

/// Compares the latest actual value with the target `value` in `unit` under `comparator`.
pub fn judge(
    target: Option<&str>,
    unit: Option<&str>,
    comparator: Comparator,
    actual: &str,
) -> Verdict {
    let Some(target) = target.and_then(|t| quantity(&fold(t), unit.unwrap_or(""))) else {
        return Verdict::NotComparable;
    };
    let found = quantities(actual);
    // The first quantity in the target's unit; else a lone bare number, read in that unit.
    let actual = found
        .iter()
        .find(|(q, bare)| !bare && unit_matches(&q.unit, &target.unit))
        .map(|(q, _)| q.value)
        .or_else(|| match found.as_slice() {
            [(q, true)] => quantity(&q.value.to_string(), unit.unwrap_or("")).map(|q| q.value),
            _ => None,
        });
    let Some(actual) = actual else {
        return Verdict::NotComparable;
    };
    let met = match comparator {
        Comparator::AtLeast | Comparator::Exactly => actual >= target.value,
        Comparator::AtMost => actual <= target.value,
        Comparator::About => (actual - target.value).abs() <= target.value.abs() * ABOUT_TOLERANCE,
    };
    if met { Verdict::Met } else { Verdict::NotMet }
}

/// Whether a unit written after an actual number is the target's base unit: the same word, or
/// one that starts with it (`人次` is not `人`, but `个` written as `个左右` is).
fn unit_matches(written: &str, target: &str) -> bool {
    if target.is_empty() {
        return false;
    }
    written == target
        || (written.starts_with(target)
            && !matches!(
                written[target.len()..].chars().next(),
                Some('次' | '方' | '米')
            ))
}

#[cfg(test)]
mod tests {
    use super::Verdict::{Met, NotComparable, NotMet};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scales_and_compares_in_one_unit() {
        let at_least = |t, u, a| judge(Some(t), Some(u), Comparator::AtLeast, a);
        assert_eq!(at_least("6.24", "万人", "6.5万人"), Met);
        assert_eq!(at_least("6.24", "万人", "新增就业62400人"), Met);
        assert_eq!(at_least("6.24", "万人", "6.1万人"), NotMet);
        assert_eq!(at_least("8000", "万元", "1.2亿元"), Met);
        assert_eq!(at_least("700", "个", "已建成720个"), Met);
        assert_eq!(at_least("700", "个", "６９９个"), NotMet);
        // A bare number is read in the target's unit.
        assert_eq!(at_least("6.24", "万人", "6.3"), Met);
        assert_eq!(at_least("6.24", "万人", "6.2"), NotMet);
    }

    #[test]
    fn other_units_and_no_numbers_are_not_comparable() {
        let at_least = |t, u, a| judge(Some(t), Some(u), Comparator::AtLeast, a);
        assert_eq!(at_least("6.24", "万人", "70000人次"), NotComparable);
        assert_eq!(at_least("700", "个", "进展顺利"), NotComparable);
        assert_eq!(at_least("700", "个", "已完成3家，在建5家"), NotComparable);
        assert_eq!(at_least("40", "%", "完成40公里"), NotComparable);
        assert_eq!(
            judge(None, Some("个"), Comparator::AtLeast, "700个"),
            NotComparable
        );
        // Two bare numbers: which one is meant cannot be known.
        assert_eq!(at_least("700", "个", "720 或 650"), NotComparable);
    }

    #[test]
    fn each_comparator() {
        assert_eq!(judge(Some("5"), Some("%"), Comparator::AtMost, "4.8%"), Met);
        assert_eq!(
            judge(Some("5"), Some("%"), Comparator::AtMost, "5.2%"),
            NotMet
        );
        assert_eq!(judge(Some("6"), Some("%"), Comparator::About, "5.8%"), Met);
        assert_eq!(
            judge(Some("6"), Some("%"), Comparator::About, "5.6%"),
            NotMet
        );
        assert_eq!(judge(Some("6"), Some("%"), Comparator::About, "6.3%"), Met);
        assert_eq!(
            judge(Some("700"), Some("个"), Comparator::Exactly, "700个"),
            Met
        );
        assert_eq!(
            judge(Some("28"), Some("万亩"), Comparator::AtLeast, "30万亩"),
            Met
        );
        assert_eq!(
            judge(Some("3"), Some("千瓦"), Comparator::AtLeast, "3千瓦"),
            Met
        );
    }

    #[test]
    fn stored_forms_round_trip() {
        for verdict in [Met, NotMet, NotComparable] {
            assert_eq!(Verdict::parse(verdict.as_str()), Some(verdict));
        }
        assert_eq!(Verdict::parse("met"), None);
    }

    proptest! {
        /// Total: any target and any text give a verdict, never a panic.
        #[test]
        fn never_panics(target in "\\PC{0,12}", unit in "\\PC{0,4}", actual in "\\PC{0,40}") {
            for comparator in [Comparator::AtLeast, Comparator::AtMost, Comparator::About, Comparator::Exactly] {
                let _ = judge(Some(&target), Some(&unit), comparator, &actual);
            }
        }

        /// The number itself in the target's unit always meets an at-least target.
        #[test]
        fn reaching_the_target_meets_it(whole in 0u32..100_000, frac in 0u32..100) {
            let target = format!("{whole}.{frac:02}");
            prop_assert_eq!(judge(Some(&target), Some("万人"), Comparator::AtLeast, &format!("{target}万人")), Met);
            prop_assert_eq!(judge(Some(&target), Some("个"), Comparator::AtMost, &format!("共{target}个")), Met);
        }
    }
}
