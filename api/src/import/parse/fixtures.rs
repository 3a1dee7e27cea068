//! The parser against the real notices in `api/fixtures`, item by item.

use chrono::NaiveDate;
use entity::enums::{Comparator, DocumentKind, LeaderRole, UnitRole};

use super::*;
use crate::documents::schedule::ScheduleKind;

const BREAKDOWN_2024: &str = include_str!("../../../fixtures/work-report-breakdown-2024.txt");
const LIVELIHOOD_2022: &str = include_str!("../../../fixtures/livelihood-tasks-2022.txt");
const WORK_REPORT_2020: &str = include_str!("../../../fixtures/work-report-2020.txt");

fn task<'a>(doc: &'a ParsedDocument, seq: &str) -> &'a ParsedTask {
    doc.tasks
        .iter()
        .find(|t| t.seq == seq)
        .unwrap_or_else(|| panic!("no task {seq}"))
}

fn leaders(task: &ParsedTask) -> Vec<String> {
    task.leaders
        .iter()
        .map(|l| {
            l.name
                .name
                .clone()
                .or(l.name.post.clone())
                .or(l.name.collective.clone())
                .unwrap()
        })
        .collect()
}

fn units(task: &ParsedTask) -> Vec<String> {
    task.units.iter().map(|u| u.name.name.clone()).collect()
}

#[test]
fn breakdown_2024_header_and_counts() {
    let doc = parse(BREAKDOWN_2024).unwrap();
    let h = &doc.header;
    assert_eq!(h.doc_number.as_deref(), Some("汴政办〔2024〕3号"));
    assert_eq!(h.issuer.as_deref(), Some("开封市人民政府办公室"));
    assert_eq!(
        h.title.as_deref(),
        Some(
            "开封市人民政府办公室关于印发开封市十六届人大二次会议政府工作报告确定事项分解落实意见的通知"
        )
    );
    assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2024, 2, 22));
    assert_eq!(h.kind, DocumentKind::WorkReport);
    let schedule = h.schedule.as_ref().unwrap();
    assert_eq!(schedule.kind, ScheduleKind::Quarterly);
    assert_eq!(
        schedule.dates[0],
        NaiveDate::from_ymd_opt(2024, 3, 28).unwrap()
    );
    assert_eq!(h.contacts.len(), 2);

    assert_eq!(doc.tasks.len(), 153);
    let seqs: Vec<String> = doc.tasks.iter().map(|t| t.seq.clone()).collect();
    assert_eq!(seqs, (1..=153).map(|n| n.to_string()).collect::<Vec<_>>());
    let top: Vec<&str> = doc
        .categories
        .iter()
        .filter(|c| !c.path.contains('.'))
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(top, ["主要预期目标", "全年重点工作"]);
    let subs: Vec<&str> = doc
        .categories
        .iter()
        .filter(|c| c.path.starts_with("2."))
        .map(|c| c.ordinal.as_str())
        .collect();
    assert_eq!(
        subs,
        [
            "(一)",
            "（二）",
            "（三）",
            "（四）",
            "（五）",
            "（六）",
            "（七）",
            "（八）",
            "（九）",
            "（十）"
        ]
    );
    for t in &doc.tasks {
        assert!(
            !t.leaders.is_empty() && !t.units.is_empty(),
            "task {} lacks a leader or a unit",
            t.seq
        );
    }
    assert!(doc.warnings.is_empty(), "{:#?}", doc.warnings);
}

#[test]
fn breakdown_2024_item_by_item() {
    let doc = parse(BREAKDOWN_2024).unwrap();
    // (seq, category path, leaders, units, start of the text)
    type Case<'a> = (&'a str, &'a str, &'a [&'a str], &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        ("1", "1", &["常务副市长"], &["市发展改革委"], "经济增长6.5%"),
        (
            "7",
            "1",
            &["刘震"],
            &["市人力资源社会保障局"],
            "城镇调查失业率",
        ),
        (
            "10",
            "1",
            &["常务副市长", "刘震"],
            &["市发展改革委", "市人力资源社会保障局", "市农业农村局"],
            "居民收入增长",
        ),
        (
            "13",
            "2.1",
            &["薛志勇", "郑红英", "陈志刚", "岳青"],
            &[
                "市工业和信息化局",
                "城乡一体化示范区",
                "尉氏县",
                "产城融合示范区",
            ],
            "加快开港汽车",
        ),
        (
            "17",
            "2.1",
            &["薛志勇", "陈志刚"],
            &["市工业和信息化局", "尉氏县"],
            "加快推进恒源棉业",
        ),
        (
            "52",
            "2.4",
            &["刘震", "肖文兴", "袁钢"],
            &["市商务局", "市民政局", "市文化广电旅游局", "市市场监管局"],
            "举办城市",
        ),
        (
            "144",
            "2.10",
            &["肖文兴", "薛志勇"],
            &[
                "市住房城乡建设局",
                "市资源规划局",
                "市金融局",
                "中国人民银行开封市分行",
                "国家金融监督管理总局开封监管分局",
                "各县区",
            ],
            "建立房地产融资",
        ),
        (
            "153",
            "2.10",
            &["邵华"],
            &["市委网信办"],
            "健全网络综合治理",
        ),
    ];
    for (seq, path, want_leaders, want_units, text) in cases {
        let t = task(&doc, seq);
        assert_eq!(t.category_path.as_deref(), Some(*path), "task {seq}");
        assert_eq!(leaders(t), *want_leaders, "task {seq}");
        assert_eq!(units(t), *want_units, "task {seq}");
        assert!(t.text.starts_with(text), "task {seq}: {}", t.text);
    }
    assert!(task(&doc, "17").text.contains("技术改造等项目建设"));
    let first = &task(&doc, "1").leaders[0].name;
    assert_eq!(
        (first.post.as_deref(), first.name.as_deref()),
        (Some("常务副市长"), None)
    );
    let liu = &task(&doc, "52").leaders[0].name;
    assert_eq!(
        (liu.name.as_deref(), liu.as_written.as_str()),
        (Some("刘震"), "刘 震")
    );
    let t13 = task(&doc, "13");
    assert!(!t13.units[0].name.is_local && t13.units[1].name.is_local);
    assert!(
        t13.leaders
            .iter()
            .all(|l| l.role == LeaderRole::Responsible)
    );
    assert!(t13.units.iter().all(|u| u.role == UnitRole::Responsible));
    let collective = &task(&doc, "144").units[5].name;
    assert!(collective.collective && collective.is_local);
    let t8 = task(&doc, "8");
    assert_eq!(t8.indicators.len(), 1);
    assert_eq!(
        (
            t8.indicators[0].value.as_str(),
            t8.indicators[0].unit.as_str()
        ),
        ("6.24", "万人")
    );
    assert_eq!(t8.indicators[0].phrase, "城镇新增就业6.24万人");
}

#[test]
fn livelihood_2022_header_and_counts() {
    let doc = parse(LIVELIHOOD_2022).unwrap();
    let h = &doc.header;
    assert_eq!(h.doc_number.as_deref(), Some("汴政办〔2022〕15号"));
    assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2022, 3, 21));
    assert_eq!(h.kind, DocumentKind::Livelihood);
    assert_eq!(h.declared_total, Some(63));
    let schedule = h.schedule.as_ref().unwrap();
    assert_eq!(
        (schedule.kind, schedule.day_of_month),
        (ScheduleKind::Monthly, Some(28))
    );
    assert_eq!(doc.tasks.len(), 63);
    assert_eq!(doc.categories.len(), 8);
    let declared: Vec<Option<i32>> = doc.categories.iter().map(|c| c.declared_count).collect();
    assert_eq!(declared, [3, 7, 11, 15, 5, 3, 4, 15].map(Some));
    assert!(
        doc.warnings.is_empty(),
        "no count warning expected: {:#?}",
        doc.warnings
    );
}

#[test]
fn livelihood_2022_item_by_item() {
    let doc = parse(LIVELIHOOD_2022).unwrap();
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        ("1", "1", &["王秋杰"], &["市人力资源社会保障局"]),
        (
            "4",
            "2",
            &["付磊", "钱忠宝"],
            &[
                "市交通运输局",
                "市发展改革委",
                "兰考县",
                "杞县",
                "尉氏县",
                "通许县",
            ],
        ),
        ("11", "3", &["刘震"], &["市教育体育局"]),
        ("38", "5", &["马中虎"], &["市政务服大数据局"]),
        (
            "39",
            "5",
            &["付磊", "黄玉国", "马中虎"],
            &[
                "市发展改革委",
                "市政务服务大数据局",
                "市资源规划局",
                "市住房城乡建设局",
            ],
        ),
        (
            "58",
            "8",
            &["钱忠宝", "王玲"],
            &["市生态环境局", "市农业农村局", "各县区"],
        ),
        (
            "63",
            "8",
            &["付磊", "钱忠宝"],
            &[
                "市生态环境局",
                "市发展改革委",
                "市农业农村局",
                "市资源规划局",
            ],
        ),
    ];
    for (seq, path, want_leaders, want_units) in cases {
        let t = task(&doc, seq);
        assert_eq!(t.category_path.as_deref(), Some(*path), "task {seq}");
        assert_eq!(leaders(t), *want_leaders, "task {seq}");
        assert_eq!(units(t), *want_units, "task {seq}");
    }
    let t10 = task(&doc, "10");
    let charging: Vec<(&str, &str, Comparator)> = t10
        .indicators
        .iter()
        .map(|i| (i.value.as_str(), i.unit.as_str(), i.comparator))
        .collect();
    assert_eq!(
        charging,
        [
            ("700", "个", Comparator::Exactly),
            ("30", "个", Comparator::AtLeast)
        ]
    );
    assert_eq!(
        task(&doc, "16").indicators[0].comparator,
        Comparator::AtMost
    );
}

#[test]
fn a_text_without_a_task_list_is_refused() {
    assert_eq!(parse(WORK_REPORT_2020).unwrap_err(), ParseError::NoTaskList);
    assert_eq!(parse("  \n\n ").unwrap_err(), ParseError::Empty);
    assert_eq!(
        parse("PK\u{3}\u{4}\0\0binary").unwrap_err(),
        ParseError::NotText
    );
    let huge = "一".repeat(MAX_TEXT_BYTES / 3 + 1);
    assert!(matches!(parse(&huge), Err(ParseError::TooLarge(_))));
}

#[test]
fn a_declared_total_that_does_not_match_is_a_warning_naming_both_numbers() {
    let text = LIVELIHOOD_2022
        .replace("（共 63 项）", "（共 64 项）")
        .replace("（3 项）", "（4 项）");
    let doc = parse(&text).unwrap();
    let messages: Vec<&str> = doc.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("declares 64") && m.contains("63 were found")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("declares 4 items but 3 were found")),
        "{messages:?}"
    );
    assert!(doc.warnings.iter().all(|w| w.line > 0));
}
