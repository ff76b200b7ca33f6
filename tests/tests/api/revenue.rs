//! Revenue recognition over GraphQL with exact amounts: an annual upfront subscription, a
//! mid-month start under both ratable methods, a start on the 16th under every convention
//! (company setting and per-contract override, re-planning only what is not yet recognised), a milestone recognised only on acceptance (ahead
//! of billing, as unbilled AR), a licence + support + implementation bundle sold at a discount,
//! prospective and catch-up modifications, a credit memo split between deferred and contra
//! revenue, and period close refusing postings; every step keeps the trial balance at zero,
//! recognised + remaining = allocated per contract, and the rollforward equal to the ledger.

// Amounts in minor units are written dollars_cents (12_000_00 = 12,000.00) so they read as money.
#![allow(clippy::inconsistent_digit_grouping, clippy::mistyped_literal_suffixes)]

use crate::receivables::{bill, contract, zero_tax, APPROVE, CREATE};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const SCHEDULE: &str = "query($id: ID!) { revenueSchedule(contractId: $id) { contractNumber ratableMethod overrideMethod monthsTotal monthlyRecognition { amount } allocatedTotal { amount } billedToDate { amount } recognisedToDate { amount } remainingToRecognise { amount } deferredBalance { amount } unbilledBalance { amount } obligations { id contractLineId productName pattern stated { amount } ssp { amount } sspSource carriesDiscount allocated { amount } recognised { amount } remaining { amount } } rows { productName kind month periodStart periodEnd recogniseOn amount { amount } status journalEntryNumber } milestones { name amount { amount } delivered } modifications { treatment reason before after } } }";
const RUN: &str = "mutation($period: String!) { revenueRun(period: $period) { period asOf contracts rowsRecognised entries total { amount currency } } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced lines { account { code } currency balance { amount } } } }";
const ROLLFORWARD: &str = "query($from: String!, $to: String!) { revenueRollforward(from: $from, to: $to) { month currency openingDeferred { amount } billed { amount } recognised { amount } closingDeferred { amount } openingUnbilled { amount } closingUnbilled { amount } } }";
const CHANGE: &str = "mutation($input: ContractLineChangeInput!) { contractLineChange(input: $input) { id quantity } }";
const ADD: &str =
    "mutation($input: ContractLineAddInput!) { contractLineAdd(input: $input) { id } }";
const SSP: &str = "mutation($input: SspPriceSetInput!) { sspPriceSet(input: $input) { id productName basis low { amount } } }";

pub fn cents(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let value: i64 = digits.parse().unwrap();
    if negative {
        -value
    } else {
        value
    }
}

pub async fn schedule(app: &TestApp, contract: &str) -> Value {
    app.gql_ok(Role::Cfo, SCHEDULE, json!({ "id": contract }))
        .await["revenueSchedule"]
        .clone()
}

pub async fn run(app: &TestApp, period: &str) -> Value {
    app.gql_ok(Role::Cfo, RUN, json!({ "period": period }))
        .await["revenueRun"]
        .clone()
}

/// The ledger balance (debit − credit) of an account in USD on a date; asserts it balances.
pub async fn balance(app: &TestApp, as_of: &str, account: &str) -> i64 {
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": as_of }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true, "{trial}");
    trial["trialBalance"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["account"]["code"] == account && line["currency"] == "USD")
        .map(|line| cents(line["balance"]["amount"].as_str().unwrap()))
        .sum()
}

/// Every contract's schedule adds up: recognised + remaining = allocated, per obligation and in total.
pub fn assert_consistent(schedule: &Value) {
    let total = |field: &str| cents(schedule[field]["amount"].as_str().unwrap());
    assert_eq!(
        total("recognisedToDate") + total("remainingToRecognise"),
        total("allocatedTotal"),
        "{schedule}"
    );
    let mut allocated = 0;
    for obligation in schedule["obligations"].as_array().unwrap() {
        let part = |field: &str| cents(obligation[field]["amount"].as_str().unwrap());
        assert_eq!(part("recognised") + part("remaining"), part("allocated"));
        allocated += part("allocated");
    }
    assert_eq!(allocated, total("allocatedTotal"));
    let planned: i64 = schedule["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["status"] == "planned")
        .map(|row| cents(row["amount"]["amount"].as_str().unwrap()))
        .sum();
    assert_eq!(planned, total("remainingToRecognise"));
}

pub fn ratable_amounts(schedule: &Value) -> Vec<(String, i64)> {
    schedule["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["kind"] == "ratable")
        .map(|row| {
            (
                row["month"].as_str().unwrap().to_string(),
                cents(row["amount"]["amount"].as_str().unwrap()),
            )
        })
        .collect()
}

async fn line_of(app: &TestApp, contract: &str) -> String {
    schedule(app, contract).await["obligations"][0]["contractLineId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_annual_upfront_subscription_is_deferred_and_recognised_one_twelfth_a_month() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Globex", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-REV1",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    let planned = schedule(&app, &id).await;
    assert_eq!(planned["monthsTotal"], 12);
    assert_eq!(planned["monthlyRecognition"]["amount"], "1000.00");
    assert_eq!(planned["allocatedTotal"]["amount"], "12000.00");
    assert!(ratable_amounts(&planned)
        .iter()
        .all(|(_, amount)| *amount == 1_000_00));
    assert_consistent(&planned);

    bill(&app, "2026-01-01").await;
    assert_eq!(balance(&app, "2026-01-01", "2000").await, -12_000_00);
    assert_eq!(balance(&app, "2026-01-01", "4000").await, 0);

    let january = run(&app, "2026-01").await;
    assert_eq!(january["asOf"], "2026-01-31");
    assert_eq!(january["rowsRecognised"], 1);
    assert_eq!(january["total"][0]["amount"], "1000.00");
    // A rerun finds nothing left to recognise and posts nothing.
    let again = run(&app, "2026-01").await;
    assert_eq!(again["rowsRecognised"], 0);
    assert_eq!(again["entries"], 0);
    assert_eq!(balance(&app, "2026-01-31", "2000").await, -11_000_00);
    assert_eq!(balance(&app, "2026-01-31", "4000").await, -1_000_00);

    run(&app, "2026-02").await;
    run(&app, "2026-03").await;
    let after = schedule(&app, &id).await;
    assert_eq!(after["recognisedToDate"]["amount"], "3000.00");
    assert_eq!(after["remainingToRecognise"]["amount"], "9000.00");
    assert_eq!(after["deferredBalance"]["amount"], "9000.00");
    assert_eq!(after["unbilledBalance"]["amount"], "0.00");
    assert_consistent(&after);
    let recognised = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["status"] == "recognised")
        .collect::<Vec<_>>();
    assert_eq!(recognised.len(), 3);
    assert!(recognised.iter().all(|row| row["journalEntryNumber"]
        .as_str()
        .unwrap()
        .starts_with("JE-")));

    let roll = app
        .gql_ok(
            Role::Cro,
            ROLLFORWARD,
            json!({ "from": "2026-01", "to": "2026-03" }),
        )
        .await["revenueRollforward"]
        .clone();
    let months: Vec<(String, String, String, String)> = roll
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["openingDeferred"]["amount"].as_str().unwrap().into(),
                row["billed"]["amount"].as_str().unwrap().into(),
                row["recognised"]["amount"].as_str().unwrap().into(),
                row["closingDeferred"]["amount"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        months,
        vec![
            (
                "0.00".into(),
                "12000.00".into(),
                "1000.00".into(),
                "11000.00".into()
            ),
            (
                "11000.00".into(),
                "0.00".into(),
                "1000.00".into(),
                "10000.00".into()
            ),
            (
                "10000.00".into(),
                "0.00".into(),
                "1000.00".into(),
                "9000.00".into()
            ),
        ]
    );
    assert_eq!(-balance(&app, "2026-03-31", "2000").await, 9_000_00);

    // The CRO sees totals but not the per-contract schedule; an AE sees neither.
    let refused = app.gql_as(Role::Cro, SCHEDULE, json!({ "id": id })).await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
    let refused = app
        .gql_as(
            Role::Ae,
            ROLLFORWARD,
            json!({ "from": "2026-01", "to": "2026-03" }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
    let bad = app
        .gql_as(Role::Cfo, RUN, json!({ "period": "2026-13" }))
        .await;
    assert_eq!(error_field(&bad).as_deref(), Some("period"));
}

const ROLLFORWARD_VIEW: &str = "query($from: String!, $to: String!, $view: CurrencyView) { revenueRollforward(from: $from, to: $to, view: $view) { month currency openingDeferred { amount } billed { amount } recognised { amount } fxTranslation { amount } closingDeferred { amount } } }";
const STREAMS_VIEW: &str = "query($from: String!, $to: String!, $view: CurrencyView) { revenueByStream(from: $from, to: $to, view: $view) { month currency subscription { amount } total { amount } billed { amount } } }";

/// Issue 19: the revenue reports were per currency only. In the functional currency (USD here)
/// a EUR balance is translated at its day's rate (1.20 on 31 January, 1.25 on 28 February) and
/// the month's movements at its last day's rate; the FX translation closes the difference, as a
/// rollforward of a foreign-currency liability reads (ASC 830-30: balances at the closing rate,
/// the translation adjustment shown on its own). February by hand: opening 1,100 + 1,100 × 1.20
/// = 2,420.00; recognised 100 + 100 × 1.25 = 225.00; closing 1,000 + 1,000 × 1.25 = 2,250.00;
/// translation 2,250.00 − 2,420.00 + 225.00 = 55.00.
#[tokio::test]
async fn the_rollforward_in_the_functional_currency_translates_the_euro_balance_and_ties() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    for (rate, day) in [
        ("1.1", "2025-12-01"),
        ("1.2", "2026-01-31"),
        ("1.25", "2026-02-28"),
    ] {
        app.gql_ok(
            Role::Cfo,
            "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { rate } }",
            json!({ "input": { "currency": "EUR", "rate": rate, "rateDate": day } }),
        )
        .await;
    }
    let dollars = app.create_customer("Dollar Inc", "USD").await;
    let euros = app.create_customer("Euro SE", "EUR").await;
    contract(
        &app,
        &dollars,
        "OPP-FX-USD",
        "ANNUALLY",
        "1200.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    contract(
        &app,
        &euros,
        "OPP-FX-EUR",
        "ANNUALLY",
        "1200.00",
        "EUR",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    run(&app, "2026-01").await;
    run(&app, "2026-02").await;

    let rows = |value: Value| -> Vec<(String, String, [String; 5])> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let amount = |key: &str| row[key]["amount"].as_str().unwrap().to_string();
                (
                    row["month"].as_str().unwrap().to_string(),
                    row["currency"].as_str().unwrap().to_string(),
                    [
                        amount("openingDeferred"),
                        amount("billed"),
                        amount("recognised"),
                        amount("fxTranslation"),
                        amount("closingDeferred"),
                    ],
                )
            })
            .collect()
    };
    let functional = app
        .gql_ok(
            Role::Cfo,
            ROLLFORWARD_VIEW,
            json!({ "from": "2026-01", "to": "2026-02", "view": "FUNCTIONAL" }),
        )
        .await["revenueRollforward"]
        .clone();
    let text = |values: [&str; 5]| values.map(str::to_string);
    assert_eq!(
        rows(functional),
        vec![
            (
                "2026-01".into(),
                "USD".into(),
                text(["0.00", "2640.00", "220.00", "0.00", "2420.00"])
            ),
            (
                "2026-02".into(),
                "USD".into(),
                text(["2420.00", "0.00", "225.00", "55.00", "2250.00"])
            ),
        ]
    );
    // Each currency on its own has no translation, and is the default.
    let each = app
        .gql_ok(
            Role::Cfo,
            ROLLFORWARD_VIEW,
            json!({ "from": "2026-02", "to": "2026-02" }),
        )
        .await["revenueRollforward"]
        .clone();
    assert_eq!(
        rows(each),
        vec![
            (
                "2026-02".into(),
                "EUR".into(),
                text(["1100.00", "0.00", "100.00", "0.00", "1000.00"])
            ),
            (
                "2026-02".into(),
                "USD".into(),
                text(["1100.00", "0.00", "100.00", "0.00", "1000.00"])
            ),
        ]
    );
    let streams = app
        .gql_ok(
            Role::Cfo,
            STREAMS_VIEW,
            json!({ "from": "2026-02", "to": "2026-02", "view": "FUNCTIONAL" }),
        )
        .await["revenueByStream"]
        .clone();
    assert_eq!(streams[0]["currency"], "USD");
    assert_eq!(streams[0]["subscription"]["amount"], "225.00");
    assert_eq!(streams[0]["total"]["amount"], "225.00");

    // Without a EUR rate the functional view refuses, naming the currency, rather than show a
    // total that silently leaves the euros out.
    app.sql_rows("DELETE FROM fx_rates WHERE currency = 'EUR'")
        .await;
    let refused = app
        .gql_as(
            Role::Cfo,
            ROLLFORWARD_VIEW,
            json!({ "from": "2026-02", "to": "2026-02", "view": "FUNCTIONAL" }),
        )
        .await;
    assert_eq!(error_field(&refused).as_deref(), Some("view"), "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("No FX rate for EUR"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_mid_month_start_under_monthly_equal_and_daily_methods() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Umbrella", "USD").await;
    let monthly = contract(
        &app,
        &customer,
        "OPP-REV2",
        "ANNUALLY",
        "10000.00",
        "USD",
        "2026-01-15",
        "2027-01-14",
    )
    .await;
    let amounts = ratable_amounts(&schedule(&app, &monthly).await);
    // Equal service months of 833.33 (ASC 606-10-55-17, time elapsed): the first runs Jan 15 to
    // Feb 15, so January holds 17 of its 31 days (456.99), not the whole month; December
    // absorbs 2026's rounding residue and January 2027 the last 14 days.
    assert_eq!(amounts.len(), 13);
    assert_eq!(amounts[0], ("2026-01".into(), 456_99));
    assert_eq!(amounts[11], ("2026-12".into(), 845_87));
    assert_eq!(amounts[12], ("2027-01".into(), 376_34));

    // Only the CFO chooses the method.
    let method =
        "mutation($method: RatableMethod!) { revenueMethodSet(method: $method) { ratableMethod } }";
    for role in [Role::VpFinance, Role::Ae] {
        let refused = app.gql_as(role, method, json!({ "method": "DAILY" })).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}"
        );
    }
    app.gql_ok(Role::Cfo, method, json!({ "method": "DAILY" }))
        .await;
    let daily = contract(
        &app,
        &customer,
        "OPP-REV3",
        "ANNUALLY",
        "10000.00",
        "USD",
        "2026-01-15",
        "2027-01-14",
    )
    .await;
    let amounts = ratable_amounts(&schedule(&app, &daily).await);
    assert_eq!(amounts.len(), 13);
    // 17/365, 28/365, 31/365 … and the 14 days of January 2027 take the remainder.
    assert_eq!(amounts[0], ("2026-01".into(), 465_75));
    assert_eq!(amounts[1], ("2026-02".into(), 767_12));
    assert_eq!(amounts[2], ("2026-03".into(), 849_32));
    assert_eq!(
        amounts.iter().map(|(_, amount)| amount).sum::<i64>(),
        10_000_00
    );
    assert_eq!(amounts[12].0, "2027-01");
    // The first contract keeps the schedule it was built with.
    assert_eq!(
        ratable_amounts(&schedule(&app, &monthly).await)[0].1,
        456_99
    );
}

const CONTRACT_METHOD: &str = "mutation($input: ContractRevenueMethodSetInput!) { contractRevenueMethodSet(input: $input) { contractId overrideMethod ratableMethod } }";

async fn set_contract_method(app: &TestApp, contract: &str, method: Value) -> Value {
    app.gql_ok(
        Role::Cfo,
        CONTRACT_METHOD,
        json!({ "input": { "contractId": contract, "method": method } }),
    )
    .await["contractRevenueMethodSet"]
        .clone()
}

/// Months "2026-01" … "2027-01" paired with the amounts written in dollars_cents.
fn by_month(amounts: [i64; 13]) -> Vec<(String, i64)> {
    let months = (1..=12)
        .map(|month| format!("2026-{month:02}"))
        .chain(["2027-01".to_string()]);
    months.zip(amounts).collect()
}

// Regression for issue 16, "Revenue ahead of delivery": 12,000.00 for a year from 2026-01-16
// (to 2027-01-15 inclusive, 365 days). Revenue is recognised as the service is delivered, an
// output measure of progress over time (ASC 606-10-25-31, 606-10-55-17; DOMAIN.md "Timing
// follows delivery"): by January 31 only 16 days are delivered, so January can never carry a
// whole month. Every figure below is computed by hand from the convention's rule; each
// calendar year's rounding residue stays in its last month.
#[tokio::test]
async fn a_start_on_the_sixteenth_recognises_only_delivered_service_under_every_convention() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Initech", "USD").await;
    let mut contracts = Vec::new();
    for opportunity in ["OPP-REV16A", "OPP-REV16B", "OPP-REV16C", "OPP-REV16D"] {
        let id = contract(
            &app,
            &customer,
            opportunity,
            "ANNUALLY",
            "12000.00",
            "USD",
            "2026-01-16",
            "2027-01-15",
        )
        .await;
        contracts.push(id);
    }
    let [equal, prorated, half, daily] = <[String; 4]>::try_from(contracts).unwrap();

    // The company default, equal service months (even periods) of 1,000.00 each, split by days
    // between the calendar months they straddle: January 16/31 × 1,000 = 516.13; February
    // 15/31 × 1,000 + 13/28 × 1,000 (Feb 16–Mar 16 has 28 days) = 483.87 + 464.29 = 948.16;
    // March 15/28 + 16/31 = 535.71 + 516.13 = 1,051.84; and so on; January 2027 15/31 = 483.87.
    assert_eq!(
        ratable_amounts(&schedule(&app, &equal).await),
        by_month([
            516_13, 948_16, 1_051_84, 983_87, 1_016_13, 983_87, 1_016_13, 1_000_00, 983_87,
            1_016_13, 983_87, 1_016_13, 483_87
        ])
    );

    // Prorated calendar months: full months 1,000.00, January 16/31 and January 2027 15/31.
    let payload = set_contract_method(&app, &prorated, json!("MONTHLY_PRORATED")).await;
    assert_eq!(payload["overrideMethod"], "MONTHLY_PRORATED");
    assert_eq!(payload["ratableMethod"], "MONTHLY_PRORATED");
    assert_eq!(
        ratable_amounts(&schedule(&app, &prorated).await),
        by_month([
            516_13, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00,
            1_000_00, 1_000_00, 1_000_00, 483_87
        ])
    );

    // Half-month: 24 halves of 500.00; the term starts with January's second half (16th–31st)
    // and ends with January 2027's first half.
    set_contract_method(&app, &half, json!("HALF_MONTH")).await;
    assert_eq!(
        ratable_amounts(&schedule(&app, &half).await),
        by_month([
            500_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00, 1_000_00,
            1_000_00, 1_000_00, 1_000_00, 500_00
        ])
    );

    // Exact days, 12,000 × days / 365: January 16 days = 526.03, February 28 = 920.55, a
    // 31-day month 1,019.18, a 30-day month 986.30; December takes 2026's residue: 350/365 of
    // 12,000 = 11,506.85 by December 31, less 10,487.68 for January to November = 1,019.17;
    // January 2027's 15 days = 493.15.
    set_contract_method(&app, &daily, json!("DAILY")).await;
    assert_eq!(
        ratable_amounts(&schedule(&app, &daily).await),
        by_month([
            526_03, 920_55, 1_019_18, 986_30, 1_019_18, 986_30, 1_019_18, 1_019_18, 986_30,
            1_019_18, 986_30, 1_019_17, 493_15
        ])
    );
    for id in [&equal, &prorated, &half, &daily] {
        assert_consistent(&schedule(&app, id).await);
    }

    // January under equal months recognises 516.13, the 16 days delivered, not 1,000.00.
    let january = run(&app, "2026-01").await;
    let recognised: i64 = schedule(&app, &equal).await["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["status"] == "recognised")
        .map(|row| cents(row["amount"]["amount"].as_str().unwrap()))
        .sum();
    assert_eq!(recognised, 516_13, "{january}");

    // Changing the convention re-plans only what is not yet recognised: January stays 516.13
    // and the other 11,483.87 spreads over the 349 days from February 1 (Feb 28/349 = 921.34,
    // a 31-day month 1,020.06, a 30-day month 987.15; 2026's residue in December; the last 15
    // days 493.58).
    let payload = set_contract_method(&app, &equal, json!("DAILY")).await;
    assert_eq!(payload["ratableMethod"], "DAILY");
    let replanned = schedule(&app, &equal).await;
    assert_eq!(
        ratable_amounts(&replanned),
        by_month([
            516_13, 921_34, 1_020_06, 987_15, 1_020_06, 987_15, 1_020_06, 1_020_06, 987_15,
            1_020_06, 987_15, 1_020_05, 493_58
        ])
    );
    assert_consistent(&replanned);
    // Clearing the override returns the contract to the company's convention.
    let cleared = set_contract_method(&app, &equal, Value::Null).await;
    assert_eq!(cleared["overrideMethod"], Value::Null);
    assert_eq!(cleared["ratableMethod"], "MONTHLY_EQUAL");

    // Only the CFO chooses a contract's convention; a bad id names its field.
    for role in [Role::VpFinance, Role::Ae, Role::Auditor] {
        let refused = app
            .gql_as(
                role,
                CONTRACT_METHOD,
                json!({ "input": { "contractId": equal, "method": "DAILY" } }),
            )
            .await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}"
        );
    }
    let bad = app
        .gql_as(
            Role::Cfo,
            CONTRACT_METHOD,
            json!({ "input": { "contractId": "x", "method": "DAILY" } }),
        )
        .await;
    assert_eq!(error_field(&bad).as_deref(), Some("contractId"));
}

#[tokio::test]
async fn a_milestone_is_recognised_only_once_accepted_and_ahead_of_billing_as_unbilled_ar() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Hooli", "USD").await;
    let input = json!({
        "crmOpportunityId": "OPP-REV4", "customerId": customer,
        "invoicedLegalEntity": "Hooli Inc.",
        "billingContact": { "name": "AP", "email": "ap@hooli.example" },
        "productName": "Implementation",
        "tcv": { "amount": "20000.00", "currency": "USD" },
        "arr": { "amount": "20000.00", "currency": "USD" },
        "startDate": "2026-05-01", "endDate": "2026-12-31",
        "billingFrequency": "MILESTONE", "paymentTerms": "NET_30", "billingCurrency": "USD",
        "poRequired": false, "taxJurisdiction": "US-OR", "taxExempt": false,
        "revenueRecognitionType": "MILESTONE",
        "milestones": [{ "name": "Go-live", "dueDate": "2026-06-30", "amount": { "amount": "20000.00", "currency": "USD" } }],
        "assignedAeId": app.user_id(Role::Ae).to_string(), "commissionPlanId": "PLAN-AE-2026"
    });
    let deal = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": deal, "idempotencyKey": "approve-rev4" } }),
        )
        .await["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Past its due date but not accepted: nothing is recognised.
    let june = run(&app, "2026-06").await;
    assert_eq!(june["rowsRecognised"], 0);
    let waiting = schedule(&app, &id).await;
    assert_eq!(waiting["milestones"][0]["delivered"], false);
    assert_eq!(waiting["milestones"][0]["amount"]["amount"], "20000.00");
    assert_eq!(waiting["recognisedToDate"]["amount"], "0.00");
    assert!(waiting["rows"][0]["recogniseOn"].is_null());

    let line = line_of(&app, &id).await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!) { contractLineDeliver(id: $id) { deliveredAt } }",
        json!({ "id": line }),
    )
    .await;
    app.gql_ok(Role::VpRevops, "mutation($id: ID!, $note: String!) { contractLineAccept(id: $id, note: $note) { acceptedAt } }", json!({ "id": line, "note": "Signed off" })).await;
    // Accepted on 27 November: recognised in November's run, before it is invoiced.
    let november = run(&app, "2026-11").await;
    assert_eq!(november["total"][0]["amount"], "20000.00");
    assert_eq!(balance(&app, "2026-11-27", "1150").await, 20_000_00);
    assert_eq!(balance(&app, "2026-11-27", "4010").await, -20_000_00);
    let recognised = schedule(&app, &id).await;
    assert_eq!(recognised["unbilledBalance"]["amount"], "20000.00");
    assert_eq!(recognised["milestones"][0]["delivered"], true);
    // The invoice moves it from unbilled AR to AR; deferred revenue never holds it.
    bill(&app, "2026-11-27").await;
    assert_eq!(balance(&app, "2026-11-27", "1150").await, 0);
    assert_eq!(balance(&app, "2026-11-27", "2000").await, 0);
    assert_eq!(balance(&app, "2026-11-27", "1100").await, 20_000_00);
    assert_consistent(&schedule(&app, &id).await);
}

// Regression for issue 16, "Event dates come from the clock": a milestone is satisfied when the
// customer accepts it (ASC 606-10-25-30, point in time; DOMAIN.md "Event dates are business
// facts"), so an acceptance on 30 October entered on 27 November is recognised in October.
// Back-dating reaches open periods only, and an event cannot be dated after today.
#[tokio::test]
async fn a_back_dated_acceptance_is_recognised_in_the_period_it_happened() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Vandelay", "USD").await;
    let input = json!({
        "crmOpportunityId": "OPP-REV-EVENT", "customerId": customer,
        "invoicedLegalEntity": "Vandelay Industries",
        "billingContact": { "name": "AP", "email": "ap@vandelay.example" },
        "productName": "Implementation",
        "tcv": { "amount": "20000.00", "currency": "USD" },
        "arr": { "amount": "20000.00", "currency": "USD" },
        "startDate": "2026-05-01", "endDate": "2026-12-31",
        "billingFrequency": "MILESTONE", "paymentTerms": "NET_30", "billingCurrency": "USD",
        "poRequired": false, "taxJurisdiction": "US-OR", "taxExempt": false,
        "revenueRecognitionType": "MILESTONE",
        "milestones": [{ "name": "Go-live", "dueDate": "2026-10-15", "amount": { "amount": "20000.00", "currency": "USD" } }],
        "assignedAeId": app.user_id(Role::Ae).to_string(), "commissionPlanId": "PLAN-AE-2026"
    });
    let deal = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": deal, "idempotencyKey": "approve-rev-event" } }),
        )
        .await["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let close = "mutation($period: String!) { periodClose(period: $period) { status } }";
    app.gql_ok(Role::Cfo, close, json!({ "period": "2026-09" }))
        .await;
    let line = line_of(&app, &id).await;
    let deliver = "mutation($id: ID!, $on: Date) { contractLineDeliver(id: $id, deliveredOn: $on) { deliveredAt } }";
    app.gql_ok(
        Role::VpRevops,
        deliver,
        json!({ "id": line, "on": "2026-10-20" }),
    )
    .await;
    let accept = "mutation($id: ID!, $on: Date) { contractLineAccept(id: $id, note: \"Signed off\", acceptedOn: $on) { acceptedAt } }";
    // September is closed and 1 December has not come yet (today is 27 November).
    for on in ["2026-09-30", "2026-12-01"] {
        let refused = app
            .gql_as(Role::VpRevops, accept, json!({ "id": line, "on": on }))
            .await;
        assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"), "{on}");
        assert_eq!(error_field(&refused).as_deref(), Some("acceptedOn"), "{on}");
    }
    app.gql_ok(
        Role::VpRevops,
        accept,
        json!({ "id": line, "on": "2026-10-30" }),
    )
    .await;
    let planned = schedule(&app, &id).await;
    assert_eq!(planned["rows"][0]["recogniseOn"], "2026-10-30");
    // October's run recognises the whole 20,000.00 in October, as unbilled AR.
    let october = run(&app, "2026-10").await;
    assert_eq!(october["total"][0]["amount"], "20000.00", "{october}");
    assert_eq!(balance(&app, "2026-10-31", "4010").await, -20_000_00);
    assert_eq!(balance(&app, "2026-10-31", "1150").await, 20_000_00);
    assert_consistent(&schedule(&app, &id).await);

    // Hours worked on 12 October and approved on 5 December are earned in October, the period
    // of the work (right to invoice, ASC 606-10-55-18): October's rerun recognises them there.
    let tm = app
        .gql_ok(Role::VpRevops, ADD, json!({ "input": { "contractId": id, "kind": "TIME_AND_MATERIALS", "productName": "Consulting", "quantity": "1", "unitPrice": { "amount": "0.00", "currency": "USD" }, "startDate": "2026-05-01", "endDate": "2026-12-31" } }))
        .await["contractLineAdd"]["id"].as_str().unwrap().to_string();
    let submit =
        "mutation($input: TimesheetSubmitInput!) { timesheetSubmit(input: $input) { id } }";
    let entry = app
        .gql_ok(Role::AccountManager, submit, json!({ "input": { "contractLineId": tm, "person": "Dana Scully", "role": "Architect", "workDate": "2026-10-12", "hours": "7.5", "rate": { "amount": "200.00", "currency": "USD" }, "description": "Data model review" } }))
        .await["timesheetSubmit"]["id"].clone();
    app.travel_to("2026-12-05T09:00:00Z".parse().unwrap()).await;
    let decide = "mutation($id: ID!) { timesheetDecide(id: $id, approve: true) { status } }";
    app.gql_ok(Role::VpRevops, decide, json!({ "id": entry }))
        .await;
    let hours = schedule(&app, &id).await["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["kind"] == "timesheet")
        .cloned()
        .unwrap();
    assert_eq!(hours["recogniseOn"], "2026-10-12");
    assert_eq!(hours["amount"]["amount"], "1500.00");
    let rerun = run(&app, "2026-10").await;
    assert_eq!(rerun["total"][0]["amount"], "1500.00", "{rerun}");
    assert_eq!(balance(&app, "2026-10-31", "4010").await, -21_500_00);
    assert_consistent(&schedule(&app, &id).await);
}

#[tokio::test]
async fn a_licence_support_and_implementation_bundle_sold_at_a_discount_is_allocated_by_ssp() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    for (product, basis, price) in [
        ("Platform Licence", "PER_UNIT", "60000.00"),
        ("Premium Support", "PER_UNIT_YEAR", "24000.00"),
        ("Implementation", "PER_UNIT", "16000.00"),
    ] {
        app.gql_ok(
            Role::VpFinance,
            SSP,
            json!({ "input": { "productName": product, "basis": basis, "low": { "amount": price, "currency": "USD" }, "high": { "amount": price, "currency": "USD" }, "effectiveFrom": "2026-01-01" } }),
        )
        .await;
    }
    let refused = app
        .gql_as(Role::Ae, SSP, json!({ "input": { "productName": "X", "basis": "PER_UNIT", "low": { "amount": "1.00", "currency": "USD" }, "high": { "amount": "1.00", "currency": "USD" }, "effectiveFrom": "2026-01-01" } }))
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
    let inverted = app
        .gql_as(Role::Cfo, SSP, json!({ "input": { "productName": "X", "basis": "PER_UNIT", "low": { "amount": "2.00", "currency": "USD" }, "high": { "amount": "1.00", "currency": "USD" }, "effectiveFrom": "2026-01-01" } }))
        .await;
    assert_eq!(error_field(&inverted).as_deref(), Some("high"));

    let customer = app.create_customer("Stark", "USD").await;
    let input = json!({
        "crmOpportunityId": "OPP-REV5", "customerId": customer,
        "invoicedLegalEntity": "Stark Industries",
        "billingContact": { "name": "AP", "email": "ap@stark.example" },
        "productName": "Platform Licence",
        "tcv": { "amount": "50000.00", "currency": "USD" },
        "arr": { "amount": "50000.00", "currency": "USD" },
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
    let id = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": deal, "idempotencyKey": "approve-rev5" } }),
        )
        .await["dealApprove"]["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let add = |product: &str, kind: &str, price: &str, frequency: Value, end: &str| json!({ "input": { "contractId": id, "productName": product, "kind": kind, "quantity": "1", "unitPrice": { "amount": price, "currency": "USD" }, "billingFrequency": frequency, "startDate": "2026-01-01", "endDate": end } });
    app.gql_ok(
        Role::VpRevops,
        ADD,
        add(
            "Premium Support",
            "SUBSCRIPTION",
            "30000.00",
            json!("ANNUALLY"),
            "2026-12-31",
        ),
    )
    .await;
    app.gql_ok(
        Role::VpRevops,
        ADD,
        add(
            "Implementation",
            "MILESTONE",
            "10000.00",
            json!("MILESTONE"),
            "2026-03-31",
        ),
    )
    .await;

    // Price 90,000 against SSPs of 100,000: each obligation carries 10 % off its SSP.
    let bundle = schedule(&app, &id).await;
    let allocated: Vec<(String, String, String)> = bundle["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|obligation| {
            (
                obligation["productName"].as_str().unwrap().into(),
                obligation["ssp"]["amount"].as_str().unwrap().into(),
                obligation["allocated"]["amount"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        allocated,
        vec![
            (
                "Platform Licence".into(),
                "60000.00".into(),
                "54000.00".into()
            ),
            (
                "Premium Support".into(),
                "24000.00".into(),
                "21600.00".into()
            ),
            (
                "Implementation".into(),
                "16000.00".into(),
                "14400.00".into()
            ),
        ]
    );
    assert_eq!(bundle["allocatedTotal"]["amount"], "90000.00");
    assert!(
        bundle["obligations"][1]["sspSource"]
            .as_str()
            .unwrap()
            .contains("24000.00"),
        "{}",
        bundle["obligations"][1]["sspSource"]
    );
    assert_eq!(bundle["monthlyRecognition"]["amount"], "1800.00");
    assert_eq!(bundle["modifications"][0]["treatment"], "combined");
    assert_consistent(&bundle);

    // The contract shows the discount belongs to licence and implementation: support keeps its SSP.
    let lines: Vec<Value> = bundle["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|obligation| obligation["contractLineId"].clone())
        .collect();
    let assign = "mutation($id: ID!, $lines: [ID!]!) { revenueDiscountAssign(contractId: $id, contractLineIds: $lines) { obligations { allocated { amount } carriesDiscount } allocatedTotal { amount } } }";
    let assigned = app
        .gql_ok(
            Role::VpFinance,
            assign,
            json!({ "id": id, "lines": [lines[0], lines[2]] }),
        )
        .await["revenueDiscountAssign"]
        .clone();
    let parts: Vec<&str> = assigned["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|obligation| obligation["allocated"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(parts, vec!["52105.26", "24000.00", "13894.74"]);
    assert_eq!(assigned["allocatedTotal"]["amount"], "90000.00");

    // The licence is recognised in full on delivery; support month by month.
    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!) { contractLineDeliver(id: $id) { deliveredAt } }",
        json!({ "id": lines[0] }),
    )
    .await;
    run(&app, "2026-11").await;
    let after = schedule(&app, &id).await;
    // Licence 52,105.26 + support January–October 10 × 2,000.00 (November is not over on the 27th).
    assert_eq!(after["recognisedToDate"]["amount"], "72105.26");
    assert_eq!(balance(&app, "2026-11-27", "4030").await, -52_105_26);
    assert_eq!(balance(&app, "2026-11-27", "4000").await, -20_000_00);
    // Nothing is billed yet: all of it is unbilled AR (a contract asset).
    assert_eq!(balance(&app, "2026-11-27", "1150").await, 72_105_26);
    assert_consistent(&after);
    // Once anything is recognised, the allocation changes only through a modification.
    let late = app
        .gql_as(Role::VpFinance, assign, json!({ "id": id, "lines": [] }))
        .await;
    assert_eq!(error_code(&late).as_deref(), Some("CONFLICT"));
}

async fn seat_change(app: &TestApp, line: &str, distinct: bool, key: &str) {
    app.gql_ok(
        Role::VpRevops,
        CHANGE,
        json!({ "input": { "contractLineId": line, "kind": "QUANTITY", "newQuantity": "2", "effectiveDate": "2026-04-01", "remainingDistinct": distinct, "reason": "Second team onboarded", "idempotencyKey": key } }),
    )
    .await;
}

#[tokio::test]
async fn a_seat_increase_is_prospective_or_a_cumulative_catch_up() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Wayne", "USD").await;
    let prospective = contract(
        &app,
        &customer,
        "OPP-REV6",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    let catch_up = contract(
        &app,
        &customer,
        "OPP-REV7",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    for period in ["2026-01", "2026-02", "2026-03"] {
        run(&app, period).await;
    }
    // A second seat from 1 April bills 12,000 × 275/365 = 9,041.10 more.
    let line = line_of(&app, &prospective).await;
    seat_change(&app, &line, true, "seat-prospective").await;
    let after = schedule(&app, &prospective).await;
    // Prospective: 9,000 unrecognised + 9,041.10 new = 18,041.10 over April–December.
    assert_eq!(after["allocatedTotal"]["amount"], "21041.10");
    let months = ratable_amounts(&after);
    let planned: Vec<i64> = months[3..].iter().map(|(_, amount)| *amount).collect();
    assert_eq!(planned, [vec![2_004_57; 8], vec![2_004_54]].concat());
    let modification = after["modifications"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(modification["treatment"], "prospective");
    assert_eq!(modification["reason"], "Second team onboarded");
    assert!(modification["before"]
        .as_str()
        .unwrap()
        .contains("\"allocatedMinor\":1200000"));
    assert!(modification["after"]
        .as_str()
        .unwrap()
        .contains("\"allocatedMinor\":2104110"));
    assert_consistent(&after);

    // Catch-up: 21,041.10 × 90/365 days = 5,188.22 earned, less 3,000 recognised = 2,188.22 now,
    // and 15,852.88 over April–December.
    let line = line_of(&app, &catch_up).await;
    seat_change(&app, &line, false, "seat-catch-up").await;
    let after = schedule(&app, &catch_up).await;
    let rows = after["rows"].as_array().unwrap();
    let caught = rows.iter().find(|row| row["kind"] == "catch_up").unwrap();
    assert_eq!(caught["amount"]["amount"], "2188.22");
    assert_eq!(caught["recogniseOn"], "2026-04-01");
    let planned: Vec<i64> = ratable_amounts(&after)[3..]
        .iter()
        .map(|(_, amount)| *amount)
        .collect();
    assert_eq!(planned, [vec![1_761_43; 8], vec![1_761_44]].concat());
    assert_eq!(
        after["modifications"].as_array().unwrap().last().unwrap()["treatment"],
        "catch_up"
    );
    assert_consistent(&after);

    bill(&app, "2026-04-01").await;
    run(&app, "2026-04").await;
    let april = schedule(&app, &catch_up).await;
    assert_eq!(april["recognisedToDate"]["amount"], "6949.65");
    assert_consistent(&april);
    let april = schedule(&app, &prospective).await;
    assert_eq!(april["recognisedToDate"]["amount"], "5004.57");
    // Both were billed 21,041.10 in all: deferred = billed − recognised.
    assert_eq!(april["deferredBalance"]["amount"], "16036.53");
    assert_eq!(
        balance(&app, "2026-04-30", "2000").await,
        -(16_036_53 + 14_091_45)
    );
}

#[tokio::test]
async fn a_credit_memo_reverses_deferred_revenue_for_the_unrecognised_part_and_contra_revenue_for_the_rest(
) {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Acme", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-REV8",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    for period in ["2026-01", "2026-02", "2026-03"] {
        run(&app, period).await;
    }
    let invoice = crate::receivables::invoices_of(&app, &customer).await[0]["id"].clone();
    let requested = app
        .gql_ok(
            Role::ArSpecialist,
            "mutation($input: CreditMemoRequestInput!) { creditMemoRequest(input: $input) { approvalId } }",
            json!({ "input": { "invoiceId": invoice, "amount": "12000.00", "reason": "Contract cancelled by agreement" } }),
        )
        .await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: DocumentDecideInput!) { creditMemoDecide(input: $input) { number } }",
        json!({ "input": { "approvalId": requested["creditMemoRequest"]["approvalId"], "decision": "APPROVE", "comment": "Agreed" } }),
    )
    .await;
    // 9,000 was still deferred (and comes off the schedule); 3,000 was revenue: contra revenue.
    assert_eq!(balance(&app, "2026-11-27", "2000").await, 0);
    assert_eq!(balance(&app, "2026-11-27", "4900").await, 3_000_00);
    assert_eq!(balance(&app, "2026-11-27", "4000").await, -3_000_00);
    let after = schedule(&app, &id).await;
    assert_eq!(after["remainingToRecognise"]["amount"], "0.00");
    assert_eq!(after["recognisedToDate"]["amount"], "3000.00");
    assert_eq!(after["deferredBalance"]["amount"], "0.00");
    assert_eq!(after["unbilledBalance"]["amount"], "0.00");
    assert_eq!(
        after["modifications"].as_array().unwrap().last().unwrap()["treatment"],
        "price_concession"
    );
    assert_consistent(&after);
    // Later runs recognise nothing more for it.
    assert_eq!(run(&app, "2026-11").await["entries"], 0);
}

#[tokio::test]
async fn a_closed_period_takes_no_postings_until_the_cfo_reopens_it() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Initrode", "USD").await;
    contract(
        &app,
        &customer,
        "OPP-REV9",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    let close = "mutation($period: String!) { periodClose(period: $period) { period status closedByName } }";
    let check = "query($period: String!) { periodCloseCheck(period: $period) { trialBalanceZero pendingRows canClose problems earlierOpen } }";
    // January's recognition has not run: the close is refused and says why.
    let pending = app
        .gql_ok(Role::Cfo, check, json!({ "period": "2026-01" }))
        .await["periodCloseCheck"]
        .clone();
    assert_eq!(pending["canClose"], false);
    assert_eq!(pending["pendingRows"], 1);
    assert_eq!(pending["trialBalanceZero"], true);
    let refused = app
        .gql_as(Role::Cfo, close, json!({ "period": "2026-01" }))
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("CONFLICT"));
    run(&app, "2026-01").await;
    // Only the CFO closes.
    let refused = app
        .gql_as(Role::VpFinance, close, json!({ "period": "2026-01" }))
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
    // February cannot close before January.
    run(&app, "2026-02").await;
    let early = app
        .gql_ok(Role::Cfo, check, json!({ "period": "2026-02" }))
        .await["periodCloseCheck"]
        .clone();
    assert_eq!(early["earlierOpen"], json!(["2026-01"]));
    let closed = app
        .gql_ok(Role::Cfo, close, json!({ "period": "2026-01" }))
        .await;
    assert_eq!(closed["periodClose"]["status"], "CLOSED");

    let post = "mutation($input: JournalEntryPostInput!) { journalEntryPost(input: $input) { entry { entryNumber } } }";
    let entry = |date: &str, key: &str| {
        json!({ "input": { "entryDate": date, "memo": "Accrual correction", "idempotencyKey": key, "lines": [
            { "accountCode": "1000", "debit": { "amount": "10.00", "currency": "USD" } },
            { "accountCode": "3000", "credit": { "amount": "10.00", "currency": "USD" } } ] } })
    };
    let refused = app
        .gql_as(Role::Cfo, post, entry("2026-01-20", "late-1"))
        .await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("VALIDATION"),
        "{refused}"
    );
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("entryDate"),
        "{refused}"
    );
    // A payment dated in January is refused the same way, and nothing of it is written.
    let pay = app
        .gql_as(
            Role::ArSpecialist,
            "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }",
            json!({ "input": crate::receivables::pay_input(&customer, "100.00", "2026-01-25", "jan-pay", Value::Null) }),
        )
        .await;
    assert_eq!(error_field(&pay).as_deref(), Some("entryDate"), "{pay}");
    assert_eq!(
        app.gql_ok(
            Role::Cfo,
            "{ payments(first: 10) { totalCount } }",
            json!({})
        )
        .await["payments"]["totalCount"],
        0
    );
    // The correction goes in the open period.
    app.gql_ok(Role::Cfo, post, entry("2026-02-02", "late-2"))
        .await;
    // Recognition for a closed period is refused too.
    let rerun = app
        .gql_as(Role::Cfo, RUN, json!({ "period": "2026-01" }))
        .await;
    assert_eq!(error_field(&rerun).as_deref(), Some("entryDate"));

    let reopen = "mutation($period: String!, $reason: String!) { periodReopen(period: $period, reason: $reason) { status reopenReason } }";
    let blank = app
        .gql_as(
            Role::Cfo,
            reopen,
            json!({ "period": "2026-01", "reason": " " }),
        )
        .await;
    assert_eq!(error_field(&blank).as_deref(), Some("reason"));
    let refused = app
        .gql_as(
            Role::Admin,
            reopen,
            json!({ "period": "2026-01", "reason": "Audit adjustment" }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
    let reopened = app
        .gql_ok(
            Role::Cfo,
            reopen,
            json!({ "period": "2026-01", "reason": "Audit adjustment" }),
        )
        .await;
    assert_eq!(reopened["periodReopen"]["status"], "OPEN");
    app.gql_ok(Role::Cfo, post, entry("2026-01-20", "late-3"))
        .await;
    let periods = app
        .gql_ok(
            Role::Auditor,
            "{ ledgerPeriods { period status reopenReason } }",
            json!({}),
        )
        .await;
    assert!(periods["ledgerPeriods"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |period| period["period"] == "2026-01" && period["reopenReason"] == "Audit adjustment"
        ));
}

/// A small deterministic generator, so a failing walk can be replayed.
struct Walk(u64);

impl Walk {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

#[tokio::test]
async fn a_random_year_keeps_the_ledger_the_schedules_and_the_rollforward_in_agreement() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let mut walk = Walk(2026);
    let customer = app.create_customer("Walkers", "USD").await;
    let frequencies = ["MONTHLY", "QUARTERLY", "ANNUALLY"];
    let mut contracts = Vec::new();
    for index in 0..5 {
        let month = 1 + walk.below(4);
        let day = 1 + walk.below(27);
        let amount = format!("{}.{:02}", 1_000 + walk.below(20_000), walk.below(100));
        let id = contract(
            &app,
            &customer,
            &format!("OPP-WALK-{index}"),
            frequencies[walk.below(3) as usize],
            &amount,
            "USD",
            &format!("2026-{month:02}-{day:02}"),
            &format!("2027-{month:02}-{:02}", day.min(28)),
        )
        .await;
        contracts.push(id);
    }
    let mut changed = 0;
    for month in 1..=10u32 {
        // Bill on a few days of the month, sometimes change seats, then close the month's revenue.
        for day in [1, 8, 15, 22, 28] {
            bill(&app, &format!("2026-{month:02}-{day:02}")).await;
        }
        if walk.below(3) == 0 && changed < 4 {
            let target = &contracts[walk.below(contracts.len() as u64) as usize];
            let line = line_of(&app, target).await;
            let response = app
                .gql_as(
                    Role::VpRevops,
                    CHANGE,
                    json!({ "input": { "contractLineId": line, "kind": "QUANTITY", "newQuantity": format!("{}", 2 + walk.below(3)), "effectiveDate": format!("2026-{month:02}-{:02}", 1 + walk.below(27)), "remainingDistinct": walk.below(2) == 0, "reason": "walk", "idempotencyKey": format!("walk-{month}") } }),
                )
                .await;
            // Refusals (outside the term, same seats, out of order) change nothing; fine here.
            if response.get("errors").is_none() {
                changed += 1;
            }
        }
        let period = format!("2026-{month:02}");
        run(&app, &period).await;
        let last_day = app
            .gql_ok(Role::Cfo, RUN, json!({ "period": period }))
            .await["revenueRun"]["asOf"]
            .as_str()
            .unwrap()
            .to_string();
        for id in &contracts {
            assert_consistent(&schedule(&app, id).await);
        }
        let roll = app
            .gql_ok(
                Role::Cfo,
                ROLLFORWARD,
                json!({ "from": "2026-01", "to": period }),
            )
            .await["revenueRollforward"]
            .clone();
        let rows = roll.as_array().unwrap();
        for row in rows {
            let amount = |field: &str| cents(row[field]["amount"].as_str().unwrap());
            assert_eq!(
                amount("openingDeferred") + amount("billed") - amount("recognised"),
                amount("closingDeferred"),
                "{row}"
            );
        }
        let last = rows.last().unwrap();
        assert_eq!(
            cents(last["closingDeferred"]["amount"].as_str().unwrap()),
            -balance(&app, &last_day, "2000").await,
            "{period}"
        );
        assert_eq!(
            cents(last["closingUnbilled"]["amount"].as_str().unwrap()),
            balance(&app, &last_day, "1150").await,
            "{period}"
        );
        // Deferred revenue per contract adds up to the ledger's.
        let mut deferred = 0;
        let mut unbilled = 0;
        for id in &contracts {
            let schedule = schedule(&app, id).await;
            deferred += cents(schedule["deferredBalance"]["amount"].as_str().unwrap());
            unbilled += cents(schedule["unbilledBalance"]["amount"].as_str().unwrap());
        }
        assert_eq!(
            deferred,
            -balance(&app, &last_day, "2000").await,
            "{period}"
        );
        assert_eq!(unbilled, balance(&app, &last_day, "1150").await, "{period}");
    }
    assert!(changed > 0, "the walk changed no seats");
}

#[tokio::test]
async fn a_cancellation_stops_the_schedule_and_trues_up_what_was_recognised() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Soylent", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-REV10",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    bill(&app, "2026-01-01").await;
    for period in ["2026-01", "2026-02", "2026-03"] {
        run(&app, period).await;
    }
    let line = line_of(&app, &id).await;
    app.gql_ok(
        Role::VpRevops,
        CHANGE,
        json!({ "input": { "contractLineId": line, "kind": "CANCELLATION", "effectiveDate": "2026-04-01", "reason": "Customer wound down", "idempotencyKey": "cancel-rev10" } }),
    )
    .await;
    // 275 unused days of 365 are credited (9,041.10): the price falls to 2,958.90, of which
    // 3,000 is already recognised, so 41.10 comes back at once as an adjustment.
    let after = schedule(&app, &id).await;
    assert_eq!(after["allocatedTotal"]["amount"], "2958.90");
    let adjustment = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["kind"] == "adjustment")
        .unwrap()
        .clone();
    assert_eq!(adjustment["amount"]["amount"], "-41.10");
    assert_eq!(adjustment["recogniseOn"], "2026-04-01");
    assert_eq!(ratable_amounts(&after).len(), 3);
    assert_consistent(&after);
    bill(&app, "2026-04-01").await;
    run(&app, "2026-04").await;
    let done = schedule(&app, &id).await;
    assert_eq!(done["recognisedToDate"]["amount"], "2958.90");
    assert_eq!(done["remainingToRecognise"]["amount"], "0.00");
    // The unused time's credit (9,041.10) has no later invoice to ride on: the bill run issues
    // it at once as a credit memo against the open annual invoice, so nothing stays deferred and
    // AR holds only what the customer owes for the service delivered.
    assert_eq!(done["deferredBalance"]["amount"], "0.00");
    assert_eq!(done["unbilledBalance"]["amount"], "0.00");
    assert_eq!(balance(&app, "2026-04-30", "2000").await, 0);
    assert_eq!(balance(&app, "2026-04-30", "1150").await, 0);
    assert_eq!(balance(&app, "2026-04-30", "4000").await, -2_958_90);
    assert_eq!(balance(&app, "2026-04-30", "1100").await, 2_958_90);
}

/// A perpetual licence of 10 units at 1,000.00 delivered in two parts (ASC 606-10-25-30: control
/// of each unit passes when it is delivered): 4 units on 15 October and 6 on 20 November.
/// Each part is billed and recognised on its own date — 4,000.00 in October, 6,000.00 in
/// November — and a part larger than what is left, a future date, or a delivery after the
/// last part is refused with nothing written.
#[tokio::test]
async fn a_licence_delivered_in_parts_is_billed_and_recognised_part_by_part() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Parts", "USD").await;
    let id = contract(
        &app,
        &customer,
        "OPP-PARTS",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    let added = app
        .gql_ok(
            Role::VpRevops,
            ADD,
            json!({ "input": { "contractId": id, "kind": "PERPETUAL_LICENSE", "productName": "Analytics Suite: on-premise licences", "quantity": "10", "unitPrice": { "amount": "1000.00", "currency": "USD" }, "startDate": "2026-10-01", "endDate": "2026-10-01" } }),
        )
        .await;
    let licence = added["contractLineAdd"]["id"].as_str().unwrap().to_string();
    let deliver = "mutation($id: ID!, $on: Date, $quantity: String) { contractLineDeliver(id: $id, deliveredOn: $on, quantity: $quantity) { deliveredAt } }";
    let first = app
        .gql_ok(
            Role::VpRevops,
            deliver,
            json!({ "id": licence, "on": "2026-10-15", "quantity": "4" }),
        )
        .await;
    assert_eq!(
        first["contractLineDeliver"]["deliveredAt"],
        Value::Null,
        "not all delivered yet"
    );
    for (quantity, on, field) in [
        ("7", "2026-11-20", "quantity"),
        ("0", "2026-11-20", "quantity"),
        ("2", "2026-12-20", "deliveredOn"),
    ] {
        let refused = app
            .gql_as(
                Role::VpRevops,
                deliver,
                json!({ "id": licence, "on": on, "quantity": quantity }),
            )
            .await;
        assert_eq!(error_field(&refused).as_deref(), Some(field), "{refused}");
    }
    bill(&app, "2026-10-15").await;
    run(&app, "2026-10").await;
    assert_eq!(balance(&app, "2026-10-31", "4030").await, -4_000_00);
    app.gql_ok(
        Role::VpRevops,
        deliver,
        json!({ "id": licence, "on": "2026-11-20" }),
    )
    .await;
    let again = app
        .gql_as(
            Role::VpRevops,
            deliver,
            json!({ "id": licence, "on": "2026-11-21", "quantity": "1" }),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");
    bill(&app, "2026-11-20").await;
    run(&app, "2026-11").await;
    assert_eq!(balance(&app, "2026-11-27", "4030").await, -10_000_00);
    let invoices = crate::receivables::invoices_of(&app, &customer).await;
    let totals: Vec<&str> = invoices
        .iter()
        .map(|invoice| invoice["total"]["amount"].as_str().unwrap())
        .collect();
    // The first run also bills the year's subscription (12,000.00) beside the first part.
    assert_eq!(totals, ["16000.00", "6000.00"]);
    let after = schedule(&app, &id).await;
    let parts: Vec<(String, String)> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["kind"] == "satisfaction")
        .map(|row| {
            (
                row["recogniseOn"].as_str().unwrap().to_string(),
                row["amount"]["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        [
            ("2026-10-15".to_string(), "4000.00".to_string()),
            ("2026-11-20".to_string(), "6000.00".to_string())
        ]
    );
    assert_consistent(&after);
}

/// Renews a contract for another term at the same price.
async fn renew(app: &TestApp, contract: &str, key: &str) -> String {
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: ContractRenewInput!) { contractRenew(input: $input) { id startDate } }",
        json!({ "input": { "contractId": contract, "idempotencyKey": key, "upliftPercent": "0" } }),
    )
    .await["contractRenew"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

// A renewal term is recognised by the convention its contract was given (issue 16's
// per-contract override, DOMAIN.md "Timing follows delivery"), not by the company default: the
// CFO who chose exact days for a customer's contract does not re-choose it every year.
// 12,000.00 a year from 2026-01-16, renewed at the same price for 2027-01-16 – 2028-01-15
// (365 days again), so the renewal's figures are the first term's, computed by hand there.
#[tokio::test]
async fn a_renewal_keeps_its_contracts_own_ratable_convention() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Initech", "USD").await;
    let mut contracts = Vec::new();
    for opportunity in ["OPP-REVREN-A", "OPP-REVREN-B"] {
        let id = contract(
            &app,
            &customer,
            opportunity,
            "ANNUALLY",
            "12000.00",
            "USD",
            "2026-01-16",
            "2027-01-15",
        )
        .await;
        contracts.push(id);
    }
    let [daily, equal] = <[String; 2]>::try_from(contracts).unwrap();
    set_contract_method(&app, &daily, json!("DAILY")).await;

    let renewed_daily = schedule(&app, &renew(&app, &daily, "renew-daily").await).await;
    assert_eq!(renewed_daily["overrideMethod"], "DAILY", "{renewed_daily}");
    assert_eq!(renewed_daily["ratableMethod"], "DAILY");
    // Exact days, 12,000 × days / 365: January 2027's 16 days 526.03, February's 28 920.55, a
    // 31-day month 1,019.18, a 30-day month 986.30, December 2027 the year's residue
    // (11,506.85 for 350 days less 10,487.68) 1,019.17, January 2028's 15 days 493.15.
    let months = (1..=12)
        .map(|month| format!("2027-{month:02}"))
        .chain(["2028-01".to_string()]);
    assert_eq!(
        ratable_amounts(&renewed_daily),
        months
            .zip([
                526_03, 920_55, 1_019_18, 986_30, 1_019_18, 986_30, 1_019_18, 1_019_18, 986_30,
                1_019_18, 986_30, 1_019_17, 493_15
            ])
            .collect::<Vec<_>>()
    );
    assert_consistent(&renewed_daily);

    // A contract without a convention of its own renews without one: equal service months,
    // January 2027 16/31 of 1,000.00.
    let renewed_equal = schedule(&app, &renew(&app, &equal, "renew-equal").await).await;
    assert_eq!(renewed_equal["overrideMethod"], Value::Null);
    assert_eq!(renewed_equal["ratableMethod"], "MONTHLY_EQUAL");
    assert_eq!(
        ratable_amounts(&renewed_equal)[0],
        ("2027-01".to_string(), 516_13)
    );
}
