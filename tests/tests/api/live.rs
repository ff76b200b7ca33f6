//! Live updates: GraphQL subscriptions over a real WebSocket (`/graphql/ws`, the graphql-ws
//! protocol `graphql-transport-ws`), against the real app, with the work they follow done over
//! HTTP as the web app does it.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use revops_tests::{Role, TestApp};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

use super::billing::{contract, deal, run, tax_rate};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for the next message before failing.
const WAIT: Duration = Duration::from_secs(15);

/// Opens the socket and sends `connection_init` with `payload`; the caller reads the answer.
async fn open(app: &TestApp, payload: Value) -> Socket {
    let url = format!("{}/graphql/ws", app.base_url.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": payload }).to_string(),
        ))
        .await
        .unwrap();
    socket
}

/// The next protocol message, or `None` once the server closed the socket.
async fn next(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("no message from the server in time");
        match message {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "ping" {
                    continue;
                }
                return Some(value);
            }
            Some(Ok(_)) => continue,
        }
    }
}

/// A socket signed in as `role`, acknowledged.
async fn signed_in(app: &TestApp, role: Role) -> Socket {
    let mut socket = open(app, json!({ "token": app.token(role).await })).await;
    let ack = next(&mut socket).await;
    assert_eq!(
        ack.as_ref().map(|m| m["type"].clone()),
        Some(json!("connection_ack")),
        "{ack:?}"
    );
    socket
}

async fn subscribe(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    socket
        .send(Message::text(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })
                .to_string(),
        ))
        .await
        .unwrap();
}

const BOOKS: &str = "subscription { booksChanged { lastEntryId postedAt } }";
const BILL_RUN: &str = "subscription($date: Date!) { billRunProgress(businessDate: $date) { status done total summary } }";

#[tokio::test]
async fn a_bill_run_streams_its_progress_and_the_books_changed_signal_follows_the_ledger() {
    // Proves over a real socket: booksChanged sends the newest journal entry at once and again
    // when a bill run posts invoices (no polling by the client); billRunProgress sends nothing
    // yet (null) before the run, then the run as done with its totals, and completes.
    let app = TestApp::spawn().await;
    tax_rate(&app, "US-CA", "0").await;
    let customer = app.create_customer("Live Wire Inc.", "USD").await;
    contract(&app, deal(&customer, app.user_id(Role::Ae), "OPP-LIVE-1")).await;

    let mut books = signed_in(&app, Role::Cfo).await;
    subscribe(&mut books, "books", BOOKS, json!({})).await;
    let first = next(&mut books).await.unwrap();
    assert_eq!(first["type"], "next", "{first}");
    let before = first["payload"]["data"]["booksChanged"]["lastEntryId"].clone();

    let mut progress = signed_in(&app, Role::Admin).await;
    subscribe(
        &mut progress,
        "run",
        BILL_RUN,
        json!({ "date": "2026-03-15" }),
    )
    .await;
    let waiting = next(&mut progress).await.unwrap();
    assert_eq!(
        waiting["payload"]["data"]["billRunProgress"],
        Value::Null,
        "no run yet: {waiting}"
    );

    let ran = run(&app, "2026-03-15").await;
    assert_eq!(ran["issued"].as_array().unwrap().len(), 1, "{ran}");

    let mut last = Value::Null;
    loop {
        let message = next(&mut progress)
            .await
            .expect("the socket closed before the run's end");
        if message["type"] == "complete" {
            break;
        }
        assert_eq!(message["type"], "next", "{message}");
        last = message["payload"]["data"]["billRunProgress"].clone();
    }
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["done"], last["total"], "{last}");
    // The recent runs list the page reloads when the stream ends shows it.
    let runs = app
        .gql_ok(
            Role::Admin,
            "{ billRuns { businessDate status done total } }",
            json!({}),
        )
        .await;
    assert_eq!(
        runs["billRuns"][0],
        json!({ "businessDate": "2026-03-15", "status": "done", "done": 1, "total": 1 }),
        "{runs}"
    );

    let changed = next(&mut books).await.unwrap();
    assert_eq!(changed["type"], "next", "{changed}");
    let after = changed["payload"]["data"]["booksChanged"]["lastEntryId"].clone();
    assert!(after.is_string(), "{changed}");
    assert_ne!(after, before, "the invoices posted journal entries");
}

#[tokio::test]
async fn a_socket_needs_a_token_and_each_subscription_its_permission() {
    // Proves a connection without a token, or with a bad one, is refused before any
    // subscription; an AE (no import access) subscribing to an import's progress gets FORBIDDEN,
    // and an unknown field is refused by validation — each answered with its error, no stream.
    let app = TestApp::spawn().await;
    let mut anonymous = open(&app, json!({})).await;
    let refused = next(&mut anonymous).await;
    assert!(
        refused
            .as_ref()
            .is_none_or(|message| message["type"] != "connection_ack"),
        "{refused:?}"
    );
    let mut forged = open(&app, json!({ "token": "not-a-token" })).await;
    let refused = next(&mut forged).await;
    assert!(
        refused
            .as_ref()
            .is_none_or(|message| message["type"] != "connection_ack"),
        "{refused:?}"
    );

    let mut ae = signed_in(&app, Role::Ae).await;
    subscribe(
        &mut ae,
        "import",
        "subscription { importProgress(id: \"1\") { status } }",
        json!({}),
    )
    .await;
    // Refused when it is set up: one result carrying the error, then the end of it.
    let forbidden = next(&mut ae).await.unwrap();
    assert_eq!(forbidden["id"], "import");
    assert_eq!(forbidden["payload"]["data"], Value::Null, "{forbidden}");
    assert_eq!(
        forbidden["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden}"
    );
    let ended = next(&mut ae).await.unwrap();
    assert_eq!(ended["type"], "complete", "{ended}");

    subscribe(&mut ae, "nope", "subscription { nothingHere }", json!({})).await;
    let invalid = next(&mut ae).await.unwrap();
    assert_eq!(invalid["id"], "nope");
    assert_eq!(invalid["payload"]["data"], Value::Null, "{invalid}");
    assert!(
        invalid["payload"]["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("Unknown field \"nothingHere\"")),
        "{invalid}"
    );
    assert_eq!(
        invalid["payload"]["errors"][0]["extensions"]["code"], "VALIDATION",
        "{invalid}"
    );
}
