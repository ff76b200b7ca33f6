//! Bringing running contracts and their deferred revenue over at cut-over, over HTTP: the
//! contracts import (billing resumes after what the old system invoiced), the deferred revenue
//! import (Dr opening balance equity · Cr deferred revenue, recognised by the normal runs), and
//! the tie-out: imported deferred = each contract's schedule = the waterfall = ledger deferred.
//!
//! Figures are worked by hand below from the DOMAIN rules: periods billed in advance on the line's
//! anniversary, and what the old system invoiced for service after the cut-over is the period's
//! price × its days after the cut-over ÷ its days.

use crate::billing::tax_rate;
use crate::commissions;
use crate::imports::{
    amount_of, commit, error_cells, import_customers, rows, upload, CUTOVER, TRIAL,
};
use chrono::TimeZone;
use revops::access::Role;
use revops_tests::{csv_of, email_of, error_code, error_field, xlsx_of, TestApp};
use serde_json::{json, Value};

const CONTRACT_HEADER: [&str; 14] = [
    "contract_ref",
    "customer_ref",
    "product",
    "quantity",
    "unit_price",
    "currency",
    "billing_frequency",
    "start_date",
    "end_date",
    "billed_through",
    "tax_jurisdiction",
    "payment_terms",
    "owner_email",
    "renewal_uplift_percent",
];
const DEFERRED_HEADER: [&str; 5] = ["contract_ref", "product", "month", "currency", "amount"];
const CONTRACT: &str = "query($search: String!) { deals(search: $search) { nodes { status contract { id contractNumber broughtOverOn tcv { amount currency } arr { amount } lines { productName billedThrough } } } } }";
const SCHEDULE: &str = "query($id: ID!) { revenueSchedule(contractId: $id) { billedToDate { amount } recognisedToDate { amount } remainingToRecognise { amount } deferredBalance { amount } rows { kind month amount { amount } status } } }";
const WATERFALL: &str = "query($asOf: Date) { revenueWaterfall(asOf: $asOf, months: 12) { currencies { currency deferredBalance { amount } scheduled { amount } } rows { currency month amount { amount } } } }";
const BILL_RUN: &str = "mutation($asOf: Date!) { billRun(asOf: $asOf) { issued { customerName total { amount currency } lines { description amount { amount } } } } }";

/// The old system's running contracts on the cut-over date (2026-11-26):
/// - OLD-C-1: 10 seats × 1,200.00 a year, prepaid through 2027-03-31 (term value 12,000.00);
/// - OLD-C-2: analytics at 500.00 a month from the 15th, invoiced through 2026-12-14, and
///   2 support units × 300.00 a quarter, invoiced through 2026-12-31;
/// - OLD-C-3: a EUR subscription starting after the cut-over, nothing invoiced yet.
fn contracts_file() -> Vec<Vec<String>> {
    rows(
        &CONTRACT_HEADER,
        &[
            vec![
                "OLD-C-1",
                "ACCT-1",
                "Platform seats",
                "10",
                "1200.00",
                "USD",
                "annually",
                "2026-04-01",
                "2027-03-31",
                "2027-03-31",
                "US-CA",
                "net_30",
                "ae@test.revops",
                "5",
            ],
            vec![
                "OLD-C-2",
                "ACCT-2",
                "Analytics",
                "",
                "500.00",
                "USD",
                "monthly",
                "2026-01-15",
                "2027-01-14",
                "2026-12-14",
                "US-CA",
                "",
                "",
                "",
            ],
            vec![
                "OLD-C-2",
                "ACCT-2",
                "Support",
                "2",
                "300.00",
                "USD",
                "quarterly",
                "2026-10-01",
                "2027-09-30",
                "2026-12-31",
                "US-CA",
                "",
                "",
                "",
            ],
            vec![
                "OLD-C-3",
                "ACCT-3",
                "Platform",
                "1",
                "2400.00",
                "EUR",
                "Annually",
                "2027-01-01",
                "2027-12-31",
                "",
                "DE",
                "net_45",
                "",
                "",
            ],
        ],
    )
}

/// The revenue schedule spreadsheet: what each line still defers, by month.
/// - OLD-C-1: 12,000.00 × 125/365 days after the cut-over = 4,109.59 (Nov 4 days 131.51,
///   Dec and Jan 31 days 1,019.18, Feb 28 days 920.55, Mar the rest 1,019.17);
/// - Analytics: the period Nov 15 – Dec 14 (30 days), 18 days after the cut-over: 300.00;
/// - Support: the quarter Oct – Dec (92 days, 600.00), 35 days after the cut-over: 228.26.
fn deferred_file() -> Vec<Vec<String>> {
    rows(
        &DEFERRED_HEADER,
        &[
            vec!["OLD-C-1", "Platform seats", "2026-11", "USD", "131.51"],
            vec!["OLD-C-1", "Platform seats", "2026-12", "USD", "1019.18"],
            vec!["OLD-C-1", "Platform seats", "2027-01", "USD", "1019.18"],
            vec!["OLD-C-1", "Platform seats", "2027-02", "USD", "920.55"],
            vec!["OLD-C-1", "Platform seats", "2027-03", "USD", "1019.17"],
            vec!["OLD-C-2", "Analytics", "2026-11", "USD", "66.67"],
            vec!["OLD-C-2", "Analytics", "2026-12", "USD", "233.33"],
            vec!["OLD-C-2", "Support", "2026-11", "USD", "26.09"],
            vec!["OLD-C-2", "Support", "2026-12", "USD", "202.17"],
        ],
    )
}

async fn contract_of(app: &TestApp, reference: &str) -> Value {
    let found = app
        .gql_ok(Role::Cfo, CONTRACT, json!({ "search": reference }))
        .await;
    found["deals"]["nodes"][0].clone()
}

async fn bring_contracts_over(app: &TestApp) {
    let imported = upload(
        app,
        "contracts",
        "contracts.xlsx",
        Some(CUTOVER),
        xlsx_of(&contracts_file()),
    )
    .await;
    assert_eq!(imported["status"], "VALIDATED", "{imported}");
    assert_eq!(imported["preview"]["records"], 3);
    // Term values: 12,000.00; 12 × 500.00 + 4 × 600.00 = 8,400.00; EUR 2,400.00.
    assert_eq!(
        imported["preview"]["totals"],
        json!([{ "amount": "2400.00", "currency": "EUR" }, { "amount": "20400.00", "currency": "USD" }])
    );
    assert_eq!(imported["preview"]["entries"], json!([]));
    assert_eq!(commit(app, &imported["id"]).await["result"]["records"], 3);
}

#[tokio::test]
async fn brought_over_contracts_bill_after_the_old_system_and_their_deferred_revenue_ties_out() {
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "7.25").await;
    tax_rate(&app, "DE", "19").await;
    import_customers(&app, 3).await;
    bring_contracts_over(&app).await;

    let first = contract_of(&app, "OLD-C-1").await;
    assert_eq!(first["status"], "APPROVED");
    let contract = &first["contract"];
    assert_eq!(contract["broughtOverOn"], CUTOVER);
    assert_eq!(
        contract["tcv"],
        json!({ "amount": "12000.00", "currency": "USD" })
    );
    assert_eq!(contract["arr"]["amount"], "12000.00");
    assert_eq!(contract["lines"][0]["billedThrough"], "2027-03-31");
    let first_id = contract["id"].clone();
    // Its periods continue the old system's: neither its billing day nor its proration
    // convention can be changed (issue 20), each refused on contractId saying why.
    for (mutation, variables) in [
        (
            "mutation($id: ID!) { contractSetBillingDay(contractId: $id, billingDay: 1) { billingDay } }",
            json!({ "id": first_id }),
        ),
        (
            "mutation($id: ID!) { contractSetProration(contractId: $id, proration: WHOLE_PERIODS) { proration } }",
            json!({ "id": first_id }),
        ),
    ] {
        let refused = app.gql_as(Role::VpFinance, mutation, variables).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["field"], "contractId",
            "{refused}"
        );
        assert!(
            refused.to_string().contains("was brought over from the old system on 2026-11-26"),
            "{refused}"
        );
    }

    // The renewal schedule came with the contracts: end date, owner and uplift.
    let pipeline = app
        .gql_ok(Role::Cro, "{ renewalPipeline(days: 180) { contractNumber renewalDate ownerName upliftPercent arr { amount } } }", json!({}))
        .await;
    let renewal = pipeline["renewalPipeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|renewal| renewal["contractNumber"] == contract["contractNumber"])
        .cloned()
        .unwrap_or_else(|| panic!("{pipeline}"));
    assert_eq!(renewal["renewalDate"], "2027-04-01");
    assert_eq!(renewal["upliftPercent"], "5");
    assert!(renewal["ownerName"].is_string(), "{renewal}");
    // Booked in April in the old tool, where its commission was paid: none here, even for an
    // AE on a bookings plan that covers April.
    commissions::import(
        &app,
        &commissions::plan(
            "IMP",
            "year",
            "100000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n",
            "",
        ),
    )
    .await;
    commissions::assign(&app, Role::Ae, "IMP").await;
    let april = commissions::calculate(&app, "2026-04").await;
    assert_eq!(april["lines"], 0, "{april}");
    let second_id = contract_of(&app, "OLD-C-2").await["contract"]["id"].clone();

    let imported = upload(
        &app,
        "deferred_revenue",
        "revenue-schedule.csv",
        Some(CUTOVER),
        csv_of(&deferred_file()),
    )
    .await;
    assert_eq!(imported["status"], "VALIDATED", "{imported}");
    assert_eq!(
        imported["preview"]["totals"],
        json!([{ "amount": "4637.85", "currency": "USD" }])
    );
    let entry = &imported["preview"]["entries"][0]["lines"];
    assert_eq!(entry[0]["accountCode"], "3000");
    assert_eq!(entry[0]["debit"]["amount"], "4637.85");
    assert_eq!(entry[1]["accountCode"], "2000");
    assert_eq!(entry[1]["credit"]["amount"], "4637.85");
    let committed = commit(&app, &imported["id"]).await;
    assert_eq!(committed["result"]["records"], 9);

    // The tie-out on the cut-over date: imported = each contract's schedule = waterfall = ledger.
    let schedule = |id: Value| {
        let app = &app;
        async move {
            app.gql_ok(Role::Cfo, SCHEDULE, json!({ "id": id })).await["revenueSchedule"].clone()
        }
    };
    let prepaid = schedule(first_id.clone()).await;
    assert_eq!(prepaid["deferredBalance"]["amount"], "4109.59");
    assert_eq!(prepaid["remainingToRecognise"]["amount"], "4109.59");
    assert_eq!(prepaid["rows"].as_array().unwrap().len(), 5, "{prepaid}");
    let running = schedule(second_id.clone()).await;
    assert_eq!(running["deferredBalance"]["amount"], "528.26");
    // Still to recognise: 528.26 deferred + what revops will bill (500.00 + 3 × 600.00).
    assert_eq!(running["remainingToRecognise"]["amount"], "2828.26");
    let trial = app
        .gql_ok(Role::Cfo, TRIAL, json!({ "asOf": CUTOVER }))
        .await["trialBalance"]
        .clone();
    assert_eq!(trial["isBalanced"], true);
    assert_eq!(amount_of(&trial["lines"], "2000", "USD"), "-4637.85");
    assert_eq!(amount_of(&trial["lines"], "3000", "USD"), "4637.85");
    let waterfall = app
        .gql_ok(Role::Cfo, WATERFALL, json!({ "asOf": CUTOVER }))
        .await["revenueWaterfall"]
        .clone();
    let usd = waterfall["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["currency"] == "USD")
        .cloned()
        .unwrap();
    assert_eq!(usd["deferredBalance"]["amount"], "4637.85");
    // Everything scheduled in USD: the deferred 4,637.85 plus the 2,300.00 revops will bill.
    assert_eq!(usd["scheduled"]["amount"], "6937.85");

    // December's first day: November's opening rows are recognised by the normal run,
    // 131.51 + 66.67 + 26.09 = 224.27, out of deferred revenue.
    app.travel_to(chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap())
        .await;
    let run = app
        .gql_ok(
            Role::Cfo,
            "mutation { revenueRun(period: \"2026-11\") { total { amount currency } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        run["revenueRun"]["total"],
        json!([{ "amount": "224.27", "currency": "USD" }])
    );
    let trial = app
        .gql_ok(Role::Cfo, TRIAL, json!({ "asOf": "2026-11-30" }))
        .await["trialBalance"]
        .clone();
    assert_eq!(amount_of(&trial["lines"], "2000", "USD"), "-4413.58");
    assert_eq!(amount_of(&trial["lines"], "4000", "USD"), "-224.27");

    // Billing resumes after what the old system invoiced: on 15 December only the analytics
    // month from the 15th (500.00 + 7.25% tax), nothing for the prepaid seats.
    app.travel_to(chrono::Utc.with_ymd_and_hms(2026, 12, 15, 9, 0, 0).unwrap())
        .await;
    let run = app
        .gql_ok(Role::Admin, BILL_RUN, json!({ "asOf": "2026-12-15" }))
        .await;
    let issued = run["billRun"]["issued"].as_array().unwrap().clone();
    assert_eq!(issued.len(), 1, "{run}");
    assert_eq!(
        issued[0]["total"],
        json!({ "amount": "536.25", "currency": "USD" })
    );
    assert_eq!(issued[0]["lines"].as_array().unwrap().len(), 1);
    // On 1 January: the support quarter (600.00 + 43.50) and the EUR year (2,400.00 + 456.00).
    app.travel_to(chrono::Utc.with_ymd_and_hms(2027, 1, 1, 9, 0, 0).unwrap())
        .await;
    let run = app
        .gql_ok(Role::Admin, BILL_RUN, json!({ "asOf": "2027-01-01" }))
        .await;
    let mut totals: Vec<String> = run["billRun"]["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|invoice| {
            format!(
                "{} {}",
                invoice["total"]["currency"].as_str().unwrap(),
                invoice["total"]["amount"].as_str().unwrap()
            )
        })
        .collect();
    totals.sort();
    assert_eq!(totals, vec!["EUR 2856.00", "USD 643.50"], "{run}");
    let prepaid = schedule(first_id).await;
    assert_eq!(prepaid["billedToDate"]["amount"], "4109.59");
}

#[tokio::test]
async fn contract_and_deferred_rows_that_do_not_fit_the_cut_over_are_named_and_nothing_is_written()
{
    let app = TestApp::spawn().await;
    import_customers(&app, 3).await;
    let bad_contracts = rows(
        &CONTRACT_HEADER,
        &[
            // Not the last day of an annual period (which end on 03-31).
            vec![
                "BAD-1",
                "ACCT-1",
                "Seats",
                "1",
                "100.00",
                "USD",
                "annually",
                "2026-04-01",
                "2027-03-31",
                "2027-02-28",
                "US-CA",
                "",
                "",
                "",
            ],
            // In service on the cut-over but invoiced only through October.
            vec![
                "BAD-2",
                "ACCT-1",
                "Seats",
                "1",
                "100.00",
                "USD",
                "monthly",
                "2026-01-01",
                "2026-12-31",
                "2026-10-31",
                "US-CA",
                "",
                "",
                "",
            ],
            // The second row of one contract in another currency.
            vec![
                "BAD-3",
                "ACCT-2",
                "Seats",
                "1",
                "100.00",
                "USD",
                "monthly",
                "2027-01-01",
                "2027-12-31",
                "",
                "US-CA",
                "",
                "",
                "",
            ],
            vec![
                "BAD-3",
                "ACCT-2",
                "Extra",
                "1",
                "100.00",
                "EUR",
                "monthly",
                "2027-01-01",
                "2027-12-31",
                "",
                "US-CA",
                "",
                "",
                "",
            ],
            vec![
                "BAD-4",
                "NOPE",
                "Seats",
                "1",
                "100.00",
                "USD",
                "weekly",
                "2027-01-01",
                "2027-12-31",
                "",
                "US-CA",
                "",
                "",
                "",
            ],
        ],
    );
    let rejected = upload(
        &app,
        "contracts",
        "bad.csv",
        Some(CUTOVER),
        csv_of(&bad_contracts),
    )
    .await;
    assert_eq!(rejected["status"], "REJECTED");
    let named: Vec<(i64, String)> = error_cells(&rejected);
    assert_eq!(
        named,
        vec![
            (2, "billed_through".to_string()),
            (3, "billed_through".to_string()),
            (5, "currency".to_string()),
            (6, "customer_ref".to_string()),
        ],
        "{rejected}"
    );
    assert!(rejected["errors"][1]["message"]
        .as_str()
        .unwrap()
        .contains("only through 2026-10-31"));
    let none = app
        .gql_ok(Role::Cfo, CONTRACT, json!({ "search": "BAD-" }))
        .await;
    assert_eq!(none["deals"]["nodes"], json!([]));

    bring_contracts_over(&app).await;
    let bad_deferred = rows(
        &DEFERRED_HEADER,
        &[
            // November 2026 ends after the cut-over, but October does not.
            vec!["OLD-C-1", "Platform seats", "2026-10", "USD", "100.00"],
            // More than the 4,109.59 the old system invoiced after the cut-over.
            vec!["OLD-C-1", "Platform seats", "2026-12", "USD", "4200.00"],
            // Nothing of OLD-C-3 was invoiced, so nothing is deferred.
            vec!["OLD-C-3", "Platform", "2027-01", "EUR", "200.00"],
            vec!["NOT-THERE", "Platform", "2027-01", "USD", "200.00"],
            vec!["OLD-C-2", "Analytics", "2026-12", "EUR", "10.00"],
        ],
    );
    let rejected = upload(
        &app,
        "deferred_revenue",
        "bad-schedule.csv",
        Some(CUTOVER),
        csv_of(&bad_deferred),
    )
    .await;
    assert_eq!(rejected["status"], "REJECTED");
    let named: Vec<(i64, String)> = error_cells(&rejected);
    assert_eq!(
        named,
        vec![
            (2, "month".to_string()),
            (3, "amount".to_string()),
            (4, "month".to_string()),
            (5, "product".to_string()),
            (6, "currency".to_string()),
        ],
        "{rejected}"
    );
    let trial = app
        .gql_ok(Role::Cfo, TRIAL, json!({ "asOf": CUTOVER }))
        .await["trialBalance"]
        .clone();
    assert_eq!(amount_of(&trial["lines"], "2000", "USD"), "0.00");

    // Stated as of another cut-over date than the contracts were brought over on.
    let other_date = upload(
        &app,
        "deferred_revenue",
        "late.csv",
        Some("2026-11-27"),
        csv_of(&deferred_file()),
    )
    .await;
    assert_eq!(other_date["status"], "REJECTED");
    assert_eq!(other_date["errors"][0]["column"], "contract_ref");
}

#[tokio::test]
async fn commission_assignments_and_quotas_come_in_by_the_commission_rules_or_not_at_all() {
    let app = TestApp::spawn().await;
    commissions::import(
        &app,
        &commissions::plan(
            "AE-2026",
            "year",
            "100000.00",
            "  - name: Bookings\n    metric: bookings_acv\n    rate: 10\n",
            "",
        ),
    )
    .await;
    let header = [
        "rep_email",
        "plan_code",
        "effective_from",
        "effective_to",
        "quota",
    ];
    let ae = email_of(Role::Ae);
    let manager = email_of(Role::AccountManager);
    let bad = rows(
        &header,
        &[
            vec![
                ae.as_str(),
                "AE-2026",
                "2026-01-01",
                "2026-06-30",
                "120,000.00",
            ],
            vec!["nobody@example.com", "AE-2026", "2026-01-01", "", ""],
            vec![manager.as_str(), "NO-SUCH-PLAN", "2026-01-01", "", ""],
            // Overlaps the first row's January–June.
            vec![ae.as_str(), "AE-2026", "2026-03-01", "", ""],
            vec![manager.as_str(), "AE-2026", "2026-05-01", "2026-04-30", ""],
            vec![manager.as_str(), "AE-2026", "2026-01-01", "", "-5"],
        ],
    );
    let rejected = upload(
        &app,
        "commission_assignments",
        "quotas.csv",
        None,
        csv_of(&bad),
    )
    .await;
    assert_eq!(rejected["status"], "REJECTED");
    let named: Vec<(i64, String)> = error_cells(&rejected);
    assert_eq!(
        named,
        vec![
            (3, "rep_email".to_string()),
            (4, "plan_code".to_string()),
            (5, "effective_from".to_string()),
            (6, "effective_to".to_string()),
            (7, "quota".to_string()),
        ],
        "{rejected}"
    );
    // The rehearsal kept nothing.
    let none = app
        .gql_ok(
            Role::VpRevops,
            "{ commissionAssignments { id } }",
            json!({}),
        )
        .await;
    assert_eq!(none["commissionAssignments"], json!([]));

    let good = rows(
        &header,
        &[
            vec![
                ae.as_str(),
                "AE-2026",
                "2026-01-01",
                "2026-06-30",
                "120,000.00",
            ],
            vec![ae.as_str(), "AE-2026", "2026-07-01", "", "150000"],
            vec![manager.as_str(), "AE-2026", "2026-01-01", "", ""],
        ],
    );
    let imported = upload(
        &app,
        "commission_assignments",
        "quotas.xlsx",
        None,
        xlsx_of(&good),
    )
    .await;
    assert_eq!(imported["status"], "VALIDATED", "{imported}");
    assert_eq!(commit(&app, &imported["id"]).await["result"]["records"], 3);
    let assigned = app
        .gql_ok(
            Role::VpRevops,
            "query($userId: ID) { commissionAssignments(userId: $userId) { planCode effectiveFrom effectiveTo quota { amount currency } } }",
            json!({ "userId": app.user_id(Role::Ae).to_string() }),
        )
        .await;
    let mut periods: Vec<String> = assigned["commissionAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            format!(
                "{} {} {} {}",
                row["planCode"].as_str().unwrap(),
                row["effectiveFrom"].as_str().unwrap(),
                row["effectiveTo"].as_str().unwrap_or("open"),
                row["quota"]["amount"].as_str().unwrap_or("plan")
            )
        })
        .collect();
    periods.sort();
    assert_eq!(
        periods,
        vec![
            "AE-2026 2026-01-01 2026-06-30 120000.00",
            "AE-2026 2026-07-01 open 150000.00"
        ]
    );
}

#[tokio::test]
async fn the_signed_pdf_is_kept_with_its_contract_checked_by_content_and_size() {
    let app = TestApp::spawn().await;
    import_customers(&app, 3).await;
    bring_contracts_over(&app).await;
    let contract_id = contract_of(&app, "OLD-C-1").await["contract"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/contracts/{contract_id}/documents?fileName=OLD-C-1%20signed.pdf");
    let pdf =
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
            .to_vec();

    // A Word file renamed .pdf, a cut-short PDF, one too large, and a role that may not attach.
    let (status, body) = app
        .post_bytes(
            Role::VpRevops,
            &path,
            b"PK\x03\x04word/document.xml".to_vec(),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (400, Some("file")),
        "{body}"
    );
    let (status, _) = app
        .post_bytes(Role::VpRevops, &path, pdf[..40].to_vec())
        .await;
    assert_eq!(status, 400);
    let mut large = b"%PDF-1.7\n".to_vec();
    large.resize(21 * 1024 * 1024, b' ');
    large.extend_from_slice(b"%%EOF");
    let (status, body) = app.post_bytes(Role::VpRevops, &path, large).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("LIMIT")),
        "{body}"
    );
    let (status, _) = app.post_bytes(Role::Ae, &path, pdf.clone()).await;
    assert_eq!(status, 403);

    let (status, body) = app.post_bytes(Role::VpRevops, &path, pdf.clone()).await;
    assert_eq!(status, 201, "{body}");
    let listed = app
        .gql_ok(
            Role::Cfo,
            "query($search: String!) { deals(search: $search) { nodes { contract { documents { id fileName fileBytes fileSha256 uploadedByName downloadUrl } } } } }",
            json!({ "search": "OLD-C-1" }),
        )
        .await;
    let documents = listed["deals"]["nodes"][0]["contract"]["documents"].clone();
    assert_eq!(documents.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(documents[0]["fileName"], "OLD-C-1 signed.pdf");
    assert_eq!(documents[0]["fileBytes"], pdf.len());
    assert_eq!(documents[0]["fileSha256"], body["fileSha256"]);
    let (status, bytes) = app
        .get_bytes(Role::Cfo, documents[0]["downloadUrl"].as_str().unwrap())
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes, pdf);
}

/// A running SOW on the cut-over date: seats invoiced through November, and work the old system
/// has not invoiced — two licences still to deliver, a go-live milestone due in February and 40
/// estimated hours of consulting at 150.00.
fn sow_file(licence_frequency: &str, milestone_billed_through: &str) -> Vec<Vec<String>> {
    let mut header: Vec<&str> = CONTRACT_HEADER.to_vec();
    header.push("kind");
    rows(
        &header,
        &[
            vec![
                "OLD-S-1",
                "ACCT-1",
                "Platform seats",
                "10",
                "100.00",
                "USD",
                "monthly",
                "2026-11-01",
                "2027-10-31",
                "2026-11-30",
                "US-CA",
                "",
                "",
                "",
                "subscription",
            ],
            vec![
                "OLD-S-1",
                "ACCT-1",
                "On-prem licence",
                "2",
                "3000.00",
                "USD",
                licence_frequency,
                "2026-11-01",
                "2027-10-31",
                "",
                "US-CA",
                "",
                "",
                "",
                "perpetual_license",
            ],
            vec![
                "OLD-S-1",
                "ACCT-1",
                "Go-live",
                "1",
                "8000.00",
                "USD",
                "",
                "2026-11-01",
                "2027-02-28",
                milestone_billed_through,
                "US-CA",
                "",
                "",
                "",
                "milestone",
            ],
            vec![
                "OLD-S-1",
                "ACCT-1",
                "Consulting",
                "40",
                "150.00",
                "USD",
                "",
                "2026-11-01",
                "2027-10-31",
                "",
                "US-CA",
                "",
                "",
                "",
                "time_and_materials",
            ],
        ],
    )
}

#[tokio::test]
async fn a_running_sows_unbilled_licence_milestone_and_hours_come_over_as_their_own_lines() {
    // Proves the contracts import takes what the old system has not invoiced on a running SOW:
    // a licence still to deliver, a milestone still to accept and T&M hours still to work come in
    // as lines of those kinds beside the subscription. The TCV counts them (12 × 1,000.00 of
    // seats + 2 × 3,000.00 + 8,000.00 + the 40 × 150.00 estimate = 32,000.00), the ARR only the
    // seats (12,000.00). A licence with a frequency, or a milestone the old system already
    // invoiced, is refused naming the cell and nothing is written. After the import the licence
    // is billed when delivered and the milestone when accepted, by the normal bill run.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    import_customers(&app, 1).await;

    let refused = upload(
        &app,
        "contracts",
        "sow.csv",
        Some(CUTOVER),
        csv_of(&sow_file("annually", "2026-10-31")),
    )
    .await;
    assert_eq!(refused["status"], "REJECTED", "{refused}");
    assert_eq!(
        error_cells(&refused),
        vec![
            (3, "billing_frequency".to_string()),
            (4, "billed_through".to_string())
        ]
    );
    assert_eq!(app.sql_count("SELECT COUNT(*) FROM contracts").await, 0);

    let imported = upload(
        &app,
        "contracts",
        "sow.csv",
        Some(CUTOVER),
        csv_of(&sow_file("", "")),
    )
    .await;
    assert_eq!(imported["status"], "VALIDATED", "{imported}");
    assert_eq!(
        imported["preview"]["totals"],
        json!([{ "amount": "32000.00", "currency": "USD" }])
    );
    commit(&app, &imported["id"]).await;
    let found = app
        .gql_ok(
            Role::Cfo,
            "{ deals(search: \"OLD-S-1\") { nodes { contract { tcv { amount } arr { amount } lines { id productName kind billingFrequency } } } } }",
            json!({}),
        )
        .await;
    let contract = &found["deals"]["nodes"][0]["contract"];
    assert_eq!(contract["tcv"]["amount"], "32000.00");
    assert_eq!(contract["arr"]["amount"], "12000.00");
    let lines = contract["lines"].as_array().unwrap();
    let kinds: Vec<&str> = lines
        .iter()
        .map(|line| line["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "SUBSCRIPTION",
            "PERPETUAL_LICENSE",
            "MILESTONE",
            "TIME_AND_MATERIALS"
        ]
    );
    assert_eq!(lines[2]["billingFrequency"], "MILESTONE");

    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!) { contractLineDeliver(id: $id) { deliveredAt } }",
        json!({ "id": lines[1]["id"] }),
    )
    .await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!) { contractLineDeliver(id: $id) { deliveredAt } }",
        json!({ "id": lines[2]["id"] }),
    )
    .await;
    app.gql_ok(
        Role::VpRevops,
        "mutation($id: ID!, $note: String!) { contractLineAccept(id: $id, note: $note) { acceptedAt } }",
        json!({ "id": lines[2]["id"], "note": "Go-live signed off" }),
    )
    .await;
    let run = app
        .gql_ok(Role::Admin, BILL_RUN, json!({ "asOf": "2026-12-01" }))
        .await;
    let issued = run["billRun"]["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 1, "{run}");
    // December's seats (1,000.00), the two licences (6,000.00) and the milestone (8,000.00).
    assert_eq!(issued[0]["total"]["amount"], "15000.00", "{run}");
}

const RENEWALS: &str = "{ renewalPipeline(days: 365) { contractId contractNumber renewalDate ownerName upliftPercent } }";

/// The renewal pipeline's row of a brought-over contract, as `role` sees it (`None` when the
/// role's book does not hold it).
async fn renewal_of(app: &TestApp, role: Role, reference: &str) -> Option<Value> {
    let number = contract_of(app, reference).await["contract"]["contractNumber"].clone();
    let pipeline = app.gql_ok(role, RENEWALS, json!({})).await;
    pipeline["renewalPipeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|renewal| renewal["contractNumber"] == number)
        .cloned()
}

#[tokio::test]
async fn a_renewal_schedule_hands_renewals_to_their_owners_and_checks_each_contracts_end() {
    // Issue 15's renewal schedules: the customer-success sheet of who owns each running
    // contract's renewal and its uplift, for contracts already in revops. A row that disagrees
    // with revops (another end date, a CFO as owner, an unknown or repeated contract) is named
    // and nothing is written; a valid file changes the owners and uplifts, posts nothing, and the
    // new owner finds the renewal in their own book. The deal keeps its AE.
    let app = TestApp::spawn().await;
    import_customers(&app, 3).await;
    bring_contracts_over(&app).await;
    let seats = contract_of(&app, "OLD-C-1").await["contract"].clone();
    let seats_number = seats["contractNumber"].as_str().unwrap().to_string();
    let am = email_of(Role::AccountManager);
    assert_eq!(
        renewal_of(&app, Role::AccountManager, "OLD-C-2").await,
        None,
        "the account manager manages none of these customers yet"
    );
    const HEADER: [&str; 4] = [
        "contract",
        "end_date",
        "owner_email",
        "renewal_uplift_percent",
    ];
    let cfo = email_of(Role::Cfo);
    let bad = rows(
        &HEADER,
        &[
            // OLD-C-2 ends with its support line on 2027-09-30, not with analytics.
            vec!["OLD-C-2", "2027-01-14", &am, "7.5"],
            vec![&seats_number, "", &cfo, ""],
            vec!["OLD-C-9", "", &am, ""],
            vec!["OLD-C-3", "", "", ""],
            vec!["OLD-C-3", "2027-12-31", "", "120"],
            vec![&seats_number, "", "", "3"],
            vec!["OLD-C-1", "", "", "4"],
        ],
    );
    let rejected = upload(
        &app,
        "renewal_schedules",
        "renewals.csv",
        None,
        csv_of(&bad),
    )
    .await;
    assert_eq!(rejected["status"], "REJECTED", "{rejected}");
    assert_eq!(
        error_cells(&rejected),
        vec![
            (2, "end_date".to_string()),
            (3, "owner_email".to_string()),
            (4, "contract".to_string()),
            (5, "owner_email".to_string()),
            (6, "renewal_uplift_percent".to_string()),
            (8, "contract".to_string()),
        ],
        "{rejected}"
    );
    let messages = rejected["errors"].to_string();
    assert!(
        messages.contains("ends on 2027-09-30 in revops, not 2027-01-14"),
        "{messages}"
    );
    assert!(messages.contains("cannot manage renewals"), "{messages}");
    assert!(messages.contains("also on row 7"), "{messages}");
    let untouched = renewal_of(&app, Role::Cro, "OLD-C-1").await.unwrap();
    assert_eq!(untouched["upliftPercent"], "5");

    let good = rows(
        &HEADER,
        &[
            vec!["OLD-C-2", "2027-09-30", &am, "7.5"],
            vec![&seats_number, "2027-03-31", "", "3"],
        ],
    );
    let validated = upload(
        &app,
        "renewal_schedules",
        "renewals.xlsx",
        None,
        xlsx_of(&good),
    )
    .await;
    assert_eq!(validated["status"], "VALIDATED", "{validated}");
    assert_eq!(validated["preview"]["records"], 2);
    assert_eq!(validated["preview"]["entries"], json!([]));
    let committed = commit(&app, &validated["id"]).await;
    assert_eq!(
        committed["result"],
        json!({ "records": 2, "entryNumbers": [] })
    );

    let handed = renewal_of(&app, Role::Cro, "OLD-C-2").await.unwrap();
    assert_eq!(handed["ownerName"], "Test Account Manager", "{handed}");
    assert_eq!(handed["upliftPercent"], "7.5");
    assert_eq!(handed["renewalDate"], "2027-10-01");
    let kept = renewal_of(&app, Role::Cro, "OLD-C-1").await.unwrap();
    assert_eq!(kept["upliftPercent"], "3");
    assert_eq!(
        kept["ownerName"], "Test Account Executive",
        "the owner column was empty: unchanged"
    );
    // The account manager now owns it, sees it in their book and sets its status.
    let own = renewal_of(&app, Role::AccountManager, "OLD-C-2").await;
    assert_eq!(
        own.as_ref().map(|row| row["contractNumber"].clone()),
        Some(handed["contractNumber"].clone())
    );
    app.gql_ok(
        Role::AccountManager,
        "mutation($input: RenewalStatusSetInput!) { renewalStatusSet(input: $input) { status } }",
        json!({ "input": { "contractId": handed["contractId"], "status": "YELLOW", "reason": "Budget review in Q3" } }),
    )
    .await;
    // Each change is in the contract's audit trail with what it replaced.
    let audit = app
        .gql_ok(
            Role::Auditor,
            "query($id: String) { auditLog(entityType: \"contract\", entityId: $id) { nodes { action after } } }",
            json!({ "id": seats["id"] }),
        )
        .await;
    let trail = audit["auditLog"]["nodes"].to_string();
    assert!(trail.contains("contract.renewal_terms"), "{trail}");
    assert!(trail.contains(r#"\"upliftPercent\":\"5\""#), "{trail}");
    // A role that sees every renewal hands one over on its own page (renewalTermsSet), to
    // someone renewalOwners offers; an AE cannot give theirs away, and a CFO cannot own one.
    let owners = app
        .gql_ok(
            Role::Cro,
            "{ renewalOwners { id name email role } }",
            json!({}),
        )
        .await;
    let offered: Vec<&str> = owners["renewalOwners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|person| person["name"].as_str().unwrap())
        .collect();
    assert!(offered.contains(&"Test Account Manager"), "{owners}");
    assert!(!offered.contains(&"Test CFO"), "{owners}");
    let am_id = owners["renewalOwners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|person| person["email"] == am.as_str())
        .map(|person| person["id"].clone())
        .unwrap();
    let seats_renewal = renewal_of(&app, Role::Cro, "OLD-C-1").await.unwrap();
    const TERMS: &str = "mutation($input: RenewalTermsSetInput!) { renewalTermsSet(input: $input) { ownerName upliftPercent } }";
    let by_ae = app
        .gql_as(
            Role::Ae,
            TERMS,
            json!({ "input": { "contractId": seats_renewal["contractId"], "upliftPercent": "9" } }),
        )
        .await;
    assert_eq!(error_code(&by_ae).as_deref(), Some("FORBIDDEN"), "{by_ae}");
    let cfo_id = app.gql_ok(Role::Cfo, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let to_cfo = app
        .gql_as(
            Role::Cro,
            TERMS,
            json!({ "input": { "contractId": seats_renewal["contractId"], "ownerId": cfo_id } }),
        )
        .await;
    assert_eq!(error_field(&to_cfo).as_deref(), Some("ownerId"), "{to_cfo}");
    let handed_over = app
        .gql_ok(Role::Cro, TERMS, json!({ "input": { "contractId": seats_renewal["contractId"], "ownerId": am_id, "upliftPercent": "2" } }))
        .await;
    assert_eq!(
        handed_over["renewalTermsSet"],
        json!({ "ownerName": "Test Account Manager", "upliftPercent": "2" })
    );

    // The same file sent again is recognised before anything is kept.
    let again = upload(
        &app,
        "renewal_schedules",
        "renewals-copy.xlsx",
        None,
        xlsx_of(&good),
    )
    .await;
    assert_eq!(again["status"], "REJECTED", "{again}");
    assert!(
        again["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already imported"),
        "{again}"
    );
}
