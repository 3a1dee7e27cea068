//! The importer against its corpus: every notice in `api/fixtures/notices/` (Word tables, Excel
//! sheets, CSV, Markdown tables, text in several grammars), read from its file as an upload is
//! and compared with `F.expected.json` beside it, task by task. A mismatch names the fixture,
//! the task and the field; all of them are listed, not only the first.

use std::path::Path;

use serde_json::{Value, json};

use crate::import::extract::notice_of;
use crate::import::parse::{ParsedDocument, parse_notice};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/notices");

/// The parse of a fixture in the expectation's shape.
fn actual(doc: &ParsedDocument) -> Value {
    let h = &doc.header;
    json!({
        "header": {
            "docNumber": h.doc_number,
            "title": h.title,
            "issuer": h.issuer,
            "issuedOn": h.issued_on.map(|d| d.to_string()),
            "schedule": h.schedule.as_ref().map(|s| json!({
                "kind": s.kind,
                "dayOfMonth": s.day_of_month,
                "dates": s.dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })),
            "leadRule": h.lead_rule.as_ref().map(|r| json!({ "rest": r.rest, "sentence": r.sentence })),
        },
        "declaredTotal": h.declared_total,
        "categories": doc.categories.iter().map(|c| json!({
            "path": c.path, "ordinal": c.ordinal, "title": c.title, "declaredCount": c.declared_count,
        })).collect::<Vec<_>>(),
        "tasks": doc.tasks.iter().map(|t| json!({
            "seq": t.seq,
            "categoryPath": t.category_path,
            "text": t.text,
            "leaders": t.leaders.iter().map(|l| {
                l.name.name.clone().or(l.name.post.clone()).or(l.name.collective.clone())
            }).collect::<Vec<_>>(),
            "units": t.units.iter().map(|u| json!([u.name.name, u.role])).collect::<Vec<_>>(),
            "deadline": t.deadline.map(|d| d.to_string()),
            "deadlineAsWritten": t.deadline_as_written,
        })).collect::<Vec<_>>(),
    })
}

/// Every difference between what was read and what was expected, as lines.
fn differences(path: &str, actual: &Value, expected: &Value, out: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, expected) in e {
                let actual = a.get(key).unwrap_or(&Value::Null);
                differences(&format!("{path}.{key}"), actual, expected, out);
            }
        }
        (Value::Array(a), Value::Array(e))
            if path.ends_with("tasks") || path.ends_with("categories") =>
        {
            if a.len() != e.len() {
                out.push(format!("{path}: {} read, {} expected", a.len(), e.len()));
            }
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                let label = e
                    .get("seq")
                    .or(e.get("path"))
                    .map_or(i.to_string(), ToString::to_string);
                differences(&format!("{path}[{label}]"), a, e, out);
            }
        }
        (a, e) if a != e => out.push(format!("{path}: read {a}, expected {e}")),
        _ => {}
    }
}

#[test]
fn every_fixture_reads_as_expected() {
    let mut failures = Vec::new();
    let mut fixtures = 0;
    let mut tasks = 0;
    let mut entries: Vec<_> = std::fs::read_dir(DIR).unwrap().flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(file) = name.strip_suffix(".expected.json") else {
            continue;
        };
        fixtures += 1;
        let expected: Value =
            serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
        let bytes = std::fs::read(Path::new(DIR).join(file)).unwrap();
        let parsed = notice_of(file, &bytes)
            .map_err(|e| e.to_string())
            .and_then(|notice| parse_notice(&notice).map_err(|e| e.to_string()));
        let doc = match parsed {
            Ok(doc) => doc,
            Err(err) => {
                failures.push(format!("{file}: {err}"));
                continue;
            }
        };
        tasks += doc.tasks.len();
        let mut found = Vec::new();
        for key in ["header", "declaredTotal", "categories", "tasks"] {
            differences(key, &actual(&doc)[key], &expected[key], &mut found);
        }
        failures.extend(found.into_iter().map(|d| format!("{file}: {d}")));
    }
    assert!(fixtures >= 10, "only {fixtures} fixtures");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(tasks > 100, "{tasks} tasks");
}
