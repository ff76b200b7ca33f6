//! The sign-in page: email and password, the server's message when it refuses, and a landing
//! page that fits the user's role.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::Redirect, hooks::use_query_map};

use crate::{
    api::{self, ApiError},
    session::{self, use_session, Session},
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let expired = move || query.with(|q| q.get("expired").is_some());

    // Only same-site paths are followed after sign-in, never another origin.
    let next_path = move || {
        query
            .with_untracked(|q| q.get("next"))
            .filter(|next| next.starts_with('/') && !next.starts_with("//"))
    };

    // Someone signed in (already, or just now) goes straight to work.
    let redirect = move || {
        session.get().map(|current| {
            let target = next_path().unwrap_or_else(|| current.landing_path().to_string());
            view! { <Redirect path=target /> }
        })
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            session::clear();
            let result = api::login(
                email.get_untracked().trim().to_string(),
                password.get_untracked(),
            )
            .await;
            pending.set(false);
            match result {
                Ok(payload) => {
                    let signed_in = Session {
                        token: payload.token,
                        user: payload.user,
                    };
                    session::save(&signed_in);
                    session.set(Some(signed_in));
                }
                Err(failure) => {
                    password.set(String::new());
                    error.set(Some(failure));
                }
            }
        });
    };

    view! {
        {redirect}
        <main class="login-page">
            <form class="login-card" on:submit=submit novalidate=true>
                <div class="brand login-brand">
                    <span class="brand-mark" aria-hidden="true">"R"</span>
                    "revops"
                </div>
                <h1>"Sign in"</h1>
                <Show when=expired>
                    <p class="alert alert-neutral">"Your session ended. Please sign in again."</p>
                </Show>
                {move || {
                    error
                        .get()
                        .map(|error| {
                            view! {
                                <div class="alert alert-error" role="alert" data-test="login-error">
                                    {error.summary()}
                                </div>
                            }
                        })
                }}
                <div class="field">
                    <label for="login-email">"Email"</label>
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required=true
                        bind:value=email
                    />
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required=true
                        bind:value=password
                    />
                </div>
                <button class="button button-primary button-block" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
