//! Outgoing webhooks over HTTP: a real receiver (a tiny axum server in the test) gets each event
//! an endpoint subscribes to exactly once, signed with the endpoint's secret; failures are retried
//! with backoff and logged, repeated failures disable the endpoint, redelivery and the test ping
//! work, and what an endpoint does not subscribe to never reaches it.

use crate::receivables::{bill, contract, customer_with_open_invoice, invoices_of, pay_input};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

const CREATE: &str = "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { secret endpoint { id url eventTypes enabled secretHint } } }";
const ENDPOINTS: &str =
    "{ webhookEndpoints { id url enabled consecutiveFailures disabledReason eventTypes secretHint } }";
const DELIVERIES: &str = "query($id: ID!) { webhookDeliveries(endpointId: $id, first: 50) { totalCount nodes { id eventId eventType status attempts lastStatusCode redeliveryOf attemptLog { attempt outcome statusCode durationMs responseExcerpt attemptedAt } } } }";
const UPDATE: &str = "mutation($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) { endpoint { id enabled consecutiveFailures disabledReason } } }";
const REDELIVER: &str = "mutation($input: WebhookRedeliverInput!) { webhookRedeliver(input: $input) { delivery { id eventId status redeliveryOf } } }";
const ROTATE: &str = "mutation($input: WebhookEndpointIdInput!) { webhookEndpointRotateSecret(input: $input) { secret endpoint { secretHint } } }";
const DELETE: &str = "mutation($input: WebhookEndpointIdInput!) { webhookEndpointDelete(input: $input) { endpoint { id } } }";
const TEST: &str = "mutation($input: WebhookEndpointIdInput!) { webhookTest(input: $input) { delivery { eventType status attempts lastStatusCode attemptLog { statusCode responseExcerpt } } } }";
const PAY: &str = "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event_id_header: String,
    body: String,
}

#[derive(Default)]
struct ReceiverState {
    requests: Mutex<Vec<Received>>,
    /// The status it answers with (200 unless a test makes it fail).
    status: AtomicU16,
}

/// A local HTTP server that records every POST and answers with the status it is told to.
struct Receiver {
    url: String,
    state: Arc<ReceiverState>,
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    state.requests.lock().unwrap().push(Received {
        signature: header("revops-signature"),
        event_id_header: header("revops-event-id"),
        body,
    });
    let status = StatusCode::from_u16(state.status.load(Ordering::SeqCst)).unwrap();
    let answer = if status.is_success() {
        "ok".to_string()
    } else {
        // Longer than the excerpt the delivery log keeps.
        format!("down for maintenance {}", "x".repeat(5000))
    };
    (status, answer)
}

impl Receiver {
    async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        state.status.store(200, Ordering::SeqCst);
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver {
            url: format!("http://{address}/hook"),
            state,
        }
    }

    fn answer_with(&self, status: u16) {
        self.state.status.store(status, Ordering::SeqCst);
    }

    fn requests(&self) -> Vec<Received> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The bodies received, parsed.
    fn events(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .map(|request| serde_json::from_str(&request.body).unwrap())
            .collect()
    }
}

/// Checks `t=<unix>,v1=<hex>` against HMAC-SHA256 of "<t>.<body>" keyed with `secret`, as a
/// receiver would (computed here independently of revops's code).
fn signature_verifies(secret: &str, header: &str, body: &str) -> bool {
    let parts: HashMap<&str, &str> = header
        .split(',')
        .filter_map(|part| part.split_once('='))
        .collect();
    let (Some(timestamp), Some(signature)) = (parts.get("t"), parts.get("v1")) else {
        return false;
    };
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!(age.abs() < 300, "signature time {timestamp} is not now");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    expected == *signature
}

/// Creates an endpoint as the admin; returns (id, secret).
async fn endpoint(app: &TestApp, url: &str, types: &[&str]) -> (String, String) {
    let created = app
        .gql_ok(
            Role::Admin,
            CREATE,
            json!({ "input": { "url": url, "description": "ERP sync", "eventTypes": types } }),
        )
        .await;
    let payload = &created["webhookEndpointCreate"];
    (
        payload["endpoint"]["id"].as_str().unwrap().to_string(),
        payload["secret"].as_str().unwrap().to_string(),
    )
}

async fn deliveries(app: &TestApp, endpoint_id: &str) -> Vec<Value> {
    app.gql_ok(Role::Admin, DELIVERIES, json!({ "id": endpoint_id }))
        .await["webhookDeliveries"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

async fn send(app: &TestApp) -> revops::webhooks::sender::DeliveryReport {
    revops::jobs::send_webhooks(&app.app).await.unwrap()
}

async fn endpoint_row(app: &TestApp, id: &str) -> Value {
    app.gql_ok(Role::Admin, ENDPOINTS, json!({})).await["webhookEndpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|endpoint| endpoint["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn subscribed_events_arrive_once_signed_with_the_documented_schema() {
    // Proves the whole path: approving a deal, issuing an invoice and paying it in full write
    // events in their transactions; the daily run's sender POSTs each to the subscribed endpoint
    // exactly once, signed with its secret, with id/type/createdAt/data; another endpoint that
    // subscribes to other types gets nothing, and a second run sends nothing again.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    let types = [
        "deal.approved",
        "invoice.issued",
        "invoice.paid",
        "payment.recorded",
    ];
    let (endpoint_id, secret) = endpoint(&app, &receiver.url, &types).await;
    assert!(
        secret.starts_with("whsec_") && secret.len() == 70,
        "{secret}"
    );
    endpoint(&app, &other.url, &["period.closed", "invoice.voided"]).await;

    let customer = customer_with_open_invoice(&app, "Globex", "OPP-W1").await;
    let invoice = invoices_of(&app, &customer).await[0].clone();
    app.gql_ok(
        Role::Admin,
        PAY,
        json!({ "input": pay_input(&customer, "1000.00", "2026-02-10", "pay-w1", Value::Null) }),
    )
    .await;
    revops::jobs::run_daily(&app.app, "2026-11-27".parse().unwrap(), &|_, _, _| {})
        .await
        .unwrap();
    assert_eq!(send(&app).await.delivered, 0, "a second pass sends nothing");

    let requests = receiver.requests();
    let events = receiver.events();
    let mut kinds: Vec<&str> = events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "deal.approved",
            "invoice.issued",
            "invoice.paid",
            "payment.recorded"
        ],
        "{events:#?}"
    );
    let mut ids: Vec<&str> = events
        .iter()
        .map(|event| event["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "every event id is unique");
    for (request, event) in requests.iter().zip(&events) {
        assert!(
            signature_verifies(&secret, &request.signature, &request.body),
            "{}",
            request.signature
        );
        assert!(!signature_verifies(
            "whsec_wrong",
            &request.signature,
            &request.body
        ));
        assert_eq!(request.event_id_header, event["id"].as_str().unwrap());
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(event["createdAt"], "2026-11-27T10:00:00Z");
        assert!(event["data"].is_object());
    }
    let by_type =
        |kind: &str| events.iter().find(|event| event["type"] == kind).unwrap()["data"].clone();
    let issued = by_type("invoice.issued");
    assert_eq!(issued["number"], invoice["number"]);
    assert_eq!(
        issued["invoiceId"].to_string(),
        invoice["id"].as_str().unwrap()
    );
    assert_eq!(
        issued["total"],
        json!({ "amount": "1000.00", "currency": "USD" })
    );
    assert_eq!(by_type("invoice.paid")["paid"]["amount"], "1000.00");
    assert_eq!(by_type("payment.recorded")["amount"]["amount"], "1000.00");
    assert_eq!(by_type("deal.approved")["opportunityId"], "OPP-W1");
    assert!(other.requests().is_empty(), "{:?}", other.requests());

    let log = deliveries(&app, &endpoint_id).await;
    assert_eq!(log.len(), 4);
    for delivery in &log {
        assert_eq!(delivery["status"], "DELIVERED");
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(delivery["attemptLog"][0]["statusCode"], 200);
        assert_eq!(delivery["attemptLog"][0]["responseExcerpt"], "ok");
    }
}

/// One more customer with an invoice issued on 2026-02-01 (the tax rate is already set).
async fn another_invoice(app: &TestApp, name: &str, opportunity: &str) {
    let customer = app.create_customer(name, "USD").await;
    contract(
        app,
        &customer,
        opportunity,
        "ANNUALLY",
        "1000.00",
        "USD",
        "2026-02-01",
        "2027-01-31",
    )
    .await;
    bill(app, "2026-02-01").await;
}

/// Runs the sender at `minutes` after the test clock's start.
async fn send_at(app: &TestApp, minutes: i64) -> revops::webhooks::sender::DeliveryReport {
    let start: chrono::DateTime<chrono::Utc> = "2026-11-27T10:00:00Z".parse().unwrap();
    app.travel_to(start + chrono::Duration::minutes(minutes))
        .await;
    send(app).await
}

#[tokio::test]
async fn failures_back_off_are_logged_and_ten_in_a_row_disable_the_endpoint_until_enabled() {
    // Proves retries wait 1, 2, 4, 8 minutes (nothing goes early), each attempt is logged with
    // its status and a capped excerpt, the tenth failure in a row disables the endpoint with an
    // audit row, a disabled endpoint is sent nothing, and enabling it delivers what waited;
    // redelivery sends the same event again as a new delivery.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(500);
    let (endpoint_id, secret) =
        endpoint(&app, &receiver.url, &["deal.approved", "invoice.issued"]).await;
    customer_with_open_invoice(&app, "Hooli", "OPP-W2").await;

    let mut schedule = Vec::new();
    for minutes in [0, 0, 1, 2, 3, 6, 7, 14, 15] {
        let report = send_at(&app, minutes).await;
        schedule.push((minutes, report.retried));
    }
    // Two deliveries, retried at 0, 1, 3, 7 and 15 minutes; the passes between find nothing due.
    assert_eq!(
        schedule,
        [
            (0, 2),
            (0, 0),
            (1, 2),
            (2, 0),
            (3, 2),
            (6, 0),
            (7, 2),
            (14, 0),
            (15, 2)
        ]
    );
    assert_eq!(receiver.requests().len(), 10);
    let disabled = endpoint_row(&app, &endpoint_id).await;
    assert_eq!(disabled["enabled"], false, "{disabled}");
    assert_eq!(disabled["consecutiveFailures"], 10);
    assert!(disabled["disabledReason"]
        .as_str()
        .unwrap()
        .contains("10 failed"));
    let audits = app
        .sql_count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_endpoint.auto_disable'")
        .await;
    assert_eq!(audits, 1);

    let log = deliveries(&app, &endpoint_id).await;
    assert_eq!(log.len(), 2);
    for delivery in &log {
        assert_eq!(delivery["status"], "PENDING");
        assert_eq!(delivery["lastStatusCode"], 500);
        let attempts = delivery["attemptLog"].as_array().unwrap();
        let minutes: Vec<String> = attempts
            .iter()
            .map(|attempt| attempt["attemptedAt"].as_str().unwrap()[11..16].to_string())
            .collect();
        assert_eq!(minutes, ["10:00", "10:01", "10:03", "10:07", "10:15"]);
        for (index, attempt) in attempts.iter().enumerate() {
            assert_eq!(attempt["attempt"], index + 1);
            assert_eq!(attempt["outcome"], "failed");
            assert_eq!(attempt["statusCode"], 500);
            let excerpt = attempt["responseExcerpt"].as_str().unwrap();
            assert!(excerpt.starts_with("down for maintenance"));
            assert_eq!(excerpt.chars().count(), 1000);
        }
    }

    // Disabled: a day later nothing is sent.
    send_at(&app, 24 * 60).await;
    assert_eq!(receiver.requests().len(), 10);

    // Fixed and enabled again: what waited goes on the next pass, signed with the same secret.
    receiver.answer_with(200);
    let enabled = app
        .gql_ok(
            Role::Admin,
            UPDATE,
            json!({ "input": { "id": endpoint_id, "enabled": true } }),
        )
        .await;
    assert_eq!(
        enabled["webhookEndpointUpdate"]["endpoint"]["consecutiveFailures"],
        0
    );
    assert_eq!(send(&app).await.delivered, 2);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 12);
    assert!(signature_verifies(
        &secret,
        &requests[11].signature,
        &requests[11].body
    ));
    let log = deliveries(&app, &endpoint_id).await;
    assert!(log.iter().all(|delivery| delivery["status"] == "DELIVERED"));

    // Redeliver one: a new delivery of the same event (same id and body).
    let first = &log[0];
    let redelivered = app
        .gql_ok(
            Role::Admin,
            REDELIVER,
            json!({ "input": { "deliveryId": first["id"] } }),
        )
        .await["webhookRedeliver"]["delivery"]
        .clone();
    assert_eq!(redelivered["eventId"], first["eventId"]);
    assert_eq!(redelivered["redeliveryOf"], first["id"]);
    assert_eq!(redelivered["status"], "PENDING");
    assert_eq!(send(&app).await.delivered, 1);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 13);
    assert_eq!(
        requests[12].event_id_header,
        first["eventId"].as_str().unwrap()
    );
    let same_event: Vec<&Received> = requests
        .iter()
        .filter(|request| request.event_id_header == first["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(
        same_event.len(),
        7,
        "5 failures, the delivery, the redelivery"
    );
    assert_eq!(same_event[5].body, same_event[6].body);
}

#[tokio::test]
async fn endpoints_are_checked_secrets_shown_once_rotated_tested_and_deleted() {
    // Proves only http(s) URLs and known types are accepted (the error names the field), the
    // secret is never listed, a rotated secret signs from then on, the test ping arrives, a
    // deleted endpoint gets nothing, and only the admin may manage webhooks.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    for (input, field) in [
        (
            json!({ "url": "ftp://example.com/hook", "eventTypes": ["invoice.paid"] }),
            "url",
        ),
        (
            json!({ "url": "not a url", "eventTypes": ["invoice.paid"] }),
            "url",
        ),
        (
            json!({ "url": receiver.url, "eventTypes": ["invoice.created"] }),
            "eventTypes",
        ),
        (
            json!({ "url": receiver.url, "eventTypes": [] }),
            "eventTypes",
        ),
    ] {
        let response = app
            .gql_as(Role::Admin, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(
            error_code(&response).as_deref(),
            Some("VALIDATION"),
            "{response}"
        );
        assert_eq!(error_field(&response).as_deref(), Some(field), "{response}");
    }
    let denied = app.gql_as(Role::Cfo, ENDPOINTS, json!({})).await;
    assert_eq!(
        error_code(&denied).as_deref(),
        Some("FORBIDDEN"),
        "{denied}"
    );

    let (endpoint_id, secret) = endpoint(&app, &receiver.url, &["invoice.issued"]).await;
    let listed = endpoint_row(&app, &endpoint_id).await;
    assert_eq!(listed["secretHint"], secret[..10]);
    assert!(!listed.to_string().contains(&secret));
    let types = app
        .gql_ok(
            Role::Admin,
            "{ webhookEventTypes { code description } }",
            json!({}),
        )
        .await;
    assert_eq!(types["webhookEventTypes"].as_array().unwrap().len(), 10);

    let pinged = app
        .gql_ok(Role::Admin, TEST, json!({ "input": { "id": endpoint_id } }))
        .await["webhookTest"]["delivery"]
        .clone();
    assert_eq!(pinged["eventType"], "webhook.test");
    assert_eq!(pinged["status"], "DELIVERED");
    assert_eq!(pinged["attemptLog"][0]["statusCode"], 200);
    let ping = &receiver.requests()[0];
    assert!(signature_verifies(&secret, &ping.signature, &ping.body));

    let rotated = app
        .gql_ok(
            Role::Admin,
            ROTATE,
            json!({ "input": { "id": endpoint_id } }),
        )
        .await["webhookEndpointRotateSecret"]
        .clone();
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    customer_with_open_invoice(&app, "Initrode", "OPP-W3").await;
    assert_eq!(send(&app).await.delivered, 1);
    let issued = &receiver.requests()[1];
    assert!(signature_verifies(
        &new_secret,
        &issued.signature,
        &issued.body
    ));
    assert!(!signature_verifies(
        &secret,
        &issued.signature,
        &issued.body
    ));

    app.gql_ok(
        Role::Admin,
        DELETE,
        json!({ "input": { "id": endpoint_id } }),
    )
    .await;
    assert_eq!(endpoint_row(&app, &endpoint_id).await, Value::Null);
    another_invoice(&app, "Vandelay", "OPP-W4").await;
    send(&app).await;
    assert_eq!(
        receiver.requests().len(),
        2,
        "a deleted endpoint gets nothing"
    );
    let audits = app
        .sql_count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'webhook_endpoint.%'")
        .await;
    assert_eq!(audits, 4, "create, test, rotate, delete");
}

#[tokio::test]
async fn a_delivery_that_fails_eight_times_is_marked_failed_and_not_tried_again() {
    // Proves the retry budget: one delivery failing at 0, 1, 3, 7, 15, 31, 63 and 127 minutes is
    // FAILED after its eighth attempt (eight failures in a row do not yet disable the endpoint),
    // and later passes leave it alone until someone redelivers it.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(503);
    let (endpoint_id, _) = endpoint(&app, &receiver.url, &["invoice.issued"]).await;
    customer_with_open_invoice(&app, "Soylent", "OPP-W5").await;
    for minutes in [0, 1, 3, 7, 15, 31, 63] {
        assert_eq!(
            send_at(&app, minutes).await.retried,
            1,
            "at {minutes} minutes"
        );
    }
    assert_eq!(send_at(&app, 127).await.failed, 1);
    assert_eq!(send_at(&app, 24 * 60).await, Default::default());
    assert_eq!(receiver.requests().len(), 8);
    let log = deliveries(&app, &endpoint_id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "FAILED");
    assert_eq!(log[0]["attempts"], 8);
    assert_eq!(log[0]["attemptLog"].as_array().unwrap().len(), 8);
    let still = endpoint_row(&app, &endpoint_id).await;
    assert_eq!(still["enabled"], true);
    assert_eq!(still["consecutiveFailures"], 8);
}

#[tokio::test]
async fn senders_running_at_once_deliver_each_event_once() {
    // Proves the shared lease rule holds for webhooks: four sender passes started together (as
    // several instances and a run-daily would) POST each of twelve events exactly once.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    endpoint(&app, &receiver.url, &["deal.approved"]).await;
    let customer = app.create_customer("Massive Dynamic", "USD").await;
    for index in 0..12 {
        contract(
            &app,
            &customer,
            &format!("OPP-WC{index}"),
            "ANNUALLY",
            "1000.00",
            "USD",
            "2026-02-01",
            "2027-01-31",
        )
        .await;
    }
    let (a, b, c, d) = tokio::join!(send(&app), send(&app), send(&app), send(&app));
    assert_eq!(a.delivered + b.delivered + c.delivered + d.delivered, 12);
    let mut ids: Vec<String> = receiver
        .events()
        .iter()
        .map(|event| event["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 12, "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}

#[tokio::test]
async fn voiding_an_issued_invoice_sends_invoice_voided_to_its_subscriber_only() {
    // Proves the void path emits in its transaction: the endpoint subscribed to invoice.voided
    // gets one event naming the invoice and the reason; the one subscribed to invoice.issued gets
    // only the issue.
    let app = TestApp::spawn().await;
    let voids = Receiver::start().await;
    let issues = Receiver::start().await;
    endpoint(&app, &voids.url, &["invoice.voided"]).await;
    endpoint(&app, &issues.url, &["invoice.issued"]).await;
    let customer = customer_with_open_invoice(&app, "Wonka Industries", "OPP-W6").await;
    let invoice = invoices_of(&app, &customer).await[0].clone();
    app.gql_ok(
        Role::Admin,
        "mutation($input: InvoiceVoidInput!) { invoiceVoid(input: $input) { status } }",
        json!({ "input": { "id": invoice["id"], "reason": "Wrong customer entity", "releaseCharges": false } }),
    )
    .await;
    assert_eq!(send(&app).await.delivered, 2);
    let voided = voids.events();
    assert_eq!(voided.len(), 1, "{voided:#?}");
    assert_eq!(voided[0]["type"], "invoice.voided");
    assert_eq!(voided[0]["data"]["number"], invoice["number"]);
    assert_eq!(voided[0]["data"]["reason"], "Wrong customer entity");
    let issued = issues.events();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["type"], "invoice.issued");
}

#[tokio::test]
async fn an_approved_write_off_sends_write_off_approved_once_the_cfo_decides() {
    // Proves the maker-checker path emits on approval only: nothing when AR requests the
    // write-off, one write_off.approved with the amount when the CFO approves it.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let customer = customer_with_open_invoice(&app, "Cyberdyne", "OPP-W7").await;
    endpoint(&app, &receiver.url, &["write_off.approved"]).await;
    let invoice = invoices_of(&app, &customer).await[0].clone();
    let requested = app
        .gql_ok(
            Role::ArSpecialist,
            "mutation($input: WriteOffRequestInput!) { writeOffRequest(input: $input) { approvalId } }",
            json!({ "input": { "invoiceId": invoice["id"], "reason": "Customer in liquidation" } }),
        )
        .await["writeOffRequest"]
        .clone();
    send(&app).await;
    assert!(
        receiver.requests().is_empty(),
        "a request is not an approval"
    );
    app.gql_ok(
        Role::Cfo,
        "mutation($input: DocumentDecideInput!) { writeOffDecide(input: $input) { status } }",
        json!({ "input": { "approvalId": requested["approvalId"], "decision": "APPROVE", "comment": "No dividend expected" } }),
    )
    .await;
    assert_eq!(send(&app).await.delivered, 1);
    let events = receiver.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "write_off.approved");
    assert_eq!(
        events[0]["data"]["amount"],
        json!({ "amount": "1000.00", "currency": "USD" })
    );
    assert_eq!(events[0]["data"]["reason"], "Customer in liquidation");
}

/// Every request the receiver got is signed with `secret` (and not with another), carries its
/// event id in the header, and has the documented envelope; returns the events.
fn signed_events(receiver: &Receiver, secret: &str, kind: &str) -> Vec<Value> {
    let requests = receiver.requests();
    let events = receiver.events();
    for (request, event) in requests.iter().zip(&events) {
        assert!(
            signature_verifies(secret, &request.signature, &request.body),
            "{}",
            request.signature
        );
        assert!(!signature_verifies(
            "whsec_wrong",
            &request.signature,
            &request.body
        ));
        assert_eq!(request.event_id_header, event["id"].as_str().unwrap());
        assert!(event["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(event["type"], kind, "{event}");
        assert!(event["createdAt"].is_string());
        assert!(event["data"].is_object());
    }
    events
}

#[tokio::test]
async fn an_approved_credit_memo_sends_credit_memo_approved_once_vp_revops_decides() {
    // Proves the credit memo path emits on approval only, in the approving transaction: nothing
    // when AR requests it, one signed credit_memo.approved naming the memo, its invoice and the
    // amounts when VP RevOps approves it.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let customer = customer_with_open_invoice(&app, "Soylent", "OPP-W8").await;
    let (_, secret) = endpoint(&app, &receiver.url, &["credit_memo.approved"]).await;
    let invoice = invoices_of(&app, &customer).await[0].clone();
    let requested = app
        .gql_ok(
            Role::ArSpecialist,
            "mutation($input: CreditMemoRequestInput!) { creditMemoRequest(input: $input) { approvalId } }",
            json!({ "input": { "invoiceId": invoice["id"], "reason": "Outage in February", "amount": "250.00" } }),
        )
        .await["creditMemoRequest"]
        .clone();
    send(&app).await;
    assert!(
        receiver.requests().is_empty(),
        "a request is not an approval"
    );
    let memo = app
        .gql_ok(
            Role::VpRevops,
            "mutation($input: DocumentDecideInput!) { creditMemoDecide(input: $input) { id number } }",
            json!({ "input": { "approvalId": requested["approvalId"], "decision": "APPROVE", "comment": "Agreed" } }),
        )
        .await["creditMemoDecide"]
        .clone();
    assert_eq!(send(&app).await.delivered, 1);
    assert_eq!(send(&app).await.delivered, 0, "sent once");
    let events = signed_events(&receiver, &secret, "credit_memo.approved");
    assert_eq!(events.len(), 1, "{events:#?}");
    let data = &events[0]["data"];
    assert_eq!(
        data["creditMemoId"].to_string(),
        memo["id"].as_str().unwrap()
    );
    assert_eq!(data["number"], memo["number"]);
    assert_eq!(
        data["invoiceId"].to_string(),
        invoice["id"].as_str().unwrap()
    );
    assert_eq!(data["customerId"].to_string(), customer);
    assert_eq!(data["reason"], "Outage in February");
    let usd = |amount: &str| json!({ "amount": amount, "currency": "USD" });
    assert_eq!(data["total"], usd("250.00"), "{data}");
    assert_eq!(data["tax"], usd("0.00"));
    assert_eq!(data["toInvoice"], usd("250.00"));
    assert_eq!(data["toCustomerCredit"], usd("0.00"));
    assert!(data["issueDate"].is_string(), "{data}");
}

#[tokio::test]
async fn closing_a_period_sends_period_closed_naming_the_period_and_the_cfo() {
    // Proves the CFO's period close emits period.closed in its transaction, signed, with the
    // period, who closed it and when; an endpoint subscribed to other types gets nothing.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    let (_, secret) = endpoint(&app, &receiver.url, &["period.closed"]).await;
    endpoint(&app, &other.url, &["invoice.issued"]).await;
    let closed = app
        .gql_ok(
            Role::Cfo,
            "mutation($period: String!) { periodClose(period: $period) { status } }",
            json!({ "period": "2026-10" }),
        )
        .await;
    assert_eq!(closed["periodClose"]["status"], "CLOSED");
    assert_eq!(send(&app).await.delivered, 1);
    let events = signed_events(&receiver, &secret, "period.closed");
    assert_eq!(events.len(), 1, "{events:#?}");
    let data = &events[0]["data"];
    assert_eq!(data["period"], "2026-10");
    assert_eq!(data["closedBy"], app.user_id(Role::Cfo));
    assert!(
        data["closedAt"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-27T10:00:00"),
        "{data}"
    );
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn a_commission_calculation_that_changes_statements_sends_commission_statement_ready() {
    // Proves the month's calculation emits commission_statement.ready with the run's counts and
    // totals when it changes statement lines, and a rerun that changes nothing sends nothing.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    crate::receivables::zero_tax(&app).await;
    let (_, secret) = endpoint(&app, &receiver.url, &["commission_statement.ready"]).await;
    let document = crate::commissions::plan(
        "PLAN-AE-2026",
        "quarter",
        "100000.00",
        "  - name: New business\n    metric: bookings_acv\n    tiers:\n      - { from: 0, rate: 10 }\n",
        "",
    );
    crate::commissions::import(&app, &document).await;
    crate::commissions::assign(&app, Role::Ae, "PLAN-AE-2026").await;
    let customer = app.create_customer("Initech", "USD").await;
    contract(
        &app,
        &customer,
        "OPP-W9",
        "ANNUALLY",
        "80000.00",
        "USD",
        "2026-12-01",
        "2027-11-30",
    )
    .await;
    let run = crate::commissions::calculate(&app, "2026-11").await;
    assert_eq!(run["lines"], 1, "{run}");
    assert_eq!(send(&app).await.delivered, 1);
    let again = crate::commissions::calculate(&app, "2026-11").await;
    assert_eq!(again["changed"], 0, "{again}");
    assert_eq!(
        send(&app).await.delivered,
        0,
        "a rerun changing nothing is no news"
    );
    let events = signed_events(&receiver, &secret, "commission_statement.ready");
    assert_eq!(events.len(), 1, "{events:#?}");
    let data = &events[0]["data"];
    assert_eq!(data["period"], "2026-11");
    assert_eq!(data["lines"], 1);
    assert_eq!(data["changedLines"], 1);
    assert_eq!(
        data["totals"],
        json!([{ "amount": "8000.00", "currency": "USD" }]),
        "10 % of the 80,000.00 ACV: {data}"
    );
    assert!(data["runId"].is_number(), "{data}");
    assert!(data["disputeDueOn"].is_string(), "{data}");
}

#[tokio::test]
async fn a_renewal_flagged_at_risk_sends_renewal_at_risk_once_at_its_sixty_day_mark() {
    // Proves the renewal alert run emits renewal.at_risk when a Yellow renewal is first flagged
    // to the CRO and VP CS at 60 days, with the contract, status, reason and ARR; the same day's
    // rerun and a Green renewal send nothing.
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    crate::receivables::zero_tax(&app).await;
    let (_, secret) = endpoint(&app, &receiver.url, &["renewal.at_risk"]).await;
    let echo = app.create_customer("Echo", "USD").await;
    let foxtrot = app.create_customer("Foxtrot", "USD").await;
    // Both renew on 25 February 2027.
    let echo_contract = contract(
        &app,
        &echo,
        "OPP-W10",
        "MONTHLY",
        "12000.00",
        "USD",
        "2026-02-25",
        "2027-02-24",
    )
    .await;
    let foxtrot_contract = contract(
        &app,
        &foxtrot,
        "OPP-W11",
        "MONTHLY",
        "6000.00",
        "USD",
        "2026-02-25",
        "2027-02-24",
    )
    .await;
    // Foxtrot stays Green: its owner is in touch (no contact for weeks would make it Yellow).
    let contact = |kind: &str, note: &str| json!({ "input": { "contractId": foxtrot_contract, "kind": kind, "note": note } });
    const CONTACT: &str =
        "mutation($input: RenewalContactLogInput!) { renewalContactLog(input: $input) { status } }";
    app.travel_to("2026-11-28T10:00:00Z".parse().unwrap()).await;
    app.gql_ok(
        Role::Ae,
        "mutation($input: RenewalStatusSetInput!) { renewalStatusSet(input: $input) { status } }",
        json!({ "input": { "contractId": echo_contract, "status": "YELLOW", "reason": "Budget review announced" } }),
    )
    .await;
    app.gql_ok(Role::Ae, CONTACT, contact("MEETING", "QBR held"))
        .await;
    let day: chrono::NaiveDate = "2026-11-28".parse().unwrap();
    app.app.renewals.run_alerts(day).await.unwrap();
    assert_eq!(send(&app).await.delivered, 0, "not yet at 60 days");
    app.travel_to("2026-12-27T10:00:00Z".parse().unwrap()).await;
    app.gql_ok(Role::Ae, CONTACT, contact("CALL", "Renewal on track"))
        .await;
    let day: chrono::NaiveDate = "2026-12-27".parse().unwrap();
    assert!(app.app.renewals.run_alerts(day).await.unwrap().alerts > 0);
    assert_eq!(app.app.renewals.run_alerts(day).await.unwrap().alerts, 0);
    assert_eq!(send(&app).await.delivered, 1);
    let events = signed_events(&receiver, &secret, "renewal.at_risk");
    assert_eq!(events.len(), 1, "{events:#?}");
    let data = &events[0]["data"];
    assert_eq!(data["contractId"].to_string(), echo_contract);
    assert_eq!(data["customerId"].to_string(), echo);
    assert_eq!(data["customerName"], "Echo");
    assert_eq!(data["status"], "yellow");
    assert_eq!(data["reason"], "Budget review announced");
    assert_eq!(data["renewalDate"], "2027-02-25");
    assert_eq!(data["daysToRenewal"], 60);
    assert_eq!(data["ownerId"], app.user_id(Role::Ae));
    assert_eq!(data["arr"]["currency"], "USD", "{data}");
    assert!(data["contractNumber"].is_string(), "{data}");
    assert_eq!(events[0]["createdAt"], "2026-12-27T10:00:00Z");
}
