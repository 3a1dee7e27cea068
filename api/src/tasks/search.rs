//! Searching tasks by their words (`filter: { search }`): the tasks whose text holds the words as
//! written, or whose sequence number is the words.
//!
//! On PostgreSQL a trigram index serves `text LIKE '%…%'` (migration 30), but only for words
//! from which `pg_trgm` can take a trigram: a run of three letters or digits. For shorter words
//! the index can only be read whole, and a plan made without the words (a prepared statement's
//! generic plan) would read it so: measured on a province's 100,000 tasks, a search for 养老 went
//! from 31 to 75 ms. Such words are therefore asked as `strpos`, which no index serves, so that
//! they are the scan of every task they always were. Both forms find the same tasks (the test
//! `search.rs` runs every case on both backends).

use entity::tasks;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend};

use crate::validation::like_pattern;

/// The tasks matching `words` (trimmed, not empty).
pub fn condition(backend: DatabaseBackend, words: &str) -> Condition {
    let in_text = if backend == DatabaseBackend::Postgres && !has_trigram(words) {
        // Unqualified, as the LIKE is: the condition reads the tasks of whatever query holds it.
        Expr::cust_with_values(r#"strpos("text", $1) > 0"#, [words])
    } else {
        Expr::col(tasks::Column::Text).like(LikeExpr::new(like_pattern(words)).escape('\\'))
    };
    Condition::any()
        .add(in_text)
        .add(tasks::Column::Seq.eq(words))
}

/// Whether `pg_trgm` can take a trigram from `words` in a `LIKE '%…%'`: three letters or digits
/// in a row (it splits words at anything else, and a pattern's run is not padded at wildcards).
/// Rust's idea of a letter is Unicode's, as is PostgreSQL's in a UTF-8 locale; where they differ
/// the search is slower, never wrong.
fn has_trigram(words: &str) -> bool {
    let mut run = 0;
    for c in words.chars() {
        run = if c.is_alphanumeric() { run + 1 } else { 0 };
        if run == 3 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_three_letters_or_digits_in_a_row() {
        for words in ["中试基地", "养老床", "100", "line 3x9", "完善7%中试基"] {
            assert!(has_trigram(words), "{words}");
        }
        for words in ["养老", "老", "7%左右", "a b c", "%_", "地铁 3号", ""] {
            assert!(!has_trigram(words), "{words}");
        }
    }
}
