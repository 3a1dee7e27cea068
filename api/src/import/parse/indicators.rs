//! Measurable targets inside a task's text: `城镇新增就业6.24万人`, `不良贷款率保持在5%以内`,
//! `新建充电桩 700 个`, `200个以上`, `28万亩以上`, `达到40%`, `突破330家`. Each keeps the clause
//! that states it, the number as written, the unit of measure and how to compare.

use std::sync::LazyLock;

use entity::enums::Comparator;
use regex::Regex;

use super::ParsedIndicator;
use super::lines::fold;

static TARGET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<pre>不低于|不少于|不超过|超过|突破|达到|保持在|控制在|稳定在|约)?\s*",
        r"(?P<num>\d+(?:\.\d+)?)\s*",
        r"(?P<unit>个百分点|万人次|万人|万吨|万亩|万平方米|万千瓦|万户|万辆|万元|亿元|万个|万套|万株|",
        r"平方米|千瓦|公里|公顷|人次|场次|个|家|所|座|条|处|套|台|块|户|人|吨|亩|项|件|批|宗|辆|次|%|‰|倍|张|间|名|栋|米|万|亿)",
        r"(?P<post>以上|以内|以下|左右)?",
    ))
    .expect("valid regex")
});

/// Where a clause ends: the punctuation that separates targets in a sentence.
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | ',' | ';' | '！' | '？' | '、' | '：' | ':'
    )
}

/// Finds the targets in a task's text.
pub fn find(text: &str) -> Vec<ParsedIndicator> {
    let folded = fold(text);
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for caps in TARGET.captures_iter(&folded) {
        let whole = caps.get(0).expect("match");
        let num = caps.name("num").expect("number");
        // A number glued to a letter is a road or a model (G106, S312, 5G), not a target.
        let before = folded[..num.start()].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let unit = caps.name("unit").expect("unit").as_str();
        let comparator = match (
            caps.name("pre").map(|m| m.as_str()),
            caps.name("post").map(|m| m.as_str()),
        ) {
            (_, Some("以上")) | (Some("不低于" | "不少于" | "超过" | "突破" | "达到"), _) => {
                Comparator::AtLeast
            }
            (_, Some("以内" | "以下")) | (Some("不超过" | "控制在"), _) => {
                Comparator::AtMost
            }
            (_, Some("左右")) | (Some("约"), _) => Comparator::About,
            _ => Comparator::Exactly,
        };
        // The clause around the match, in the document's own characters.
        let start = folded[..whole.start()].chars().count();
        let end = folded[..whole.end()].chars().count();
        let clause_start = chars[..start]
            .iter()
            .rposition(|c| is_clause_break(*c))
            .map_or(0, |i| i + 1);
        let clause_end = chars[end..]
            .iter()
            .position(|c| is_clause_break(*c))
            .map_or(chars.len(), |i| end + i);
        let phrase: String = chars[clause_start..clause_end]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned();
        found.push(ParsedIndicator {
            phrase,
            value: num.as_str().to_owned(),
            unit: unit.to_owned(),
            comparator,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (String, String, String, Comparator) {
        let found = find(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        let i = found.into_iter().next().unwrap();
        (i.phrase, i.value, i.unit, i.comparator)
    }

    #[test]
    fn targets_in_the_forms_the_documents_use() {
        assert_eq!(
            one("城镇新增就业6.24万人。"),
            (
                "城镇新增就业6.24万人".into(),
                "6.24".into(),
                "万人".into(),
                Comparator::Exactly
            )
        );
        assert_eq!(one("不良贷款率保持在5%以内").3, Comparator::AtMost);
        assert_eq!(
            one("全面实施特许经营，新建充电桩 700 个").0,
            "新建充电桩 700 个"
        );
        assert_eq!(one("实施高端化改造项目200个以上").3, Comparator::AtLeast);
        assert_eq!(one("完成造林28万亩以上").2, "万亩");
        assert_eq!(one("城区绿地率达到40%").3, Comparator::AtLeast);
        assert_eq!(one("高新技术企业突破330家").3, Comparator::AtLeast);
        assert_eq!(one("经济增长6.5%左右").3, Comparator::About);
    }

    #[test]
    fn years_roads_and_ordinals_are_not_targets() {
        assert!(find("2024年完成G106杞县段、S312二期工程").is_empty());
        assert_eq!(
            find("新增智能车间（工厂）7家、优秀智能应用场景4个").len(),
            2
        );
    }
}
