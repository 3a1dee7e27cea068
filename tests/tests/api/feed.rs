//! The change feed (`changes`): the events log in pages read with a stored cursor, each event
//! once, in order, scoped like the `events` subscription, across two server instances.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

const CHANGES: &str = "query($after: String, $first: Int!) {
    changes(after: $after, first: $first) { endCursor hasMore
      changes { sequence kind entityType entityId unit { name } task { seq } } } }";

/// The ids of the stored events, in order.
async fn stored(app: &TestApp) -> Vec<i64> {
    app.db
        .query_all(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM events ORDER BY id",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<i64>("", "id").unwrap())
        .collect()
}

/// Reads the feed from `cursor` to its end in pages of `first`, returning the events and the
/// cursor to keep. Waits (briefly) for the relay's horizon to reach `until`, when given.
async fn drain(
    app: &TestApp,
    token: &str,
    cursor: Option<String>,
    first: i64,
    until: Option<i64>,
) -> (Vec<Value>, Option<String>) {
    let mut cursor = cursor;
    let mut seen = Vec::new();
    for _ in 0..400 {
        let page = app
            .gql(
                Some(token),
                CHANGES,
                json!({ "after": cursor, "first": first }),
            )
            .await;
        let page = page.data("/changes").clone();
        seen.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = Some(page["endCursor"].as_str().unwrap().to_owned());
        let end: i64 = cursor.as_deref().unwrap().parse().unwrap();
        if !page["hasMore"].as_bool().unwrap() && until.is_none_or(|u| end >= u) {
            return (seen, cursor);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the feed did not reach {until:?}");
}

fn sequences(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_feed_gives_each_change_once_in_order_to_whoever_may_read_it() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let periods = w.generate_periods(&app).await;
    let remind = "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }";
    for (task, unit) in [(&w.tasks[0], &w.unit_a), (&w.tasks[1], &w.unit_b)] {
        app.gql(
            Some(&w.bureau),
            remind,
            json!({ "i": { "taskId": task, "periodId": periods[0], "unitId": unit, "message": "请按时报送" } }),
        )
        .await
        .data("/sendReminder/reminder/id");
    }
    let all = stored(&app).await;
    let newest = *all.last().unwrap();

    // The bureau reads everything, in pages of 3: every stored event once, in order.
    let (bureau, cursor) = drain(&app, &w.bureau, None, 3, Some(newest)).await;
    assert_eq!(sequences(&bureau), all);
    assert_eq!(cursor.as_deref(), Some(newest.to_string().as_str()));
    // The same with one large page; and for the machine account.
    let (service, _) = drain(&app, &w.service_token, None, 500, Some(newest)).await;
    assert_eq!(sequences(&service), all);

    // Unit A hears the reminder to A, not the one to B, and nothing of the registry.
    let (unit_a, unit_cursor) = drain(&app, &w.unit_a_token, None, 2, Some(newest)).await;
    let reminders: Vec<&Value> = unit_a
        .iter()
        .filter(|e| e["kind"] == "REMINDER_SENT")
        .collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0]["unit"]["name"], "市发展和改革委员会");
    assert!(unit_a.iter().all(|e| e["entityType"] != "UNIT"));
    assert!(sequences(&unit_a).windows(2).all(|w| w[0] < w[1]));
    // Its cursor moved past what it may not read: it ends where the bureau's does.
    assert_eq!(unit_cursor, cursor);
    // 刘震 hears his tasks' events (tasks 1 and 2), not 王玲's task 3.
    let (liu, _) = drain(&app, &w.liu_token, None, 50, Some(newest)).await;
    let seqs: BTreeSet<&str> = liu
        .iter()
        .filter_map(|e| e["task"]["seq"].as_str())
        .collect();
    assert_eq!(seqs, BTreeSet::from(["1", "2"]));

    // A stored cursor: nothing new, then exactly the new change.
    let (none, same) = drain(&app, &w.unit_a_token, unit_cursor.clone(), 10, None).await;
    assert!(none.is_empty());
    assert_eq!(same, unit_cursor);
    app.gql(
        Some(&w.bureau),
        remind,
        json!({ "i": { "taskId": w.tasks[0], "periodId": periods[1], "unitId": w.unit_a, "message": "二季度请提前准备" } }),
    )
    .await
    .data("/sendReminder/reminder/id");
    let newest = *stored(&app).await.last().unwrap();
    let (new, _) = drain(&app, &w.unit_a_token, unit_cursor, 10, Some(newest)).await;
    assert_eq!(sequences(&new), [newest]);

    // Bad requests.
    for (variables, code) in [
        (json!({ "after": "abc", "first": 10 }), "BAD_USER_INPUT"),
        (json!({ "after": "-5", "first": 10 }), "BAD_USER_INPUT"),
        (json!({ "first": 0 }), "BAD_USER_INPUT"),
        (json!({ "first": 501 }), "BAD_USER_INPUT"),
    ] {
        app.gql(Some(&w.bureau), CHANGES, variables)
            .await
            .expect_error(code);
    }
    app.gql(None, CHANGES, json!({ "first": 10 }))
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn a_consumer_with_a_cursor_gets_exactly_what_two_instances_committed() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let second = app.spawn_second_instance().await;
    let periods = w.generate_periods(&app).await;
    let before = stored(&app).await;
    let (_, mut cursor) = drain(&app, &w.service_token, None, 500, before.last().copied()).await;
    let before = before.len();

    // Writers on both instances, at once, while the consumer reads alternately from each.
    let units = [&w.unit_a, &w.unit_b, &w.unit_c];
    let variables = |n: usize| {
        json!({ "i": { "taskId": w.tasks[n % 3], "periodId": periods[n % 2],
                       "unitId": units[n % 3], "message": format!("催办{n}") } })
    };
    let writers = async {
        for n in 0..12 {
            let instance = if n % 2 == 0 { &app } else { &second };
            futures_util::join!(
                remind(instance, &w.bureau, variables(2 * n)),
                remind(instance, &w.bureau, variables(2 * n + 1))
            );
        }
    };
    let mut read = Vec::new();
    let reader = async {
        for round in 0..12 {
            let instance = if round % 2 == 0 { &second } else { &app };
            let (events, next) = drain(instance, &w.service_token, cursor.clone(), 4, None).await;
            read.extend(events);
            cursor = next;
        }
    };
    futures_util::join!(writers, reader);
    let all = stored(&app).await;
    assert_eq!(all.len(), before + 24);
    let newest = *all.last().unwrap();
    let (rest, _) = drain(&second, &w.service_token, cursor, 7, Some(newest)).await;
    read.extend(rest);
    assert_eq!(sequences(&read), all[before..].to_vec());
}

async fn remind(instance: &TestApp, bureau: &str, variables: Value) {
    instance
        .gql(
            Some(bureau),
            "mutation($i: SendReminderInput!) { sendReminder(input: $i) { reminder { id } } }",
            variables,
        )
        .await
        .data("/sendReminder/reminder/id");
}
