//! A contract's billing day (issue 20, "a chosen billing day separate from the start date, with
//! new lines co-termed"): its subscription lines bill on that day of the month, from a prorated
//! stub; a line added mid-term bills on the same day and joins the contract's invoices. Worked
//! case with exact amounts, on SQLite and PostgreSQL.
//!
//! Sources: Zuora's bill cycle day (a charge starting on another day is prorated to the first
//! bill cycle day, then billed in whole periods from it) and Stripe Billing's
//! `billing_cycle_anchor` (a subscription started mid-month and anchored to the 1st is charged a
//! prorated amount to the anchor, then whole months).

use crate::billing::tax_rate;
use crate::discounts::{bill, day, seat_deal};
use crate::proration::invoice_of;
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const SET_DAY: &str = "mutation($id: ID!, $day: Int) { contractSetBillingDay(contractId: $id, billingDay: $day) { contractId billingDay } }";
const CONTRACT: &str = "query($id: ID!) { deal(id: $id) { contract { billingDay lines { productName billingFrequency } } } }";
const MODIFY: &str =
    "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment } }";
const SCHEDULE: &str =
    "query($id: ID!) { revenueSchedule(contractId: $id) { allocatedTotal { amount } } }";

/// (total, [(description, amount, note)]) of the one invoice a run issued.
fn only_invoice(issued: &Value) -> (String, Vec<(String, String, String)>) {
    assert_eq!(issued.as_array().unwrap().len(), 1, "{issued}");
    invoice_of(issued, 0)
}

/// 10 seats at 100.00 a month from 16 January 2027 to 15 January 2028, billed on the 1st:
/// - 16 January bills the stub 16–31 January, 1,000.00 × 16/31 = **516.13**; 1 February a whole
///   month, **1,000.00**;
/// - Support at 200.00 a month is added from 10 March: it bills on the 1st too — the stub 10–31
///   March, 200.00 × 22/31 = **141.94** — and from 1 April shares the seats' invoice:
///   **1,200.00**;
/// - the term ends with the stub 1–15 January 2028: 1,000.00 × 15/31 = **483.87** and 200.00 ×
///   15/31 = **96.77**, **580.64**;
/// - revenue's price for the seats stays 12,000.00 (16/31 + 11 months + 15/31 is twelve months);
/// - the renewal from 16 January 2028 bills on the 1st too, from the stub 16–31 January.
///
/// Once billed, the day stays (refused on `contractId`); a day outside 1–31 is refused on
/// `billingDay`; an AE may not set it.
#[tokio::test]
async fn a_contract_billed_on_the_first_starts_with_a_stub_and_bills_added_lines_on_the_same_day() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("First Of Month Co", "USD").await;
    let mut input = seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
    input["crmOpportunityId"] = json!("OPP-BILLING-DAY");
    input["startDate"] = json!("2027-01-16");
    input["endDate"] = json!("2028-01-15");
    let deal = app
        .gql_ok(
            Role::Ae,
            "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }",
            json!({ "input": input }),
        )
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app
        .gql_ok(
            Role::VpRevops,
            "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id } } }",
            json!({ "input": { "id": deal, "idempotencyKey": "approve-billing-day" } }),
        )
        .await["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let forbidden = app
        .gql_as(Role::Ae, SET_DAY, json!({ "id": id, "day": 1 }))
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    let bad = app
        .gql_as(Role::VpFinance, SET_DAY, json!({ "id": id, "day": 32 }))
        .await;
    assert_eq!(error_field(&bad).as_deref(), Some("billingDay"), "{bad}");
    let set = app
        .gql_ok(Role::VpFinance, SET_DAY, json!({ "id": id, "day": 1 }))
        .await;
    assert_eq!(set["contractSetBillingDay"]["billingDay"], 1);
    let shown = app.gql_ok(Role::Cfo, CONTRACT, json!({ "id": deal })).await;
    assert_eq!(shown["deal"]["contract"]["billingDay"], 1);
    let allocated = app.gql_ok(Role::Cfo, SCHEDULE, json!({ "id": id })).await;
    assert_eq!(
        allocated["revenueSchedule"]["allocatedTotal"]["amount"],
        "12000.00"
    );

    let (total, lines) = only_invoice(&bill(&app, "2027-01-16").await);
    assert_eq!(total, "516.13");
    assert_eq!(lines[0].0, "Platform seats (2027-01-16 – 2027-01-31)");
    assert!(lines[0].2.starts_with("Prorated 16/31 days"), "{lines:?}");
    let (total, lines) = only_invoice(&bill(&app, "2027-02-01").await);
    assert_eq!(total, "1000.00");
    assert_eq!(lines[0].0, "Platform seats (2027-02-01 – 2027-02-28)");
    assert_eq!(only_invoice(&bill(&app, "2027-03-01").await).0, "1000.00");

    // Billed now: the day stays.
    let refused = app
        .gql_as(Role::VpFinance, SET_DAY, json!({ "id": id, "day": 15 }))
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("contractId"),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("is already billed"),
        "{refused}"
    );

    app.travel_to(day("2027-03-10")).await;
    app.gql_ok(
        Role::VpRevops,
        MODIFY,
        json!({ "input": {
            "contractId": id, "effectiveDate": "2027-03-10", "reason": "Support added",
            "idempotencyKey": "add-support",
            "changes": [{ "addLine": {
                "kind": "SUBSCRIPTION", "productName": "Support", "quantity": "1",
                "unitPrice": { "amount": "200.00", "currency": "USD" },
                "billingFrequency": "MONTHLY", "startDate": "2027-03-10", "endDate": "2028-01-15",
            } }],
        } }),
    )
    .await;
    let (total, lines) = only_invoice(&bill(&app, "2027-03-10").await);
    assert_eq!(total, "141.94", "{lines:?}");
    assert_eq!(lines[0].0, "Support (2027-03-10 – 2027-03-31)");
    assert!(lines[0].2.starts_with("Prorated 22/31 days"), "{lines:?}");
    let (total, lines) = only_invoice(&bill(&app, "2027-04-01").await);
    assert_eq!(total, "1200.00", "{lines:?}");
    assert_eq!(lines.len(), 2);

    for month in [
        "2027-05-01",
        "2027-06-01",
        "2027-07-01",
        "2027-08-01",
        "2027-09-01",
        "2027-10-01",
        "2027-11-01",
        "2027-12-01",
    ] {
        assert_eq!(only_invoice(&bill(&app, month).await).0, "1200.00");
    }
    let (total, lines) = only_invoice(&bill(&app, "2028-01-01").await);
    assert_eq!(total, "580.64", "{lines:?}");
    assert_eq!(
        lines.iter().map(|line| line.1.as_str()).collect::<Vec<_>>(),
        ["483.87", "96.77"]
    );

    // The renewal keeps the billing day: its term from 16 January 2028 opens with the stub to 1
    // February again.
    let renewed = app
        .gql_ok(
            Role::VpRevops,
            "mutation($input: ContractRenewInput!) { contractRenew(input: $input) { id startDate } }",
            json!({ "input": { "contractId": id, "idempotencyKey": "renew-billing-day", "upliftPercent": "0" } }),
        )
        .await["contractRenew"]
        .clone();
    assert_eq!(renewed["startDate"], "2028-01-16");
    let schedule = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { contractBillingSchedule(contractId: $id) { description amount { amount } } }",
            json!({ "id": renewed["id"] }),
        )
        .await["contractBillingSchedule"]
        .clone();
    assert_eq!(
        schedule[0]["description"], "Platform seats (2028-01-16 – 2028-01-31)",
        "{schedule}"
    );
    assert_eq!(schedule[0]["amount"]["amount"], "516.13");
}
