//! The task list: where it is, its category tree and its tasks.
//!
//! The list is found by content, not by position. Its items carry role lines (责任领导 …); the
//! notice's own numbered paragraphs (一、高度重视 …) and other attachments do not. The list
//! starts at the headings and items just before the first role line and ends after the last
//! one (plus any items that go on numbering after it).
//!
//! A role block (consecutive role lines) applies to every item since the previous block, and
//! to each inline sub-point (一是 … 二是 …), which becomes a task of its own under its item. A
//! heading followed directly by role lines is itself a task.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use entity::enums::{LeaderRole, UnitRole};
use regex::Regex;

use super::categories::Tree;
use super::lines::{Block, BlockKind, RoleLabel, fold};
use super::names::{split_leaders, split_units};
use super::{
    ParsedCategory, ParsedHeader, ParsedLeader, ParsedTask, ParsedUnit, Warning, indicators,
};

/// The blocks that make up the task list, or `None` when no block is a role line.
pub fn find_region(blocks: &[Block]) -> Option<Range<usize>> {
    // A 完成时限 line alone does not make a list; the people and units do.
    let assigns =
        |b: &Block| matches!(b.kind, BlockKind::Role(label) if label != RoleLabel::Deadline);
    let first_role = blocks.iter().position(assigns)?;
    let last_role = blocks.iter().rposition(assigns)?;
    // Walk back from the first role line over the items and headings it belongs to.
    let mut start = first_role;
    while start > 0
        && matches!(
            blocks[start - 1].kind,
            BlockKind::Item { .. } | BlockKind::Heading { .. } | BlockKind::SubHeading { .. }
        )
    {
        start -= 1;
    }
    if start == first_role {
        // Role lines with nothing before them to apply to: not a task list.
        return None;
    }
    // Items that go on numbering after the last role line still belong to the list.
    let mut end = last_role + 1;
    let mut last_seq = blocks[..=last_role].iter().rev().find_map(item_number);
    while let Some(block) = blocks.get(end) {
        match (item_number(block), last_seq) {
            (Some(n), Some(prev)) if n == prev + 1 => {
                last_seq = Some(n);
                end += 1;
            }
            _ => break,
        }
    }
    // So do headings after it that carry a task's body rather than a title (`（四）持续办好…。
    // 围绕…`), and the role lines under them.
    while let Some(block) = blocks.get(end) {
        match block.kind {
            BlockKind::Heading { .. } | BlockKind::SubHeading { .. } if has_body(&block.text) => {
                end += 1;
            }
            BlockKind::Role(_) if end > last_role => end += 1,
            _ => break,
        }
    }
    Some(start..end)
}

/// A heading's text that is a task's body: sentences, not a title.
fn has_body(text: &str) -> bool {
    let text = text.trim_end_matches(['。', '；']);
    text.contains('。') || text.chars().count() > 40
}

fn item_number(block: &Block) -> Option<u32> {
    match &block.kind {
        BlockKind::Item { seq } => seq.parse().ok(),
        _ => None,
    }
}

/// Where the walk through the list is.
#[derive(Default)]
struct Cursor {
    tree: Tree,
    tasks: Vec<ParsedTask>,
    /// Tasks waiting for a role block.
    pending: Vec<usize>,
    /// Tasks the current role block applies to.
    targets: Vec<usize>,
    /// Headings not yet followed by anything: one followed directly by role lines is a task.
    open_heading: Option<usize>,
    /// Tasks left without a role block: a heading came before one did.
    orphans: Vec<usize>,
    /// Set while the top level is made of `（一）` headings, because the list has no `一、`.
    sub_headings_on_top: bool,
    /// The item the lines since belong to: a later `三是…` line is one of its sub-points.
    last_item: Option<String>,
    /// How many sub-points each item has so far.
    sub_points: HashMap<String, usize>,
}

impl Cursor {
    fn add_category(&mut self, ordinal: String, text: &str, line: usize, top_level: bool) {
        // A role block never reaches back across a heading.
        let orphans = std::mem::take(&mut self.pending);
        self.orphans.extend(orphans);
        self.open_heading = Some(self.tree.add(ordinal, text, line, top_level));
    }

    fn add_task(
        &mut self,
        seq: String,
        parent_seq: Option<String>,
        text: String,
        line: usize,
    ) -> usize {
        let category_path = self.tree.current().map(|c| c.path.clone());
        self.tasks.push(ParsedTask {
            seq,
            parent_seq,
            category_path,
            indicators: indicators::find(&text),
            text,
            line,
            leaders: Vec::new(),
            units: Vec::new(),
            deadline: None,
            deadline_as_written: None,
        });
        let index = self.tasks.len() - 1;
        self.pending.push(index);
        index
    }
}

/// `聚焦高质量就业需求，破解就业难（3 项）` → (`聚焦高质量就业需求，破解就业难`, 3).
pub(super) fn split_declared_count(text: &str) -> (String, Option<i32>) {
    let folded = fold(text);
    let trimmed = folded.trim_end();
    if let Some(open) = trimmed.rfind('(')
        && trimmed.ends_with(')')
    {
        let inner = trimmed[open + 1..trimmed.len() - 1].trim();
        let inner = inner.strip_prefix('共').map_or(inner, str::trim);
        if let Some(number) = inner.strip_suffix('项').map(str::trim)
            && let Ok(count) = number.parse::<i32>()
        {
            let title_chars = folded[..open].chars().count();
            let title: String = text.chars().take(title_chars).collect();
            return (title.trim().to_owned(), Some(count));
        }
    }
    (text.trim().to_owned(), None)
}

/// Splits `…一是…；二是…；三是…` into the lead text and the sub-points, if there are at least two.
fn split_sub_points(text: &str) -> Option<(String, Vec<String>)> {
    const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut cuts = Vec::new();
    let mut from = 0;
    for numeral in NUMERALS {
        let marker = format!("{numeral}是");
        match text[from..].find(&marker) {
            Some(at) => {
                cuts.push(from + at);
                from += at + marker.len();
            }
            None => break,
        }
    }
    if cuts.len() < 2 {
        return None;
    }
    let lead = text[..cuts[0]].trim().to_owned();
    let mut points = Vec::new();
    for (i, cut) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).copied().unwrap_or(text.len());
        points.push(text[*cut..end].trim().to_owned());
    }
    Some((lead, points))
}

static SUB_POINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[一二三四五六七八九十]是").expect("valid regex"));

/// A heading that nothing followed and that reads as a task's body (`（四）持续办好…。围绕…`) is
/// a task without leaders or units (warned about as such), not a category.
fn heading_with_body_is_a_task(cursor: &mut Cursor) {
    let Some(heading) = cursor.open_heading else {
        return;
    };
    if !has_body(&cursor.tree.categories[heading].title) {
        return;
    }
    cursor.open_heading = None;
    let category = cursor.tree.remove(heading);
    cursor.add_task(category.ordinal, None, category.title, category.line);
}

/// Reads the categories and tasks of the list.
pub fn read(
    blocks: &[Block],
    warnings: &mut Vec<Warning>,
) -> (Vec<ParsedCategory>, Vec<ParsedTask>) {
    let mut cursor = Cursor::default();
    let mut previous_was_role = false;
    for block in blocks {
        let is_role = matches!(block.kind, BlockKind::Role(_));
        if is_role && !previous_was_role {
            // A new role block: it applies to everything since the previous one. A heading
            // directly above it, with no items, is a task itself.
            if cursor.pending.is_empty()
                && let Some(heading) = cursor.open_heading.take()
            {
                let category = cursor.tree.remove(heading);
                let seq = category.ordinal.clone();
                let text = category.title.clone();
                cursor.add_task(seq, None, text, category.line);
            }
            cursor.targets = std::mem::take(&mut cursor.pending);
        }
        previous_was_role = is_role;
        if matches!(
            block.kind,
            BlockKind::Heading { .. } | BlockKind::SubHeading { .. }
        ) {
            // A `（一）` under an open `一、` heading is its child: that heading stays a category,
            // however long its title.
            let child_of_open = matches!(block.kind, BlockKind::SubHeading { .. })
                && !cursor.sub_headings_on_top
                && cursor.open_heading.is_some()
                && cursor.open_heading == cursor.tree.top;
            if !child_of_open {
                heading_with_body_is_a_task(&mut cursor);
            }
            cursor.last_item = None;
        }
        match &block.kind {
            BlockKind::Heading { ordinal } => {
                cursor.sub_headings_on_top = false;
                cursor.add_category(ordinal.clone(), &block.text, block.line, true);
            }
            BlockKind::SubHeading { ordinal } => {
                // Without a `一、` heading above, `（一）` headings are the top level.
                if cursor.tree.top.is_none() {
                    cursor.sub_headings_on_top = true;
                }
                let top_level = cursor.sub_headings_on_top;
                cursor.add_category(ordinal.clone(), &block.text, block.line, top_level);
            }
            BlockKind::Item { seq } => {
                cursor.open_heading = None;
                cursor.last_item = Some(seq.clone());
                match split_sub_points(&block.text) {
                    Some((lead, points)) => {
                        cursor.add_task(
                            seq.clone(),
                            None,
                            if lead.is_empty() {
                                block.text.clone()
                            } else {
                                lead
                            },
                            block.line,
                        );
                        cursor.sub_points.insert(seq.clone(), points.len());
                        for (i, point) in points.into_iter().enumerate() {
                            cursor.add_task(
                                format!("{seq}-{}", i + 1),
                                Some(seq.clone()),
                                point,
                                block.line,
                            );
                        }
                    }
                    None => {
                        cursor.add_task(seq.clone(), None, block.text.clone(), block.line);
                    }
                }
            }
            BlockKind::Role(label) => {
                apply_role(&mut cursor, *label, &block.text, block.line, warnings);
            }
            // `三是…` on a line of its own, after its item's first sub-points: one more.
            BlockKind::Paragraph if SUB_POINT.is_match(&block.text) => {
                if let Some(seq) = cursor.last_item.clone() {
                    let n = cursor.sub_points.entry(seq.clone()).or_default();
                    *n += 1;
                    let n = *n;
                    cursor.add_task(
                        format!("{seq}-{n}"),
                        Some(seq.clone()),
                        block.text.clone(),
                        block.line,
                    );
                }
            }
            BlockKind::Paragraph | BlockKind::Attachment | BlockKind::Footer => {}
        }
    }
    heading_with_body_is_a_task(&mut cursor);
    for &i in cursor.orphans.iter().chain(&cursor.pending) {
        let task = &cursor.tasks[i];
        warnings.push(Warning {
            line: task.line,
            message: format!(
                "item {} has no role line (责任领导 / 责任单位); kept without leaders or units",
                task.seq
            ),
        });
    }
    (cursor.tree.categories, cursor.tasks)
}

fn apply_role(
    cursor: &mut Cursor,
    label: RoleLabel,
    text: &str,
    line: usize,
    warnings: &mut Vec<Warning>,
) {
    if cursor.targets.is_empty() {
        warnings.push(Warning {
            line,
            message: "a role line with no item before it; ignored".to_owned(),
        });
        return;
    }
    if label == RoleLabel::Deadline {
        // The date is read with the notice's year, once the header is known.
        for &i in &cursor.targets {
            cursor.tasks[i].deadline_as_written = Some(text.trim().to_owned());
        }
        return;
    }
    let leader_role = match label {
        RoleLabel::LeadLeader => Some(LeaderRole::Lead),
        RoleLabel::ResponsibleLeader => Some(LeaderRole::Responsible),
        _ => None,
    };
    let unit_role = match label {
        RoleLabel::LeadUnit => Some(UnitRole::Lead),
        RoleLabel::ResponsibleUnit => Some(UnitRole::Responsible),
        RoleLabel::CooperatingUnit => Some(UnitRole::Cooperating),
        _ => None,
    };
    let leaders = leader_role.map(|role| {
        split_leaders(text)
            .into_iter()
            .map(|name| ParsedLeader { name, role })
            .collect::<Vec<_>>()
    });
    let units = unit_role.map(|role| {
        split_units(text)
            .into_iter()
            .map(|name| ParsedUnit { name, role })
            .collect::<Vec<_>>()
    });
    if leaders.as_ref().is_some_and(Vec::is_empty) || units.as_ref().is_some_and(Vec::is_empty) {
        warnings.push(Warning {
            line,
            message: "an empty role line".to_owned(),
        });
    }
    for &i in &cursor.targets {
        let task = &mut cursor.tasks[i];
        if let Some(leaders) = &leaders {
            task.leaders.extend(leaders.iter().cloned());
        }
        if let Some(units) = &units {
            task.units.extend(units.iter().cloned());
        }
    }
}

/// Compares the counts the notice states with what was found; a mismatch is a warning naming
/// both numbers.
pub fn check_counts(
    header: &ParsedHeader,
    categories: &[ParsedCategory],
    tasks: &[ParsedTask],
    warnings: &mut Vec<Warning>,
) {
    // Sub-points are tasks of their own but not items of the count.
    let items: Vec<&ParsedTask> = tasks.iter().filter(|t| t.parent_seq.is_none()).collect();
    let mut per_category: HashMap<&str, i32> = HashMap::new();
    for task in &items {
        if let Some(path) = &task.category_path {
            // A task counts for its category and every category above it.
            let mut prefix = path.as_str();
            loop {
                *per_category.entry(prefix).or_default() += 1;
                match prefix.rfind('.') {
                    Some(dot) => prefix = &prefix[..dot],
                    None => break,
                }
            }
        }
    }
    for category in categories {
        if let Some(declared) = category.declared_count {
            let found = per_category
                .get(category.path.as_str())
                .copied()
                .unwrap_or(0);
            if found != declared {
                warnings.push(Warning {
                    line: category.line,
                    message: format!(
                        "category {}、{} declares {declared} items but {found} were found",
                        category.ordinal, category.title
                    ),
                });
            }
        }
    }
    if let Some(declared) = header.declared_total {
        let found = items.len() as i32;
        if found != declared {
            warnings.push(Warning {
                line: categories.first().map_or(1, |c| c.line),
                message: format!(
                    "the notice declares {declared} items in all but {found} were found"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn a_long_heading_with_its_own_sub_headings_stays_a_category() {
        let text = "附件\n一、坚持稳中求进，推动经济持续回升向好。全年主要预期目标如下，各单位要抓好落实。\n\
                    （一）扩大有效投资\n1. 实施重点项目100个。\n责任单位：市发展改革委\n\
                    二、保障和改善民生\n2. 新增就业1万人。\n责任单位：市人力资源社会保障局";
        let doc = parse(text).unwrap();
        let paths: Vec<&str> = doc.categories.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["1", "1.1", "2"], "{:#?}", doc.categories);
        assert_eq!(doc.tasks.len(), 2);
        assert_eq!(doc.tasks[0].category_path.as_deref(), Some("1.1"));
    }
}
