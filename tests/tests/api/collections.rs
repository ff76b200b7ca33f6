//! Collections over GraphQL with the clock moved day by day: every ladder step on its exact day
//! exactly once; partial payments, disputes and missed days neither skip nor repeat a step;
//! credit holds placed and lifted; disputes with the 48-business-hour review; credit memos and
//! write-offs through maker-checker; bank receipts; statements; aging equal to the ledger.

use super::receivables::{
    aging_total, bill, contract, invoices_of, ledger_ar, pay_input, zero_tax,
};
use chrono::{Duration, NaiveDate};
use revops::entities::outbox_message;
use revops_tests::{error_code, error_field, Role, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use std::collections::HashMap;

const RUN: &str = "mutation($asOf: Date) { collectionsRun(asOf: $asOf) { actions { invoiceNumber days action label outcome } emailsQueued holdsPlaced holdsLifted disputesLate disputesEscalated } }";
const PAY: &str = "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }";
const CUSTOMER: &str =
    "query($id: ID!) { customer(id: $id) { onCreditHold creditHoldSource onWatch } }";

fn day(start: NaiveDate, offset: i64) -> NaiveDate {
    start + Duration::days(offset)
}

async fn move_to(app: &TestApp, date: NaiveDate) {
    app.travel_to(date.and_hms_opt(10, 0, 0).unwrap().and_utc())
        .await;
}

async fn run_on(app: &TestApp, date: NaiveDate) -> Value {
    move_to(app, date).await;
    app.gql_ok(Role::ArSpecialist, RUN, json!({ "asOf": date.to_string() }))
        .await["collectionsRun"]
        .clone()
}

async fn emails_of(app: &TestApp, kind: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Kind.eq(kind))
        .all(&app.app.db)
        .await
        .unwrap()
}

/// (offset day, invoice number, step days, outcome) for every action of the runs.
type Log = Vec<(i64, String, i64, String)>;

fn record(log: &mut Log, offset: i64, run: &Value) {
    for action in run["actions"].as_array().unwrap() {
        log.push((
            offset,
            action["invoiceNumber"].as_str().unwrap().to_string(),
            action["days"].as_i64().unwrap(),
            action["outcome"].as_str().unwrap().to_string(),
        ));
    }
}

fn steps_of<'a>(log: &'a Log, number: &str) -> Vec<&'a (i64, String, i64, String)> {
    log.iter().filter(|entry| entry.1 == number).collect()
}

#[tokio::test]
async fn the_ladder_runs_each_step_on_its_day_once_through_payments_and_disputes() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let plain = app.create_customer("Plain Ltd", "USD").await;
    let partial = app.create_customer("Partial Ltd", "USD").await;
    let disputed = app.create_customer("Disputed Ltd", "USD").await;
    for (customer, opportunity) in [
        (&plain, "OPP-L1"),
        (&partial, "OPP-L2"),
        (&disputed, "OPP-L3"),
    ] {
        contract(
            &app,
            customer,
            opportunity,
            "ANNUALLY",
            "12000.00",
            "USD",
            "2026-01-05",
            "2027-01-04",
        )
        .await;
    }
    bill(&app, "2026-01-05").await;
    let number = |invoices: Vec<Value>| invoices[0]["number"].as_str().unwrap().to_string();
    let plain_number = number(invoices_of(&app, &plain).await);
    let partial_number = number(invoices_of(&app, &partial).await);
    let disputed_invoice = invoices_of(&app, &disputed).await[0].clone();
    let disputed_number = disputed_invoice["number"].as_str().unwrap().to_string();
    let mut log = Log::new();
    let mut holds: HashMap<String, i64> = HashMap::new();
    let mut dispute_id = String::new();
    for offset in 0..=95 {
        let date = day(start, offset);
        move_to(&app, date).await;
        if offset == 20 {
            let logged = app
                .gql_ok(Role::ArSpecialist, "mutation($input: DisputeLogInput!) { disputeLog(input: $input) { id } }",
                    json!({ "input": { "invoiceId": disputed_invoice["id"], "reason": "PRICING", "disputedAmount": "2000.00", "customerStatement": "The price is not what we agreed." } }))
                .await;
            dispute_id = logged["disputeLog"]["id"].as_str().unwrap().to_string();
        }
        if offset == 50 {
            app.gql_ok(Role::ArSpecialist, "mutation($input: DisputeCloseInput!) { disputeClose(input: $input) { status } }",
                json!({ "input": { "id": dispute_id, "resolution": "Price confirmed against the order form; customer agreed." } }))
                .await;
        }
        if offset == 40 {
            app.gql_ok(Role::ArSpecialist, PAY, json!({ "input": pay_input(&partial, "6000.00", &date.to_string(), "partial-40", Value::Null) })).await;
        }
        let run = run_on(&app, date).await;
        for placed in run["holdsPlaced"].as_array().unwrap() {
            holds.insert(placed.as_str().unwrap().to_string(), offset);
        }
        record(&mut log, offset, &run);
    }
    let ladder = [0, 7, 15, 30, 45, 45, 60, 75, 90, 90];
    // Without payments or disputes every step happens on its own day, once.
    let plain_steps = steps_of(&log, &plain_number);
    assert_eq!(plain_steps.len(), ladder.len(), "{plain_steps:?}");
    for (entry, days) in plain_steps.iter().zip(ladder) {
        assert_eq!(entry.0, days, "{entry:?}");
        assert_eq!(entry.2, days);
    }
    // Half paid on day 40: nothing is skipped.
    let partial_steps = steps_of(&log, &partial_number);
    assert_eq!(
        partial_steps
            .iter()
            .map(|entry| entry.0)
            .collect::<Vec<_>>(),
        ladder.to_vec()
    );
    // In dispute from day 20 to 50: days 30 and 45 come due when it closes, the e-mail of 45 is sent.
    let disputed_steps = steps_of(&log, &disputed_number);
    let days_done: Vec<(i64, i64)> = disputed_steps
        .iter()
        .map(|entry| (entry.0, entry.2))
        .collect();
    assert_eq!(
        days_done,
        vec![
            (0, 0),
            (7, 7),
            (15, 15),
            (50, 30),
            (50, 45),
            (50, 45),
            (60, 60),
            (75, 75),
            (90, 90),
            (90, 90)
        ]
    );
    assert!(disputed_steps.iter().all(|entry| entry.3 != "superseded"));
    // Three customer e-mails per invoice (7, 45, 90), each once.
    let emails = emails_of(&app, "collections_email").await;
    assert_eq!(emails.len(), 9);
    // Credit holds on day 60 for each customer.
    assert_eq!(holds.len(), 3);
    assert!(holds.values().all(|day| *day == 60));
    let held = app
        .gql_ok(Role::Cfo, CUSTOMER, json!({ "id": partial }))
        .await;
    assert_eq!(held["customer"]["onCreditHold"], true);
    assert_eq!(held["customer"]["creditHoldSource"], "ladder");
    assert_eq!(held["customer"]["onWatch"], true);
    // Paying the rest lifts the hold and the watch on the next run.
    let pay_day = day(start, 96);
    move_to(&app, pay_day).await;
    app.gql_ok(Role::ArSpecialist, PAY, json!({ "input": pay_input(&partial, "6000.00", &pay_day.to_string(), "partial-96", Value::Null) })).await;
    let run = run_on(&app, pay_day).await;
    assert_eq!(
        run["holdsLifted"].as_array().unwrap(),
        &vec![json!(partial)]
    );
    let lifted = app
        .gql_ok(Role::Cfo, CUSTOMER, json!({ "id": partial }))
        .await;
    assert_eq!(lifted["customer"]["onCreditHold"], false);
    assert_eq!(lifted["customer"]["onWatch"], false);
    // A second run on the same day does nothing.
    assert!(run_on(&app, pay_day).await["actions"]
        .as_array()
        .unwrap()
        .is_empty());
    // The collections queue holds the tasks, the ones for the CFO among them.
    let tasks = app
        .gql_ok(Role::Cfo, "query { collectionTasks(status: OPEN, mine: true, first: 100) { totalCount nodes { title kind } } }", json!({}))
        .await;
    assert_eq!(tasks["collectionTasks"]["totalCount"], 6, "{tasks}");
}

#[tokio::test]
async fn missed_days_catch_up_with_one_customer_email() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let customer = app.create_customer("Gap Ltd", "USD").await;
    contract(
        &app,
        &customer,
        "OPP-G1",
        "ANNUALLY",
        "12000.00",
        "USD",
        "2026-01-05",
        "2027-01-04",
    )
    .await;
    bill(&app, "2026-01-05").await;
    let mut log = Log::new();
    // Runs stop after day 40 and resume on day 48 (a week missed), then a long outage 50 → 95.
    for offset in (0..=40).chain(48..=49).chain([95]) {
        let run = run_on(&app, day(start, offset)).await;
        record(&mut log, offset, &run);
    }
    let on_48: Vec<&(i64, String, i64, String)> =
        log.iter().filter(|entry| entry.0 == 48).collect();
    assert_eq!(
        on_48.iter().map(|entry| entry.2).collect::<Vec<_>>(),
        vec![45, 45]
    );
    assert_eq!(log.len(), 10, "every step once: {log:?}");
    // Day 95 catches up 60, 75 and 90: one e-mail (the legal demand), nothing superseded there.
    let on_95: Vec<i64> = log
        .iter()
        .filter(|entry| entry.0 == 95)
        .map(|entry| entry.2)
        .collect();
    assert_eq!(on_95, vec![60, 75, 90, 90]);
    assert_eq!(emails_of(&app, "collections_email").await.len(), 3);

    // An outage over two e-mail steps sends only the later one.
    let second = app.create_customer("Outage Ltd", "USD").await;
    contract(
        &app,
        &second,
        "OPP-G2",
        "ANNUALLY",
        "1000.00",
        "USD",
        "2026-05-01",
        "2027-04-30",
    )
    .await;
    bill(&app, "2026-05-01").await;
    let number = invoices_of(&app, &second).await[0]["number"]
        .as_str()
        .unwrap()
        .to_string();
    let may = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let mut outage = Log::new();
    for offset in [0, 46] {
        record(&mut outage, offset, &run_on(&app, day(may, offset)).await);
    }
    let caught_up: Vec<(i64, String)> = steps_of(&outage, &number)
        .iter()
        .filter(|entry| entry.0 == 46)
        .map(|entry| (entry.2, entry.3.clone()))
        .collect();
    assert_eq!(
        caught_up,
        vec![
            (7, "superseded".into()),
            (15, "done".into()),
            (30, "done".into()),
            (45, "sent".into()),
            (45, "done".into())
        ]
    );
    assert_eq!(emails_of(&app, "collections_email").await.len(), 4);
}

const REQUEST: &str = "mutation($input: CreditMemoRequestInput!) { creditMemoRequest(input: $input) { id status total { amount } tax { amount } approvalId } }";
const DECIDE_MEMO: &str = "mutation($input: DocumentDecideInput!) { creditMemoDecide(input: $input) { id number status toInvoice { amount } toCredit { amount } pdfUrl } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced lines { account { code } currency balance { amount } } } }";

fn account(trial: &Value, code: &str) -> String {
    trial["trialBalance"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["account"]["code"] == code)
        .map(|line| line["balance"]["amount"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "0.00".into())
}

#[tokio::test]
async fn credit_memos_and_write_offs_need_the_right_approver_and_reverse_the_ledger() {
    let app = TestApp::spawn().await;
    app.gql_ok(
        Role::Cfo,
        "mutation($input: TaxRateSetInput!) { taxRateSet(input: $input) { jurisdiction } }",
        json!({ "input": { "jurisdiction": "US-OR", "ratePercent": "10", "label": "Sales tax", "effectiveFrom": "2020-01-01" } }),
    )
    .await;
    let customer = app.create_customer("Credit Co", "USD").await;
    assign_account_manager(&app, &customer).await;
    contract(
        &app,
        &customer,
        "OPP-C1",
        "ANNUALLY",
        "1000.00",
        "USD",
        "2026-02-02",
        "2027-02-01",
    )
    .await;
    bill(&app, "2026-02-02").await;
    let invoice = invoices_of(&app, &customer).await[0].clone();
    assert_eq!(invoice["total"]["amount"], "1100.00");
    let request = |amount: &str| json!({ "input": { "invoiceId": invoice["id"], "reason": "Price agreed was lower", "amount": amount } });

    // Makers: an AE and the approver cannot request; AR can.
    for role in [Role::Ae, Role::VpRevops] {
        let refused = app.gql_as(role, REQUEST, request("110.00")).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}"
        );
    }
    let requested = app
        .gql_ok(Role::ArSpecialist, REQUEST, request("550.00"))
        .await["creditMemoRequest"]
        .clone();
    assert_eq!(requested["status"], "REQUESTED");
    assert_eq!(requested["tax"]["amount"], "50.00");
    let approval = requested["approvalId"].clone();
    // A second request on the same invoice waits for the first.
    let second = app
        .gql_as(Role::AccountManager, REQUEST, request("10.00"))
        .await;
    assert_eq!(error_code(&second).as_deref(), Some("CONFLICT"));
    // Checkers: the requester, the CFO and an AE cannot approve; only the VP Revenue Operations.
    let decide = json!({ "input": { "approvalId": approval, "decision": "APPROVE", "comment": "Matches the order form" } });
    for role in [Role::ArSpecialist, Role::Cfo, Role::Ae] {
        let refused = app.gql_as(role, DECIDE_MEMO, decide.clone()).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}"
        );
    }
    // Nothing posted before approval.
    let before = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-27" }))
        .await;
    assert_eq!(account(&before, "1100"), "1100.00");
    let approved = app
        .gql_ok(Role::VpRevops, DECIDE_MEMO, decide.clone())
        .await["creditMemoDecide"]
        .clone();
    assert_eq!(approved["number"], "CM-2026-000001");
    assert_eq!(approved["toInvoice"]["amount"], "550.00");
    let again = app.gql_as(Role::VpRevops, DECIDE_MEMO, decide).await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));
    let after = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-27" }))
        .await;
    assert_eq!(after["trialBalance"]["isBalanced"], true);
    assert_eq!(account(&after, "1100"), "550.00");
    assert_eq!(account(&after, "2000"), "-500.00");
    assert_eq!(account(&after, "2100"), "-50.00");
    // Never more than billed less earlier credits.
    let too_much = app
        .gql_as(Role::ArSpecialist, REQUEST, request("550.01"))
        .await;
    assert_eq!(error_field(&too_much).as_deref(), Some("amount"));

    // The PDF is a real document for those who may see it.
    let pdf = app
        .client
        .get(format!(
            "{}{}",
            app.base_url,
            approved["pdfUrl"].as_str().unwrap()
        ))
        .bearer_auth(app.token(Role::ArSpecialist).await)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-1.4"));
    assert_eq!(emails_of(&app, "credit_memo_email").await.len(), 1);

    // Paid in full, then a credit on the paid invoice becomes customer credit.
    app.gql_ok(
        Role::ArSpecialist,
        PAY,
        json!({ "input": pay_input(&customer, "550.00", "2026-11-27", "pay-c1", Value::Null) }),
    )
    .await;
    let on_paid = app
        .gql_ok(Role::AccountManager, REQUEST, request("110.00"))
        .await["creditMemoRequest"]
        .clone();
    let memo = app
        .gql_ok(Role::VpRevops, DECIDE_MEMO, json!({ "input": { "approvalId": on_paid["approvalId"], "decision": "APPROVE", "comment": "Goodwill" } }))
        .await["creditMemoDecide"].clone();
    assert_eq!(memo["toCredit"]["amount"], "110.00");
    let credits = app
        .gql_ok(
            Role::Cfo,
            "query($id: ID!) { customerCredits(customerId: $id) { remaining { amount } source } }",
            json!({ "id": customer }),
        )
        .await;
    assert_eq!(
        credits["customerCredits"][0]["remaining"]["amount"],
        "110.00"
    );
    assert_eq!(credits["customerCredits"][0]["source"], "credit_memo");
    let credited = invoices_of(&app, &customer).await;
    assert_eq!(credited[0]["status"], "PAID");
    assert_eq!(credited[0]["credited"]["amount"], "660.00");
    assert_eq!(
        credited[0]["openAmount"]["amount"], "0.00",
        "nothing is owed, not a negative amount"
    );
    // A rejected request stays on record with the comment.
    let rejected_request = app
        .gql_ok(Role::ArSpecialist, REQUEST, request("10.00"))
        .await["creditMemoRequest"]
        .clone();
    let rejected = app
        .gql_ok(Role::VpRevops, DECIDE_MEMO, json!({ "input": { "approvalId": rejected_request["approvalId"], "decision": "REJECT", "comment": "No basis in the contract" } }))
        .await;
    assert_eq!(rejected["creditMemoDecide"]["status"], "REJECTED");
    assert!(rejected["creditMemoDecide"]["number"].is_null());

    // Write-off: AR asks, only the CFO approves; Dr bad debt · Cr AR.
    let other = app.create_customer("Gone Bust Inc", "USD").await;
    contract(
        &app,
        &other,
        "OPP-C2",
        "ANNUALLY",
        "2000.00",
        "USD",
        "2026-02-02",
        "2027-02-01",
    )
    .await;
    bill(&app, "2026-02-02").await;
    let unpaid = invoices_of(&app, &other).await[0].clone();
    let write_off = app
        .gql_ok(Role::ArSpecialist, "mutation($input: WriteOffRequestInput!) { writeOffRequest(input: $input) { approvalId amount { amount } } }",
            json!({ "input": { "invoiceId": unpaid["id"], "reason": "Customer in liquidation" } }))
        .await["writeOffRequest"].clone();
    assert_eq!(write_off["amount"]["amount"], "2200.00");
    let decide_write_off = json!({ "input": { "approvalId": write_off["approvalId"], "decision": "APPROVE", "comment": "Liquidator confirms no dividend" } });
    const DECIDE_WRITE_OFF: &str = "mutation($input: DocumentDecideInput!) { writeOffDecide(input: $input) { status writtenOffOn } }";
    for role in [Role::VpRevops, Role::ArSpecialist, Role::VpFinance] {
        let refused = app
            .gql_as(role, DECIDE_WRITE_OFF, decide_write_off.clone())
            .await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}"
        );
    }
    app.gql_ok(Role::Cfo, DECIDE_WRITE_OFF, decide_write_off)
        .await;
    let statuses = invoices_of(&app, &other).await;
    assert_eq!(statuses[0]["status"], "WRITTEN_OFF");
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-27" }))
        .await;
    assert_eq!(account(&trial, "6100"), "2200.00");
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    for date in [
        "2026-02-01",
        "2026-02-02",
        "2026-03-01",
        "2026-11-26",
        "2026-11-27",
    ] {
        assert_eq!(
            aging_total(&app, date, "USD").await,
            ledger_ar(&app, date, "USD").await,
            "{date}"
        );
    }
}

const LOG: &str =
    "mutation($input: DisputeLogInput!) { disputeLog(input: $input) { id reviewDueAt status } }";

#[tokio::test]
async fn disputes_are_reviewed_within_48_business_hours_and_escalate_after_10_days() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let customer = app.create_customer("Disputing Corp", "USD").await;
    assign_account_manager(&app, &customer).await;
    contract(
        &app,
        &customer,
        "OPP-D1",
        "MONTHLY",
        "12000.00",
        "USD",
        "2026-10-01",
        "2027-09-30",
    )
    .await;
    bill(&app, "2026-10-01").await;
    bill(&app, "2026-11-01").await;
    let invoices = invoices_of(&app, &customer).await;
    // Friday 27 November 10:00 with Monday 30 November a company holiday: due Wednesday 10:00.
    app.gql_ok(
        Role::Cfo,
        "mutation { holidaySet(date: \"2026-11-30\", name: \"Company day\") { date } }",
        json!({}),
    )
    .await;
    let logged = app
        .gql_ok(Role::AccountManager, LOG, json!({ "input": { "invoiceId": invoices[0]["id"], "reason": "NOT_DELIVERED", "disputedAmount": "1000.00", "customerStatement": "We never received the October service." } }))
        .await["disputeLog"].clone();
    assert_eq!(logged["reviewDueAt"], "2026-12-02T10:00:00+00:00");
    let id = logged["id"].as_str().unwrap().to_string();
    let twice = app
        .gql_as(Role::ArSpecialist, LOG, json!({ "input": { "invoiceId": invoices[0]["id"], "reason": "OTHER", "disputedAmount": "1.00", "customerStatement": "again" } }))
        .await;
    assert_eq!(error_code(&twice).as_deref(), Some("CONFLICT"));
    let over = app
        .gql_as(Role::ArSpecialist, LOG, json!({ "input": { "invoiceId": invoices[1]["id"], "reason": "OTHER", "disputedAmount": "1000.01", "customerStatement": "too much" } }))
        .await;
    assert_eq!(error_field(&over).as_deref(), Some("disputedAmount"));
    // Evidence, then an invalid finding answered with the evidence attached.
    let pdf = base64_of(b"%PDF-1.4\n% delivery confirmation\n");
    app.gql_ok(Role::ArSpecialist, "mutation($input: EvidenceAddInput!) { disputeEvidenceAdd(input: $input) { id } }",
        json!({ "input": { "disputeId": id, "filename": "delivery.pdf", "contentType": "application/pdf", "contentBase64": pdf } }))
        .await;
    let timer = app.gql_ok(Role::ArSpecialist, "query($id: ID!) { dispute(id: $id) { reviewMinutesLeft reviewLate evidence { filename } } }", json!({ "id": id })).await;
    // Friday 10:00 → Wednesday 10:00 with Monday off: 48 business hours = 2880 minutes.
    assert_eq!(timer["dispute"]["reviewMinutesLeft"], 2880);
    assert_eq!(timer["dispute"]["reviewLate"], false);
    let reviewed = app
        .gql_ok(Role::ArSpecialist, "mutation($input: DisputeReviewInput!) { disputeReview(input: $input) { status } }",
            json!({ "input": { "id": id, "outcome": "INVALID", "note": "Delivery confirmed on 2026-10-02", "response": "Our records show delivery on 2 October; the confirmation is attached." } }))
        .await;
    assert_eq!(reviewed["disputeReview"]["status"], "INVALID");
    let responses = emails_of(&app, "dispute_response").await;
    assert_eq!(responses.len(), 1);
    assert_eq!(
        responses[0].attachment_kind.as_deref(),
        Some("dispute_evidence")
    );
    app.gql_ok(
        Role::ArSpecialist,
        "mutation($input: DisputeCloseInput!) { disputeClose(input: $input) { status } }",
        json!({ "input": { "id": id, "resolution": "Customer accepted the delivery evidence." } }),
    )
    .await;

    // A valid finding requests a credit memo linked to the dispute.
    let valid = app
        .gql_ok(Role::ArSpecialist, LOG, json!({ "input": { "invoiceId": invoices[1]["id"], "reason": "PRICING", "disputedAmount": "200.00", "customerStatement": "Discount missing." } }))
        .await["disputeLog"]["id"].clone();
    let found = app
        .gql_ok(Role::ArSpecialist, "mutation($input: DisputeReviewInput!) { disputeReview(input: $input) { status creditMemoId } }",
            json!({ "input": { "id": valid, "outcome": "VALID", "note": "Contract gives 20% off the first months" } }))
        .await;
    assert_eq!(found["disputeReview"]["status"], "VALID");
    assert!(found["disputeReview"]["creditMemoId"].is_string());

    // Not reviewed in time: an alert once the deadline passes, escalation after 10 days.
    let third = app.create_customer("Slow Review LLC", "USD").await;
    contract(
        &app,
        &third,
        "OPP-D2",
        "ANNUALLY",
        "500.00",
        "USD",
        "2026-11-02",
        "2027-11-01",
    )
    .await;
    bill(&app, "2026-11-02").await;
    let late = app
        .gql_ok(Role::ArSpecialist, LOG, json!({ "input": { "invoiceId": invoices_of(&app, &third).await[0]["id"], "reason": "QUANTITY", "disputedAmount": "100.00", "customerStatement": "Wrong seat count." } }))
        .await["disputeLog"]["id"].clone();
    let run = |date: &'static str| {
        let app = &app;
        async move {
            app.travel_to(format!("{date}T12:00:00Z").parse().unwrap())
                .await;
            app.gql_ok(Role::ArSpecialist, "mutation($asOf: Date) { collectionsRun(asOf: $asOf) { disputesLate disputesEscalated } }", json!({ "asOf": date })).await["collectionsRun"].clone()
        }
    };
    let on_time = run("2026-12-01").await;
    assert!(on_time["disputesLate"].as_array().unwrap().is_empty());
    let overdue = run("2026-12-02").await;
    assert_eq!(
        overdue["disputesLate"].as_array().unwrap(),
        &vec![late.clone()]
    );
    assert!(
        run("2026-12-03").await["disputesLate"]
            .as_array()
            .unwrap()
            .is_empty(),
        "alerted once"
    );
    let escalated = run("2026-12-07").await;
    // Both unresolved disputes go up: the one found valid still waits for its credit memo.
    assert_eq!(
        escalated["disputesEscalated"].as_array().unwrap(),
        &vec![valid.clone(), late.clone()]
    );
    let tasks = app
        .gql_ok(Role::VpRevops, "query { collectionTasks(status: OPEN, mine: true, first: 20) { nodes { title disputeId } } }", json!({}))
        .await;
    assert!(tasks["collectionTasks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|task| task["disputeId"] == late));
}

/// Makes the test account manager the customer's, so their receivables are in that user's book.
async fn assign_account_manager(app: &TestApp, customer: &str) {
    app.gql_ok(
        Role::VpRevops,
        "mutation($customer: ID!, $user: ID) { customerAccountManagerSet(customerId: $customer, userId: $user) { customer { accountManagerId } } }",
        json!({ "customer": customer, "user": app.user_id(Role::AccountManager).to_string() }),
    )
    .await;
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn bank_receipts_are_matched_confirmed_and_never_imported_twice() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let acme = app.create_customer("Acme Corporation", "USD").await;
    let globex = app.create_customer("Globex Ltd", "USD").await;
    contract(
        &app,
        &acme,
        "OPP-B1",
        "ANNUALLY",
        "1500.00",
        "USD",
        "2026-03-02",
        "2027-03-01",
    )
    .await;
    contract(
        &app,
        &globex,
        "OPP-B2",
        "ANNUALLY",
        "2750.00",
        "USD",
        "2026-03-02",
        "2027-03-01",
    )
    .await;
    bill(&app, "2026-03-02").await;
    let acme_invoice = invoices_of(&app, &acme).await[0].clone();
    let number = acme_invoice["number"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .replace('-', "");
    let csv = format!(
        "date,amount,currency,payer,reference\n2026-03-20,1500.00,USD,ACME CORP,\"payment {number}\"\n2026-03-21,2750.00,USD,\"Globex, Ltd.\",wire 77\n2026-03-22,99.00,USD,Unknown Payer,???\n"
    );
    const IMPORT: &str = "mutation($csv: String!) { bankReceiptsImport(csv: $csv) { duplicates rejected { row message } imported { id status proposalBasis proposalExplanation proposedCustomer { legalName } } } }";
    let imported = app
        .gql_ok(Role::ArSpecialist, IMPORT, json!({ "csv": csv }))
        .await["bankReceiptsImport"]
        .clone();
    let lines = imported["imported"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["proposalBasis"], "invoice_number");
    assert_eq!(lines[1]["proposalBasis"], "amount_and_customer");
    assert_eq!(lines[1]["proposedCustomer"]["legalName"], "Globex Ltd");
    assert_eq!(lines[2]["status"], "UNMATCHED");
    // The same file again adds nothing.
    let again = app
        .gql_ok(Role::ArSpecialist, IMPORT, json!({ "csv": csv }))
        .await["bankReceiptsImport"]
        .clone();
    assert_eq!(again["duplicates"], 3);
    assert!(again["imported"].as_array().unwrap().is_empty());
    // Confirm the proposals; set the unknown line aside.
    const CONFIRM: &str = "mutation($input: BankReceiptConfirmInput!) { bankReceiptConfirm(input: $input) { id applied { amount } unapplied { amount } } }";
    for line in &lines[..2] {
        let payment = app
            .gql_ok(
                Role::ArSpecialist,
                CONFIRM,
                json!({ "input": { "id": line["id"] } }),
            )
            .await;
        assert_eq!(payment["bankReceiptConfirm"]["unapplied"]["amount"], "0.00");
    }
    let replay = app
        .gql_ok(
            Role::ArSpecialist,
            CONFIRM,
            json!({ "input": { "id": lines[0]["id"] } }),
        )
        .await;
    assert_eq!(
        replay["bankReceiptConfirm"]["applied"]["amount"], "1500.00",
        "confirming twice pays once"
    );
    assert_eq!(invoices_of(&app, &acme).await[0]["status"], "PAID");
    assert_eq!(invoices_of(&app, &globex).await[0]["status"], "PAID");
    let unmatched_without_customer = app
        .gql_as(
            Role::ArSpecialist,
            CONFIRM,
            json!({ "input": { "id": lines[2]["id"] } }),
        )
        .await;
    assert_eq!(
        error_field(&unmatched_without_customer).as_deref(),
        Some("customerId")
    );
    app.gql_ok(Role::ArSpecialist, "mutation($id: ID!) { bankReceiptIgnore(id: $id, reason: \"Interest credit from the bank\") { status } }", json!({ "id": lines[2]["id"] })).await;
    let queue = app
        .gql_ok(
            Role::ArSpecialist,
            "query { bankReceipts(status: UNMATCHED, first: 10) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(queue["bankReceipts"]["totalCount"], 0);
    let bad = app
        .gql_as(
            Role::ArSpecialist,
            IMPORT,
            json!({ "csv": "when,how much\n1,2\n" }),
        )
        .await;
    assert_eq!(error_field(&bad).as_deref(), Some("csv"));

    // The statement shows the month's activity with a running balance, and downloads as CSV.
    let statement = app
        .gql_ok(Role::ArSpecialist, "query($id: ID!) { customerStatement(customerId: $id, from: \"2026-03-01\", to: \"2026-03-31\") { csvUrl currencies { opening { amount } closing { amount } lines { description amount { amount } balance { amount } } } } }", json!({ "id": acme }))
        .await["customerStatement"].clone();
    let usd = &statement["currencies"][0];
    assert_eq!(usd["opening"]["amount"], "0.00");
    assert_eq!(usd["lines"][0]["balance"]["amount"], "1500.00");
    assert_eq!(usd["lines"][1]["description"], "Payment");
    assert_eq!(usd["closing"]["amount"], "0.00");
    let csv = app
        .client
        .get(format!(
            "{}{}",
            app.base_url,
            statement["csvUrl"].as_str().unwrap()
        ))
        .bearer_auth(app.token(Role::ArSpecialist).await)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("section,date,invoice,description,amount,currency,balance\n"),
        "{csv}"
    );
    assert!(
        csv.contains("closing,2026-03-31,,Closing balance,,USD,0.00"),
        "{csv}"
    );
}

/// A random walk of payments, credit memos and write-offs over many invoices: on every date the
/// aging total equals the ledger's AR, and the buckets equal the invoices open on that date.
#[tokio::test]
async fn aging_equals_the_ledger_on_every_date_through_a_random_walk() {
    let app = TestApp::spawn().await;
    zero_tax(&app).await;
    let mut customers = Vec::new();
    for index in 0..3 {
        let customer = app.create_customer(&format!("Walker {index}"), "USD").await;
        contract(
            &app,
            &customer,
            &format!("OPP-W{index}"),
            "MONTHLY",
            "6000.00",
            "USD",
            "2026-01-10",
            "2027-01-09",
        )
        .await;
        customers.push(customer);
    }
    let start = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
    let mut seed: u64 = 0x5eed_1234;
    let mut next = |bound: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % bound
    };
    let mut checkpoints = Vec::new();
    for month in 0..6 {
        let bill_date = NaiveDate::from_ymd_opt(2026, 1 + month, 10).unwrap();
        bill(&app, &bill_date.to_string()).await;
        for step in 0..4u32 {
            let date = bill_date + Duration::days(i64::from(step) * 7 + 1);
            move_to(&app, date).await;
            let customer = &customers[next(3) as usize];
            match next(4) {
                0 | 1 => {
                    let cents = 100 + next(80_000);
                    let amount = format!("{}.{:02}", cents / 100, cents % 100);
                    app.gql_ok(Role::ArSpecialist, PAY, json!({ "input": pay_input(customer, &amount, &date.to_string(), &format!("walk-{month}-{step}"), Value::Null) })).await;
                }
                2 => {
                    let open: Vec<Value> = invoices_of(&app, customer)
                        .await
                        .into_iter()
                        .filter(|invoice| invoice["openAmount"]["amount"] != "0.00")
                        .collect();
                    if let Some(invoice) = open.first() {
                        let requested = app.gql_as(Role::ArSpecialist, REQUEST, json!({ "input": { "invoiceId": invoice["id"], "reason": "walk", "amount": "37.13" } })).await;
                        if requested["errors"].is_null() {
                            app.gql_ok(Role::VpRevops, DECIDE_MEMO, json!({ "input": { "approvalId": requested["data"]["creditMemoRequest"]["approvalId"], "decision": "APPROVE", "comment": "walk" } })).await;
                        }
                    }
                }
                _ => {
                    let open: Vec<Value> = invoices_of(&app, customer)
                        .await
                        .into_iter()
                        .filter(|invoice| invoice["openAmount"]["amount"] != "0.00")
                        .collect();
                    if let Some(invoice) = open.last() {
                        let requested = app.gql_as(Role::ArSpecialist, "mutation($input: WriteOffRequestInput!) { writeOffRequest(input: $input) { approvalId } }", json!({ "input": { "invoiceId": invoice["id"], "reason": "walk", "amount": "10.00" } })).await;
                        if requested["errors"].is_null() {
                            app.gql_ok(Role::Cfo, "mutation($input: DocumentDecideInput!) { writeOffDecide(input: $input) { status } }", json!({ "input": { "approvalId": requested["data"]["writeOffRequest"]["approvalId"], "decision": "APPROVE", "comment": "walk" } })).await;
                        }
                    }
                }
            }
            checkpoints.push(date);
        }
    }
    move_to(&app, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()).await;
    checkpoints.push(start - Duration::days(1));
    for date in checkpoints {
        let date = date.to_string();
        let total = aging_total(&app, &date, "USD").await;
        assert_eq!(total, ledger_ar(&app, &date, "USD").await, "{date}");
        // The drill-down lists exactly what the buckets add up to.
        let drill = app
            .gql_ok(Role::Cfo, "query($asOf: Date) { arAgingInvoices(asOf: $asOf, first: 100) { totalCount nodes { open { amount } } } }", json!({ "asOf": date }))
            .await;
        assert_eq!(
            drill["arAgingInvoices"]["totalCount"].as_u64().unwrap() as usize,
            drill["arAgingInvoices"]["nodes"].as_array().unwrap().len(),
            "{date}: the count from the aging cells is the number of invoices listed"
        );
        let cents: i64 = drill["arAgingInvoices"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| {
                node["open"]["amount"]
                    .as_str()
                    .unwrap()
                    .replace('.', "")
                    .parse::<i64>()
                    .unwrap()
            })
            .sum();
        assert_eq!(
            format!("{}.{:02}", cents / 100, cents % 100),
            total,
            "{date}"
        );
    }
}
