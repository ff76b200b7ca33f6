//! One customer: billing details, credit policy and limit, credit hold (with a place/release
//! form), the pending credit-limit request or a form to ask for one, receivables (open AR,
//! credit, payments) and the customer's deals.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::json;

use crate::{
    api::{self, Address, ApiError, Approval, CustomerDetail, DealRow},
    app::{use_approvals_changed, RequirePermission},
    components::{
        field::{enum_options, non_empty, SelectField, TextAreaField, TextField},
        money::{Amount, MoneyCell},
        states::{EmptyState, ErrorPanel, LoadingPanel},
        status::{ApprovalStatusBadge, Badge, DealStatusBadge, HoldBadge, Tone},
    },
    format,
    routes::customer_receivables::CustomerReceivables,
    session,
};

pub const PAYMENT_TERMS: [&str; 5] = ["NET_15", "NET_30", "NET_45", "NET_60", "UPFRONT"];

#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    view! {
        <RequirePermission permission="CUSTOMER_READ">
            <CustomerDetailView />
        </RequirePermission>
    }
}

#[component]
fn CustomerDetailView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let customer = LocalResource::new(move || api::customer(id.get()));
    let reload = Callback::new(move |()| customer.refetch());
    // Kept here, above the re-rendered body, so the message survives the reload it triggers.
    // The edit form comes back with `?saved=1`.
    let saved = use_query_map().with_untracked(|query| {
        query
            .get(crate::routes::customer_form::SAVED_QUERY)
            .is_some()
    });
    let notice = RwSignal::new(saved.then(|| "Customer details saved.".to_string()));
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        customer.refetch();
    });
    view! {
        <div class="page">
            <p class="breadcrumb">
                <a href="/customers">"Customers"</a>
            </p>
            {move || {
                notice
                    .get()
                    .map(|message| {
                        view! {
                            <div class="alert alert-success" role="status" data-test="customer-notice">
                                {message}
                            </div>
                        }
                    })
            }}
            {move || match customer.get() {
                None => view! { <LoadingPanel label="Loading customer…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=reload /> }.into_any(),
                Some(Ok(customer)) => view! { <CustomerBody customer=customer on_done=on_done /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn CustomerBody(customer: CustomerDetail, on_done: Callback<String>) -> impl IntoView {
    let deals = customer.deals.clone();
    let (receivables_id, receivables_name) = (customer.id.clone(), customer.legal_name.clone());
    view! {
        <header class="page-header">
            <div>
                <h1>{customer.legal_name.clone()}</h1>
                <p class="muted">
                    {format!(
                        "{} · customer since {}",
                        format::enum_label(&customer.credit_policy.category),
                        format::date(&customer.created_at),
                    )}
                </p>
            </div>
            <div class="button-row">
                <HoldBadge on_hold=customer.on_credit_hold />
                {session::can("CUSTOMER_WRITE").get_untracked().then(|| view! {
                    <a class="button" href=format!("/customers/{}/edit", customer.id) data-test="customer-edit">"Edit details"</a>
                })}
            </div>
        </header>
        <div class="grid-2">
            <BillingPanel customer=customer.clone() />
            <CreditPanel customer=customer.clone() />
            <HoldPanel customer=customer.clone() on_done=on_done />
            <CreditLimitPanel customer=customer on_done=on_done />
        </div>
        <crate::components::customer_collections::CustomerCollections customer_id=receivables_id.clone() />
        <CustomerReceivables customer_id=receivables_id legal_name=receivables_name />
        <section class="section">
            <h2>"Deals"</h2>
            <CustomerDeals deals=deals />
        </section>
    }
}

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.line1.clone()];
    lines.extend(address.line2.clone().filter(|line| !line.is_empty()));
    let locality = [
        Some(address.city.clone()),
        address.region.clone(),
        Some(address.postal_code.clone()),
    ]
    .into_iter()
    .flatten()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    lines.push(locality);
    lines.push(address.country.clone());
    lines
}

#[component]
fn AddressBlock(address: Address) -> impl IntoView {
    view! {
        <address>
            {address_lines(&address).into_iter().map(|line| view! { <div>{line}</div> }).collect_view()}
        </address>
    }
}

#[component]
fn BillingPanel(customer: CustomerDetail) -> impl IntoView {
    let contact = customer.billing_contact.clone();
    let payment = customer
        .payment_method
        .as_ref()
        .map(|method| {
            let reference = method.masked_reference.clone().unwrap_or_default();
            format!("{} {reference}", format::enum_label(&method.kind))
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| "None on file".to_string());
    view! {
        <section class="panel">
            <h2>"Billing"</h2>
            <dl class="facts">
                <dt>"Billing address"</dt>
                <dd><AddressBlock address=customer.billing_address.clone() /></dd>
                <dt>"Remit-to address"</dt>
                <dd><AddressBlock address=customer.remit_to_address.clone() /></dd>
                <dt>"Tax registration number"</dt>
                <dd>{customer.tax_registration_number.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Billing contact"</dt>
                <dd>
                    <div>{contact.name}</div>
                    <div><a href=format!("mailto:{}", contact.email)>{contact.email.clone()}</a></div>
                    {contact.phone.map(|phone| view! { <div>{phone}</div> })}
                </dd>
                <dt>"Payment method"</dt>
                <dd>{payment}</dd>
                <dt>"Billing currency"</dt>
                <dd>{customer.billing_currency.clone()}</dd>
            </dl>
        </section>
    }
}

#[component]
fn CreditPanel(customer: CustomerDetail) -> impl IntoView {
    let policy = customer.credit_policy.clone();
    let exposure = customer.credit_exposure.clone();
    let allowed = policy
        .allowed_terms
        .iter()
        .map(|terms| format::enum_label(terms))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="panel">
            <h2>"Credit"</h2>
            <dl class="facts">
                <dt>"Current credit limit"</dt>
                <dd class="figure" data-test="credit-limit"><Amount money=customer.credit_limit.clone() /></dd>
                <dt>"Exposure"</dt>
                <dd class="figure" data-test="credit-exposure">
                    <Amount money=exposure.after.clone() />
                    " "
                    {match exposure.over_by.clone() {
                        Some(over) => view! { <Badge tone=Tone::Danger label=format!("Over the limit by {}", over.display()) /> }.into_any(),
                        None if exposure.needs_vp_finance => view! { <Badge tone=Tone::Warning label="Cannot be checked" /> }.into_any(),
                        None => view! { <Badge tone=Tone::Good label="Within the limit" /> }.into_any(),
                    }}
                </dd>
                <dt>"Payment terms"</dt>
                <dd>{format::enum_label(&customer.payment_terms)}</dd>
                <dt>"ARR"</dt>
                <dd><Amount money=customer.arr.clone() /></dd>
                <dt>"Payment history"</dt>
                <dd>
                    {if customer.prior_late_payer {
                        view! { <Badge tone=Tone::Warning label="Prior late payer" /> }.into_any()
                    } else if customer.has_paid_invoice {
                        view! { <Badge tone=Tone::Good label="Has paid invoices" /> }.into_any()
                    } else {
                        view! { <Badge tone=Tone::Neutral label="No paid invoices yet" /> }.into_any()
                    }}
                </dd>
            </dl>
            <h3>"Exposure"</h3>
            <dl class="facts" data-test="credit-exposure-parts">
                <dt>"Open invoices"</dt>
                <dd class="num"><Amount money=exposure.open.clone() /></dd>
                <dt>"Drafts waiting to be issued"</dt>
                <dd class="num"><Amount money=exposure.waiting.clone() /></dd>
                <dt>"Scheduled in the next 30 days"</dt>
                <dd class="num"><Amount money=exposure.scheduled.clone() /></dd>
                <dt>"Less customer credit held"</dt>
                <dd class="num"><Amount money=exposure.credit.clone() /></dd>
            </dl>
            <p class="explanation" data-test="credit-exposure-explanation">{exposure.explanation.clone()}</p>
            <h3>"Credit policy"</h3>
            <dl class="facts">
                <dt>"Category"</dt>
                <dd>{format::enum_label(&policy.category)}</dd>
                <dt>"Proposed limit"</dt>
                <dd><Amount money=policy.proposed_limit.clone() /></dd>
                <dt>"Allowed terms"</dt>
                <dd>{allowed}</dd>
                <dt>"Deposit"</dt>
                <dd>{format::enum_label(&policy.deposit_rule)}</dd>
            </dl>
            <p class="explanation">{policy.explanation}</p>
        </section>
    }
}

/// Credit hold status and, for those allowed, a form to place or release it. Changing a hold
/// changes what the customer can be billed, so it asks for a reason and a confirmation.
#[component]
fn HoldPanel(customer: CustomerDetail, on_done: Callback<String>) -> impl IntoView {
    let can_manage = session::can("CREDIT_HOLD_MANAGE");
    let on_hold = customer.on_credit_hold;
    let reason = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let customer_id = StoredValue::new(customer.id.clone());
    let action_label = if on_hold {
        "Release hold"
    } else {
        "Place on hold"
    };

    let review = move |_| {
        if reason.with_untracked(|r| r.trim().is_empty()) {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Give a reason; it is kept in the audit log.",
            )));
            return;
        }
        errors.set(None);
        confirming.set(true);
    };
    let submit = move |_| {
        let customer_id = customer_id.get_value();
        pending.set(true);
        spawn_local(async move {
            let result = api::customer_credit_hold_set(
                customer_id,
                !on_hold,
                reason.get_untracked().trim().to_string(),
            )
            .await;
            pending.set(false);
            confirming.set(false);
            match result {
                Ok(_) => {
                    reason.set(String::new());
                    on_done.run(
                        if on_hold {
                            "Credit hold released. New billing for this customer can proceed."
                        } else {
                            "Customer placed on credit hold. New billing stops until the hold is released."
                        }
                        .into(),
                    );
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };

    view! {
        <section class="panel">
            <h2>"Credit hold"</h2>
            <dl class="facts">
                <dt>"Status"</dt>
                <dd><HoldBadge on_hold=on_hold /></dd>
                {on_hold.then(|| view! {
                    <dt>"Reason"</dt>
                    <dd>{customer.credit_hold_reason.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Since"</dt>
                    <dd>{customer.credit_hold_since.as_deref().map(format::date_time).unwrap_or_else(|| "—".into())}</dd>
                })}
            </dl>
            <Show when=move || can_manage.get()>
                <div class="subform">
                    <TextAreaField label=if on_hold { "Reason for releasing" } else { "Reason for the hold" } name="reason" value=reason errors=errors.into() required=true id_suffix="hold" />
                    {move || errors.get().filter(|e| !e.has_field_errors()).map(|e| view! { <p class="alert alert-error" role="alert">{e.summary()}</p> })}
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button class="button" type="button" on:click=review data-test="hold-review">{action_label}</button>
                        }
                    >
                        <div class="confirm" role="alertdialog" aria-label="Confirm credit hold change">
                            <p>
                                {if on_hold {
                                    "Release the credit hold? Invoices and new deals for this customer can proceed again."
                                } else {
                                    "Place this customer on credit hold? New billing for this customer stops until the hold is released."
                                }}
                            </p>
                            <div class="button-row">
                                <button class="button button-primary" type="button" disabled=move || pending.get() on:click=submit>
                                    {move || if pending.get() { "Saving…" } else { "Confirm" }}
                                </button>
                                <button class="button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </div>
                        </div>
                    </Show>
                </div>
            </Show>
        </section>
    }
}

/// The pending credit-limit request, or a form to ask for a change (current versus requested
/// amounts are shown before it is sent).
#[component]
fn CreditLimitPanel(customer: CustomerDetail, on_done: Callback<String>) -> impl IntoView {
    let can_request = session::can("CREDIT_LIMIT_REQUEST");
    view! {
        <section class="panel">
            <h2>"Credit-limit change"</h2>
            {match customer.pending_credit_limit_request.clone() {
                Some(request) => view! { <PendingRequest request=request /> }.into_any(),
                None => view! {
                    <p class="muted">"No change is waiting for approval."</p>
                    <Show when=move || can_request.get()>
                        <CreditLimitRequestForm customer=customer.clone() on_done=on_done />
                    </Show>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn PendingRequest(request: Approval) -> impl IntoView {
    view! {
        <div class="pending-request" data-test="pending-request">
            <p>
                <ApprovalStatusBadge status=request.status.clone() />
                {format!(" Requested by {} on {}", request.requested_by.name, format::date(&request.requested_at))}
            </p>
            <table class="table compact">
                <thead>
                    <tr><th scope="col"><span class="visually-hidden">"Figure"</span></th><th scope="col" class="num">"Limit"</th><th scope="col">"Terms"</th></tr>
                </thead>
                <tbody>
                    <tr>
                        <th scope="row">"Current"</th>
                        <MoneyCell money=request.current_limit.clone() />
                        <td>{format::enum_label(request.current_terms.as_deref().unwrap_or_default())}</td>
                    </tr>
                    <tr>
                        <th scope="row">"Requested"</th>
                        <MoneyCell money=request.requested_limit.clone() />
                        <td>{format::enum_label(request.requested_terms.as_deref().unwrap_or_default())}</td>
                    </tr>
                </tbody>
            </table>
            <p class="explanation">{request.reason}</p>
        </div>
    }
}

#[component]
fn CreditLimitRequestForm(customer: CustomerDetail, on_done: Callback<String>) -> impl IntoView {
    let currency = customer.credit_limit.currency.clone();
    let amount = RwSignal::new(String::new());
    let terms = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let customer_id = StoredValue::new(customer.id.clone());
    let currency_code = StoredValue::new(currency.clone());
    let current_limit = customer.credit_limit.clone();
    let current_terms = customer.payment_terms.clone();
    let terms_options = enum_options("Keep current terms", &PAYMENT_TERMS);
    let approvals_changed = use_approvals_changed();

    let review = move |_| {
        let typed = format::amount_input(&amount.get_untracked());
        if typed.is_empty() {
            errors.set(Some(ApiError::for_field(
                "creditLimit",
                "Enter the new credit limit.",
            )));
        } else if reason.with_untracked(|r| r.trim().is_empty()) {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Explain why the limit should change.",
            )));
        } else {
            errors.set(None);
            confirming.set(true);
        }
    };
    let submit = {
        move |_| {
            let input = json!({
                "customerId": customer_id.get_value(),
                "creditLimit": { "amount": format::amount_input(&amount.get_untracked()), "currency": currency_code.get_value() },
                "paymentTerms": non_empty(&terms.get_untracked()),
                "reason": reason.get_untracked().trim(),
            });
            pending.set(true);
            spawn_local(async move {
                let result = api::credit_limit_request_create(input).await;
                pending.set(false);
                confirming.set(false);
                match result {
                    Ok(approval) => {
                        approvals_changed();
                        on_done.run(format!(
                            "Request sent for approval: {} credit limit on {} terms. It takes effect once an approver accepts it.",
                            approval.requested_limit.as_ref().map(api::Money::display).unwrap_or_default(),
                            format::enum_label(approval.requested_terms.as_deref().unwrap_or_default())
                        ));
                    }
                    Err(error) => errors.set(Some(error)),
                }
            });
        }
    };
    let requested_display = {
        let currency = currency.clone();
        move || format::money(&format::amount_input(&amount.get()), &currency)
    };
    let requested_terms_display = {
        let current_terms = current_terms.clone();
        move || {
            format::enum_label(&non_empty(&terms.get()).unwrap_or_else(|| current_terms.clone()))
        }
    };

    view! {
        <div class="subform" data-test="credit-limit-form">
            <h3>"Request credit-limit change"</h3>
            <div class="form-row">
                <TextField label=format!("New limit ({currency})") name="creditLimit" value=amount errors=errors.into() numeric=true required=true />
                <SelectField label="New terms" name="paymentTerms" value=terms errors=errors.into() options=terms_options />
            </div>
            <TextAreaField label="Reason" name="reason" value=reason errors=errors.into() required=true id_suffix="limit" />
            {move || errors.get().filter(|e| !e.has_field_errors()).map(|e| view! { <p class="alert alert-error" role="alert">{e.summary()}</p> })}
            <Show
                when=move || confirming.get()
                fallback=move || view! { <button class="button" type="button" on:click=review>"Review request"</button> }
            >
                <div class="confirm" role="alertdialog" aria-label="Confirm credit-limit request">
                    <table class="table compact">
                        <thead>
                            <tr><th scope="col"><span class="visually-hidden">"Figure"</span></th><th scope="col" class="num">"Limit"</th><th scope="col">"Terms"</th></tr>
                        </thead>
                        <tbody>
                            <tr>
                                <th scope="row">"Current"</th>
                                <MoneyCell money=Some(current_limit.clone()) />
                                <td>{format::enum_label(&current_terms)}</td>
                            </tr>
                            <tr>
                                <th scope="row">"Requested"</th>
                                <td class="num">{requested_display.clone()}</td>
                                <td>{requested_terms_display.clone()}</td>
                            </tr>
                        </tbody>
                    </table>
                    <p class="muted">"Another approver must decide it; the limit changes only once approved."</p>
                    <div class="button-row">
                        <button class="button button-primary" type="button" disabled=move || pending.get() on:click=submit>
                            {move || if pending.get() { "Sending…" } else { "Send for approval" }}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn CustomerDeals(deals: Vec<DealRow>) -> impl IntoView {
    if deals.is_empty() {
        return view! {
            <EmptyState title="No deals for this customer" hint="Deals appear here once an AE records the closed opportunity in Deals → New deal." />
        }
        .into_any();
    }
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"Opportunity"</th>
                    <th scope="col">"Product"</th>
                    <th scope="col" class="num">"TCV"</th>
                    <th scope="col" class="num">"ARR"</th>
                    <th scope="col">"Start"</th>
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>
                {deals
                    .into_iter()
                    .map(|deal| view! {
                        <tr>
                            <td class="nowrap"><a href=format!("/deals/{}", deal.id)>{deal.crm_opportunity_id}</a></td>
                            <td>{deal.product_name.unwrap_or_else(|| "—".into())}</td>
                            <MoneyCell money=deal.tcv />
                            <MoneyCell money=deal.arr />
                            <td>{deal.start_date.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                            <td><DealStatusBadge status=deal.status complete=deal.is_complete /></td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
