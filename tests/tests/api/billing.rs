//! Billing and invoicing over GraphQL: a simulated year per model, proration, exactly-once bill
//! runs, PO and tax rules, usage, timesheets, milestones, e-mail dispatch and visibility.

use revops_tests::{error_code, error_field, MailServer, Role, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

const CREATE: &str =
    "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }";
const APPROVE: &str = "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id lines { id kind } } } }";
const RUN: &str = "mutation($asOf: Date!) { billRun(asOf: $asOf) { chargesWritten summary issued { number total { amount currency } lines { amount { amount } note } } held { blockedField blockedReason total { amount } } skipped { reason } } }";
const PREVIEW: &str = "query($asOf: Date!) { invoicePreview(asOf: $asOf) { dryRun issued { total { amount } } held { blockedField } } }";
const INVOICES: &str = "query { invoices(first: 100) { totalCount nodes { id number status invoiceDate dueDate total { amount currency } subtotal { amount } tax { amount } poNumber blockedField blockedReason lines { description amount { amount } note taxLabel tax { amount } periodStart periodEnd } } } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced lines { account { code } currency balance { amount } } } }";

async fn tax_rate(app: &TestApp, jurisdiction: &str, rate: &str) {
    app.gql_ok(
        Role::Cfo,
        "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { jurisdiction } }",
        json!({ "input": { "jurisdiction": jurisdiction, "ratePercent": rate, "label": "Sales tax", "effectiveFrom": "2020-01-01" } }),
    )
    .await;
}

fn deal(customer: &str, ae: i64, opportunity: &str) -> Value {
    json!({
        "crmOpportunityId": opportunity,
        "customerId": customer,
        "invoicedLegalEntity": "Hooli Inc.",
        "billingContact": { "name": "Gavin B", "email": "ap@hooli.example" },
        "productName": "Analytics Suite",
        "tcv": { "amount": "14400.00", "currency": "USD" },
        "arr": { "amount": "14400.00", "currency": "USD" },
        "startDate": "2026-01-15", "endDate": "2027-01-14",
        "billingFrequency": "MONTHLY", "paymentTerms": "NET_30", "billingCurrency": "USD",
        "poRequired": false,
        "taxJurisdiction": "US-CA", "taxExempt": false,
        "revenueRecognitionType": "RATABLE",
        "assignedAeId": ae.to_string(),
        "commissionPlanId": "PLAN-AE-2026"
    })
}

/// Creates and approves a deal; returns (contract id, first line id).
async fn contract(app: &TestApp, input: Value) -> (String, String) {
    let created = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await;
    let id = created["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let approved = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": format!("approve-{id}") } }),
        )
        .await;
    let contract = &approved["dealApprove"]["contract"];
    (
        contract["id"].as_str().unwrap().to_string(),
        contract["lines"][0]["id"].as_str().unwrap().to_string(),
    )
}

async fn run(app: &TestApp, as_of: &str) -> Value {
    app.gql_ok(Role::Admin, RUN, json!({ "asOf": as_of })).await["billRun"].clone()
}

async fn invoices(app: &TestApp) -> Vec<Value> {
    let mut all = app.gql_ok(Role::Admin, INVOICES, json!({})).await["invoices"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    all.sort_by_key(|invoice| invoice["id"].as_str().unwrap().parse::<i64>().unwrap());
    all
}

fn balance(trial: &Value, code: &str) -> String {
    trial["trialBalance"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["account"]["code"] == code)
        .map(|line| line["balance"]["amount"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "0.00".into())
}

#[tokio::test]
async fn a_year_of_monthly_billing_issues_every_invoice_exactly_once() {
    // Proves a monthly subscription bills 12 invoices in advance, to the cent, numbered gaplessly,
    // that a second run on the same date adds nothing, and that AR in the ledger equals the invoices.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "7.25").await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    contract(&app, deal(&customer, app.user_id(Role::Ae), "OPP-Y1")).await;
    let preview = app
        .gql_ok(Role::Cfo, PREVIEW, json!({ "asOf": "2026-01-15" }))
        .await;
    assert_eq!(preview["invoicePreview"]["dryRun"], true);
    assert_eq!(
        preview["invoicePreview"]["issued"][0]["total"]["amount"],
        "1287.00"
    );
    assert!(invoices(&app).await.is_empty(), "the preview wrote nothing");
    for month in 1..=12 {
        let (year, month) = if month == 12 {
            (2026, 12)
        } else {
            (2026, month)
        };
        let date = format!("{year}-{month:02}-15");
        let first = run(&app, &date).await;
        assert_eq!(
            first["issued"].as_array().unwrap().len(),
            1,
            "{date}: {first}"
        );
        let again = run(&app, &date).await;
        assert_eq!(
            again["issued"].as_array().unwrap().len(),
            0,
            "second run on {date}"
        );
        assert_eq!(again["chargesWritten"], 0);
    }
    // The term ends 2027-01-14: January 2027 has no further period.
    assert_eq!(
        run(&app, "2027-01-15").await["issued"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let all = invoices(&app).await;
    assert_eq!(all.len(), 12);
    for (index, invoice) in all.iter().enumerate() {
        assert_eq!(invoice["number"], format!("INV-2026-{:06}", index + 1));
        assert_eq!(invoice["status"], "ISSUED");
        assert_eq!(invoice["subtotal"]["amount"], "1200.00");
        assert_eq!(invoice["tax"]["amount"], "87.00");
        assert_eq!(invoice["total"]["amount"], "1287.00");
        assert_eq!(invoice["lines"][0]["taxLabel"], "Sales tax 7.25%");
    }
    assert_eq!(all[0]["invoiceDate"], "2026-01-15");
    assert_eq!(all[0]["dueDate"], "2026-02-14");
    assert_eq!(all[1]["lines"][0]["periodStart"], "2026-02-15");
    assert_eq!(all[1]["lines"][0]["periodEnd"], "2026-03-14");
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-12-31" }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    assert_eq!(balance(&trial, "1100"), "15444.00");
    assert_eq!(balance(&trial, "2100"), "-1044.00");
    assert_eq!(balance(&trial, "2000"), "-14400.00");
}

#[tokio::test]
async fn mid_term_changes_are_prorated_to_the_cent() {
    // Proves a mid-month seat increase bills the prorated difference (stated on the line) and an
    // annual plan cancelled early credits exactly the unused days.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US", "0").await;
    let customer = app.create_customer("Initech", "USD").await;
    let mut monthly = deal(&customer, app.user_id(Role::Ae), "OPP-P1");
    monthly["startDate"] = json!("2026-03-01");
    monthly["endDate"] = json!("2027-02-28");
    monthly["arr"] = json!({ "amount": "6000.00", "currency": "USD" });
    monthly["tcv"] = json!({ "amount": "6000.00", "currency": "USD" });
    monthly["taxJurisdiction"] = json!("US-NY");
    let (_, line) = contract(&app, monthly).await;
    run(&app, "2026-03-01").await;
    let change = "mutation($input: ContractLineChangeInput!) { contractLineChange(input: $input) { quantity cancelledOn } }";
    let changed = app
        .gql_ok(Role::VpRevops, change, json!({ "input": { "contractLineId": line, "kind": "QUANTITY", "newQuantity": "3", "effectiveDate": "2026-03-18", "reason": "Two more seats", "idempotencyKey": "seats-1" } }))
        .await;
    assert_eq!(changed["contractLineChange"]["quantity"], "3");
    let negative = app
        .gql_as(Role::VpRevops, change, json!({ "input": { "contractLineId": line, "kind": "QUANTITY", "newQuantity": "-2", "effectiveDate": "2026-03-20", "reason": "x", "idempotencyKey": "seats-2" } }))
        .await;
    assert_eq!(error_field(&negative).as_deref(), Some("newQuantity"));
    let march_change = run(&app, "2026-03-18").await;
    let line_out = &march_change["issued"][0]["lines"][0];
    // 2 seats × 500.00 × 14/31 = 451.6129… → 451.61
    assert_eq!(line_out["amount"]["amount"], "451.61");
    assert!(
        line_out["note"]
            .as_str()
            .unwrap()
            .starts_with("Prorated 14/31 days"),
        "{line_out}"
    );
    let april = run(&app, "2026-04-01").await;
    assert_eq!(april["issued"][0]["total"]["amount"], "1500.00");

    let mut annual = deal(&customer, app.user_id(Role::Ae), "OPP-P2");
    annual["startDate"] = json!("2026-01-01");
    annual["endDate"] = json!("2026-12-31");
    annual["arr"] = json!({ "amount": "12000.00", "currency": "USD" });
    annual["tcv"] = json!({ "amount": "12000.00", "currency": "USD" });
    annual["billingFrequency"] = json!("ANNUALLY");
    annual["taxJurisdiction"] = json!("US");
    let (contract_id, line) = contract(&app, annual).await;
    run(&app, "2026-01-01").await;
    app.gql_ok(Role::VpRevops, change, json!({ "input": { "contractLineId": line, "kind": "CANCELLATION", "effectiveDate": "2026-09-01", "reason": "Customer downsized", "idempotencyKey": "cancel-1" } }))
        .await;
    let september = run(&app, "2026-09-01").await;
    // The credit rides on the next invoice: May–September seats (5 × 1,500.00) − 4,010.96.
    assert_eq!(
        september["issued"][0]["total"]["amount"], "3489.04",
        "{september}"
    );
    let schedule = app
        .gql_ok(Role::Cfo, "query($id: ID!) { contractBillingSchedule(contractId: $id) { amount { amount } state note } }", json!({ "id": contract_id }))
        .await;
    let rows = schedule["contractBillingSchedule"].as_array().unwrap();
    let credit = rows
        .iter()
        .find(|row| row["amount"]["amount"] == "-4010.96")
        .expect("credit of 122/365 days");
    assert_eq!(credit["state"], "invoiced", "{rows:?}");
    assert_eq!(
        rows.iter().filter(|row| row["state"] == "upcoming").count(),
        0
    );
}

#[tokio::test]
async fn po_and_tax_rules_hold_invoices_with_the_field_to_fix() {
    // Proves an unknown jurisdiction and an exceeded PO hold the invoice as a draft naming the
    // field, that fixing it lets it issue, and that an issued invoice draws down the PO.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Umbrella", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-PO");
    input["poRequired"] = json!(true);
    input["poNumber"] = json!("PO-1");
    input["billingFrequency"] = json!("ANNUALLY");
    input["startDate"] = json!("2026-02-01");
    input["endDate"] = json!("2027-01-31");
    input["taxJurisdiction"] = json!("DE");
    let (contract_id, _) = contract(&app, input).await;
    let held = run(&app, "2026-02-01").await;
    assert_eq!(held["held"][0]["blockedField"], "taxJurisdiction", "{held}");
    let draft = invoices(&app).await[0].clone();
    assert_eq!(draft["status"], "DRAFT");
    assert!(draft["number"].is_null());
    let issue =
        "mutation($id: ID!) { invoiceIssue(id: $id) { number status poNumber total { amount } } }";
    let refused = app
        .gql_as(Role::ArSpecialist, issue, json!({ "id": draft["id"] }))
        .await;
    assert_eq!(error_field(&refused).as_deref(), Some("taxJurisdiction"));
    tax_rate(&app, "DE", "19").await;
    let issued = app
        .gql_ok(Role::ArSpecialist, issue, json!({ "id": draft["id"] }))
        .await;
    assert_eq!(issued["invoiceIssue"]["number"], "INV-2026-000001");
    assert_eq!(issued["invoiceIssue"]["poNumber"], "PO-1");
    assert_eq!(issued["invoiceIssue"]["total"]["amount"], "17136.00");

    // A licence added to the same contract would exceed what is left on the PO.
    let add = "mutation($input: ContractLineAddInput!) { contractLineAdd(input: $input) { id } }";
    let added = app
        .gql_ok(Role::VpRevops, add, json!({ "input": { "contractId": contract_id, "kind": "PERPETUAL_LICENSE", "productName": "On-prem licence", "quantity": "1", "unitPrice": { "amount": "5000.00", "currency": "USD" }, "startDate": "2026-02-01", "endDate": "2027-01-31" } }))
        .await;
    let licence = added["contractLineAdd"]["id"].as_str().unwrap().to_string();
    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!) { contractLineDeliver(id: $id) { deliveredAt } }",
        json!({ "id": licence }),
    )
    .await;
    let blocked = run(&app, "2026-11-27").await;
    let reason = blocked["held"][0]["blockedReason"].as_str().unwrap();
    assert_eq!(blocked["held"][0]["blockedField"], "poNumber");
    assert!(
        reason.contains("exceeds what remains on PO PO-1"),
        "{reason}"
    );
    let bad = app
        .gql_as(Role::Cfo, "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { jurisdiction } }", json!({ "input": { "jurisdiction": "Germany", "ratePercent": "19", "label": "x", "effectiveFrom": "2026-01-01" } }))
        .await;
    assert_eq!(error_field(&bad).as_deref(), Some("jurisdiction"));
}

#[tokio::test]
async fn usage_milestones_and_timesheets_bill_only_what_is_due() {
    // Proves usage is deduplicated and priced by graduated tiers over the allowance in the month
    // incurred, a milestone bills only after acceptance, and hours only once approved, each once.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US", "0").await;
    let customer = app.create_customer("Pied Piper", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-U");
    input["revenueRecognitionType"] = json!("MILESTONE");
    input["billingFrequency"] = json!("MILESTONE");
    input["taxJurisdiction"] = json!("US");
    input["tcv"] = json!({ "amount": "20000.00", "currency": "USD" });
    input["arr"] = json!({ "amount": "0.00", "currency": "USD" });
    input["milestones"] = json!([{ "name": "Go-live", "dueDate": "2026-06-30", "amount": { "amount": "20000.00", "currency": "USD" } }]);
    let (contract_id, milestone) = contract(&app, input).await;
    let add = "mutation($input: ContractLineAddInput!) { contractLineAdd(input: $input) { id } }";
    let usage = app
        .gql_ok(Role::VpRevops, add, json!({ "input": { "contractId": contract_id, "kind": "USAGE", "productName": "API", "quantity": "1", "unitPrice": { "amount": "0.00", "currency": "USD" }, "startDate": "2026-01-01", "endDate": "2026-12-31",
            "usagePricing": { "meter": "api_calls", "aggregation": "SUM", "model": "GRADUATED", "included": "1000", "tiers": [{ "upTo": "10000", "unitPrice": "0.10" }, { "unitPrice": "0.08" }] } } }))
        .await["contractLineAdd"]["id"].as_str().unwrap().to_string();
    let tm = app
        .gql_ok(Role::VpRevops, add, json!({ "input": { "contractId": contract_id, "kind": "TIME_AND_MATERIALS", "productName": "Consulting", "quantity": "1", "unitPrice": { "amount": "0.00", "currency": "USD" }, "startDate": "2026-01-01", "endDate": "2026-12-31" } }))
        .await["contractLineAdd"]["id"].as_str().unwrap().to_string();
    let record = "mutation($records: [UsageRecordInput!]!) { usageRecord(records: $records) { accepted duplicates rejected { row field message } } }";
    let recorded = app
        .gql_ok(Role::Admin, record, json!({ "records": [
            { "contractLineId": usage, "meter": "api_calls", "quantity": "9000", "occurredAt": "2026-03-03T10:00:00Z", "clientId": "evt-1" },
            { "contractLineId": usage, "meter": "api_calls", "quantity": "9000", "occurredAt": "2026-03-03T10:00:00Z", "clientId": "evt-1" },
            { "contractLineId": usage, "meter": "api_calls", "quantity": "-5", "occurredAt": "2026-03-04T10:00:00Z", "clientId": "evt-2" }
        ] }))
        .await;
    assert_eq!(recorded["usageRecord"]["accepted"], 1);
    assert_eq!(recorded["usageRecord"]["duplicates"], json!(["evt-1"]));
    assert_eq!(recorded["usageRecord"]["rejected"][0]["field"], "quantity");
    let csv = format!("contract_line_id,meter,quantity,occurred_at,client_id\n{usage},api_calls,7000,2026-03-20T09:00:00Z,evt-3\n{usage},api_calls,abc,2026-03-21T09:00:00Z,evt-4\n");
    let uploaded = app
        .gql_ok(Role::Admin, "mutation($csv: String!) { usageUpload(csv: $csv) { accepted rejected { row field } } }", json!({ "csv": csv }))
        .await;
    assert_eq!(uploaded["usageUpload"]["accepted"], 1);
    assert_eq!(uploaded["usageUpload"]["rejected"][0]["row"], 2);
    // March is not over on the 31st: nothing yet.
    assert_eq!(
        run(&app, "2026-03-31").await["issued"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let april = run(&app, "2026-04-01").await;
    // 16,000 used − 1,000 included = 15,000 billable: 10,000 × 0.10 + 5,000 × 0.08 = 1,400.00
    assert_eq!(april["issued"][0]["total"]["amount"], "1400.00", "{april}");
    let late = app
        .gql_ok(Role::Admin, record, json!({ "records": [{ "contractLineId": usage, "meter": "api_calls", "quantity": "1", "occurredAt": "2026-03-30T10:00:00Z", "clientId": "evt-late" }] }))
        .await;
    assert_eq!(late["usageRecord"]["rejected"][0]["field"], "occurredAt");

    let accept = "mutation($id: ID!) { contractLineAccept(id: $id, note: \"Signed off by CIO\") { acceptedAt } }";
    let early = app
        .gql_as(Role::VpRevops, accept, json!({ "id": milestone }))
        .await;
    assert_eq!(error_code(&early).as_deref(), Some("CONFLICT"));
    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!) { contractLineDeliver(id: $id) { deliveredAt } }",
        json!({ "id": milestone }),
    )
    .await;
    assert_eq!(
        run(&app, "2026-11-27").await["issued"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "delivered is not accepted"
    );
    app.gql_ok(Role::VpRevops, accept, json!({ "id": milestone }))
        .await;
    let submit = "mutation($input: TimesheetSubmitInput!) { timesheetSubmit(input: $input) { id status amount { amount } } }";
    let entry = app
        .gql_ok(Role::AccountManager, submit, json!({ "input": { "contractLineId": tm, "person": "Dana Scully", "role": "Architect", "workDate": "2026-11-02", "hours": "7.5", "rate": { "amount": "200.00", "currency": "USD" }, "description": "Data model review" } }))
        .await["timesheetSubmit"].clone();
    assert_eq!(entry["amount"]["amount"], "1500.00");
    let decide = "mutation($id: ID!) { timesheetDecide(id: $id, approve: true) { status } }";
    let own = app.gql_as(Role::Admin, submit, json!({ "input": { "contractLineId": tm, "person": "A", "role": "B", "workDate": "2026-11-03", "hours": "25", "rate": { "amount": "1.00", "currency": "USD" }, "description": "x" } })).await;
    assert_eq!(error_field(&own).as_deref(), Some("hours"));
    let unapproved = run(&app, "2026-11-27").await;
    assert_eq!(
        unapproved["issued"][0]["total"]["amount"], "20000.00",
        "only the accepted milestone: {unapproved}"
    );
    app.gql_ok(Role::VpRevops, decide, json!({ "id": entry["id"] }))
        .await;
    let hours = run(&app, "2026-11-28").await;
    assert_eq!(hours["issued"][0]["total"]["amount"], "1500.00");
    assert_eq!(
        run(&app, "2026-11-29").await["issued"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn racing_bill_runs_issue_each_invoice_once_with_gapless_numbers() {
    // Proves two bill runs at once (two instances on PostgreSQL) never duplicate an invoice or
    // leave a gap in the numbering.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    for index in 0..6 {
        let customer = app.create_customer(&format!("Racer {index}"), "USD").await;
        contract(
            &app,
            deal(&customer, app.user_id(Role::Ae), &format!("OPP-R{index}")),
        )
        .await;
    }
    let (first, second) = tokio::join!(run(&app, "2026-03-15"), run(&app, "2026-03-15"));
    let issued =
        first["issued"].as_array().unwrap().len() + second["issued"].as_array().unwrap().len();
    let all = invoices(&app).await;
    // Three months each, one invoice per customer on the date.
    assert_eq!(all.len(), 6);
    assert_eq!(issued, 6);
    assert!(all
        .iter()
        .all(|invoice| invoice["lines"].as_array().unwrap().len() == 3));
    let mut numbers: Vec<String> = all
        .iter()
        .map(|invoice| invoice["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=6).map(|n| format!("INV-2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn an_issued_invoice_is_emailed_once_with_its_pdf() {
    // Proves the outbox delivers the invoice e-mail with the PDF attached to a real SMTP server
    // exactly once, however many times the sender runs.
    let mail = MailServer::start().await;
    let url = mail.smtp_url();
    let app = TestApp::spawn_with(move |config| config.smtp_url = Some(url)).await;
    tax_rate(&app, "US-CA", "7.25").await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    contract(&app, deal(&customer, app.user_id(Role::Ae), "OPP-M")).await;
    run(&app, "2026-01-15").await;
    for _ in 0..3 {
        revops::jobs::send_mail(&app.app).await.unwrap();
    }
    let received = mail.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mail.messages().len(), 1, "exactly one e-mail");
    let message = &received[0];
    assert_eq!(message.to, "ap@hooli.example");
    assert!(
        message.subject.contains("INV-2026-000001"),
        "{}",
        message.subject
    );
    let (name, pdf) = &message.attachments[0];
    assert_eq!(name, "INV-2026-000001.pdf");
    assert!(pdf.starts_with(b"%PDF-1.4"));

    // The same PDF over HTTP, for readers allowed to see the invoice only.
    let id = invoices(&app).await[0]["id"].as_str().unwrap().to_string();
    let download = |role: Role| {
        let app = &app;
        let id = id.clone();
        async move {
            let token = app.token(role).await;
            app.client
                .get(format!("{}/api/invoices/{id}/pdf", app.base_url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let response = download(Role::ArSpecialist).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let anonymous = app
        .client
        .get(format!("{}/api/invoices/{id}/pdf", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn an_ae_sees_only_invoices_of_their_own_customers() {
    // Proves invoice visibility follows deal ownership: another AE's customer's invoice is FORBIDDEN.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let mine = app.create_customer("Mine Co", "USD").await;
    contract(&app, deal(&mine, app.user_id(Role::Ae), "OPP-A1")).await;
    let theirs = app.create_customer("Theirs Co", "USD").await;
    let second_ae = app
        .gql_ok(Role::Admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } } }",
            json!({ "input": { "email": "ae2@test.revops", "name": "Second AE", "role": "AE", "password": "a long enough password" } }))
        .await["userCreate"]["user"]["id"].as_str().unwrap().to_string();
    let mut other = deal(&theirs, app.user_id(Role::Ae), "OPP-A2");
    other["assignedAeId"] = json!(second_ae);
    let created = app
        .gql_ok(Role::AccountManager, CREATE, json!({ "input": other }))
        .await;
    let id = created["dealCreate"]["deal"]["id"].as_str().unwrap();
    app.gql_ok(
        Role::VpRevops,
        APPROVE,
        json!({ "input": { "id": id, "idempotencyKey": "a2" } }),
    )
    .await;
    run(&app, "2026-01-15").await;
    let seen = app
        .gql_ok(
            Role::Ae,
            "query { invoices { totalCount nodes { id customer { legalName } } } }",
            json!({}),
        )
        .await;
    assert_eq!(seen["invoices"]["totalCount"], 1);
    assert_eq!(
        seen["invoices"]["nodes"][0]["customer"]["legalName"],
        "Mine Co"
    );
    let all = invoices(&app).await;
    let foreign = all
        .iter()
        .find(|invoice| invoice["id"] != seen["invoices"]["nodes"][0]["id"])
        .unwrap();
    let refused = app
        .gql_as(
            Role::Ae,
            "query($id: ID!) { invoice(id: $id) { id } }",
            json!({ "id": foreign["id"] }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
}
