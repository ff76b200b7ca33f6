//! Recording a payment: who paid, how much, when and with which reference; then which of the
//! customer's open invoices it pays (typed per invoice, or filled oldest first), with a live
//! "applied / left as credit" summary and a confirmation showing the amounts.
//!
//! The idempotency key is made once when the form opens and sent with every attempt, so a
//! double click or a retry after a lost answer cannot record the payment twice.

use std::{collections::HashMap, time::Duration};

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_query_map};
use serde_json::{json, Value};

use crate::{
    allocation::{from_minor, oldest_first, to_minor},
    api::{self, ApiError, ErrorCode, InvoiceRow, PayerOption, RECEIPT_METHODS},
    app::RequirePermission,
    components::{
        field::{enum_options, focus_first_invalid, non_empty, SelectField, TextField},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::InvoiceStatusBadge,
    },
    format,
    routes::{new_idempotency_key, Debounce},
};

#[component]
pub fn NewPaymentPage() -> impl IntoView {
    view! {
        <RequirePermission permission="PAYMENT_RECORD">
            <div class="page">
                <p class="breadcrumb"><a href="/receivables/payments">"Payments"</a></p>
                <header class="page-header">
                    <div>
                        <h1>"Record payment"</h1>
                        <p class="muted">"Money received from a customer: apply it to their open invoices, or keep it as credit to apply later."</p>
                    </div>
                </header>
                <PaymentForm />
            </div>
        </RequirePermission>
    }
}

/// Every input as typed, so nothing is lost when the server refuses the payment.
#[derive(Clone, Copy)]
struct Form {
    customer_id: RwSignal<String>,
    method: RwSignal<String>,
    amount: RwSignal<String>,
    currency: RwSignal<String>,
    received_on: RwSignal<String>,
    reference: RwSignal<String>,
    keep_as_credit: RwSignal<bool>,
    /// What is typed in each invoice's box, by invoice id.
    allocations: RwSignal<HashMap<String, String>>,
}

impl Form {
    fn new(customer_id: String) -> Self {
        Self {
            customer_id: RwSignal::new(customer_id),
            method: RwSignal::new(String::new()),
            amount: RwSignal::new(String::new()),
            currency: RwSignal::new(String::new()),
            received_on: RwSignal::new(format::today_iso()),
            reference: RwSignal::new(String::new()),
            keep_as_credit: RwSignal::new(false),
            allocations: RwSignal::new(HashMap::new()),
        }
    }

    fn currency_code(&self) -> String {
        self.currency.with(|c| c.trim().to_uppercase())
    }
}

/// The form's figures in minor units, worked out on every keystroke.
#[derive(Clone, Debug, Default, PartialEq)]
struct Figures {
    /// The payment, once it is a valid amount.
    payment: Option<i128>,
    /// (invoice id, amount) for every box with an amount, oldest invoice first.
    allocations: Vec<(String, i128)>,
    /// Problems with single boxes, by invoice id.
    row_errors: HashMap<String, String>,
    applied: i128,
}

impl Figures {
    fn left_as_credit(&self) -> Option<i128> {
        self.payment.map(|payment| payment - self.applied)
    }
}

fn figures(form: Form, rows: &[InvoiceRow]) -> Figures {
    let currency = form.currency_code();
    let payment = to_minor(&format::amount_input(&form.amount.get()), &currency)
        .ok()
        .filter(|minor| *minor > 0);
    if form.keep_as_credit.get() {
        return Figures {
            payment,
            ..Figures::default()
        };
    }
    let typed = form.allocations.get();
    let mut result = Figures {
        payment,
        ..Figures::default()
    };
    for row in rows {
        let Some(text) = typed.get(&row.id).map(|t| format::amount_input(t)) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        let open = to_minor(&row.open_amount.amount, &currency).unwrap_or(0);
        match to_minor(&text, &currency) {
            Err(error) => {
                result
                    .row_errors
                    .insert(row.id.clone(), error.message(&currency));
            }
            Ok(0) => {}
            Ok(minor) if minor > open => {
                result.row_errors.insert(
                    row.id.clone(),
                    format!(
                        "Only {} is open on this invoice.",
                        row.open_amount.display()
                    ),
                );
            }
            Ok(minor) => {
                result.applied += minor;
                result.allocations.push((row.id.clone(), minor));
            }
        }
    }
    result
}

#[component]
fn PaymentForm() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let form = Form::new(
        query
            .with_untracked(|q| q.get("customer"))
            .unwrap_or_default(),
    );
    // One key for as long as this form is open: every retry of this payment sends it.
    let idempotency_key = StoredValue::new(new_idempotency_key());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    // The invoice ids in the order they were sent, to place `allocations.N.amount` errors.
    let sent_invoice_ids = StoredValue::new(Vec::<String>::new());

    let payer = LocalResource::new(move || {
        let id = form.customer_id.get();
        async move {
            match non_empty(&id) {
                Some(id) => api::payer(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let open_invoices = LocalResource::new(move || {
        let id = form.customer_id.get();
        async move {
            match non_empty(&id) {
                Some(id) => api::open_invoices(id).await,
                None => Ok(Vec::new()),
            }
        }
    });
    // A newly chosen customer brings their billing currency and usual method, and the boxes
    // of the previous customer's invoices are cleared.
    Effect::new(move |previous: Option<String>| {
        let chosen = payer.get().and_then(Result::ok).flatten();
        let id = chosen.as_ref().map(|p| p.id.clone()).unwrap_or_default();
        if previous.as_deref() != Some(id.as_str()) {
            if let Some(payer) = chosen {
                form.currency.set(payer.billing_currency.clone());
                if let Some(method) = payer
                    .payment_method
                    .filter(|m| RECEIPT_METHODS.contains(&m.kind.as_str()))
                {
                    form.method.set(method.kind);
                }
            }
            form.allocations.set(HashMap::new());
        }
        id
    });
    // Only invoices in the payment's currency can be paid by it; while another customer's
    // invoices are still loading, the previous customer's are not offered.
    let rows = Memo::new(move |_| {
        let currency = form.currency_code();
        let customer_id = form.customer_id.get();
        open_invoices.get().map(|result| {
            result.map(|list| {
                list.into_iter()
                    .filter(|i| {
                        i.open_amount.currency == currency
                            && !format::is_zero(&i.open_amount.amount)
                            && i.customer.as_ref().is_some_and(|c| c.id == customer_id)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let open_rows = Signal::derive(move || {
        rows.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
    });
    let figures = Memo::new(move |_| open_rows.with(|rows| figures(form, rows)));
    let locked = Signal::derive(move || confirming.get() || pending.get());

    let apply_oldest_first = move |_| {
        let currency = form.currency_code();
        let Some(payment) = figures.with_untracked(|f| f.payment) else {
            errors.set(Some(ApiError::for_field(
                "amount.amount",
                "Enter the amount received first.",
            )));
            return;
        };
        let rows = open_rows.get_untracked();
        let opens: Vec<i128> = rows
            .iter()
            .map(|row| to_minor(&row.open_amount.amount, &currency).unwrap_or(0))
            .collect();
        let parts = oldest_first(payment, &opens);
        form.keep_as_credit.set(false);
        form.allocations.set(
            rows.iter()
                .zip(parts)
                .filter(|(_, part)| *part > 0)
                .map(|(row, part)| (row.id.clone(), from_minor(part, &currency)))
                .collect(),
        );
        errors.set(None);
    };

    let review = move |_| match check(
        form,
        &figures.get_untracked(),
        !open_rows.with_untracked(Vec::is_empty),
    ) {
        Some(problem) => {
            errors.set(Some(problem));
            focus_first_invalid();
        }
        None => {
            errors.set(None);
            confirming.set(true);
        }
    };
    let submit = Callback::new(move |()| {
        if pending.get_untracked() {
            return;
        }
        let figures = figures.get_untracked();
        let keep_as_credit = form.keep_as_credit.get_untracked() || figures.allocations.is_empty();
        sent_invoice_ids.set_value(
            figures
                .allocations
                .iter()
                .map(|(id, _)| id.clone())
                .collect(),
        );
        let input = payment_input(form, &figures, keep_as_credit, idempotency_key.get_value());
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::payment_record(input).await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(payment) => navigate(
                    &format!("/receivables/payments/{}?recorded=1", payment.id),
                    Default::default(),
                ),
                Err(error) => {
                    errors.set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    });
    let row_message = move |invoice_id: String| {
        Signal::derive(move || {
            let from_server = errors.with(|errors| {
                let errors = errors.as_ref()?;
                let index = sent_invoice_ids
                    .with_value(|ids| ids.iter().position(|id| *id == invoice_id))?;
                errors.field(&format!("allocations.{index}"))
            });
            from_server.or_else(|| figures.with(|f| f.row_errors.get(&invoice_id).cloned()))
        })
    };

    view! {
        <form class="form form-narrow" data-test="payment-form" on:submit=|event| event.prevent_default()>
            <PaymentFields form=form errors=errors.into() locked=locked payer=payer />
            <fieldset class="panel">
                <legend>"Apply to open invoices"</legend>
                {move || match rows.get() {
                    _ if form.customer_id.with(String::is_empty) => view! {
                        <p class="muted">"Choose the customer first; their open invoices in the payment's currency appear here."</p>
                    }.into_any(),
                    None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| open_invoices.refetch()) /> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <EmptyState
                            title=format!("No open invoices in {}", form.currency_code())
                            hint="The whole payment will be kept as customer credit, to apply when an invoice is issued or to refund."
                        />
                    }.into_any(),
                    Some(Ok(list)) => view! {
                        <div class="toolbar">
                            <button class="button" type="button" data-action="apply-oldest-first" disabled=move || locked.get() on:click=apply_oldest_first>
                                "Apply oldest first"
                            </button>
                            <label class="checkbox">
                                <input type="checkbox" name="keepAsCredit" data-test="keep-as-credit" disabled=move || locked.get() bind:checked=form.keep_as_credit />
                                "Keep all as credit (apply later)"
                            </label>
                        </div>
                        <AllocationTable rows=list form=form locked=locked row_message=row_message />
                    }.into_any(),
                }}
                <AllocationSummary figures=figures currency=Signal::derive(move || form.currency_code()) errors=errors.into() />
            </fieldset>
            <ActionError
                error=errors.into()
                inline_fields=&["customerId", "method", "amount.amount", "amount.currency", "receivedOn", "reference", "allocations"]
            />
            {move || errors.with(|e| e.as_ref().is_some_and(|e| e.code() == ErrorCode::Conflict)).then(|| view! {
                <p class="alert alert-warning" role="alert">
                    "This payment may already have been recorded by an earlier attempt. "
                    <a href="/receivables/payments">"Check the payments list"</a>
                    " before entering it again."
                </p>
            })}
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="review-payment" on:click=review>"Review payment…"</button>
                        <a class="button" href="/receivables/payments">"Cancel"</a>
                    </div>
                }
            >
                <PaymentConfirm form=form figures=figures payer=payer open_rows=open_rows pending=pending on_confirm=submit on_cancel=Callback::new(move |()| confirming.set(false)) />
            </Show>
        </form>
    }
}

/// What the client can check before asking the server, each naming its field.
fn check(form: Form, figures: &Figures, has_open_invoices: bool) -> Option<ApiError> {
    let currency = form.currency_code();
    if form.customer_id.with_untracked(|c| c.trim().is_empty()) {
        return Some(ApiError::for_field(
            "customerId",
            "Choose the customer who paid.",
        ));
    }
    if form.method.with_untracked(|m| m.is_empty()) {
        return Some(ApiError::for_field(
            "method",
            "Choose how the money arrived.",
        ));
    }
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(ApiError::for_field(
            "amount.currency",
            "Enter a three-letter currency code such as USD.",
        ));
    }
    if let Err(error) = to_minor(
        &format::amount_input(&form.amount.get_untracked()),
        &currency,
    ) {
        return Some(ApiError::for_field(
            "amount.amount",
            error.message(&currency),
        ));
    }
    if figures.payment.is_none() {
        return Some(ApiError::for_field(
            "amount.amount",
            "Enter the amount received; it must be more than zero.",
        ));
    }
    if form.received_on.with_untracked(|d| d.len() != 10) {
        return Some(ApiError::for_field(
            "receivedOn",
            "Enter the date the money arrived.",
        ));
    }
    if form.reference.with_untracked(|r| r.trim().is_empty()) {
        return Some(ApiError::for_field(
            "reference",
            "Enter the bank or check reference as it appears on the statement.",
        ));
    }
    if !figures.row_errors.is_empty() {
        return Some(ApiError::for_field(
            "allocations",
            "Correct the invoice amounts marked below.",
        ));
    }
    if figures.left_as_credit().is_some_and(|left| left < 0) {
        return Some(ApiError::for_field(
            "allocations",
            "The invoice amounts add up to more than the payment.",
        ));
    }
    if has_open_invoices && !form.keep_as_credit.get_untracked() && figures.allocations.is_empty() {
        return Some(ApiError::for_field(
            "allocations",
            "Enter what this pays on each invoice, use “Apply oldest first”, or tick “Keep all as credit”.",
        ));
    }
    None
}

fn payment_input(
    form: Form,
    figures: &Figures,
    keep_as_credit: bool,
    idempotency_key: String,
) -> Value {
    let currency = form.currency_code();
    let mut input = json!({
        "customerId": form.customer_id.get_untracked().trim(),
        "method": form.method.get_untracked(),
        "amount": { "amount": format::amount_input(&form.amount.get_untracked()), "currency": currency },
        "receivedOn": form.received_on.get_untracked(),
        "reference": form.reference.get_untracked().trim(),
        "idempotencyKey": idempotency_key,
        "keepAsCredit": keep_as_credit,
    });
    if !keep_as_credit {
        let allocations: Vec<Value> = figures
            .allocations
            .iter()
            .map(|(invoice_id, minor)| json!({ "invoiceId": invoice_id, "amount": from_minor(*minor, &currency) }))
            .collect();
        if let Some(object) = input.as_object_mut() {
            object.insert("allocations".into(), Value::Array(allocations));
        }
    }
    input
}

/// Customer, method, amount and currency, date and reference.
#[component]
fn PaymentFields(
    form: Form,
    errors: Signal<Option<ApiError>>,
    locked: Signal<bool>,
    payer: LocalResource<Result<Option<PayerOption>, ApiError>>,
) -> impl IntoView {
    let search_typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let debounce = Debounce::new();
    Effect::new(move |_| {
        let typed = search_typed.get();
        debounce.run(Duration::from_millis(300), move || search.set(typed));
    });
    let payers = LocalResource::new(move || api::payer_options(non_empty(&search.get())));
    let more_customers = Signal::derive(
        move || matches!(payers.get(), Some(Ok(page)) if page.page_info.has_next_page),
    );
    let customer_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Choose a customer".to_string())];
        if let Some(Ok(page)) = payers.get() {
            options.extend(page.nodes.into_iter().map(|c| (c.id, c.legal_name)));
        }
        // The customer named in the address may be beyond the picker's first page.
        if let Some(Ok(Some(chosen))) = payer.get() {
            if !options.iter().any(|(id, _)| *id == chosen.id) {
                options.push((chosen.id, chosen.legal_name));
            }
        }
        options
    });
    let method_options = enum_options("Choose how it arrived", &RECEIPT_METHODS);
    let currency = Signal::derive(move || {
        let code = form.currency_code();
        if code.is_empty() {
            "—".to_string()
        } else {
            code
        }
    });
    view! {
        <fieldset class="panel">
            <legend>"Payment"</legend>
            // The picker and the chosen customer load on their own; say so when they cannot.
            {move || {
                let failed = payers.get().and_then(Result::err).or_else(|| payer.get().and_then(Result::err));
                failed.map(|error| view! {
                    <p class="alert alert-error" role="alert">{format!("Customers could not be loaded: {}", error.summary())}</p>
                })
            }}
            <div class="form-row">
                <div class="field-stack">
                    <SelectField label="Customer" name="customerId" value=form.customer_id errors=errors options=customer_options required=true disabled=locked />
                    <Show when=move || more_customers.get() || !search_typed.with(String::is_empty)>
                        <div class="field field-compact">
                            <label for="payer-search">"Find a customer not listed"</label>
                            <input id="payer-search" type="search" placeholder="Type part of the name" bind:value=search_typed />
                        </div>
                    </Show>
                </div>
                <SelectField label="Method" name="method" value=form.method errors=errors options=method_options required=true disabled=locked />
            </div>
            <div class="form-row">
                <TextField label="Amount received" name="amount.amount" value=form.amount errors=errors numeric=true required=true suffix=currency disabled=locked />
                <TextField label="Currency" name="amount.currency" value=form.currency errors=errors required=true hint="The customer's billing currency unless the money came in another." disabled=locked />
                <TextField label="Received on" name="receivedOn" kind="date" value=form.received_on errors=errors required=true disabled=locked />
            </div>
            <TextField label="Reference" name="reference" value=form.reference errors=errors required=true hint="The bank or check reference, as on the statement." disabled=locked />
        </fieldset>
    }
}

/// The customer's open invoices in the payment's currency, each with a box for what this
/// payment pays on it.
#[component]
fn AllocationTable(
    rows: Vec<InvoiceRow>,
    form: Form,
    locked: Signal<bool>,
    row_message: impl Fn(String) -> Signal<Option<String>> + Copy + 'static,
) -> impl IntoView {
    view! {
        <table class="table allocations" data-test="allocation-table">
            <thead>
                <tr>
                    <th scope="col">"Invoice"</th>
                    <th scope="col">"Invoice date"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Open"</th>
                    <th scope="col" class="num">"Apply"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|invoice| {
                    let id = invoice.id.clone();
                    let input_id = format!("allocation-{id}");
                    let error_id = format!("{input_id}-error");
                    let message = row_message(id.clone());
                    let number = invoice.number.clone().unwrap_or_else(|| "Draft".into());
                    let value_id = id.clone();
                    let input_key = id.clone();
                    view! {
                        <tr data-invoice-id=id.clone()>
                            <td class="nowrap"><a href=format!("/invoices/{id}") target="_blank">{number.clone()}</a></td>
                            <td class="nowrap">{format::date(&invoice.invoice_date)}</td>
                            <td class="nowrap">{invoice.due_date.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                            <td><InvoiceStatusBadge status=invoice.status.clone() due_date=invoice.due_date.clone() /></td>
                            <td class="num">{invoice.open_amount.display()}</td>
                            <td class="num allocation-cell">
                                <label class="visually-hidden" for=input_id.clone()>{format!("Amount to apply to {number}")}</label>
                                <input
                                    id=input_id
                                    class="num-input"
                                    inputmode="decimal"
                                    name=format!("allocation-{}", invoice.id)
                                    disabled=move || locked.get() || form.keep_as_credit.get()
                                    aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                                    aria-describedby=error_id.clone()
                                    prop:value=move || form.allocations.with(|typed| typed.get(&value_id).cloned().unwrap_or_default())
                                    on:input=move |event| {
                                        let typed = event_target_value(&event);
                                        form.allocations.update(|all| { all.insert(input_key.clone(), typed); });
                                    }
                                />
                                {move || message.get().map(|text| view! { <p class="field-error" id=error_id.clone()>{text}</p> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The live split of the payment: applied to invoices and left as credit.
#[component]
fn AllocationSummary(
    figures: Memo<Figures>,
    currency: Signal<String>,
    errors: Signal<Option<ApiError>>,
) -> impl IntoView {
    let show = move |minor: Option<i128>| {
        let currency = currency.get();
        minor.map_or_else(
            || "—".to_string(),
            |minor| format::money(&from_minor(minor, &currency), &currency),
        )
    };
    let over = move || figures.with(|f| f.left_as_credit().is_some_and(|left| left < 0));
    // Only what concerns the allocations as a whole; an error about one invoice is on its row.
    let message = Signal::derive(move || {
        errors.with(|e| {
            let messages: Vec<String> = e
                .iter()
                .flat_map(|e| e.items.iter())
                .filter(|item| item.field.as_deref() == Some("allocations"))
                .map(|item| item.message.clone())
                .collect();
            (!messages.is_empty()).then(|| messages.join(" "))
        })
    });
    view! {
        <div class="allocation-summary" aria-live="polite" data-test="allocation-summary">
            <dl class="facts inline">
                <dt>"Payment"</dt><dd class="num">{move || show(figures.with(|f| f.payment))}</dd>
                <dt>"Applied to invoices"</dt><dd class="num" data-test="applied-total">{move || show(Some(figures.with(|f| f.applied)))}</dd>
                <dt>"Left as credit"</dt>
                <dd class="num" class:negative=over data-test="credit-total">{move || show(figures.with(Figures::left_as_credit))}</dd>
            </dl>
            {move || over().then(|| view! { <p class="field-error">"The invoice amounts add up to more than the payment."</p> })}
            {move || message.get().map(|text| view! { <p class="field-error" id="field-allocations-error">{text}</p> })}
        </div>
    }
}

/// The amounts, once more, before the payment is posted.
#[component]
fn PaymentConfirm(
    form: Form,
    figures: Memo<Figures>,
    payer: LocalResource<Result<Option<PayerOption>, ApiError>>,
    open_rows: Signal<Vec<InvoiceRow>>,
    pending: RwSignal<bool>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let currency = form.currency_code();
    let figures = figures.get_untracked();
    let money = |minor: i128| format::money(&from_minor(minor, &currency), &currency);
    let customer = payer
        .get_untracked()
        .and_then(Result::ok)
        .flatten()
        .map_or_else(|| "the customer".to_string(), |p| p.legal_name);
    let keep_all = form.keep_as_credit.get_untracked() || figures.allocations.is_empty();
    let numbers: HashMap<String, String> = open_rows
        .get_untracked()
        .into_iter()
        .map(|row| {
            (
                row.id.clone(),
                row.number.unwrap_or_else(|| format!("#{}", row.id)),
            )
        })
        .collect();
    let lines: Vec<(String, String)> = if keep_all {
        Vec::new()
    } else {
        figures
            .allocations
            .iter()
            .map(|(id, minor)| {
                (
                    numbers.get(id).cloned().unwrap_or_else(|| format!("#{id}")),
                    money(*minor),
                )
            })
            .collect()
    };
    let payment = figures.payment.map(money).unwrap_or_default();
    let credit = if keep_all {
        payment.clone()
    } else {
        figures.left_as_credit().map(money).unwrap_or_default()
    };
    view! {
        <div class="confirm panel" role="alertdialog" aria-label="Confirm the payment" data-test="payment-confirm">
            <p>
                <strong>{format!(
                    "Record {payment} by {} from {customer}, received {}, reference {}?",
                    format::enum_label(&form.method.get_untracked()),
                    format::date(&form.received_on.get_untracked()),
                    form.reference.get_untracked().trim(),
                )}</strong>
            </p>
            <table class="table compact">
                <tbody>
                    {lines.into_iter().map(|(number, amount)| view! {
                        <tr><th scope="row">{format!("Pays {number}")}</th><td class="num">{amount}</td></tr>
                    }).collect_view()}
                    <tr><th scope="row">"Kept as customer credit"</th><td class="num">{credit}</td></tr>
                </tbody>
            </table>
            <p class="muted">"Posts cash received against accounts receivable (and customer credit) in the ledger."</p>
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="confirm-payment" disabled=move || pending.get() on:click=move |_| on_confirm.run(())>
                    {move || if pending.get() { "Recording…" } else { "Record payment" }}
                </button>
                <button class="button" type="button" disabled=move || pending.get() on:click=move |_| on_cancel.run(())>"Back to edit"</button>
            </div>
        </div>
    }
}
