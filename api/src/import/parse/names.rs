//! Splitting the names on a role line.
//!
//! Leaders are separated by `、`, `，` or spaces, or both, and a two-character name is often
//! written with a space inside: `付 磊 黄玉国 马中虎` is 付磊, 黄玉国 and 马中虎. A post
//! (常务副市长) stands for whoever holds it; a collective word (各位市长) for a group.
//!
//! Units are separated by `、`; the units after a `，` are the counties and districts taking
//! part (`市工业和信息化局，城乡一体化示范区、尉氏县`). `A（B）` is unit A with its sub-unit B.
//! Collective words (各县区, 各县、区人民政府, 各单位) stand for a group of units.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::lines::fold;

/// A leader as written on a role line. Exactly one of `name`, `post` and `collective` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderName {
    /// A person's name with the spaces inside removed: `刘震`.
    pub name: Option<String>,
    /// A post: `常务副市长`.
    pub post: Option<String>,
    /// A collective reference: `各位市长`.
    pub collective: Option<String>,
    /// The text of the document: `刘 震`.
    pub as_written: String,
}

/// A unit as written on a role line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitName {
    /// The name with spaces removed and a bracketed sub-unit taken off: `市委宣传部`.
    pub name: String,
    /// The unit in brackets: `市文明办` in `市委宣传部（市文明办）`.
    pub sub_unit: Option<String>,
    /// Listed after `，`: a county or district taking part.
    pub is_local: bool,
    /// Set for a collective reference (各县区), which names a group, not one unit.
    pub collective: bool,
    pub as_written: String,
}

static POST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(市长|秘书长|书记|县长|区长|主席|主任|部长|局长|政委|巡视员|调研员|常委)$")
        .expect("valid regex")
});

/// Splits a leader list.
pub fn split_leaders(text: &str) -> Vec<LeaderName> {
    let mut leaders = Vec::new();
    for segment in text.split(|c: char| matches!(fold_sep(c), '、' | ',' | ';' | '/')) {
        let tokens: Vec<&str> = segment
            .split(|c: char| c.is_whitespace())
            .filter(|t| !t.is_empty())
            .collect();
        let mut i = 0;
        while i < tokens.len() {
            // A single character followed by a token of one or two characters is a name
            // written with a space inside: `刘 震`, `王 秋杰`.
            let (name, as_written, used) = if tokens[i].chars().count() == 1
                && tokens
                    .get(i + 1)
                    .is_some_and(|next| next.chars().count() <= 2)
            {
                let next = tokens[i + 1];
                (
                    format!("{}{next}", tokens[i]),
                    format!("{} {next}", tokens[i]),
                    2,
                )
            } else {
                (tokens[i].to_owned(), tokens[i].to_owned(), 1)
            };
            i += used;
            let name = name
                .trim_matches(|c: char| matches!(c, '。' | '.' | '：' | ':'))
                .to_owned();
            if name.is_empty() {
                continue;
            }
            leaders.push(classify_leader(name, as_written));
        }
    }
    leaders
}

fn fold_sep(c: char) -> char {
    match c {
        '，' => ',',
        '；' => ';',
        '／' => '/',
        other => other,
    }
}

fn classify_leader(name: String, as_written: String) -> LeaderName {
    if name.starts_with('各') || name.starts_with("全体") {
        LeaderName {
            name: None,
            post: None,
            collective: Some(name),
            as_written,
        }
    } else if POST.is_match(&name) {
        LeaderName {
            name: None,
            post: Some(name),
            collective: None,
            as_written,
        }
    } else {
        LeaderName {
            name: Some(name),
            post: None,
            collective: None,
            as_written,
        }
    }
}

/// Splits a unit list.
pub fn split_units(text: &str) -> Vec<UnitName> {
    // A collective written with `、` inside must not be split: 各县、区人民政府.
    let text = text
        .replace("各县、区", "各县区")
        .replace("各县、市、区", "各县市区");
    let folded = fold(&text);
    // Units after the first top-level comma take part locally.
    let (main, local) = match top_level_position(&folded, &[',', ';']) {
        Some(at) => {
            let chars: Vec<char> = text.chars().collect();
            (
                chars[..at].iter().collect::<String>(),
                chars[at + 1..].iter().collect::<String>(),
            )
        }
        None => (text, String::new()),
    };
    let mut units = Vec::new();
    for (part, is_local) in [(main, false), (local, true)] {
        for piece in split_top_level(&part, &['、', ',', '，', ';', '；']) {
            let as_written = piece.trim().trim_end_matches(['。', '.']).trim().to_owned();
            if as_written.is_empty() {
                continue;
            }
            let compact: String = as_written.chars().filter(|c| !c.is_whitespace()).collect();
            let (name, sub_unit) = split_bracket(&compact);
            let collective = name.starts_with('各');
            units.push(UnitName {
                name,
                sub_unit,
                is_local,
                collective,
                as_written,
            });
        }
    }
    units
}

/// The char index of the first separator outside brackets.
fn top_level_position(folded: &str, separators: &[char]) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in folded.chars().enumerate() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            c if depth <= 0 && separators.contains(&c) => return Some(i),
            _ => {}
        }
    }
    None
}

fn split_top_level(text: &str, separators: &[char]) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut depth = 0i32;
    for c in text.chars() {
        match fold_char_bracket(c) {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth <= 0 && separators.contains(&c) {
            pieces.push(String::new());
        } else if let Some(last) = pieces.last_mut() {
            last.push(c);
        }
    }
    pieces
}

fn fold_char_bracket(c: char) -> char {
    match c {
        '（' | '(' => '(',
        '）' | ')' => ')',
        other => other,
    }
}

/// `市委宣传部（市文明办）` → (`市委宣传部`, `市文明办`).
fn split_bracket(name: &str) -> (String, Option<String>) {
    let folded: Vec<char> = name.chars().map(fold_char_bracket).collect();
    if folded.last() == Some(&')')
        && let Some(open) = folded.iter().position(|c| *c == '(')
        && open > 0
    {
        let chars: Vec<char> = name.chars().collect();
        let outer: String = chars[..open].iter().collect();
        let inner: String = chars[open + 1..chars.len() - 1].iter().collect();
        if !inner.is_empty() {
            return (outer, Some(inner));
        }
    }
    (name.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        split_leaders(text)
            .into_iter()
            .map(|l| l.name.or(l.post).or(l.collective).unwrap())
            .collect()
    }

    #[test]
    fn leader_lists_in_every_written_form() {
        assert_eq!(names("付 磊 黄玉国 马中虎"), ["付磊", "黄玉国", "马中虎"]);
        assert_eq!(names("刘 震、肖文兴、袁 钢"), ["刘震", "肖文兴", "袁钢"]);
        assert_eq!(names("常务副市长、刘震"), ["常务副市长", "刘震"]);
        assert_eq!(names("王 玲，钱忠宝"), ["王玲", "钱忠宝"]);
        assert_eq!(names("马中虎 王秋杰"), ["马中虎", "王秋杰"]);
        let leaders = split_leaders("常务副市长、各位市长、刘 震");
        assert_eq!(leaders[0].post.as_deref(), Some("常务副市长"));
        assert_eq!(leaders[1].collective.as_deref(), Some("各位市长"));
        assert_eq!(leaders[2].name.as_deref(), Some("刘震"));
        assert_eq!(leaders[2].as_written, "刘 震");
    }

    #[test]
    fn unit_lists_with_local_units_brackets_and_collectives() {
        let units = split_units("市工业和信息化局，城乡一体化示范区、尉氏县、产城融合示范区");
        let got: Vec<(&str, bool)> = units
            .iter()
            .map(|u| (u.name.as_str(), u.is_local))
            .collect();
        assert_eq!(
            got,
            [
                ("市工业和信息化局", false),
                ("城乡一体化示范区", true),
                ("尉氏县", true),
                ("产城融合示范区", true)
            ]
        );

        let units = split_units("市委宣传部（市文明办）、自贸试验区开封片区(综保区)");
        assert_eq!(units[0].name, "市委宣传部");
        assert_eq!(units[0].sub_unit.as_deref(), Some("市文明办"));
        assert_eq!(units[0].as_written, "市委宣传部（市文明办）");
        assert_eq!(units[1].sub_unit.as_deref(), Some("综保区"));

        let units = split_units("市商务局，各县、区人民政府");
        assert_eq!(units.len(), 2);
        assert!(units[1].collective && units[1].is_local);
        assert_eq!(units[1].name, "各县区人民政府");

        let units = split_units("市住房城乡建设局、国家金融监督管理总局开封监管分局，各县区");
        assert_eq!(units[1].name, "国家金融监督管理总局开封监管分局");
        assert!(units[2].collective);
    }
}
