//! The billing checklist of a deal: each item complete (with the word), or what is missing.

use leptos::prelude::*;

use crate::{
    api::{ApiError, ChecklistItem},
    components::status::{Badge, Tone},
};

/// The checklist beside the form: each item complete, or what is missing.
#[component]
pub fn Checklist(checklist: Signal<Option<Result<Vec<ChecklistItem>, ApiError>>>) -> impl IntoView {
    // The last good answer stays on screen while the form is in a state the server cannot check.
    let last_items = RwSignal::new(None::<Vec<ChecklistItem>>);
    Effect::new(move |_| {
        if let Some(Ok(items)) = checklist.get() {
            last_items.set(Some(items));
        }
    });
    let problem = move || {
        checklist.with(|c| match c {
            Some(Err(error)) => Some(error.summary()),
            _ => None,
        })
    };
    view! {
        <section class="panel checklist" aria-live="polite" data-test="checklist">
            <h2>"Billing checklist"</h2>
            {move || {
                problem()
                    .map(|message| {
                        view! {
                            <p class="alert alert-neutral">
                                <strong>"Checklist paused: "</strong>
                                {message}
                            </p>
                        }
                    })
            }}
            {move || match checklist.get() {
                None => view! { <p class="muted">"Checking…"</p> }.into_any(),
                Some(Err(_)) => match last_items.get() {
                    Some(items) => view! { <ChecklistItems items=items /> }.into_any(),
                    None => ().into_any(),
                },
                Some(Ok(items)) => view! { <ChecklistItems items=items /> }.into_any(),
            }}
        </section>
    }
}

/// The items, missing ones first (they are what the reader must act on), each with its word.
#[component]
fn ChecklistItems(items: Vec<ChecklistItem>) -> impl IntoView {
    let done = items.iter().filter(|item| item.complete).count();
    let total = items.len();
    let mut items = items;
    items.sort_by_key(|item| item.complete);
    view! {
        <p class="checklist-progress">
            {if done == total {
                view! { <Badge tone=Tone::Good label="Complete" /> }.into_any()
            } else {
                view! { <Badge tone=Tone::Warning label=format!("{} missing", total - done) /> }.into_any()
            }}
            {format!(" {done} of {total} complete")}
        </p>
        <ul class="checklist-items">
            {items
                .into_iter()
                .map(|item| {
                    let state = if item.complete { "complete" } else { "missing" };
                    view! {
                        <li class=format!("checklist-item {state}") data-key=item.key.clone() data-state=state>
                            <span class="check-icon" aria-hidden="true">{if item.complete { "✓" } else { "!" }}</span>
                            <div class="check-body">
                                <span class="check-label">{item.label}</span>
                                {if item.complete {
                                    view! { <span class="check-state good">"Complete"</span> }.into_any()
                                } else {
                                    view! { <span class="check-state missing">{item.message.unwrap_or_else(|| "Missing".into())}</span> }.into_any()
                                }}
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
