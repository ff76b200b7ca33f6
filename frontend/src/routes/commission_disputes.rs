//! The queue of disputed statement lines: each with the line's explanation, the rep, their
//! reason and when the answer is due (overdue ones marked), filtered by status in the URL. A
//! reviewer (never the rep who raised it) accepts with an adjustment, which may be negative, or
//! rejects, always with a comment the rep reads on their statement.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, ApiError, CommissionDispute},
    app::RequirePermission,
    components::{
        commissions::{is_past, kind_label, AnswerDue, CommissionDisputeBadge},
        field::{non_empty, TextAreaField, TextField},
        money::Amount,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::{commissions::dispute_outcome, commissions::my_user_id, href_with_query},
    session,
};

const STATUS_FILTERS: [(&str, &str); 4] = [
    ("OPEN", "Open"),
    ("ACCEPTED", "Accepted"),
    ("REJECTED", "Rejected"),
    ("ALL", "All"),
];

#[component]
pub fn CommissionDisputesPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COMMISSION_READ">
            <DisputeQueue />
        </RequirePermission>
    }
}

#[component]
fn DisputeQueue() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .filter(|status| STATUS_FILTERS.iter().any(|(value, _)| value == status))
            .unwrap_or_else(|| "OPEN".to_string())
    });
    let refresh = RwSignal::new(0_u32);
    let disputes = LocalResource::new(move || {
        refresh.track();
        let status = status.get();
        api::commission_disputes(Some(status).filter(|s| s != "ALL"))
    });
    let can_resolve = session::can("COMMISSION_DISPUTE_RESOLVE");
    let notice = RwSignal::new(None::<String>);
    let on_resolved = Callback::new(move |message: String| {
        notice.set(Some(message));
        refresh.update(|count| *count += 1);
    });
    view! {
        <div class="page commissions">
            <header class="page-header">
                <div>
                    <h1>"Commission disputes"</h1>
                    <p class="muted">
                        {move || if can_resolve.get() {
                            "Disputed statement lines waiting for an answer, due within 48 business hours of being raised. Accept with an adjustment line (negative to reduce) or reject; the comment goes to the rep."
                        } else {
                            "Disputes raised on statement lines you can see, with the reviewer's answer."
                        }}
                    </p>
                </div>
            </header>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS.iter().map(|(value, label)| {
                        let navigate = navigate.clone();
                        let value = *value;
                        let selected = move || status.get() == value;
                        view! {
                            <button
                                type="button"
                                class="segment"
                                class:selected=selected
                                aria-pressed=move || if selected() { "true" } else { "false" }
                                data-filter=value
                                on:click=move |_| navigate(
                                    &href_with_query("/commissions/disputes", &[("status", Some(value.to_string()).filter(|s| s != "OPEN"))]),
                                    NavigateOptions { replace: true, ..Default::default() },
                                )
                            >
                                {*label}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </div>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="resolve-notice">{message}</div>
            })}
            {move || match disputes.get() {
                None => view! { <LoadingRows columns=5 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| disputes.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    let (title, hint) = if status.get_untracked() == "OPEN" {
                        ("No disputes waiting for an answer", "Reps dispute a line from their statement; it appears here until a reviewer accepts or rejects it.")
                    } else {
                        ("No disputes with this status", "Choose another status above to see other disputes.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(list)) => {
                    let me = my_user_id();
                    view! {
                        <div class="dispute-list" data-test="commission-dispute-list">
                            {list.into_iter().map(|dispute| {
                                let own = dispute.raised_by == me;
                                view! { <DisputeCard dispute=dispute own=own can_resolve=can_resolve on_resolved=on_resolved /> }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn DisputeCard(
    dispute: CommissionDispute,
    own: bool,
    can_resolve: Signal<bool>,
    on_resolved: Callback<String>,
) -> impl IntoView {
    let open = dispute.is_open();
    let overdue = open && is_past(&dispute.answer_due_at);
    let line = dispute.line.clone();
    let outcome = (!open).then(|| dispute_outcome(&dispute));
    let id = dispute.id.clone();
    view! {
        <article class="panel commission-dispute" class:row-late=overdue data-dispute-id=id.clone() data-status=dispute.status.clone()>
            <div class="dispute-card">
                <div>
                    <div class="panel-header">
                        <h2>{format!("{} · {} · {}", dispute.raised_by_name, line.component, format::month(&line.period))}</h2>
                        <CommissionDisputeBadge status=dispute.status.clone() />
                    </div>
                    <dl class="facts">
                        <dt>"Line"</dt>
                        <dd>
                            {format!("{} of ", kind_label(&line.kind))}
                            <Amount money=line.amount.clone() />
                            {line.deal_id.clone().map(|deal_id| view! { " on " <a href=format!("/deals/{deal_id}")>{format!("deal {deal_id}")}</a> })}
                        </dd>
                        <dt>"Raised"</dt><dd>{format::date_time(&dispute.raised_at)}</dd>
                        <dt>"Answer due"</dt><dd><AnswerDue due_at=dispute.answer_due_at.clone() open=open /></dd>
                    </dl>
                    <p class="explanation" data-test="dispute-line-explanation">{line.explanation.clone()}</p>
                    <h4>"The rep's reason"</h4>
                    <p class="customer-words" data-test="dispute-reason">{dispute.reason.clone()}</p>
                    {outcome.map(|outcome| view! { <p data-test="dispute-outcome"><strong>"Outcome: "</strong>{outcome}</p> })}
                </div>
                {open.then(|| {
                    let dispute = dispute.clone();
                    move || {
                        if !can_resolve.get() {
                            return ().into_any();
                        }
                        if own {
                            return view! { <p class="alert alert-neutral" data-test="cannot-resolve">"You raised this dispute; another reviewer answers it."</p> }.into_any();
                        }
                        view! { <ResolveForm dispute=dispute.clone() on_resolved=on_resolved /> }.into_any()
                    }
                })}
            </div>
        </article>
    }
}

#[component]
fn ResolveForm(dispute: CommissionDispute, on_resolved: Callback<String>) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let adjustment = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(None::<bool>);
    let pending = RwSignal::new(false);
    let currency = dispute.line.amount.currency.clone();
    let rep = dispute.raised_by_name.clone();
    let id = StoredValue::new(dispute.id.clone());
    let ask = move |accept: bool| {
        let mut problems = Vec::new();
        if comment.with_untracked(|c| c.trim().is_empty()) {
            problems.push(("comment", "Write the answer the rep will read."));
        }
        if accept && adjustment.with_untracked(|a| a.trim().is_empty()) {
            problems.push((
                "adjustment",
                "Enter the adjustment to pay (negative to reduce).",
            ));
        }
        if let Some((field, message)) = problems.first() {
            let mut error = ApiError::for_field(field, *message);
            for (field, message) in problems.iter().skip(1) {
                error
                    .items
                    .extend(ApiError::for_field(field, *message).items);
            }
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        confirming.set(Some(accept));
    };
    let currency_for_question = currency.clone();
    let question = move || {
        confirming.get().map(|accept| {
            if accept {
                format!(
                    "Accept and add an adjustment of {} to {rep}'s statement this month?",
                    format::money(
                        &format::amount_input(&adjustment.get()),
                        &currency_for_question
                    )
                )
            } else {
                format!("Reject {rep}'s dispute? The line stays as calculated.")
            }
        })
    };
    let submit = move |_| {
        let Some(accept) = confirming.get_untracked() else {
            return;
        };
        pending.set(true);
        let amount = accept
            .then(|| non_empty(&format::amount_input(&adjustment.get_untracked())))
            .flatten();
        spawn_local(async move {
            let result = api::commission_dispute_resolve(
                id.get_value(),
                accept,
                amount,
                comment.get_untracked().trim().to_string(),
            )
            .await;
            pending.set(false);
            confirming.set(None);
            match result {
                Ok(resolved) => on_resolved.run(match &resolved.adjustment {
                    Some(line) => format!(
                        "Accepted {}'s dispute: an adjustment of {} is on their {} statement.",
                        resolved.raised_by_name,
                        line.amount.display(),
                        format::month(&line.period)
                    ),
                    None => format!(
                        "Rejected {}'s dispute; they see your comment.",
                        resolved.raised_by_name
                    ),
                }),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let suffix = dispute.id.clone();
    view! {
        <form class="resolve-form" data-test="resolve-form" on:submit=|event| event.prevent_default()>
            <h3>"Answer"</h3>
            <TextField label="Adjustment (if accepted)" name="adjustment" value=adjustment errors=errors.into() numeric=true suffix=Signal::derive(move || currency.clone()) hint="Added as a line this month; negative to reduce." id_suffix=suffix.clone() />
            <TextAreaField label="Comment to the rep" name="comment" value=comment errors=errors.into() required=true id_suffix=suffix rows=3 />
            <ActionError error=errors.into() inline_fields=&["adjustment", "comment"] />
            <Show
                when=move || confirming.get().is_some()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="accept" on:click=move |_| ask(true)>"Accept with adjustment…"</button>
                        <button class="button button-danger" type="button" data-action="reject" on:click=move |_| ask(false)>"Reject…"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the answer">
                    <p>{question.clone()}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm-resolve" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Saving…" } else { "Confirm" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}
