//! Plan changes (issue 20, "Changes during a term"): an upgrade, downgrade or cross-grade of a
//! subscription line to another product, price, quantity or billing period, immediately or at
//! the end of the current period; the preview the change dialog shows before confirming; the
//! invoice that carries the old line's credit and the new line's charge side by side, each with
//! its proration stated; MRR and revenue following. Worked cases with exact amounts, on SQLite
//! and PostgreSQL.
//!
//! Sources: Stripe Billing's documented proration on a subscription update (an immediate price
//! change credits the unused time on the old price and charges the remaining time on the new
//! one, `proration_behavior`), Chargebee's "change subscription" with "end of term" versus
//! "immediately" (a change at term end is not prorated), and Zuora's co-terming of amended
//! charges to the subscription's billing cycle day. Revenue: ASC 606-10-25-13(a) — the new plan's
//! remaining service is distinct, so the modification is prospective.

use crate::billing::tax_rate;
use crate::discounts::{bill, day, seat_deal};
use revops_tests::{error_field, Role, TestApp};
use serde_json::{json, Value};

const CREATE: &str =
    "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id } } }";
const APPROVE: &str = "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id lines { id } } } }";
const LINES: &str = "query($id: ID!) { deal(id: $id) { contract { lines { id productName quantity unitPrice { amount } billingFrequency startDate endDate cancelledOn replacesLineId } } } }";
const PREVIEW: &str = "query($input: ContractModifyInput!) { contractModifyPreview(input: $input) { treatment total { amount } charges { description periodStart periodEnd amount { amount } note dueOn } } }";
const MODIFY: &str = "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment addedLines { id productName } } }";
const EXPANSIONS: &str = "query($from: Date!, $to: Date!) { expansions(from: $from, to: $to) { rows { kind product detail addedMrr { amount } } } }";
const MOVEMENTS: &str = "query($from: Date!, $to: Date!) { mrrMovements(from: $from, to: $to) { month movements { opening { amount } expansion { amount } contraction { amount } churn { amount } closing { amount } } } }";

/// 10 seats at 100.00 a month for 2027 (the test sets the tax rate), approved; returns the deal's id, the contract's id and
/// its line's id.
async fn seats(app: &TestApp, name: &str) -> (String, String, String) {
    let customer = app.create_customer(name, "USD").await;
    let mut input = seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
    input["crmOpportunityId"] = json!(format!("OPP-{name}"));
    let deal = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let contract = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": deal, "idempotencyKey": format!("approve-{name}") } }),
        )
        .await["dealApprove"]["contract"]
        .clone();
    (
        deal,
        contract["id"].as_str().unwrap().to_string(),
        contract["lines"][0]["id"].as_str().unwrap().to_string(),
    )
}

fn plan_change(contract: &str, line: &str, on: &str, key: &str, plan: Value) -> Value {
    let mut change = json!({ "contractLineId": line });
    for (field, value) in plan.as_object().unwrap() {
        change[field] = value.clone();
    }
    json!({ "input": {
        "contractId": contract, "effectiveDate": on, "reason": "Plan change", "idempotencyKey": key,
        "changes": [{ "plan": change }],
    } })
}

/// (description, amount, note) of each line of an issued invoice or a preview.
fn lines(rows: &Value) -> Vec<(String, String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["description"].as_str().unwrap().to_string(),
                row["amount"]["amount"].as_str().unwrap().to_string(),
                row["note"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn movement(report: &Value, month: &str, kind: &str) -> String {
    report["mrrMovements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["month"] == month)
        .unwrap_or_else(|| panic!("no {month} in {report}"))["movements"][kind]["amount"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An immediate upgrade halfway through a monthly period: 10 seats at 100.00 a month, moved to
/// "Platform seats Pro" at 150.00 from 16 April (15 of April's 30 days left). The preview and
/// then the 16 April invoice carry, side by side, the old line's credit 10 × 100.00 × 15/30 =
/// −500.00 and the new line's charge 10 × 150.00 × 15/30 = 750.00: 250.00. From May the new
/// line bills 1,500.00 a month. MRR rises by 500.00 in April as expansion (one customer, one
/// product line replaced by another), and revenue re-allocates prospectively: 3,500.00 earned
/// and billed by the change, 12,750.00 still to come on the new plan, 16,250.00 in all.
#[tokio::test]
async fn an_immediate_upgrade_halfway_through_a_month_credits_the_old_price_and_charges_the_new() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let (deal, contract, line) = seats(&app, "Hooli Upgrade").await;
    for month in ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01"] {
        assert_eq!(bill(&app, month).await[0]["total"]["amount"], "1000.00");
    }
    app.travel_to(day("2027-04-16")).await;
    let upgrade = |key: &str| {
        plan_change(
            &contract,
            &line,
            "2027-04-16",
            key,
            json!({ "productName": "Platform seats Pro", "unitPrice": { "amount": "150.00", "currency": "USD" }, "timing": "IMMEDIATELY" }),
        )
    };
    let preview = app
        .gql_ok(Role::VpFinance, PREVIEW, upgrade("upgrade"))
        .await["contractModifyPreview"]
        .clone();
    assert_eq!(preview["total"]["amount"], "250.00", "{preview}");
    assert_eq!(preview["treatment"], "prospective");
    let expected = vec![
        (
            "Platform seats: changed to Platform seats Pro from 2027-04-16, unused time credited".to_string(),
            "-500.00".to_string(),
            "Prorated 15/30 days of 2027-04-01 – 2027-04-30 (amount × days used ÷ days in period, rounded half away from zero)".to_string(),
        ),
        (
            "Platform seats Pro (2027-04-16 – 2027-04-30)".to_string(),
            "750.00".to_string(),
            "Prorated 15/30 days (amount × days used ÷ days in period, rounded half away from zero)".to_string(),
        ),
    ];
    assert_eq!(lines(&preview["charges"]), expected);
    // The preview wrote nothing: the contract still has its one line.
    let before = app.gql_ok(Role::Cfo, LINES, json!({ "id": deal })).await;
    assert_eq!(
        before["deal"]["contract"]["lines"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let modified = app
        .gql_ok(Role::VpFinance, MODIFY, upgrade("upgrade"))
        .await["contractModify"]
        .clone();
    assert_eq!(modified["treatment"], "prospective", "{modified}");
    let repeated = app
        .gql_ok(Role::VpFinance, MODIFY, upgrade("upgrade"))
        .await["contractModify"]
        .clone();
    assert_eq!(repeated["addedLines"], modified["addedLines"]);
    let after = app.gql_ok(Role::Cfo, LINES, json!({ "id": deal })).await["deal"]["contract"]
        ["lines"]
        .clone();
    assert_eq!(after[0]["cancelledOn"], "2027-04-16");
    assert_eq!(
        after[1],
        json!({
            "id": modified["addedLines"][0]["id"], "productName": "Platform seats Pro", "quantity": "10",
            "unitPrice": { "amount": "150.00" }, "billingFrequency": "MONTHLY",
            "startDate": "2027-04-16", "endDate": "2027-12-31", "cancelledOn": null,
            "replacesLineId": line,
        })
    );

    let invoice = bill(&app, "2027-04-16").await;
    assert_eq!(
        invoice.as_array().unwrap().len(),
        1,
        "one invoice: {invoice}"
    );
    assert_eq!(invoice[0]["total"]["amount"], "250.00");
    assert_eq!(lines(&invoice[0]["lines"]), expected);
    assert_eq!(
        bill(&app, "2027-05-01").await[0]["total"]["amount"],
        "1500.00"
    );

    let report = app
        .gql_ok(
            Role::Cfo,
            MOVEMENTS,
            json!({ "from": "2027-03-01", "to": "2027-05-31" }),
        )
        .await;
    assert_eq!(
        movement(&report, "2027-04", "expansion"),
        "500.00",
        "{report}"
    );
    assert_eq!(movement(&report, "2027-04", "churn"), "0.00");
    assert_eq!(movement(&report, "2027-04", "closing"), "1500.00");
    // The expansion report lists the upgrade by the 500.00 it added, not the new line's
    // 1,500.00 as a module sold.
    let expansions = app
        .gql_ok(
            Role::Cfo,
            EXPANSIONS,
            json!({ "from": "2027-04-01", "to": "2027-04-30" }),
        )
        .await;
    assert_eq!(
        expansions["expansions"]["rows"],
        json!([{
            "kind": "UPGRADE", "product": "Platform seats Pro",
            "detail": "Plan change from Platform seats (10 × USD 100.00 monthly) to 10 × USD 150.00 monthly",
            "addedMrr": { "amount": "500.00" },
        }]),
        "{expansions}"
    );

    let schedule = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { revenueSchedule(contractId: $id) { allocatedTotal { amount } } }",
            json!({ "id": contract }),
        )
        .await;
    assert_eq!(
        schedule["revenueSchedule"]["allocatedTotal"]["amount"], "16250.00",
        "{schedule}"
    );
}

/// A downgrade at period end: agreed on 16 April to 8 seats of "Platform seats Basic" at 80.00,
/// from the end of April's period. April (billed on 1 April at 1,000.00) is not touched and
/// nothing is prorated: the preview shows May's 640.00, the May invoice bills 640.00 alone and
/// the old line stops on 1 May. MRR contracts by 360.00 in May.
#[tokio::test]
async fn a_downgrade_at_period_end_changes_nothing_before_the_next_period() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let (deal, contract, line) = seats(&app, "Hooli Downgrade").await;
    for month in ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01"] {
        bill(&app, month).await;
    }
    app.travel_to(day("2027-04-16")).await;
    let downgrade = plan_change(
        &contract,
        &line,
        "2027-04-16",
        "downgrade",
        json!({ "productName": "Platform seats Basic", "quantity": "8", "unitPrice": { "amount": "80.00", "currency": "USD" }, "timing": "PERIOD_END" }),
    );
    let preview = app
        .gql_ok(Role::VpFinance, PREVIEW, downgrade.clone())
        .await["contractModifyPreview"]
        .clone();
    assert_eq!(
        lines(&preview["charges"]),
        vec![(
            "Platform seats Basic (2027-05-01 – 2027-05-31)".to_string(),
            "640.00".to_string(),
            String::new()
        )],
        "{preview}"
    );
    assert_eq!(preview["total"]["amount"], "640.00");
    app.gql_ok(Role::VpFinance, MODIFY, downgrade).await;
    // The old line stops on 1 May; a seat change to it before then is refused, saying why.
    let seats_then = app
        .gql_as(
            Role::VpFinance,
            MODIFY,
            json!({ "input": {
                "contractId": contract, "effectiveDate": "2027-04-20", "reason": "More seats",
                "idempotencyKey": "seats-after-downgrade",
                "changes": [{ "quantity": { "contractLineId": line, "newQuantity": "12" } }],
            } }),
        )
        .await;
    assert!(
        seats_then.to_string().contains(
            "Platform seats has no service from 2027-05-01: a cancellation or plan change from that day is already recorded."
        ),
        "{seats_then}"
    );
    let after = app.gql_ok(Role::Cfo, LINES, json!({ "id": deal })).await["deal"]["contract"]
        ["lines"]
        .clone();
    assert_eq!(after[0]["cancelledOn"], "2027-05-01");
    assert_eq!(after[1]["startDate"], "2027-05-01");
    assert_eq!(after[1]["quantity"], "8");
    // Nothing is due before the period ends.
    assert_eq!(bill(&app, "2027-04-20").await, json!([]));
    let may = bill(&app, "2027-05-01").await;
    assert_eq!(may[0]["total"]["amount"], "640.00", "{may}");
    assert_eq!(may[0]["lines"].as_array().unwrap().len(), 1);

    let report = app
        .gql_ok(
            Role::Cfo,
            MOVEMENTS,
            json!({ "from": "2027-04-01", "to": "2027-05-31" }),
        )
        .await;
    assert_eq!(
        movement(&report, "2027-05", "contraction"),
        "360.00",
        "{report}"
    );
    assert_eq!(movement(&report, "2027-05", "closing"), "640.00");
    // A downgrade is contraction: the expansion report lists nothing for it.
    let expansions = app
        .gql_ok(
            Role::Cfo,
            EXPANSIONS,
            json!({ "from": "2027-04-01", "to": "2027-05-31" }),
        )
        .await;
    assert_eq!(expansions["expansions"]["rows"], json!([]), "{expansions}");

    // The term's last period has no period after it to change at.
    app.travel_to(day("2027-12-10")).await;
    let late = app
        .gql_as(
            Role::VpFinance,
            MODIFY,
            plan_change(
                &contract,
                after[1]["id"].as_str().unwrap(),
                "2027-12-10",
                "too-late",
                json!({ "quantity": "5", "timing": "PERIOD_END" }),
            ),
        )
        .await;
    assert_eq!(
        error_field(&late).as_deref(),
        Some("changes.0.timing"),
        "{late}"
    );
}

/// Monthly → annual in the middle of March: 10 seats at 100.00 a month become 10 seats billed
/// annually at 1,100.00 a seat from 16 March, co-termed with the contract's anniversary
/// (1 January). The old line credits March's 16 unused days of 31 — 1,000.00 × 16/31 = 516.13 —
/// and the new line charges its first period, the stub 16 March – 31 December, 291 of the
/// year's 365 days: 11,000.00 × 291/365 = 8,769.86. One invoice: 8,253.73. April's run bills
/// nothing more; MRR moves from 1,000.00 to 11,000.00 / 12 = 916.67 (contraction 83.33).
#[tokio::test]
async fn monthly_to_annual_mid_period_bills_the_stub_to_the_anniversary() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let (_, contract, line) = seats(&app, "Hooli Annual").await;
    for month in ["2027-01-01", "2027-02-01", "2027-03-01"] {
        bill(&app, month).await;
    }
    app.travel_to(day("2027-03-16")).await;
    app.gql_ok(
        Role::VpFinance,
        MODIFY,
        plan_change(
            &contract,
            &line,
            "2027-03-16",
            "to-annual",
            json!({ "billingFrequency": "ANNUALLY", "unitPrice": { "amount": "1100.00", "currency": "USD" }, "timing": "IMMEDIATELY" }),
        ),
    )
    .await;
    let invoice = bill(&app, "2027-03-16").await;
    assert_eq!(
        lines(&invoice[0]["lines"])
            .into_iter()
            .map(|(description, amount, _)| (description, amount))
            .collect::<Vec<_>>(),
        vec![
            (
                "Platform seats: changed to Platform seats billed annually from 2027-03-16, unused time credited"
                    .to_string(),
                "-516.13".to_string()
            ),
            (
                "Platform seats (2027-03-16 – 2027-12-31)".to_string(),
                "8769.86".to_string()
            ),
        ],
        "{invoice}"
    );
    assert_eq!(invoice[0]["total"]["amount"], "8253.73");
    assert!(invoice[0]["lines"][1]["note"]
        .as_str()
        .unwrap()
        .starts_with("Prorated 291/365 days"));
    assert_eq!(bill(&app, "2027-04-01").await, json!([]));
    let report = app
        .gql_ok(
            Role::Cfo,
            MOVEMENTS,
            json!({ "from": "2027-03-01", "to": "2027-03-31" }),
        )
        .await;
    assert_eq!(
        movement(&report, "2027-03", "contraction"),
        "83.33",
        "{report}"
    );
    assert_eq!(movement(&report, "2027-03", "closing"), "916.67");
}

/// A termination at period end (Chargebee's "cancel at end of term", Stripe's
/// `cancel_at_period_end`): agreed on 16 April, the seats stop when April's period ends — the
/// April invoice stands, nothing is credited, May bills nothing, and May's MRR shows the
/// 1,000.00 as churn. In the term's last period there is no later period end to stop at.
#[tokio::test]
async fn a_termination_at_period_end_credits_nothing_and_stops_billing_after_the_period() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let (deal, contract, line) = seats(&app, "Hooli Termination At End").await;
    for month in ["2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01"] {
        bill(&app, month).await;
    }
    app.travel_to(day("2027-04-16")).await;
    let cancel = |on: &str, key: &str| {
        json!({ "input": {
            "contractId": contract, "effectiveDate": on, "reason": "Customer leaves at period end",
            "idempotencyKey": key,
            "changes": [{ "cancel": { "contractLineId": line, "atPeriodEnd": true } }],
        } })
    };
    let preview = app
        .gql_ok(Role::VpFinance, PREVIEW, cancel("2027-04-16", "end"))
        .await["contractModifyPreview"]
        .clone();
    assert_eq!(preview["charges"], json!([]), "{preview}");
    assert_eq!(preview["total"]["amount"], "0.00");
    app.gql_ok(Role::VpFinance, MODIFY, cancel("2027-04-16", "end"))
        .await;
    let after = app.gql_ok(Role::Cfo, LINES, json!({ "id": deal })).await;
    assert_eq!(
        after["deal"]["contract"]["lines"][0]["cancelledOn"],
        "2027-05-01"
    );
    assert_eq!(bill(&app, "2027-04-20").await, json!([]));
    assert_eq!(bill(&app, "2027-05-01").await, json!([]));
    let report = app
        .gql_ok(
            Role::Cfo,
            MOVEMENTS,
            json!({ "from": "2027-04-01", "to": "2027-05-31" }),
        )
        .await;
    assert_eq!(movement(&report, "2027-04", "churn"), "0.00", "{report}");
    assert_eq!(movement(&report, "2027-05", "churn"), "1000.00", "{report}");

    // A second contract in its last period: nothing later to stop at.
    let (_, last_contract, last_line) = seats(&app, "Hooli Last Period").await;
    app.travel_to(day("2027-12-10")).await;
    let refused = app
        .gql_as(
            Role::VpFinance,
            MODIFY,
            json!({ "input": {
                "contractId": last_contract, "effectiveDate": "2027-12-10", "reason": "Leaving",
                "idempotencyKey": "last-period",
                "changes": [{ "cancel": { "contractLineId": last_line, "atPeriodEnd": true } }],
            } }),
        )
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("changes.0.atPeriodEnd"),
        "{refused}"
    );
}

/// Refusals name their field and write nothing: a change that changes nothing, a price in
/// another currency, a change to a cancelled line, and the role that may not change contracts.
#[tokio::test]
async fn a_bad_plan_change_names_its_field() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let (deal, contract, line) = seats(&app, "Hooli Refusals").await;
    app.travel_to(day("2027-02-10")).await;
    let refused = |plan: Value| plan_change(&contract, &line, "2027-02-10", "bad", plan);
    for (plan, field) in [
        (
            json!({ "productName": "Platform seats", "timing": "IMMEDIATELY" }),
            "changes.0.productName",
        ),
        (
            json!({ "unitPrice": { "amount": "90.00", "currency": "EUR" }, "timing": "IMMEDIATELY" }),
            "changes.0.unitPrice",
        ),
        (
            json!({ "quantity": "0", "timing": "IMMEDIATELY" }),
            "changes.0.quantity",
        ),
    ] {
        for query in [PREVIEW, MODIFY] {
            let answer = app
                .gql_as(Role::VpFinance, query, refused(plan.clone()))
                .await;
            assert_eq!(error_field(&answer).as_deref(), Some(field), "{answer}");
        }
    }
    let ae = app
        .gql_as(
            Role::Ae,
            PREVIEW,
            refused(json!({ "quantity": "12", "timing": "IMMEDIATELY" })),
        )
        .await;
    assert_eq!(
        revops_tests::error_code(&ae).as_deref(),
        Some("FORBIDDEN"),
        "{ae}"
    );
    let lines = app.gql_ok(Role::Cfo, LINES, json!({ "id": deal })).await;
    assert_eq!(
        lines["deal"]["contract"]["lines"].as_array().unwrap().len(),
        1
    );
}
