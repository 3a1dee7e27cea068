//! A document's contact lines (联系人：安晓飞 李天霞 电话：23859965; 联系人及电话：刘华阳 23859529
//! 15137880816), kept as written, with the names, telephone numbers and e-mail addresses read
//! out of each. Pure.

use std::sync::LazyLock;

use regex::Regex;

use crate::import::parse::fold;

/// Telephone numbers: runs of 7 or more digits, an area code joined by `-` allowed.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:0\d{2,3}-)?\d{7,}").expect("valid regex"));

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").expect("valid regex")
});

/// The labels that open a part of a line, longest first.
const LABELS: [&str; 7] = [
    "联系人及电话",
    "联系电话",
    "联系人",
    "电话",
    "邮箱",
    "电子邮箱",
    "传真",
];

/// One contact line, as written and as read.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
#[graphql(name = "DocumentContact")]
pub struct Contact {
    /// The line as the document writes it.
    pub as_written: String,
    pub names: Vec<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

/// Reads a contact line.
pub fn read(line: &str) -> Contact {
    // Full-width digits, dashes and @ as half-width, as the importer reads them; a long dash
    // joins an area code too.
    let folded = fold(line).replace('—', "-");
    let phones: Vec<String> = PHONE
        .find_iter(&folded)
        .map(|m| m.as_str().to_owned())
        .collect();
    let emails: Vec<String> = EMAIL
        .find_iter(&folded)
        .map(|m| m.as_str().to_owned())
        .collect();
    // Names: the words that are neither labels, numbers nor addresses.
    let mut rest = folded;
    for found in phones.iter().chain(&emails) {
        rest = rest.replacen(found.as_str(), " ", 1);
    }
    for label in LABELS {
        rest = rest.replace(label, " ");
    }
    let names = rest
        .split(|c: char| {
            c.is_whitespace()
                || matches!(c, '：' | ':' | '、' | '，' | ',' | '；' | ';' | '\u{3000}')
        })
        .map(str::trim)
        .filter(|w| !w.is_empty() && w.chars().all(|c| !c.is_ascii_punctuation()))
        .map(str::to_owned)
        .collect();
    Contact {
        as_written: line.to_owned(),
        names,
        phones,
        emails,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_of_the_bundled_notices_and_other_forms() {
        assert_eq!(
            read("联系人：安晓飞 李天霞 电话：23859965"),
            Contact {
                as_written: "联系人：安晓飞 李天霞 电话：23859965".to_owned(),
                names: vec!["安晓飞".to_owned(), "李天霞".to_owned()],
                phones: vec!["23859965".to_owned()],
                emails: vec![],
            }
        );
        let line = read("联系人及电话：刘华阳 23859529 15137880816");
        assert_eq!(line.names, ["刘华阳"]);
        assert_eq!(line.phones, ["23859529", "15137880816"]);
        let line = read("联系人：王芳，联系电话：0371－２３８５９９６５，邮箱：dcj@kaifeng.gov.cn");
        assert_eq!(line.names, ["王芳"]);
        assert_eq!(line.phones, ["0371-23859965"]);
        assert_eq!(line.emails, ["dcj@kaifeng.gov.cn"]);
    }
}
