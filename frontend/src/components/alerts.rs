//! The in-app alerts of the top bar: a bell with the number of unread alerts, and a short list
//! that opens under it, where an alert is marked read or followed to the page it is about.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_location;

use crate::{api, format};

/// How many unread alerts the list shows (the newest).
const SHOWN: u32 = 20;

#[component]
pub fn AlertBell() -> impl IntoView {
    let location = use_location();
    let open = RwSignal::new(false);
    let version = RwSignal::new(0_u32);
    // Reloaded on every page change, after marking one read, and once a minute.
    let alerts = LocalResource::new(move || {
        location.pathname.track();
        version.track();
        api::my_alerts(true, SHOWN)
    });
    if let Ok(handle) = set_interval_with_handle(
        move || {
            version.try_update(|count| *count += 1);
        },
        Duration::from_secs(60),
    ) {
        on_cleanup(move || handle.clear());
    }
    let unread = Memo::new(move |_| {
        alerts
            .get()
            .and_then(Result::ok)
            .map_or(0, |alerts| alerts.len())
    });
    let mark_read = move |id: String| {
        spawn_local(async move {
            // A failure leaves the alert unread, which the list then still shows.
            let _ = api::alert_mark_read(id).await;
            version.try_update(|count| *count += 1);
        });
    };
    let count_text = move || {
        let count = unread.get();
        if count >= SHOWN as usize {
            format!("{count}+")
        } else {
            count.to_string()
        }
    };
    view! {
        <div
            class="alert-bell"
            on:keydown=move |event: leptos::ev::KeyboardEvent| {
                if event.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            <button
                type="button"
                class="button button-quiet bell-button"
                data-test="alert-bell"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="alert-list"
                aria-label=move || format!("Alerts, {} unread", count_text())
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <svg class="bell-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path
                        fill="currentColor"
                        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"
                    />
                </svg>
                "Alerts"
                {move || (unread.get() > 0).then(|| view! {
                    <span class="nav-badge" data-test="alert-count">{count_text()}</span>
                })}
            </button>
            <Show when=move || open.get()>
                <div class="alert-popover" id="alert-list" role="region" aria-label="Unread alerts" data-test="alert-list">
                    {move || match alerts.get() {
                        None => view! { <p class="muted small">"Loading…"</p> }.into_any(),
                        Some(Err(error)) => view! { <p class="field-error">{error.summary()}</p> }.into_any(),
                        Some(Ok(list)) if list.is_empty() => view! {
                            <p class="muted small" data-test="no-alerts">"No unread alerts. Renewal and collections alerts for you appear here."</p>
                        }.into_any(),
                        Some(Ok(list)) => view! {
                            <ul class="alert-items">
                                {list.into_iter().map(|alert| {
                                    let read_on_follow = alert.id.clone();
                                    let read_now = alert.id.clone();
                                    let title = match alert.link.clone() {
                                        Some(link) => view! {
                                            <a
                                                href=link
                                                class="alert-title"
                                                on:click=move |_| {
                                                    open.set(false);
                                                    mark_read(read_on_follow.clone());
                                                }
                                            >
                                                {alert.title.clone()}
                                            </a>
                                        }.into_any(),
                                        None => view! { <span class="alert-title">{alert.title.clone()}</span> }.into_any(),
                                    };
                                    view! {
                                        <li data-alert-id=alert.id.clone()>
                                            {title}
                                            <p class="small">{alert.body.clone()}</p>
                                            <div class="alert-meta">
                                                <span class="muted small">{format::date_time(&alert.created_at)}</span>
                                                <button
                                                    type="button"
                                                    class="button button-quiet"
                                                    data-action="mark-read"
                                                    on:click=move |_| mark_read(read_now.clone())
                                                >
                                                    "Mark read"
                                                </button>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </div>
            </Show>
        </div>
    }
}
