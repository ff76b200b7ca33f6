//! The customer list: search kept in the URL (`?q=`), cursor pagination, hold status badges.

use leptos::prelude::*;

use crate::{
    api::{self, CustomerRow},
    app::RequirePermission,
    components::{
        money::MoneyCell,
        sort::{SortHeader, SortOrder},
        status::HoldBadge,
    },
    format,
    routes::list::{ListExport, ListResults, ListUrl},
    session,
};

#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <RequirePermission permission="CUSTOMER_READ">
            <CustomerList />
        </RequirePermission>
    }
}

#[component]
fn CustomerList() -> impl IntoView {
    let list = ListUrl::new("/customers");
    let can_write = session::can("CUSTOMER_WRITE");
    let order = Memo::new(move |_| list.order(&SORT_KEYS, ("legal_name", false)));
    let on_sort = list.on_sort(order);
    let customers =
        LocalResource::new(move || api::customers(list.search(), order.get(), list.after()));

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Customers"</h1>
                    <p class="muted">"Credit limits, terms and holds for every billed customer."</p>
                </div>
                <Show when=move || can_write.get()>
                    <a class="button button-primary" href="/customers/new" data-test="new-customer">
                        "New customer"
                    </a>
                </Show>
            </header>
            <div class="toolbar">
                <div class="field field-inline search">
                    <label for="customer-search">"Search"</label>
                    <input
                        id="customer-search"
                        type="search"
                        placeholder="Legal name, contact or email"
                        bind:value=list.typed
                        on:input=list.on_search()
                    />
                </div>
            </div>
            <ListResults
                list=list
                resource=customers
                columns=7
                page_size=25
                empty=empty_text
                table=move |rows| view! { <CustomerTable rows=rows order=order.get_untracked() on_sort=on_sort /> }
                export=ListExport { prefix: "customers", header: &CUSTOMER_CSV_HEADER, rows: customer_csv_rows }
            />
        </div>
    }
}

/// What the empty list says: no match for the search, or no customers at all.
fn empty_text(list: &ListUrl) -> (String, String) {
    match list.search_untracked() {
        Some(term) => (
            format!("No customers match “{term}”"),
            "Check the spelling, or search by contact name or email instead.".to_string(),
        ),
        None => (
            "No customers yet".to_string(),
            "Create the first customer with “New customer”; its credit policy is set from its ARR."
                .to_string(),
        ),
    }
}

const CUSTOMER_CSV_HEADER: [&str; 9] = [
    "id",
    "legal_name",
    "category",
    "credit_limit",
    "payment_terms",
    "arr",
    "currency",
    "on_credit_hold",
    "exported_on",
];

fn customer_csv_rows(customers: &[CustomerRow]) -> Vec<Vec<String>> {
    let today = format::today_iso();
    customers
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.legal_name.clone(),
                c.credit_policy.category.clone(),
                c.credit_limit.amount.clone(),
                c.payment_terms.clone(),
                c.arr.amount.clone(),
                c.billing_currency.clone(),
                c.on_credit_hold.to_string(),
                today.clone(),
            ]
        })
        .collect()
}

/// The columns the server can order customers by (`CustomerSort`, in lower case).
const SORT_KEYS: [&str; 4] = ["legal_name", "credit_limit", "currency", "credit_hold"];

#[component]
fn CustomerTable(
    rows: Vec<CustomerRow>,
    order: SortOrder,
    on_sort: Callback<String>,
) -> impl IntoView {
    // The order the rows were fetched in: a click asks the list for new rows, and this table
    // gives way to a new one when they arrive (it never follows the URL on its own).
    let sort = Signal::stored(order);
    view! {
        <table class="table" data-test="customer-table">
            <thead>
                <tr>
                    <SortHeader label="Legal name" key="legal_name" sort=sort on_sort=on_sort />
                    <th scope="col">"Category"</th>
                    <SortHeader label="Credit limit" key="credit_limit" sort=sort on_sort=on_sort numeric=true />
                    <th scope="col">"Terms"</th>
                    <th scope="col" class="num">"ARR"</th>
                    <SortHeader label="Currency" key="currency" sort=sort on_sort=on_sort />
                    <SortHeader label="Credit hold" key="credit_hold" sort=sort on_sort=on_sort />
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|customer| {
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/customers/{}", customer.id)>{customer.legal_name}</a>
                                </td>
                                <td>{format::enum_label(&customer.credit_policy.category)}</td>
                                <MoneyCell money=Some(customer.credit_limit) />
                                <td>{format::enum_label(&customer.payment_terms)}</td>
                                <MoneyCell money=Some(customer.arr) />
                                <td>{customer.billing_currency}</td>
                                <td>
                                    <HoldBadge on_hold=customer.on_credit_hold />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
