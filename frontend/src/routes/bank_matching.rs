//! Bank matching: import the bank's CSV of receipts (pasted or from a file) and read what was
//! imported, skipped as already seen, or refused row by row; then work the lines: confirm a
//! proposed match (with why it was proposed), choose the customer (and, if wanted, the invoices)
//! for an unmatched line, or set a line aside with a reason.

use std::{collections::HashMap, time::Duration};

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use serde_json::{json, Value};

use crate::{
    api::{self, ApiError, BankImport, BankReceipt, InvoiceRef, InvoiceRow, RECEIPT_METHODS},
    app::RequirePermission,
    components::{
        collections_status::ReceiptStatusBadge,
        field::{enum_options, non_empty, SelectField, TextAreaField},
        file_read::{chosen_file, read_file, ReadAs},
        money::MoneyCell,
        pager::Pager,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
    session,
};

const PAGE_SIZE: usize = 25;

const STATUS_FILTERS: [(&str, &str); 5] = [
    ("", "All, waiting first"),
    ("PROPOSED", "Proposed"),
    ("UNMATCHED", "Unmatched"),
    ("MATCHED", "Matched"),
    ("IGNORED", "Set aside"),
];

#[component]
pub fn BankMatchingPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RECEIVABLES_READ">
            <BankMatching />
        </RequirePermission>
    }
}

#[component]
fn BankMatching() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let status = Memo::new(move |_| {
        query.with(|q| q.get("status")).filter(|s| {
            STATUS_FILTERS
                .iter()
                .any(|(value, _)| !value.is_empty() && value == s)
        })
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let trail = CursorTrail::new();
    let receipts =
        LocalResource::new(move || api::bank_receipts(status.get(), PAGE_SIZE as u32, after.get()));
    // The invoices the page's proposals name, so they read as numbers.
    let refs = LocalResource::new(move || {
        let ids: Vec<String> = match receipts.get() {
            Some(Ok(page)) => page
                .nodes
                .iter()
                .flat_map(|r| r.proposed_invoice_ids.clone())
                .collect(),
            _ => Vec::new(),
        };
        api::invoice_refs(ids)
    });
    // Without the numbers the proposals still read, as "an invoice".
    let invoice_refs = Signal::derive(move || refs.get().and_then(Result::ok).unwrap_or_default());
    let go = move |status: Option<String>, after: Option<String>| {
        let href = href_with_query("/receivables/bank", &[("status", status), ("after", after)]);
        navigate(
            &href,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(status.get_untracked(), next);
        })
    };
    let on_previous = {
        let go = go.clone();
        Callback::new(move |()| {
            let previous = trail.0.try_update(Vec::pop).flatten().flatten();
            go(status.get_untracked(), previous);
        })
    };
    let notice = RwSignal::new(None::<(String, Option<String>)>);
    let on_done = Callback::new(move |outcome: (String, Option<String>)| {
        notice.set(Some(outcome));
        receipts.refetch();
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Bank matching"</h1>
                    <p class="muted">"Money on the bank statement, matched to customers and invoices. Confirming a line records the payment."</p>
                </div>
            </header>
            <ImportPanel on_imported=Callback::new(move |()| { trail.0.set(Vec::new()); receipts.refetch() }) />
            {move || notice.get().map(|(message, payment_id)| view! {
                <div class="alert alert-success" role="status" data-test="bank-notice">
                    {message}
                    {payment_id.map(|id| view! { " " <a href=format!("/receivables/payments/{id}")>"Open the payment"</a> })}
                </div>
            })}
            <h2>"Bank lines"</h2>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS.iter().map(|(value, label)| {
                        let go = go.clone();
                        let value = *value;
                        let selected = move || status.with(|s| s.as_deref().unwrap_or_default() == value);
                        view! {
                            <button type="button" class="segment" class:selected=selected aria-pressed=move || if selected() { "true" } else { "false" } data-filter=value
                                on:click=move |_| { trail.0.set(Vec::new()); go(Some(value.to_string()).filter(|v| !v.is_empty()), None); }>
                                {*label}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </div>
            {move || match receipts.get() {
                None => view! { <LoadingRows columns=8 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| receipts.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => view! {
                    <EmptyState title="No bank lines here" hint="Import the bank's CSV above; each line gets a proposed match where one can be found." />
                }.into_any(),
                Some(Ok(page)) => {
                    let shown = page.nodes.len();
                    let next_cursor = page.page_info.end_cursor.clone();
                    view! {
                        <ReceiptTable rows=page.nodes invoice_refs=invoice_refs on_done=on_done />
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
        </div>
    }
}

/// Pasting or choosing the bank's CSV, and what the import did with each row.
#[component]
fn ImportPanel(on_imported: Callback<()>) -> impl IntoView {
    let can_import = session::can("PAYMENT_RECORD");
    let csv = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let result = RwSignal::new(None::<BankImport>);
    let on_file = move |event: leptos::ev::Event| {
        let Some(file) = chosen_file(&event) else {
            return;
        };
        read_file(file, ReadAs::Text, move |read| match read {
            Ok(read) => {
                errors.set(None);
                csv.set(read.content);
            }
            Err(message) => errors.set(Some(ApiError::for_field("csv", message))),
        });
    };
    let import = move |_| {
        let Some(text) = non_empty(&csv.get_untracked()) else {
            errors.set(Some(ApiError::for_field(
                "csv",
                "Paste the CSV or choose the bank's file first.",
            )));
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let outcome = api::bank_receipts_import(text).await;
            pending.set(false);
            match outcome {
                Ok(import) => {
                    errors.set(None);
                    csv.set(String::new());
                    result.set(Some(import));
                    on_imported.run(());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <Show when=move || can_import.get()>
            <details class="panel" data-test="bank-import" open=true>
                <summary>"Import a bank file"</summary>
                <p class="muted">"CSV with the header " <code>"date,amount,currency,payer,reference"</code> ", at most 2,000 rows. Rows already imported from an earlier file are skipped."</p>
                <div class="field">
                    <label for="bank-file">"Bank file"</label>
                    <input id="bank-file" type="file" accept=".csv,text/csv" on:change=on_file />
                </div>
                <TextAreaField label="Or paste the CSV" name="csv" value=csv errors=errors.into() id_suffix="bank" />
                <ActionError error=errors.into() inline_fields=&["csv"] />
                <div class="button-row">
                    <button class="button button-primary" type="button" data-action="import-bank" disabled=move || pending.get() on:click=import>
                        {move || if pending.get() { "Importing…" } else { "Import" }}
                    </button>
                </div>
                {move || result.get().map(|import| view! { <ImportResult import=import /> })}
            </details>
        </Show>
    }
}

#[component]
fn ImportResult(import: BankImport) -> impl IntoView {
    let rejected = import.rejected.clone();
    view! {
        <div class=if rejected.is_empty() { "alert alert-success" } else { "alert alert-warning" } role="status" data-test="bank-import-result">
            <strong>{format!(
                "{} line(s) imported, {} already imported and skipped, {} refused.",
                import.imported.len(),
                import.duplicates,
                rejected.len()
            )}</strong>
            <p>{format!("Batch {}. Proposed matches wait below for confirmation.", import.batch)}</p>
        </div>
        {(!rejected.is_empty()).then(|| view! {
            <table class="table compact" data-test="bank-rejected">
                <thead>
                    <tr>
                        <th scope="col" class="num">"Row"</th>
                        <th scope="col">"Column"</th>
                        <th scope="col">"Problem"</th>
                    </tr>
                </thead>
                <tbody>
                    {rejected.into_iter().map(|row| view! {
                        <tr>
                            <td class="num">{if row.row == 0 { "File".to_string() } else { row.row.to_string() }}</td>
                            <td class="mono">{row.field}</td>
                            <td>{row.message}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
fn ReceiptTable(
    rows: Vec<BankReceipt>,
    invoice_refs: Signal<HashMap<String, InvoiceRef>>,
    on_done: Callback<(String, Option<String>)>,
) -> impl IntoView {
    view! {
        <table class="table" data-test="bank-receipts">
            <thead>
                <tr>
                    <th scope="col">"Received"</th>
                    <th scope="col">"Payer"</th>
                    <th scope="col">"Reference"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Match"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            {rows.into_iter().map(|receipt| view! { <ReceiptRows receipt=receipt invoice_refs=invoice_refs on_done=on_done /> }).collect_view()}
        </table>
    }
}

/// What the line's form is doing: nothing, confirming the proposal, choosing a customer, or
/// setting the line aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Working {
    Idle,
    ConfirmProposal,
    Choose,
    SetAside,
}

/// The proposed invoices' numbers, comma-separated.
fn proposed_numbers(receipt: &BankReceipt, refs: &HashMap<String, InvoiceRef>) -> String {
    receipt
        .proposed_invoice_ids
        .iter()
        .map(|id| {
            refs.get(id)
                .and_then(|r| r.number.clone())
                .unwrap_or_else(|| "an invoice".into())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One bank line, and below it the form being worked on.
#[component]
fn ReceiptRows(
    receipt: BankReceipt,
    invoice_refs: Signal<HashMap<String, InvoiceRef>>,
    on_done: Callback<(String, Option<String>)>,
) -> impl IntoView {
    let can_record = session::can("PAYMENT_RECORD");
    let working = RwSignal::new(Working::Idle);
    let waiting = matches!(receipt.status.as_str(), "PROPOSED" | "UNMATCHED");
    let proposed = receipt.status == "PROPOSED";
    let stored = StoredValue::new(receipt.clone());
    let numbers = move || stored.with_value(|r| proposed_numbers(r, &invoice_refs.get()));
    view! {
        <tbody data-receipt-id=receipt.id.clone() data-status=receipt.status.clone()>
            <tr>
                <td class="nowrap">{format::date(&receipt.received_on)}<div class="small muted">{format!("Row {}", receipt.row)}</div></td>
                <td>{receipt.payer.clone()}</td>
                <td class="mono small">{receipt.reference.clone()}</td>
                <MoneyCell money=Some(receipt.amount.clone()) />
                <td><ReceiptStatusBadge status=receipt.status.clone() /></td>
                <td class="match-cell">
                    {receipt.proposed_customer.clone().map(|c| view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> })}
                    {(!receipt.proposed_invoice_ids.is_empty()).then(|| view! { <div class="small">{numbers}</div> })}
                    {receipt.proposal_explanation.clone().map(|why| view! { <div class="small muted" data-test="proposal-explanation">{why}</div> })}
                    {receipt.payment_id.clone().map(|id| view! { <a href=format!("/receivables/payments/{id}")>"Payment"</a> })}
                </td>
                <td>
                    <div class="stacked-actions">
                    <Show when=move || can_record.get() && waiting && working.get() == Working::Idle>
                        {proposed.then(|| view! {
                            <button class="button button-primary" type="button" data-action="confirm-proposal" on:click=move |_| working.set(Working::ConfirmProposal)>"Confirm…"</button>
                        })}
                        <button class="button" type="button" data-action="choose-customer" on:click=move |_| working.set(Working::Choose)>
                            {if proposed { "Other customer…" } else { "Match…" }}
                        </button>
                        <button class="button button-quiet" type="button" data-action="set-aside" on:click=move |_| working.set(Working::SetAside)>"Set aside…"</button>
                    </Show>
                    </div>
                </td>
            </tr>
            {move || {
                let close = Callback::new(move |()| working.set(Working::Idle));
                let receipt = stored.get_value();
                let form = match working.get() {
                    Working::Idle => return None,
                    Working::ConfirmProposal => view! { <ConfirmProposal receipt=receipt numbers=numbers() on_done=on_done on_close=close /> }.into_any(),
                    Working::Choose => view! { <ChooseCustomer receipt=receipt on_done=on_done on_close=close /> }.into_any(),
                    Working::SetAside => view! { <SetAside receipt=receipt on_done=on_done on_close=close /> }.into_any(),
                };
                Some(view! { <tr class="row-form"><td colspan="7">{form}</td></tr> })
            }}
        </tbody>
    }
}

/// Says what a confirmed line became.
fn recorded_message(payment: &api::Payment) -> String {
    let customer = payment
        .customer
        .as_ref()
        .map_or("the customer".to_string(), |c| c.legal_name.clone());
    if format::is_zero(&payment.unapplied.amount) {
        format!(
            "Payment of {} from {customer} recorded and applied.",
            payment.amount.display()
        )
    } else {
        format!(
            "Payment of {} from {customer} recorded: {} applied, {} kept as customer credit.",
            payment.amount.display(),
            payment.applied.display(),
            payment.unapplied.display()
        )
    }
}

/// Sends a confirmation and reports the payment, or the error.
fn send_confirm(
    input: Value,
    pending: RwSignal<bool>,
    errors: RwSignal<Option<ApiError>>,
    on_done: Callback<(String, Option<String>)>,
) {
    pending.set(true);
    spawn_local(async move {
        let result = api::bank_receipt_confirm(input).await;
        pending.set(false);
        match result {
            Ok(payment) => on_done.run((recorded_message(&payment), Some(payment.id))),
            Err(error) => errors.set(Some(error)),
        }
    });
}

#[component]
fn ConfirmProposal(
    receipt: BankReceipt,
    numbers: String,
    on_done: Callback<(String, Option<String>)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let customer = receipt
        .proposed_customer
        .as_ref()
        .map_or("the proposed customer".to_string(), |c| {
            c.legal_name.clone()
        });
    let applied_to = if numbers.is_empty() {
        "their open invoices, oldest first".to_string()
    } else {
        format!("{numbers}, oldest first")
    };
    let question = format!("Record a payment of {} from {customer}, applied to {applied_to}? Anything left over becomes customer credit.", receipt.amount.display());
    let id = StoredValue::new(receipt.id.clone());
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm the proposed match">
            <p>{question}</p>
            <ActionError error=errors.into() />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=move |_| send_confirm(json!({ "id": id.get_value() }), pending, errors, on_done)>
                    {move || if pending.get() { "Recording…" } else { "Record payment" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </div>
    }
}

/// Choosing the customer for a line (with a search when the list is long), optionally the
/// amounts for their open invoices in the line's currency, and how the money came.
#[component]
fn ChooseCustomer(
    receipt: BankReceipt,
    on_done: Callback<(String, Option<String>)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let customer_id = RwSignal::new(
        receipt
            .proposed_customer
            .as_ref()
            .map(|c| c.id.clone())
            .unwrap_or_default(),
    );
    let method = RwSignal::new("WIRE".to_string());
    let search_typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let debounce = Debounce::new();
    Effect::new(move |_| {
        let typed = search_typed.get();
        debounce.run(Duration::from_millis(300), move || search.set(typed));
    });
    let customers = LocalResource::new(move || api::payer_options(non_empty(&search.get())));
    let customer_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Choose a customer".to_string())];
        if let Some(Ok(page)) = customers.get() {
            options.extend(page.nodes.into_iter().map(|c| (c.id, c.legal_name)));
        }
        options
    });
    let currency = receipt.amount.currency.clone();
    let invoices = LocalResource::new(move || {
        let id = customer_id.get();
        async move {
            match non_empty(&id) {
                Some(id) => api::open_invoices(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let amounts = RwSignal::new(HashMap::<String, String>::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = StoredValue::new(receipt.id.clone());
    let amount_text = receipt.amount.display();
    let prepare = move || -> Value {
        let allocations: Vec<Value> = amounts
            .get_untracked()
            .into_iter()
            .filter_map(|(invoice_id, typed)| non_empty(&typed).map(|typed| json!({ "invoiceId": invoice_id, "amount": format::amount_input(&typed) })))
            .collect();
        json!({
            "id": id.get_value(),
            "customerId": customer_id.get_untracked(),
            "method": method.get_untracked(),
            "allocations": (!allocations.is_empty()).then_some(allocations),
        })
    };
    let review = move |_| {
        if customer_id.with_untracked(String::is_empty) {
            errors.set(Some(ApiError::for_field(
                "customerId",
                "Choose the customer who paid.",
            )));
            return;
        }
        errors.set(None);
        confirming.set(true);
    };
    let question = move || {
        let name = customer_options
            .with(|o| {
                o.iter()
                    .find(|(id, _)| *id == customer_id.get())
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_default();
        let typed = amounts.with(|a| a.values().any(|v| !v.trim().is_empty()));
        format!(
            "Record a payment of {amount_text} from {name}, {}? Anything left over becomes customer credit.",
            if typed { "applied as entered" } else { "applied to their open invoices oldest first" }
        )
    };
    view! {
        <form class="subform" data-test="choose-customer" on:submit=|event| event.prevent_default()>
            <div class="form-row">
                <SelectField label="Customer" name="customerId" value=customer_id errors=errors.into() options=customer_options required=true />
                <div class="field field-compact">
                    <label for=format!("bank-search-{}", receipt.id)>"Find a customer"</label>
                    <input id=format!("bank-search-{}", receipt.id) type="search" placeholder="Type part of the name" bind:value=search_typed />
                </div>
                <SelectField label="Method" name="method" value=method errors=errors.into() options=enum_options("Choose", &RECEIPT_METHODS) />
            </div>
            {move || match invoices.get() {
                _ if customer_id.with(String::is_empty) => ().into_any(),
                None => view! { <LoadingRows columns=4 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error /> }.into_any(),
                Some(Ok(list)) => view! { <AllocationInputs invoices=list currency=currency.clone() amounts=amounts /> }.into_any(),
            }}
            <ActionError error=errors.into() inline_fields=&["customerId", "method"] />
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="review-match" on:click=review>"Review…"</button>
                        <button class="button" type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                    </div>
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the match">
                    <p>{question.clone()}</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm" disabled=move || pending.get() on:click=move |_| send_confirm(prepare(), pending, errors, on_done)>
                            {move || if pending.get() { "Recording…" } else { "Record payment" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Back"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

/// Optional amounts per open invoice in the line's currency; left empty, the server applies the
/// money oldest first.
#[component]
fn AllocationInputs(
    invoices: Vec<InvoiceRow>,
    currency: String,
    amounts: RwSignal<HashMap<String, String>>,
) -> impl IntoView {
    let rows: Vec<InvoiceRow> = invoices
        .into_iter()
        .filter(|i| i.open_amount.currency == currency && !format::is_zero(&i.open_amount.amount))
        .collect();
    if rows.is_empty() {
        return view! { <p class="muted">{format!("No open invoices in {currency}: the whole amount becomes customer credit.")}</p> }.into_any();
    }
    view! {
        <table class="table compact allocations" data-test="bank-allocations">
            <caption class="small muted">"Optional: the amount for each invoice. Leave all empty to apply oldest first."</caption>
            <thead>
                <tr>
                    <th scope="col">"Invoice"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col" class="num">"Open"</th>
                    <th scope="col" class="num">"Apply"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|invoice| {
                    let invoice_id = invoice.id.clone();
                    let input_id = format!("bank-apply-{}", invoice.id);
                    let number = invoice.number.clone().unwrap_or_else(|| "Invoice".into());
                    view! {
                        <tr>
                            <td class="nowrap"><a href=format!("/invoices/{}", invoice.id)>{number.clone()}</a></td>
                            <td class="nowrap">{invoice.due_date.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                            <MoneyCell money=Some(invoice.open_amount.clone()) />
                            <td class="num">
                                <label class="visually-hidden" for=input_id.clone()>{format!("Amount to apply to {number}")}</label>
                                <input id=input_id class="num-input" inputmode="decimal"
                                    prop:value={let invoice_id = invoice_id.clone(); move || amounts.with(|a| a.get(&invoice_id).cloned().unwrap_or_default())}
                                    on:input=move |event| { let value = event_target_value(&event); amounts.update(|a| { a.insert(invoice_id.clone(), value); }); }
                                />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn SetAside(
    receipt: BankReceipt,
    on_done: Callback<(String, Option<String>)>,
    on_close: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let id = StoredValue::new(receipt.id.clone());
    let amount = receipt.amount.display();
    let submit = move |_| {
        let Some(text) = non_empty(&reason.get_untracked()) else {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Say why this is not a customer payment (e.g. “Interest from the bank”).",
            )));
            return;
        };
        pending.set(true);
        let amount = amount.clone();
        spawn_local(async move {
            let result = api::bank_receipt_ignore(id.get_value(), text).await;
            pending.set(false);
            match result {
                Ok(_) => on_done.run((
                    format!("Bank line of {amount} set aside; no payment recorded."),
                    None,
                )),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="subform" data-test="set-aside" on:submit=|event| event.prevent_default()>
            <TextAreaField label="Why set it aside" name="reason" value=reason errors=errors.into() required=true id_suffix=format!("ignore-{}", receipt.id) />
            <ActionError error=errors.into() inline_fields=&["reason"] />
            <div class="button-row">
                <button class="button button-danger" type="button" data-action="confirm" disabled=move || pending.get() on:click=submit>
                    {move || if pending.get() { "Saving…" } else { "Set aside" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
