//! The invoice list: status, "overdue only" and search kept in the URL, cursor pagination,
//! status badges that say held and overdue in words.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, InvoiceRow},
    app::RequirePermission,
    components::{
        export::ExportCsv,
        money::MoneyCell,
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::InvoiceStatusBadge,
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
};

const STATUS_FILTERS: [(&str, &str); 6] = [
    ("", "All"),
    ("DRAFT", "Draft"),
    ("ISSUED", "Issued"),
    ("PARTIALLY_PAID", "Partially paid"),
    ("PAID", "Paid"),
    ("VOID", "Void"),
];

/// The list's filters as they stand in the URL.
#[derive(Clone, Debug, PartialEq)]
struct Filters {
    search: Option<String>,
    status: Option<String>,
    overdue: bool,
}

impl Filters {
    fn href(&self, after: Option<String>) -> String {
        href_with_query(
            "/invoices",
            &[
                ("q", self.search.clone()),
                ("status", self.status.clone()),
                ("overdue", self.overdue.then(|| "1".to_string())),
                ("after", after),
            ],
        )
    }

    fn is_filtered(&self) -> bool {
        self.search.is_some() || self.status.is_some() || self.overdue
    }
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! {
        <RequirePermission permission="INVOICE_READ">
            <InvoiceList />
        </RequirePermission>
    }
}

#[component]
fn InvoiceList() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| {
        query.with(|q| Filters {
            search: q.get("q").filter(|q| !q.is_empty()),
            status: q.get("status").filter(|s| {
                STATUS_FILTERS
                    .iter()
                    .any(|(value, _)| !value.is_empty() && value == s)
            }),
            overdue: q.get("overdue").is_some_and(|o| o == "1"),
        })
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let typed = RwSignal::new(filters.get_untracked().search.unwrap_or_default());
    let trail = CursorTrail::new();
    let debounce = Debounce::new();
    let invoices = LocalResource::new(move || {
        let Filters {
            search,
            status,
            overdue,
        } = filters.get();
        api::invoices(search, status, overdue, after.get())
    });

    let go = move |filters: Filters, after: Option<String>| {
        navigate(
            &filters.href(after),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    // A changed filter starts again from the first page.
    let refilter = {
        let go = go.clone();
        move |change: &dyn Fn(&mut Filters)| {
            let mut next = filters.get_untracked();
            change(&mut next);
            trail.0.set(Vec::new());
            go(next, None);
        }
    };
    let on_search = {
        let refilter = refilter.clone();
        move |_| {
            let refilter = refilter.clone();
            debounce.run(Duration::from_millis(300), move || {
                let term = typed.get_untracked().trim().to_string();
                refilter(&|f: &mut Filters| {
                    f.search = Some(term.clone()).filter(|t| !t.is_empty())
                });
            });
        }
    };
    let on_overdue = {
        let refilter = refilter.clone();
        move |event: leptos::ev::Event| {
            let checked = event_target_checked(&event);
            refilter(&|f: &mut Filters| f.overdue = checked);
        }
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(filters.get_untracked(), next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go(filters.get_untracked(), previous);
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Invoices"</h1>
                    <p class="muted">"Every invoice the bill run wrote, newest first, with what is still open."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline search">
                    <label for="invoice-search">"Search"</label>
                    <input id="invoice-search" type="search" placeholder="Invoice number, PO or legal entity" bind:value=typed on:input=on_search />
                </div>
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS
                        .iter()
                        .map(|(value, label)| {
                            let refilter = refilter.clone();
                            let value = *value;
                            let selected = move || filters.with(|f| f.status.as_deref().unwrap_or_default() == value);
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    data-filter=value
                                    on:click=move |_| {
                                        let status = Some(value.to_string()).filter(|v| !v.is_empty());
                                        refilter(&|f: &mut Filters| f.status = status.clone());
                                    }
                                >
                                    {*label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <label class="checkbox">
                    <input type="checkbox" data-filter="overdue" prop:checked=move || filters.with(|f| f.overdue) on:change=on_overdue />
                    "Overdue only"
                </label>
            </div>
            {move || match invoices.get() {
                None => view! { <LoadingRows columns=7 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| invoices.refetch()) /> }.into_any(),
                Some(Ok(connection)) if connection.nodes.is_empty() => {
                    let (title, hint) = if filters.with_untracked(Filters::is_filtered) {
                        ("No invoices match these filters", "Clear the search, choose “All” or untick “Overdue only” to see every invoice.")
                    } else {
                        ("No invoices yet", "Invoices appear here once a bill run issues or holds them; start one under Bill run.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(connection)) => {
                    let shown = connection.nodes.len();
                    let next_cursor = connection.page_info.end_cursor.clone();
                    let export_rows = invoice_csv_rows(&connection.nodes);
                    view! {
                        <InvoiceTable rows=connection.nodes />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), 25)
                            total=connection.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=connection.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        >
                            <ExportCsv filename=format!("invoices-{}.csv", format::today_iso()) header=&INVOICE_CSV_HEADER rows=export_rows />
                        </Pager>
                    }.into_any()
                }
            }}
        </div>
    }
}

const INVOICE_CSV_HEADER: [&str; 9] = [
    "id",
    "number",
    "customer",
    "invoice_date",
    "due_date",
    "status",
    "total",
    "open_amount",
    "currency",
];

fn invoice_csv_rows(invoices: &[InvoiceRow]) -> Vec<Vec<String>> {
    invoices
        .iter()
        .map(|i| {
            vec![
                i.id.clone(),
                i.number.clone().unwrap_or_default(),
                i.customer
                    .as_ref()
                    .map(|c| c.legal_name.clone())
                    .unwrap_or_default(),
                i.invoice_date.clone(),
                i.due_date.clone().unwrap_or_default(),
                i.status.clone(),
                i.total.amount.clone(),
                i.open_amount.amount.clone(),
                i.total.currency.clone(),
            ]
        })
        .collect()
}

#[component]
fn InvoiceTable(rows: Vec<InvoiceRow>) -> impl IntoView {
    view! {
        <table class="table" data-test="invoice-table">
            <thead>
                <tr>
                    <th scope="col">"Number"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Invoice date"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Total"</th>
                    <th scope="col" class="num">"Open"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|invoice| view! {
                        <tr>
                            <td class="nowrap">
                                <a href=format!("/invoices/{}", invoice.id)>{invoice.number.unwrap_or_else(|| "Draft".into())}</a>
                            </td>
                            <td>{invoice.customer.map(|c| c.legal_name).unwrap_or_else(|| "—".into())}</td>
                            <td class="nowrap">{format::date(&invoice.invoice_date)}</td>
                            <td class="nowrap">{invoice.due_date.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                            <td>
                                <InvoiceStatusBadge status=invoice.status held=invoice.blocked_reason.is_some() due_date=invoice.due_date />
                            </td>
                            <MoneyCell money=Some(invoice.total) />
                            <MoneyCell money=Some(invoice.open_amount) />
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
