//! The collections part of the invoice page: what the ladder did for the invoice, its disputes
//! (with "Log dispute"), its credit memos (with "Request credit memo", by amount or per line)
//! and "Request write-off". Each action is offered only to holders of its permission.

use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Value};

use crate::{
    api::{self, ApiError, CreditMemo, Dispute, Invoice, DISPUTE_REASONS},
    app::use_approvals_changed,
    components::{
        collections_status::{DisputeStatusBadge, DocumentStatusBadge, SlaTimer},
        download::DownloadButton,
        field::{enum_options, non_empty, SelectField, TextAreaField, TextField},
        money::MoneyCell,
        states::{ActionError, ErrorPanel, LoadingRows},
    },
    format, session,
};

/// Shown on issued invoices to readers of receivables; drafts have nothing to collect.
#[component]
pub fn InvoiceCollections(invoice: Invoice) -> impl IntoView {
    let can_read = session::can("RECEIVABLES_READ");
    let is_draft = invoice.status == "DRAFT";
    let invoice = StoredValue::new(invoice);
    move || {
        (can_read.get() && !is_draft)
            .then(|| view! { <CollectionsSection invoice=invoice.get_value() /> })
    }
}

/// How the invoice is named in messages.
fn invoice_label(invoice: &Invoice) -> String {
    invoice
        .number
        .clone()
        .unwrap_or_else(|| "this invoice".to_string())
}

#[component]
fn CollectionsSection(invoice: Invoice) -> impl IntoView {
    let id = StoredValue::new(invoice.id.clone());
    let history = LocalResource::new(move || api::collection_history(id.get_value()));
    let disputes = LocalResource::new(move || {
        let filter = api::DisputeFilter {
            invoice_id: Some(id.get_value()),
            ..Default::default()
        };
        api::disputes(filter, 50, None)
    });
    let memos =
        LocalResource::new(move || api::credit_memos(Some(id.get_value()), None, None, None));
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        disputes.refetch();
        memos.refetch();
        history.refetch();
    });
    let open_disputes = Signal::derive(move || {
        disputes
            .get()
            .and_then(Result::ok)
            .map(|page| page.nodes)
            .unwrap_or_default()
    });
    view! {
        <section class="section" data-test="invoice-collections">
            <h2>"Collections"</h2>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="collections-notice">{message}</div>
            })}
            <h3>"Ladder history"</h3>
            {move || match history.get() {
                None => view! { <LoadingRows columns=5 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| history.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="muted" data-test="no-ladder-history">"The ladder has not acted on this invoice yet; reminders, tasks and holds appear here as it ages."</p>
                }.into_any(),
                Some(Ok(rows)) => view! { <HistoryTable rows=rows /> }.into_any(),
            }}
            <div class="section-header">
                <h3>"Disputes"</h3>
            </div>
            {move || match disputes.get() {
                None => view! { <LoadingRows columns=6 rows=1 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| disputes.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => view! {
                    <p class="muted" data-test="no-disputes">"No disputes on this invoice."</p>
                }.into_any(),
                Some(Ok(page)) => view! { <InvoiceDisputes rows=page.nodes /> }.into_any(),
            }}
            <LogDispute invoice=invoice.clone() on_done=on_done />
            <h3>"Credit memos"</h3>
            {move || match memos.get() {
                None => view! { <LoadingRows columns=7 rows=1 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| memos.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => view! {
                    <p class="muted" data-test="no-credit-memos">"No credit memos on this invoice."</p>
                }.into_any(),
                Some(Ok(page)) => view! { <CreditMemoTable rows=page.nodes /> }.into_any(),
            }}
            <RequestCreditMemo invoice=invoice.clone() disputes=open_disputes on_done=on_done />
            <RequestWriteOff invoice=invoice on_done=on_done />
        </section>
    }
}

#[component]
fn HistoryTable(rows: Vec<api::CollectionAction>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="collection-history">
            <thead>
                <tr>
                    <th scope="col">"Date"</th>
                    <th scope="col" class="num">"Day"</th>
                    <th scope="col">"Step"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Detail"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td class="nowrap">{format::date(&row.business_date)}</td>
                        <td class="num">{row.days}</td>
                        <td>{format::enum_label(&row.action)}</td>
                        <td>{format::enum_label(&row.outcome)}</td>
                        <td>{row.detail}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn InvoiceDisputes(rows: Vec<Dispute>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="invoice-disputes">
            <thead>
                <tr>
                    <th scope="col">"Opened"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col" class="num">"Disputed"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Review"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|dispute| {
                    let reviewed = dispute.status != "OPEN";
                    view! {
                        <tr class:row-late=dispute.review_late && !reviewed>
                            <td class="nowrap">{format::date(&dispute.opened_on)}</td>
                            <td>{format::enum_label(&dispute.reason)}</td>
                            <MoneyCell money=Some(dispute.disputed) />
                            <td><DisputeStatusBadge status=dispute.status.clone() /></td>
                            <td><SlaTimer minutes_left=dispute.review_minutes_left late=dispute.review_late reviewed=reviewed /></td>
                            <td><a href=format!("/disputes/{}", dispute.id)>"Open dispute"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CreditMemoTable(rows: Vec<CreditMemo>) -> impl IntoView {
    view! {
        <table class="table compact" data-test="invoice-credit-memos">
            <thead>
                <tr>
                    <th scope="col">"Number"</th>
                    <th scope="col">"Requested"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col" class="num">"Off the invoice"</th>
                    <th scope="col" class="num">"To credit"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|memo| view! { <CreditMemoRow memo=memo /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CreditMemoRow(memo: CreditMemo) -> impl IntoView {
    let approved = memo.status == "APPROVED";
    let file_name = format!(
        "{}.pdf",
        memo.number
            .clone()
            .unwrap_or_else(|| format!("credit-memo-{}", memo.id))
    );
    let pdf_url = memo.pdf_url.clone();
    view! {
        <tr data-credit-memo-id=memo.id.clone()>
            <td class="nowrap mono">{memo.number.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="nowrap">{format::date(&memo.requested_at)}</td>
            <td>
                {memo.reason.clone()}
                {memo.comment.clone().map(|comment| view! { <div class="small muted">{format!("Decision: “{comment}”")}</div> })}
            </td>
            <MoneyCell money=Some(memo.total.clone()) />
            // The split between the invoice and customer credit is made on approval.
            <MoneyCell money=approved.then(|| memo.to_invoice.clone()) />
            <MoneyCell money=approved.then(|| memo.to_credit.clone()) />
            <td><DocumentStatusBadge status=memo.status.clone() /></td>
            <td>
                {approved.then(|| view! {
                    <DownloadButton url=pdf_url.clone() fallback_name=file_name.clone() media_type="application/pdf" label="PDF" test_id="credit-memo-pdf" />
                })}
            </td>
        </tr>
    }
}

/// The invoice's lines as (id, label) options.
fn line_choices(invoice: &Invoice) -> Vec<(String, String)> {
    invoice
        .lines
        .iter()
        .map(|line| {
            (
                line.id.clone(),
                format!("{} ({})", line.description, line.amount.display()),
            )
        })
        .collect()
}

/// "Log dispute": the reason, the amount (at most what is open), the lines if not the whole
/// invoice, and the customer's own words.
#[component]
fn LogDispute(invoice: Invoice, on_done: Callback<String>) -> impl IntoView {
    let can_log = session::can("DISPUTE_LOG");
    let open = RwSignal::new(false);
    let invoice = StoredValue::new(invoice);
    move || {
        if !can_log.get() {
            return ().into_any();
        }
        if open.get() {
            view! { <LogDisputeForm invoice=invoice.get_value() on_done=on_done on_close=Callback::new(move |()| open.set(false)) /> }.into_any()
        } else {
            view! {
                <div class="button-row">
                    <button class="button" type="button" data-action="log-dispute" on:click=move |_| open.set(true)>"Log dispute"</button>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn LogDisputeForm(
    invoice: Invoice,
    on_done: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let currency = invoice.open_amount.currency.clone();
    let reason = RwSignal::new(String::new());
    let amount = RwSignal::new(invoice.open_amount.amount.clone());
    let statement = RwSignal::new(String::new());
    let chosen_lines = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let label = invoice_label(&invoice);
    let id = StoredValue::new(invoice.id.clone());
    let currency_code = StoredValue::new(currency.clone());
    let lines = line_choices(&invoice);

    let review = move |_| {
        let problem = if reason.with_untracked(String::is_empty) {
            Some(ApiError::for_field(
                "reason",
                "Choose why the customer disputes the invoice.",
            ))
        } else if non_empty(&amount.get_untracked()).is_none() {
            Some(ApiError::for_field(
                "disputedAmount",
                "Enter the amount the customer disputes.",
            ))
        } else if non_empty(&statement.get_untracked()).is_none() {
            Some(ApiError::for_field(
                "customerStatement",
                "Paste the customer's words as received.",
            ))
        } else {
            None
        };
        confirming.set(problem.is_none());
        errors.set(problem);
    };
    let submit = move |_| {
        let input = json!({
            "invoiceId": id.get_value(),
            "reason": reason.get_untracked(),
            "disputedAmount": format::amount_input(&amount.get_untracked()),
            "lineIds": chosen_lines.get_untracked(),
            "customerStatement": statement.get_untracked().trim(),
        });
        pending.set(true);
        spawn_local(async move {
            let result = api::dispute_log(input).await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(dispute) => {
                    on_close.run(());
                    on_done.run(format!(
                        "Dispute logged for {}: review due by {}. The ladder pauses on this invoice until it closes.",
                        dispute.disputed.display(),
                        format::date_time(&dispute.review_due_at)
                    ));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let disputed_text = move || {
        format!(
            "Log a dispute of {} on {label}? The review is due within 48 business hours.",
            format::money(
                &format::amount_input(&amount.get()),
                &currency_code.get_value()
            )
        )
    };

    view! {
        <form class="panel subform" data-test="log-dispute" on:submit=|event| event.prevent_default()>
            <h3>"Log dispute"</h3>
            <div class="form-row">
                <SelectField label="Reason" name="reason" value=reason errors=errors.into() options=enum_options("Choose a reason", &DISPUTE_REASONS) required=true />
                <TextField label="Disputed amount" name="disputedAmount" value=amount errors=errors.into() numeric=true required=true suffix=Signal::derive(move || currency_code.get_value()) hint="At most what is open on the invoice." />
            </div>
            <LineChoice lines=lines chosen=chosen_lines legend="Disputed lines (none ticked: the invoice as a whole)" />
            <TextAreaField label="Customer's statement" name="customerStatement" value=statement errors=errors.into() required=true id_suffix="dispute" />
            <ActionError error=errors.into() inline_fields=&["reason", "disputedAmount", "customerStatement"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="review-dispute" on:click=review>"Review…"</button>
                        <button class="button" type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm logging the dispute">
                    <p>{disputed_text.clone()}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Saving…" } else { "Log dispute" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Back"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

/// Checkboxes for choosing some of the invoice's lines.
#[component]
fn LineChoice(
    lines: Vec<(String, String)>,
    chosen: RwSignal<Vec<String>>,
    legend: &'static str,
) -> impl IntoView {
    view! {
        <fieldset class="line-choice">
            <legend>{legend}</legend>
            {lines.into_iter().map(|(id, label)| {
                let line_id = id.clone();
                let checked = move || chosen.with(|c| c.contains(&line_id));
                view! {
                    <label class="checkbox">
                        <input
                            type="checkbox"
                            prop:checked=checked
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                chosen.update(|c| {
                                    c.retain(|x| *x != id);
                                    if on { c.push(id.clone()); }
                                });
                            }
                        />
                        {label}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// "Request credit memo": a total including tax spread over the lines, or an amount before tax
/// per line; optionally answering one of the invoice's disputes.
#[component]
fn RequestCreditMemo(
    invoice: Invoice,
    disputes: Signal<Vec<Dispute>>,
    on_done: Callback<String>,
) -> impl IntoView {
    let can_request = session::can("CREDIT_MEMO_REQUEST");
    let open = RwSignal::new(false);
    let invoice = StoredValue::new(invoice);
    move || {
        if !can_request.get() {
            return ().into_any();
        }
        if open.get() {
            view! { <CreditMemoForm invoice=invoice.get_value() disputes=disputes on_done=on_done on_close=Callback::new(move |()| open.set(false)) /> }.into_any()
        } else {
            view! {
                <div class="button-row">
                    <button class="button" type="button" data-action="request-credit-memo" on:click=move |_| open.set(true)>"Request credit memo"</button>
                </div>
            }
            .into_any()
        }
    }
}

/// The credit memo input the form describes, and the sentence the confirmation shows.
fn credit_memo_input(
    invoice_id: String,
    by_line: bool,
    amount: &str,
    line_amounts: &[(String, String)],
    reason: &str,
    dispute_id: &str,
    currency: &str,
) -> Result<(Value, String), ApiError> {
    if reason.trim().is_empty() {
        return Err(ApiError::for_field(
            "reason",
            "Say why the customer is credited.",
        ));
    }
    let mut input = json!({ "invoiceId": invoice_id, "reason": reason.trim() });
    let summary = if by_line {
        let lines: Vec<(String, String)> = line_amounts
            .iter()
            .filter_map(|(id, typed)| {
                non_empty(typed).map(|typed| (id.clone(), format::amount_input(&typed)))
            })
            .collect();
        if lines.is_empty() {
            return Err(ApiError::for_field(
                "lines",
                "Enter an amount on at least one line.",
            ));
        }
        let total = format::sum_amounts(lines.iter().map(|(_, amount)| amount.as_str()))
            .ok_or_else(|| {
                ApiError::for_field("lines", "Line amounts must be numbers such as 1200.00.")
            })?;
        input["lines"] = lines
            .iter()
            .map(|(id, amount)| json!({ "invoiceLineId": id, "amount": amount }))
            .collect();
        format!(
            "{} before tax over {} line(s); tax follows each line's rate",
            format::money(&total, currency),
            lines.len()
        )
    } else {
        let Some(typed) = non_empty(amount) else {
            return Err(ApiError::for_field(
                "amount",
                "Enter the amount to credit, including tax.",
            ));
        };
        let typed = format::amount_input(&typed);
        input["amount"] = Value::String(typed.clone());
        format!(
            "{} including tax, spread over the lines in proportion",
            format::money(&typed, currency)
        )
    };
    if let Some(dispute_id) = non_empty(dispute_id) {
        input["disputeId"] = Value::String(dispute_id);
    }
    Ok((input, summary))
}

#[component]
fn CreditMemoForm(
    invoice: Invoice,
    disputes: Signal<Vec<Dispute>>,
    on_done: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let currency = StoredValue::new(invoice.total.currency.clone());
    let by_line = RwSignal::new(false);
    let amount = RwSignal::new(String::new());
    let line_amounts: Vec<(String, String, RwSignal<String>)> = invoice
        .lines
        .iter()
        .map(|line| {
            (
                line.id.clone(),
                format!(
                    "{} ({} before tax)",
                    line.description,
                    line.amount.display()
                ),
                RwSignal::new(String::new()),
            )
        })
        .collect();
    let line_amounts = StoredValue::new(line_amounts);
    let reason = RwSignal::new(String::new());
    let dispute_id = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(None::<String>);
    let approvals_changed = use_approvals_changed();
    let pending = RwSignal::new(false);
    let prepared = StoredValue::new(Value::Null);
    let id = StoredValue::new(invoice.id.clone());
    let label = StoredValue::new(invoice_label(&invoice));
    let dispute_options = Signal::derive(move || {
        std::iter::once((String::new(), "None".to_string()))
            .chain(
                disputes
                    .get()
                    .into_iter()
                    .filter(|d| d.status != "CLOSED")
                    .map(|d| {
                        (
                            d.id,
                            format!(
                                "{} dispute of {} opened {}",
                                format::enum_label(&d.reason),
                                d.disputed.display(),
                                format::date(&d.opened_on)
                            ),
                        )
                    }),
            )
            .collect::<Vec<_>>()
    });

    let review = move |_| {
        let typed: Vec<(String, String)> = line_amounts.with_value(|lines| {
            lines
                .iter()
                .map(|(id, _, value)| (id.clone(), value.get_untracked()))
                .collect()
        });
        match credit_memo_input(
            id.get_value(),
            by_line.get_untracked(),
            &amount.get_untracked(),
            &typed,
            &reason.get_untracked(),
            &dispute_id.get_untracked(),
            &currency.get_value(),
        ) {
            Ok((input, summary)) => {
                prepared.set_value(input);
                errors.set(None);
                confirming.set(Some(format!("Request a credit memo on {} for {summary}? The VP RevOps approves it before it is issued.", label.get_value())));
            }
            Err(error) => errors.set(Some(error)),
        }
    };
    let submit = move |_| {
        pending.set(true);
        spawn_local(async move {
            let result = api::credit_memo_request(prepared.get_value()).await;
            pending.set(false);
            confirming.set(None);
            match result {
                Ok(memo) => {
                    on_close.run(());
                    approvals_changed();
                    on_done.run(format!("Credit memo for {} requested; it waits for approval in the approvals inbox.", memo.total.display()));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };

    view! {
        <form class="panel subform" data-test="credit-memo-form" on:submit=|event| event.prevent_default()>
            <h3>"Request credit memo"</h3>
            <div class="segmented" role="group" aria-label="Credit by">
                <button type="button" class="segment" class:selected=move || !by_line.get() aria-pressed=move || if by_line.get() { "false" } else { "true" } on:click=move |_| by_line.set(false)>"A total amount"</button>
                <button type="button" class="segment" class:selected=move || by_line.get() aria-pressed=move || if by_line.get() { "true" } else { "false" } data-filter="by-line" on:click=move |_| by_line.set(true)>"Per line"</button>
            </div>
            <Show
                when=move || by_line.get()
                fallback=move || view! {
                    <TextField label="Amount including tax" name="amount" value=amount errors=errors.into() numeric=true required=true suffix=Signal::derive(move || currency.get_value()) hint="Spread over the invoice's lines in proportion." />
                }
            >
                <fieldset class="line-choice">
                    <legend>"Amount before tax to credit on each line"</legend>
                    {line_amounts.get_value().into_iter().enumerate().map(|(index, (_, label, value))| {
                        let input_id = format!("credit-line-{index}");
                        view! {
                            <div class="field field-inline">
                                <label for=input_id.clone()>{label}</label>
                                <input id=input_id class="num-input" inputmode="decimal" bind:value=value />
                            </div>
                        }
                    }).collect_view()}
                    {move || errors.with(|e| e.as_ref().and_then(|e| e.field("lines"))).map(|message| view! { <p class="field-error">{message}</p> })}
                </fieldset>
            </Show>
            <div class="form-row">
                <SelectField label="Answers dispute" name="disputeId" value=dispute_id errors=errors.into() options=dispute_options />
            </div>
            <TextAreaField label="Reason" name="reason" value=reason errors=errors.into() required=true id_suffix="credit-memo" />
            <ActionError error=errors.into() inline_fields=&["amount", "lines", "reason", "disputeId"] />
            <Show
                when=move || confirming.get().is_some()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="review-credit-memo" on:click=review>"Review…"</button>
                        <button class="button" type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the credit memo request">
                    <p>{move || confirming.get().unwrap_or_default()}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Sending…" } else { "Request credit memo" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(None)>"Back"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

/// "Request write-off": an amount (everything open when left empty) and the reason; the CFO
/// approves it.
#[component]
fn RequestWriteOff(invoice: Invoice, on_done: Callback<String>) -> impl IntoView {
    let can_request = session::can("WRITE_OFF_REQUEST");
    let has_open = !format::is_zero(&invoice.open_amount.amount);
    let open = RwSignal::new(false);
    let invoice = StoredValue::new(invoice);
    move || {
        if !can_request.get() || !has_open {
            return ().into_any();
        }
        if open.get() {
            view! { <WriteOffForm invoice=invoice.get_value() on_done=on_done on_close=Callback::new(move |()| open.set(false)) /> }.into_any()
        } else {
            view! {
                <div class="button-row">
                    <button class="button button-danger" type="button" data-action="request-write-off" on:click=move |_| open.set(true)>"Request write-off"</button>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn WriteOffForm(
    invoice: Invoice,
    on_done: Callback<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let currency = StoredValue::new(invoice.open_amount.currency.clone());
    let open_amount = invoice.open_amount.display();
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let approvals_changed = use_approvals_changed();
    let pending = RwSignal::new(false);
    let id = StoredValue::new(invoice.id.clone());
    let label = StoredValue::new(invoice_label(&invoice));
    let asked = {
        let open_amount = open_amount.clone();
        move || match non_empty(&amount.get()) {
            Some(typed) => format::money(&format::amount_input(&typed), &currency.get_value()),
            None => format!("everything open ({open_amount})"),
        }
    };
    let review = move |_| {
        if non_empty(&reason.get_untracked()).is_none() {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Say why this debt cannot be collected.",
            )));
            return;
        }
        errors.set(None);
        confirming.set(true);
    };
    let submit = move |_| {
        let typed = non_empty(&amount.get_untracked()).map(|typed| format::amount_input(&typed));
        pending.set(true);
        spawn_local(async move {
            let result = api::write_off_request(
                id.get_value(),
                typed,
                reason.get_untracked().trim().to_string(),
            )
            .await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(write_off) => {
                    on_close.run(());
                    approvals_changed();
                    on_done.run(format!("Write-off of {} on {} requested; the CFO decides it in the approvals inbox.", write_off.amount.display(), label.get_value()));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="write-off-form" on:submit=|event| event.prevent_default()>
            <h3>"Request write-off"</h3>
            <TextField label="Amount" name="amount" value=amount errors=errors.into() numeric=true suffix=Signal::derive(move || currency.get_value()) hint=format!("Leave empty to write off everything open: {open_amount}.") />
            <TextAreaField label="Reason" name="reason" value=reason errors=errors.into() required=true id_suffix="write-off" />
            <ActionError error=errors.into() inline_fields=&["amount", "reason"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-danger" type="button" data-action="review-write-off" on:click=review>"Review…"</button>
                        <button class="button" type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the write-off request">
                    <p>{let asked = asked.clone(); move || format!("Ask to write off {} on {} as bad debt? The CFO approves it before it is posted.", asked(), label.get_value())}</p>
                    <div class="button-row">
                        <button class="button button-danger" type="button" data-action="confirm" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Sending…" } else { "Request write-off" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Back"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_memo_is_asked_for_by_total_or_by_line_never_empty() {
        let (input, summary) =
            credit_memo_input("7".into(), false, "1,200.00", &[], "Price", "", "USD").unwrap();
        assert_eq!(input["amount"], "1200.00");
        assert!(input.get("lines").is_none() && input.get("disputeId").is_none());
        assert!(summary.starts_with("$1,200.00 including tax"));

        let lines = [
            ("1".to_string(), "100".to_string()),
            ("2".to_string(), " ".to_string()),
        ];
        let (input, summary) =
            credit_memo_input("7".into(), true, "", &lines, "Qty", "9", "USD").unwrap();
        assert_eq!(
            input["lines"],
            json!([{ "invoiceLineId": "1", "amount": "100" }])
        );
        assert_eq!(input["disputeId"], "9");
        assert!(summary.contains("1 line(s)"));

        let empty = credit_memo_input("7".into(), true, "", &lines[1..], "Qty", "", "USD");
        assert!(empty.err().and_then(|e| e.field("lines")).is_some());
        let no_reason = credit_memo_input("7".into(), false, "5", &[], " ", "", "USD");
        assert!(no_reason.err().and_then(|e| e.field("reason")).is_some());
    }
}
