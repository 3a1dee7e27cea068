//! No input makes the parser panic: arbitrary text, text assembled from the pieces the parser
//! reacts to, and random edits of a real notice.

use proptest::prelude::*;

use super::parse;

const BREAKDOWN_2024: &str = include_str!("../../../fixtures/work-report-breakdown-2024.txt");

/// Characters the notices are made of (sampling the whole Han block is slow and rarely hits
/// the words the parser reacts to).
const HAN: &str = "市县区局委办长副常务各位单位领导责任牵头配合是项共月日年前底报附件主办万人个以上内左右约达到突破";

/// Fragments that steer the parser into its different paths.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("一、".to_owned()),
        Just("（一）".to_owned()),
        Just("(二)".to_owned()),
        Just("1.".to_owned()),
        Just("12、".to_owned()),
        Just("6.24".to_owned()),
        Just("责任领导：".to_owned()),
        Just("牵头单位:".to_owned()),
        Just("配合单位：".to_owned()),
        Just("责任单位：".to_owned()),
        Just("、".to_owned()),
        Just("，".to_owned()),
        Just("（".to_owned()),
        Just("）".to_owned()),
        Just("**".to_owned()),
        Just("#".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("一是".to_owned()),
        Just("二是".to_owned()),
        Just("（3 项）".to_owned()),
        Just("共 5 项".to_owned()),
        Just("每月28日前报".to_owned()),
        Just("3月28日".to_owned()),
        Just("8月底前报".to_owned()),
        Just("汴政办〔2024〕3号".to_owned()),
        Just("2024年2月22日".to_owned()),
        Just("附件".to_owned()),
        Just("主办：".to_owned()),
        Just("---".to_owned()),
        Just("各县、区人民政府".to_owned()),
        Just("刘 震".to_owned()),
        Just("常务副市长".to_owned()),
        Just("万人以上".to_owned()),
        Just("%以内".to_owned()),
        prop::collection::vec(prop::sample::select(HAN.chars().collect::<Vec<_>>()), 1..6)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
        "[0-9]{1,4}".prop_map(|s| s),
        "[ \u{3000}\t]{1,3}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn structured_text_never_panics(parts in prop::collection::vec(fragment(), 0..120)) {
        let text = parts.concat();
        if let Ok(doc) = parse(&text) {
            for warning in &doc.warnings {
                prop_assert!(warning.line >= 1);
            }
        }
    }

}

proptest! {
    // Each case parses a whole 153-item notice; fewer cases keep the debug-build suite quick.
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn edited_notices_never_panic(cuts in prop::collection::vec((0usize..BREAKDOWN_2024.len(), 0usize..200), 1..8)) {
        let mut chars: Vec<char> = BREAKDOWN_2024.chars().collect();
        for (at, len) in cuts {
            let at = at % chars.len().max(1);
            let end = (at + len).min(chars.len());
            chars.drain(at..end);
        }
        let text: String = chars.into_iter().collect();
        let _ = parse(&text);
    }
}

/// A cell of a random task table: header words, category rows, names, dates, numbers, text.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(String::new()),
        Just("序号".to_owned()),
        Just("工作任务".to_owned()),
        Just("项目名称".to_owned()),
        Just("建设内容".to_owned()),
        Just("责任领导".to_owned()),
        Just("牵头领导".to_owned()),
        Just("牵头单位".to_owned()),
        Just("责任单位".to_owned()),
        Just("配合单位".to_owned()),
        Just("完成时限".to_owned()),
        Just("类别".to_owned()),
        Just("一、教育（共2项）".to_owned()),
        Just("（二）医疗".to_owned()),
        Just("备注：每月25日前报送；排在第一位的为牵头单位。".to_owned()),
        Just("2025年6月底".to_owned()),
        Just("长期坚持".to_owned()),
        Just("年底前".to_owned()),
        Just("13月45日".to_owned()),
        Just("区教育局、区财政局\n区民政局".to_owned()),
        Just("李 娜".to_owned()),
        "[0-9]{1,3}".prop_map(|s| s),
        prop::collection::vec(prop::sample::select(HAN.chars().collect::<Vec<_>>()), 1..12)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
    ]
}

/// A random table: rows of random widths (ragged, as CSV can be), some spanning the row.
fn table() -> impl Strategy<Value = super::Table> {
    prop::collection::vec((prop::collection::vec(cell(), 0..8), any::<bool>()), 0..30).prop_map(
        |rows| super::Table {
            rows: rows
                .into_iter()
                .map(|(cells, spans_row)| super::Row { cells, spans_row })
                .collect(),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Random tables and paragraphs, in any order and number (a notice split into several
    /// tables, tables without a header, ragged rows): never a panic, and what is read is
    /// numbered within the notice.
    #[test]
    fn random_tables_never_panic(
        parts in prop::collection::vec(
            prop_oneof![
                fragment().prop_map(super::Part::Paragraph),
                table().prop_map(super::Part::Table),
            ],
            0..8,
        )
    ) {
        let notice = super::Notice { parts };
        let lines = notice.lines().len();
        if let Ok(doc) = super::parse_notice(&notice) {
            for task in &doc.tasks {
                prop_assert!(task.line >= 1 && task.line <= lines.max(1));
            }
            let mut seqs: Vec<&str> = doc.tasks.iter().map(|t| t.seq.as_str()).collect();
            seqs.sort_unstable();
            let before = seqs.len();
            seqs.dedup();
            prop_assert_eq!(before, seqs.len(), "seq is unique within a document");
        }
    }
}
