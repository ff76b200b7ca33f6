//! The Receivables section of the customer page: open AR by aging bucket, the customer's credit
//! with "apply oldest first" and refund actions, and the latest payments.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, AgingView, ApiError, CustomerAging, CustomerCredit, ErrorCode, Money},
    components::{
        aging::{ordered, AgingTotals},
        field::{non_empty, SelectField, TextField},
        money::{totals_by_currency, MoneyCell},
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::{
        aging::customer_aging_href, href_with_query, new_idempotency_key, payments::PaymentTable,
    },
    session,
};

/// Shown to those who may read receivables; the rest of the customer page does not need it.
#[component]
pub fn CustomerReceivables(customer_id: String, legal_name: String) -> impl IntoView {
    let can_read = session::can("RECEIVABLES_READ");
    let customer_id = StoredValue::new(customer_id);
    let legal_name = StoredValue::new(legal_name);
    view! {
        <Show when=move || can_read.get()>
            <ReceivablesSection customer_id=customer_id.get_value() legal_name=legal_name.get_value() />
        </Show>
    }
}

#[component]
fn ReceivablesSection(customer_id: String, legal_name: String) -> impl IntoView {
    let can_record = session::can("PAYMENT_RECORD");
    let id = StoredValue::new(customer_id.clone());
    let name = StoredValue::new(legal_name.clone());
    // The search narrows the aging query to names like this one; the id picks the customer.
    let aging = LocalResource::new(move || {
        let view = AgingView {
            as_of: None,
            basis: "INVOICE_DATE".to_string(),
        };
        api::ar_aging_customers(view, Some(name.get_value()), 100, None)
    });
    let credits = LocalResource::new(move || api::customer_credits(id.get_value()));
    let payments = LocalResource::new(move || api::payments(Some(id.get_value()), 5, None, None));
    let notice = RwSignal::new(None::<String>);
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        aging.refetch();
        credits.refetch();
        payments.refetch();
    });
    let open_ar = Signal::derive(move || {
        aging.get().and_then(Result::ok).map(|page| {
            page.nodes
                .into_iter()
                .filter(|row| row.customer_id == id.get_value())
                .collect::<Vec<_>>()
        })
    });
    let new_payment_href = href_with_query(
        "/receivables/payments/new",
        &[("customer", Some(customer_id.clone()))],
    );
    let all_payments_href =
        href_with_query("/receivables/payments", &[("customer", Some(customer_id))]);

    view! {
        <section class="section receivables" data-test="receivables">
            <div class="section-header">
                <h2>"Receivables"</h2>
                <Show when=move || can_record.get()>
                    <a class="button" href=new_payment_href.clone() data-test="customer-record-payment">"Record payment"</a>
                </Show>
            </div>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="receivables-notice">{message}</div>
            })}
            <div class="panel">
                <h3>"Open AR today"</h3>
                {move || match (aging.get(), open_ar.get()) {
                    (None, _) => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                    (Some(Err(error)), _) => view! {
                        <div data-loaded="aging"><ErrorPanel error=error retry=Callback::new(move |()| aging.refetch()) /></div>
                    }.into_any(),
                    (Some(Ok(_)), rows) => view! {
                        <div data-loaded="aging"><CustomerOpenAr rows=rows.unwrap_or_default() /></div>
                    }.into_any(),
                }}
            </div>
            <div class="panel">
                <h3>"Customer credit"</h3>
                {move || match credits.get() {
                    None => view! { <LoadingRows columns=5 rows=2 /> }.into_any(),
                    Some(Err(error)) => view! {
                        <div data-loaded="credits"><ErrorPanel error=error retry=Callback::new(move |()| credits.refetch()) /></div>
                    }.into_any(),
                    Some(Ok(list)) => view! {
                        <div data-loaded="credits">
                            <CreditList
                                credits=list
                                customer_id=id.get_value()
                                legal_name=name.get_value()
                                open_ar=open_ar.get().unwrap_or_default()
                                on_done=on_done
                            />
                        </div>
                    }.into_any(),
                }}
            </div>
            <div class="panel">
                <h3>"Recent payments"</h3>
                {move || match payments.get() {
                    None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                    Some(Err(error)) => view! {
                        <div data-loaded="payments"><ErrorPanel error=error retry=Callback::new(move |()| payments.refetch()) /></div>
                    }.into_any(),
                    Some(Ok(page)) if page.nodes.is_empty() => view! {
                        <div data-loaded="payments">
                            <EmptyState title="No payments from this customer yet" hint="Payments appear here once recorded; use “Record payment” when money arrives." />
                        </div>
                    }.into_any(),
                    Some(Ok(page)) => {
                        let more = page.total_count > i64::try_from(page.nodes.len()).unwrap_or(i64::MAX);
                        view! {
                            <div data-loaded="payments">
                                <PaymentTable rows=page.nodes show_customer=false />
                                <p class="small">
                                    <a href=all_payments_href.clone()>
                                        {if more { format!("All {} payments from this customer", page.total_count) } else { "Open in Payments".to_string() }}
                                    </a>
                                </p>
                            </div>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}

/// The customer's open AR per currency with its buckets; each figure opens the invoices behind
/// it on the aging page.
#[component]
fn CustomerOpenAr(rows: Vec<CustomerAging>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <EmptyState title="Nothing open" hint="Every issued invoice of this customer is settled." />
        }
        .into_any();
    }
    view! {
        <div data-test="customer-aging">
            {rows.into_iter().map(|row| {
                let summary = ordered(row.aging);
                let customer_id = row.customer_id.clone();
                let currency = summary.currency.clone();
                let href = Callback::new(move |bucket: Option<String>| {
                    customer_aging_href(&customer_id, &currency, bucket.as_deref())
                });
                view! { <AgingTotals summary=summary href=href /> }
            }).collect_view()}
        </div>
    }
    .into_any()
}

fn credit_source(credit: &CustomerCredit) -> AnyView {
    match credit.source.as_str() {
        "payment" => view! {
            <a href=format!("/receivables/payments/{}", credit.source_id)>"Overpayment"</a>
        }
        .into_any(),
        "credit_memo" => view! { <span>"Credit memo"</span> }.into_any(),
        other => view! { <span>{format::enum_label(other)}</span> }.into_any(),
    }
}

/// Credits with something left, and per currency the actions on them.
#[component]
fn CreditList(
    credits: Vec<CustomerCredit>,
    customer_id: String,
    legal_name: String,
    open_ar: Vec<CustomerAging>,
    on_done: Callback<String>,
) -> impl IntoView {
    if credits.is_empty() {
        return view! {
            <EmptyState title="No credit available" hint="Overpayments and approved credit memos appear here until they are applied or refunded." />
        }
        .into_any();
    }
    let totals = totals_by_currency(credits.iter().map(|c| &c.remaining)).unwrap_or_default();
    let can_apply = session::can("PAYMENT_RECORD");
    let can_refund = session::can("REFUND_ISSUE");
    let apply_targets: Vec<(Money, Option<Money>)> = totals
        .iter()
        .map(|available| {
            let open = open_ar
                .iter()
                .find(|row| row.aging.currency == available.currency)
                .map(|row| row.aging.total.clone());
            (available.clone(), open)
        })
        .collect();
    let apply_customer = StoredValue::new(customer_id.clone());
    let apply_targets = StoredValue::new(apply_targets);
    let refund_totals = StoredValue::new(totals.clone());
    let refund_customer = StoredValue::new((customer_id, legal_name));
    view! {
        <table class="table compact" data-test="credit-table">
            <thead>
                <tr>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Source"</th>
                    <th scope="col" class="num">"Original"</th>
                    <th scope="col" class="num">"Remaining"</th>
                </tr>
            </thead>
            <tbody>
                {credits.into_iter().map(|credit| view! {
                    <tr>
                        <td class="nowrap">{format::date(&credit.created_on)}</td>
                        <td>{credit_source(&credit)}</td>
                        <MoneyCell money=Some(credit.amount.clone()) />
                        <MoneyCell money=Some(credit.remaining.clone()) />
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                {totals.into_iter().map(|total| view! {
                    <tr class="total-row">
                        <th scope="row" colspan="3">{format!("Available ({})", total.currency)}</th>
                        <MoneyCell money=Some(total) />
                    </tr>
                }).collect_view()}
            </tfoot>
        </table>
        <Show when=move || can_apply.get()>
            {apply_targets.get_value().into_iter().map(|(available, open)| view! {
                <ApplyCredit customer_id=apply_customer.get_value() available=available open=open on_done=on_done />
            }).collect_view()}
        </Show>
        <Show when=move || can_refund.get()>
            <RefundForm
                customer_id=refund_customer.get_value().0
                legal_name=refund_customer.get_value().1
                available=refund_totals.get_value()
                on_done=on_done
            />
        </Show>
    }
    .into_any()
}

/// Applies one currency's credit to the customer's open invoices, oldest first, after a
/// confirmation that shows what is available and what is open.
#[component]
fn ApplyCredit(
    customer_id: String,
    available: Money,
    open: Option<Money>,
    on_done: Callback<String>,
) -> impl IntoView {
    // Made when the confirmation opens and kept through retries, so a repeat applies once.
    let idempotency_key = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let customer_id = StoredValue::new(customer_id);
    let currency = StoredValue::new(available.currency.clone());
    let available_text = available.display();
    let open_text = open.as_ref().map_or_else(
        || format!("nothing open in {}", available.currency),
        |open| format!("{} open", open.display()),
    );
    let nothing_open = open.is_none();
    let confirm = move |_| {
        let Some(key) = idempotency_key.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result =
                api::credit_apply(customer_id.get_value(), currency.get_value(), key).await;
            pending.set(false);
            match result {
                Ok(done) => {
                    idempotency_key.set(None);
                    let total = crate::components::money::totals_text(
                        done.applications.iter().map(|a| &a.amount),
                    );
                    let invoices = done
                        .applications
                        .iter()
                        .map(|a| format!("{} {}", a.invoice_number, a.amount.display()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    on_done.run(if done.applications.is_empty() {
                        format!(
                            "No open {} invoice to apply credit to; the credit stays available.",
                            currency.get_value()
                        )
                    } else {
                        format!("Applied {total} of credit: {invoices}.")
                    });
                }
                Err(failure) => error.set(Some(failure)),
            }
        });
    };
    view! {
        <div class="credit-action" data-test="apply-credit" data-currency=available.currency.clone()>
            <Show
                when=move || idempotency_key.with(Option::is_some)
                fallback=move || view! {
                    <button
                        class="button"
                        type="button"
                        data-action="apply-credit"
                        disabled=nothing_open
                        on:click=move |_| idempotency_key.set(Some(new_idempotency_key()))
                    >
                        {format!("Apply {} credit to open invoices…", currency.get_value())}
                    </button>
                    {nothing_open.then(|| view! { <span class="hint">{format!(" No open {} invoices to apply it to.", currency.get_value())}</span> })}
                }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm applying credit">
                    <p>{format!(
                        "Apply up to {available_text} of credit to this customer's {} invoices, oldest first ({open_text})?",
                        currency.get_value()
                    )}</p>
                    <ActionError error=error.into() />
                    <div class="button-row">
                        <button class="button button-primary" type="button" data-action="confirm-apply-credit" disabled=move || pending.get() on:click=confirm>
                            {move || if pending.get() { "Applying…" } else { "Apply credit" }}
                        </button>
                        <button class="button" type="button" disabled=move || pending.get() on:click=move |_| { error.set(None); idempotency_key.set(None); }>
                            "Cancel"
                        </button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

/// Pays credit back to the customer: amount (up to what is available), reference and date,
/// then a confirmation with the amount.
#[component]
fn RefundForm(
    customer_id: String,
    legal_name: String,
    available: Vec<Money>,
    on_done: Callback<String>,
) -> impl IntoView {
    let first = available.first().cloned();
    let currency = RwSignal::new(
        first
            .as_ref()
            .map(|m| m.currency.clone())
            .unwrap_or_default(),
    );
    let amount = RwSignal::new(first.map(|m| m.amount).unwrap_or_default());
    let reference = RwSignal::new(String::new());
    let refunded_on = RwSignal::new(format::today_iso());
    let errors = RwSignal::new(None::<ApiError>);
    let idempotency_key = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let customer_id = StoredValue::new(customer_id);
    let legal_name = StoredValue::new(legal_name);
    let available = StoredValue::new(available);
    let currency_options = Signal::derive(move || {
        available.with_value(|all| {
            all.iter()
                .map(|m| (m.currency.clone(), m.currency.clone()))
                .collect::<Vec<_>>()
        })
    });
    let suffix = Signal::derive(move || currency.get());
    // A different currency offers its whole available credit as the amount.
    let on_currency = move |code: String| {
        if let Some(total) =
            available.with_value(|all| all.iter().find(|m| m.currency == code).cloned())
        {
            amount.set(total.amount);
        }
    };
    Effect::new(move |previous: Option<String>| {
        let code = currency.get();
        if previous.is_some_and(|previous| previous != code) {
            on_currency(code.clone());
        }
        code
    });
    let refund_money = move || Money {
        amount: format::amount_input(&amount.get_untracked()),
        currency: currency.get_untracked(),
    };
    let review = move |_| {
        if format::amount_input(&amount.get_untracked()).is_empty() {
            errors.set(Some(ApiError::for_field(
                "amount",
                "Enter the amount to refund.",
            )));
        } else if non_empty(&reference.get_untracked()).is_none() {
            errors.set(Some(ApiError::for_field(
                "reference",
                "Enter the refund's bank or check reference.",
            )));
        } else {
            errors.set(None);
            idempotency_key.set(Some(new_idempotency_key()));
        }
    };
    let confirm = move |_| {
        let Some(key) = idempotency_key.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let money = refund_money();
        let date = non_empty(&refunded_on.get_untracked());
        let reference_text = reference.get_untracked().trim().to_string();
        spawn_local(async move {
            let result =
                api::credit_refund(customer_id.get_value(), money, date, reference_text, key).await;
            pending.set(false);
            match result {
                Ok(refund) => {
                    idempotency_key.set(None);
                    reference.set(String::new());
                    on_done.run(format!(
                        "Refunded {} to {} on {} (reference {}).",
                        refund.amount.display(),
                        legal_name.get_value(),
                        format::date(&refund.refunded_on),
                        refund.reference
                    ));
                }
                Err(failure) => {
                    // A refused refund goes back to the form with its fields marked. When the
                    // answer was lost the refund may have happened: the confirmation stays, with
                    // the same key, so trying again cannot pay twice.
                    if failure.code() != ErrorCode::Network {
                        idempotency_key.set(None);
                    }
                    errors.set(Some(failure));
                }
            }
        });
    };
    let locked = Signal::derive(move || idempotency_key.with(Option::is_some));
    view! {
        <div class="subform" data-test="refund-form">
            <h3>"Refund credit"</h3>
            <div class="form-row">
                <SelectField label="Currency" name="refundCurrency" value=currency errors=errors.into() options=currency_options disabled=locked />
                <TextField label="Amount" name="amount" value=amount errors=errors.into() numeric=true required=true suffix=suffix disabled=locked />
                <TextField label="Refunded on" name="refundedOn" kind="date" value=refunded_on errors=errors.into() disabled=locked />
            </div>
            <TextField label="Reference" name="reference" value=reference errors=errors.into() required=true hint="The bank or check reference of the refund." disabled=locked />
            <ActionError error=errors.into() inline_fields=&["amount", "amount.amount", "amount.currency", "reference", "refundedOn"] />
            <Show
                when=move || locked.get()
                fallback=move || view! { <button class="button button-danger" type="button" data-action="refund" on:click=review>"Refund…"</button> }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm the refund">
                    <p>{move || format!(
                        "Refund {} to {}? The money is paid back out of cash and the credit is used up.",
                        format::money(&format::amount_input(&amount.get()), &currency.get()),
                        legal_name.get_value()
                    )}</p>
                    <div class="button-row">
                        <button class="button button-danger" type="button" data-action="confirm-refund" disabled=move || pending.get() on:click=confirm>
                            {move || if pending.get() { "Refunding…" } else { "Confirm refund" }}
                        </button>
                        <button class="button" type="button" disabled=move || pending.get() on:click=move |_| idempotency_key.set(None)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
