//! How standalone selling prices are estimated (ASC 606-10-32-33/34): the SSP table takes an
//! observable price or range, an adjusted market assessment, expected cost plus a margin, or the
//! residual approach, each refused with the field named when its amounts do not fit; a contract
//! allocated with a residual SSP follows the standard's Example 34, Case B; and a residual
//! obligation in a prospective modification takes what the remaining price leaves.

// Amounts in minor units are written dollars_cents (40_00 = 40.00) so they read as money.
#![allow(clippy::inconsistent_digit_grouping)]

use crate::receivables::{zero_tax, APPROVE, CREATE};
use crate::revenue::{assert_consistent, cents, schedule};
use revops_tests::{error_field, Role, TestApp};
use serde_json::{json, Value};

const SSP: &str = "mutation($input: SspPriceSetInput!) { sspPriceSet(input: $input) { productName method low { amount currency } high { amount } cost { amount } marginPercent } }";
const MODIFY: &str = "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment addedLines { id productName } } }";
const DISCOUNT: &str = "mutation($contract: ID!, $lines: [ID!]!) { revenueDiscountAssign(contractId: $contract, contractLineIds: $lines) { contractNumber } }";

fn usd(amount: &str) -> Value {
    json!({ "amount": amount, "currency": "USD" })
}

async fn set_ssp(app: &TestApp, input: Value) -> Value {
    app.gql_as(Role::VpFinance, SSP, json!({ "input": input }))
        .await
}

/// A perpetual licence of `product` at `price`, approved into a contract; returns its id.
async fn licence_contract(app: &TestApp, opportunity: &str, product: &str, price: &str) -> String {
    let customer = app.create_customer(opportunity, "USD").await;
    let input = json!({
        "crmOpportunityId": opportunity, "customerId": customer,
        "invoicedLegalEntity": "Example Thirty-Four Ltd",
        "billingContact": { "name": "AP", "email": "ap@example34.example" },
        "productName": product, "tcv": usd(price), "arr": usd(price),
        "startDate": "2026-01-01", "endDate": "2026-12-31",
        "billingFrequency": "ANNUALLY", "paymentTerms": "NET_30", "billingCurrency": "USD",
        "poRequired": false, "taxJurisdiction": "US-OR", "taxExempt": false,
        "revenueRecognitionType": "PERPETUAL_LICENSE",
        "assignedAeId": app.user_id(Role::Ae).to_string(), "commissionPlanId": "PLAN-AE-2026"
    });
    let deal = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql_ok(
        Role::VpRevops,
        APPROVE,
        json!({ "input": { "id": deal, "idempotencyKey": format!("approve-{opportunity}") } }),
    )
    .await["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Adds licences (product, price) to the contract in one modification before anything is
/// billed, so the contract is allocated afresh from inception.
async fn add_licences(app: &TestApp, contract: &str, lines: &[(&str, &str)], key: &str) -> Value {
    let changes: Vec<Value> = lines
        .iter()
        .map(|(product, price)| {
            json!({ "addLine": {
                "kind": "PERPETUAL_LICENSE", "productName": product, "quantity": "1",
                "unitPrice": usd(price), "startDate": "2026-01-01", "endDate": "2026-12-31"
            } })
        })
        .collect();
    app.gql_as(
        Role::VpRevops,
        MODIFY,
        json!({ "input": { "contractId": contract, "effectiveDate": "2026-01-01", "reason": "The rest of the bundle", "changes": changes, "idempotencyKey": key } }),
    )
    .await
}

/// Product A's contract with B and C added and marked as carrying the discount: A 40, B 33 and
/// C 27 (B and C share their own 60 by SSP, 55:45).
async fn bundle_with_marked_subset(app: &TestApp, opportunity: &str) -> String {
    let contract = licence_contract(app, opportunity, "Product A", "40.00").await;
    let added = add_licences(
        app,
        &contract,
        &[("Product B", "33.00"), ("Product C", "27.00")],
        &format!("{opportunity}-b-c"),
    )
    .await;
    let lines: Vec<String> = added["data"]["contractModify"]["addedLines"]
        .as_array()
        .unwrap_or_else(|| panic!("{added}"))
        .iter()
        .map(|line| line["id"].as_str().unwrap().to_string())
        .collect();
    app.gql_ok(
        Role::VpFinance,
        DISCOUNT,
        json!({ "contract": contract, "lines": lines }),
    )
    .await;
    let marked = schedule(app, &contract).await;
    assert_eq!(
        allocations(&marked),
        vec![
            ("Product A".to_string(), 40_00, 40_00),
            ("Product B".to_string(), 55_00, 33_00),
            ("Product C".to_string(), 45_00, 27_00),
        ]
    );
    contract
}

fn allocations(schedule: &Value) -> Vec<(String, i64, i64)> {
    schedule["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|obligation| {
            (
                obligation["productName"].as_str().unwrap().to_string(),
                cents(obligation["ssp"]["amount"].as_str().unwrap()),
                cents(obligation["allocated"]["amount"].as_str().unwrap()),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_ssp_method_takes_its_own_amounts_and_names_the_field_that_does_not_fit() {
    let app = TestApp::spawn().await;
    // Expected cost plus margin (32-34(b)): 300.00 + 25 % is an SSP of 375.00.
    let priced = set_ssp(
        &app,
        json!({ "productName": "Implementation", "basis": "PER_UNIT", "method": "EXPECTED_COST_PLUS_MARGIN", "cost": usd("300.00"), "marginPercent": "25", "effectiveFrom": "2026-01-01" }),
    )
    .await;
    let entry = &priced["data"]["sspPriceSet"];
    assert_eq!(entry["method"], "EXPECTED_COST_PLUS_MARGIN", "{priced}");
    assert_eq!(entry["low"]["amount"], "375.00");
    assert_eq!(entry["high"]["amount"], "375.00");
    assert_eq!(entry["cost"]["amount"], "300.00");
    assert_eq!(entry["marginPercent"], "25");
    // An adjusted market assessment (32-34(a)) is a price or range like an observed one.
    let market = set_ssp(
        &app,
        json!({ "productName": "Data Connector", "basis": "PER_UNIT_YEAR", "method": "ADJUSTED_MARKET", "low": usd("900.00"), "high": usd("1100.00"), "effectiveFrom": "2026-01-01" }),
    )
    .await;
    assert_eq!(market["data"]["sspPriceSet"]["method"], "ADJUSTED_MARKET");
    // The residual approach with no prices seen yet needs only the currency.
    let uncertain = set_ssp(
        &app,
        json!({ "productName": "New Module", "basis": "PER_UNIT", "method": "RESIDUAL", "currency": "USD", "effectiveFrom": "2026-01-01" }),
    )
    .await;
    assert_eq!(uncertain["data"]["sspPriceSet"]["low"]["amount"], "0.00");
    // An entry without a method is an observable price, as before.
    let plain = set_ssp(
        &app,
        json!({ "productName": "Analytics Suite", "basis": "PER_UNIT_YEAR", "low": usd("100.00"), "high": usd("100.00"), "effectiveFrom": "2026-01-01" }),
    )
    .await;
    assert_eq!(plain["data"]["sspPriceSet"]["method"], "OBSERVABLE");

    for (input, field) in [
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "EXPECTED_COST_PLUS_MARGIN", "low": usd("1.00"), "high": usd("1.00"), "cost": usd("1.00"), "marginPercent": "10", "effectiveFrom": "2026-01-01" }),
            "low",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "EXPECTED_COST_PLUS_MARGIN", "cost": usd("1.00"), "marginPercent": "ten", "effectiveFrom": "2026-01-01" }),
            "marginPercent",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "EXPECTED_COST_PLUS_MARGIN", "cost": usd("1.00"), "marginPercent": "12.345", "effectiveFrom": "2026-01-01" }),
            "marginPercent",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "EXPECTED_COST_PLUS_MARGIN", "marginPercent": "10", "effectiveFrom": "2026-01-01" }),
            "cost",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "RESIDUAL", "cost": usd("1.00"), "effectiveFrom": "2026-01-01" }),
            "cost",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "RESIDUAL", "low": usd("15.00"), "effectiveFrom": "2026-01-01" }),
            "high",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "RESIDUAL", "effectiveFrom": "2026-01-01" }),
            "currency",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "method": "OBSERVABLE", "low": usd("1.00"), "high": { "amount": "2.00", "currency": "EUR" }, "effectiveFrom": "2026-01-01" }),
            "high",
        ),
        (
            json!({ "productName": "X", "basis": "PER_UNIT", "effectiveFrom": "2026-01-01" }),
            "low",
        ),
    ] {
        let refused = set_ssp(&app, input.clone()).await;
        assert_eq!(
            error_field(&refused).as_deref(),
            Some(field),
            "{input} → {refused}"
        );
    }
    let table = app
        .gql_ok(Role::Cfo, "{ sspPrices { productName } }", json!({}))
        .await;
    assert_eq!(
        table["sspPrices"].as_array().unwrap().len(),
        4,
        "refused entries write nothing: {table}"
    );
}

/// ASC 606-10-55-259 to 55-269 (IFRS 15 IE Example 34), Case B, the residual approach. Products
/// A, B and C sell separately for 40, 55 and 45; B and C are regularly sold together for 60, so
/// the contract's discount belongs to them (32-37) and is allocated first; D's price is highly
/// variable, seen between 15 and 45, so its SSP is the residual. For 130 in all, D is allocated
/// 130 − (40 + 60) = 30, inside the range: A 40, B 33, C 27, D 30. For 105 the residual would be
/// 5, outside the range, so the approach does not apply and the allocation is refused.
#[tokio::test]
async fn example_34_case_b_allocates_the_discount_to_its_subset_then_the_residual_to_d() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    for (product, price) in [
        ("Product A", "40.00"),
        ("Product B", "55.00"),
        ("Product C", "45.00"),
    ] {
        let set = set_ssp(
            &app,
            json!({ "productName": product, "basis": "PER_UNIT", "low": usd(price), "high": usd(price), "effectiveFrom": "2025-01-01" }),
        )
        .await;
        assert!(set.get("errors").is_none(), "{set}");
    }
    let residual = set_ssp(
        &app,
        json!({ "productName": "Product D", "basis": "PER_UNIT", "method": "RESIDUAL", "low": usd("15.00"), "high": usd("45.00"), "effectiveFrom": "2025-01-01" }),
    )
    .await;
    assert!(residual.get("errors").is_none(), "{residual}");

    // The contract sells A; B and C are added and marked as the subset carrying the discount
    // (A 40, B 33, C 27 of 100); then D is added, and its residual is what the price leaves.
    let contract = bundle_with_marked_subset(&app, "OPP-EX34B").await;
    let with_d = add_licences(&app, &contract, &[("Product D", "30.00")], "ex34b-d").await;
    assert!(with_d.get("errors").is_none(), "{with_d}");
    let allocated = schedule(&app, &contract).await;
    assert_eq!(
        allocations(&allocated),
        vec![
            ("Product A".to_string(), 40_00, 40_00),
            ("Product B".to_string(), 55_00, 33_00),
            ("Product C".to_string(), 45_00, 27_00),
            // D's SSP is the residual, shown once the allocation has found it.
            ("Product D".to_string(), 30_00, 30_00),
        ]
    );
    let d_source = allocated["obligations"][3]["sspSource"].as_str().unwrap();
    assert!(
        d_source.contains("residual approach") && d_source.contains("15.00–45.00"),
        "{d_source}"
    );
    assert_eq!(allocated["allocatedTotal"]["amount"], "130.00");
    assert_consistent(&allocated);

    // The same goods for 105: D's residual of 5 is outside the prices seen (15–45), so the
    // residual approach does not apply and adding D is refused with the figures.
    let small = bundle_with_marked_subset(&app, "OPP-EX34B-105").await;
    let refused = add_licences(&app, &small, &[("Product D", "5.00")], "ex34b-105").await;
    let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(
            "residual of 5.00 USD is outside the prices seen for it (15.00 USD–45.00 USD)"
        ),
        "{refused}"
    );
    // Added before the subset is marked, D would be left nothing (130 − 140): refused, saying
    // to mark the lines that carry the discount first.
    let unmarked = licence_contract(&app, "OPP-EX34B-UNMARKED", "Product A", "40.00").await;
    let early = add_licences(
        &app,
        &unmarked,
        &[
            ("Product B", "33.00"),
            ("Product C", "27.00"),
            ("Product D", "30.00"),
        ],
        "ex34b-unmarked",
    )
    .await;
    let message = early["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("leaves -10.00 USD") && message.contains("mark those lines first"),
        "{early}"
    );
    // Nothing of the refused modification was written.
    let unchanged = schedule(&app, &small).await;
    assert_eq!(unchanged["obligations"].as_array().unwrap().len(), 3);
    assert_eq!(
        schedule(&app, &unmarked).await["obligations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// A residual SSP in a prospective modification (ASC 606-10-25-13(a) with 32-34(c)): a year of
/// Analytics Suite (SSP 12,000 a unit-year) sold with Premium Support, whose price has not been
/// established (residual), for 12,000 + 6,000. At inception the suite takes its SSP and support the
/// residual 6,000. Half-way (1 July, six months recognised) the suite goes to two seats for the
/// rest of the year: 12,000 × 184/365 = 6,049.32 more. What is left to recognise — 6,000 + 6,049.32
/// of the suite and 3,000 of support, 15,049.32 — is allocated again: the suite its SSP for the
/// remaining service, 24,000 × 184/365 = 12,098.63, and support the residual, 2,950.69.
#[tokio::test]
async fn a_residual_obligation_takes_what_the_remaining_price_leaves_in_a_prospective_modification()
{
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    for input in [
        json!({ "productName": "Analytics Suite", "basis": "PER_UNIT_YEAR", "low": usd("12000.00"), "high": usd("12000.00"), "effectiveFrom": "2025-01-01" }),
        json!({ "productName": "Premium Support", "basis": "PER_UNIT_YEAR", "method": "RESIDUAL", "currency": "USD", "effectiveFrom": "2025-01-01" }),
    ] {
        let set = set_ssp(&app, input).await;
        assert!(set.get("errors").is_none(), "{set}");
    }
    let customer = app.create_customer("Residual Support", "USD").await;
    let id = crate::receivables::contract(
        &app,
        &customer,
        "OPP-RESIDUAL",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    let added = add_line(&app, &id, "Premium Support", "6000.00").await;
    assert!(added.get("errors").is_none(), "{added}");
    let at_inception = schedule(&app, &id).await;
    assert_eq!(
        allocations(&at_inception),
        vec![
            ("Analytics Suite".to_string(), 12_000_00, 12_000_00),
            ("Premium Support".to_string(), 6_000_00, 6_000_00),
        ]
    );
    crate::receivables::bill(&app, "2026-01-01").await;
    crate::revenue::run(&app, "2026-06").await;
    let suite = at_inception["obligations"][0]["contractLineId"].clone();
    let second_seat = json!({ "input": { "contractId": id, "effectiveDate": "2026-07-01", "reason": "Second seat", "changes": [{ "quantity": { "contractLineId": suite, "newQuantity": "2" } }], "idempotencyKey": "residual-seat" } });
    // Had the suite's SSP risen to 30,000 a unit-year by July, its SSP for the rest of the year
    // (60,000 × 184/365 = 30,246.575…, taken down to 30,246.57 as a weight) would take more than
    // the 15,049.32 left: nothing for the residual, so the modification is refused whole.
    let mut raised = set_ssp(
        &app,
        json!({ "productName": "Analytics Suite", "basis": "PER_UNIT_YEAR", "low": usd("30000.00"), "high": usd("30000.00"), "effectiveFrom": "2026-07-01" }),
    )
    .await;
    assert!(raised.get("errors").is_none(), "{raised}");
    let refused = app
        .gql_as(Role::VpRevops, MODIFY, second_seat.clone())
        .await;
    let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("residual approach leaves nothing")
            && message.contains("30,246.57")
            && message.contains("15,049.32"),
        "{refused}"
    );
    assert_eq!(
        schedule(&app, &id).await["allocatedTotal"]["amount"],
        "18000.00",
        "a refused modification writes nothing"
    );
    // The July entry corrected to 12,000 (same product and date: it replaces the entry).
    raised = set_ssp(
        &app,
        json!({ "productName": "Analytics Suite", "basis": "PER_UNIT_YEAR", "low": usd("12000.00"), "high": usd("12000.00"), "effectiveFrom": "2026-07-01" }),
    )
    .await;
    assert!(raised.get("errors").is_none(), "{raised}");
    let modified = app.gql_as(Role::VpRevops, MODIFY, second_seat).await;
    assert_eq!(
        modified["data"]["contractModify"]["treatment"], "prospective",
        "{modified}"
    );
    let after = schedule(&app, &id).await;
    let allocated: Vec<(String, i64)> = allocations(&after)
        .into_iter()
        .map(|(product, _, allocated)| (product, allocated))
        .collect();
    assert_eq!(
        allocated,
        vec![
            ("Analytics Suite".to_string(), 6_000_00 + 12_098_63),
            ("Premium Support".to_string(), 3_000_00 + 2_950_69),
        ]
    );
    assert_eq!(after["allocatedTotal"]["amount"], "24049.32");
    assert_consistent(&after);
}

async fn add_line(app: &TestApp, contract: &str, product: &str, price: &str) -> Value {
    app.gql_as(
        Role::VpRevops,
        "mutation($input: ContractLineAddInput!) { contractLineAdd(input: $input) { id } }",
        json!({ "input": { "contractId": contract, "kind": "SUBSCRIPTION", "productName": product, "quantity": "1", "unitPrice": usd(price), "billingFrequency": "ANNUALLY", "startDate": "2026-01-01", "endDate": "2026-12-31" } }),
    )
    .await
}
