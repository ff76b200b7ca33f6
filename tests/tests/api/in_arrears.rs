//! Subscription fees in arrears (issue 20, "subscription fees in advance or in arrears per
//! line"): a line billed in arrears bills each period on the day after it ends, and a seat change
//! within the period with it; revenue is earned as the service is delivered, so until the period
//! is invoiced it sits in unbilled receivables (a contract asset). Worked case with exact
//! amounts, on SQLite and PostgreSQL.
//!
//! Sources: Zuora's "Bill in arrears" billing timing for recurring charges (the charge for a
//! period is billed at the end of it), and ASC 606-10-45-3 (revenue recognised before the
//! consideration is due is a contract asset / unbilled receivable until invoiced).

use crate::billing::tax_rate;
use crate::discounts::{approved, bill, day, seat_deal};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const SET: &str = "mutation($id: ID!, $arrears: Boolean!) { contractLineSetBilledInArrears(contractLineId: $id, inArrears: $arrears) { contractLineId billedInArrears } }";
const MODIFY: &str =
    "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment } }";
const SCHEDULE: &str = "query($id: ID!) { revenueSchedule(contractId: $id) { recognisedToDate { amount } billedToDate { amount } unbilledBalance { amount } deferredBalance { amount } } }";
const REVENUE_RUN: &str =
    "mutation($period: String!) { revenueRun(period: $period) { total { amount } } }";

/// 10 seats at 100.00 a month for 2027, billed in arrears:
/// - 1 January bills nothing; January's revenue, 1,000.00, is earned and unbilled;
/// - 1 February bills January, **1,000.00**, noting it is billed in arrears;
/// - 2 more seats from 16 February: nothing on the day; 1 March bills February's 1,000.00 and the
///   seats' 2 × 100.00 × 13/28 = **92.86** with it: **1,092.86**;
/// - 1 April bills March for 12 seats, **1,200.00**.
///
/// Once billed, the timing stays (refused on `contractLineId`); an AE may not set it.
#[tokio::test]
async fn a_line_billed_in_arrears_bills_each_period_after_it_ends_with_its_changes() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Arrears Co", "USD").await;
    let mut input = seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
    input["crmOpportunityId"] = json!("OPP-ARREARS");
    let contract = approved(&app, input, "approve-arrears").await;
    let id = contract["id"].as_str().unwrap().to_string();
    let line = contract["lines"][0]["id"].as_str().unwrap().to_string();

    let forbidden = app
        .gql_as(Role::Ae, SET, json!({ "id": line, "arrears": true }))
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    let set = app
        .gql_ok(Role::VpFinance, SET, json!({ "id": line, "arrears": true }))
        .await;
    assert_eq!(
        set["contractLineSetBilledInArrears"]["billedInArrears"],
        true
    );

    assert_eq!(bill(&app, "2027-01-01").await, json!([]));
    app.travel_to(day("2027-02-01")).await;
    app.gql_ok(Role::Cfo, REVENUE_RUN, json!({ "period": "2027-01" }))
        .await;
    let schedule =
        app.gql_ok(Role::Cfo, SCHEDULE, json!({ "id": id })).await["revenueSchedule"].clone();
    assert_eq!(
        schedule["recognisedToDate"]["amount"], "1000.00",
        "{schedule}"
    );
    assert_eq!(schedule["billedToDate"]["amount"], "0.00");
    assert_eq!(schedule["unbilledBalance"]["amount"], "1000.00");

    let january = bill(&app, "2027-02-01").await;
    assert_eq!(january[0]["total"]["amount"], "1000.00", "{january}");
    assert_eq!(
        january[0]["lines"][0]["description"],
        "Platform seats (2027-01-01 – 2027-01-31)"
    );
    assert_eq!(
        january[0]["lines"][0]["note"],
        "Billed in arrears, after the period"
    );
    let schedule =
        app.gql_ok(Role::Cfo, SCHEDULE, json!({ "id": id })).await["revenueSchedule"].clone();
    assert_eq!(schedule["unbilledBalance"]["amount"], "0.00", "{schedule}");

    app.travel_to(day("2027-02-16")).await;
    app.gql_ok(
        Role::VpFinance,
        MODIFY,
        json!({ "input": {
            "contractId": id, "effectiveDate": "2027-02-16", "reason": "Seats",
            "idempotencyKey": "arrears-seats",
            "changes": [{ "quantity": { "contractLineId": line, "newQuantity": "12" } }],
        } }),
    )
    .await;
    assert_eq!(bill(&app, "2027-02-16").await, json!([]));
    let february = bill(&app, "2027-03-01").await;
    assert_eq!(february[0]["total"]["amount"], "1092.86", "{february}");
    let amounts: Vec<&str> = february[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["amount"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["1000.00", "92.86"]);
    let march = bill(&app, "2027-04-01").await;
    assert_eq!(march[0]["total"]["amount"], "1200.00", "{march}");

    let refused = app
        .gql_as(
            Role::VpFinance,
            SET,
            json!({ "id": line, "arrears": false }),
        )
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("contractLineId"),
        "{refused}"
    );
    assert!(
        refused
            .to_string()
            .contains("Platform seats is already billed in arrears"),
        "{refused}"
    );
}
