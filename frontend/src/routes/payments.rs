//! The payments list: newest first or by the column chosen (the order in the URL), optionally one
//! customer's (`?customer=`), with what each payment paid and what it left as credit; cursor
//! pagination and CSV export.

use leptos::prelude::*;

use crate::{
    api::{self, Payment},
    app::RequirePermission,
    components::{
        money::MoneyCell,
        sort::{SortHeader, SortOrder},
    },
    format,
    routes::{
        href_with_query,
        list::{ListExport, ListResults, ListUrl},
    },
    session,
};

const PAGE_SIZE: usize = 25;

#[component]
pub fn PaymentsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RECEIVABLES_READ">
            <PaymentList />
        </RequirePermission>
    }
}

#[component]
fn PaymentList() -> impl IntoView {
    let list = ListUrl::new("/receivables/payments");
    let customer = Memo::new(move |_| list.param("customer"));
    // Newest first until a column is chosen (the server's own order).
    let order = Memo::new(move |_| list.order(&SORT_KEYS, ("received_on", true)));
    let on_sort = list.on_sort(order);
    let can_record = session::can("PAYMENT_RECORD");
    let payments = LocalResource::new(move || {
        api::payments(
            customer.get(),
            PAGE_SIZE as u32,
            Some(order.get()),
            list.after(),
        )
    });
    // The customer's name, from the rows, when the list is narrowed to one customer.
    let customer_name = move || {
        customer.get().and_then(|_| {
            payments
                .get()
                .and_then(Result::ok)
                .and_then(|page| page.nodes.into_iter().find_map(|p| p.customer))
                .map(|c| c.legal_name)
        })
    };
    let new_href =
        move || href_with_query("/receivables/payments/new", &[("customer", customer.get())]);

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Payments"</h1>
                    <p class="muted">"Money received, newest first (or by the column you choose): what each payment paid and what it left as customer credit."</p>
                </div>
                <Show when=move || can_record.get()>
                    <a class="button button-primary" href=new_href data-test="record-payment">"Record payment"</a>
                </Show>
            </header>
            {move || customer.get().map(|_| view! {
                <p class="filter-note">
                    {move || format!("Payments from {}. ", customer_name().unwrap_or_else(|| "one customer".into()))}
                    <a href="/receivables/payments">"Show all payments"</a>
                </p>
            })}
            <ListResults
                list=list
                resource=payments
                columns=8
                page_size=PAGE_SIZE
                empty=empty_text
                table=move |rows| view! { <PaymentTable rows=rows show_customer=true order=order.get_untracked() on_sort=on_sort /> }
                export=ListExport { prefix: "payments", header: &PAYMENT_CSV_HEADER, rows: payment_csv_rows }
            />
        </div>
    }
}

/// What the empty list says (the same whether or not it is narrowed to one customer).
fn empty_text(_list: &ListUrl) -> (String, String) {
    (
        "No payments recorded yet".to_string(),
        "Payments appear here once they are recorded: choose “Record payment” when money arrives from a customer."
            .to_string(),
    )
}

const PAYMENT_CSV_HEADER: [&str; 10] = [
    "id",
    "received_on",
    "customer",
    "method",
    "reference",
    "amount",
    "applied",
    "unapplied",
    "currency",
    "recorded_at",
];

fn payment_csv_rows(payments: &[Payment]) -> Vec<Vec<String>> {
    payments
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                p.received_on.clone(),
                p.customer
                    .as_ref()
                    .map(|c| c.legal_name.clone())
                    .unwrap_or_default(),
                p.method.clone(),
                p.reference.clone(),
                p.amount.amount.clone(),
                p.applied.amount.clone(),
                p.unapplied.amount.clone(),
                p.amount.currency.clone(),
                p.recorded_at.clone(),
            ]
        })
        .collect()
}

/// The columns the server can order payments by (`PaymentSort`, in lower case).
const SORT_KEYS: [&str; 5] = ["received_on", "amount", "unapplied", "method", "reference"];

/// Payments as a table; the customer page leaves out the customer column. With an `order` and
/// `on_sort` (the payments list) the headers sort; the customer page's recent payments do not.
#[component]
pub fn PaymentTable(
    rows: Vec<Payment>,
    show_customer: bool,
    #[prop(optional)] order: Option<SortOrder>,
    #[prop(optional)] on_sort: Option<Callback<String>>,
) -> impl IntoView {
    // The order the rows were fetched in: a click asks the list for new rows, and this table
    // gives way to a new one when they arrive.
    let header = move |label: &'static str, key: &'static str, numeric: bool| {
        match (&order, on_sort) {
        (Some(order), Some(on_sort)) => view! {
            <SortHeader label=label key=key sort=Signal::stored(order.clone()) on_sort=on_sort numeric=numeric />
        }
        .into_any(),
        _ => view! { <th scope="col" class:num=numeric>{label}</th> }.into_any(),
    }
    };
    view! {
        <table class="table" data-test="payment-table">
            <thead>
                <tr>
                    {header("Received", "received_on", false)}
                    {show_customer.then(|| view! { <th scope="col">"Customer"</th> })}
                    {header("Method", "method", false)}
                    {header("Reference", "reference", false)}
                    {header("Amount", "amount", true)}
                    <th scope="col" class="num">"Applied"</th>
                    {header("Left as credit", "unapplied", true)}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|payment| view! {
                    <tr data-payment-id=payment.id.clone()>
                        <td class="nowrap">
                            <a href=format!("/receivables/payments/{}", payment.id)>{format::date(&payment.received_on)}</a>
                        </td>
                        {show_customer.then(|| match payment.customer.clone() {
                            Some(c) => view! { <td><a href=format!("/customers/{}", c.id)>{c.legal_name}</a></td> }.into_any(),
                            None => view! { <td class="muted">"—"</td> }.into_any(),
                        })}
                        <td>{format::enum_label(&payment.method)}</td>
                        <td class="mono">{payment.reference}</td>
                        <MoneyCell money=Some(payment.amount) />
                        <MoneyCell money=Some(payment.applied) />
                        <MoneyCell money=Some(payment.unapplied) />
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
