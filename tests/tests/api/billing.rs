//! Billing and invoicing over GraphQL: a simulated year per model, proration, exactly-once bill
//! runs, PO and tax rules, usage, timesheets, milestones, e-mail dispatch and visibility.

use revops_tests::{error_code, error_field, pdf_text, MailServer, Role, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

const CREATE: &str =
    "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }";
const APPROVE: &str = "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id lines { id kind } } } }";
const RUN: &str = "mutation($asOf: Date!) { billRun(asOf: $asOf) { chargesWritten summary issued { number total { amount currency } lines { amount { amount } note } } held { blockedField blockedReason total { amount } } skipped { reason } } }";
const PREVIEW: &str = "query($asOf: Date!) { invoicePreview(asOf: $asOf) { dryRun issued { total { amount } } held { blockedField } } }";
const INVOICES: &str = "query { invoices(first: 100) { totalCount nodes { id number status invoiceDate dueDate total { amount currency } subtotal { amount } tax { amount } poNumber blockedField blockedReason lines { description amount { amount } note taxLabel tax { amount } periodStart periodEnd } } } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced lines { account { code } currency balance { amount } } } }";

pub(crate) async fn tax_rate(app: &TestApp, jurisdiction: &str, rate: &str) {
    app.gql_ok(
        Role::Cfo,
        "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { jurisdiction } }",
        json!({ "input": { "jurisdiction": jurisdiction, "ratePercent": rate, "label": "Sales tax", "effectiveFrom": "2020-01-01" } }),
    )
    .await;
}

pub(crate) fn deal(customer: &str, ae: i64, opportunity: &str) -> Value {
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
pub(crate) async fn contract(app: &TestApp, input: Value) -> (String, String) {
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

pub(crate) async fn run(app: &TestApp, as_of: &str) -> Value {
    app.gql_ok(Role::Admin, RUN, json!({ "asOf": as_of })).await["billRun"].clone()
}

pub(crate) async fn invoices(app: &TestApp) -> Vec<Value> {
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
    // Hours are submitted for days already worked: tomorrow (the clock says 2026-11-27) is refused.
    let ahead = app.gql_as(Role::AccountManager, submit, json!({ "input": { "contractLineId": tm, "person": "Dana Scully", "role": "Architect", "workDate": "2026-11-28", "hours": "2", "rate": { "amount": "200.00", "currency": "USD" }, "description": "Not yet worked" } })).await;
    assert_eq!(error_field(&ahead).as_deref(), Some("workDate"), "{ahead}");
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

/// Issue 19: invoice PDFs printed amounts as `1200.00` and cut a long tax label to "US sales tax
/// (Saa…". The first invoice of the fixture deal (1,200.00 + 7.25 % = 87.00 tax, 1,287.00 due)
/// now reads with grouped thousands and the total with its currency, and the whole tax label is
/// printed, wrapped under the tax amount, with no ellipsis.
#[tokio::test]
async fn invoice_pdf_amounts_read_as_in_the_app_and_a_long_tax_label_wraps() {
    let app = TestApp::spawn().await;
    let label = "California and Sacramento County sales and use tax";
    app.gql_ok(
        Role::Cfo,
        "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { jurisdiction } }",
        json!({ "input": { "jurisdiction": "US-CA", "ratePercent": "7.25", "label": label, "effectiveFrom": "2020-01-01" } }),
    )
    .await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    contract(&app, deal(&customer, app.user_id(Role::Ae), "OPP-PDF")).await;
    run(&app, "2026-01-15").await;
    let invoice = invoices(&app).await.remove(0);
    assert_eq!(invoice["total"]["amount"], "1287.00");
    let id = invoice["id"].as_str().unwrap();
    let response = app
        .client
        .get(format!("{}/api/invoices/{id}/pdf", app.base_url))
        .bearer_auth(app.token(Role::ArSpecialist).await)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = pdf_text(&response.bytes().await.unwrap());
    for expected in ["1,200.00", "USD 1,200.00", "USD 87.00", "USD 1,287.00"] {
        assert!(text.contains(expected), "{expected:?} is not in:\n{text}");
    }
    assert!(
        !text.contains("1200.00"),
        "an amount without its separator:\n{text}"
    );
    assert!(!text.contains('…'), "something was cut:\n{text}");
    for word in label.split(' ') {
        assert!(
            text.contains(word),
            "{word:?} of the tax label is not in:\n{text}"
        );
    }
}

#[tokio::test]
async fn invoices_print_polish_and_japanese_names_and_addresses() {
    // Proves an invoice PDF downloaded through the app prints customers named in Polish and in
    // Japanese, with their addresses, in real glyphs: the text extracts back exactly (no `?`).
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "7.25").await;
    let customers = [
        (
            "Zakład Łódź Spółka z o.o.",
            ["ul. Piotrkowska 12", "Łódź", "90-001", "PL"],
            "OPP-PL",
        ),
        (
            "株式会社東京商事",
            ["丸の内一丁目1番1号", "東京都千代田区", "100-0005", "JP"],
            "OPP-JP",
        ),
    ];
    for (name, [line1, city, postal_code, country], opportunity) in customers {
        let created = app
            .gql_ok(
                Role::Admin,
                "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } } }",
                json!({ "input": {
                    "legalName": name,
                    "billingAddress": { "line1": line1, "city": city, "postalCode": postal_code, "country": country },
                    "billingContact": { "name": "Accounts payable", "email": "ap@example.com" },
                    "billingCurrency": "USD",
                }}),
            )
            .await;
        let customer = created["customerCreate"]["customer"]["id"]
            .as_str()
            .unwrap();
        app.give_credit(customer).await;
        contract(&app, deal(customer, app.user_id(Role::Ae), opportunity)).await;
    }
    run(&app, "2026-01-15").await;
    let issued = invoices(&app).await;
    assert_eq!(issued.len(), 2, "{issued:#?}");
    let token = app.token(Role::ArSpecialist).await;
    for (invoice, (name, [line1, city, postal_code, country], _)) in issued.iter().zip(customers) {
        let id = invoice["id"].as_str().unwrap();
        let response = app
            .client
            .get(format!("{}/api/invoices/{id}/pdf", app.base_url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = pdf_text(&pdf);
        let number = invoice["number"].as_str().unwrap();
        for expected in [
            name,
            line1,
            &format!("{city} {postal_code}"),
            country,
            number,
        ] {
            assert!(text.contains(expected), "{expected:?} is not in:\n{text}");
        }
        assert!(!text.contains('?'), "a character printed as '?':\n{text}");
    }
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

const CHANGE: &str = "mutation($input: ContractLineChangeInput!) { contractLineChange(input: $input) { id cancelledOn } }";
const MEMOS: &str = "query($customerId: ID) { creditMemos(customerId: $customerId, first: 100) { totalCount nodes { id number status invoiceId reason issueDate subtotal { amount } tax { amount } total { amount } toInvoice { amount } toCredit { amount } lines { amount { amount } tax { amount } } } } }";
const CUSTOMER_INVOICES: &str = "query($customerId: ID) { invoices(first: 100, customerId: $customerId) { nodes { id number status total { amount } paid { amount } credited { amount } openAmount { amount } } } }";
const SCHEDULE: &str =
    "query($id: ID!) { contractBillingSchedule(contractId: $id) { amount { amount } state note } }";

/// An annual (or other) deal of `price` a period from `start` to `end` in jurisdiction `tax`.
fn priced_deal(customer: &str, app: &TestApp, opportunity: &str, terms: [&str; 5]) -> Value {
    let [frequency, price, start, end, tax] = terms;
    let mut input = deal(customer, app.user_id(Role::Ae), opportunity);
    input["billingFrequency"] = json!(frequency);
    input["startDate"] = json!(start);
    input["endDate"] = json!(end);
    let yearly = if frequency == "MONTHLY" {
        // 12 months of the monthly price, written out so the deal states its ARR exactly.
        let cents: i64 = price.replace('.', "").parse::<i64>().unwrap() * 12;
        format!("{}.{:02}", cents / 100, cents % 100)
    } else {
        price.to_string()
    };
    input["arr"] = json!({ "amount": yearly, "currency": "USD" });
    input["tcv"] = json!({ "amount": yearly, "currency": "USD" });
    input["taxJurisdiction"] = json!(tax);
    input
}

async fn memos_of(app: &TestApp, customer: &str) -> Vec<Value> {
    let mut all = app
        .gql_ok(Role::Cfo, MEMOS, json!({ "customerId": customer }))
        .await["creditMemos"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    all.sort_by_key(|memo| memo["id"].as_str().unwrap().parse::<i64>().unwrap());
    all
}

async fn invoices_of_customer(app: &TestApp, customer: &str) -> Vec<Value> {
    app.gql_ok(
        Role::Cfo,
        CUSTOMER_INVOICES,
        json!({ "customerId": customer }),
    )
    .await["invoices"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

async fn cancel(app: &TestApp, line: &str, effective: &str, key: &str) {
    app.gql_ok(
        Role::VpRevops,
        CHANGE,
        json!({ "input": { "contractLineId": line, "kind": "CANCELLATION", "effectiveDate": effective, "reason": "Customer cancelled", "idempotencyKey": key } }),
    )
    .await;
}

#[tokio::test]
async fn a_paid_annual_plan_cancelled_after_a_month_gets_its_credit_memo_at_once() {
    // Proves a cancellation credit with no later invoice to absorb it is issued at once as a
    // numbered credit memo with its tax, kept as customer credit because the invoice was paid,
    // posted (Dr deferred revenue, Dr tax payable, Cr customer credits), audited, e-mailed once,
    // and issued only once however often the bill run runs.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "7.25").await;
    let customer = app.create_customer("Globex", "USD").await;
    let terms = ["ANNUALLY", "2399.95", "2026-01-01", "2026-12-31", "US-CA"];
    let (contract_id, line) = contract(&app, priced_deal(&customer, &app, "OPP-C1", terms)).await;
    // 2,399.95 + 7.25 % tax (173.996… → 174.00) = 2,573.95, paid in full.
    let january = run(&app, "2026-01-01").await;
    assert_eq!(january["issued"][0]["total"]["amount"], "2573.95");
    app.gql_ok(
        Role::ArSpecialist,
        "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }",
        json!({ "input": crate::receivables::pay_input(&customer, "2573.95", "2026-01-10", "pay-c1", Value::Null) }),
    )
    .await;
    cancel(&app, &line, "2026-01-31", "cancel-c1").await;

    let cancelled = run(&app, "2026-01-31").await;
    assert_eq!(
        cancelled["issued"].as_array().unwrap().len(),
        0,
        "{cancelled}"
    );
    assert!(
        cancelled["summary"]
            .as_str()
            .unwrap()
            .ends_with("1 credit memos issued"),
        "{cancelled}"
    );
    for date in ["2026-01-31", "2026-02-01", "2026-12-31"] {
        let again = run(&app, date).await;
        assert_eq!(again["issued"].as_array().unwrap().len(), 0, "{date}");
        assert!(!again["summary"].as_str().unwrap().contains("credit memo"));
    }
    let memos = memos_of(&app, &customer).await;
    assert_eq!(memos.len(), 1, "issued once: {memos:?}");
    let memo = &memos[0];
    // 2,399.95 × 335/365 unused days = 2,202.693… → 2,202.69; its tax at the line's rate:
    // 2,202.69 × 174.00 / 2,399.95 = 159.698… → 159.70; total 2,362.39, all customer credit.
    assert_eq!(memo["number"], "CM-2026-000001");
    assert_eq!(memo["status"], "APPROVED");
    assert_eq!(memo["issueDate"], "2026-01-31");
    assert_eq!(memo["subtotal"]["amount"], "2202.69");
    assert_eq!(memo["tax"]["amount"], "159.70");
    assert_eq!(memo["total"]["amount"], "2362.39");
    assert_eq!(memo["toInvoice"]["amount"], "0.00");
    assert_eq!(memo["toCredit"]["amount"], "2362.39");
    assert!(
        memo["reason"].as_str().unwrap().contains("335/365"),
        "{memo}"
    );
    let invoice = &invoices_of_customer(&app, &customer).await[0];
    assert_eq!(invoice["status"], "PAID");
    assert_eq!(invoice["credited"]["amount"], "2362.39");
    let credits = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { customerCredits(customerId: $id) { remaining { amount } source } }",
            json!({ "id": customer }),
        )
        .await;
    assert_eq!(
        credits["customerCredits"][0]["remaining"]["amount"],
        "2362.39"
    );
    assert_eq!(credits["customerCredits"][0]["source"], "credit_memo");
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-01-31" }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    assert_eq!(balance(&trial, "1100"), "0.00");
    assert_eq!(balance(&trial, "1000"), "2573.95");
    // Deferred revenue keeps the 30 days served: 2,399.95 − 2,202.69 = 197.26.
    assert_eq!(balance(&trial, "2000"), "-197.26");
    assert_eq!(balance(&trial, "2100"), "-14.30");
    assert_eq!(balance(&trial, "2200"), "-2362.39");
    let schedule = app
        .gql_ok(Role::Cfo, SCHEDULE, json!({ "id": contract_id }))
        .await;
    let credit = schedule["contractBillingSchedule"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["amount"]["amount"] == "-2202.69")
        .cloned()
        .expect("the credit in the schedule");
    assert_eq!(credit["state"], "credited");
    let audit = app
        .gql_ok(
            Role::Auditor,
            "query($id: String) { auditLog(first: 50, entityType: \"credit_memo\", entityId: $id) { nodes { action } } }",
            json!({ "id": memo["id"] }),
        )
        .await;
    let actions: Vec<&str> = audit["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["credit_memo.issue_for_cancellation"]);
    // The e-mail goes out once with the memo's PDF (mail is written as .eml files here).
    for _ in 0..2 {
        revops::jobs::send_mail(&app.app).await.unwrap();
    }
    let mails: Vec<String> = std::fs::read_dir(&app.app.config.mail_dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .filter(|text| text.contains("Subject: Credit memo"))
        .collect();
    assert_eq!(mails.len(), 1, "one credit memo e-mail");
    assert!(mails[0].contains("CM-2026-000001.pdf"));
    assert!(mails[0].contains("2362.39 USD is held as credit"));
}

#[tokio::test]
async fn a_cancellation_after_a_credit_memo_credits_only_what_is_left_on_the_line() {
    // Proves a cancellation credit is capped at what the line still has billed and not credited:
    // 249.95 billed, 10.00 credited by a memo, so the cancellation credits 239.95, not the
    // 241.89 its 30/31 unused days would give (which would credit 251.89 against 249.95).
    let app = TestApp::spawn().await;
    tax_rate(&app, "US", "0").await;
    app.travel_to("2026-01-01T12:00:00Z".parse().unwrap()).await;
    let customer = app.create_customer("Initrode", "USD").await;
    let terms = ["MONTHLY", "249.95", "2026-01-01", "2026-12-31", "US"];
    let (contract_id, line) = contract(&app, priced_deal(&customer, &app, "OPP-C2", terms)).await;
    let january = run(&app, "2026-01-01").await;
    assert_eq!(january["issued"][0]["total"]["amount"], "249.95");
    let invoice_id = invoices_of_customer(&app, &customer).await[0]["id"].clone();
    let requested = app
        .gql_ok(
            Role::ArSpecialist,
            "mutation($input: CreditMemoRequestInput!) { creditMemoRequest(input: $input) { approvalId } }",
            json!({ "input": { "invoiceId": invoice_id, "reason": "Outage on day one", "amount": "10.00" } }),
        )
        .await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: DocumentDecideInput!) { creditMemoDecide(input: $input) { number } }",
        json!({ "input": { "approvalId": requested["creditMemoRequest"]["approvalId"], "decision": "APPROVE", "comment": "Agreed" } }),
    )
    .await;
    cancel(&app, &line, "2026-01-02", "cancel-c2").await;
    let cancelled = run(&app, "2026-01-02").await;
    assert_eq!(
        cancelled["issued"].as_array().unwrap().len(),
        0,
        "{cancelled}"
    );
    let memos = memos_of(&app, &customer).await;
    assert_eq!(memos.len(), 2, "{memos:?}");
    assert_eq!(memos[0]["total"]["amount"], "10.00");
    assert_eq!(memos[1]["number"], "CM-2026-000002");
    assert_eq!(memos[1]["total"]["amount"], "239.95");
    assert_eq!(memos[1]["toInvoice"]["amount"], "239.95");
    let invoice = &invoices_of_customer(&app, &customer).await[0];
    assert_eq!(invoice["credited"]["amount"], "249.95");
    assert_eq!(invoice["openAmount"]["amount"], "0.00");
    assert_eq!(invoice["status"], "CREDITED");
    let schedule = app
        .gql_ok(Role::Cfo, SCHEDULE, json!({ "id": contract_id }))
        .await;
    let rows = schedule["contractBillingSchedule"].as_array().unwrap();
    let credit = rows
        .iter()
        .find(|row| row["amount"]["amount"] == "-239.95")
        .expect("the capped credit");
    assert_eq!(credit["state"], "credited");
    assert!(
        credit["note"]
            .as_str()
            .unwrap()
            .contains("capped at 239.95"),
        "{credit}"
    );
    // Nothing is left: a rerun issues nothing, and AR and deferred revenue are back to zero.
    let again = run(&app, "2026-01-03").await;
    assert_eq!(again["chargesWritten"], 0);
    assert_eq!(memos_of(&app, &customer).await.len(), 2);
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-01-31" }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    assert_eq!(balance(&trial, "1100"), "0.00");
    assert_eq!(balance(&trial, "2000"), "0.00");
}

/// An adjustment on one line of an issued invoice (issue 20, "Adjustments on issued invoice
/// lines"): January's invoice bills Platform seats 1,000.00 and Support 500.00. A credit of
/// 400.00 against the seats line alone leaves that line 600.00; a later 700.00 on it is refused,
/// naming the line's amount and what is left; a gross credit of 300.00 afterwards spreads over
/// what each line still has (600.00 and 500.00: 163.64 and 136.36), not over what they billed;
/// once the seats line is credited in full, a gross credit goes to Support alone. Source:
/// Chargebee's and Stripe's credit notes against individual invoice line items, each line's
/// credits capped at its amount.
#[tokio::test]
async fn a_credit_against_one_invoice_line_caps_the_later_credits_of_that_line() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Adjustments", "USD").await;
    let mut input = crate::discounts::seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
    input["lines"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "productName": "Support", "kind": "SUBSCRIPTION", "quantity": "1",
            "unitPrice": { "amount": "500.00", "currency": "USD" }, "billingFrequency": "MONTHLY" }));
    crate::discounts::approved(&app, input, "adjust-approve").await;
    crate::discounts::bill(&app, "2027-01-01").await;
    let invoice = app
        .gql_ok(
            Role::Cfo,
            "query($customerId: ID) { invoices(first: 10, customerId: $customerId) { nodes { id lines { id description } } } }",
            json!({ "customerId": customer }),
        )
        .await["invoices"]["nodes"][0]
        .clone();
    let invoice_id = invoice["id"].clone();
    let seats = invoice["lines"][0]["id"].clone();
    assert!(invoice["lines"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Platform seats"));
    let invoice_id = &invoice_id;
    let credit = |request: Value, key: &str| {
        let app = &app;
        let key = key.to_string();
        async move {
            let mut input = request;
            input["invoiceId"] = invoice_id.clone();
            input["reason"] = json!(format!("Adjustment {key}"));
            let requested = app
                .gql_as(
                    Role::ArSpecialist,
                    "mutation($input: CreditMemoRequestInput!) { creditMemoRequest(input: $input) { approvalId lines { amount { amount } } } }",
                    json!({ "input": input }),
                )
                .await;
            if requested.get("errors").is_some() {
                return requested;
            }
            app.gql_ok(
                Role::VpRevops,
                "mutation($input: DocumentDecideInput!) { creditMemoDecide(input: $input) { number } }",
                json!({ "input": { "approvalId": requested["data"]["creditMemoRequest"]["approvalId"], "decision": "APPROVE", "comment": "Agreed" } }),
            )
            .await;
            requested
        }
    };
    let first = credit(
        json!({ "lines": [{ "invoiceLineId": seats, "amount": "400.00" }] }),
        "one",
    )
    .await;
    assert_eq!(
        first["data"]["creditMemoRequest"]["lines"],
        json!([{ "amount": { "amount": "400.00" } }])
    );
    let refused = credit(
        json!({ "lines": [{ "invoiceLineId": seats, "amount": "700.00" }] }),
        "two",
    )
    .await;
    assert_eq!(error_field(&refused).as_deref(), Some("lines.0.amount"));
    assert!(
        refused.to_string().contains(
            "at most the USD 600.00 the line still has uncredited (billed USD 1,000.00, credited USD 400.00)"
        ),
        "{refused}"
    );
    let spread = credit(json!({ "amount": "300.00" }), "three").await;
    assert_eq!(
        spread["data"]["creditMemoRequest"]["lines"],
        json!([{ "amount": { "amount": "163.64" } }, { "amount": { "amount": "136.36" } }]),
        "{spread}"
    );
    // The seats line has 436.36 left; credit it in full, then a gross credit goes to Support.
    credit(
        json!({ "lines": [{ "invoiceLineId": seats, "amount": "436.36" }] }),
        "four",
    )
    .await;
    let support_only = credit(json!({ "amount": "50.00" }), "five").await;
    assert_eq!(
        support_only["data"]["creditMemoRequest"]["lines"],
        json!([{ "amount": { "amount": "50.00" } }]),
        "{support_only}"
    );
    let memos = memos_of(&app, &customer).await;
    assert_eq!(memos.len(), 4, "the refused request wrote nothing");
}

#[tokio::test]
async fn billing_and_the_commission_clawback_count_the_same_unserved_days() {
    // Proves one day count: a year cancelled from 2026-07-03 leaves 182 days unserved (July 3 to
    // December 31), and both the billing credit and the prorated churn clawback use 182/365.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US", "0").await;
    app.travel_to("2026-01-01T12:00:00Z".parse().unwrap()).await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: CommissionPlanImportInput!) { commissionPlanImport(input: $input) { id } }",
        json!({ "input": { "document": "code: PLAN-AE-2026\nname: AE plan\ncurrency: USD\neffective_from: 2026-01-01\nquota:\n  period: year\n  amount: \"1000000.00\"\nclawback:\n  window_days: 365\n  mode: prorated\ncomponents:\n  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n" } }),
    )
    .await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: CommissionPlanAssignInput!) { commissionPlanAssign(input: $input) { id } }",
        json!({ "input": { "userId": app.user_id(Role::Ae).to_string(), "planCode": "PLAN-AE-2026", "effectiveFrom": "2026-01-01" } }),
    )
    .await;
    let customer = app.create_customer("Vandelay", "USD").await;
    let terms = ["ANNUALLY", "2400.00", "2026-01-01", "2026-12-31", "US"];
    let (_, line) = contract(&app, priced_deal(&customer, &app, "OPP-C3", terms)).await;
    run(&app, "2026-01-01").await;
    let calculate = "mutation($period: String!) { commissionCalculate(period: $period) { lines } }";
    app.travel_to("2026-02-01T12:00:00Z".parse().unwrap()).await;
    app.gql_ok(Role::VpRevops, calculate, json!({ "period": "2026-01" }))
        .await;
    app.travel_to("2026-07-03T12:00:00Z".parse().unwrap()).await;
    cancel(&app, &line, "2026-07-03", "cancel-c3").await;
    run(&app, "2026-07-03").await;
    // Billing: 2,400.00 × 182/365 = 1,196.712… → 1,196.71, issued as a credit memo at once.
    let memos = memos_of(&app, &customer).await;
    assert_eq!(memos.len(), 1, "{memos:?}");
    assert_eq!(memos[0]["total"]["amount"], "1196.71");
    assert!(
        memos[0]["reason"].as_str().unwrap().contains("182/365"),
        "{}",
        memos[0]
    );
    app.travel_to("2026-08-01T12:00:00Z".parse().unwrap()).await;
    app.gql_ok(Role::VpRevops, calculate, json!({ "period": "2026-07" }))
        .await;
    let statement = app
        .gql_ok(
            Role::VpRevops,
            "query($userId: ID, $period: String!) { commissionStatement(userId: $userId, period: $period) { lines { kind amount { amount } causeType } } }",
            json!({ "userId": app.user_id(Role::Ae).to_string(), "period": "2026-07" }),
        )
        .await;
    let clawbacks: Vec<&Value> = statement["commissionStatement"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["kind"] == "clawback")
        .collect();
    // Commission 10 % of 2,400.00 = 240.00; 240.00 × 182/365 = 119.671… → 119.67 comes back,
    // once: the credit memo the cancellation produced is not a second cause.
    assert_eq!(clawbacks.len(), 1, "{statement}");
    assert_eq!(clawbacks[0]["amount"]["amount"], "-119.67");
    assert_eq!(clawbacks[0]["causeType"], "churn");
}
