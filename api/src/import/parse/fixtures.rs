//! The parser against real notices (`api/fixtures`) item by item, and against notices of the
//! same family written for these tests, which use the forms the real ones do not: the list in
//! the body, an attachment that is not a task list, 牵头/配合 roles, role blocks shared by
//! several items, inline sub-points, headings that are tasks, items without role lines, wrong
//! declared counts, `1、` numbering, half-width punctuation and end-of-month deadlines.

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

/// A notice with the list in its body, followed by an attachment that is a list of units.
const IN_BODY: &str = "开封市人民政府文件

汴政〔2025〕7号

开封市人民政府
关于做好2025年重点民生实事的通知

各县、区人民政府，市人民政府各部门：

现将2025年重点民生实事分解如下，请于 8 月底、9 月底、12 月底前将进展情况报送市政府督查局。

一、就业增收(2项)

1、新增城镇就业不少于5万人。

2、开展职业技能培训8万人次以上。

牵头领导：常务副市长

牵头单位：市人力资源社会保障局

配合单位：市财政局、市教育体育局，各县（区）人民政府

二、教育提质（4 项）

(一)扩大学前教育资源

责任领导: 刘 震

责任单位: 市教育体育局

3、实施义务教育薄弱环节改善工程，一是新建学校10所；二是改扩建学校20所；三是新增学位8000个。

责任领导：刘震、王 玲

责任单位：市教育体育局、市发展和改革委员会，杞县、通许县

4、推进智慧校园建设。

三、城市更新（1项）

5. 改造老旧小区333个。

责任领导：各位副市长

责任单位：市住房城乡建设局（市人防办）、各县区

联系人：张三 电话：0371-23859529

2025年1月10日

附件

需报送材料的单位名单

1. 市发展和改革委员会

2. 市财政局
";

#[test]
fn a_notice_of_the_family_never_seen_before() {
    let doc = parse(IN_BODY).unwrap();
    let h = &doc.header;
    assert_eq!(h.doc_number.as_deref(), Some("汴政〔2025〕7号"));
    assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2025, 1, 10));
    let schedule = h.schedule.as_ref().unwrap();
    assert_eq!(schedule.kind, ScheduleKind::Dates);
    assert_eq!(schedule.dates.len(), 3);
    assert_eq!(
        schedule.dates[2],
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
    );

    // The attachment's numbered unit list is not part of the task list.
    let items: Vec<&str> = doc
        .tasks
        .iter()
        .filter(|t| t.parent_seq.is_none())
        .map(|t| t.seq.as_str())
        .collect();
    assert_eq!(items, ["1", "2", "(一)", "3", "4", "5"]);

    // One role block after two items applies to both, with 牵头 and 配合 roles.
    for seq in ["1", "2"] {
        let t = task(&doc, seq);
        assert_eq!(t.leaders[0].role, LeaderRole::Lead);
        assert_eq!(t.leaders[0].name.post.as_deref(), Some("常务副市长"));
        let roles: Vec<(String, UnitRole, bool)> = t
            .units
            .iter()
            .map(|u| (u.name.name.clone(), u.role, u.name.is_local))
            .collect();
        assert_eq!(
            roles,
            [
                ("市人力资源社会保障局".into(), UnitRole::Lead, false),
                ("市财政局".into(), UnitRole::Cooperating, false),
                ("市教育体育局".into(), UnitRole::Cooperating, false),
                ("各县（区）人民政府".into(), UnitRole::Cooperating, true),
            ]
        );
    }
    assert_eq!(
        task(&doc, "1").indicators[0].comparator,
        Comparator::AtLeast
    );

    // A heading followed directly by role lines is a task.
    let heading_task = task(&doc, "(一)");
    assert_eq!(heading_task.text, "扩大学前教育资源");
    assert_eq!(leaders(heading_task), ["刘震"]);
    assert_eq!(heading_task.category_path.as_deref(), Some("2"));

    // Inline sub-points become tasks under their item, sharing its role block.
    let subs: Vec<&ParsedTask> = doc
        .tasks
        .iter()
        .filter(|t| t.parent_seq.as_deref() == Some("3"))
        .collect();
    assert_eq!(subs.len(), 3);
    assert!(subs[0].text.starts_with("一是新建学校10所"));
    assert_eq!(subs[2].seq, "3-3");
    assert_eq!(leaders(subs[1]), ["刘震", "王玲"]);
    assert!(
        task(&doc, "3")
            .text
            .starts_with("实施义务教育薄弱环节改善工程")
    );

    // Item 4 has no role line: kept, and warned about.
    assert!(task(&doc, "4").units.is_empty());
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.message.contains("item 4 has no role line")),
        "{:#?}",
        doc.warnings
    );
    // 教育提质 declares 4 items; 3 were found: (一) is a task, and so are items 3 and 4 (the
    // sub-points of item 3 are tasks but not items of the count).
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.message.contains("declares 4 items but 3 were found")),
        "{:#?}",
        doc.warnings
    );
    let collective = task(&doc, "5");
    assert_eq!(
        collective.leaders[0].name.collective.as_deref(),
        Some("各位副市长")
    );
    assert_eq!(
        collective.units[0].name.sub_unit.as_deref(),
        Some("市人防办")
    );
    assert!(collective.units[1].name.collective);
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

/// A planning notice (谋划) in Markdown with bold labels, half-width colons, only second-level
/// headings, names on the line after their label and a single deadline.
const PLANNING: &str = "# 开封市人民政府办公室文件

汴政办〔2023〕41号

## 开封市人民政府办公室
## 关于做好2024年重点工作谋划的通知

各县、区人民政府，市人民政府各部门：

请各单位于2023年11月15日前将谋划材料报市政府督查局。

**（一）谋划重大项目**

1、谋划储备一批重大产业项目，总投资不低于500亿元。

2、争取中央预算内投资项目30个以上。

**牵头领导:**

常务副市长

**牵头单位:** 市发展和改革委员会

**配合单位:** 市财政局、 市自然资源
和规划局，各县、区人民政府

**（二）谋划民生实事**

3、谋划2024年民生实事不少于10件。

**责任领导:** 各位副市长

**责任单位:** 各单位

2023年10月20日
";

#[test]
fn a_planning_notice_in_markdown() {
    let doc = parse(PLANNING).unwrap();
    let h = &doc.header;
    assert_eq!(h.kind, DocumentKind::Planning);
    assert_eq!(h.doc_number.as_deref(), Some("汴政办〔2023〕41号"));
    assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2023, 10, 20));
    let schedule = h.schedule.as_ref().unwrap();
    assert_eq!(schedule.kind, ScheduleKind::Once);
    assert_eq!(
        schedule.dates,
        [NaiveDate::from_ymd_opt(2023, 11, 15).unwrap()]
    );

    let paths: Vec<&str> = doc.categories.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["1", "2"]);
    assert_eq!(doc.tasks.len(), 3);
    for seq in ["1", "2"] {
        let t = task(&doc, seq);
        assert_eq!(t.leaders[0].name.post.as_deref(), Some("常务副市长"));
        assert_eq!(t.leaders[0].role, LeaderRole::Lead);
        assert_eq!(
            units(t),
            [
                "市发展和改革委员会",
                "市财政局",
                "市自然资源和规划局",
                "各县区人民政府"
            ]
        );
        assert_eq!(t.units[0].role, UnitRole::Lead);
        assert!(t.units[3].name.collective && t.units[3].name.is_local);
    }
    let third = task(&doc, "3");
    assert_eq!(third.category_path.as_deref(), Some("2"));
    assert_eq!(
        third.leaders[0].name.collective.as_deref(),
        Some("各位副市长")
    );
    assert!(third.units[0].name.collective);
    assert_eq!(third.indicators[0].comparator, Comparator::AtLeast);
    assert!(doc.warnings.is_empty(), "{:#?}", doc.warnings);
}
