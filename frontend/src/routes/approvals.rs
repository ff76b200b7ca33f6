//! The approvals inbox: credit-limit changes, credit memos and write-offs, pending first, each
//! decided with a comment by an approver other than the requester. Decided requests stay listed
//! with the decision and its comment.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, Approval, Money},
    app::{use_approvals_changed, RequirePermission},
    components::{
        field::{focus_first, TextAreaField},
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
    // After a decision the keyboard goes on to the next request still waiting for one (its
    // comment), or to the outcome when none is left.
    let refocus = RwSignal::new(false);
    let on_decided = Callback::new(move |message: String| {
        outcome.set(Some(message));
        refocus.set(true);
        approvals_changed();
        approvals.refetch();
    });
    Effect::new(move |_| {
        if approvals.with(|page| matches!(page, Some(Ok(_)))) && refocus.get_untracked() {
            refocus.set(false);
            focus_first(vec![
                "[data-can-decide=true] [data-decision=open] textarea".to_string(),
                "[data-test=decision-outcome]".to_string(),
            ]);
        }
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Approvals"</h1>
                    <p class="muted">"Credit-limit changes, credit memos and write-offs waiting for a second person's decision."</p>
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
                <div class="alert alert-success" role="status" tabindex="-1" data-test="decision-outcome">{message}</div>
            })}
            {move || match approvals.get() {
                None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| approvals.refetch()) /> }.into_any(),
                Some(Ok(connection)) if connection.nodes.is_empty() => {
                    let (title, hint) = if status.get_untracked() == "PENDING" {
                        ("Nothing waiting for a decision", "New credit-limit, credit memo and write-off requests appear here as soon as someone sends one.")
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

fn money_text(money: Option<&Money>) -> String {
    money.map_or_else(|| "—".to_string(), Money::display)
}

fn terms_text(terms: Option<&str>) -> String {
    terms.map_or_else(|| "—".to_string(), format::enum_label)
}

/// What the request asks for, in words (the kind's heading).
fn kind_label(kind: &str) -> &'static str {
    match kind {
        "CREDIT_LIMIT" => "Credit-limit change",
        "CREDIT_MEMO" => "Credit memo",
        "WRITE_OFF" => "Write-off",
        _ => "Request",
    }
}

/// The invoice a credit memo or write-off concerns, as it is named in sentences.
fn invoice_text(approval: &Approval) -> String {
    approval.invoice_number.clone().map_or_else(
        || "the invoice".to_string(),
        |number| format!("invoice {number}"),
    )
}

/// The question the confirmation asks, with the amounts.
fn confirm_question(approval: &Approval, decision: &str) -> String {
    let approve = decision == "APPROVE";
    let amount = money_text(approval.amount.as_ref());
    let invoice = invoice_text(approval);
    match (approval.kind.as_str(), approve) {
        ("CREDIT_MEMO", true) => format!(
            "Approve a credit memo of {amount} on {invoice}? It is numbered, issued and posted."
        ),
        ("CREDIT_MEMO", false) => {
            format!("Reject the credit memo of {amount} on {invoice}? Nothing is credited.")
        }
        ("WRITE_OFF", true) => format!(
            "Approve writing off {amount} on {invoice} as bad debt? It is posted to the ledger."
        ),
        ("WRITE_OFF", false) => {
            format!("Reject writing off {amount} on {invoice}? The amount stays open.")
        }
        (_, true) => format!(
            "Approve changing the credit limit from {} to {} ({} → {})?",
            money_text(approval.current_limit.as_ref()),
            money_text(approval.requested_limit.as_ref()),
            terms_text(approval.current_terms.as_deref()),
            terms_text(approval.requested_terms.as_deref())
        ),
        (_, false) => format!(
            "Reject the request for {}? The limit stays at {}.",
            money_text(approval.requested_limit.as_ref()),
            money_text(approval.current_limit.as_ref())
        ),
    }
}

/// Sends the decision to the mutation of the request's kind and says what happened.
async fn decide(
    approval: Approval,
    decision: &'static str,
    comment: String,
) -> Result<String, ApiError> {
    let customer = approval.customer.legal_name.clone();
    let invoice = invoice_text(&approval);
    match approval.kind.as_str() {
        "CREDIT_MEMO" => {
            let memo = api::credit_memo_decide(approval.id, decision, comment).await?;
            Ok(if memo.status == "APPROVED" {
                format!(
                    "Approved: credit memo {} for {} issued on {invoice} ({customer}).",
                    memo.number.unwrap_or_default(),
                    memo.total.display()
                )
            } else {
                format!("Rejected: no credit memo on {invoice}; the requester sees your comment.")
            })
        }
        "WRITE_OFF" => {
            let write_off = api::write_off_decide(approval.id, decision, comment).await?;
            Ok(if write_off.status == "APPROVED" {
                format!(
                    "Approved: {} on {invoice} written off as bad debt.",
                    write_off.amount.display()
                )
            } else {
                format!(
                    "Rejected: {} stays open on {invoice}.",
                    write_off.amount.display()
                )
            })
        }
        _ => {
            let decided = api::approval_decide(approval.id, decision, comment).await?;
            Ok(if decided.status == "APPROVED" {
                format!(
                    "Approved: {customer} now has a {} credit limit on {} terms.",
                    money_text(decided.requested_limit.as_ref()),
                    terms_text(decided.requested_terms.as_deref())
                )
            } else {
                format!(
                    "Rejected: {customer} keeps its {} credit limit.",
                    money_text(decided.current_limit.as_ref())
                )
            })
        }
    }
}

/// One request: who asks for what and why, and the decision form.
#[component]
fn ApprovalCard(approval: Approval, on_decided: Callback<String>) -> impl IntoView {
    let can_decide = approval.can_decide;
    let is_credit_limit = approval.kind == "CREDIT_LIMIT";
    view! {
        <article class="panel approval" data-approval-id=approval.id.clone() data-kind=approval.kind.clone() data-can-decide=if can_decide { "true" } else { "false" }>
            <div class="approval-summary">
            <header class="approval-header">
                <div>
                    <p class="small muted">{kind_label(&approval.kind)}</p>
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
            {if is_credit_limit {
                view! { <LimitFigures approval=approval.clone() /> }.into_any()
            } else {
                view! { <DocumentFigures approval=approval.clone() /> }.into_any()
            }}
            <Decision approval=approval.clone() on_decided=on_decided />
        </article>
    }
}

/// A credit-limit request: the limit and terms now, asked for, and the change.
#[component]
fn LimitFigures(approval: Approval) -> impl IntoView {
    let change = approval
        .current_limit
        .as_ref()
        .zip(approval.requested_limit.as_ref())
        .and_then(|(current, requested)| limit_change(&current.amount, &requested.amount));
    view! {
        <table class="table compact approval-figures">
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">"Figure"</span></th>
                    <th scope="col" class="num">"Credit limit"</th>
                    <th scope="col">"Payment terms"</th>
                </tr>
            </thead>
            <tbody>
                <tr>
                    <th scope="row">"Current"</th>
                    <MoneyCell money=approval.current_limit.clone() />
                    <td>{terms_text(approval.current_terms.as_deref())}</td>
                </tr>
                <tr>
                    <th scope="row">"Requested"</th>
                    <MoneyCell money=approval.requested_limit.clone() />
                    <td>{terms_text(approval.requested_terms.as_deref())}</td>
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
    }
}

/// A credit memo or write-off: the amount asked for and the invoice it concerns.
#[component]
fn DocumentFigures(approval: Approval) -> impl IntoView {
    let amount_label = if approval.kind == "WRITE_OFF" {
        "To write off"
    } else {
        "To credit (incl. tax)"
    };
    view! {
        <dl class="facts approval-figures" data-test="document-figures">
            <dt>{amount_label}</dt>
            <dd class="figure">{money_text(approval.amount.as_ref())}</dd>
            <dt>"Invoice"</dt>
            <dd>
                {match approval.invoice_id.clone() {
                    Some(id) => view! {
                        <a href=format!("/invoices/{id}") data-test="approval-invoice">
                            {approval.invoice_number.clone().unwrap_or_else(|| "Open invoice".into())}
                        </a>
                    }.into_any(),
                    None => "—".into_any(),
                }}
            </dd>
        </dl>
    }
}

/// Who decided and why, or the comment and the approve / reject buttons with a confirmation.
#[component]
fn Decision(approval: Approval, on_decided: Callback<String>) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(None::<&'static str>);
    let pending = RwSignal::new(false);
    // The confirmation is the next thing to do, so the keyboard lands on its button (and on
    // Approve again when it is cancelled).
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm_button.get() {
            let _ = button.focus();
        }
    });
    let approve_button = NodeRef::<leptos::html::Button>::new();
    let cancel = move |_| {
        confirming.set(None);
        request_animation_frame(move || {
            if let Some(button) = approve_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let can_decide = approval.can_decide;
    let is_pending = approval.status == "PENDING";
    let id = approval.id.clone();
    let stored = StoredValue::new(approval.clone());

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
    let submit = move |_| {
        let Some(decision) = confirming.get_untracked() else {
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let result = decide(
                stored.get_value(),
                decision,
                comment.get_untracked().trim().to_string(),
            )
            .await;
            pending.set(false);
            confirming.set(None);
            match result {
                Ok(message) => on_decided.run(message),
                Err(error) => errors.set(Some(error)),
            }
        });
    };

    view! {
        <div class="approval-decision">
        {approval.decided_by.clone().map(|decider| view! {
            <p class="muted" data-test="decision-comment">
                {format!(
                    "{} by {} on {}",
                    if approval.status == "REJECTED" { "Rejected" } else { "Decided" },
                    decider.name,
                    approval.decided_at.as_deref().map(format::date).unwrap_or_default()
                )}
                {approval.comment.clone().map(|comment| format!(": “{comment}”"))}
            </p>
        })}
        {is_pending.then(|| view! {
            <div class="decision" data-decision="open">
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
                            <button class="button button-primary" type="button" data-action="approve" node_ref=approve_button disabled=!can_decide on:click=move |_| ask("APPROVE")>
                                "Approve"
                            </button>
                            <button class="button button-danger" type="button" data-action="reject" disabled=!can_decide on:click=move |_| ask("REJECT")>
                                "Reject"
                            </button>
                        </div>
                    }
                >
                    <div class="confirm" role="alertdialog" aria-label="Confirm decision">
                        <p>{move || confirming.get().map(|decision| stored.with_value(|approval| confirm_question(approval, decision))).unwrap_or_default()}</p>
                        <div class="button-row">
                            <button class="button button-primary" type="button" data-action="confirm" node_ref=confirm_button disabled=move || pending.get() on:click=submit>
                                {move || if pending.get() { "Saving…" } else { "Confirm" }}
                            </button>
                            <button class="button" type="button" on:click=cancel>"Cancel"</button>
                        </div>
                    </div>
                </Show>
            </div>
        })}
        </div>
    }
}
