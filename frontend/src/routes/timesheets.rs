//! Timesheet approval: submitted time-and-materials entries, each approved (billable from then
//! on) or rejected with an optional note. The status filter is kept in the URL.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, Timesheet},
    app::RequirePermission,
    components::{
        field::non_empty,
        money::MoneyCell,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::TimesheetStatusBadge,
    },
    format,
    routes::href_with_query,
    session,
};

const STATUS_FILTERS: [(&str, &str); 4] = [
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("all", "All"),
];

#[component]
pub fn TimesheetsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="BILLING_READ">
            <TimesheetList />
        </RequirePermission>
    }
}

#[component]
fn TimesheetList() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    // What waits for a decision comes first.
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .filter(|status| STATUS_FILTERS.iter().any(|(value, _)| value == status))
            .unwrap_or_else(|| "submitted".to_string())
    });
    let entries = LocalResource::new(move || {
        let status = status.get();
        api::timesheets((status != "all").then_some(status))
    });
    let can_decide = session::can("TIMESHEET_APPROVE");
    let outcome = RwSignal::new(None::<String>);
    let on_decided = Callback::new(move |message: String| {
        outcome.set(Some(message));
        entries.refetch();
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Timesheets"</h1>
                    <p class="muted">"Hours billed on time-and-materials lines; an approved entry is billed on the next run."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS
                        .iter()
                        .map(|(value, label)| {
                            let navigate = navigate.clone();
                            let value = *value;
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=move || status.get() == value
                                    aria-pressed=move || if status.get() == value { "true" } else { "false" }
                                    data-filter=value
                                    on:click=move |_| {
                                        outcome.set(None);
                                        let href = href_with_query("/billing/timesheets", &[("status", Some(value.to_string()))]);
                                        navigate(&href, NavigateOptions { replace: true, ..Default::default() });
                                    }
                                >
                                    {*label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            {move || outcome.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="timesheet-outcome">{message}</div>
            })}
            {move || match entries.get() {
                None => view! { <LoadingRows columns=8 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| entries.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    let (title, hint) = if status.get_untracked() == "submitted" {
                        ("Nothing waiting for approval", "Submitted timesheet entries appear here until someone approves or rejects them.")
                    } else {
                        ("No entries with this status", "Choose another status above to see other entries.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <TimesheetTable entries=list can_decide=can_decide.get_untracked() on_decided=on_decided />
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn TimesheetTable(
    entries: Vec<Timesheet>,
    can_decide: bool,
    on_decided: Callback<String>,
) -> impl IntoView {
    view! {
        <table class="table" data-test="timesheet-table">
            <thead>
                <tr>
                    <th scope="col">"Work date"</th>
                    <th scope="col">"Person"</th>
                    <th scope="col">"Work"</th>
                    <th scope="col" class="num">"Hours"</th>
                    <th scope="col" class="num">"Rate"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Decision"</th>
                </tr>
            </thead>
            <tbody>
                {entries
                    .into_iter()
                    .map(|entry| view! { <TimesheetRow entry=entry can_decide=can_decide on_decided=on_decided /> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn TimesheetRow(entry: Timesheet, can_decide: bool, on_decided: Callback<String>) -> impl IntoView {
    let decision = if entry.status == "submitted" && can_decide {
        view! { <DecisionForm entry=entry.clone() on_decided=on_decided /> }.into_any()
    } else {
        match entry.decided_at.clone() {
            Some(at) => view! {
                <span class="small muted">{format!("{}{}", format::date(&at), entry.decision_note.clone().map(|n| format!(": “{n}”")).unwrap_or_default())}</span>
            }
            .into_any(),
            None => view! { <span class="muted">"—"</span> }.into_any(),
        }
    };
    view! {
        <tr data-timesheet-id=entry.id.clone()>
            <td class="nowrap">{format::date(&entry.work_date)}</td>
            <td>
                {entry.person.clone()}
                <div class="small muted">{entry.role.clone()}</div>
            </td>
            <td>{entry.description.clone()}</td>
            <td class="num">{entry.hours.clone()}</td>
            <MoneyCell money=Some(entry.rate.clone()) />
            <MoneyCell money=Some(entry.amount.clone()) />
            <td><TimesheetStatusBadge status=entry.status.clone() /></td>
            <td>{decision}</td>
        </tr>
    }
}

/// Approve or reject one entry with an optional note; the amount is confirmed first.
#[component]
fn DecisionForm(entry: Timesheet, on_decided: Callback<String>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let confirming = RwSignal::new(None::<bool>);
    let pending = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(entry.id.clone());
    let note_id = format!("timesheet-note-{}", entry.id);
    let summary = format!(
        "{} h by {} on {} for {}",
        entry.hours,
        entry.person,
        format::date(&entry.work_date),
        entry.amount.display()
    );
    let decide = move |_| {
        let Some(approve) = confirming.get_untracked() else {
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let result =
                api::timesheet_decide(id.get_value(), approve, non_empty(&note.get_untracked()))
                    .await;
            pending.set(false);
            confirming.set(None);
            match result {
                Ok(decided) => on_decided.run(format!(
                    "{}: {} h by {} for {}{}.",
                    if approve { "Approved" } else { "Rejected" },
                    decided.hours,
                    decided.person,
                    decided.amount.display(),
                    if approve {
                        ", billed on the next run"
                    } else {
                        ""
                    }
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <div class="decision compact-decision">
            <label class="visually-hidden" for=note_id.clone()>"Note"</label>
            <input id=note_id type="text" name="note" placeholder="Note (optional)" bind:value=note />
            <ActionError error=errors.into() />
            <Show
                when=move || confirming.get().is_some()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="approve" on:click=move |_| confirming.set(Some(true))>"Approve"</button>
                        <button class="button button-danger" type="button" data-action="reject" on:click=move |_| confirming.set(Some(false))>"Reject"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm timesheet decision">
                    <p>
                        {let summary = summary.clone();
                         move || if confirming.get() == Some(true) {
                            format!("Approve {summary}? It is billed on the next run.")
                        } else {
                            format!("Reject {summary}? It will not be billed.")
                        }}
                    </p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=decide>
                            {move || if pending.get() { "Saving…" } else { "Confirm" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
