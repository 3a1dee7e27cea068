//! The roles the step tests of receipts, hand-backs, escalations, sign-offs, contributions,
//! links and motions do not try on every field: each refused role gets its code, and refused
//! calls write no audit row. (Allowed roles are walked in each step's own test.)

use api::graphql::relay::{Kind, global_id};
use serde_json::{Value, json};
use tests::TestApp;
use tests::world::World;

/// One operation with its variables, and the roles refused, with the code each gets.
struct Case {
    query: &'static str,
    variables: Value,
    refused: Vec<&'static str>,
}

#[tokio::test]
async fn the_new_workflow_fields_refuse_every_role_they_do_not_serve() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let q1 = w.generate_periods(&app).await[0].clone();
    let id = |kind: Kind| global_id(kind, 1).0;
    let cases = vec![
        Case {
            query: "{ handbackRequests { totalCount } }",
            variables: json!({}),
            refused: vec![],
        },
        Case {
            query: "{ escalationFigures(year: 2026) { year } }",
            variables: json!({}),
            refused: vec![],
        },
        Case {
            query: "query($t: ID!, $p: ID!) { contributions(taskId: $t, periodId: $p) { state } }",
            variables: json!({ "t": w.tasks[0], "p": q1 }),
            refused: vec![],
        },
        Case {
            query: "query($d: ID!) { proposalFigures(documentId: $d) { motions } }",
            variables: json!({ "d": w.document }),
            refused: vec![],
        },
        Case {
            query: "{ calendarDays(from: \"2026-01-01\", to: \"2026-12-31\") { day } }",
            variables: json!({}),
            refused: vec![],
        },
        Case {
            query: "mutation($i: ReplyToEscalationInput!) { replyToEscalation(input: $i) { escalation { id } } }",
            variables: json!({ "i": { "id": id(Kind::Escalation), "reply": "已整改" } }),
            refused: vec!["bureau", "leader", "service"],
        },
        Case {
            query: "mutation($i: ConcludeEscalationInput!) { concludeEscalation(input: $i) { escalation { id } } }",
            variables: json!({ "i": { "id": id(Kind::Escalation), "outcome": "已约谈" } }),
            refused: vec!["leader", "unit", "service"],
        },
        Case {
            query: "mutation($i: SubmitReportInput!) { submitForSignoff(input: $i) { signoff { id } } }",
            variables: json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "idempotencyKey": "roles-0001", "progress": "进展" } }),
            refused: vec!["bureau", "leader", "service"],
        },
        Case {
            query: "mutation($id: ID!) { approveSignoff(id: $id) { signoff { id } } }",
            variables: json!({ "id": id(Kind::Signoff) }),
            refused: vec!["bureau", "leader", "service"],
        },
        Case {
            query: "mutation($id: ID!) { returnSignoff(id: $id, comment: \"请补充\") { signoff { id } } }",
            variables: json!({ "id": id(Kind::Signoff) }),
            refused: vec!["bureau", "leader", "service"],
        },
        Case {
            query: "mutation($i: UnlinkTasksInput!) { unlinkTasks(input: $i) { removed } }",
            variables: json!({ "i": { "taskId": w.tasks[0], "linkedTaskId": w.tasks[1], "kind": "RELATED" } }),
            refused: vec!["leader", "unit", "service"],
        },
        Case {
            query: "mutation($i: CiteSourceInput!) { citeSource(input: $i) { citation { passage } } }",
            variables: json!({ "i": { "taskId": w.tasks[0], "documentId": w.document, "passage": "全市" } }),
            refused: vec!["leader", "unit", "service"],
        },
        Case {
            query: "mutation($i: ScheduleFollowUpInput!) { scheduleFollowUp(input: $i) { followUp { id } } }",
            variables: json!({ "i": { "taskId": w.tasks[0], "dueOn": "2026-09-01" } }),
            refused: vec!["leader", "unit", "service"],
        },
        Case {
            query: "mutation($i: RecordFollowUpInput!) { recordFollowUp(input: $i) { followUp { id } } }",
            variables: json!({ "i": { "id": id(Kind::FollowUp), "heldOn": "2026-03-01", "findings": "已完成" } }),
            refused: vec!["leader", "unit", "service"],
        },
        Case {
            query: "mutation($i: SetProposalTasksInput!) { setProposalTasks(input: $i) { task { id } } }",
            variables: json!({ "i": { "taskId": w.tasks[0], "coveredTaskIds": [w.tasks[1]] } }),
            refused: vec!["leader", "unit", "service"],
        },
        Case {
            query: "mutation($i: SubmitContributionInput!) { submitContribution(input: $i) { contribution { state } } }",
            variables: json!({ "i": { "taskId": w.tasks[0], "periodId": q1, "text": "配合情况" } }),
            refused: vec!["bureau", "leader", "service"],
        },
    ];
    let audited = app.count_rows("audit_log").await;
    for case in &cases {
        app.gql(None, case.query, case.variables.clone())
            .await
            .expect_error("UNAUTHENTICATED");
        for role in &case.refused {
            let token = match *role {
                "bureau" => &w.bureau,
                "leader" => &w.liu_token,
                "unit" => &w.unit_a_token,
                _ => &w.service_token,
            };
            let answer = app
                .gql(Some(token), case.query, case.variables.clone())
                .await;
            assert_eq!(
                answer.error_code(),
                Some("FORBIDDEN"),
                "{role} on {}: {:?}",
                case.query,
                answer.0
            );
        }
    }
    assert_eq!(
        app.count_rows("audit_log").await,
        audited,
        "refused calls write nothing"
    );

    // Task.receipts, by role: all for the bureau, the service and the task's leader; a unit
    // its own; anonymous nothing.
    let receipts =
        "query($id: ID!) { node(id: $id) { ... on Task { receipts { unit { name } } } } }";
    for (token, count) in [
        (&w.bureau, 2),
        (&w.service_token, 2),
        (&w.liu_token, 2),
        (&w.unit_a_token, 1),
        (&w.unit_b_token, 1),
    ] {
        let answer = app
            .gql(Some(token), receipts, json!({ "id": w.tasks[0] }))
            .await;
        assert_eq!(
            answer.data("/node/receipts").as_array().unwrap().len(),
            count
        );
    }
    app.gql(None, receipts, json!({ "id": w.tasks[0] }))
        .await
        .expect_error("UNAUTHENTICATED");
}
