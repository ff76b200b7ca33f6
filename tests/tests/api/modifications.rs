//! Contract modifications recorded as one operation (`contractModify`) and accounted for under
//! ASC 606-10-25-10 to 25-13: the standard's Example 7 (a services contract whose remaining
//! year is re-priced and which is extended, prospective at the SSPs of the modification date),
//! a separate contract for distinct goods added at their SSP (Example 5, Case A), the same
//! changes in every order giving the same schedule, and refused modifications writing nothing.

// Amounts in minor units are written dollars_cents (70_000_00 = 70,000.00) so they read as money.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::receivables::{bill, contract, invoices_of, zero_tax};
use crate::revenue::{assert_consistent, cents, run, schedule};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const MODIFY: &str = "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment modification { id treatment effectiveDate reason changes } addedLines { id productName } } }";
const SSP: &str = "mutation($input: SspPriceSetInput!) { sspPriceSet(input: $input) { id } }";
const ADD: &str =
    "mutation($input: ContractLineAddInput!) { contractLineAdd(input: $input) { id } }";

async fn ssp(app: &TestApp, product: &str, basis: &str, amount: &str, from: &str) {
    app.gql_ok(
        Role::VpFinance,
        SSP,
        json!({ "input": { "productName": product, "basis": basis, "low": { "amount": amount, "currency": "USD" }, "high": { "amount": amount, "currency": "USD" }, "effectiveFrom": from } }),
    )
    .await;
}

fn add_line(
    product: &str,
    kind: &str,
    frequency: Option<&str>,
    price: &str,
    start: &str,
    end: &str,
) -> Value {
    json!({ "addLine": {
        "kind": kind, "productName": product, "quantity": "1",
        "unitPrice": { "amount": price, "currency": "USD" },
        "billingFrequency": frequency, "startDate": start, "endDate": end
    } })
}

async fn modify(app: &TestApp, contract: &str, on: &str, changes: Value, key: &str) -> Value {
    app.gql_as(
        Role::VpRevops,
        MODIFY,
        json!({ "input": { "contractId": contract, "effectiveDate": on, "reason": "Renegotiated at the business review", "changes": changes, "idempotencyKey": key } }),
    )
    .await
}

fn obligation<'a>(schedule: &'a Value, product: &str) -> &'a Value {
    schedule["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|obligation| obligation["productName"] == product)
        .unwrap_or_else(|| panic!("no obligation {product} in {schedule}"))
}

fn amount(value: &Value) -> i64 {
    cents(value["amount"].as_str().unwrap())
}

/// ASC 606-10-55-125 to 55-128 (Example 7, modification of a services contract): three years of
/// services at 100,000 a year, SSP 100,000. At the end of year two the parties cut year three's
/// price to 80,000 and extend by three years for 200,000, while the SSP has fallen to 80,000 a
/// year. The remaining services are distinct, so the modification is prospective (25-13(a)):
/// 80,000 + 200,000 is allocated over year three and the extension by their SSPs *at the
/// modification date* (80,000 and 240,000), 70,000 a year. The year-three price cut is the
/// old line cancelled from year three plus a line at the new price; the extension is billed
/// 66,666.67 a year, 200,000.01 in all.
#[tokio::test]
async fn example_7_a_repriced_and_extended_service_is_prospective_at_the_ssp_of_the_modification_date(
) {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    ssp(
        &app,
        "Analytics Suite",
        "PER_UNIT_YEAR",
        "100000.00",
        "2025-01-01",
    )
    .await;
    ssp(
        &app,
        "Analytics Suite",
        "PER_UNIT_YEAR",
        "80000.00",
        "2027-01-01",
    )
    .await;
    ssp(
        &app,
        "Analytics Suite: extension",
        "PER_UNIT",
        "240000.00",
        "2027-01-01",
    )
    .await;
    let customer = app.create_customer("Example Seven", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-MOD7",
        "ANNUALLY",
        "100000.00",
        "USD",
        "2025-01-01",
        "2027-12-31",
    )
    .await;
    bill(&app, "2025-01-01").await;
    bill(&app, "2026-01-01").await;
    app.travel_to("2027-01-04T10:00:00Z".parse().unwrap()).await;
    run(&app, "2026-12").await;
    let before = schedule(&app, &id).await;
    assert_eq!(before["recognisedToDate"]["amount"], "200000.00");
    let line = before["obligations"][0]["contractLineId"].clone();

    // The extension is listed before the cancellation it depends on: order does not matter.
    let changes = json!([
        add_line("Analytics Suite: extension", "SUBSCRIPTION", Some("ANNUALLY"), "66666.67", "2028-01-01", "2030-12-31"),
        { "cancel": { "contractLineId": line } },
        add_line("Analytics Suite: year 3", "SUBSCRIPTION", Some("ANNUALLY"), "80000.00", "2027-01-01", "2027-12-31"),
    ]);
    let done = modify(&app, &id, "2027-01-01", changes.clone(), "example-7").await;
    let done = &done["data"]["contractModify"];
    assert_eq!(done["treatment"], "prospective", "{done}");
    assert_eq!(done["modification"]["effectiveDate"], "2027-01-01");
    // Applied in canonical order: the existing line first, then the added lines by start date.
    let applied: Value =
        serde_json::from_str(done["modification"]["changes"].as_str().unwrap()).unwrap();
    let kinds: Vec<&str> = applied
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["change"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["cancel", "add", "add"]);
    assert_eq!(applied[1]["product"], "Analytics Suite: year 3");

    let after = schedule(&app, &id).await;
    // Years one and two keep what they recognised: 200,000.00, nothing left to plan.
    let original = obligation(&after, "Analytics Suite");
    assert_eq!(amount(&original["allocated"]), 200_000_00);
    assert_eq!(amount(&original["remaining"]), 0);
    // 280,000.01 × 80,000 ÷ 320,000 = 70,000.0025 and × 240,000 ÷ 320,000 = 210,000.0075:
    // 70,000.00 and 210,000.01 (the cent to the larger remainder).
    let year_three = obligation(&after, "Analytics Suite: year 3");
    assert_eq!(amount(&year_three["allocated"]), 70_000_00);
    assert_eq!(
        amount(&year_three["ssp"]),
        80_000_00,
        "SSP read as of 2027-01-01, not 2025"
    );
    assert!(
        year_three["sspSource"]
            .as_str()
            .unwrap()
            .contains("2027-01-01"),
        "{year_three}"
    );
    let extension = obligation(&after, "Analytics Suite: extension");
    assert_eq!(amount(&extension["allocated"]), 210_000_01);
    assert_eq!(amount(&extension["ssp"]), 240_000_00);
    assert_eq!(amount(&after["allocatedTotal"]), 480_000_01);
    // 70,000 a year: 5,833.33 a month in 2027; the extension starts in January 2028 at
    // 210,000.01 over 36 months.
    let rows = after["rows"].as_array().unwrap();
    let month = |product: &str, month: &str| -> i64 {
        rows.iter()
            .filter(|row| row["productName"] == product && row["month"] == month)
            .map(|row| amount(&row["amount"]))
            .sum()
    };
    assert_eq!(month("Analytics Suite: year 3", "2027-01"), 5_833_33);
    assert_eq!(month("Analytics Suite: extension", "2027-12"), 0);
    assert_eq!(month("Analytics Suite: extension", "2028-01"), 5_833_33);
    let year_three_total: i64 = rows
        .iter()
        .filter(|row| row["productName"] == "Analytics Suite: year 3")
        .map(|row| amount(&row["amount"]))
        .sum();
    assert_eq!(year_three_total, 70_000_00);
    assert_consistent(&after);

    // Billing follows the new terms: year three at 80,000.00, nothing for the cancelled line.
    bill(&app, "2027-01-01").await;
    let invoices = invoices_of(&app, &customer).await;
    assert_eq!(invoices.len(), 3, "{invoices:?}");
    assert_eq!(invoices[2]["total"]["amount"], "80000.00");
    app.travel_to("2027-02-02T10:00:00Z".parse().unwrap()).await;
    run(&app, "2027-01").await;
    let january = schedule(&app, &id).await;
    assert_eq!(january["recognisedToDate"]["amount"], "205833.33");
    // Billed 280,000 and recognised 205,833.33: deferred 74,166.67.
    assert_eq!(january["deferredBalance"]["amount"], "74166.67");
    assert_consistent(&january);

    // The same request again returns the first result and changes nothing.
    let again = modify(&app, &id, "2027-01-01", changes, "example-7").await;
    assert_eq!(
        again["data"]["contractModify"]["modification"]["id"],
        done["modification"]["id"]
    );
    assert_eq!(
        schedule(&app, &id).await["obligations"],
        january["obligations"]
    );
}

/// ASC 606-10-55-112 to 55-113 (Example 5, Case A): goods added that are distinct and priced
/// at their SSP at the modification date are a separate contract (25-12): the original
/// obligations keep their allocation and plan, the added line is recognised at its own price.
#[tokio::test]
async fn distinct_goods_added_at_their_ssp_are_a_separate_contract() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    ssp(
        &app,
        "Analytics Suite: reporting pack",
        "PER_UNIT",
        "3000.00",
        "2026-01-01",
    )
    .await;
    let customer = app.create_customer("Example Five", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-MOD5",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    run(&app, "2026-03").await;
    let before = schedule(&app, &id).await;
    let done = modify(
        &app,
        &id,
        "2026-04-01",
        json!([add_line(
            "Analytics Suite: reporting pack",
            "PERPETUAL_LICENSE",
            None,
            "3000.00",
            "2026-04-01",
            "2026-04-01"
        )]),
        "example-5a",
    )
    .await;
    assert_eq!(
        done["data"]["contractModify"]["treatment"], "separate",
        "{done}"
    );
    let after = schedule(&app, &id).await;
    assert_eq!(
        obligation(&after, "Analytics Suite"),
        obligation(&before, "Analytics Suite"),
        "the original obligation is untouched"
    );
    let pack = obligation(&after, "Analytics Suite: reporting pack");
    assert_eq!(amount(&pack["allocated"]), 3_000_00);
    assert_eq!(amount(&after["allocatedTotal"]), 15_000_00);
    assert_consistent(&after);
}

/// A two-line contract, billed and recognised through June 2026, ready to be modified.
async fn running_contract(app: &TestApp, customer: &str, opportunity: &str) -> String {
    let id = contract(
        app,
        customer,
        opportunity,
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    app.gql_ok(
        Role::VpRevops,
        ADD,
        json!({ "input": { "contractId": id, "kind": "SUBSCRIPTION", "productName": "Premium Support", "quantity": "1", "unitPrice": { "amount": "6000.00", "currency": "USD" }, "billingFrequency": "ANNUALLY", "startDate": "2026-01-01", "endDate": "2026-12-31" } }),
    )
    .await;
    id
}

/// What must not depend on the order of a modification's changes: each obligation's prices and
/// every schedule row, by product.
fn outcome(schedule: &Value) -> Value {
    let mut obligations: Vec<Value> = schedule["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|obligation| {
            json!([
                obligation["productName"],
                obligation["stated"],
                obligation["ssp"],
                obligation["allocated"],
                obligation["recognised"]
            ])
        })
        .collect();
    obligations.sort_by_key(|row| row.to_string());
    let mut rows: Vec<Value> = schedule["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            json!([
                row["productName"],
                row["kind"],
                row["month"],
                row["recogniseOn"],
                row["amount"],
                row["status"]
            ])
        })
        .collect();
    rows.sort_by_key(|row| row.to_string());
    json!({ "obligations": obligations, "rows": rows, "allocated": schedule["allocatedTotal"] })
}

/// Every order of one modification's four changes — seats up on one line, another line's term
/// extended, a milestone and a future-dated subscription added — gives the same schedule
/// (all 24 orders, each on its own copy of the contract).
#[tokio::test]
async fn the_same_changes_in_any_order_give_the_same_schedule() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Order Independent", "USD").await;
    let mut contracts = Vec::new();
    for index in 0..24 {
        contracts.push(running_contract(&app, &customer, &format!("OPP-ORDER-{index}")).await);
    }
    bill(&app, "2026-01-01").await;
    run(&app, "2026-06").await;
    let mut expected: Option<Value> = None;
    for (index, id) in contracts.iter().enumerate() {
        let current = schedule(&app, id).await;
        let line = |product: &str| obligation(&current, product)["contractLineId"].clone();
        let changes = [
            json!({ "quantity": { "contractLineId": line("Analytics Suite"), "newQuantity": "3" } }),
            json!({ "term": { "contractLineId": line("Premium Support"), "newEndDate": "2027-06-30" } }),
            add_line(
                "Data migration",
                "MILESTONE",
                None,
                "4000.00",
                "2026-07-01",
                "2026-09-30",
            ),
            add_line(
                "Analytics Suite: sandbox",
                "SUBSCRIPTION",
                Some("ANNUALLY"),
                "1000.00",
                "2026-08-01",
                "2026-12-31",
            ),
        ];
        let order = permutation(index, changes.len());
        let ordered: Vec<Value> = order.iter().map(|at| changes[*at].clone()).collect();
        let done = modify(
            &app,
            id,
            "2026-07-01",
            json!(ordered),
            &format!("order-{index}"),
        )
        .await;
        assert_eq!(
            done["data"]["contractModify"]["treatment"], "prospective",
            "{done}"
        );
        let after = schedule(&app, id).await;
        assert_consistent(&after);
        let seen = outcome(&after);
        match &expected {
            None => expected = Some(seen),
            Some(first) => assert_eq!(&seen, first, "order {order:?} gave another schedule"),
        }
    }
}

/// The `index`-th of the `n!` orders of `n` items (factorial number system).
fn permutation(mut index: usize, n: usize) -> Vec<usize> {
    let mut items: Vec<usize> = (0..n).collect();
    let mut order = Vec::new();
    for left in (1..=n).rev() {
        let factorial: usize = (1..left).product();
        order.push(items.remove(index / factorial));
        index %= factorial;
    }
    order
}

/// A refused modification names the change and field at fault and writes nothing, not even
/// the changes before the bad one.
#[tokio::test]
async fn a_refused_modification_names_the_change_at_fault_and_writes_nothing() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Refused", "USD").await;
    let id = running_contract(&app, &customer, "OPP-REFUSED").await;
    bill(&app, "2026-01-01").await;
    run(&app, "2026-06").await;
    let before = schedule(&app, &id).await;
    let line = obligation(&before, "Analytics Suite")["contractLineId"].clone();
    let support = obligation(&before, "Premium Support")["contractLineId"].clone();
    let cases = [
        (
            json!([{ "quantity": { "contractLineId": line, "newQuantity": "3" } }, { "quantity": { "contractLineId": support, "newQuantity": "-2" } }]),
            "2026-07-01",
            "changes.1.newQuantity",
        ),
        (
            json!([{ "quantity": { "contractLineId": line, "newQuantity": "3" } }, { "cancel": { "contractLineId": line } }]),
            "2026-07-01",
            "changes.1.contractLineId",
        ),
        (
            json!([add_line(
                "Extra",
                "SUBSCRIPTION",
                None,
                "10.00",
                "2026-07-01",
                "2026-12-31"
            )]),
            "2026-07-01",
            "changes.0.billingFrequency",
        ),
        (
            json!([{ "term": { "contractLineId": support, "newEndDate": "2026-09-30" } }]),
            "2026-07-01",
            "changes.0.newEndDate",
        ),
        (
            json!([{ "cancel": { "contractLineId": "999999" } }]),
            "2026-07-01",
            "changes.0.contractLineId",
        ),
        (
            json!([{ "cancel": { "contractLineId": line } }]),
            "2025-12-31",
            "effectiveDate",
        ),
        (json!([]), "2026-07-01", "changes"),
    ];
    for (index, (changes, on, field)) in cases.into_iter().enumerate() {
        let refused = modify(&app, &id, on, changes, &format!("refused-{index}")).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("VALIDATION"),
            "{refused}"
        );
        assert_eq!(error_field(&refused).as_deref(), Some(field), "{refused}");
    }
    let catch_up_with_a_new_line = app
        .gql_as(
            Role::VpRevops,
            MODIFY,
            json!({ "input": { "contractId": id, "effectiveDate": "2026-07-01", "reason": "x", "remainingDistinct": false, "changes": [add_line("Extra", "MILESTONE", None, "10.00", "2026-07-01", "2026-07-31")], "idempotencyKey": "refused-catch-up" } }),
        )
        .await;
    assert_eq!(
        error_field(&catch_up_with_a_new_line).as_deref(),
        Some("remainingDistinct")
    );
    let forbidden = app
        .gql_as(
            Role::Ae,
            MODIFY,
            json!({ "input": { "contractId": id, "effectiveDate": "2026-07-01", "reason": "x", "changes": [{ "cancel": { "contractLineId": line } }], "idempotencyKey": "refused-ae" } }),
        )
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    let after = schedule(&app, &id).await;
    assert_eq!(after["obligations"], before["obligations"]);
    assert_eq!(after["rows"], before["rows"]);
    assert_eq!(after["modifications"], before["modifications"]);
}

/// A seat increase agreed on 16 November, after October's recognition run: the service of 1–15
/// November was delivered at the old price, so it keeps it (ASC 606-10-25-13(a) re-allocates
/// only the consideration for what is still to be delivered). 12,000.00 a year under even
/// periods is 1,000.00 a service month; half of November's is 500.00. The second seat bills
/// 12,000 × 46/365 = 1,512.33 (16 November to 31 December). Unrecognised 2,000.00 − 500.00
/// delivered + 1,512.33 new = 3,012.33 over the 46 days left: half a service month in November
/// and a whole one in December, 1,004.11 and 2,008.22. November recognises 1,504.11; before the
/// fix it recognised 1,145.32 (the delivered half-month was pushed into December).
#[tokio::test]
async fn a_mid_month_seat_increase_keeps_the_delivered_days_at_the_old_price() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Mid Month", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-MID",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    run(&app, "2026-10").await;
    let line = schedule(&app, &id).await["obligations"][0]["contractLineId"].clone();
    let done = modify(
        &app,
        &id,
        "2026-11-16",
        json!([{ "quantity": { "contractLineId": line, "newQuantity": "2" } }]),
        "mid-month",
    )
    .await;
    assert_eq!(
        done["data"]["contractModify"]["treatment"], "prospective",
        "{done}"
    );
    let after = schedule(&app, &id).await;
    assert_eq!(after["allocatedTotal"]["amount"], "13512.33");
    let planned: Vec<(String, i64)> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["status"] == "planned")
        .map(|row| {
            (
                row["month"].as_str().unwrap().to_string(),
                amount(&row["amount"]),
            )
        })
        .collect();
    assert_eq!(
        planned,
        [
            ("2026-11".to_string(), 1_504_11),
            ("2026-12".to_string(), 2_008_22)
        ]
    );
    let november = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["month"] == "2026-11")
        .unwrap();
    assert_eq!(november["periodStart"], "2026-11-01", "{november}");
    assert_consistent(&after);
}

const RPO: &str = "query($asOf: Date) { remainingPerformanceObligations(asOf: $asOf) { asOf currencies { currency contracts figures { total { amount } within12Months { amount } months13To24 { amount } beyond24Months { amount } dateNotKnown { amount } } streams { stream figures { total { amount } within12Months { amount } } } } } }";

/// Remaining performance obligations (ASC 606-10-50-13): a two-year subscription of 12,000.00 a
/// year (1,000.00 a month) recognised through October 2026 and a 4,000.00 data migration
/// milestone expected on 31 March 2027. On 27 November 2026, 14 months of service (14,000.00)
/// and the milestone remain: November 2026 to October 2027 and the milestone (16,000.00) fall
/// within 12 months, November and December 2027 (2,000.00) in months 13–24. As of 30 June
/// 2026 the months recognised since count again: 18,000.00 + 4,000.00, of which July 2026 to
/// June 2027 and the milestone (16,000.00) within 12 months.
#[tokio::test]
async fn the_remaining_performance_obligations_are_disclosed_by_when_they_are_expected() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Backlog", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-RPO",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2027-12-31",
    )
    .await;
    app.gql_ok(
        Role::VpRevops,
        ADD,
        json!({ "input": { "contractId": id, "kind": "MILESTONE", "productName": "Data migration", "quantity": "1", "unitPrice": { "amount": "4000.00", "currency": "USD" }, "startDate": "2026-01-01", "endDate": "2027-03-31" } }),
    )
    .await;
    bill(&app, "2026-01-01").await;
    run(&app, "2026-10").await;
    let today = app.gql_ok(Role::Cfo, RPO, json!({})).await;
    let usd = &today["remainingPerformanceObligations"]["currencies"][0];
    assert_eq!(
        today["remainingPerformanceObligations"]["asOf"],
        "2026-11-27"
    );
    assert_eq!(usd["currency"], "USD");
    assert_eq!(usd["contracts"], 1);
    assert_eq!(usd["figures"]["total"]["amount"], "18000.00", "{usd}");
    assert_eq!(usd["figures"]["within12Months"]["amount"], "16000.00");
    assert_eq!(usd["figures"]["months13To24"]["amount"], "2000.00");
    assert_eq!(usd["figures"]["beyond24Months"]["amount"], "0.00");
    assert_eq!(usd["figures"]["dateNotKnown"]["amount"], "0.00");
    let stream = |name: &str| {
        usd["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|stream| stream["stream"] == name)
            .map(|stream| stream["figures"]["total"]["amount"].clone())
    };
    assert_eq!(stream("subscription"), Some(json!("14000.00")));
    assert_eq!(stream("services"), Some(json!("4000.00")));

    let june = app
        .gql_ok(Role::Cfo, RPO, json!({ "asOf": "2026-06-30" }))
        .await;
    let usd = &june["remainingPerformanceObligations"]["currencies"][0];
    assert_eq!(usd["figures"]["total"]["amount"], "22000.00", "{usd}");
    assert_eq!(usd["figures"]["within12Months"]["amount"], "16000.00");
    assert_eq!(usd["figures"]["months13To24"]["amount"], "6000.00");

    let csv = app
        .client
        .get(format!(
            "{}/api/revenue/export?report=rpo&asOf=2026-11-27",
            app.base_url
        ))
        .bearer_auth(app.token(Role::Cfo).await)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("as_of,currency,stream,total,within_12_months"),
        "{csv}"
    );
    assert!(
        csv.contains("2026-11-27,USD,total,18000.00,16000.00,2000.00,0.00,0.00"),
        "{csv}"
    );
    let refused = app.gql_as(Role::Ae, RPO, json!({})).await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
}
