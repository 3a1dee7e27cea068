//! Task lists as tables: a Word table, an Excel sheet, a CSV file or a pasted pipe table. The
//! columns are found by their headers, never by their position: 序号; the task (工作任务, 重点任务,
//! 任务内容…, or 项目名称 with 建设内容 or 目标任务, joined `名称：内容`); leaders (any header with
//! 领导: 牵头… is LEAD, the others RESPONSIBLE); 牵头单位, 责任单位, 配合单位; 完成时限 or 完成时间;
//! a 类别 column.
//!
//! What is normal in such tables, and handled: a title row above the header; the header
//! repeated on every page; a table split in two by a page break (the second part with or without
//! its header); empty rows; category rows spanning the whole width (`一、教育（共2项）`); cells
//! merged down a column (the extractor repeats their text); notes under the table (`备注：…`),
//! which are read with the notice's body (they often state the reporting rule).

use std::sync::LazyLock;

use entity::enums::{LeaderRole, UnitRole};
use regex::Regex;

use super::categories::Tree;
use super::lines::fold;
use super::names::{split_leaders, split_units};
use super::notice::{Row, Table};
use super::{ParsedCategory, ParsedLeader, ParsedTask, ParsedUnit, Warning, deadline, indicators};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Seq,
    /// The task's text (工作任务), or its detail beside a name column (建设内容).
    Text,
    /// A project's name (项目名称), joined before the text.
    Name,
    Leader(LeaderRole),
    Unit(UnitRole),
    Deadline,
    Category,
    Other,
}

/// The columns of a task table.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The header's texts, to know the header again when a page repeats it.
    header: Vec<String>,
    seq: Option<usize>,
    name: Option<usize>,
    text: Option<usize>,
    leaders: Vec<(usize, LeaderRole)>,
    units: Vec<(usize, UnitRole)>,
    deadline: Option<usize>,
    category: Option<usize>,
}

/// What a header cell names.
fn classify(header: &str) -> Column {
    let h: String = fold(header)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if matches!(h.as_str(), "序号" | "编号" | "序" | "No." | "NO." | "no.") {
        Column::Seq
    } else if h.contains("领导") {
        Column::Leader(if h.contains("牵头") {
            LeaderRole::Lead
        } else {
            LeaderRole::Responsible
        })
    } else if has(&["配合", "协办", "协同", "参与单位"]) {
        Column::Unit(UnitRole::Cooperating)
    } else if has(&["牵头单位", "牵头部门", "主办单位", "牵头"]) {
        Column::Unit(UnitRole::Lead)
    } else if has(&[
        "责任单位",
        "责任部门",
        "承办单位",
        "实施单位",
        "责任主体",
        "承担单位",
    ]) {
        Column::Unit(UnitRole::Responsible)
    } else if has(&[
        "时限",
        "完成时间",
        "时间节点",
        "完成期限",
        "完成日期",
        "截止时间",
    ]) {
        Column::Deadline
    } else if has(&["类别", "类型", "分类", "领域", "板块"]) {
        Column::Category
    } else if (h.ends_with("名称") && h != "名称") || h == "项目" || h == "实事" {
        Column::Name
    } else if has(&[
        "任务",
        "工作内容",
        "建设内容",
        "主要内容",
        "具体内容",
        "年度目标",
        "工作措施",
        "内容",
        "目标",
    ]) {
        Column::Text
    } else {
        Column::Other
    }
}

/// The columns of a header row, if it is one: a task column (text or name) and at least one
/// of 序号, a leader or a unit column.
pub fn columns_of(row: &Row) -> Option<Columns> {
    if row.spans_row {
        return None;
    }
    let mut columns = Columns {
        header: row.cells.iter().map(|c| normalized(c)).collect(),
        seq: None,
        name: None,
        text: None,
        leaders: Vec::new(),
        units: Vec::new(),
        deadline: None,
        category: None,
    };
    for (i, cell) in row.cells.iter().enumerate() {
        match classify(cell) {
            Column::Seq => {
                columns.seq.get_or_insert(i);
            }
            Column::Text => {
                columns.text.get_or_insert(i);
            }
            Column::Name => {
                columns.name.get_or_insert(i);
            }
            Column::Leader(role) => columns.leaders.push((i, role)),
            Column::Unit(role) => columns.units.push((i, role)),
            Column::Deadline => {
                columns.deadline.get_or_insert(i);
            }
            Column::Category => {
                columns.category.get_or_insert(i);
            }
            Column::Other => {}
        }
    }
    // A data row is not a header, however its words read: headers hold no numbers
    // (`5 | 完成年度目标任务 | 李娜 | 各责任单位` is task 5).
    if row
        .cells
        .iter()
        .any(|c| !c.trim().is_empty() && c.trim().chars().all(|ch| ch.is_ascii_digit()))
    {
        return None;
    }
    let has_task = columns.text.is_some() || columns.name.is_some();
    let has_more =
        columns.seq.is_some() || !columns.leaders.is_empty() || !columns.units.is_empty();
    (has_task && has_more).then_some(columns)
}

/// A cell's text for comparing headers: folded, without spaces.
fn normalized(cell: &str) -> String {
    fold(cell).chars().filter(|c| !c.is_whitespace()).collect()
}

/// What reading the task tables of a notice gives.
#[derive(Debug, Default)]
pub struct Read {
    pub categories: Vec<ParsedCategory>,
    pub tasks: Vec<ParsedTask>,
    /// Rows that are not part of the list (titles, notes under it), as (line, text): the body
    /// of the notice goes on in them.
    pub other_lines: Vec<(usize, String)>,
    /// The lines the task rows take, for the header reader to leave out.
    pub list_lines: Vec<usize>,
}

static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*").expect("valid regex")
});
static SUB_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*").expect("valid regex")
});
static NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(备\s*注|注\s*[:：0-9１-９]|说\s*明|填表说明|附\s*注)").expect("valid regex")
});

/// Reads every task table of a notice, in order; `tables` are (first line, table). A table
/// that is not a task table and does not continue one is left to the body (`other_lines`).
pub fn read(tables: &[(usize, &Table)], year: Option<i32>, warnings: &mut Vec<Warning>) -> Read {
    let mut read = Read::default();
    let mut walk = Walk::default();
    let mut columns: Option<Columns> = None;
    let mut width = 0;
    for &(first_line, table) in tables {
        let header_at = table.rows.iter().position(|row| columns_of(row).is_some());
        // A part without a header continues the table before it when it is as wide.
        let continues = header_at.is_none()
            && columns.is_some()
            && table
                .rows
                .iter()
                .any(|r| !r.spans_row && r.cells.len() == width);
        let start = match (header_at, continues) {
            (Some(at), _) => {
                let found = columns_of(&table.rows[at]).expect("a header row");
                width = table.rows[at].cells.len();
                columns = Some(found);
                for (i, row) in table.rows[..at].iter().enumerate() {
                    if !row.is_blank() {
                        read.other_lines.push((first_line + i, row.as_line()));
                    }
                }
                at + 1
            }
            (None, true) => 0,
            (None, false) => {
                for (i, row) in table.rows.iter().enumerate() {
                    if !row.is_blank() {
                        read.other_lines.push((first_line + i, row.as_line()));
                    }
                }
                continue;
            }
        };
        let columns = columns.as_ref().expect("columns were found");
        for (i, row) in table.rows.iter().enumerate().skip(start) {
            let line = first_line + i;
            if row.is_blank() {
                continue;
            }
            let cells: Vec<String> = row.cells.iter().map(|c| normalized(c)).collect();
            if cells == columns.header {
                // The header again, on a new page.
                continue;
            }
            match spanning_text(row) {
                Some(text) if NOTE.is_match(&fold(text)) || looks_like_prose(text) => {
                    read.other_lines.push((line, text.to_owned()));
                }
                Some(text) => walk.category(text, line),
                None => {
                    if let Some(task) = walk.task(columns, row, line, year, warnings) {
                        read.list_lines.push(line);
                        read.tasks.push(task);
                    }
                }
            }
        }
    }
    read.categories = walk.tree.categories;
    read
}

/// The text of a row that is one cell across the whole width (a category, a title, a note):
/// a merged row, or a row with text in its first cell only.
fn spanning_text(row: &Row) -> Option<&str> {
    let first = row.cells.first()?.trim();
    if first.is_empty() {
        return None;
    }
    let rest_empty = row.cells.iter().skip(1).all(|c| c.trim().is_empty());
    (row.spans_row || (rest_empty && row.cells.len() > 1)).then_some(first)
}

/// A long sentence is a note, not a category.
fn looks_like_prose(text: &str) -> bool {
    text.chars().count() > 40 && (text.contains('。') || text.contains('；'))
}

/// Where reading the rows is: the categories so far and the current ones.
#[derive(Default)]
struct Walk {
    tree: Tree,
    /// The value of the 类别 column the current category came from.
    column_value: Option<String>,
    count: usize,
}

impl Walk {
    /// A category row: `一、…` at the top, `（一）…` under it, anything else at the top.
    fn category(&mut self, text: &str, line: usize) {
        let folded = fold(text);
        let (ordinal, rest, top_level) = if let Some(caps) = HEADING.captures(&folded) {
            (caps[1].to_owned(), cut(text, caps[0].chars().count()), true)
        } else if let Some(caps) = SUB_HEADING.captures(&folded) {
            let ordinal = format!("（{}）", &caps[1]);
            (
                ordinal,
                cut(text, caps[0].chars().count()),
                self.tree.top.is_none(),
            )
        } else {
            (String::new(), text.trim().to_owned(), true)
        };
        self.tree.add(ordinal, &rest, line, top_level);
    }

    /// A task row, or `None` (with a warning) for a row without a task text.
    fn task(
        &mut self,
        columns: &Columns,
        row: &Row,
        line: usize,
        year: Option<i32>,
        warnings: &mut Vec<Warning>,
    ) -> Option<ParsedTask> {
        let cell = |i: Option<usize>| i.and_then(|i| row.cells.get(i)).map_or("", |c| c.trim());
        if let Some(value) = columns
            .category
            .map(|i| cell(Some(i)))
            .filter(|v| !v.is_empty())
            && self.column_value.as_deref() != Some(value)
        {
            self.column_value = Some(value.to_owned());
            self.category(value, line);
        }
        let name = join_lines(cell(columns.name));
        let detail = join_lines(cell(columns.text));
        let text = match (name.is_empty(), detail.is_empty()) {
            (false, false) => format!("{name}：{detail}"),
            (false, true) => name,
            (true, _) => detail,
        };
        if text.is_empty() {
            warnings.push(Warning {
                line,
                message: "a table row without a task text; skipped".to_owned(),
            });
            return None;
        }
        self.count += 1;
        let seq = cell(columns.seq)
            .trim_end_matches(['.', '、', '．'])
            .trim()
            .to_owned();
        let seq = if seq.is_empty() {
            self.count.to_string()
        } else {
            seq
        };
        let leaders = columns
            .leaders
            .iter()
            .flat_map(|&(i, role)| {
                split_leaders(cell(Some(i)))
                    .into_iter()
                    .map(move |name| ParsedLeader { name, role })
            })
            .collect();
        let units = columns
            .units
            .iter()
            .flat_map(|&(i, role)| {
                split_units(&cell(Some(i)).replace('\n', "、"))
                    .into_iter()
                    .map(move |name| ParsedUnit { name, role })
            })
            .collect();
        let deadline = match columns.deadline {
            Some(i) => deadline::read(cell(Some(i)), year),
            None => deadline::find_in_text(&text, year),
        };
        let category_path = self.tree.current().map(|c| c.path.clone());
        Some(ParsedTask {
            seq,
            parent_seq: None,
            category_path,
            indicators: indicators::find(&text),
            text,
            line,
            leaders,
            units,
            deadline: deadline.date,
            deadline_as_written: deadline.as_written,
        })
    }
}

/// `text` without its first `chars` characters, trimmed.
fn cut(text: &str, chars: usize) -> String {
    text.chars()
        .skip(chars)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A cell's lines as one text: joined without a space between Chinese characters (a wrapped
/// line), with one between others.
fn join_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let cjk_join = out.chars().last().is_some_and(|c| !c.is_ascii())
            || line.chars().next().is_some_and(|c| !c.is_ascii());
        if !out.is_empty() && !cjk_join {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            rows: rows
                .iter()
                .map(|cells| Row::of(cells.iter().copied()))
                .collect(),
        }
    }

    #[test]
    fn headers_are_found_by_name_in_any_order() {
        let header = Row::of([
            "完成时限",
            "牵头单位",
            "工作任务",
            "责任领导",
            "序号",
            "配合单位",
            "备注",
        ]);
        let columns = columns_of(&header).expect("a header");
        assert_eq!(columns.text, Some(2));
        assert_eq!(columns.seq, Some(4));
        assert_eq!(columns.deadline, Some(0));
        assert_eq!(
            columns.units,
            [(1, UnitRole::Lead), (5, UnitRole::Cooperating)]
        );
        assert_eq!(columns.leaders, [(3, LeaderRole::Responsible)]);
        assert!(columns_of(&Row::of(["序号", "名称", "备注"])).is_none());
        // A data row whose words read like headers is not a header.
        assert!(columns_of(&Row::of(["5", "完成年度目标任务", "李娜", "各责任单位"])).is_none());
        // `项目建设内容` is the text beside the name, not a second name.
        let columns = columns_of(&Row::of(["序号", "项目名称", "项目建设内容"])).unwrap();
        assert_eq!((columns.name, columns.text), (Some(1), Some(2)));
        assert!(columns_of(&Row::of(["东湖区2025年十项民生实事任务分解表"])).is_none());
    }

    #[test]
    fn rows_become_categories_and_tasks() {
        let mut rows = table(&[
            &["2025年重点任务分解表", "", "", ""],
            &["序号", "项目名称", "建设内容", "责任单位"],
            &["一、教育（共2项）", "", "", ""],
            &["1", "学位扩容", "新增学位\n1200个。", "区教育局"],
            &["", "", "", ""],
            &["序号", "项目名称", "建设内容", "责任单位"],
            &["2", "午餐工程", "全覆盖。", "区教育局\n区市场监管局"],
            &["备注：各责任单位于每月25日前报送进展情况。", "", "", ""],
        ]);
        rows.rows[2].spans_row = true;
        let mut warnings = Vec::new();
        let read = read(&[(10, &rows)], Some(2025), &mut warnings);
        assert_eq!(read.categories.len(), 1);
        assert_eq!(read.categories[0].title, "教育");
        assert_eq!(read.categories[0].declared_count, Some(2));
        assert_eq!(read.tasks.len(), 2);
        assert_eq!(read.tasks[0].text, "学位扩容：新增学位1200个。");
        assert_eq!(read.tasks[0].line, 13);
        assert_eq!(read.tasks[1].units.len(), 2);
        assert_eq!(read.tasks[1].category_path.as_deref(), Some("1"));
        assert_eq!(
            read.other_lines,
            [
                (10, "2025年重点任务分解表".to_owned()),
                (17, "备注：各责任单位于每月25日前报送进展情况。".to_owned())
            ]
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_second_part_without_its_header_continues_the_table() {
        let first = table(&[&["序号", "工作任务", "责任单位"], &["1", "甲", "区财政局"]]);
        let second = table(&[&["2", "乙", "区教育局"]]);
        let read = read(&[(1, &first), (5, &second)], Some(2025), &mut Vec::new());
        assert_eq!(read.tasks.len(), 2);
        assert_eq!(read.tasks[1].seq, "2");
    }
}
