//! One payment: who paid, how and when, the invoices it paid and what it left as customer
//! credit. After recording (`?recorded=1`) it says what just happened.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::{self, Application, Payment},
    app::RequirePermission,
    components::{
        money::{totals_text, Amount, MoneyCell},
        states::{EmptyState, ErrorPanel, LoadingPanel},
    },
    format,
};

#[component]
pub fn PaymentDetailPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RECEIVABLES_READ">
            <PaymentDetailView />
        </RequirePermission>
    }
}

#[component]
fn PaymentDetailView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let just_recorded = query.with_untracked(|q| q.get("recorded").is_some_and(|r| r == "1"));
    let payment = LocalResource::new(move || api::payment(id.get()));
    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/receivables/payments">"Payments"</a></p>
            {move || match payment.get() {
                None => view! { <LoadingPanel label="Loading payment…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| payment.refetch()) /> }.into_any(),
                Some(Ok(payment)) => view! { <PaymentBody payment=payment just_recorded=just_recorded /> }.into_any(),
            }}
        </div>
    }
}

/// What recording did, in one sentence: the amount, the invoices paid and the credit kept.
pub fn recorded_summary(payment: &Payment) -> String {
    let paid: Vec<String> = payment
        .applications
        .iter()
        .map(|a| format!("{} {}", a.invoice_number, a.amount.display()))
        .collect();
    let applied = if paid.is_empty() {
        "No invoice was paid".to_string()
    } else {
        format!("Applied to {}", paid.join(", "))
    };
    let credit = if format::is_zero(&payment.unapplied.amount) {
        String::new()
    } else {
        format!("; {} kept as customer credit", payment.unapplied.display())
    };
    format!(
        "Payment of {} recorded. {applied}{credit}.",
        payment.amount.display()
    )
}

#[component]
fn PaymentBody(payment: Payment, just_recorded: bool) -> impl IntoView {
    let customer = payment.customer.clone();
    let title = format!(
        "{} payment {}",
        format::enum_label(&payment.method),
        payment.reference
    );
    view! {
        {just_recorded.then(|| view! {
            <div class="alert alert-success" role="status" data-test="payment-notice">{recorded_summary(&payment)}</div>
        })}
        <header class="page-header">
            <div>
                <h1>{title}</h1>
                <p class="muted">
                    {match customer.clone() {
                        Some(c) => view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> }.into_any(),
                        None => "—".into_any(),
                    }}
                    {format!(" · received {}", format::date(&payment.received_on))}
                </p>
            </div>
        </header>
        <div class="grid-2">
            <section class="panel">
                <h2>"Payment"</h2>
                <dl class="facts" data-test="payment-facts">
                    <dt>"Amount"</dt><dd class="figure"><Amount money=payment.amount.clone() /></dd>
                    <dt>"Applied to invoices"</dt><dd><Amount money=payment.applied.clone() /></dd>
                    <dt>"Kept as customer credit"</dt><dd><Amount money=payment.unapplied.clone() /></dd>
                    <dt>"Method"</dt><dd>{format::enum_label(&payment.method)}</dd>
                    <dt>"Reference"</dt><dd class="mono">{payment.reference.clone()}</dd>
                    <dt>"Received on"</dt><dd>{format::date(&payment.received_on)}</dd>
                    <dt>"Recorded"</dt><dd>{format::date_time(&payment.recorded_at)}</dd>
                </dl>
            </section>
        </div>
        <section class="section">
            <h2>"Invoices paid"</h2>
            <ApplicationTable applications=payment.applications.clone() empty_hint="The whole payment was kept as customer credit; apply it to invoices from the customer's page." />
        </section>
    }
}

/// Money applied to invoices (from a payment or from credit), with the total.
#[component]
pub fn ApplicationTable(
    applications: Vec<Application>,
    #[prop(into)] empty_hint: String,
    /// Show where each amount came from (payment or credit) instead of the invoice.
    #[prop(default = false)]
    by_source: bool,
) -> impl IntoView {
    if applications.is_empty() {
        return view! { <EmptyState title="Nothing applied" hint=empty_hint /> }.into_any();
    }
    let total = totals_text(applications.iter().map(|a| &a.amount));
    view! {
        <table class="table" data-test="application-table">
            <thead>
                <tr>
                    <th scope="col">"Applied on"</th>
                    <th scope="col">{if by_source { "From" } else { "Invoice" }}</th>
                    <th scope="col" class="num">"Amount"</th>
                </tr>
            </thead>
            <tbody>
                {applications.into_iter().map(|application| {
                    let source = if by_source {
                        match (&application.payment_id, &application.credit_id) {
                            (Some(payment_id), _) => view! {
                                <a href=format!("/receivables/payments/{payment_id}")>"Payment"</a>
                            }.into_any(),
                            (None, Some(_)) => view! { <span>"Customer credit"</span> }.into_any(),
                            (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
                        }
                    } else {
                        view! {
                            <a href=format!("/invoices/{}", application.invoice_id)>{application.invoice_number.clone()}</a>
                        }.into_any()
                    };
                    view! {
                        <tr>
                            <td class="nowrap">{format::date(&application.applied_on)}</td>
                            <td>{source}</td>
                            <MoneyCell money=Some(application.amount) />
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="2">"Total"</th>
                    <td class="num">{total}</td>
                </tr>
            </tfoot>
        </table>
    }
    .into_any()
}
