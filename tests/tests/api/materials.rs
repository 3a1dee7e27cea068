//! Leaders owing material (issue 15): a planning call asks each vice mayor for a report on their
//! field and a project list by 10 March. 刘震's secretary sends it on the 9th from an account
//! linked to him, he sends a revision himself; 王玲 sends hers late on the 11th. Each leader
//! reads and hears only what is asked of them; units never see it; the bureau sees who sent
//! what, and the figures move with every step.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::{PASSWORD, World};

const REQUEST: &str = "mutation($i: RequestMaterialInput!) { requestMaterial(input: $i) {
    requests { id state dueOn leader { name } document { docNumber } } } }";
const SUBMIT: &str = "mutation($i: SubmitMaterialInput!) { submitMaterial(input: $i) {
    request { state } submission { version isLate } } }";
const LIST: &str = "query($f: MaterialFilterInput) { materialRequests(filter: $f) { totalCount
    nodes { title state leader { name } submissions { version text isLate submittedBy { username } } } } }";
const FIGURES: &str = "query($d: ID) { materialFigures(documentId: $d) { requested pending overdue submitted late } }";

async fn on_day(app: &TestApp, day: u32, who: &str) -> String {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap());
    match who {
        "bureau" => app.admin_token().await,
        name => app.login(name, PASSWORD).await.0,
    }
}

fn figures(requested: u64, pending: u64, overdue: u64, submitted: u64, late: u64) -> Value {
    json!({ "materialFigures": { "requested": requested, "pending": pending, "overdue": overdue,
                                  "submitted": submitted, "late": late } })
}

#[tokio::test]
async fn leaders_send_the_material_asked_of_them_and_only_they_and_the_bureau_see_it() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let bureau = w.bureau.as_str();
    let notice = app
        .gql(
            Some(bureau),
            "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
            json!({ "i": { "docNumber": "汴政办〔2026〕12号", "title": "关于报送2027年工作思路和重点项目的通知",
                           "kind": "PLANNING", "issuedOn": "2026-03-01" } }),
        )
        .await
        .data("/createDocument/document/id")
        .clone();
    let title = "分管领域2027年工作思路和重点项目清单";
    let ask = |leaders: Value, due: &str| json!({ "i": { "documentId": notice, "leaderIds": leaders, "title": title, "dueOn": due } });
    let both = json!([w.leader_liu, w.leader_wang]);

    // Only the bureau asks, for existing leaders, by a day not past.
    for token in [&w.liu_token, &w.unit_a_token, &w.service_token] {
        app.gql(Some(token), REQUEST, ask(both.clone(), "2026-03-10"))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, REQUEST, ask(both.clone(), "2026-03-10"))
        .await
        .expect_error("UNAUTHENTICATED");
    for bad in [
        ask(json!([]), "2026-03-10"),
        ask(both.clone(), "2026-02-27"),
        ask(json!([w.unit_a]), "2026-03-10"),
    ] {
        app.gql(Some(bureau), REQUEST, bad)
            .await
            .expect_error("BAD_USER_INPUT");
    }
    let asked = app
        .gql(Some(bureau), REQUEST, ask(both.clone(), "2026-03-10"))
        .await;
    let requests = asked.data("/requestMaterial/requests").clone();
    assert_eq!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (
                r["leader"]["name"].clone(),
                r["state"].clone(),
                r["dueOn"].clone()
            ))
            .collect::<Vec<_>>(),
        [
            (json!("刘震"), json!("PENDING"), json!("2026-03-10")),
            (json!("王玲"), json!("PENDING"), json!("2026-03-10")),
        ]
    );
    let (liu_request, wang_request) = (requests[0]["id"].clone(), requests[1]["id"].clone());
    // Asking again is the same request.
    let again = app
        .gql(Some(bureau), REQUEST, ask(both.clone(), "2026-03-10"))
        .await;
    assert_eq!(again.data("/requestMaterial/requests/0/id"), &liu_request);
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'material.request'")
            .await,
        2
    );

    // Who reads the requests.
    let count = |token: Option<&str>| {
        let token = token.map(str::to_owned);
        let app = &app;
        async move {
            app.gql(token.as_deref(), LIST, json!({}))
                .await
                .data("/materialRequests/totalCount")
                .clone()
        }
    };
    assert_eq!(count(Some(bureau)).await, 2);
    assert_eq!(count(Some(&w.service_token)).await, 2);
    assert_eq!(count(Some(&w.liu_token)).await, 1);
    assert_eq!(count(Some(&w.wang_token)).await, 1);
    app.gql(Some(&w.unit_a_token), LIST, json!({}))
        .await
        .expect_error("FORBIDDEN");
    app.gql(None, LIST, json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    let nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    let seen = app
        .gql(
            Some(&w.wang_token),
            nodes,
            json!({ "ids": [liu_request, wang_request] }),
        )
        .await;
    assert_eq!(seen.data("/nodes"), &json!([null, { "id": wang_request }]));
    let unit_seen = app
        .gql(
            Some(&w.unit_a_token),
            nodes,
            json!({ "ids": [liu_request] }),
        )
        .await;
    assert_eq!(unit_seen.data("/nodes"), &json!([null]));
    assert_eq!(
        app.gql(Some(bureau), FIGURES, json!({ "d": notice }))
            .await
            .data(""),
        &figures(2, 2, 0, 0, 0)
    );

    // 刘震's secretary works from an account linked to him.
    app.gql(
        Some(bureau),
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "username": "liumishu", "password": PASSWORD, "role": "LEADER", "leaderId": w.leader_liu } }),
    )
    .await
    .data("/createUser/user/id");
    let secretary = on_day(&app, 9, "liumishu").await;
    let send = |request: &Value, key: &str, text: &str| json!({ "i": { "requestId": request, "idempotencyKey": key, "text": text } });
    let sent = app
        .gql(
            Some(&secretary),
            SUBMIT,
            send(
                &liu_request,
                "liu-0001",
                "一、工作思路……二、重点项目清单（12个）",
            ),
        )
        .await;
    assert_eq!(
        sent.data("/submitMaterial"),
        &json!({ "request": { "state": "SUBMITTED" }, "submission": { "version": 1, "isLate": false } })
    );
    let retried = app
        .gql(
            Some(&secretary),
            SUBMIT,
            send(
                &liu_request,
                "liu-0001",
                "一、工作思路……二、重点项目清单（12个）",
            ),
        )
        .await;
    assert_eq!(retried.data("/submitMaterial/submission/version"), 1);

    // Nobody else sends it: other roles are refused, the other leader does not see it.
    let (bureau, unit_a, service, wang) = (
        on_day(&app, 9, "bureau").await,
        on_day(&app, 9, "fgw").await,
        on_day(&app, 9, "dashboard").await,
        on_day(&app, 9, "wangling").await,
    );
    for token in [&bureau, &unit_a, &service] {
        app.gql(Some(token), SUBMIT, send(&liu_request, "x-0001", "代报"))
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, SUBMIT, send(&liu_request, "x-0001", "代报"))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(Some(&wang), SUBMIT, send(&liu_request, "x-0001", "代报"))
        .await
        .expect_error("NOT_FOUND");
    app.gql(
        Some(&secretary),
        SUBMIT,
        send(&liu_request, "liu-0002", "  "),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    // 刘震 revises it himself.
    let liu = on_day(&app, 10, "liuzhen").await;
    // His page lists what he still owes: nothing, once his secretary sent it; 王玲's lists hers.
    let awaiting = "{ leaderPage { materialAwaiting { title state } } }";
    assert_eq!(
        app.gql(Some(&liu), awaiting, json!({}))
            .await
            .data("/leaderPage/materialAwaiting"),
        &json!([])
    );
    assert_eq!(
        app.gql(
            Some(&on_day(&app, 10, "wangling").await),
            awaiting,
            json!({})
        )
        .await
        .data("/leaderPage/materialAwaiting"),
        &json!([{ "title": title, "state": "PENDING" }])
    );
    let revised = app
        .gql(
            Some(&liu),
            SUBMIT,
            send(
                &liu_request,
                "liu-0002",
                "一、工作思路（修改稿）……二、重点项目清单（13个）",
            ),
        )
        .await;
    assert_eq!(revised.data("/submitMaterial/submission/version"), 2);

    // The 11th: 王玲's is overdue, then late.
    let bureau = on_day(&app, 11, "bureau").await;
    assert_eq!(
        app.gql(Some(&bureau), FIGURES, json!({ "d": notice }))
            .await
            .data(""),
        &figures(2, 0, 1, 1, 0)
    );
    let overdue = app
        .gql(Some(&bureau), LIST, json!({ "f": { "state": "OVERDUE" } }))
        .await;
    assert_eq!(
        overdue.data("/materialRequests/nodes/0/leader/name"),
        "王玲"
    );
    let wang = on_day(&app, 11, "wangling").await;
    let late = app
        .gql(
            Some(&wang),
            SUBMIT,
            send(&wang_request, "wang-0001", "一、工作思路……"),
        )
        .await;
    assert_eq!(
        late.data("/submitMaterial"),
        &json!({ "request": { "state": "LATE" }, "submission": { "version": 1, "isLate": true } })
    );
    let bureau = on_day(&app, 11, "bureau").await;
    assert_eq!(
        app.gql(Some(&bureau), FIGURES, json!({ "d": notice }))
            .await
            .data(""),
        &figures(2, 0, 0, 1, 1)
    );
    // A leader's figures are their own.
    assert_eq!(
        app.gql(Some(&wang), FIGURES, json!({ "d": null }))
            .await
            .data(""),
        &figures(1, 0, 0, 0, 1)
    );
    let unit_a = on_day(&app, 11, "fgw").await;
    app.gql(Some(&unit_a), FIGURES, json!({ "d": notice }))
        .await
        .expect_error("FORBIDDEN");
    app.gql(None, FIGURES, json!({ "d": notice }))
        .await
        .expect_error("UNAUTHENTICATED");
    let service = on_day(&app, 11, "dashboard").await;
    assert_eq!(
        app.gql(Some(&service), FIGURES, json!({ "d": notice }))
            .await
            .data(""),
        &figures(2, 0, 0, 1, 1)
    );
    // A reviewing office's staff, even of this very notice, are refused like units.
    let office = app
        .gql(
            Some(&bureau),
            "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
            json!({ "i": { "name": "市重点项目建设领导小组办公室", "kind": "OTHER" } }),
        )
        .await
        .data("/createUnit/unit/id")
        .clone();
    app.gql(
        Some(&bureau),
        "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id } } }",
        json!({ "i": { "id": notice, "reviewingOfficeId": office } }),
    )
    .await
    .data("/updateDocument/document/id");
    app.gql(
        Some(&bureau),
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "username": "xmb", "password": PASSWORD, "role": "OFFICE", "unitId": office } }),
    )
    .await
    .data("/createUser/user/id");
    let staff = on_day(&app, 11, "xmb").await;
    for (query, vars) in [
        (LIST, json!({})),
        (FIGURES, json!({ "d": notice })),
        (REQUEST, ask(both.clone(), "2026-03-20")),
        (SUBMIT, send(&wang_request, "xmb-0001", "代报")),
    ] {
        app.gql(Some(&staff), query, vars)
            .await
            .expect_error("FORBIDDEN");
    }
    let bureau = on_day(&app, 11, "bureau").await;

    // The bureau reads who sent each version: the secretary, then the leader.
    let all = app
        .gql(
            Some(&bureau),
            LIST,
            json!({ "f": { "documentId": notice } }),
        )
        .await;
    let liu_row = &all.data("/materialRequests/nodes")[0];
    assert_eq!(liu_row["leader"]["name"], "刘震");
    assert_eq!(
        liu_row["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["version"].clone(), s["submittedBy"]["username"].clone()))
            .collect::<Vec<_>>(),
        [(json!(1), json!("liumishu")), (json!(2), json!("liuzhen"))]
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'material.submit'")
            .await,
        3
    );

    // Each leader hears what is asked of them; units hear nothing of it.
    let liu = on_day(&app, 11, "liuzhen").await;
    let service = on_day(&app, 11, "dashboard").await;
    assert_eq!(
        app.heard_kinds(&liu, "MATERIAL_").await,
        [
            "MATERIAL_REQUESTED",
            "MATERIAL_SUBMITTED",
            "MATERIAL_SUBMITTED"
        ]
    );
    assert_eq!(
        app.heard_kinds(&wang, "MATERIAL_").await,
        ["MATERIAL_REQUESTED", "MATERIAL_SUBMITTED"]
    );
    assert!(app.heard_kinds(&unit_a, "MATERIAL_").await.is_empty());
    assert_eq!(app.heard_kinds(&service, "MATERIAL_").await.len(), 5);
}
