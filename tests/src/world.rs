//! A small, realistic world built through the API itself: three units, two leaders, one
//! document with a category tree and three tasks, and one account per role.
//!
//! | task | units                              | leaders                         |
//! |------|------------------------------------|---------------------------------|
//! | 1    | 市发展和改革委员会 LEAD, 市财政局 COOPERATING | 刘震 RESPONSIBLE (in person) |
//! | 2    | 市财政局 RESPONSIBLE                 | 常务副市长 LEAD (by post: 刘震)  |
//! | 3    | 尉氏县 RESPONSIBLE (local)           | 王玲 RESPONSIBLE                 |
//!
//! So unit A sees task 1; unit B sees tasks 1 and 2; unit C sees task 3; leader 刘震 sees tasks
//! 1 and 2 (2 through his post); leader 王玲 sees task 3; the bureau and the service see all.

use serde_json::{Value, json};

use crate::TestApp;

/// The password of every account the world creates.
pub const PASSWORD: &str = "plum-orbit-canvas-47";

/// Ids and signed-in tokens of the world.
pub struct World {
    pub unit_a: String,
    pub unit_b: String,
    pub unit_c: String,
    pub leader_liu: String,
    pub leader_wang: String,
    pub document: String,
    pub category_one: String,
    pub category_two: String,
    pub category_two_one: String,
    pub category_two_two: String,
    pub tasks: [String; 3],
    pub bureau: String,
    pub unit_a_token: String,
    pub unit_b_token: String,
    pub unit_c_token: String,
    pub liu_token: String,
    pub wang_token: String,
    pub service_token: String,
}

/// The tokens of every role, with a label, for role matrices.
pub struct Roles<'a> {
    pub bureau: &'a str,
    pub leader: &'a str,
    pub unit: &'a str,
    pub service: &'a str,
}

impl World {
    pub async fn build(app: &TestApp) -> Self {
        let bureau = app.admin_token().await;
        let b = Some(bureau.as_str());
        let unit = |name: &str, kind: &str, aliases: Value| {
            let name = name.to_owned();
            let kind = kind.to_owned();
            async move {
                app.gql(
                    b,
                    "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id } } }",
                    json!({ "i": { "name": name, "kind": kind, "aliases": aliases } }),
                )
                .await
                .data("/createUnit/unit/id")
                .as_str()
                .unwrap()
                .to_owned()
            }
        };
        let unit_a = unit(
            "市发展和改革委员会",
            "CITY_DEPARTMENT",
            json!(["市发改委", "市发展改革委"]),
        )
        .await;
        let unit_b = unit("市财政局", "CITY_DEPARTMENT", json!([])).await;
        let unit_c = unit("尉氏县人民政府", "COUNTY_DISTRICT", json!(["尉氏县"])).await;

        let leader = |name: &str, post: &str, units: Value| {
            let name = name.to_owned();
            let post = post.to_owned();
            async move {
                app.gql(
                    b,
                    "mutation($i: CreateLeaderInput!) { createLeader(input: $i) { leader { id } } }",
                    json!({ "i": { "name": name, "post": post, "supervisedUnitIds": units } }),
                )
                .await
                .data("/createLeader/leader/id")
                .as_str()
                .unwrap()
                .to_owned()
            }
        };
        let leader_liu = leader("刘震", "常务副市长", json!([unit_a, unit_b])).await;
        let leader_wang = leader("王玲", "副市长", json!([unit_c])).await;

        let document = app
            .gql(
                b,
                "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }",
                json!({ "i": {
                    "docNumber": "汴政办〔2026〕1号",
                    "title": "开封市人民政府办公室关于印发2026年政府工作报告确定事项分解方案的通知",
                    "issuer": "开封市人民政府办公室",
                    "issuedOn": "2026-02-22",
                    "kind": "WORK_REPORT",
                    "schedule": { "kind": "QUARTERLY", "dates": ["2026-03-28", "2026-06-28", "2026-09-28", "2026-12-28"] },
                }}),
            )
            .await
            .data("/createDocument/document/id")
            .as_str()
            .unwrap()
            .to_owned();

        let category = |parent: Option<String>, ordinal: &str, title: &str| {
            let ordinal = ordinal.to_owned();
            let title = title.to_owned();
            let document = document.clone();
            async move {
                app.gql(
                    b,
                    "mutation($i: CreateCategoryInput!) { createCategory(input: $i) { category { id } } }",
                    json!({ "i": { "documentId": document, "parentId": parent, "ordinal": ordinal, "title": title } }),
                )
                .await
                .data("/createCategory/category/id")
                .as_str()
                .unwrap()
                .to_owned()
            }
        };
        let category_one = category(None, "一", "主要预期目标").await;
        let category_two = category(None, "二", "全年重点工作").await;
        let category_two_one =
            category(Some(category_two.clone()), "（一）", "持续扩大有效需求").await;
        let category_two_two = category(
            Some(category_two.clone()),
            "（二）",
            "加快建设现代化产业体系",
        )
        .await;

        let task = |category: String,
                    seq: &str,
                    text: &str,
                    deadline: &str,
                    leaders: Value,
                    units: Value| {
            let seq = seq.to_owned();
            let text = text.to_owned();
            let deadline = deadline.to_owned();
            let document = document.clone();
            async move {
                app.gql(
                    b,
                    "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
                    json!({ "i": { "documentId": document, "categoryId": category, "seq": seq, "text": text,
                                   "deadline": deadline, "leaders": leaders, "units": units } }),
                )
                .await
                .data("/createTask/task/id")
                .as_str()
                .unwrap()
                .to_owned()
            }
        };
        let t1 = task(
            category_one.clone(),
            "1",
            "全市生产总值增长6%左右，城镇新增就业6.24万人。",
            "2026-06-30",
            json!([{ "leaderId": leader_liu, "role": "RESPONSIBLE", "nameAsWritten": "刘 震" }]),
            json!([{ "unitId": unit_a, "role": "LEAD", "nameAsWritten": "市发改委" },
                   { "unitId": unit_b, "role": "COOPERATING" }]),
        )
        .await;
        let t2 = task(
            category_two_one.clone(),
            "2",
            "一般公共预算收入增长5%。",
            "2026-09-30",
            json!([{ "post": "常务副市长", "role": "LEAD" }]),
            json!([{ "unitId": unit_b, "role": "RESPONSIBLE" }]),
        )
        .await;
        let t3 = task(
            category_two_two.clone(),
            "3",
            "新建充电桩 700 个。",
            "2026-12-31",
            json!([{ "leaderId": leader_wang, "role": "RESPONSIBLE" }]),
            json!([{ "unitId": unit_c, "role": "RESPONSIBLE", "isLocal": true, "nameAsWritten": "尉氏县" }]),
        )
        .await;

        let user = |username: &str, role: &str, unit: Option<&str>, leader: Option<&str>| {
            let input = json!({ "username": username, "password": PASSWORD, "role": role,
                                "unitId": unit, "leaderId": leader });
            async move {
                app.gql(
                    b,
                    "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
                    json!({ "i": input }),
                )
                .await
                .data("/createUser/user/id");
            }
        };
        user("fgw", "UNIT", Some(&unit_a), None).await;
        user("czj", "UNIT", Some(&unit_b), None).await;
        user("weishi", "UNIT", Some(&unit_c), None).await;
        user("liuzhen", "LEADER", None, Some(&leader_liu)).await;
        user("wangling", "LEADER", None, Some(&leader_wang)).await;
        user("dashboard", "SERVICE", None, None).await;

        Self {
            unit_a_token: app.login("fgw", PASSWORD).await.0,
            unit_b_token: app.login("czj", PASSWORD).await.0,
            unit_c_token: app.login("weishi", PASSWORD).await.0,
            liu_token: app.login("liuzhen", PASSWORD).await.0,
            wang_token: app.login("wangling", PASSWORD).await.0,
            service_token: app.login("dashboard", PASSWORD).await.0,
            unit_a,
            unit_b,
            unit_c,
            leader_liu,
            leader_wang,
            document,
            category_one,
            category_two,
            category_two_one,
            category_two_two,
            tasks: [t1, t2, t3],
            bureau,
        }
    }

    /// Generates the document's quarterly periods (2026-Q1 … Q4, due the 28th of March, June,
    /// September and December) and returns their ids in order.
    pub async fn generate_periods(&self, app: &TestApp) -> Vec<Value> {
        app.gql(
            Some(&self.bureau),
            "mutation($i: GenerateReportingPeriodsInput!) { generateReportingPeriods(input: $i) { periods { id } } }",
            json!({ "i": { "documentId": self.document } }),
        )
        .await
        .data("/generateReportingPeriods/periods")
        .as_array()
        .expect("a list of periods")
        .iter()
        .map(|p| p["id"].clone())
        .collect()
    }

    /// Each unit acknowledges (签收) the tasks it was assigned, as it would on receiving them,
    /// so that only reporting's own reminders fall due later.
    pub async fn acknowledge_all(&self, app: &TestApp) {
        let units = [
            (&self.unit_a_token, &self.tasks[0]),
            (&self.unit_b_token, &self.tasks[0]),
            (&self.unit_b_token, &self.tasks[1]),
            (&self.unit_c_token, &self.tasks[2]),
        ];
        for (token, task) in units {
            app.gql(
                Some(token),
                "mutation($t: ID!) { acknowledgeTask(taskId: $t) { receipt { acknowledgedAt } } }",
                json!({ "t": task }),
            )
            .await
            .data("/acknowledgeTask/receipt/acknowledgedAt");
        }
    }

    /// One token per role: the bureau, leader 刘震, unit A and the service account.
    pub fn roles(&self) -> Roles<'_> {
        Roles {
            bureau: &self.bureau,
            leader: &self.liu_token,
            unit: &self.unit_a_token,
            service: &self.service_token,
        }
    }
}
