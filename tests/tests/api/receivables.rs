//! Receivables over GraphQL: payments applied explicitly and oldest first, overpayments kept as
//! credit and applied or refunded, idempotency, racing payments, and aging as of any date equal
//! to the ledger's AR on that date.

use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

pub const CREATE: &str =
    "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }";
pub const APPROVE: &str =
    "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id } } }";
pub const RUN: &str =
    "mutation($asOf: Date!) { billRun(asOf: $asOf) { issued { number } held { blockedReason } } }";
const PAY: &str = "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id amount { amount currency } applied { amount } unapplied { amount } applications { invoiceNumber amount { amount } appliedOn } } }";
const AGING: &str = "query($asOf: Date, $basis: AgingBasis) { arAging(asOf: $asOf, basis: $basis) { currencies { currency total { amount } count buckets { bucket amount { amount } count percent } } } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced lines { account { code } currency balance { amount } } } }";
pub const INVOICES: &str = "query($customerId: ID) { invoices(first: 100, customerId: $customerId) { nodes { id number status invoiceDate total { amount currency } paid { amount } credited { amount } writtenOff { amount } openAmount { amount } } } }";

/// A deal of `amount` per period in `currency`, approved; returns the contract id.
#[allow(clippy::too_many_arguments)]
pub async fn contract(
    app: &TestApp,
    customer: &str,
    opportunity: &str,
    frequency: &str,
    amount: &str,
    currency: &str,
    start: &str,
    end: &str,
) -> String {
    let input = json!({
        "crmOpportunityId": opportunity,
        "customerId": customer,
        "invoicedLegalEntity": "Customer Inc.",
        "billingContact": { "name": "Accounts Payable", "email": "ap@customer.example" },
        "productName": "Analytics Suite",
        "tcv": { "amount": amount, "currency": currency },
        "arr": { "amount": amount, "currency": currency },
        "startDate": start, "endDate": end,
        "billingFrequency": frequency, "paymentTerms": "NET_30", "billingCurrency": currency,
        "poRequired": false,
        "taxJurisdiction": "US-OR", "taxExempt": false,
        "revenueRecognitionType": "RATABLE",
        "assignedAeId": app.user_id(Role::Ae).to_string(),
        "commissionPlanId": "PLAN-AE-2026"
    });
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
    approved["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn zero_tax(app: &TestApp) {
    app.gql_ok(
        Role::Cfo,
        "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { jurisdiction } }",
        json!({ "input": { "jurisdiction": "US-OR", "ratePercent": "0", "label": "No sales tax", "effectiveFrom": "2020-01-01" } }),
    )
    .await;
}

/// A new USD customer with one open invoice of 1,000.00 (an annual plan from 2026-02-01, billed
/// that day, no tax); returns the customer's id.
pub async fn customer_with_open_invoice(app: &TestApp, name: &str, opportunity: &str) -> String {
    zero_tax(app).await;
    let customer = app.create_customer(name, "USD").await;
    contract(
        app,
        &customer,
        opportunity,
        "ANNUALLY",
        "1000.00",
        "USD",
        "2026-02-01",
        "2027-01-31",
    )
    .await;
    bill(app, "2026-02-01").await;
    customer
}

pub async fn bill(app: &TestApp, as_of: &str) -> Value {
    app.gql_ok(Role::Admin, RUN, json!({ "asOf": as_of })).await["billRun"].clone()
}

pub async fn invoices_of(app: &TestApp, customer: &str) -> Vec<Value> {
    let mut all = app
        .gql_ok(Role::Cfo, INVOICES, json!({ "customerId": customer }))
        .await["invoices"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    all.sort_by_key(|invoice| invoice["number"].as_str().unwrap_or_default().to_string());
    all
}

pub fn pay_input(customer: &str, amount: &str, on: &str, key: &str, allocations: Value) -> Value {
    let mut input = json!({
        "customerId": customer, "method": "WIRE",
        "amount": { "amount": amount, "currency": "USD" },
        "receivedOn": on, "reference": format!("WIRE {key}"), "idempotencyKey": key
    });
    if !allocations.is_null() {
        input["allocations"] = allocations;
    }
    input
}

pub async fn ledger_ar(app: &TestApp, as_of: &str, currency: &str) -> String {
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": as_of }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    trial["trialBalance"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["account"]["code"] == "1100" && line["currency"] == currency)
        .map(|line| line["balance"]["amount"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "0.00".into())
}

pub async fn aging_total(app: &TestApp, as_of: &str, currency: &str) -> String {
    let aging = app.gql_ok(Role::Cfo, AGING, json!({ "asOf": as_of })).await;
    aging["arAging"]["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|summary| summary["currency"] == currency)
        .map(|summary| summary["total"]["amount"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "0.00".into())
}

#[tokio::test]
async fn payments_apply_oldest_first_overpayments_become_credit_and_aging_matches_the_ledger() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Initech", "USD").await;
    contract(
        &app,
        &customer,
        "OPP-R1",
        "MONTHLY",
        "12000.00",
        "USD",
        "2026-01-15",
        "2027-01-14",
    )
    .await;
    for date in ["2026-01-15", "2026-02-15", "2026-03-15"] {
        bill(&app, date).await;
    }
    let invoices = invoices_of(&app, &customer).await;
    assert_eq!(invoices.len(), 3);
    assert_eq!(invoices[0]["total"]["amount"], "1000.00");

    // Aging on 16 March, before any payment: Jan is 60 days old, Feb 29, Mar 1.
    let aging = app
        .gql_ok(Role::ArSpecialist, AGING, json!({ "asOf": "2026-03-16" }))
        .await;
    let usd = &aging["arAging"]["currencies"][0];
    assert_eq!(usd["total"]["amount"], "3000.00");
    assert_eq!(usd["count"], 3);
    assert_eq!(usd["buckets"][0]["amount"]["amount"], "2000.00");
    assert_eq!(usd["buckets"][1]["amount"]["amount"], "1000.00");
    assert_eq!(usd["buckets"][0]["percent"], "66.67");
    assert_eq!(usd["buckets"][1]["percent"], "33.33");
    // By due date (net 30) January is 30 days past due: still current; March is not yet due.
    let by_due = app
        .gql_ok(
            Role::Cfo,
            AGING,
            json!({ "asOf": "2026-03-16", "basis": "DUE_DATE" }),
        )
        .await;
    assert_eq!(
        by_due["arAging"]["currencies"][0]["buckets"][0]["amount"]["amount"],
        "3000.00"
    );
    assert_eq!(ledger_ar(&app, "2026-03-16", "USD").await, "3000.00");

    // 1,500 oldest first: January paid, February half paid.
    let paid = app
        .gql_ok(
            Role::ArSpecialist,
            PAY,
            json!({ "input": pay_input(&customer, "1500.00", "2026-03-20", "pay-1", Value::Null) }),
        )
        .await;
    let payment = &paid["paymentRecord"];
    assert_eq!(payment["applied"]["amount"], "1500.00");
    assert_eq!(payment["unapplied"]["amount"], "0.00");
    assert_eq!(payment["applications"].as_array().unwrap().len(), 2);
    let invoices = invoices_of(&app, &customer).await;
    assert_eq!(invoices[0]["status"], "PAID");
    assert_eq!(invoices[1]["status"], "PARTIALLY_PAID");
    assert_eq!(invoices[1]["openAmount"]["amount"], "500.00");

    // The same key and request again: the first payment comes back, nothing more is applied.
    let again = app
        .gql_ok(
            Role::ArSpecialist,
            PAY,
            json!({ "input": pay_input(&customer, "1500.00", "2026-03-20", "pay-1", Value::Null) }),
        )
        .await;
    assert_eq!(again["paymentRecord"]["id"], payment["id"]);
    // The same key with a different request is a conflict.
    let reused = app
        .gql_as(
            Role::ArSpecialist,
            PAY,
            json!({ "input": pay_input(&customer, "99.00", "2026-03-20", "pay-1", Value::Null) }),
        )
        .await;
    assert_eq!(error_code(&reused).as_deref(), Some("CONFLICT"));

    // 2,000 to March explicitly: 1,000 pays it, 1,000 stays as customer credit.
    let march = invoices[2]["id"].as_str().unwrap();
    let over = app
        .gql_ok(Role::ArSpecialist, PAY, json!({ "input": pay_input(&customer, "2000.00", "2026-03-21", "pay-2", json!([{ "invoiceId": march, "amount": "1000.00" }])) }))
        .await;
    assert_eq!(over["paymentRecord"]["unapplied"]["amount"], "1000.00");
    let credits = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { customerCredits(customerId: $id) { remaining { amount } source } }",
            json!({ "id": customer }),
        )
        .await;
    assert_eq!(
        credits["customerCredits"][0]["remaining"]["amount"],
        "1000.00"
    );

    // Credit applied to February's 500, then the rest refunded.
    let applied = app
        .gql_ok(Role::ArSpecialist, "mutation($input: CreditApplyInput!) { creditApply(input: $input) { applications { invoiceNumber amount { amount } } } }",
            json!({ "input": { "customerId": customer, "currency": "USD", "appliedOn": "2026-03-22", "idempotencyKey": "apply-1" } }))
        .await;
    assert_eq!(
        applied["creditApply"]["applications"][0]["amount"]["amount"],
        "500.00"
    );
    let refund_input = json!({ "input": { "customerId": customer, "amount": { "amount": "600.00", "currency": "USD" }, "refundedOn": "2026-03-23", "reference": "REF-1", "idempotencyKey": "refund-1" } });
    let too_much = app
        .gql_as(
            Role::Cfo,
            "mutation($input: RefundInput!) { creditRefund(input: $input) { id } }",
            refund_input,
        )
        .await;
    assert_eq!(error_field(&too_much).as_deref(), Some("amount.amount"));
    app.gql_ok(Role::Cfo, "mutation($input: RefundInput!) { creditRefund(input: $input) { id } }",
        json!({ "input": { "customerId": customer, "amount": { "amount": "500.00", "currency": "USD" }, "refundedOn": "2026-03-23", "reference": "REF-1", "idempotencyKey": "refund-2" } }))
        .await;

    // A EUR payment cannot pay a USD invoice; nothing is written.
    let mut euro = pay_input(
        &customer,
        "10.00",
        "2026-03-24",
        "pay-eur",
        json!([{ "invoiceId": march, "amount": "10.00" }]),
    );
    euro["amount"]["currency"] = json!("EUR");
    let refused = app
        .gql_as(Role::ArSpecialist, PAY, json!({ "input": euro }))
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("allocations.0.invoiceId")
    );

    // An AE may not record payments.
    let denied = app
        .gql_as(
            Role::Ae,
            PAY,
            json!({ "input": pay_input(&customer, "1.00", "2026-03-24", "pay-ae", Value::Null) }),
        )
        .await;
    assert_eq!(error_code(&denied).as_deref(), Some("FORBIDDEN"));

    // As of each date the aging total is the ledger's AR.
    for date in [
        "2026-01-14",
        "2026-01-15",
        "2026-02-20",
        "2026-03-16",
        "2026-03-20",
        "2026-03-21",
        "2026-03-22",
        "2026-11-27",
    ] {
        assert_eq!(
            aging_total(&app, date, "USD").await,
            ledger_ar(&app, date, "USD").await,
            "{date}"
        );
    }
    assert_eq!(aging_total(&app, "2026-03-22", "USD").await, "0.00");
}

#[tokio::test]
async fn racing_payments_never_apply_more_than_is_open() {
    let app = TestApp::spawn().await;
    let customer = customer_with_open_invoice(&app, "Racing Co", "OPP-R2").await;
    let invoice = invoices_of(&app, &customer).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let attempt = |index: usize| {
        let body = json!({ "input": pay_input(&customer, "600.00", "2026-02-10", &format!("race-{index}"), json!([{ "invoiceId": invoice, "amount": "600.00" }])) });
        let app = &app;
        async move { app.gql_as(Role::ArSpecialist, PAY, body).await }
    };
    let (a, b, c, d) = tokio::join!(attempt(0), attempt(1), attempt(2), attempt(3));
    let results = [a, b, c, d];
    let succeeded = results
        .iter()
        .filter(|result| result["errors"].is_null())
        .count();
    assert_eq!(succeeded, 1, "{results:?}");
    let after = invoices_of(&app, &customer).await;
    assert_eq!(after[0]["paid"]["amount"], "600.00");
    assert_eq!(ledger_ar(&app, "2026-02-10", "USD").await, "400.00");

    // The same key sent twice at once pays once.
    let same = || {
        let body = json!({ "input": pay_input(&customer, "100.00", "2026-02-11", "same-key", Value::Null) });
        let app = &app;
        async move { app.gql_as(Role::ArSpecialist, PAY, body).await }
    };
    let (a, b) = tokio::join!(same(), same());
    let results = [a, b];
    let ids: Vec<&Value> = results
        .iter()
        .filter(|result| result["errors"].is_null())
        .map(|result| &result["data"]["paymentRecord"]["id"])
        .collect();
    assert!(!ids.is_empty(), "{results:?}");
    assert!(ids.iter().all(|id| *id == ids[0]));
    assert_eq!(
        invoices_of(&app, &customer).await[0]["paid"]["amount"],
        "700.00"
    );
}
