//! Commissions over GraphQL with exact amounts: marginal tiers across 100 % of quota with an
//! accelerator and a cap, retroactive tiers across months (a true-up), a split deal with a SPIF
//! and a manager's override, a cash-basis plan paying only once the invoice is paid, a clawback
//! after a credit memo landing exactly once after payout, disputes, payouts, and who may see
//! and approve what. Every step keeps the trial balance at zero and commissions payable equal
//! to what is calculated and unpaid.

// Amounts in minor units are written dollars_cents (12_000_00 = 12,000.00) so they read as money.
#![allow(clippy::inconsistent_digit_grouping, clippy::mistyped_literal_suffixes)]

use crate::receivables::{bill, contract, invoices_of, zero_tax};
use crate::revenue::{balance, cents};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const IMPORT: &str = "mutation($input: CommissionPlanImportInput!) { commissionPlanImport(input: $input) { id code version components { name bands { fromPercent ratePercent label } } } }";
const ASSIGN: &str = "mutation($input: CommissionPlanAssignInput!) { commissionPlanAssign(input: $input) { id userId planCode acknowledgedAt } }";
const CALCULATE: &str = "mutation($period: String!) { commissionCalculate(period: $period) { period lines changed entries totals { amount currency } warnings } }";
const STATEMENT: &str = "query($userId: ID, $period: String!) { commissionStatement(userId: $userId, period: $period) { userName period totals { amount } paid { amount } unpaid { amount } nextPayoutDate assignment { id acknowledgedAt acknowledgedVersion } lines { id kind component dealId business credited { amount } splitPercent tier rate amount { amount } explanation causeType reversesLineId status openDisputeId } attainment { component quota { amount } credited { amount } percent months { period credited { amount } } } forecast { dealId estimated { amount } } } }";
const SPLIT: &str =
    "mutation($input: DealSplitSetInput!) { dealSplitSet(input: $input) { userId percent } }";
const PAYOUT: &str = "mutation($input: CommissionPayoutApproveInput!) { commissionPayoutApprove(input: $input) { id period lines totals { amount } rows { email amount { amount } } csvUrl } }";

/// A plan document in YAML with the given components (and optional extra top-level YAML).
pub(crate) fn plan(
    code: &str,
    quota_period: &str,
    quota: &str,
    components: &str,
    extra: &str,
) -> String {
    format!(
        "code: {code}\nname: {code} plan\ncurrency: USD\neffective_from: 2026-01-01\nquota:\n  period: {quota_period}\n  amount: \"{quota}\"\n{extra}components:\n{components}"
    )
}

pub(crate) async fn import(app: &TestApp, document: &str) -> Value {
    app.gql_ok(
        Role::VpRevops,
        IMPORT,
        json!({ "input": { "document": document } }),
    )
    .await["commissionPlanImport"]
        .clone()
}

pub(crate) async fn assign(app: &TestApp, role: Role, code: &str) -> Value {
    app.gql_ok(
        Role::VpRevops,
        ASSIGN,
        json!({ "input": { "userId": app.user_id(role).to_string(), "planCode": code, "effectiveFrom": "2026-01-01" } }),
    )
    .await["commissionPlanAssign"]
        .clone()
}

pub(crate) async fn calculate(app: &TestApp, period: &str) -> Value {
    app.gql_ok(Role::VpRevops, CALCULATE, json!({ "period": period }))
        .await["commissionCalculate"]
        .clone()
}

async fn statement(app: &TestApp, viewer: Role, of: Role, period: &str) -> Value {
    app.gql_ok(
        viewer,
        STATEMENT,
        json!({ "userId": app.user_id(of).to_string(), "period": period }),
    )
    .await["commissionStatement"]
        .clone()
}

fn amounts(statement: &Value, kind: &str) -> Vec<i64> {
    statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|line| line["kind"] == kind)
        .map(|line| cents(line["amount"]["amount"].as_str().unwrap()))
        .collect()
}

async fn deal_of_contract(app: &TestApp, contract_id: &str) -> String {
    let deals = app
        .gql_ok(
            Role::Cfo,
            "query { deals(first: 100) { nodes { id contract { id } } } }",
            json!({}),
        )
        .await;
    deals["deals"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|deal| deal["contract"]["id"] == contract_id)
        .map(|deal| deal["id"].as_str().unwrap().to_string())
        .unwrap()
}

async fn at(app: &TestApp, instant: &str) {
    app.travel_to(instant.parse().unwrap()).await;
}

#[tokio::test]
async fn marginal_tiers_an_accelerator_and_a_cap_pay_each_slice_once() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let document = plan(
        "PLAN-AE-2026",
        "quarter",
        "100000.00",
        "  - name: New business\n    metric: bookings_acv\n    tiers:\n      - { from: 0, rate: 8 }\n      - { from: 100, rate: 12 }\n    accelerators:\n      - { above: 150, multiplier: 1.5 }\n    cap: \"15000.00\"\n",
        "",
    );
    let imported = import(&app, &document).await;
    assert_eq!(imported["version"], 1);
    let bands = imported["components"][0]["bands"].as_array().unwrap();
    assert_eq!(bands.len(), 3);
    assert_eq!(bands[2]["ratePercent"], "18");
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Globex", "USD").await;
    for (opportunity, amount) in [
        ("OPP-C1", "80000.00"),
        ("OPP-C2", "40000.00"),
        ("OPP-C3", "50000.00"),
    ] {
        contract(
            &app,
            &customer,
            opportunity,
            "ANNUALLY",
            amount,
            "USD",
            "2026-12-01",
            "2027-11-30",
        )
        .await;
    }
    let run = calculate(&app, "2026-11").await;
    assert_eq!(run["lines"], 3);
    assert_eq!(run["entries"], 1);
    assert_eq!(run["totals"][0]["amount"], "15000.00");
    // 80,000 at 8 %; then 20,000 at 8 % + 20,000 at 12 %; then 30,000 at 12 % + 20,000 at
    // 18 % (12 % × 1.5 above 150 %) = 7,200, cut to 4,600 by the 15,000 cap.
    let own = statement(&app, Role::Ae, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&own, "credit"), vec![6_400_00, 4_000_00, 4_600_00]);
    let lines = own["lines"].as_array().unwrap();
    assert_eq!(lines[1]["rate"], "8% / 12%");
    assert!(
        lines[1]["explanation"]
            .as_str()
            .unwrap()
            .contains("attainment 80% → 120%"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2]["explanation"].as_str().unwrap().contains("cap"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[0]["business"], "new");
    assert_eq!(own["attainment"][0]["percent"], "170.00");
    assert_eq!(own["attainment"][0]["months"].as_array().unwrap().len(), 2);
    assert_eq!(own["nextPayoutDate"], "2026-12-15");
    assert_eq!(balance(&app, "2026-11-30", "6000").await, 15_000_00);
    assert_eq!(balance(&app, "2026-11-30", "2300").await, -15_000_00);
    // A rerun finds nothing new and posts nothing.
    let again = calculate(&app, "2026-11").await;
    assert_eq!(again["changed"], 0);
    assert_eq!(again["entries"], 0);
    assert_eq!(balance(&app, "2026-11-30", "2300").await, -15_000_00);
    // The rep signs off the plan.
    let acknowledged = app
        .gql_ok(
            Role::Ae,
            "mutation($id: ID!) { commissionPlanAcknowledge(assignmentId: $id) { acknowledgedAt acknowledgedVersion } }",
            json!({ "id": own["assignment"]["id"] }),
        )
        .await;
    assert_eq!(
        acknowledged["commissionPlanAcknowledge"]["acknowledgedVersion"],
        1
    );
    let refused = app
        .gql_as(
            Role::AccountManager,
            "mutation($id: ID!) { commissionPlanAcknowledge(assignmentId: $id) { acknowledgedAt } }",
            json!({ "id": own["assignment"]["id"] }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn retroactive_tiers_true_up_earlier_months_when_a_higher_tier_is_reached() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "quarter",
            "100000.00",
            "  - name: New business\n    metric: bookings_acv\n    tier_mode: retroactive\n    tiers:\n      - { from: 0, rate: 10 }\n      - { from: 100, rate: 15 }\n",
            "",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Initech", "USD").await;
    at(&app, "2026-10-15T10:00:00Z").await;
    contract(
        &app,
        &customer,
        "OPP-R1",
        "ANNUALLY",
        "80000.00",
        "USD",
        "2026-10-15",
        "2027-10-14",
    )
    .await;
    calculate(&app, "2026-10").await;
    assert_eq!(
        amounts(
            &statement(&app, Role::Cfo, Role::Ae, "2026-10").await,
            "credit"
        ),
        vec![8_000_00]
    );
    at(&app, "2026-11-27T10:00:00Z").await;
    let other = app.create_customer("Umbrella", "USD").await;
    contract(
        &app,
        &other,
        "OPP-R2",
        "ANNUALLY",
        "40000.00",
        "USD",
        "2026-12-01",
        "2027-11-30",
    )
    .await;
    calculate(&app, "2026-11").await;
    // 120 % of quota reaches 15 %: November's deal pays 6,000 and October's 80,000 is trued up
    // from 10 % to 15 % (4,000).
    let november = statement(&app, Role::Cfo, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&november, "credit"), vec![6_000_00]);
    assert_eq!(amounts(&november, "trueup"), vec![4_000_00]);
    assert_eq!(november["totals"][0]["amount"], "10000.00");
    assert_eq!(balance(&app, "2026-11-30", "6000").await, 18_000_00);
    assert_eq!(calculate(&app, "2026-11").await["changed"], 0);
}

#[tokio::test]
async fn a_split_deal_pays_each_rep_their_share_with_a_spif_and_the_managers_override() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "month",
            "100000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n",
            "spifs:\n  - name: November push\n    amount: \"500.00\"\n    from: 2026-11-01\n    to: 2026-11-30\n    business: [new]\n    min_acv: \"10000.00\"\n",
        ),
    )
    .await;
    import(
        &app,
        &plan(
            "PLAN-MGR-2026",
            "year",
            "1000000.00",
            "  - name: Team override\n    metric: team_credit\n    rate: 2\n",
            "",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    assign(&app, Role::AccountManager, "PLAN-AE-2026").await;
    assign(&app, Role::VpCs, "PLAN-MGR-2026").await;
    for role in [Role::Ae, Role::AccountManager] {
        app.gql_ok(
            Role::VpRevops,
            "mutation($user: ID!, $manager: ID) { userManagerSet(userId: $user, managerId: $manager) }",
            json!({ "user": app.user_id(role).to_string(), "manager": app.user_id(Role::VpCs).to_string() }),
        )
        .await;
    }
    let customer = app.create_customer("Hooli", "USD").await;
    let contract_id = contract(
        &app,
        &customer,
        "OPP-S1",
        "ANNUALLY",
        "50000.00",
        "USD",
        "2026-12-01",
        "2027-11-30",
    )
    .await;
    let deal = deal_of_contract(&app, &contract_id).await;
    let uneven = app
        .gql_as(
            Role::VpRevops,
            SPLIT,
            json!({ "input": { "dealId": deal, "splits": [
                { "userId": app.user_id(Role::Ae).to_string(), "percent": "60" },
                { "userId": app.user_id(Role::AccountManager).to_string(), "percent": "30" }
            ] } }),
        )
        .await;
    assert_eq!(error_code(&uneven).as_deref(), Some("VALIDATION"));
    assert_eq!(error_field(&uneven).as_deref(), Some("splits"));
    let refused = app
        .gql_as(
            Role::Ae,
            SPLIT,
            json!({ "input": { "dealId": deal, "splits": [] } }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"));
    let split = app
        .gql_ok(
            Role::VpRevops,
            SPLIT,
            json!({ "input": { "dealId": deal, "splits": [
                { "userId": app.user_id(Role::Ae).to_string(), "percent": "60" },
                { "userId": app.user_id(Role::AccountManager).to_string(), "percent": "40" }
            ] } }),
        )
        .await;
    assert_eq!(split["dealSplitSet"].as_array().unwrap().len(), 2);
    const SPLITS: &str = "query($id: ID!) { dealSplits(dealId: $id) { userId percent } }";
    let seen = app.gql_ok(Role::Ae, SPLITS, json!({ "id": deal })).await;
    assert_eq!(seen["dealSplits"][0]["percent"], "60");
    let outsider = app
        .gql_as(Role::ArSpecialist, SPLITS, json!({ "id": deal }))
        .await;
    assert_eq!(error_code(&outsider).as_deref(), Some("FORBIDDEN"));
    calculate(&app, "2026-11").await;
    let ae = statement(&app, Role::Ae, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&ae, "credit"), vec![3_000_00]);
    assert_eq!(amounts(&ae, "spif"), vec![300_00]);
    assert_eq!(ae["lines"][0]["splitPercent"], "60");
    let partner = statement(&app, Role::AccountManager, Role::AccountManager, "2026-11").await;
    assert_eq!(amounts(&partner, "credit"), vec![2_000_00]);
    assert_eq!(amounts(&partner, "spif"), vec![200_00]);
    // The manager sees the team's statements and earns 2 % of each credited amount.
    let manager = statement(&app, Role::VpCs, Role::VpCs, "2026-11").await;
    let mut overrides = amounts(&manager, "override");
    overrides.sort();
    assert_eq!(overrides, vec![400_00, 600_00]);
    assert_eq!(
        statement(&app, Role::VpCs, Role::Ae, "2026-11").await["totals"][0]["amount"],
        "3300.00"
    );
    // A rep never sees another rep's statement; nor the manager's.
    for (viewer, of) in [(Role::Ae, Role::AccountManager), (Role::Ae, Role::VpCs)] {
        let forbidden = app
            .gql_as(
                viewer,
                STATEMENT,
                json!({ "userId": app.user_id(of).to_string(), "period": "2026-11" }),
            )
            .await;
        assert_eq!(
            error_code(&forbidden).as_deref(),
            Some("FORBIDDEN"),
            "{forbidden}"
        );
    }
    let team = app
        .gql_ok(
            Role::VpCs,
            "query { commissionStatements(period: \"2026-11\") { userName totals { amount } } }",
            json!({}),
        )
        .await;
    assert_eq!(team["commissionStatements"].as_array().unwrap().len(), 3);
    let own_only = app
        .gql_ok(
            Role::Ae,
            "query { commissionStatements(period: \"2026-11\") { userName } }",
            json!({}),
        )
        .await;
    assert_eq!(
        own_only["commissionStatements"].as_array().unwrap().len(),
        1
    );
    assert_eq!(balance(&app, "2026-11-30", "6000").await, 6_500_00);

    // The payout approver may not be paid in it: a deal split with the VP Revenue Operations.
    assign(&app, Role::VpRevops, "PLAN-AE-2026").await;
    let second = contract(
        &app,
        &customer,
        "OPP-S2",
        "ANNUALLY",
        "1000.00",
        "USD",
        "2026-12-01",
        "2027-11-30",
    )
    .await;
    let second_deal = deal_of_contract(&app, &second).await;
    app.gql_ok(
        Role::VpRevops,
        SPLIT,
        json!({ "input": { "dealId": second_deal, "splits": [
            { "userId": app.user_id(Role::Ae).to_string(), "percent": "50" },
            { "userId": app.user_id(Role::VpRevops).to_string(), "percent": "50" }
        ] } }),
    )
    .await;
    // The account manager is not credited on that deal, so cannot see its split.
    let not_on_it = app
        .gql_as(
            Role::AccountManager,
            "query($id: ID!) { dealSplits(dealId: $id) { userId } }",
            json!({ "id": second_deal }),
        )
        .await;
    assert_eq!(error_code(&not_on_it).as_deref(), Some("FORBIDDEN"));
    at(&app, "2026-12-02T10:00:00Z").await;
    calculate(&app, "2026-11").await;
    let own_payout = app
        .gql_as(
            Role::VpRevops,
            PAYOUT,
            json!({ "input": { "period": "2026-11", "payoutDate": "2026-12-15", "idempotencyKey": "payout-2026-11" } }),
        )
        .await;
    assert_eq!(
        error_code(&own_payout).as_deref(),
        Some("FORBIDDEN"),
        "{own_payout}"
    );
    let not_approver = app
        .gql_as(
            Role::Cfo,
            PAYOUT,
            json!({ "input": { "period": "2026-11", "payoutDate": "2026-12-15", "idempotencyKey": "payout-2026-11" } }),
        )
        .await;
    assert_eq!(error_code(&not_approver).as_deref(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_cash_basis_plan_pays_only_when_the_invoice_is_paid() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "year",
            "500000.00",
            "  - name: Cash collected\n    metric: cash_collected\n    rate: 5\n",
            "",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Stark", "USD").await;
    contract(
        &app,
        &customer,
        "OPP-K1",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-11-01",
        "2027-10-31",
    )
    .await;
    bill(&app, "2026-11-27").await;
    let invoice = invoices_of(&app, &customer).await[0]["id"].clone();
    assert_eq!(calculate(&app, "2026-11").await["lines"], 0);
    app.gql_ok(
        Role::ArSpecialist,
        "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }",
        json!({ "input": {
            "customerId": customer, "method": "WIRE",
            "amount": { "amount": "12000.00", "currency": "USD" },
            "receivedOn": "2026-11-27", "reference": "WIRE K1", "idempotencyKey": "pay-k1",
            "allocations": [{ "invoiceId": invoice, "amount": "12000.00" }]
        } }),
    )
    .await;
    let run = calculate(&app, "2026-11").await;
    assert_eq!(run["lines"], 1);
    let own = statement(&app, Role::Ae, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&own, "credit"), vec![600_00]);
    assert!(
        own["lines"][0]["explanation"]
            .as_str()
            .unwrap()
            .starts_with(
                "Cash collected USD 12,000.00 (before tax) × split 100% = USD 12,000.00 credited"
            ),
        "{}",
        own["lines"][0]
    );
    assert_eq!(calculate(&app, "2026-11").await["changed"], 0);
    assert_eq!(balance(&app, "2026-11-30", "2300").await, -600_00);
}

/// Issue 19: a deal in another currency than the plan's was explained without its conversion
/// ("ACV 603243.24 × split 100% = 766118.91"). Every step is stated now, with currencies and
/// grouped digits: the deal's ACV, its conversion at the rate of the booking date, the split,
/// the credit.
#[tokio::test]
async fn a_deal_in_another_currency_is_explained_with_its_conversion() {
    let app = TestApp::spawn().await;
    at(&app, "2026-10-15T10:00:00Z").await;
    zero_tax(&app).await;
    app.gql_ok(
        Role::Cfo,
        "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { rate } }",
        json!({ "input": { "currency": "EUR", "rate": "1.27", "rateDate": "2026-10-01" } }),
    )
    .await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "year",
            "5000000.00",
            "  - name: New business\n    metric: bookings_acv\n    rate: 10\n",
            "",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Europa Handel AG", "EUR").await;
    contract(
        &app,
        &customer,
        "OPP-FX-ACV",
        "ANNUALLY",
        "603243.24",
        "EUR",
        "2026-11-01",
        "2027-10-31",
    )
    .await;
    calculate(&app, "2026-10").await;
    let october = statement(&app, Role::Ae, Role::Ae, "2026-10").await;
    let explanation = october["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["kind"] == "credit")
        .map(|line| line["explanation"].as_str().unwrap().to_string())
        .unwrap_or_default();
    // 603,243.24 × 1.27 = 766,118.9148 → 766,118.91.
    assert!(
        explanation.starts_with(
            "Bookings ACV EUR 603,243.24 = USD 766,118.91 at 1.27 USD per EUR (rate of 2026-10-15) × split 100% = USD 766,118.91 credited; attainment 0% → "
        ),
        "{explanation}"
    );
}

#[tokio::test]
async fn a_credit_memo_after_payout_claws_back_once_and_disputes_adjust_in_the_open_period() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "year",
            "1000000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n",
            "clawback:\n  window_days: 180\n  mode: full\n",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Wayne", "USD").await;
    contract(
        &app,
        &customer,
        "OPP-W1",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-11-01",
        "2027-10-31",
    )
    .await;
    bill(&app, "2026-11-27").await;
    calculate(&app, "2026-11").await;
    at(&app, "2026-12-02T10:00:00Z").await;
    assert_eq!(calculate(&app, "2026-11").await["changed"], 0);
    let periods = app
        .gql_ok(
            Role::Cfo,
            "query { commissionPeriods(count: 2) { period state dueOn } }",
            json!({}),
        )
        .await;
    assert_eq!(periods["commissionPeriods"][1]["period"], "2026-11");
    assert_eq!(periods["commissionPeriods"][1]["state"], "done_on_time");
    assert_eq!(periods["commissionPeriods"][1]["dueOn"], "2026-12-07");
    let payout = app
        .gql_ok(
            Role::VpRevops,
            PAYOUT,
            json!({ "input": { "period": "2026-11", "payoutDate": "2026-12-15", "idempotencyKey": "payout-nov" } }),
        )
        .await["commissionPayoutApprove"]
        .clone();
    assert_eq!(payout["totals"][0]["amount"], "1200.00");
    assert_eq!(payout["rows"][0]["email"], revops_tests::email_of(Role::Ae));
    // A retry with the same key returns the same payout.
    let retry = app
        .gql_ok(
            Role::VpRevops,
            PAYOUT,
            json!({ "input": { "period": "2026-11", "payoutDate": "2026-12-15", "idempotencyKey": "payout-nov" } }),
        )
        .await["commissionPayoutApprove"]
        .clone();
    assert_eq!(retry["id"], payout["id"]);
    assert_eq!(balance(&app, "2026-12-31", "2300").await, 0);
    assert_eq!(balance(&app, "2026-12-31", "1000").await, -1_200_00);
    // The payroll CSV.
    let token = app.token(Role::VpRevops).await;
    let csv = reqwest::Client::new()
        .get(format!(
            "{}{}",
            app.base_url,
            payout["csvUrl"].as_str().unwrap()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines().nth(1).unwrap().ends_with(",USD,1200.00,1"),
        "{csv}"
    );
    // Paid periods are final.
    let recalculated = app
        .gql_as(Role::VpRevops, CALCULATE, json!({ "period": "2026-11" }))
        .await;
    assert_eq!(error_code(&recalculated).as_deref(), Some("CONFLICT"));

    // A credit memo of 3,000 on the 12,000 invoice reverses a quarter of the commission, in December.
    let invoice = invoices_of(&app, &customer).await[0]["id"].clone();
    let requested = app
        .gql_ok(
            Role::ArSpecialist,
            "mutation($input: CreditMemoRequestInput!) { creditMemoRequest(input: $input) { approvalId } }",
            json!({ "input": { "invoiceId": invoice, "amount": "3000.00", "reason": "Service credit" } }),
        )
        .await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: DocumentDecideInput!) { creditMemoDecide(input: $input) { number } }",
        json!({ "input": { "approvalId": requested["creditMemoRequest"]["approvalId"], "decision": "APPROVE", "comment": "Agreed" } }),
    )
    .await;
    calculate(&app, "2026-12").await;
    let december = statement(&app, Role::Ae, Role::Ae, "2026-12").await;
    assert_eq!(amounts(&december, "clawback"), vec![-300_00]);
    let clawback = december["lines"][0].clone();
    assert_eq!(clawback["causeType"], "credit_memo");
    assert!(
        clawback["explanation"]
            .as_str()
            .unwrap()
            .contains("Credit memo CM-"),
        "{clawback}"
    );
    assert_eq!(calculate(&app, "2026-12").await["changed"], 0);
    at(&app, "2027-01-05T10:00:00Z").await;
    calculate(&app, "2026-12").await;
    calculate(&app, "2027-01").await;
    assert!(amounts(
        &statement(&app, Role::Ae, Role::Ae, "2027-01").await,
        "clawback"
    )
    .is_empty());
    assert_eq!(
        amounts(
            &statement(&app, Role::Ae, Role::Ae, "2026-12").await,
            "clawback"
        ),
        vec![-300_00]
    );

    // The AE disputes the clawback; only a reviewer resolves it, with an adjustment in January.
    let raised = app
        .gql_ok(
            Role::Ae,
            "mutation($input: CommissionDisputeRaiseInput!) { commissionDisputeRaise(input: $input) { id status } }",
            json!({ "input": { "lineId": clawback["id"], "reason": "Only 2,000 was credited to the customer" } }),
        )
        .await["commissionDisputeRaise"]
        .clone();
    assert_eq!(raised["status"], "OPEN");
    const RESOLVE: &str = "mutation($input: CommissionDisputeResolveInput!) { commissionDisputeResolve(input: $input) { status comment adjustment { period amount { amount } } } }";
    let by_payee = app
        .gql_as(
            Role::Ae,
            RESOLVE,
            json!({ "input": { "disputeId": raised["id"], "accept": true, "adjustment": "100.00", "comment": "self" } }),
        )
        .await;
    assert_eq!(error_code(&by_payee).as_deref(), Some("FORBIDDEN"));
    let resolved = app
        .gql_ok(
            Role::VpRevops,
            RESOLVE,
            json!({ "input": { "disputeId": raised["id"], "accept": true, "adjustment": "100.00", "comment": "Memo was 3,000 but 1,000 was tax-related" } }),
        )
        .await["commissionDisputeResolve"]
        .clone();
    assert_eq!(resolved["status"], "ACCEPTED");
    assert_eq!(resolved["adjustment"]["period"], "2027-01");
    assert_eq!(resolved["adjustment"]["amount"]["amount"], "100.00");
    let seen = app
        .gql_ok(
            Role::Ae,
            "query { commissionDisputes { status comment } }",
            json!({}),
        )
        .await;
    assert_eq!(seen["commissionDisputes"][0]["status"], "ACCEPTED");
    assert_eq!(balance(&app, "2027-01-31", "6000").await, 1_000_00);
    assert_eq!(balance(&app, "2027-01-31", "2300").await, 200_00);
    let summary = app
        .gql_ok(Role::Ae, "query { commissionSummary { earnedMonthToDate { amount } payable { amount } nextPayoutDate openDisputes } }", json!({}))
        .await;
    assert_eq!(
        summary["commissionSummary"]["earnedMonthToDate"][0]["amount"],
        "100.00"
    );
    assert_eq!(
        summary["commissionSummary"]["payable"][0]["amount"],
        "-300.00"
    );
    assert_eq!(summary["commissionSummary"]["openDisputes"], 0);
}

#[tokio::test]
async fn a_bad_plan_document_is_refused_with_the_path_of_the_bad_field() {
    let app = TestApp::spawn().await;
    let example = app
        .gql_ok(
            Role::VpRevops,
            "query { commissionPlanExample commissionPlanSchema }",
            json!({}),
        )
        .await;
    let text = example["commissionPlanExample"].as_str().unwrap();
    let schema: Value =
        serde_json::from_str(example["commissionPlanSchema"].as_str().unwrap()).unwrap();
    assert_eq!(schema["title"], "revops commission plan");
    let bad = text.replace("{ from: 100, rate: 12 }", "{ from: 100, rate: lots }");
    let refused = app
        .gql_as(
            Role::VpRevops,
            IMPORT,
            json!({ "input": { "document": bad } }),
        )
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"));
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("document.components[0].tiers[1].rate")
    );
    let json_document = r#"{"code": "PLAN-J", "name": "J", "currency": "USD", "effective_from": "2026-01-01", "quota": {"period": "month", "amount": "1000.00"}, "components": [{"name": "A", "metric": "bookings_acv"}]}"#;
    let no_rate = app
        .gql_as(
            Role::VpRevops,
            IMPORT,
            json!({ "input": { "document": json_document, "format": "JSON" } }),
        )
        .await;
    assert_eq!(
        error_field(&no_rate).as_deref(),
        Some("document.components[0].rate")
    );
    let first = import(&app, text).await;
    let second = import(&app, text).await;
    assert_eq!(
        (first["version"].clone(), second["version"].clone()),
        (json!(1), json!(2))
    );
    let forbidden = app
        .gql_as(Role::Ae, IMPORT, json!({ "input": { "document": text } }))
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    let unknown_plan = app
        .gql_as(
            Role::VpRevops,
            ASSIGN,
            json!({ "input": { "userId": app.user_id(Role::Ae).to_string(), "planCode": "NOPE", "effectiveFrom": "2026-01-01" } }),
        )
        .await;
    assert_eq!(error_field(&unknown_plan).as_deref(), Some("planCode"));
}

#[tokio::test]
async fn commissions_on_a_multi_year_contract_are_capitalised_and_amortised_over_its_term() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "year",
            "1000000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n",
            "capitalise: true\n",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Tyrell", "USD").await;
    // 24 months for 24,000: ACV 12,000 at 10 % = 1,200, an incremental cost of a contract
    // longer than a year, so it goes to 1400 and is amortised over 24 months from December.
    contract(
        &app,
        &customer,
        "OPP-T1",
        "ANNUALLY",
        "24000.00",
        "USD",
        "2026-12-01",
        "2028-11-30",
    )
    .await;
    // A one-year deal under the same plan is expensed at once (practical expedient).
    contract(
        &app,
        &customer,
        "OPP-T2",
        "ANNUALLY",
        "6000.00",
        "USD",
        "2026-12-01",
        "2027-11-30",
    )
    .await;
    calculate(&app, "2026-11").await;
    let own = statement(&app, Role::Ae, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&own, "credit"), vec![1_200_00, 600_00]);
    assert!(
        own["lines"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("Capitalised"),
        "{}",
        own["lines"][0]
    );
    assert_eq!(balance(&app, "2026-11-30", "1400").await, 1_200_00);
    assert_eq!(balance(&app, "2026-11-30", "6000").await, 600_00);
    assert_eq!(balance(&app, "2026-11-30", "2300").await, -1_800_00);
    at(&app, "2027-01-02T10:00:00Z").await;
    calculate(&app, "2026-12").await;
    assert_eq!(balance(&app, "2026-12-31", "1400").await, 1_150_00);
    assert_eq!(balance(&app, "2026-12-31", "6000").await, 650_00);
    // Recalculating December moves nothing further; January amortises one more month.
    assert_eq!(calculate(&app, "2026-12").await["entries"], 0);
    at(&app, "2027-02-01T10:00:00Z").await;
    calculate(&app, "2027-01").await;
    assert_eq!(balance(&app, "2027-01-31", "1400").await, 1_100_00);
}

#[tokio::test]
async fn a_seat_increase_is_credited_as_expansion_at_the_plans_expansion_rate() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "year",
            "1000000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n    business_rates: { expansion: 5 }\n",
            "",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Cyberdyne", "USD").await;
    at(&app, "2026-10-01T10:00:00Z").await;
    let contract_id = contract(
        &app,
        &customer,
        "OPP-X1",
        "MONTHLY",
        "12000.00",
        "USD",
        "2026-10-01",
        "2027-09-30",
    )
    .await;
    calculate(&app, "2026-10").await;
    at(&app, "2026-11-27T10:00:00Z").await;
    let line = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { revenueSchedule(contractId: $id) { obligations { contractLineId } } }",
            json!({ "id": contract_id }),
        )
        .await["revenueSchedule"]["obligations"][0]["contractLineId"]
        .clone();
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: ContractLineChangeInput!) { contractLineChange(input: $input) { id } }",
        json!({ "input": { "contractLineId": line, "kind": "QUANTITY", "newQuantity": "3", "effectiveDate": "2026-12-01", "reason": "Two more teams", "idempotencyKey": "seats-x1" } }),
    )
    .await;
    calculate(&app, "2026-11").await;
    // Two more seats at 1,000.00 a month add 24,000 ARR, paid at the 5 % expansion rate.
    let november = statement(&app, Role::Ae, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&november, "credit"), vec![1_200_00]);
    assert_eq!(november["lines"][0]["business"], "expansion");
    assert!(
        november["lines"][0]["explanation"]
            .as_str()
            .unwrap()
            .starts_with("Seat increase on"),
        "{}",
        november["lines"][0]
    );
    assert_eq!(
        amounts(
            &statement(&app, Role::Ae, Role::Ae, "2026-10").await,
            "credit"
        ),
        vec![1_200_00]
    );
}

#[tokio::test]
async fn churn_within_the_window_claws_back_the_unserved_share_in_the_month_it_happens() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-AE-2026",
            "year",
            "1000000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n",
            "clawback:\n  window_days: 120\n  mode: prorated\n",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Soylent", "USD").await;
    let contract_id = contract(
        &app,
        &customer,
        "OPP-CH1",
        "MONTHLY",
        "12000.00",
        "USD",
        "2026-11-01",
        "2027-10-31",
    )
    .await;
    calculate(&app, "2026-11").await;
    let line = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { revenueSchedule(contractId: $id) { obligations { contractLineId } } }",
            json!({ "id": contract_id }),
        )
        .await["revenueSchedule"]["obligations"][0]["contractLineId"]
        .clone();
    at(&app, "2026-12-15T10:00:00Z").await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($input: ContractLineChangeInput!) { contractLineChange(input: $input) { id } }",
        json!({ "input": { "contractLineId": line, "kind": "CANCELLATION", "effectiveDate": "2027-01-31", "reason": "Customer is closing the business", "idempotencyKey": "cancel-ch1" } }),
    )
    .await;
    calculate(&app, "2026-12").await;
    assert!(amounts(
        &statement(&app, Role::Ae, Role::Ae, "2026-12").await,
        "clawback"
    )
    .is_empty());
    at(&app, "2027-02-01T10:00:00Z").await;
    calculate(&app, "2027-01").await;
    // Churn 65 days after booking, inside the 120-day window: 274 of 365 days were never
    // served (2027-01-31 to 2027-10-31, the cancellation's effective day being the first
    // unserved one, as billing counts it), so 1,200.00 × 274 / 365 = 900.82 comes back.
    let january = statement(&app, Role::Ae, Role::Ae, "2027-01").await;
    assert_eq!(amounts(&january, "clawback"), vec![-900_82]);
    assert_eq!(january["lines"][0]["causeType"], "churn");
    assert_eq!(calculate(&app, "2027-01").await["changed"], 0);
    assert_eq!(balance(&app, "2027-01-31", "6000").await, 1_200_00 - 900_82);
}

#[tokio::test]
async fn two_reviewers_resolving_one_dispute_at_once_decide_it_once() {
    // Proves the maker-checker rule holds under a race: the VP Revenue Operations accepts (with an
    // adjustment) while an administrator rejects, at the same moment. Exactly one wins, the other
    // is told CONFLICT, and the books show only the winner's decision: no adjustment line under a
    // rejected dispute, and never two adjustments. Four lines, four races: the old
    // read-then-write lost about one race in three on PostgreSQL.
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    import(
        &app,
        &plan(
            "PLAN-RACE",
            "quarter",
            "100000.00",
            "  - name: New business\n    metric: bookings_acv\n    tiers:\n      - { from: 0, rate: 10 }\n",
            "",
        ),
    )
    .await;
    assign(&app, Role::Ae, "PLAN-RACE").await;
    let customer = app.create_customer("Initech", "USD").await;
    for opportunity in ["OPP-RACE-1", "OPP-RACE-2", "OPP-RACE-3", "OPP-RACE-4"] {
        contract(
            &app,
            &customer,
            opportunity,
            "ANNUALLY",
            "10000.00",
            "USD",
            "2026-12-01",
            "2027-11-30",
        )
        .await;
    }
    calculate(&app, "2026-11").await;
    let own = statement(&app, Role::Ae, Role::Ae, "2026-11").await;
    assert_eq!(amounts(&own, "credit"), vec![1_000_00; 4]);
    for line in own["lines"].as_array().unwrap() {
        race_to_resolve(&app, &line["id"]).await;
    }
}

/// Raises a dispute on `line` and has two reviewers decide it at the same moment.
async fn race_to_resolve(app: &TestApp, line: &Value) {
    const RESOLVE: &str = "mutation($input: CommissionDisputeResolveInput!) { commissionDisputeResolve(input: $input) { status } }";
    let raised = app
        .gql_ok(
            Role::Ae,
            "mutation($input: CommissionDisputeRaiseInput!) { commissionDisputeRaise(input: $input) { id } }",
            json!({ "input": { "lineId": line, "reason": "The ACV was 11,000" } }),
        )
        .await["commissionDisputeRaise"]["id"]
        .clone();
    let (accepted, rejected) = tokio::join!(
        app.gql_as(
            Role::VpRevops,
            RESOLVE,
            json!({ "input": { "disputeId": raised, "accept": true, "adjustment": "100.00", "comment": "ACV corrected" } }),
        ),
        app.gql_as(
            Role::Admin,
            RESOLVE,
            json!({ "input": { "disputeId": raised, "accept": false, "comment": "ACV was right" } }),
        ),
    );
    let outcomes = [
        error_code(&accepted).unwrap_or_else(|| "OK".into()),
        error_code(&rejected).unwrap_or_else(|| "OK".into()),
    ];
    assert_eq!(
        outcomes.iter().filter(|code| *code == "OK").count(),
        1,
        "{accepted} {rejected}"
    );
    assert!(outcomes.contains(&"CONFLICT".to_string()), "{outcomes:?}");
    let winner = if outcomes[0] == "OK" {
        "ACCEPTED"
    } else {
        "REJECTED"
    };
    let disputes = app
        .gql_ok(
            Role::Ae,
            "query { commissionDisputes { id status } }",
            json!({}),
        )
        .await;
    let dispute = disputes["commissionDisputes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|dispute| dispute["id"] == raised)
        .unwrap()
        .clone();
    assert_eq!(dispute["status"], winner, "{dispute}");
    let adjustments = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM commission_lines WHERE kind = 'adjustment' AND source_key = 'dispute:{}'",
            raised.as_str().unwrap()
        ))
        .await;
    assert_eq!(adjustments, i64::from(winner == "ACCEPTED"));
}
