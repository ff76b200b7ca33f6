//! The customer list: search kept in the URL (`?q=`), cursor pagination, hold status badges.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, CustomerRow},
    app::RequirePermission,
    components::{
        export::ExportCsv,
        money::MoneyCell,
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::HoldBadge,
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
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
    let query = use_query_map();
    let navigate = use_navigate();
    let search = Memo::new(move |_| query.with(|q| q.get("q")).filter(|q| !q.is_empty()));
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let typed = RwSignal::new(search.get_untracked().unwrap_or_default());
    let trail = CursorTrail::new();
    let debounce = Debounce::new();
    let can_write = session::can("CUSTOMER_WRITE");

    let customers = LocalResource::new(move || api::customers(search.get(), after.get()));

    let go = {
        let navigate = navigate.clone();
        move |search: Option<String>, after: Option<String>| {
            let href = href_with_query("/customers", &[("q", search), ("after", after)]);
            navigate(
                &href,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    };
    let on_search = {
        let go = go.clone();
        move |_| {
            let go = go.clone();
            debounce.run(Duration::from_millis(300), move || {
                trail.0.set(Vec::new());
                go(Some(typed.get_untracked().trim().to_string()), None);
            });
        }
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(search.get_untracked(), next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go(search.get_untracked(), previous);
    });

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
                        bind:value=typed
                        on:input=on_search
                    />
                </div>
            </div>
            {move || match customers.get() {
                None => view! { <LoadingRows columns=7 /> }.into_any(),
                Some(Err(error)) => {
                    view! { <ErrorPanel error=error retry=Callback::new(move |()| customers.refetch()) /> }
                        .into_any()
                }
                Some(Ok(connection)) if connection.nodes.is_empty() => {
                    let (title, hint) = match search.get_untracked() {
                        Some(term) => (
                            format!("No customers match “{term}”"),
                            "Check the spelling, or search by contact name or email instead.".to_string(),
                        ),
                        None => (
                            "No customers yet".to_string(),
                            "Create the first customer with “New customer”; its credit policy is set from its ARR.".to_string(),
                        ),
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(connection)) => {
                    let shown = connection.nodes.len();
                    let next_cursor = connection.page_info.end_cursor.clone();
                    let export_rows = customer_csv_rows(&connection.nodes);
                    view! {
                        <CustomerTable rows=connection.nodes />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), 25)
                            total=connection.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=connection.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        >
                            <ExportCsv filename=format!("customers-{}.csv", format::today_iso()) header=&CUSTOMER_CSV_HEADER rows=export_rows />
                        </Pager>
                    }
                        .into_any()
                }
            }}
        </div>
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

#[component]
fn CustomerTable(rows: Vec<CustomerRow>) -> impl IntoView {
    view! {
        <table class="table" data-test="customer-table">
            <thead>
                <tr>
                    <th scope="col">"Legal name"</th>
                    <th scope="col">"Category"</th>
                    <th scope="col" class="num">"Credit limit"</th>
                    <th scope="col">"Terms"</th>
                    <th scope="col" class="num">"ARR"</th>
                    <th scope="col">"Currency"</th>
                    <th scope="col">"Credit hold"</th>
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
