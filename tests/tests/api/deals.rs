use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const CHECKLIST: &str =
    "query($input: DealInput!) { dealChecklist(input: $input) { key complete message } }";
const CREATE: &str = "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id status isComplete checklist { key complete message } assignedAe { email } } } }";
const APPROVE: &str = "mutation($input: DealApproveInput!) { dealApprove(input: $input) { deal { status approvedBy { email } } contract { id contractNumber tcv { amount currency } lines { kind quantity unitPrice { amount } billingFrequency } purchaseOrders { number amount { amount } } } } }";

fn complete_deal(customer: &str, ae: i64) -> Value {
    json!({
        "crmOpportunityId": "OPP-0001",
        "customerId": customer,
        "invoicedLegalEntity": "Hooli Inc.",
        "billingContact": { "name": "Gavin B", "email": "ap@hooli.example" },
        "productName": "Analytics Suite",
        "tcv": { "amount": "360000.00", "currency": "USD" },
        "arr": { "amount": "120000.00", "currency": "USD" },
        "startDate": "2026-11-01", "endDate": "2029-11-01",
        "billingFrequency": "QUARTERLY", "paymentTerms": "NET_30", "billingCurrency": "USD",
        "poRequired": true, "poNumber": "PO-7781",
        "taxJurisdiction": "US-CA", "taxExempt": false,
        "revenueRecognitionType": "RATABLE",
        "assignedAeId": ae.to_string(),
        "commissionPlanId": "PLAN-AE-2026"
    })
}

fn incomplete(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["complete"] == false)
        .map(|item| item["key"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_live_checklist_reports_each_rule_without_writing() {
    // Proves dealChecklist explains every missing item and writes nothing.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    let mut input = complete_deal(&customer, app.user_id(Role::Ae));
    let data = app
        .gql_ok(Role::Ae, CHECKLIST, json!({ "input": input }))
        .await;
    assert!(incomplete(&data["dealChecklist"]).is_empty(), "{data}");
    input["poNumber"] = Value::Null;
    input["taxExempt"] = json!(true);
    input["arr"] = json!({ "amount": "400000.00", "currency": "USD" });
    input["assignedAeId"] = json!(app.user_id(Role::Cfo).to_string());
    let data = app
        .gql_ok(Role::Cro, CHECKLIST, json!({ "input": input }))
        .await;
    assert_eq!(
        incomplete(&data["dealChecklist"]),
        vec!["arr", "purchaseOrder", "taxExemption", "assignedAe"]
    );
    let bad_amount = app.gql_as(Role::Cro, CHECKLIST, json!({ "input": { "crmOpportunityId": "X", "poRequired": false, "taxExempt": false, "tcv": { "amount": "1.005", "currency": "USD" } } })).await;
    assert_eq!(error_field(&bad_amount).as_deref(), Some("tcv.amount"));
    let blank = app
        .gql_ok(
            Role::Ae,
            CHECKLIST,
            json!({ "input": { "crmOpportunityId": "", "poRequired": false, "taxExempt": false } }),
        )
        .await;
    assert!(
        incomplete(&blank["dealChecklist"]).contains(&"crmOpportunityId".to_string()),
        "a blank form lists the id as missing"
    );
    let deals = app
        .gql_ok(Role::Cfo, "{ deals { totalCount } }", json!({}))
        .await;
    assert_eq!(deals["deals"]["totalCount"], 0);
}

#[tokio::test]
async fn a_complete_deal_becomes_a_contract_once() {
    // Proves approval needs a complete checklist, creates the contract with lines and PO, and is idempotent per key.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    let mut input = complete_deal(&customer, app.user_id(Role::Ae));
    input["commissionPlanId"] = Value::Null;
    let created = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await;
    let deal = &created["dealCreate"]["deal"];
    assert_eq!(deal["status"], "DRAFT");
    assert_eq!(deal["isComplete"], false);
    let id = deal["id"].as_str().unwrap().to_string();
    let refused = app
        .gql_as(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "k1" } }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"));
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Commission plan"));

    input["commissionPlanId"] = json!("PLAN-AE-2026");
    let mut update = input.clone();
    update["id"] = json!(id);
    app.gql_ok(
        Role::Ae,
        "mutation($input: DealUpdateInput!) { dealUpdate(input: $input) { deal { isComplete } } }",
        json!({ "input": update }),
    )
    .await;
    let approved = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "k2" } }),
        )
        .await;
    let contract = &approved["dealApprove"]["contract"];
    assert_eq!(approved["dealApprove"]["deal"]["status"], "APPROVED");
    assert_eq!(contract["contractNumber"], "C-2026-000001");
    assert_eq!(contract["lines"][0]["kind"], "SUBSCRIPTION");
    assert_eq!(contract["lines"][0]["billingFrequency"], "QUARTERLY");
    assert_eq!(contract["lines"][0]["unitPrice"]["amount"], "30000.00");
    assert_eq!(contract["purchaseOrders"][0]["number"], "PO-7781");

    let retried = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "k2" } }),
        )
        .await;
    assert_eq!(retried["dealApprove"]["contract"]["id"], contract["id"]);
    let other_key = app
        .gql_as(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "k3" } }),
        )
        .await;
    assert_eq!(error_code(&other_key).as_deref(), Some("CONFLICT"));
    let edit = app
        .gql_as(
            Role::Ae,
            "mutation($input: DealUpdateInput!) { dealUpdate(input: $input) { deal { id } } }",
            json!({ "input": update }),
        )
        .await;
    assert_eq!(
        error_code(&edit).as_deref(),
        Some("CONFLICT"),
        "approved deals are immutable"
    );
    let arr = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { customer(id: $id) { arr { amount } } }",
            json!({ "id": customer }),
        )
        .await;
    assert_eq!(
        arr["customer"]["arr"]["amount"], "120000.00",
        "ARR counts from the contract start"
    );
}

#[tokio::test]
async fn an_ae_sees_and_edits_only_their_own_deals() {
    // Proves row-level access for AEs and that an AE cannot enter deals for someone else.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Pied Piper", "USD").await;
    let other_ae = app
        .app
        .auth
        .create_user(
            None,
            revops::auth::NewUser {
                email: "ae2@test.revops".into(),
                name: "Second AE".into(),
                role: Role::Ae,
                password: revops_tests::PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    let mut input = complete_deal(&customer, other_ae.id);
    let for_other = app
        .gql_as(Role::Ae, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(error_field(&for_other).as_deref(), Some("assignedAeId"));
    let by_cro = app
        .gql_ok(Role::Cro, CREATE, json!({ "input": input }))
        .await;
    let other_deal = by_cro["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    input["crmOpportunityId"] = json!("OPP-0002");
    input["assignedAeId"] = Value::Null;
    let own = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(
        own["dealCreate"]["deal"]["assignedAe"]["email"], "ae@test.revops",
        "an AE's deal is assigned to them"
    );
    let listed = app
        .gql_ok(
            Role::Ae,
            "{ deals { totalCount nodes { crmOpportunityId } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["deals"]["totalCount"], 1);
    assert_eq!(listed["deals"]["nodes"][0]["crmOpportunityId"], "OPP-0002");
    let peek = app
        .gql_as(
            Role::Ae,
            "query($id: ID!) { deal(id: $id) { id } }",
            json!({ "id": other_deal }),
        )
        .await;
    assert_eq!(error_code(&peek).as_deref(), Some("FORBIDDEN"));
    let all = app
        .gql_ok(Role::Cfo, "{ deals { totalCount } }", json!({}))
        .await;
    assert_eq!(all["deals"]["totalCount"], 2);
    let duplicate = app
        .gql_as(Role::Cro, CREATE, json!({ "input": input }))
        .await;
    assert_eq!(error_field(&duplicate).as_deref(), Some("crmOpportunityId"));
}

#[tokio::test]
async fn lookups_by_ids_return_what_the_reader_may_see_in_the_order_asked() {
    // Proves dealsByIds and customersByIds (the pages' label lookups): the order asked, each id
    // once, ids the reader may not see or that do not exist left out, and more than a page of ids
    // refused as LIMIT naming the argument.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Pied Piper", "USD").await;
    let second_customer = app.create_customer("Hooli Inc.", "USD").await;
    let cro_deal = app
        .gql_ok(
            Role::Cro,
            CREATE,
            json!({ "input": complete_deal(&customer, app.user_id(Role::Cro)) }),
        )
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut own_input = complete_deal(&customer, app.user_id(Role::Ae));
    own_input["crmOpportunityId"] = json!("OPP-0002");
    let own_deal = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": own_input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    const DEALS: &str = "query($ids: [ID!]!) { dealsByIds(ids: $ids) { id crmOpportunityId } }";
    let asked = json!({ "ids": [own_deal, "999999", cro_deal, own_deal] });
    let for_cfo = app.gql_ok(Role::Cfo, DEALS, asked.clone()).await;
    let ids: Vec<&str> = for_cfo["dealsByIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|deal| deal["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![own_deal.as_str(), cro_deal.as_str()]);
    let for_ae = app.gql_ok(Role::Ae, DEALS, asked).await;
    assert_eq!(
        for_ae["dealsByIds"],
        json!([{ "id": own_deal, "crmOpportunityId": "OPP-0002" }]),
        "an AE's lookup leaves out the deal they may not see"
    );
    let too_many: Vec<String> = (1..=101).map(|id| id.to_string()).collect();
    let refused = app
        .gql_as(Role::Cfo, DEALS, json!({ "ids": too_many }))
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("LIMIT"));
    let bad = app
        .gql_as(Role::Cfo, DEALS, json!({ "ids": ["not-an-id"] }))
        .await;
    assert_eq!(error_field(&bad).as_deref(), Some("ids"));
    let names = app
        .gql_ok(
            Role::Cfo,
            "query($ids: [ID!]!) { customersByIds(ids: $ids) { id legalName } }",
            json!({ "ids": [second_customer, customer] }),
        )
        .await;
    assert_eq!(
        names["customersByIds"],
        json!([
            { "id": second_customer, "legalName": "Hooli Inc." },
            { "id": customer, "legalName": "Pied Piper" }
        ])
    );
}

#[tokio::test]
async fn a_customer_on_credit_hold_gets_no_deal_approvals() {
    // Proves the credit-hold rule blocks approval through the checklist.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Bluth Company", "USD").await;
    app.gql_ok(Role::VpFinance, "mutation($input: CustomerCreditHoldSetInput!) { customerCreditHoldSet(input: $input) { customer { id } } }", json!({ "input": { "customerId": customer, "onHold": true, "reason": "90 days overdue" } })).await;
    let created = app
        .gql_ok(
            Role::Cro,
            CREATE,
            json!({ "input": complete_deal(&customer, app.user_id(Role::Ae)) }),
        )
        .await;
    assert_eq!(
        incomplete(&created["dealCreate"]["deal"]["checklist"]),
        vec!["creditStanding"]
    );
    let id = created["dealCreate"]["deal"]["id"].as_str().unwrap();
    let refused = app
        .gql_as(
            Role::Cfo,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "hold" } }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"));
}

#[tokio::test]
async fn racing_approvals_create_exactly_one_contract() {
    // Proves that concurrent approvals of one deal (double click, two instances) produce one contract and clear answers.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Nakatomi Trading", "USD").await;
    let created = app
        .gql_ok(
            Role::Cro,
            CREATE,
            json!({ "input": complete_deal(&customer, app.user_id(Role::Ae)) }),
        )
        .await;
    let id = created["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.token(Role::VpRevops).await;
    let attempts = (0..6).map(|attempt| {
        let key = if attempt % 2 == 0 {
            "same-key".to_string()
        } else {
            format!("key-{attempt}")
        };
        let variables = json!({ "input": { "id": id, "idempotencyKey": key } });
        let (app, token) = (&app, &token);
        async move { (key, app.gql(Some(token), APPROVE, variables).await) }
    });
    let results = futures_join_all(attempts).await;
    let contract_ids: std::collections::BTreeSet<String> = results
        .iter()
        .filter_map(|(_, response)| {
            response["data"]["dealApprove"]["contract"]["id"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert_eq!(contract_ids.len(), 1, "{results:?}");
    for (key, response) in &results {
        let succeeded = response["errors"].is_null();
        let code = error_code(response);
        assert!(
            succeeded || code.as_deref() == Some("CONFLICT"),
            "{key}: {response}"
        );
    }
    let winners: std::collections::BTreeSet<&str> = results
        .iter()
        .filter(|(_, response)| response["errors"].is_null())
        .map(|(key, _)| key.as_str())
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "only the winning key (retried or not) succeeds: {winners:?}"
    );
}

/// Runs futures concurrently on this task (no extra crate needed).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut handles: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut pending = false;
        for (index, handle) in handles.iter_mut().enumerate() {
            if outputs[index].is_none() {
                match handle.as_mut().poll(context) {
                    std::task::Poll::Ready(output) => outputs[index] = Some(output),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|output| output.unwrap()).collect()
}

/// Seats × a price per month, an onboarding milestone and a licence on one deal, its product and
/// amounts left for the lines to give.
fn deal_with_lines(customer: &str, ae: i64) -> Value {
    let mut input = complete_deal(customer, ae);
    for field in [
        "productName",
        "tcv",
        "arr",
        "billingFrequency",
        "revenueRecognitionType",
        "poNumber",
    ] {
        input[field] = Value::Null;
    }
    input["poRequired"] = json!(false);
    input["crmOpportunityId"] = json!("OPP-LINES");
    input["startDate"] = json!("2026-12-01");
    input["endDate"] = json!("2027-11-30");
    input["lines"] = json!([
        { "productName": "Platform seats", "kind": "SUBSCRIPTION", "quantity": "25", "unitPrice": { "amount": "40.00", "currency": "USD" }, "billingFrequency": "MONTHLY", "reference": "OLI-1" },
        { "productName": "Onboarding", "kind": "MILESTONE", "unitPrice": { "amount": "5000.00", "currency": "USD" }, "endDate": "2027-01-31" },
        { "productName": "On-prem licence", "kind": "PERPETUAL_LICENSE", "quantity": "2", "unitPrice": { "amount": "6000.00", "currency": "USD" } }
    ]);
    input
}

#[tokio::test]
async fn a_deal_with_lines_becomes_one_contract_line_each_and_bills_them() {
    // Proves the deal-lines model: a deal sells several products, each at a quantity and unit
    // price; its product, ARR (seats only: 25 × 40.00 × 12) and TCV (what the lines bill over
    // the term: 12 × 1,000.00 + 5,000.00 + 2 × 6,000.00) are computed from them; approval makes
    // one contract line per deal line, the first bill run invoices the seats (25 × 40.00) and
    // not the milestone or licence before they are accepted or delivered, and revenue allocates
    // the whole price across the three obligations. Bad lines are named by index and field.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    let input = deal_with_lines(&customer, app.user_id(Role::Ae));
    let created = app
        .gql_ok(
            Role::Ae,
            "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id isComplete productName tcv { amount } arr { amount } billingFrequency revenueRecognitionType lines { productName kind quantity unitPrice { amount } billingFrequency endDate reference } checklist { key complete message } } } }",
            json!({ "input": input }),
        )
        .await;
    let deal = &created["dealCreate"]["deal"];
    assert!(incomplete(&deal["checklist"]).is_empty(), "{deal}");
    assert_eq!(deal["isComplete"], true);
    assert_eq!(
        deal["productName"],
        "Platform seats + Onboarding + On-prem licence"
    );
    assert_eq!(deal["arr"]["amount"], "12000.00");
    assert_eq!(deal["tcv"]["amount"], "29000.00");
    assert_eq!(deal["billingFrequency"], "MONTHLY");
    assert_eq!(
        deal["revenueRecognitionType"],
        Value::Null,
        "three kinds of line: recognised per line"
    );
    assert_eq!(deal["lines"][0]["reference"], "OLI-1");
    assert_eq!(
        deal["lines"][1]["quantity"], "1",
        "quantity defaults to one"
    );
    let id = deal["id"].as_str().unwrap().to_string();

    let approved = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "lines" } }),
        )
        .await;
    let contract = &approved["dealApprove"]["contract"];
    assert_eq!(contract["tcv"]["amount"], "29000.00");
    let lines: Vec<(String, String, String)> = contract["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["kind"].as_str().unwrap().to_string(),
                line["quantity"].as_str().unwrap().to_string(),
                line["unitPrice"]["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("SUBSCRIPTION".into(), "25".into(), "40.00".into()),
            ("MILESTONE".into(), "1".into(), "5000.00".into()),
            ("PERPETUAL_LICENSE".into(), "2".into(), "6000.00".into()),
        ]
    );
    let contract_id = contract["id"].as_str().unwrap().to_string();

    crate::billing::tax_rate(&app, "US-CA", "0").await;
    let run = app
        .gql_ok(
            Role::Admin,
            "mutation($asOf: Date!) { billRun(asOf: $asOf) { summary issued { total { amount } lines { description amount { amount } } } held { blockedField blockedReason } skipped { reason } } }",
            json!({ "asOf": "2026-12-01" }),
        )
        .await;
    let issued = run["billRun"]["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 1, "{run}");
    assert_eq!(issued[0]["total"]["amount"], "1000.00", "{run}");

    let schedule = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { revenueSchedule(contractId: $id) { allocatedTotal { amount } obligations { productName pattern allocated { amount } } } }",
            json!({ "id": contract_id }),
        )
        .await;
    let schedule = &schedule["revenueSchedule"];
    assert_eq!(
        schedule["allocatedTotal"]["amount"], "29000.00",
        "{schedule}"
    );
    assert_eq!(schedule["obligations"].as_array().unwrap().len(), 3);

    // Bad values name the line and field; nothing is written.
    let mut bad = deal_with_lines(&customer, app.user_id(Role::Ae));
    bad["crmOpportunityId"] = json!("OPP-BAD-LINES");
    bad["lines"][1]["quantity"] = json!("ten");
    let refused = app.gql_as(Role::Ae, CREATE, json!({ "input": bad })).await;
    assert_eq!(error_field(&refused).as_deref(), Some("lines.1.quantity"));
    bad["lines"][1]["quantity"] = json!("1");
    bad["lines"][2]["unitPrice"]["currency"] = json!("EUR");
    let refused = app.gql_as(Role::Ae, CREATE, json!({ "input": bad })).await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("lines.2.unitPrice.currency")
    );
    // A one-time line not yet classified, and a line outside the term, are checklist gaps.
    bad["lines"][2]["unitPrice"]["currency"] = json!("USD");
    bad["lines"][2]["kind"] = Value::Null;
    bad["lines"][0]["endDate"] = json!("2028-05-31");
    let checklist = app
        .gql_ok(Role::Ae, CHECKLIST, json!({ "input": bad }))
        .await;
    assert_eq!(
        incomplete(&checklist["dealChecklist"]),
        vec!["tcv", "lines"],
        "{checklist}"
    );
    let message = checklist["dealChecklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["key"] == "lines")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(
            "Line 1 \"Platform seats\" runs 2026-12-01 to 2028-05-31, outside the deal's term"
        ),
        "{message}"
    );
    assert!(
        message.contains("Line 3 \"On-prem licence\": choose what it is"),
        "{message}"
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) AS n FROM deals").await,
        1,
        "refused forms write nothing"
    );
}
