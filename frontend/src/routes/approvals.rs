//! The approvals inbox: credit-limit requests, pending first, each decided with a comment by an
//! approver other than the requester.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, Approval},
    app::{use_approvals_changed, RequirePermission},
    components::{
        field::TextAreaField,
        money::MoneyCell,
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::ApprovalStatusBadge,
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail},
};

/// Requests per page; each card carries a decision form, so pages stay short.
const PAGE_SIZE: usize = 25;

const STATUS_FILTERS: [(&str, &str); 4] = [
    ("PENDING", "Pending"),
    ("APPROVED", "Approved"),
    ("REJECTED", "Rejected"),
    ("ALL", "All"),
];

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="APPROVAL_READ">
            <Inbox />
        </RequirePermission>
    }
}

#[component]
fn Inbox() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    // Pending is the default view: what waits for a decision comes first.
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .filter(|status| STATUS_FILTERS.iter().any(|(value, _)| value == status))
            .unwrap_or_else(|| "PENDING".to_string())
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let trail = CursorTrail::new();
    let approvals = LocalResource::new(move || {
        let status = status.get();
        let after = after.get();
        async move {
            let filter = (status != "ALL").then_some(status);
            let mut connection = api::approvals(filter, after).await?;
            // Within "All", pending requests come first, each group newest first.
            connection
                .nodes
                .sort_by_key(|approval| approval.status != "PENDING");
            Ok::<_, ApiError>(connection)
        }
    });
    let go_page = {
        let navigate = navigate.clone();
        move |after: Option<String>| {
            let href = href_with_query(
                "/approvals",
                &[("status", Some(status.get_untracked())), ("after", after)],
            );
            navigate(
                &href,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    };
    let on_next = {
        let go_page = go_page.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go_page(next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go_page(previous);
    });
    let outcome = RwSignal::new(None::<String>);
    let approvals_changed = use_approvals_changed();
    let on_decided = Callback::new(move |message: String| {
        outcome.set(Some(message));
        approvals_changed();
        approvals.refetch();
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Approvals"</h1>
                    <p class="muted">"Credit-limit changes waiting for a second person's decision."</p>
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
                                        trail.0.set(Vec::new());
                                        let href = href_with_query("/approvals", &[("status", Some(value.to_string()))]);
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
                <div class="alert alert-success" role="status" data-test="decision-outcome">{message}</div>
            })}
            {move || match approvals.get() {
                None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| approvals.refetch()) /> }.into_any(),
                Some(Ok(connection)) if connection.nodes.is_empty() => {
                    let (title, hint) = if status.get_untracked() == "PENDING" {
                        ("Nothing waiting for a decision", "New credit-limit requests appear here as soon as someone sends one.")
                    } else {
                        ("No requests with this status", "Choose another status above to see other requests.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(connection)) => {
                    let shown = connection.nodes.len();
                    let next_cursor = connection.page_info.end_cursor.clone();
                    view! {
                        <div class="approval-list" data-test="approval-list">
                            {connection
                                .nodes
                                .into_iter()
                                .map(|approval| view! { <ApprovalCard approval=approval on_decided=on_decided /> })
                                .collect_view()}
                        </div>
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), PAGE_SIZE)
                            total=connection.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=connection.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        />
                    }.into_any()
                }
            }}
        </div>
    }
}

/// The relative change of a limit ("+25.0%"), for reading only: the figures themselves are
/// always shown exactly as the server sent them.
fn limit_change(current: &str, requested: &str) -> Option<String> {
    let current: f64 = current.parse().ok()?;
    let requested: f64 = requested.parse().ok()?;
    if current == 0.0 {
        return None;
    }
    let ratio = (requested - current) / current;
    let sign = if ratio > 0.0 { "+" } else { "" };
    Some(format!("{sign}{}", format::percent(ratio)))
}

/// One request: who asks for what and why, and the decision form.
#[component]
fn ApprovalCard(approval: Approval, on_decided: Callback<String>) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(None::<&'static str>);
    let pending = RwSignal::new(false);
    let can_decide = approval.can_decide;
    let is_pending = approval.status == "PENDING";
    let id = approval.id.clone();
    let customer_name = approval.customer.legal_name.clone();
    let requested_limit = approval.requested_limit.display();
    let current_limit = approval.current_limit.display();
    let change = limit_change(
        &approval.current_limit.amount,
        &approval.requested_limit.amount,
    );
    let terms_change = format!(
        "{} → {}",
        format::enum_label(&approval.current_terms),
        format::enum_label(&approval.requested_terms)
    );

    let ask = move |decision: &'static str| {
        if comment.with_untracked(|c| c.trim().is_empty()) {
            errors.set(Some(ApiError::for_field(
                "comment",
                "Write a comment explaining your decision.",
            )));
            return;
        }
        errors.set(None);
        confirming.set(Some(decision));
    };
    let decide = {
        let id = StoredValue::new(id.clone());
        let customer_name = StoredValue::new(customer_name.clone());
        move |_| {
            let Some(decision) = confirming.get_untracked() else {
                return;
            };
            let id = id.get_value();
            let customer_name = customer_name.get_value();
            pending.set(true);
            spawn_local(async move {
                let result =
                    api::approval_decide(id, decision, comment.get_untracked().trim().to_string())
                        .await;
                pending.set(false);
                confirming.set(None);
                match result {
                    Ok(decided) => {
                        let message = if decided.status == "APPROVED" {
                            format!(
                                "Approved: {customer_name} now has a {} credit limit on {} terms.",
                                decided.requested_limit.display(),
                                format::enum_label(&decided.requested_terms)
                            )
                        } else {
                            format!(
                                "Rejected: {customer_name} keeps its {} credit limit.",
                                decided.current_limit.display()
                            )
                        };
                        on_decided.run(message);
                    }
                    Err(error) => errors.set(Some(error)),
                }
            });
        }
    };

    view! {
        <article class="panel approval" data-approval-id=approval.id.clone() data-can-decide=if can_decide { "true" } else { "false" }>
            <div class="approval-summary">
            <header class="approval-header">
                <div>
                    <h2>
                        <a href=format!("/customers/{}", approval.customer.id)>{approval.customer.legal_name.clone()}</a>
                    </h2>
                    <p class="muted">
                        {format!("Requested by {} on {}", approval.requested_by.name, format::date(&approval.requested_at))}
                    </p>
                </div>
                <ApprovalStatusBadge status=approval.status.clone() />
            </header>
            <p class="reason"><span class="label">"Reason: "</span>{approval.reason.clone()}</p>
            </div>
            <table class="table compact approval-figures">
                <thead>
                    <tr>
                        <th scope="col"></th>
                        <th scope="col" class="num">"Credit limit"</th>
                        <th scope="col">"Payment terms"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <th scope="row">"Current"</th>
                        <MoneyCell money=Some(approval.current_limit.clone()) />
                        <td>{format::enum_label(&approval.current_terms)}</td>
                    </tr>
                    <tr>
                        <th scope="row">"Requested"</th>
                        <MoneyCell money=Some(approval.requested_limit.clone()) />
                        <td>{format::enum_label(&approval.requested_terms)}</td>
                    </tr>
                    {change.map(|change| view! {
                        <tr>
                            <th scope="row">"Change"</th>
                            <td class="num">{change}</td>
                            <td></td>
                        </tr>
                    })}
                </tbody>
            </table>
            <div class="approval-decision">
            {approval.decided_by.clone().map(|decider| view! {
                <p class="muted">
                    {format!(
                        "Decided by {} on {}",
                        decider.name,
                        approval.decided_at.as_deref().map(format::date).unwrap_or_default()
                    )}
                    {approval.comment.clone().map(|comment| format!(": “{comment}”"))}
                </p>
            })}
            {is_pending.then(|| view! {
                <div class="decision">
                    {(!can_decide).then(|| view! {
                        <p class="alert alert-neutral" data-test="cannot-decide">
                            {approval.cannot_decide_reason.clone().unwrap_or_else(|| "You cannot decide this request.".into())}
                        </p>
                    })}
                    <Show when=move || can_decide>
                        <TextAreaField label="Comment" name="comment" value=comment errors=errors.into() required=true id_suffix=id.clone() />
                    </Show>
                    {move || errors.get().filter(|e| !e.has_field_errors()).map(|e| view! { <p class="alert alert-error" role="alert">{e.summary()}</p> })}
                    <Show
                        when=move || confirming.get().is_some()
                        fallback=move || view! {
                            <div class="button-row">
                                <button class="button button-primary" type="button" data-action="approve" disabled=!can_decide on:click=move |_| ask("APPROVE")>
                                    "Approve"
                                </button>
                                <button class="button button-danger" type="button" data-action="reject" disabled=!can_decide on:click=move |_| ask("REJECT")>
                                    "Reject"
                                </button>
                            </div>
                        }
                    >
                        <div class="confirm" role="alertdialog" aria-label="Confirm decision">
                            <p>
                                {let current_limit = current_limit.clone();
                                 let requested_limit = requested_limit.clone();
                                 let terms_change = terms_change.clone();
                                 move || if confirming.get() == Some("APPROVE") {
                                    format!("Approve changing the credit limit from {current_limit} to {requested_limit} ({terms_change})?")
                                } else {
                                    format!("Reject the request for {requested_limit}? The limit stays at {current_limit}.")
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
            })}
            </div>
        </article>
    }
}
