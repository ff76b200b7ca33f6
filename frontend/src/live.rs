//! Live updates: one GraphQL subscription over a WebSocket to `/graphql/ws`, spoken in the
//! graphql-ws protocol (`graphql-transport-ws`): the session's token in `connection_init`, then
//! one `subscribe`, each `next` handed to the page, `complete` or an error ending it. A page
//! keeps the [`Live`] while it listens; dropping it (the page going away) closes the socket.
//!
//! Pages fall back to asking again on a timer when a socket cannot be opened or is refused, so a
//! proxy that does not pass WebSockets costs freshness, not function.

use std::cell::Cell;
use std::rc::Rc;

use serde_json::{json, Value};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{MessageEvent, WebSocket};

use crate::api::{ops, BillRunStatus};
use crate::session;

/// How a subscription ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ended {
    /// The server completed it (the work it followed is over).
    Completed,
    /// It failed or was refused, or the connection dropped, before completing.
    Failed(String),
}

/// An open subscription; closes its socket when dropped.
pub struct Live {
    socket: WebSocket,
    ended: Rc<Cell<bool>>,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Live {
    fn drop(&mut self) {
        // Said first, so the close it causes is not reported as a failure.
        self.ended.set(true);
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}

/// The socket's address on this page's host (`wss:` under HTTPS).
fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/graphql/ws", location.host().ok()?))
}

/// Starts `query` (a subscription document) with `variables`: `on_data` gets each result's
/// `data`, `on_end` is called once when it ends. `None` when the browser could not open a socket
/// (then nothing is called).
pub fn subscribe(
    query: &str,
    variables: Value,
    on_data: impl Fn(Value) + 'static,
    on_end: impl Fn(Ended) + 'static,
) -> Option<Live> {
    let url = socket_url()?;
    let socket = WebSocket::new_with_str(&url, "graphql-transport-ws").ok()?;
    let ended = Rc::new(Cell::new(false));
    let on_end = Rc::new(move |how: Ended| on_end(how));
    let finish = {
        let ended = ended.clone();
        let on_end = on_end.clone();
        move |how: Ended| {
            if !ended.replace(true) {
                on_end(how);
            }
        }
    };

    let on_open = {
        let socket = socket.clone();
        Closure::<dyn FnMut()>::new(move || {
            let token = session::token().unwrap_or_default();
            let init = json!({ "type": "connection_init", "payload": { "token": token } });
            let _ = socket.send_with_str(&init.to_string());
        })
    };
    let on_message = {
        let socket = socket.clone();
        let finish = finish.clone();
        let subscribe = json!({
            "id": "1",
            "type": "subscribe",
            "payload": { "query": query, "variables": variables }
        })
        .to_string();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let Ok(message) = serde_json::from_str::<Value>(&text) else {
                return;
            };
            match message["type"].as_str() {
                Some("connection_ack") => {
                    let _ = socket.send_with_str(&subscribe);
                }
                Some("ping") => {
                    let _ = socket.send_with_str(&json!({ "type": "pong" }).to_string());
                }
                Some("next") => {
                    let payload = &message["payload"];
                    match payload["errors"][0]["message"].as_str() {
                        Some(error) => finish(Ended::Failed(error.to_string())),
                        None => on_data(payload["data"].clone()),
                    }
                }
                Some("error") => {
                    let reason = message["payload"][0]["message"]
                        .as_str()
                        .unwrap_or("The server refused the live update.");
                    finish(Ended::Failed(reason.to_string()));
                    let _ = socket.close();
                }
                Some("complete") => {
                    finish(Ended::Completed);
                    let _ = socket.close();
                }
                _ => {}
            }
        })
    };
    let on_close = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            finish(Ended::Failed("The live connection closed.".to_string()));
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Some(Live {
        socket,
        ended,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    })
}

/// Follows the ledger: `on_change` runs each time something posts to it (not for the state when
/// the subscription starts), `on_end` when the feed stops.
pub fn books_changed(
    on_change: impl Fn() + 'static,
    on_end: impl Fn(Ended) + 'static,
) -> Option<Live> {
    let body = <ops::BooksChanged as graphql_client::GraphQLQuery>::build_query(
        ops::books_changed::Variables,
    );
    let first = Cell::new(true);
    subscribe(
        body.query,
        Value::Null,
        move |_| {
            if !first.replace(false) {
                on_change();
            }
        },
        on_end,
    )
}

/// Follows the bill run of `business_date`: each state of it as it changes (none before it
/// starts), ending after it is done.
pub fn bill_run_progress(
    business_date: String,
    on_status: impl Fn(Option<BillRunStatus>) + 'static,
    on_end: impl Fn(Ended) + 'static,
) -> Option<Live> {
    let body = <ops::BillRunProgress as graphql_client::GraphQLQuery>::build_query(
        ops::bill_run_progress::Variables { business_date },
    );
    let variables = serde_json::to_value(&body.variables).unwrap_or(Value::Null);
    subscribe(
        body.query,
        variables,
        move |data| {
            on_status(
                serde_json::from_value(data["billRunProgress"].clone())
                    .ok()
                    .flatten(),
            );
        },
        on_end,
    )
}
