//! The invoice list: status, "overdue only" and search kept in the URL, cursor pagination,
//! status badges that say held and overdue in words.

use leptos::prelude::*;

use crate::{
    api::{self, InvoiceRow},
    app::RequirePermission,
    components::{
        money::MoneyCell,
        sort::{SortHeader, SortOrder},
        status::InvoiceStatusBadge,
    },
    format,
    routes::list::{ListExport, ListResults, ListUrl},
};

const STATUS_FILTERS: [(&str, &str); 6] = [
    ("", "All"),
    ("DRAFT", "Draft"),
    ("ISSUED", "Issued"),
    ("PARTIALLY_PAID", "Partially paid"),
    ("PAID", "Paid"),
    ("VOID", "Void"),
];

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
    let list = ListUrl::new("/invoices");
    // Newest first until a column is chosen (the server's own order).
    let order = Memo::new(move |_| list.order(&SORT_KEYS, ("invoice_date", true)));
    let on_sort = list.on_sort(order);
    let invoices = LocalResource::new(move || {
        // Only the statuses the filter offers; anything else in the URL lists every invoice.
        let status = list.param("status").filter(|status| {
            STATUS_FILTERS
                .iter()
                .any(|(value, _)| !value.is_empty() && value == status)
        });
        let overdue = list.param("overdue").is_some_and(|overdue| overdue == "1");
        api::invoices(list.search(), status, overdue, order.get(), list.after())
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Invoices"</h1>
                    <p class="muted">"Every invoice the bill run wrote, newest first (or by the column you choose), with what is still open."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline search">
                    <label for="invoice-search">"Search"</label>
                    <input id="invoice-search" type="search" placeholder="Invoice number, PO or legal entity" bind:value=list.typed on:input=list.on_search() />
                </div>
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS
                        .iter()
                        .map(|(value, label)| {
                            let value = *value;
                            let selected = move || list.param("status").unwrap_or_default() == value;
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    data-filter=value
                                    on:click=move |_| list.set("status", Some(value.to_string()))
                                >
                                    {*label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <label class="checkbox">
                    <input type="checkbox" data-filter="overdue" prop:checked=move || list.param("overdue").is_some() on:change=move |event| list.set("overdue", event_target_checked(&event).then(|| "1".to_string())) />
                    "Overdue only"
                </label>
            </div>
            <ListResults
                list=list
                resource=invoices
                columns=7
                page_size=25
                empty=empty_text
                table=move |rows| view! { <InvoiceTable rows=rows order=order.get_untracked() on_sort=on_sort /> }
                export=ListExport { prefix: "invoices", header: &INVOICE_CSV_HEADER, rows: invoice_csv_rows }
            />
        </div>
    }
}

/// What the empty list says: filters hide every invoice, or there are none yet.
fn empty_text(list: &ListUrl) -> (String, String) {
    let (title, hint) = if list.is_filtered() {
        (
            "No invoices match these filters",
            "Clear the search, choose “All” or untick “Overdue only” to see every invoice.",
        )
    } else {
        (
            "No invoices yet",
            "Invoices appear here once a bill run issues or holds them; start one under Bill run.",
        )
    };
    (title.to_string(), hint.to_string())
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

/// The columns the server can order invoices by (`InvoiceSort`, in lower case).
const SORT_KEYS: [&str; 6] = [
    "invoice_date",
    "number",
    "due_date",
    "status",
    "total",
    "open",
];

#[component]
fn InvoiceTable(
    rows: Vec<InvoiceRow>,
    order: SortOrder,
    on_sort: Callback<String>,
) -> impl IntoView {
    // The order the rows were fetched in: a click asks the list for new rows, and this table
    // gives way to a new one when they arrive (it never follows the URL on its own).
    let sort = Signal::stored(order);
    view! {
        <table class="table" data-test="invoice-table">
            <thead>
                <tr>
                    <SortHeader label="Number" key="number" sort=sort on_sort=on_sort />
                    <th scope="col">"Customer"</th>
                    <SortHeader label="Invoice date" key="invoice_date" sort=sort on_sort=on_sort />
                    <SortHeader label="Due" key="due_date" sort=sort on_sort=on_sort />
                    <SortHeader label="Status" key="status" sort=sort on_sort=on_sort />
                    <SortHeader label="Total" key="total" sort=sort on_sort=on_sort numeric=true />
                    <SortHeader label="Open" key="open" sort=sort on_sort=on_sort numeric=true />
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
