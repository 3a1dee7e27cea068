//! The parser against notices of the family it has never seen, written for these tests with
//! the forms the bundled ones do not use: the list in the body, an attachment that is not a task
//! list, 牵头/配合 roles, role blocks shared by several items, inline sub-points, headings that
//! are tasks, items without role lines, wrong declared counts, `1、` numbering, half-width
//! punctuation, Markdown labels, names on the line after their label, end-of-month and single
//! deadlines.

use chrono::NaiveDate;
use entity::enums::{Comparator, DocumentKind, LeaderRole, UnitRole};

use super::*;
use crate::documents::schedule::ScheduleKind;

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
