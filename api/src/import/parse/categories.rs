//! The category tree a task list builds as its headings come, shared by the line reader
//! (`list`) and the table reader (`table`): paths by position (`2`, `2.1`), the current top-level
//! and second-level category, and a counter of children per parent, so that adding a category
//! costs the same however many came before.

use std::collections::HashMap;

use super::ParsedCategory;
use super::list::split_declared_count;

#[derive(Default)]
pub(super) struct Tree {
    pub categories: Vec<ParsedCategory>,
    /// The current top-level and second-level category (indexes into `categories`).
    pub top: Option<usize>,
    pub sub: Option<usize>,
    /// How many children each category path has so far (`""`: the top level).
    children: HashMap<String, usize>,
}

impl Tree {
    /// The category a task read now belongs to.
    pub fn current(&self) -> Option<&ParsedCategory> {
        self.sub.or(self.top).map(|i| &self.categories[i])
    }

    /// Adds a heading (`text` may end with its declared count, `（共3项）`) at the top or under
    /// the current top-level category; it becomes the current one. Returns its index.
    pub fn add(&mut self, ordinal: String, text: &str, line: usize, top_level: bool) -> usize {
        let (title, declared_count) = split_declared_count(text);
        let parent = match (top_level, self.top) {
            (false, Some(top)) => self.categories[top].path.clone(),
            _ => String::new(),
        };
        let siblings = self.children.entry(parent.clone()).or_default();
        *siblings += 1;
        let path = if parent.is_empty() {
            siblings.to_string()
        } else {
            format!("{parent}.{siblings}")
        };
        self.categories.push(ParsedCategory {
            path,
            ordinal,
            title,
            declared_count,
            line,
        });
        let index = self.categories.len() - 1;
        if top_level {
            self.top = Some(index);
            self.sub = None;
        } else {
            self.sub = Some(index);
        }
        index
    }

    /// Takes the last category added back (a heading that turned out to be a task): its number
    /// is free again, and it is no longer the current one.
    pub fn remove(&mut self, index: usize) -> ParsedCategory {
        let category = self.categories.remove(index);
        let parent = category
            .path
            .rsplit_once('.')
            .map_or(String::new(), |(parent, _)| parent.to_owned());
        if let Some(count) = self.children.get_mut(&parent) {
            *count = count.saturating_sub(1);
        }
        if self.sub == Some(index) {
            self.sub = None;
        } else if self.top == Some(index) {
            self.top = None;
        }
        category
    }
}
