//! The intake inbox as a connector's page and the inbox page show it: notifications newest
//! first with status, outcome and received time, the raw payload on demand, and "Replay" for a
//! received or failed one (asked first, then the new status in the row). The status filter and
//! the page cursor live in the URL.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_location, use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, IntakeEvent, ReplayedEvent, INTAKE_STATUSES},
    components::{
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{intake_status_tone, IntakeStatusBadge},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail},
    session,
};

const PAGE_SIZE: usize = 25;

/// The inbox of one connector (`connector`), or of every connector when `None`. `changed` is
/// bumped after a replay so counts elsewhere on the page reload.
#[component]
pub fn Inbox(
    connector: Option<String>,
    changed: RwSignal<u32>,
    /// What the empty inbox says to do next.
    #[prop(into)]
    empty_hint: String,
) -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| query.with(|q| q.get("status")).filter(|s| !s.is_empty()));
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let trail = CursorTrail::new();
    let show_connector = connector.is_none();
    let connector = StoredValue::new(connector);
    let events = LocalResource::new(move || {
        api::intake_events(
            connector.get_value(),
            status.get(),
            PAGE_SIZE as u32,
            after.get(),
        )
    });
    let go = use_go();
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(status.get_untracked(), next);
        })
    };
    let go_back = go.clone();
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go_back(status.get_untracked(), previous);
    });
    let empty_hint = StoredValue::new(empty_hint);
    view! {
        <section class="section" data-test="intake-inbox">
            <h2>"Inbox"</h2>
            <StatusFilter status=status on_choose=Callback::new(move |chosen: Option<String>| {
                trail.0.set(Vec::new());
                go(chosen, None);
            }) />
            {move || match events.get() {
                None => view! { <LoadingRows columns=7 rows=4 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| events.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => {
                    let (title, hint) = match status.get_untracked() {
                        Some(chosen) => (
                            format!("No {} events", intake_status_tone(&chosen).1.to_lowercase()),
                            "Choose “All” to see every event this inbox holds.".to_string(),
                        ),
                        None => ("The inbox is empty".to_string(), empty_hint.get_value()),
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(page)) => {
                    let shown = page.nodes.len();
                    let next_cursor = page.page_info.end_cursor.clone();
                    view! {
                        <EventTable rows=page.nodes show_connector=show_connector changed=changed />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), PAGE_SIZE)
                            total=page.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=page.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        />
                    }.into_any()
                }
            }}
        </section>
    }
}

/// Moves to this page with the status filter and cursor in the URL, keeping the other
/// parameters of the address (the inbox page's connector).
fn use_go() -> impl Fn(Option<String>, Option<String>) + Clone + 'static {
    let navigate = use_navigate();
    let location = use_location();
    let query = use_query_map();
    move |status: Option<String>, after: Option<String>| {
        let path = location.pathname.get_untracked();
        let connector = query.with_untracked(|q| q.get("connector"));
        navigate(
            &href_with_query(
                &path,
                &[
                    ("connector", connector),
                    ("status", status),
                    ("after", after),
                ],
            ),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    }
}

/// All, or one status: a segmented control whose choice is in the URL.
#[component]
fn StatusFilter(
    status: Memo<Option<String>>,
    on_choose: Callback<Option<String>>,
) -> impl IntoView {
    let choices: Vec<(Option<&'static str>, &'static str)> = std::iter::once((None, "All"))
        .chain(
            INTAKE_STATUSES
                .iter()
                .map(|value| (Some(*value), intake_status_tone(value).1)),
        )
        .collect();
    view! {
        <div class="toolbar">
            <div class="segmented" role="group" aria-label="Filter by status">
                {choices.into_iter().map(|(value, label)| {
                    let selected = move || status.with(|s| s.as_deref() == value);
                    view! {
                        <button type="button" class="segment" class:selected=selected
                            aria-pressed=move || if selected() { "true" } else { "false" }
                            data-filter=value.unwrap_or("ALL")
                            on:click=move |_| on_choose.run(value.map(str::to_string))>
                            {label}
                        </button>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}

#[component]
fn EventTable(
    rows: Vec<IntakeEvent>,
    show_connector: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <table class="table" data-test="intake-events">
            <thead>
                <tr>
                    <th scope="col">"Received"</th>
                    {show_connector.then(|| view! { <th scope="col">"Connector"</th> })}
                    <th scope="col">"Event"</th>
                    <th scope="col">"Opportunity"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            {rows.into_iter().map(|event| view! { <EventRows event=event show_connector=show_connector changed=changed /> }).collect_view()}
        </table>
    }
}

/// The payload as a person reads it: JSON indented, anything else (Salesforce's XML) as sent.
/// It is shown as text, so markup in it is never interpreted.
fn readable_payload(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| payload.to_string())
}

/// One event: its row, and below it the payload or the replay confirmation when opened.
#[component]
fn EventRows(event: IntakeEvent, show_connector: bool, changed: RwSignal<u32>) -> impl IntoView {
    let can_replay_role = session::can("INTAKE_REVIEW");
    let current = RwSignal::new(event);
    let payload_open = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let replayed = RwSignal::new(None::<ReplayedEvent>);
    let columns = if show_connector { 7 } else { 6 };
    let id = current.with_untracked(|e| e.id.clone());
    let payload_id = format!("payload-{id}");
    let on_replayed = Callback::new(move |result: ReplayedEvent| {
        confirming.set(false);
        current.set(result.event.clone());
        replayed.set(Some(result));
        changed.update(|count| *count += 1);
    });
    view! {
        <tbody data-event-id=id.clone() data-status=move || current.with(|e| e.status.clone())>
            <tr>
                <td class="nowrap">{move || current.with(|e| format::date_time(&e.received_at))}</td>
                {show_connector.then(|| view! { <td>{move || current.with(|e| e.connector.clone())}</td> })}
                <td class="mono small">{move || current.with(|e| e.event_id.clone())}</td>
                <td>
                    <div class="mono small">{move || current.with(|e| e.opportunity_id.clone().unwrap_or_else(|| "—".into()))}</div>
                    {move || current.with(|e| e.deal_id.clone()).map(|deal| view! { <a class="small" href=format!("/deals/{deal}")>{format!("Deal #{deal}")}</a> })}
                </td>
                <td data-test="event-status">{move || view! { <IntakeStatusBadge status=current.with(|e| e.status.clone()) /> }}</td>
                <td class="small" class:negative=move || current.with(|e| e.status == "FAILED") data-test="event-outcome">
                    {move || current.with(|e| if e.outcome.is_empty() { "Not processed yet.".to_string() } else { e.outcome.clone() })}
                </td>
                <td class="nowrap">
                    <button class="button button-quiet" type="button" data-action="show-payload"
                        aria-expanded=move || if payload_open.get() { "true" } else { "false" }
                        aria-controls=payload_id.clone()
                        on:click=move |_| payload_open.update(|open| *open = !*open)>
                        {move || if payload_open.get() { "Hide payload" } else { "Payload" }}
                    </button>
                    {move || (can_replay_role.get() && current.with(IntakeEvent::can_replay) && !confirming.get()).then(|| view! {
                        <button class="button" type="button" data-action="replay" on:click=move |_| { replayed.set(None); confirming.set(true); }>"Replay…"</button>
                    })}
                </td>
            </tr>
            {move || confirming.get().then(|| view! {
                <tr><td colspan=columns><ReplayConfirm event=current.get_untracked() on_replayed=on_replayed on_cancel=Callback::new(move |()| confirming.set(false)) /></td></tr>
            })}
            {move || replayed.get().map(|result| view! {
                <tr><td colspan=columns><ReplayNotice result=result /></td></tr>
            })}
            <tr id=format!("payload-{id}") hidden=move || !payload_open.get()>
                <td colspan=columns>
                    <pre class="payload" data-test="event-payload">{move || payload_open.get().then(|| current.with(|e| readable_payload(&e.payload)))}</pre>
                </td>
            </tr>
        </tbody>
    }
}

/// Asks before processing an event again, and says what that does.
#[component]
fn ReplayConfirm(
    event: IntakeEvent,
    on_replayed: Callback<ReplayedEvent>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let id = StoredValue::new(event.id.clone());
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    // The choice is the next thing to do, so the keyboard lands on it.
    Effect::new(move |_| {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let replay = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::intake_event_replay(id.get_value()).await;
            pending.try_set(false);
            match result {
                Ok(replayed) => on_replayed.run(replayed),
                Err(error) => {
                    errors.try_set(Some(error));
                }
            }
        });
    };
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm replaying the event" data-test="replay-confirm">
            <p>{format!(
                "Process event {} again? revops reads its payload as first received and creates or updates the draft deal (or records an amendment if the deal is approved). Replay after fixing the cause, e.g. once the customer exists.",
                event.event_id
            )}</p>
            <ActionError error=errors.into() />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm-replay" node_ref=confirm_button disabled=move || pending.get() on:click=replay>
                    {move || if pending.get() { "Replaying…" } else { "Replay event" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Back"</button>
            </div>
        </div>
    }
}

/// What the replay did: the new status and outcome, and what the deal still lacks.
#[component]
fn ReplayNotice(result: ReplayedEvent) -> impl IntoView {
    let (_, label) = intake_status_tone(&result.event.status);
    let failed = result.event.status == "FAILED";
    let node = NodeRef::<leptos::html::Div>::new();
    // Focus follows the answer, so a screen reader hears what happened.
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            let _ = element.focus();
        }
    });
    view! {
        <div class=if failed { "alert alert-warning" } else { "alert alert-success" } role="status" tabindex="-1" node_ref=node data-test="replay-notice">
            <strong>{format!("Replayed: {label}.")}</strong>
            " "{result.event.outcome.clone()}
            {(!result.gaps.is_empty()).then(|| view! {
                <p>"The deal still lacks:"</p>
                <ul>{result.gaps.into_iter().map(|gap| view! { <li>{gap}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}
