//! The signed-in session: the bearer token and the `me` user, kept in `sessionStorage` so a
//! session lasts as long as the browser tabs that hold it and no longer.
//!
//! A link opened in a new tab starts with an empty `sessionStorage`; it asks the tabs already
//! open for their session over a `BroadcastChannel` (same origin only, and nothing is written to
//! storage that outlives the tabs), so it opens signed in, at the full link. Signing out in one
//! tab, or the server refusing the token, signs out every tab holding that token.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{prelude::Closure, JsCast, JsValue};

use crate::api::User;

const STORAGE_KEY: &str = "revops.session";
/// The channel the tabs of this origin talk over.
const CHANNEL: &str = "revops.session";

/// What one tab says to the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum TabMessage {
    /// A tab without a session asks for one.
    Request,
    /// A signed-in tab answers with its session.
    Share { session: Session },
    /// A token ended (signed out, or refused by the server as expired): every tab holding it
    /// drops its session. A tab signed in with another token keeps it.
    SignOut { token: String },
}

fn post(channel: &web_sys::BroadcastChannel, message: &TabMessage) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = channel.post_message(&JsValue::from_str(&text));
    }
}

/// Listens to the other tabs for the life of the page: answers a new tab's request with this
/// tab's session, takes one offered while this tab has none, and drops it when another tab signs
/// out; then asks, if this tab has no session yet.
pub fn share_across_tabs(session: RwSignal<Option<Session>>) {
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return; // an old browser: every tab signs in on its own
    };
    let reply = channel.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let Ok(message) = serde_json::from_str::<TabMessage>(&text) else {
                return;
            };
            match message {
                TabMessage::Request => {
                    if let Some(current) = session.get_untracked() {
                        post(&reply, &TabMessage::Share { session: current });
                    }
                }
                TabMessage::Share { session: shared } => {
                    if session.with_untracked(Option::is_none) {
                        save(&shared);
                        session.set(Some(shared));
                    }
                }
                TabMessage::SignOut { token } => {
                    let holds_it = session.with_untracked(|current| {
                        current.as_ref().is_some_and(|s| s.token == token)
                    });
                    if holds_it {
                        clear();
                        session.set(None);
                    }
                }
            }
        });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The listener lives as long as the page does.
    on_message.forget();
    if session.with_untracked(Option::is_none) {
        post(&channel, &TabMessage::Request);
    }
}

/// Tells the other tabs this token ended (signed out here, or refused as expired), so none of
/// them keeps using it or hands it to a new tab.
pub fn announce_sign_out(token: String) {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        post(&channel, &TabMessage::SignOut { token });
        channel.close();
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: User,
}

impl Session {
    /// Whether the user holds a permission. This only decides what the page offers; the server
    /// checks every request again.
    pub fn can(&self, permission: &str) -> bool {
        self.user.permissions.iter().any(|held| held == permission)
    }

    /// Where a user lands after signing in: the page their role works from.
    pub fn landing_path(&self) -> &'static str {
        match self.user.role.to_ascii_uppercase().as_str() {
            "CFO" | "CRO" | "VP_REVOPS" => "/dashboard",
            "VP_FINANCE" => "/approvals",
            "AR_SPECIALIST" => "/collections",
            "AE" => "/commissions",
            _ => "/customers",
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|window| window.session_storage().ok().flatten())
}

/// The session saved in this tab, if any.
pub fn load() -> Option<Session> {
    let text = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Saves the session for this tab. Storage can be unavailable (private modes); the app then
/// still works until the page is reloaded, so a failure is not an error worth showing.
pub fn save(session: &Session) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(session)) {
        let _ = storage.set_item(STORAGE_KEY, &text);
    }
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

/// The bearer token for API calls, read from storage so that every call uses the newest one.
pub fn token() -> Option<String> {
    load().map(|session| session.token)
}

/// Ends a session the server no longer accepts and sends the user to the login page with a
/// note saying why. A full page load also drops every cached view of the old user's data.
pub fn expire() {
    // Every tab holds the same token once shared: they all let it go, or one would hand the dead
    // token back to this tab's sign-in page and the two would go round for ever.
    if let Some(token) = token() {
        announce_sign_out(token);
    }
    clear();
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        // Coming back to the same page after signing in again; the login page itself is no
        // place to return to.
        let target = if here.starts_with("/login") || here == "/" {
            "/login?expired=1".to_string()
        } else {
            format!(
                "/login?expired=1&next={}",
                String::from(js_sys::encode_uri_component(&here))
            )
        };
        let _ = location.set_href(&target);
    }
}

/// The reactive session shared by every page through context.
#[derive(Clone, Copy)]
pub struct SessionContext(pub RwSignal<Option<Session>>);

pub fn use_session() -> RwSignal<Option<Session>> {
    match use_context::<SessionContext>() {
        Some(SessionContext(signal)) => signal,
        // Only reachable if a component is mounted outside <App/>; an empty session makes it
        // show its signed-out state instead of crashing.
        None => RwSignal::new(None),
    }
}

/// True when the signed-in user holds the permission. A memo, so views that depend on it are
/// redrawn only when the answer changes, not whenever the session is refreshed.
pub fn can(permission: &'static str) -> Signal<bool> {
    let session = use_session();
    Memo::new(move |_| session.with(|s| s.as_ref().is_some_and(|s| s.can(permission)))).into()
}
