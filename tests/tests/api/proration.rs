//! Proration conventions (issue 20, "Changes during a term"): the company bills a part of a
//! period by actual days, by 30-day months or not at all (whole periods), each contract keeps the
//! convention it was written under, and one contract may be given its own until it is billed.
//! Worked cases with exact amounts, on SQLite and PostgreSQL.
//!
//! Sources: Zuora's billing rule "When prorating a month, assume 30 days in a month or use actual
//! days?" (its "Assume 30 days – Strict 30/360" option: a month always counts 30 days; 16–31
//! March is 15 days of 30), and the "no proration" modes of Paddle (`full_immediately`: a change
//! charges the whole period) and Autumn (`charge_immediately` on an increase, `no_action` — no
//! credit — on a decrease).

use crate::billing::tax_rate;
use crate::discounts::{approved, bill, day, seat_deal};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const SETTINGS: &str = "query { billingSettings { proration prorationChoices } }";
const SET: &str =
    "mutation($p: ProrationConvention!) { billingSetProration(proration: $p) { proration } }";
const SET_CONTRACT: &str = "mutation($id: ID!, $p: ProrationConvention!) { contractSetProration(contractId: $id, proration: $p) { contractId proration } }";
const MODIFY: &str =
    "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment } }";
const SCHEDULE: &str =
    "query($id: ID!) { revenueSchedule(contractId: $id) { allocatedTotal { amount } } }";
const MEMOS: &str = "query($customerId: ID) { creditMemos(customerId: $customerId, first: 10) { nodes { total { amount } reason } } }";
const AUDIT: &str = "query($type: String, $id: String) { auditLog(first: 50, entityType: $type, entityId: $id) { nodes { action } } }";

/// A seat change of one contract's one line from `on`.
fn seats(contract: &str, line: &str, on: &str, quantity: &str) -> Value {
    json!({ "input": {
        "contractId": contract, "effectiveDate": on, "reason": "Seats",
        "idempotencyKey": format!("seats-{contract}-{on}"),
        "changes": [{ "quantity": { "contractLineId": line, "newQuantity": quantity } }],
    } })
}

/// What revenue allocates to a contract in all.
async fn allocated(app: &TestApp, id: &str) -> String {
    app.gql_ok(Role::Cfo, SCHEDULE, json!({ "id": id })).await["revenueSchedule"]["allocatedTotal"]
        ["amount"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The `index`th invoice a run issued (in the order the customers were made), as (total,
/// [(description, amount, note)]).
pub(crate) fn invoice_of(issued: &Value, index: usize) -> (String, Vec<(String, String, String)>) {
    let invoice = &issued[index];
    let lines = invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["description"].as_str().unwrap().to_string(),
                line["amount"]["amount"].as_str().unwrap().to_string(),
                line["note"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (
        invoice["total"]["amount"].as_str().unwrap().to_string(),
        lines,
    )
}

/// Three customers with 10 seats at 100.00 a month for 2027, approved under actual days, 30-day
/// months and whole periods (the CFO changes the company's convention between approvals). Each
/// adds 2 seats from 16 March, and gives them back from 16 May (May was billed for 12):
/// - actual days: +2 × 100.00 × 16/31 = **103.23** on 16 March; 16–31 May is 16/31 too, so a
///   credit memo of **103.23** on 16 May;
/// - 30-day months: 16–31 March counts 15 of 30 days: **100.00**; a credit memo of **100.00**;
/// - whole periods: the added seats cost the whole March: **200.00**; giving them back in May
///   credits nothing, and no credit memo is issued.
///
/// June bills 10 seats, 1,000.00, for each.
///
/// The first contract keeps actual days though the company moved on, and every line states how
/// it was worked out.
#[tokio::test]
async fn each_convention_prices_seats_added_and_given_back_mid_month_its_own_way() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let settings = app.gql_ok(Role::Cfo, SETTINGS, Value::Null).await;
    assert_eq!(settings["billingSettings"]["proration"], "ACTUAL_DAYS");
    assert_eq!(
        settings["billingSettings"]["prorationChoices"],
        json!(["ACTUAL_DAYS", "THIRTY_DAY_MONTHS", "WHOLE_PERIODS"])
    );
    let mut contracts = Vec::new();
    let mut customers = Vec::new();
    for (name, convention) in [
        ("Actual Days Co", "ACTUAL_DAYS"),
        ("Thirty Day Co", "THIRTY_DAY_MONTHS"),
        ("Whole Period Co", "WHOLE_PERIODS"),
    ] {
        let set = app.gql_ok(Role::Cfo, SET, json!({ "p": convention })).await;
        assert_eq!(set["billingSetProration"]["proration"], convention);
        let customer = app.create_customer(name, "USD").await;
        let mut input = seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
        input["crmOpportunityId"] = json!(format!("OPP-{convention}"));
        let contract = approved(&app, input, &format!("approve-{convention}")).await;
        contracts.push((
            contract["id"].as_str().unwrap().to_string(),
            contract["lines"][0]["id"].as_str().unwrap().to_string(),
        ));
        customers.push(customer);
    }
    // An AE may read the setting but not change it; the changes are audited.
    let refused = app
        .gql_as(Role::Ae, SET, json!({ "p": "ACTUAL_DAYS" }))
        .await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("FORBIDDEN"),
        "{refused}"
    );
    let audit = app
        .gql_ok(
            Role::Admin,
            AUDIT,
            json!({ "type": "company_setting", "id": "billing.proration" }),
        )
        .await;
    assert_eq!(
        audit["auditLog"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|node| node["action"] == "billing.proration_set")
            .count(),
        2,
        "{audit}"
    );

    for month in ["2027-01-01", "2027-02-01", "2027-03-01"] {
        let issued = bill(&app, month).await;
        assert_eq!(issued.as_array().unwrap().len(), 3);
    }
    app.travel_to(day("2027-03-16")).await;
    for (contract, line) in &contracts {
        app.gql_ok(
            Role::VpFinance,
            MODIFY,
            seats(contract, line, "2027-03-16", "12"),
        )
        .await;
    }
    let march = bill(&app, "2027-03-16").await;
    assert_eq!(march.as_array().unwrap().len(), 3, "{march}");
    let expected = [
        (
            "103.23",
            "Prorated 16/31 days of 2027-03-01 – 2027-03-31 (amount × days used ÷ days in period, rounded half away from zero)",
        ),
        (
            "100.00",
            "Prorated 15/30 days of 2027-03-01 – 2027-03-31 (30-day months: every month counts 30 days; amount × days used ÷ days in period, rounded half away from zero)",
        ),
        (
            "200.00",
            "Whole period charged from 2027-03-16 of 2027-03-01 – 2027-03-31 (whole periods: no proration)",
        ),
    ];
    for (index, (total, note)) in expected.iter().enumerate() {
        let (amount, lines) = invoice_of(&march, index);
        assert_eq!(&amount, total, "{march}");
        assert_eq!(lines.len(), 1);
        assert_eq!(
            lines[0].0,
            "Platform seats: quantity 10 → 12 from 2027-03-16"
        );
        assert_eq!(lines[0].2, *note);
    }
    for month in ["2027-04-01", "2027-05-01"] {
        let issued = bill(&app, month).await;
        for index in 0..3 {
            assert_eq!(invoice_of(&issued, index).0, "1200.00", "{issued}");
        }
    }
    app.travel_to(day("2027-05-16")).await;
    for (contract, line) in &contracts {
        app.gql_ok(
            Role::VpFinance,
            MODIFY,
            seats(contract, line, "2027-05-16", "10"),
        )
        .await;
    }
    // No invoice of the 16 May run absorbs the credits, so each goes out at once as a credit
    // memo; whole periods credit nothing and issue none.
    bill(&app, "2027-05-16").await;
    let mut credited = Vec::new();
    for customer in &customers {
        let memos = app
            .gql_ok(Role::Cfo, MEMOS, json!({ "customerId": customer }))
            .await["creditMemos"]["nodes"]
            .clone();
        credited.push(
            memos
                .as_array()
                .unwrap()
                .iter()
                .map(|memo| memo["total"]["amount"].as_str().unwrap().to_string())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        credited,
        [
            vec!["103.23".to_string()],
            vec!["100.00".to_string()],
            vec![]
        ],
        "{credited:?}"
    );
    let june = bill(&app, "2027-06-01").await;
    let totals: Vec<String> = (0..3).map(|index| invoice_of(&june, index).0).collect();
    assert_eq!(totals, ["1000.00", "1000.00", "1000.00"], "{june}");
}

/// A three-month-and-a-half term (1 January – 15 March 2027, 10 seats at 100.00 a month) written
/// under actual days bills March 1–15 as 15/31 of a month: 2,483.87 in all, which revenue
/// allocates. Before anything is billed the VP Finance gives the contract whole periods (agreed
/// with the customer): revenue is restated to 3,000.00 and March bills the whole month, saying
/// so. Once billed, the convention stays: a further change is refused on `contractId`.
#[tokio::test]
async fn a_contract_takes_its_own_convention_until_it_is_billed() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Short Term Co", "USD").await;
    let mut input = seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
    input["crmOpportunityId"] = json!("OPP-SHORT-TERM");
    input["endDate"] = json!("2027-03-15");
    let contract = approved(&app, input, "approve-short").await;
    let id = contract["id"].as_str().unwrap().to_string();
    assert_eq!(allocated(&app, &id).await, "2483.87");

    let forbidden = app
        .gql_as(
            Role::Ae,
            SET_CONTRACT,
            json!({ "id": id, "p": "WHOLE_PERIODS" }),
        )
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    let set = app
        .gql_ok(
            Role::VpFinance,
            SET_CONTRACT,
            json!({ "id": id, "p": "WHOLE_PERIODS" }),
        )
        .await;
    assert_eq!(set["contractSetProration"]["proration"], "WHOLE_PERIODS");
    assert_eq!(allocated(&app, &id).await, "3000.00");
    let audit = app
        .gql_ok(Role::Admin, AUDIT, json!({ "type": "contract", "id": id }))
        .await;
    assert!(
        audit.to_string().contains("contract.proration_set"),
        "{audit}"
    );

    for month in ["2027-01-01", "2027-02-01"] {
        assert_eq!(invoice_of(&bill(&app, month).await, 0).0, "1000.00");
    }
    let march = bill(&app, "2027-03-01").await;
    let (total, lines) = invoice_of(&march, 0);
    assert_eq!(total, "1000.00", "{march}");
    assert_eq!(
        lines[0].2,
        "Whole period charged for 2027-03-01 – 2027-03-15 (whole periods: no proration)"
    );

    let refused = app
        .gql_as(
            Role::VpFinance,
            SET_CONTRACT,
            json!({ "id": id, "p": "THIRTY_DAY_MONTHS" }),
        )
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("contractId"),
        "{refused}"
    );
    assert!(
        refused
            .to_string()
            .contains("is already billed by whole periods"),
        "{refused}"
    );
    assert_eq!(allocated(&app, &id).await, "3000.00");
}
