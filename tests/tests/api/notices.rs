//! Notices (通报): drafted from the ranking of the hand-built year (`figures::Year`), edited,
//! published, read by role, heard by the units named and their leaders, and verified against
//! the history, including after a figure is changed behind the notice's back.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::TestApp;

use crate::figures::{A, Year, token};
use crate::live::{EVENTS, next_message, subscribe_to};

const DRAFT: &str = "mutation($i: DraftNoticeInput!) { draftNotice(input: $i) { notice {
    id state kind title body version computedAt dueFrom formula weights { onTime late missing returned }
    namedUnits { unit { name } reason rank onTime late missing returned points } } } }";

const VERIFY: &str = "query($id: ID!) { verifyNotice(id: $id) { consistent computedAt
    differences { unitId taskId what stated recomputed } } }";

const COUNTED: &str = "query($id: ID!) { notice(id: $id) { countedObligations {
    unit { name } task { seq } period { label } dueOn outcome returned } } }";

async fn draft(app: &TestApp, token: &str, input: Value) -> tests::GqlResponse {
    app.gql(Some(token), DRAFT, json!({ "i": input })).await
}

fn outcomes(answer: &tests::GqlResponse) -> (usize, usize, usize, usize) {
    let rows = answer
        .data("/notice/countedObligations")
        .as_array()
        .unwrap()
        .clone();
    let n = |o: &str| rows.iter().filter(|r| r["outcome"] == o).count();
    let returned = rows.iter().filter(|r| r["returned"] == true).count();
    (n("ON_TIME"), n("LATE"), n("MISSING"), returned)
}

#[tokio::test]
async fn a_criticism_is_drafted_from_the_ranking_published_and_checked_against_history() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let doc = year.w.document.clone();

    // The two worst of the ranking (figures::the_ranking_…): C last, then B.
    let drafted = draft(
        &app,
        &bureau,
        json!({ "kind": "CRITICISM", "documentId": doc, "count": 2 }),
    )
    .await;
    let notice = drafted.data("/draftNotice/notice").clone();
    let id = notice["id"].as_str().unwrap().to_owned();
    assert_eq!(notice["state"], "DRAFT");
    assert!(
        notice["title"]
            .as_str()
            .unwrap()
            .contains("落实滞后单位的通报")
    );
    let body = notice["body"].as_str().unwrap();
    assert!(body.contains("截至2026-10-10"), "{body}");
    assert!(body.contains("1. 尉氏县人民政府：按时报送1项，逾期报送4项，逾期未报4项，被退回1项，得分-83.33，排名第4（共4家）。"), "{body}");
    assert!(body.contains("2. 市财政局："), "{body}");
    assert_eq!(
        notice["weights"],
        json!({ "onTime": 2, "late": 1, "missing": 3, "returned": 1 })
    );
    let named = notice["namedUnits"].as_array().unwrap();
    assert_eq!(named.len(), 2);
    assert_eq!(named[0]["unit"]["name"], "尉氏县人民政府");
    assert_eq!(
        [
            &named[0]["rank"],
            &named[0]["onTime"],
            &named[0]["late"],
            &named[0]["missing"],
            &named[0]["returned"],
            &named[0]["points"]
        ],
        [4, 1, 4, 4, 1, -15]
    );
    assert_eq!(named[1]["unit"]["name"], "市财政局");
    assert_eq!(named[1]["rank"], 3);

    // A draft is the bureau's alone.
    let a = token(&app, A).await;
    let hidden = app
        .gql(
            Some(&a),
            "query($id: ID!) { notice(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    hidden.expect_error("NOT_FOUND");
    let listed = app
        .gql(Some(&a), "{ notices { totalCount } }", json!({}))
        .await;
    assert_eq!(listed.data("/notices/totalCount"), 0);

    // Edited at the version read; a stale version is a conflict.
    let update =
        "mutation($i: UpdateNoticeInput!) { updateNotice(input: $i) { notice { title version } } }";
    let edited = app
        .gql(Some(&bureau), update, json!({ "i": { "id": id, "version": 1, "title": "关于2026年前三季度重点工作落实滞后单位的通报" } }))
        .await;
    assert_eq!(edited.data("/updateNotice/notice/version"), 2);
    app.gql(
        Some(&bureau),
        update,
        json!({ "i": { "id": id, "version": 1, "body": "另一稿" } }),
    )
    .await
    .expect_error("CONFLICT");

    // Published with a number; today's date in China by default.
    let publish = "mutation($i: PublishNoticeInput!) { publishNotice(input: $i) { notice { state docNumber issuedOn publishedAt } } }";
    let published = app
        .gql(Some(&bureau), publish, json!({ "i": { "id": id, "version": 2, "docNumber": "督查通报〔2026〕1号", "issuer": "开封市人民政府督查局" } }))
        .await;
    assert_eq!(published.data("/publishNotice/notice/state"), "PUBLISHED");
    assert_eq!(
        published.data("/publishNotice/notice/issuedOn"),
        "2026-10-10"
    );
    // As a Word document, for anyone signed in; read back by the importer's own Word reader.
    let word = app
        .client
        .get(format!("{}/exports/notice.docx?id={id}", app.address))
        .bearer_auth(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(word.status(), 200);
    assert_eq!(
        word.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let text = api::import::extract::text_of("notice.docx", &word.bytes().await.unwrap()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines[0], "开封市人民政府督查局");
    assert_eq!(lines[1], "督查通报〔2026〕1号");
    assert_eq!(lines[2], "关于2026年前三季度重点工作落实滞后单位的通报");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("1. 尉氏县人民政府：按时报送1项")),
        "{lines:?}"
    );
    assert_eq!(
        lines[lines.len() - 2..],
        ["开封市人民政府督查局", "2026年10月10日"]
    );
    let anonymous = app
        .client
        .get(format!("{}/exports/notice.docx?id={id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // Nothing changes a published notice.
    app.gql(
        Some(&bureau),
        update,
        json!({ "i": { "id": id, "version": 3, "body": "改" } }),
    )
    .await
    .expect_error("CONFLICT");
    app.gql(
        Some(&bureau),
        "mutation($i: DiscardNoticeInput!) { discardNotice(input: $i) { discardedNoticeId } }",
        json!({ "i": { "id": id } }),
    )
    .await
    .expect_error("CONFLICT");
    // The number is the notice's own.
    let second = draft(
        &app,
        &bureau,
        json!({ "kind": "PRAISE", "documentId": doc, "count": 1 }),
    )
    .await;
    let second_id = second.data("/draftNotice/notice/id").clone();
    app.gql(
        Some(&bureau),
        publish,
        json!({ "i": { "id": second_id, "version": 1, "docNumber": "督查通报〔2026〕1号" } }),
    )
    .await
    .expect_error("CONFLICT");

    // Everyone signed in reads it now; the evidence by row.
    let listed = app
        .gql(
            Some(&a),
            "{ notices { totalCount nodes { docNumber } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data("/notices/totalCount"), 1);
    let c = token(&app, "weishi").await;
    let mine = app.gql(Some(&c), COUNTED, json!({ "id": id })).await;
    // C: Q1 three late, Q2 task 3 on time (returned) and task 8 late, task 7 missing, Q3 three
    // missing.
    assert_eq!(outcomes(&mine), (1, 4, 4, 1));
    let rows = mine
        .data("/notice/countedObligations")
        .as_array()
        .unwrap()
        .clone();
    assert!(rows.iter().all(|r| r["unit"]["name"] == "尉氏县人民政府"));
    let late_q1: Vec<&str> = rows
        .iter()
        .filter(|r| r["outcome"] == "LATE" && r["period"]["label"] == "2026-Q1")
        .map(|r| r["task"]["seq"].as_str().unwrap())
        .collect();
    assert_eq!(
        late_q1.len(),
        3,
        "the three reports of the first quarter, by task"
    );
    let theirs = app.gql(Some(&a), COUNTED, json!({ "id": id })).await;
    assert_eq!(
        outcomes(&theirs),
        (0, 0, 0, 0),
        "A is not named: no rows of others"
    );
    let wang = token(&app, "wangling").await;
    let supervised = app.gql(Some(&wang), COUNTED, json!({ "id": id })).await;
    assert_eq!(
        outcomes(&supervised),
        (1, 4, 4, 1),
        "王玲 supervises C only"
    );
    let all = app.gql(Some(&bureau), COUNTED, json!({ "id": id })).await;
    assert_eq!(outcomes(&all), (5, 5, 5, 1), "C's nine and B's six");

    // The figures hold against the history, also after later reports.
    let verify = |token: String| {
        let app = &app;
        let id = id.clone();
        async move { app.gql(Some(&token), VERIFY, json!({ "id": id })).await }
    };
    let checked = verify(bureau.clone()).await;
    assert_eq!(
        checked.data("/verifyNotice/consistent"),
        true,
        "{:?}",
        checked.0
    );
    assert_eq!(
        checked.data("/verifyNotice/computedAt"),
        "2026-10-10T02:00:00+00:00"
    );
    // C's third quarter, two days after the notice: late, and not the notice's business.
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 10, 12, 2, 0, 0).unwrap());
    year.submit(&app, "weishi", 3, 3).await;
    // Access tokens live 15 minutes: everyone signs in again two days on.
    let (bureau, a, c) = (
        app.admin_token().await,
        token(&app, A).await,
        token(&app, "weishi").await,
    );
    assert_eq!(
        verify(c.clone()).await.data("/verifyNotice/consistent"),
        true
    );

    // A figure changed behind the notice's back is found, and so is a review removed.
    app.db
        .execute_unprepared(
            "UPDATE notice_figures SET late = late + 1 WHERE unit_id = (SELECT id FROM units WHERE name = '尉氏县人民政府')",
        )
        .await
        .unwrap();
    let tampered = verify(bureau.clone()).await;
    assert_eq!(tampered.data("/verifyNotice/consistent"), false);
    let differences = tampered
        .data("/verifyNotice/differences")
        .as_array()
        .unwrap()
        .clone();
    let late = differences
        .iter()
        .find(|d| d["what"] == "late")
        .expect("the late count");
    assert_eq!(
        (late["stated"].as_str(), late["recomputed"].as_str()),
        (Some("5"), Some("4"))
    );
    assert!(
        differences.iter().any(|d| d["what"] == "points"),
        "{differences:?}"
    );
    app.db
        .execute_unprepared(
            "UPDATE notice_figures SET late = late - 1 WHERE unit_id = (SELECT id FROM units WHERE name = '尉氏县人民政府')",
        )
        .await
        .unwrap();
    assert_eq!(
        verify(bureau.clone())
            .await
            .data("/verifyNotice/consistent"),
        true
    );
    app.db
        .execute_unprepared(
            "DELETE FROM report_reviews WHERE decision = 'RETURNED' AND report_id IN
               (SELECT id FROM progress_reports WHERE unit_id = (SELECT id FROM units WHERE name = '尉氏县人民政府'))",
        )
        .await
        .unwrap();
    let removed = verify(c.clone()).await;
    let differences = removed
        .data("/verifyNotice/differences")
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert_eq!(differences[0]["what"], "returned");
    assert!(differences[0]["taskId"].is_string());
    // B's rows are not C's business: A unit sees only its own differences.
    let a_view = verify(a.clone()).await;
    assert_eq!(a_view.data("/verifyNotice/consistent"), true);
    // The service account reads the published notice, all of its evidence and the difference.
    let service = token(&app, "dashboard").await;
    let machine = app.gql(Some(&service), COUNTED, json!({ "id": id })).await;
    assert_eq!(outcomes(&machine), (5, 5, 5, 1));
    let machine_view = verify(service.clone()).await;
    assert_eq!(
        machine_view
            .data("/verifyNotice/differences")
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn named_units_and_their_leaders_hear_of_a_published_notice_and_nobody_else() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let drafted = draft(
        &app,
        &bureau,
        json!({ "kind": "CRITICISM", "documentId": year.w.document, "overdueOnly": true }),
    )
    .await;
    let names: Vec<String> = drafted
        .data("/draftNotice/notice/namedUnits")
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["unit"]["name"].as_str().unwrap().to_owned())
        .collect();
    // Every unit with a missing report, worst first: C (4), B (1), D (1).
    assert_eq!(names, ["尉氏县人民政府", "市财政局", "市住房和城乡建设局"]);
    let id = drafted.data("/draftNotice/notice/id").clone();
    app.gql(
        Some(&bureau),
        "mutation($i: PublishNoticeInput!) { publishNotice(input: $i) { notice { id } } }",
        json!({ "i": { "id": id, "version": 1, "docNumber": "督查通报〔2026〕2号" } }),
    )
    .await
    .data("/publishNotice/notice/id");
    assert_eq!(
        app.count_rows("events WHERE kind = 'notice.published'")
            .await,
        3
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action = 'notice.publish'")
            .await,
        1
    );

    // Replayed from the start, each hears what concerns it.
    let heard = |who: &'static str| {
        let app = &app;
        async move {
            let token = token(app, who).await;
            let mut socket = subscribe_to(
                app,
                &token,
                EVENTS,
                json!({ "after": 0, "kinds": ["NOTICE_PUBLISHED"] }),
            )
            .await;
            let message = next_message(&mut socket).await;
            assert_eq!(message["type"], "next", "{message:#}");
            message["payload"]["data"]["events"]["unit"]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(heard("weishi").await, "尉氏县人民政府");
    assert_eq!(heard("zjj").await, "市住房和城乡建设局");
    // 王玲 supervises C (the world); 刘震 supervises A and B: he hears B's.
    assert_eq!(heard("wangling").await, "尉氏县人民政府");
    assert_eq!(heard("liuzhen").await, "市财政局");
    // A is not named: the first notice event it could hear would be another's. Publish a
    // praise naming A, and A's first event is that one.
    let praise = draft(
        &app,
        &bureau,
        json!({ "kind": "PRAISE", "documentId": year.w.document, "count": 1 }),
    )
    .await;
    let praise_id = praise.data("/draftNotice/notice/id").clone();
    app.gql(
        Some(&bureau),
        "mutation($i: PublishNoticeInput!) { publishNotice(input: $i) { notice { id } } }",
        json!({ "i": { "id": praise_id, "version": 1, "docNumber": "督查通报〔2026〕3号" } }),
    )
    .await
    .data("/publishNotice/notice/id");
    let a = token(&app, A).await;
    let mut socket = subscribe_to(
        &app,
        &a,
        EVENTS,
        json!({ "after": 0, "kinds": ["NOTICE_PUBLISHED"] }),
    )
    .await;
    let message = next_message(&mut socket).await;
    assert_eq!(
        message["payload"]["data"]["events"]["unit"]["name"],
        "市发展和改革委员会"
    );
    assert_eq!(
        message["payload"]["data"]["events"]["entityId"], praise_id,
        "the praise, not the criticism before it"
    );
}

#[tokio::test]
async fn only_the_bureau_drafts_publishes_and_discards_and_bad_requests_store_nothing() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let doc = year.w.document.clone();
    let input = json!({ "kind": "PRAISE", "documentId": doc });
    for who in [A, "liuzhen", "dashboard"] {
        let t = token(&app, who).await;
        draft(&app, &t, input.clone())
            .await
            .expect_error("FORBIDDEN");
    }
    app.gql(None, DRAFT, json!({ "i": input }))
        .await
        .expect_error("UNAUTHENTICATED");
    app.gql(None, "{ notices { totalCount } }", json!({}))
        .await
        .expect_error("UNAUTHENTICATED");
    for bad in [
        json!({ "kind": "PRAISE", "documentId": doc, "count": 0 }),
        json!({ "kind": "PRAISE", "documentId": doc, "count": 51 }),
        json!({ "kind": "PRAISE", "documentId": doc, "overdueOnly": true }),
        json!({ "kind": "PRAISE", "documentId": doc, "dueFrom": "2027-01-01" }),
    ] {
        draft(&app, &bureau, bad)
            .await
            .expect_error("BAD_USER_INPUT");
    }
    assert_eq!(app.count_rows("notices").await, 0, "nothing stored");
    assert_eq!(app.count_rows("notice_evidence").await, 0);

    let drafted = draft(&app, &bureau, input).await;
    let id = drafted.data("/draftNotice/notice/id").clone();
    assert_eq!(
        drafted.data("/draftNotice/notice/namedUnits/0/unit/name"),
        "市发展和改革委员会"
    );
    let discard =
        "mutation($i: DiscardNoticeInput!) { discardNotice(input: $i) { discardedNoticeId } }";
    let publish =
        "mutation($i: PublishNoticeInput!) { publishNotice(input: $i) { notice { id } } }";
    for who in [A, "liuzhen", "dashboard"] {
        let t = token(&app, who).await;
        app.gql(Some(&t), discard, json!({ "i": { "id": id } }))
            .await
            .expect_error("FORBIDDEN");
        app.gql(
            Some(&t),
            publish,
            json!({ "i": { "id": id, "version": 1, "docNumber": "X" } }),
        )
        .await
        .expect_error("FORBIDDEN");
        // Nor can they see, download or verify the draft.
        let word = app
            .client
            .get(format!(
                "{}/exports/notice.docx?id={}",
                app.address,
                id.as_str().unwrap()
            ))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(word.status(), 404);
        app.gql(Some(&t), VERIFY, json!({ "id": id }))
            .await
            .expect_error("NOT_FOUND");
    }
    app.gql(
        Some(&bureau),
        publish,
        json!({ "i": { "id": id, "version": 1, "docNumber": "  " } }),
    )
    .await
    .expect_error("BAD_USER_INPUT");
    let done = app
        .gql(Some(&bureau), discard, json!({ "i": { "id": id } }))
        .await;
    assert_eq!(done.data("/discardNotice/discardedNoticeId"), &id);
    assert_eq!(app.count_rows("notices").await, 0);
    assert_eq!(
        app.count_rows("notice_evidence").await,
        0,
        "its evidence went with it"
    );
    assert_eq!(
        app.count_rows("audit_log WHERE action LIKE 'notice.%'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_list_of_notices_costs_as_many_statements_for_three_as_for_one() {
    let app = TestApp::spawn().await;
    let year = Year::build(&app).await;
    year.play(&app).await;
    let bureau = app.admin_token().await;
    let list = "{ notices(first: 10) { nodes { id title document { title }
        namedUnits { unit { name } rank } countedObligations { outcome task { seq } period { label } } } } }";
    let mut counts = Vec::new();
    for (n, kind) in [(1, "PRAISE"), (3, "CRITICISM")] {
        while app.count_rows("notices").await < n {
            draft(
                &app,
                &bureau,
                json!({ "kind": kind, "documentId": year.w.document, "count": 2 }),
            )
            .await
            .data("/draftNotice/notice/id");
        }
        let before = app.statements();
        let answer = app.gql(Some(&bureau), list, json!({})).await;
        assert_eq!(
            answer.data("/notices/nodes").as_array().unwrap().len(),
            n as usize
        );
        counts.push(app.statements() - before);
    }
    assert_eq!(
        counts[0], counts[1],
        "statements for 1 and 3 notices: {counts:?}"
    );
}
