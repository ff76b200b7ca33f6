//! Discounts, coupons, trials and commitments (issue 20): recurring discounts billed as a line
//! of their own beside each discounted period, MRR net of the discount in force, revenue
//! allocating the discounted price over the whole term; coupons and their redemption limit; a
//! discount agreed mid-term; a termination's credit split; free trials; a minimum commitment's
//! true-up. Worked cases with exact amounts, on SQLite and PostgreSQL.
//!
//! Sources: Chargebee's and Stripe Billing's documented coupon behaviour (a percent or amount off
//! each invoice for a number of billing periods or forever, shown as a discount on the invoice;
//! MRR reported net of discounts), and ASC 606-10-32-2/32-28 (the transaction price is the
//! consideration expected after price concessions, allocated over the obligation — so a discount
//! in the first months is spread over the whole term, not booked in the months it falls in).

use crate::billing::{deal, tax_rate};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const CREATE: &str = "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id tcv { amount } arr { amount } lines { productName discount { percent amount { amount currency } periods from label description } } } } }";
const APPROVE: &str = "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id lines { id discount { description } } } } }";
const RUN: &str = "mutation($asOf: Date!) { billRun(asOf: $asOf) { issued { number total { amount } lines { description amount { amount } note } } } }";
const MOVEMENTS: &str = "query($from: Date!, $to: Date!) { mrrMovements(from: $from, to: $to) { month movements { opening { amount } new { amount } expansion { amount } contraction { amount } closing { amount } } } }";
const SCHEDULE: &str = "query($id: ID!) { revenueSchedule(contractId: $id) { allocatedTotal { amount } monthlyRecognition { amount } billedToDate { amount } recognisedToDate { amount } deferredBalance { amount } unbilledBalance { amount } } }";
const REVENUE_RUN: &str =
    "mutation($period: String!) { revenueRun(period: $period) { total { amount } } }";

const COUPON: &str = "mutation($input: CouponCreateInput!) { couponCreate(input: $input) { code label percent amount { amount currency } periods expiresOn redemptionLimit redeemed description unusableReason } }";
const COUPONS: &str = "query { coupons { code redeemed redemptionLimit unusableReason } }";

pub(crate) fn day(text: &str) -> chrono::DateTime<chrono::Utc> {
    format!("{text}T10:00:00Z").parse().unwrap()
}

/// A 2027 deal for 10 seats at 100.00 a month, its one line discounted by `discount`.
pub(crate) fn seat_deal(customer: &str, ae: i64, discount: Value) -> Value {
    let mut input = deal(customer, ae, "OPP-DISCOUNT");
    for field in [
        "productName",
        "tcv",
        "arr",
        "billingFrequency",
        "revenueRecognitionType",
    ] {
        input[field] = Value::Null;
    }
    input["startDate"] = json!("2027-01-01");
    input["endDate"] = json!("2027-12-31");
    input["lines"] = json!([{
        "productName": "Platform seats", "kind": "SUBSCRIPTION", "quantity": "10",
        "unitPrice": { "amount": "100.00", "currency": "USD" }, "billingFrequency": "MONTHLY",
        "discount": discount,
    }]);
    input
}

/// Enters `input` as an AE and has a VP RevOps approve it; returns the contract.
pub(crate) async fn approved(app: &TestApp, input: Value, key: &str) -> Value {
    let id = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.gql_ok(
        Role::VpRevops,
        APPROVE,
        json!({ "input": { "id": id, "idempotencyKey": key } }),
    )
    .await["dealApprove"]["contract"]
        .clone()
}

pub(crate) async fn bill(app: &TestApp, on: &str) -> Value {
    app.travel_to(day(on)).await;
    app.gql_ok(Role::Admin, RUN, json!({ "asOf": on })).await["billRun"]["issued"].clone()
}

/// 10 seats at 100.00 a month for 2027, 20% off for the first three months:
/// - the deal's TCV is what the lines bill: 12 × 1,000.00 − 3 × 200.00 = 11,400.00; its ARR stays
///   12,000.00 (a discount for some periods is not recurring);
/// - January to March each invoice 1,000.00 and a discount line of −200.00 (800.00); April
///   invoices 1,000.00 alone;
/// - MRR: new 800.00 in January, flat in February and March, expansion 200.00 in April
///   (closing 1,000.00);
/// - revenue: 11,400.00 allocated, 950.00 a month (11,400.00 / 12); by April 3,800.00 is
///   recognised against 3,400.00 billed, so 400.00 sits in unbilled receivables (a contract
///   asset) until the full-price months catch up.
#[tokio::test]
async fn twenty_percent_off_three_months_bills_reports_mrr_and_recognises_net() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Discounts", "USD").await;
    let input = seat_deal(
        &customer,
        app.user_id(Role::Ae),
        json!({ "percent": "20", "periods": 3, "label": "Launch discount" }),
    );
    let created = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]
        .clone();
    assert_eq!(created["tcv"]["amount"], "11400.00");
    assert_eq!(created["arr"]["amount"], "12000.00");
    assert_eq!(
        created["lines"][0]["discount"],
        json!({ "percent": "20", "amount": null, "periods": 3, "from": null, "label": "Launch discount", "description": "20% off, 3 periods" })
    );
    let id = created["id"].as_str().unwrap();
    let contract = app
        .gql_ok(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": id, "idempotencyKey": "discount-approve" } }),
        )
        .await["dealApprove"]["contract"]
        .clone();
    assert_eq!(
        contract["lines"][0]["discount"]["description"],
        "20% off, 3 periods"
    );
    let contract_id = contract["id"].as_str().unwrap().to_string();

    let january = bill(&app, "2027-01-01").await;
    assert_eq!(january[0]["total"]["amount"], "800.00", "{january}");
    let lines: Vec<(&str, &str)> = january[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["description"].as_str().unwrap(),
                line["amount"]["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("Platform seats (2027-01-01 – 2027-01-31)", "1000.00"),
            (
                "Platform seats: Launch discount (2027-01-01 – 2027-01-31)",
                "-200.00"
            ),
        ]
    );
    assert_eq!(
        january[0]["lines"][1]["note"],
        "20% of 1,000.00, rounded half away from zero"
    );
    for month in ["2027-02-01", "2027-03-01"] {
        assert_eq!(bill(&app, month).await[0]["total"]["amount"], "800.00");
    }
    let april = bill(&app, "2027-04-01").await;
    assert_eq!(april[0]["total"]["amount"], "1000.00");
    assert_eq!(april[0]["lines"].as_array().unwrap().len(), 1, "{april}");
    // The run is exactly once: the same day again writes nothing.
    assert_eq!(bill(&app, "2027-04-01").await, json!([]));

    app.travel_to(day("2027-05-01")).await;
    let months = app
        .gql_ok(
            Role::Cro,
            MOVEMENTS,
            json!({ "from": "2027-01-01", "to": "2027-04-30" }),
        )
        .await["mrrMovements"]
        .clone();
    let bridge: Vec<[&str; 5]> = months
        .as_array()
        .unwrap()
        .iter()
        .map(|month| {
            let movements = &month["movements"];
            [
                movements["opening"]["amount"].as_str().unwrap(),
                movements["new"]["amount"].as_str().unwrap(),
                movements["expansion"]["amount"].as_str().unwrap(),
                movements["contraction"]["amount"].as_str().unwrap(),
                movements["closing"]["amount"].as_str().unwrap(),
            ]
        })
        .collect();
    assert_eq!(
        bridge,
        vec![
            ["0.00", "800.00", "0.00", "0.00", "800.00"],
            ["800.00", "0.00", "0.00", "0.00", "800.00"],
            ["800.00", "0.00", "0.00", "0.00", "800.00"],
            ["800.00", "0.00", "200.00", "0.00", "1000.00"],
        ]
    );

    for period in ["2027-01", "2027-02", "2027-03", "2027-04"] {
        app.gql_ok(Role::Cfo, REVENUE_RUN, json!({ "period": period }))
            .await;
    }
    let schedule = app
        .gql_ok(Role::Cfo, SCHEDULE, json!({ "id": contract_id }))
        .await["revenueSchedule"]
        .clone();
    assert_eq!(schedule["allocatedTotal"]["amount"], "11400.00");
    assert_eq!(schedule["monthlyRecognition"]["amount"], "950.00");
    // Four months: 4 × 950.00 recognised against 3 × 800.00 + 1,000.00 billed.
    assert_eq!(schedule["recognisedToDate"]["amount"], "3800.00");
    assert_eq!(schedule["billedToDate"]["amount"], "3400.00");
    assert_eq!(schedule["unbilledBalance"]["amount"], "400.00");
    assert_eq!(schedule["deferredBalance"]["amount"], "0.00");
}

/// An amount off: 150.00 off each month for as long as the line runs. ARR is net of it
/// (12 × (1,000.00 − 150.00) = 10,200.00), and so is every invoice (850.00).
#[tokio::test]
async fn an_amount_off_every_period_is_recurring_and_lowers_the_arr() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Forever", "USD").await;
    let input = seat_deal(
        &customer,
        app.user_id(Role::Ae),
        json!({ "amount": "150.00", "label": "Partner price" }),
    );
    let created = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": input }))
        .await["dealCreate"]["deal"]
        .clone();
    assert_eq!(created["arr"]["amount"], "10200.00");
    assert_eq!(created["tcv"]["amount"], "10200.00");
    assert_eq!(
        created["lines"][0]["discount"]["description"],
        "USD 150.00 off, every period"
    );
    let id = created["id"].as_str().unwrap();
    app.gql_ok(
        Role::VpRevops,
        APPROVE,
        json!({ "input": { "id": id, "idempotencyKey": "forever-approve" } }),
    )
    .await;
    assert_eq!(
        bill(&app, "2027-01-01").await[0]["total"]["amount"],
        "850.00"
    );
}

/// Each bad discount is refused naming its field, and nothing is written.
#[tokio::test]
async fn a_bad_discount_names_its_field() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Hooli Refusals", "USD").await;
    let ae = app.user_id(Role::Ae);
    let cases = [
        (
            json!({ "percent": "120", "label": "Too much" }),
            "lines.0.discount.percent",
        ),
        (
            json!({ "percent": "10", "amount": "5.00", "label": "Both" }),
            "lines.0.discount.amount",
        ),
        (
            json!({ "label": "Nothing off" }),
            "lines.0.discount.percent",
        ),
        (
            json!({ "percent": "10", "periods": 0, "label": "No time" }),
            "lines.0.discount.periods",
        ),
        (
            json!({ "percent": "10", "label": " " }),
            "lines.0.discount.label",
        ),
        (
            json!({ "amount": "-5.00", "label": "Negative" }),
            "lines.0.discount.amount",
        ),
    ];
    for (discount, field) in cases {
        let refused = app
            .gql_as(
                Role::Ae,
                CREATE,
                json!({ "input": seat_deal(&customer, ae, discount.clone()) }),
            )
            .await;
        assert_eq!(
            error_field(&refused).as_deref(),
            Some(field),
            "{discount}: {refused}"
        );
    }
    let mut milestone = seat_deal(&customer, ae, Value::Null);
    milestone["lines"][0]["kind"] = json!("MILESTONE");
    milestone["lines"][0]["billingFrequency"] = Value::Null;
    milestone["lines"][0]["discount"] = json!({ "percent": "10", "label": "Not here" });
    let refused = app
        .gql_as(Role::Ae, CREATE, json!({ "input": milestone }))
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("lines.0.discount"),
        "{refused}"
    );
    let deals = app
        .gql_ok(
            Role::Cfo,
            "query { deals(first: 10) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(deals["deals"]["totalCount"], 0);
}

/// A coupon with one redemption: two draft deals may carry it, the first approval redeems it,
/// the second approval is refused whole (the deal stays a draft, no contract) and a third deal
/// cannot take it any more. An expired coupon and an amount off in another currency are refused
/// naming the line's coupon field. Only billing setup roles create coupons.
#[tokio::test]
async fn a_coupon_at_its_redemption_limit_is_refused_and_the_first_approval_keeps_it() {
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Hooli Coupons", "USD").await;
    let ae = app.user_id(Role::Ae);
    let spring = json!({ "input": { "code": " spring20 ", "label": "Spring offer", "percent": "20", "periods": 3, "expiresOn": "2027-03-31", "redemptionLimit": 1 } });
    let refused = app.gql_as(Role::Ae, COUPON, spring.clone()).await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("FORBIDDEN"),
        "{refused}"
    );
    let created = app.gql_ok(Role::Cfo, COUPON, spring.clone()).await["couponCreate"].clone();
    assert_eq!(
        created,
        json!({ "code": "SPRING20", "label": "Spring offer", "percent": "20", "amount": null, "periods": 3, "expiresOn": "2027-03-31", "redemptionLimit": 1, "redeemed": 0, "description": "20% off, 3 periods", "unusableReason": null })
    );
    for (input, field) in [
        (spring["input"].clone(), "code"),
        (
            json!({ "code": "NO SPACES", "label": "x", "percent": "5" }),
            "code",
        ),
        (
            json!({ "code": "ZERO", "label": "x", "percent": "5", "redemptionLimit": 0 }),
            "redemptionLimit",
        ),
        (
            json!({ "code": "PAST", "label": "x", "percent": "5", "expiresOn": "2026-11-01" }),
            "expiresOn",
        ),
        (json!({ "code": "HALF", "label": "x" }), "percent"),
    ] {
        let refused = app
            .gql_as(Role::Cfo, COUPON, json!({ "input": input }))
            .await;
        assert_eq!(error_field(&refused).as_deref(), Some(field), "{refused}");
    }

    let with_coupon = |opportunity: &str, code: &str| {
        let mut input = seat_deal(&customer, ae, json!({ "coupon": code }));
        input["crmOpportunityId"] = json!(opportunity);
        input
    };
    let first = app
        .gql_ok(
            Role::Ae,
            CREATE,
            json!({ "input": with_coupon("OPP-COUPON-1", "spring20") }),
        )
        .await["dealCreate"]["deal"]
        .clone();
    assert_eq!(first["tcv"]["amount"], "11400.00");
    assert_eq!(
        first["lines"][0]["discount"]["label"],
        "Spring offer (SPRING20)"
    );
    assert_eq!(first["lines"][0]["discount"]["percent"], "20");
    let second = app
        .gql_ok(
            Role::Ae,
            CREATE,
            json!({ "input": with_coupon("OPP-COUPON-2", "SPRING20") }),
        )
        .await["dealCreate"]["deal"]
        .clone();

    app.gql_ok(
        Role::VpRevops,
        APPROVE,
        json!({ "input": { "id": first["id"], "idempotencyKey": "coupon-1" } }),
    )
    .await;
    let coupons = app.gql_ok(Role::Ae, COUPONS, json!({})).await;
    assert_eq!(
        coupons["coupons"][0],
        json!({ "code": "SPRING20", "redeemed": 1, "redemptionLimit": 1, "unusableReason": "Coupon SPRING20 has been redeemed 1 of 1 times; none are left." })
    );

    let refused = app
        .gql_as(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": second["id"], "idempotencyKey": "coupon-2" } }),
        )
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("lines.0.discount.coupon"),
        "{refused}"
    );
    assert_eq!(
        refused["errors"][0]["message"],
        "Coupon SPRING20 has been redeemed 1 of 1 times; none are left. Take it off the deal's line to approve the deal without it."
    );
    let still = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { deal(id: $id) { status contract { id } } }",
            json!({ "id": second["id"] }),
        )
        .await;
    assert_eq!(still["deal"]["status"], "DRAFT");
    assert_eq!(still["deal"]["contract"], Value::Null);
    let coupons = app.gql_ok(Role::Ae, COUPONS, json!({})).await;
    assert_eq!(
        coupons["coupons"][0]["redeemed"], 1,
        "the refused approval counted nothing"
    );

    let third = app
        .gql_as(
            Role::Ae,
            CREATE,
            json!({ "input": with_coupon("OPP-COUPON-3", "SPRING20") }),
        )
        .await;
    assert_eq!(
        error_field(&third).as_deref(),
        Some("lines.0.discount.coupon"),
        "{third}"
    );

    app.gql_ok(
        Role::Cfo,
        COUPON,
        json!({ "input": { "code": "EURO50", "label": "Euro partner", "amount": { "amount": "50.00", "currency": "EUR" } } }),
    )
    .await;
    let euro = app
        .gql_as(
            Role::Ae,
            CREATE,
            json!({ "input": with_coupon("OPP-COUPON-4", "EURO50") }),
        )
        .await;
    assert_eq!(
        error_field(&euro).as_deref(),
        Some("lines.0.discount.coupon"),
        "{euro}"
    );
    assert_eq!(
        euro["errors"][0]["message"],
        "Coupon EURO50 takes EUR 50.00 off and fits lines in EUR; this line is in USD."
    );
    let unknown = app
        .gql_as(
            Role::Ae,
            CREATE,
            json!({ "input": with_coupon("OPP-COUPON-5", "NOPE") }),
        )
        .await;
    assert_eq!(unknown["errors"][0]["message"], "There is no coupon NOPE.");

    app.gql_ok(
        Role::Cfo,
        COUPON,
        json!({ "input": { "code": "NOVEMBER", "label": "November only", "percent": "10", "expiresOn": "2026-11-30" } }),
    )
    .await;
    app.travel_to(day("2026-12-01")).await;
    let expired = app
        .gql_as(
            Role::Ae,
            CREATE,
            json!({ "input": with_coupon("OPP-COUPON-6", "NOVEMBER") }),
        )
        .await;
    assert_eq!(
        expired["errors"][0]["message"],
        "Coupon NOVEMBER expired on 2026-11-30."
    );
}

const MODIFY: &str = "mutation($input: ContractModifyInput!) { contractModify(input: $input) { treatment modification { changes } } }";

/// A retention offer agreed on 1 April on a 2027 seat contract (10 × 100.00 a month): 20% off
/// for three periods from April, by a coupon. January to March stay billed at 1,000.00; April to
/// June bill 800.00. ASC 606-10-25-13(a): the remaining months are distinct, so the change is
/// prospective — the 3,000.00 recognised by March stays, and what is left of the new price,
/// 11,400.00 − 3,000.00 = 8,400.00, is spread over the nine months left: 933.33 a month, so
/// 3,933.33 by the end of April. The coupon is redeemed by the modification; a second discount on
/// the same line is refused.
/// An archived coupon takes no new redemptions: a draft that carried it before is refused it at
/// approval (naming the line's coupon field; the deal stays a draft), a new deal cannot take it,
/// and the contract that redeemed it earlier keeps its discount. Only billing-setup roles archive;
/// archiving again changes nothing. (Chargebee's and Stripe's archived coupons behave so.)
#[tokio::test]
async fn an_archived_coupon_takes_no_new_redemptions_and_keeps_what_it_gave() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Archive", "USD").await;
    let ae = app.user_id(Role::Ae);
    app.gql_ok(
        Role::Cfo,
        COUPON,
        json!({ "input": { "code": "LAUNCH", "label": "Launch offer", "percent": "10" } }),
    )
    .await;
    let coupon = json!({ "coupon": "LAUNCH" });
    let mut first = seat_deal(&customer, ae, coupon.clone());
    first["crmOpportunityId"] = json!("OPP-ARCHIVE-1");
    let contract = approved(&app, first, "archive-first").await;
    let mut second = seat_deal(&customer, ae, coupon.clone());
    second["crmOpportunityId"] = json!("OPP-ARCHIVE-2");
    let draft = app
        .gql_ok(Role::Ae, CREATE, json!({ "input": second }))
        .await["dealCreate"]["deal"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    const ARCHIVE: &str = "mutation($code: String!) { couponArchive(code: $code) { code redeemed unusableReason archivedAt } }";
    let refused = app
        .gql_as(Role::Ae, ARCHIVE, json!({ "code": "launch" }))
        .await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("FORBIDDEN"),
        "{refused}"
    );
    let archived = app
        .gql_ok(Role::Cfo, ARCHIVE, json!({ "code": "launch" }))
        .await["couponArchive"]
        .clone();
    let reason = "Coupon LAUNCH was archived on 2026-11-27; it takes no new redemptions.";
    assert_eq!(archived["redeemed"], 1);
    assert_eq!(archived["unusableReason"], reason);
    let again = app
        .gql_ok(Role::Cfo, ARCHIVE, json!({ "code": "LAUNCH" }))
        .await["couponArchive"]
        .clone();
    assert_eq!(again["archivedAt"], archived["archivedAt"]);

    let approval = app
        .gql_as(
            Role::VpRevops,
            APPROVE,
            json!({ "input": { "id": draft, "idempotencyKey": "archive-second" } }),
        )
        .await;
    assert_eq!(
        error_field(&approval).as_deref(),
        Some("lines.0.discount.coupon"),
        "{approval}"
    );
    assert!(approval.to_string().contains(reason), "{approval}");
    let status = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { deal(id: $id) { status } }",
            json!({ "id": draft }),
        )
        .await;
    assert_eq!(status["deal"]["status"], "DRAFT");
    let mut third = seat_deal(&customer, ae, coupon);
    third["crmOpportunityId"] = json!("OPP-ARCHIVE-3");
    let entered = app
        .gql_as(Role::Ae, CREATE, json!({ "input": third }))
        .await;
    assert_eq!(
        error_field(&entered).as_deref(),
        Some("lines.0.discount.coupon"),
        "{entered}"
    );
    // The contract that redeemed it before keeps the discount.
    assert_eq!(
        contract["lines"][0]["discount"]["description"],
        "10% off, every period"
    );
    let january = bill(&app, "2027-01-01").await;
    assert_eq!(january[0]["total"]["amount"], "900.00", "{january}");
}

#[tokio::test]
async fn a_coupon_agreed_mid_term_discounts_from_the_next_period_and_revenue_follows_prospectively()
{
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Retention", "USD").await;
    let input = seat_deal(&customer, app.user_id(Role::Ae), Value::Null);
    let contract = approved(&app, input, "retention-approve").await;
    let contract_id = contract["id"].as_str().unwrap().to_string();
    let line_id = contract["lines"][0]["id"].as_str().unwrap().to_string();
    app.gql_ok(
        Role::Cfo,
        COUPON,
        json!({ "input": { "code": "STAY20", "label": "Retention offer", "percent": "20", "periods": 3 } }),
    )
    .await;
    for month in ["2027-01-01", "2027-02-01", "2027-03-01"] {
        assert_eq!(bill(&app, month).await[0]["total"]["amount"], "1000.00");
    }
    app.travel_to(day("2027-04-01")).await;
    for period in ["2027-01", "2027-02", "2027-03"] {
        app.gql_ok(Role::Cfo, REVENUE_RUN, json!({ "period": period }))
            .await;
    }
    let change = |key: &str| {
        json!({ "input": {
            "contractId": contract_id, "effectiveDate": "2027-04-01", "reason": "Retention offer",
            "idempotencyKey": key,
            "changes": [{ "discount": { "contractLineId": line_id, "discount": { "coupon": "stay20" } } }],
        } })
    };
    let modified = app
        .gql_ok(Role::VpFinance, MODIFY, change("retention-1"))
        .await["contractModify"]
        .clone();
    assert_eq!(modified["treatment"], "prospective", "{modified}");
    assert!(modified["modification"]["changes"]
        .as_str()
        .unwrap()
        .contains("20% off, 3 periods from 2027-04-01"));
    let again = app
        .gql_as(Role::VpFinance, MODIFY, change("retention-2"))
        .await;
    assert_eq!(
        error_field(&again).as_deref(),
        Some("changes.0.discount"),
        "{again}"
    );
    let coupons = app.gql_ok(Role::Ae, COUPONS, json!({})).await;
    assert_eq!(coupons["coupons"][0]["redeemed"], 1);

    let april = bill(&app, "2027-04-01").await;
    assert_eq!(april[0]["total"]["amount"], "800.00", "{april}");
    app.travel_to(day("2027-05-01")).await;
    app.gql_ok(Role::Cfo, REVENUE_RUN, json!({ "period": "2027-04" }))
        .await;
    let schedule = app
        .gql_ok(Role::Cfo, SCHEDULE, json!({ "id": contract_id }))
        .await["revenueSchedule"]
        .clone();
    assert_eq!(schedule["allocatedTotal"]["amount"], "11400.00");
    assert_eq!(
        schedule["recognisedToDate"]["amount"], "3933.33",
        "{schedule}"
    );
}

/// An annual plan of 12,000.00 with 1,200.00 off every year (10,800.00 billed on 1 January and
/// paid), terminated after four months, from 1 May: 245 of 365 days are unused. The credit is
/// what those days cost after the discount — 12,000.00 × 245/365 = 8,054.79 less
/// 1,200.00 × 245/365 = 805.48, so 7,249.31 — issued at once as a credit memo (no later invoice
/// absorbs it) and, the invoice being paid, kept as customer credit; the customer takes
/// 5,000.00 of it back as a refund and keeps 2,249.31 for later invoices.
#[tokio::test]
async fn an_annual_plan_terminated_after_four_months_splits_its_credit_between_refund_and_credit() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Termination", "USD").await;
    let mut input = seat_deal(
        &customer,
        app.user_id(Role::Ae),
        json!({ "amount": "1200.00", "label": "Multi-year" }),
    );
    input["lines"][0]["quantity"] = json!("1");
    input["lines"][0]["unitPrice"]["amount"] = json!("12000.00");
    input["lines"][0]["billingFrequency"] = json!("ANNUALLY");
    let contract = approved(&app, input, "annual-approve").await;
    assert_eq!(
        bill(&app, "2027-01-01").await[0]["total"]["amount"],
        "10800.00"
    );
    app.travel_to(day("2027-01-15")).await;
    app.gql_ok(
        Role::ArSpecialist,
        "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }",
        json!({ "input": {
            "customerId": customer, "method": "WIRE", "amount": { "amount": "10800.00", "currency": "USD" },
            "receivedOn": "2027-01-15", "reference": "WIRE 1", "idempotencyKey": "annual-pay",
        } }),
    )
    .await;
    app.travel_to(day("2027-04-30")).await;
    app.gql_ok(
        Role::VpFinance,
        MODIFY,
        json!({ "input": {
            "contractId": contract["id"], "effectiveDate": "2027-05-01", "reason": "Customer terminates",
            "idempotencyKey": "annual-cancel",
            "changes": [{ "cancel": { "contractLineId": contract["lines"][0]["id"] } }],
        } }),
    )
    .await;
    bill(&app, "2027-05-01").await;
    let credits =
        "query($id: ID!) { customerCredits(customerId: $id) { remaining { amount } source } }";
    let held = app
        .gql_ok(Role::Cfo, credits, json!({ "id": customer }))
        .await["customerCredits"]
        .clone();
    assert_eq!(held[0]["remaining"]["amount"], "7249.31", "{held}");
    app.travel_to(day("2027-05-03")).await;
    app.gql_ok(
        Role::Cfo,
        "mutation($input: RefundInput!) { creditRefund(input: $input) { id } }",
        json!({ "input": {
            "customerId": customer, "amount": { "amount": "5000.00", "currency": "USD" },
            "refundedOn": "2027-05-03", "reference": "REF-TERM", "idempotencyKey": "annual-refund",
        } }),
    )
    .await;
    let kept = app
        .gql_ok(Role::Cfo, credits, json!({ "id": customer }))
        .await["customerCredits"]
        .clone();
    assert_eq!(kept[0]["remaining"]["amount"], "2249.31", "{kept}");
}

fn date(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

/// A free month: 10 seats at 100.00 a month from 1 January 2027 with the trial ending 1 February.
/// The contract line bills from 1 February (January's run issues nothing), so the TCV is eleven
/// months (11,000.00); MRR is new in February, not January; the AE is alerted once, a week before
/// conversion. A second deal whose trial is cancelled on 20 January never bills.
#[tokio::test]
async fn a_free_trial_converts_to_paid_on_its_date_and_a_cancelled_one_never_bills() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Trials", "USD").await;
    let ae = app.user_id(Role::Ae);
    let trial = |opportunity: &str| {
        let mut input = seat_deal(&customer, ae, Value::Null);
        input["crmOpportunityId"] = json!(opportunity);
        input["lines"][0]["trialEndsOn"] = json!("2027-02-01");
        input
    };
    let mut refused = trial("OPP-TRIAL-BAD");
    refused["lines"][0]["trialEndsOn"] = json!("2026-12-01");
    refused["lines"][0]["startDate"] = json!("2027-01-01");
    let refused = app
        .gql_as(Role::Ae, CREATE, json!({ "input": refused }))
        .await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("lines.0.trialEndsOn"),
        "{refused}"
    );

    let mut contracts = Vec::new();
    for opportunity in ["OPP-TRIAL-1", "OPP-TRIAL-2"] {
        let created = app
            .gql_ok(
                Role::Ae,
                "mutation($input: DealCreateInput!) { dealCreate(input: $input) { deal { id tcv { amount } lines { trialEndsOn } } } }",
                json!({ "input": trial(opportunity) }),
            )
            .await["dealCreate"]["deal"]
            .clone();
        assert_eq!(created["tcv"]["amount"], "11000.00");
        assert_eq!(created["lines"][0]["trialEndsOn"], "2027-02-01");
        let contract = app
            .gql_ok(
                Role::VpRevops,
                "mutation($input: DealApproveInput!) { dealApprove(input: $input) { contract { id lines { id startDate trialFrom } } } }",
                json!({ "input": { "id": created["id"], "idempotencyKey": format!("approve-{opportunity}") } }),
            )
            .await["dealApprove"]["contract"]
            .clone();
        assert_eq!(contract["lines"][0]["startDate"], "2027-02-01");
        assert_eq!(contract["lines"][0]["trialFrom"], "2027-01-01");
        contracts.push(contract);
    }

    assert_eq!(
        bill(&app, "2027-01-01").await,
        json!([]),
        "nothing bills in the trial"
    );
    app.travel_to(day("2027-01-20")).await;
    app.gql_ok(
        Role::VpFinance,
        MODIFY,
        json!({ "input": {
            "contractId": contracts[1]["id"], "effectiveDate": "2027-01-20", "reason": "Not staying after the trial",
            "idempotencyKey": "trial-cancel",
            "changes": [{ "cancel": { "contractLineId": contracts[1]["lines"][0]["id"] } }],
        } }),
    )
    .await;
    let alerts = |day: &str| {
        let day = date(day);
        let app = &app;
        async move { app.app.billing.run_trial_alerts(day).await.unwrap() }
    };
    assert_eq!(alerts("2027-01-24").await, 0, "more than a week before");
    assert_eq!(
        alerts("2027-01-25").await,
        1,
        "the cancelled trial is not alerted"
    );
    assert_eq!(alerts("2027-01-26").await, 0, "once per line");
    let mine = app
        .gql_ok(Role::Ae, "query { myAlerts { title link } }", json!({}))
        .await["myAlerts"]
        .clone();
    assert_eq!(
        mine[0]["title"],
        "Hooli Trials's trial of Platform seats converts in 7 days"
    );

    let february = bill(&app, "2027-02-01").await;
    assert_eq!(february.as_array().unwrap().len(), 1, "{february}");
    assert_eq!(february[0]["total"]["amount"], "1000.00");
    app.travel_to(day("2027-03-01")).await;
    let months = app
        .gql_ok(
            Role::Cro,
            MOVEMENTS,
            json!({ "from": "2027-01-01", "to": "2027-02-28" }),
        )
        .await["mrrMovements"]
        .clone();
    assert_eq!(months[0]["movements"]["closing"]["amount"], "0.00");
    assert_eq!(months[1]["movements"]["new"]["amount"], "1000.00");
}

/// A usage line (API calls at 1.00 each, nothing included) committed to at least 12,000.00 over
/// January to March 2027. Usage bills 3,000.00, 2,500.00 and 4,000.00 = 9,500.00; once March is
/// over the run bills the 2,500.00 short of the commitment as a true-up line with its reckoning,
/// once. Revenue recognises the months' usage and, on the term's last day, the true-up: 12,000.00
/// in all, as billed. A commitment of zero is refused naming its field.
#[tokio::test]
async fn a_minimum_commitment_is_trued_up_once_its_term_is_over() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Hooli Commitments", "USD").await;
    let contract = approved(
        &app,
        seat_deal(&customer, app.user_id(Role::Ae), Value::Null),
        "commitment-approve",
    )
    .await;
    app.travel_to(day("2027-01-01")).await;
    let add = "mutation($input: ContractLineAddInput!) { contractLineAdd(input: $input) { id } }";
    let line = |commitment: &str| {
        json!({ "input": {
            "contractId": contract["id"], "kind": "USAGE", "productName": "API calls", "quantity": "1",
            "unitPrice": { "amount": "0.00", "currency": "USD" }, "startDate": "2027-01-01", "endDate": "2027-03-31",
            "usagePricing": { "meter": "api_calls", "aggregation": "SUM", "model": "PER_UNIT", "included": "0",
                "tiers": [{ "unitPrice": "1.00" }], "minimumCommitment": commitment },
        } })
    };
    let refused = app.gql_as(Role::VpRevops, add, line("0")).await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("usagePricing.minimumCommitment"),
        "{refused}"
    );
    let usage = app.gql_ok(Role::VpRevops, add, line("12000.00")).await["contractLineAdd"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.travel_to(day("2027-04-01")).await;
    let record =
        "mutation($records: [UsageRecordInput!]!) { usageRecord(records: $records) { accepted } }";
    let records: Vec<Value> = [("2027-01-15", "3000"), ("2027-02-15", "2500"), ("2027-03-15", "4000")]
        .iter()
        .map(|(on, quantity)| json!({ "contractLineId": usage, "meter": "api_calls", "quantity": quantity, "occurredAt": format!("{on}T10:00:00Z"), "clientId": format!("use-{on}") }))
        .collect();
    assert_eq!(
        app.gql_ok(Role::Admin, record, json!({ "records": records }))
            .await["usageRecord"]["accepted"],
        3
    );
    let issued = bill(&app, "2027-04-01").await;
    let lines: Vec<(String, String)> = issued
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|invoice| invoice["lines"].as_array().unwrap().clone())
        .filter(|line| {
            line["description"]
                .as_str()
                .unwrap()
                .starts_with("API calls")
        })
        .map(|line| {
            (
                line["description"].as_str().unwrap().to_string(),
                line["amount"]["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                "API calls: api_calls overage, 2027-01".to_string(),
                "3000.00".to_string()
            ),
            (
                "API calls: api_calls overage, 2027-02".to_string(),
                "2500.00".to_string()
            ),
            (
                "API calls: api_calls overage, 2027-03".to_string(),
                "4000.00".to_string()
            ),
            (
                "API calls: minimum commitment true-up (2027-01-01 – 2027-03-31)".to_string(),
                "2500.00".to_string()
            ),
        ],
        "{issued}"
    );
    assert!(bill(&app, "2027-04-02")
        .await
        .as_array()
        .unwrap()
        .is_empty());

    for period in ["2027-01", "2027-02", "2027-03"] {
        app.gql_ok(Role::Cfo, REVENUE_RUN, json!({ "period": period }))
            .await;
    }
    let rows = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { revenueSchedule(contractId: $id) { rows { productName amount { amount } status } } }",
            json!({ "id": contract["id"] }),
        )
        .await["revenueSchedule"]["rows"]
        .clone();
    let recognised: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["productName"] == "API calls" && row["status"] == "recognised")
        .map(|row| row["amount"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        recognised,
        vec!["3000.00", "2500.00", "4000.00", "2500.00"],
        "{rows}"
    );
}
