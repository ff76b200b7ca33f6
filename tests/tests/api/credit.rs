//! The credit policy enforced (issue 20; DOMAIN "Credit policy"): exposure = open invoices +
//! drafts waiting + recurring charges due in the next 30 days, in the limit's currency; a deal
//! approval, a renewal or an invoice that takes it over the limit needs a VP Finance. Worked
//! cases with exact amounts, on SQLite and PostgreSQL.

use crate::billing::{deal, tax_rate};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const CREATE: &str =
    "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }";
const APPROVE: &str = "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id contractNumber } } }";
const CHECK: &str = "query($id: ID!) { deal(id: $id) { creditCheck { limit { amount } exposure { amount } adding { amount } after { amount } overBy { amount } needsVpFinance deposit { amount } explanation } } }";
const EXPOSURE: &str = "query($id: ID!) { customer(id: $id) { creditLimit { amount currency } creditExposure { open { amount } waiting { amount } scheduled { amount } after { amount } overBy { amount } needsVpFinance explanation } } }";
const RUN: &str = "mutation($asOf: Date!) { billRun(asOf: $asOf) { issued { number total { amount } } held { invoiceId blockedField blockedReason total { amount } } } }";
const ISSUE: &str =
    "mutation($id: ID!) { invoiceIssue(id: $id) { number status total { amount } } }";

fn day(text: &str) -> chrono::DateTime<chrono::Utc> {
    format!("{text}T10:00:00Z").parse().unwrap()
}

async fn draft(app: &TestApp, input: Value) -> String {
    app.gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn approve_input(id: &str, over: Option<bool>) -> Value {
    json!({ "input": { "id": id, "idempotencyKey": format!("approve-{id}"), "approveOverCreditLimit": over } })
}

async fn audit_actions(app: &TestApp, entity_type: &str, id: &str) -> Vec<String> {
    app.gql_ok(
        Role::Cfo,
        "query($type: String, $id: String) { auditLog(first: 50, entityType: $type, entityId: $id) { nodes { action } } }",
        json!({ "type": entity_type, "id": id }),
    )
    .await["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["action"].as_str().unwrap().to_string())
        .collect()
}

/// An annual deal of 14,400.00 due on 1 Dec, for a new customer whose limit is 10,000.00:
/// approving it on 27 Nov takes exposure from 0.00 to 14,400.00 (the first year is due within
/// 30 days), 4,400.00 over. A VP RevOps is refused, and so is a VP Finance who has not said
/// "over the limit"; nothing is written. The VP Finance who says so approves, and the limit
/// becomes 14,400.00, audited as a limit change.
#[tokio::test]
async fn a_deal_over_the_credit_limit_is_refused_and_a_vp_finance_approves_it_raising_the_limit() {
    let app = TestApp::spawn().await;
    let customer = app.create_new_customer("Initech Credit", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-CREDIT-1");
    input["startDate"] = json!("2026-12-01");
    input["endDate"] = json!("2027-11-30");
    input["billingFrequency"] = json!("ANNUALLY");
    let id = draft(&app, input).await;

    let checked =
        app.gql_ok(Role::VpRevops, CHECK, json!({ "id": id })).await["deal"]["creditCheck"].clone();
    assert_eq!(checked["limit"]["amount"], "10000.00");
    assert_eq!(checked["exposure"]["amount"], "0.00");
    assert_eq!(checked["adding"]["amount"], "14400.00");
    assert_eq!(checked["after"]["amount"], "14400.00");
    assert_eq!(checked["overBy"]["amount"], "4400.00");
    assert_eq!(checked["needsVpFinance"], true);
    assert_eq!(
        checked["explanation"],
        "This deal takes Initech Credit's exposure to USD 14,400.00 (open invoices USD 0.00, drafts waiting USD 0.00, due in the next 30 days USD 0.00, this deal USD 14,400.00), over its credit limit USD 10,000.00 by USD 4,400.00. A VP Finance must approve, or raise the limit first."
    );

    let refused = app
        .gql_as(Role::VpRevops, APPROVE, approve_input(&id, Some(true)))
        .await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("VALIDATION"),
        "{refused}"
    );
    assert_eq!(error_field(&refused).as_deref(), Some("creditLimit"));
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("Only a VP Finance can approve a deal over the credit limit. Or take a deposit, as its credit policy allows: a payment of USD 4,400.00 recorded as customer credit brings the deal within the limit."));
    let unconfirmed = app
        .gql_as(Role::VpFinance, APPROVE, approve_input(&id, None))
        .await;
    assert_eq!(
        error_field(&unconfirmed).as_deref(),
        Some("approveOverCreditLimit"),
        "{unconfirmed}"
    );
    assert!(unconfirmed["errors"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("Confirm approving over the limit; the limit is then raised to USD 14,400.00."));
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM contracts").await, 0);
    let before = app
        .gql_ok(Role::Cfo, EXPOSURE, json!({ "id": customer }))
        .await;
    assert_eq!(before["customer"]["creditLimit"]["amount"], "10000.00");

    let approved = app
        .gql_ok(Role::VpFinance, APPROVE, approve_input(&id, Some(true)))
        .await;
    assert!(approved["dealApprove"]["contract"]["id"].is_string());
    let after = app
        .gql_ok(Role::Cfo, EXPOSURE, json!({ "id": customer }))
        .await["customer"]
        .clone();
    assert_eq!(after["creditLimit"]["amount"], "14400.00");
    // The first year is now scheduled within the window: exposure equals the raised limit.
    let exposure = &after["creditExposure"];
    assert_eq!(exposure["open"]["amount"], "0.00");
    assert_eq!(exposure["scheduled"]["amount"], "14400.00");
    assert_eq!(exposure["after"]["amount"], "14400.00");
    assert_eq!(exposure["overBy"], Value::Null);
    assert_eq!(exposure["needsVpFinance"], false);
    assert_eq!(
        exposure["explanation"],
        "Initech Credit's exposure is USD 14,400.00 (open invoices USD 0.00, drafts waiting USD 0.00, due in the next 30 days USD 14,400.00), within its credit limit USD 14,400.00."
    );
    assert!(audit_actions(&app, "customer", &customer)
        .await
        .contains(&"customer.credit_limit.change".to_string()));
    // The same request again returns the first result, and changes nothing more.
    let again = app
        .gql_ok(Role::VpFinance, APPROVE, approve_input(&id, Some(true)))
        .await;
    assert_eq!(again, approved);
}

/// The same annual deal of 14,400.00 for a new customer (limit 10,000.00): its credit policy takes
/// a deposit above the limit. The AR specialist records the 4,400.00 deposit as customer credit;
/// exposure is then 14,400.00 − 4,400.00 = 10,000.00, within the limit, and the VP RevOps
/// approves without a VP Finance. The limit stays 10,000.00.
#[tokio::test]
async fn a_deposit_paid_in_advance_brings_a_new_customers_deal_within_its_limit() {
    let app = TestApp::spawn().await;
    let customer = app.create_new_customer("Hooli Deposit", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-CREDIT-4");
    input["startDate"] = json!("2026-12-01");
    input["endDate"] = json!("2027-11-30");
    input["billingFrequency"] = json!("ANNUALLY");
    let id = draft(&app, input).await;
    let before =
        app.gql_ok(Role::VpRevops, CHECK, json!({ "id": id })).await["deal"]["creditCheck"].clone();
    assert_eq!(before["deposit"]["amount"], "4400.00", "{before}");

    app.gql_ok(
        Role::ArSpecialist,
        "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { unapplied { amount } } }",
        json!({ "input": {
            "customerId": customer, "amount": { "amount": "4400.00", "currency": "USD" },
            "method": "WIRE", "receivedOn": "2026-11-27", "reference": "DEPOSIT OPP-CREDIT-4",
            "idempotencyKey": "deposit-1", "keepAsCredit": true
        } }),
    )
    .await;
    let after =
        app.gql_ok(Role::VpRevops, CHECK, json!({ "id": id })).await["deal"]["creditCheck"].clone();
    assert_eq!(after["after"]["amount"], "10000.00");
    assert_eq!(after["needsVpFinance"], false);
    assert_eq!(after["deposit"], Value::Null);
    assert_eq!(
        after["explanation"],
        "Hooli Deposit's exposure with this deal is USD 10,000.00 (open invoices USD 0.00, drafts waiting USD 0.00, due in the next 30 days USD 0.00, less customer credit held USD 4,400.00, this deal USD 14,400.00), within its credit limit USD 10,000.00."
    );
    app.gql_ok(Role::VpRevops, APPROVE, approve_input(&id, None))
        .await;
    let limit = app
        .gql_ok(Role::Cfo, EXPOSURE, json!({ "id": customer }))
        .await["customer"]["creditLimit"]["amount"]
        .clone();
    assert_eq!(limit, "10000.00");
}

/// A monthly contract of 4,000.00 begun on 1 Sep is approved on 27 Nov by a VP Finance over a new
/// customer's 10,000.00 (Sep–Dec due within 30 days: 16,000.00, the new limit). The bill run of
/// 1 Dec issues those four months (exposure 16,000.00, at the limit). Nothing is paid; the run of
/// 1 Jan adds January's 4,000.00: 20,000.00 is 4,000.00 over, so the invoice is held as a draft.
/// The AR specialist may not issue it; the VP Finance does, audited. The dashboard lists the
/// customer over its limit by 4,000.00.
#[tokio::test]
async fn the_bill_run_holds_an_invoice_over_the_limit_for_a_vp_finance_and_the_dashboard_lists_the_customer(
) {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_new_customer("Globex Credit", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-CREDIT-2");
    input["startDate"] = json!("2026-09-01");
    input["endDate"] = json!("2027-08-31");
    input["tcv"] = json!({ "amount": "48000.00", "currency": "USD" });
    input["arr"] = json!({ "amount": "48000.00", "currency": "USD" });
    let id = draft(&app, input).await;
    app.gql_ok(Role::VpFinance, APPROVE, approve_input(&id, Some(true)))
        .await;

    app.travel_to(day("2026-12-01")).await;
    let december = app
        .gql_ok(Role::Admin, RUN, json!({ "asOf": "2026-12-01" }))
        .await["billRun"]
        .clone();
    assert_eq!(december["held"], json!([]), "{december}");
    assert_eq!(december["issued"][0]["total"]["amount"], "16000.00");

    app.travel_to(day("2027-01-01")).await;
    let january = app
        .gql_ok(Role::Admin, RUN, json!({ "asOf": "2027-01-01" }))
        .await["billRun"]
        .clone();
    assert_eq!(january["issued"], json!([]), "{january}");
    let held = &january["held"][0];
    assert_eq!(held["blockedField"], "creditLimit");
    assert_eq!(held["total"]["amount"], "4000.00");
    assert_eq!(
        held["blockedReason"],
        "This invoice takes Globex Credit's exposure to USD 20,000.00 (open invoices USD 16,000.00, drafts waiting USD 0.00, due in the next 30 days USD 0.00, this invoice USD 4,000.00), over its credit limit USD 16,000.00 by USD 4,000.00. A VP Finance must approve, or raise the limit first. Held for a VP Finance to issue."
    );
    let invoice_id = held["invoiceId"].as_str().unwrap().to_string();

    let exposure = app
        .gql_ok(Role::Cfo, EXPOSURE, json!({ "id": customer }))
        .await["customer"]["creditExposure"]
        .clone();
    assert_eq!(exposure["open"]["amount"], "16000.00");
    assert_eq!(exposure["waiting"]["amount"], "4000.00");
    assert_eq!(exposure["overBy"]["amount"], "4000.00");

    let refused = app
        .gql_as(Role::ArSpecialist, ISSUE, json!({ "id": invoice_id }))
        .await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("FORBIDDEN"),
        "{refused}"
    );
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("Only a VP Finance can issue it."));
    let issued = app
        .gql_ok(Role::VpFinance, ISSUE, json!({ "id": invoice_id }))
        .await["invoiceIssue"]
        .clone();
    assert_eq!(issued["status"], "ISSUED");
    assert!(issued["number"].as_str().unwrap().starts_with("INV-2027-"));
    assert!(audit_actions(&app, "invoice", &invoice_id)
        .await
        .contains(&"invoice.issue_over_credit_limit".to_string()));

    let over = app
        .gql_ok(
            Role::Cfo,
            "query($asOf: Date) { customersOverCreditLimit(asOf: $asOf) { customerId name exposure { amount currency } limit { amount } overBy { amount } } }",
            json!({ "asOf": "2027-01-01" }),
        )
        .await;
    assert_eq!(
        over["customersOverCreditLimit"],
        json!([{
            "customerId": customer,
            "name": "Globex Credit",
            "exposure": { "amount": "20000.00", "currency": "USD" },
            "limit": { "amount": "16000.00" },
            "overBy": { "amount": "4000.00" },
        }])
    );
}

/// A contract billed 12,000.00 a year, ending 14 Dec 2026, whose customer's limit is the
/// 12,000.00 its VP Finance approved and whose first year is unpaid: renewing on 27 Nov puts the
/// next year (due 15 Dec, within 30 days) on top, 24,000.00 against 12,000.00. The preview and the
/// renewal are both refused naming the credit limit, and no contract is written.
#[tokio::test]
async fn a_renewal_over_the_credit_limit_is_refused_until_the_limit_is_raised() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_new_customer("Umbrella Credit", "USD").await;
    let mut input = deal(&customer, app.user_id(Role::Ae), "OPP-CREDIT-3");
    input["startDate"] = json!("2025-12-15");
    input["endDate"] = json!("2026-12-14");
    input["billingFrequency"] = json!("ANNUALLY");
    input["tcv"] = json!({ "amount": "12000.00", "currency": "USD" });
    input["arr"] = json!({ "amount": "12000.00", "currency": "USD" });
    let id = draft(&app, input).await;
    let contract = app
        .gql_ok(Role::VpFinance, APPROVE, approve_input(&id, Some(true)))
        .await["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let run = app
        .gql_ok(Role::Admin, RUN, json!({ "asOf": "2026-11-27" }))
        .await;
    assert_eq!(
        run["billRun"]["issued"][0]["total"]["amount"], "12000.00",
        "{run}"
    );

    let preview = app
        .gql_as(
            Role::VpRevops,
            "query($id: ID!) { renewalPreview(contractId: $id, upliftPercent: \"0\") { arr { amount } } }",
            json!({ "id": contract }),
        )
        .await;
    assert_eq!(
        error_field(&preview).as_deref(),
        Some("creditLimit"),
        "{preview}"
    );
    assert_eq!(
        preview["errors"][0]["message"],
        "This renewal takes Umbrella Credit's exposure to USD 24,000.00 (open invoices USD 12,000.00, drafts waiting USD 0.00, due in the next 30 days USD 0.00, this renewal USD 12,000.00), over its credit limit USD 12,000.00 by USD 12,000.00. A VP Finance must approve, or raise the limit first. Request a higher credit limit for a VP Finance to approve, then renew."
    );
    let renewed = app
        .gql_as(
            Role::VpRevops,
            "mutation($input: ContractRenewInput!) { contractRenew(input: $input) { id } }",
            json!({ "input": { "contractId": contract, "idempotencyKey": "renew-1", "upliftPercent": "0" } }),
        )
        .await;
    assert_eq!(
        error_field(&renewed).as_deref(),
        Some("creditLimit"),
        "{renewed}"
    );
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM contracts").await, 1);
}
