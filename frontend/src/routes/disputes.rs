//! The disputes tracker: every customer dispute with its review clock (48 business hours), late
//! ones highlighted, filtered by status and sorted by a column (both kept in the URL), paged and
//! exportable. Unsorted, it is the work queue: soonest review deadline first.

use leptos::prelude::*;

use crate::{
    api::{self, Dispute, DisputeFilter},
    app::RequirePermission,
    components::{
        collections_status::{DisputeStatusBadge, SlaTimer},
        money::MoneyCell,
        sort::{SortHeader, SortOrder},
    },
    format,
    routes::list::{ListExport, ListResults, ListUrl},
};

const PAGE_SIZE: usize = 25;

const STATUS_FILTERS: [(&str, &str); 5] = [
    ("OPEN", "Open"),
    ("VALID", "Valid"),
    ("INVALID", "Invalid"),
    ("CLOSED", "Closed"),
    ("ALL", "All"),
];

#[component]
pub fn DisputesPage() -> impl IntoView {
    view! {
        <RequirePermission permission="RECEIVABLES_READ">
            <DisputeList />
        </RequirePermission>
    }
}

#[component]
fn DisputeList() -> impl IntoView {
    let list = ListUrl::new("/disputes");
    // OPEN (the default: what waits for review), another status, or ALL.
    let status = Memo::new(move |_| {
        list.param("status")
            .filter(|s| STATUS_FILTERS.iter().any(|(value, _)| value == s))
            .unwrap_or_else(|| "OPEN".to_string())
    });
    let customer_id = Memo::new(move |_| list.param("customer"));
    // The work queue (soonest review deadline first) until a column is chosen.
    let order = Memo::new(move |_| list.order(&SORT_KEYS, ("review_due", false)));
    let on_sort = list.on_sort(order);
    let disputes = LocalResource::new(move || {
        let filter = DisputeFilter {
            status: Some(status.get()).filter(|s| s != "ALL"),
            invoice_id: None,
            customer_id: customer_id.get(),
            order: Some(order.get()),
        };
        api::disputes(filter, PAGE_SIZE as u32, list.after())
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Disputes"</h1>
                    <p class="muted">"Customer disputes and their review clock: AR reviews each within 48 business hours, checked against the contract."</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS.iter().map(|(value, label)| {
                        let value = *value;
                        let selected = move || status.with(|status| status == value);
                        view! {
                            <button
                                type="button"
                                class="segment"
                                class:selected=selected
                                aria-pressed=move || if selected() { "true" } else { "false" }
                                data-filter=value
                                on:click=move |_| list.set("status", Some(value.to_string()).filter(|v| v != "OPEN"))
                            >
                                {*label}
                            </button>
                        }
                    }).collect_view()}
                </div>
                {move || customer_id.get().map(|customer_id| view! {
                    <span class="filter-note">"One customer's disputes · "<a href=format!("/customers/{customer_id}")>"customer"</a></span>
                })}
            </div>
            <ListResults
                list=list
                resource=disputes
                columns=8
                page_size=PAGE_SIZE
                empty=empty_text
                table=move |rows| view! { <DisputeTable rows=rows order=order.get_untracked() on_sort=on_sort /> }
                export=ListExport { prefix: "disputes", header: &DISPUTE_CSV_HEADER, rows: dispute_csv_rows }
            />
        </div>
    }
}

/// What the empty list says: nothing waits for review, or nothing has the chosen status.
fn empty_text(list: &ListUrl) -> (String, String) {
    let waiting = list
        .param_untracked("status")
        .is_none_or(|status| status == "OPEN");
    let (title, hint) = if waiting {
        (
            "No disputes waiting for review",
            "Disputes are logged from the invoice page when a customer contests an invoice.",
        )
    } else {
        (
            "No disputes with this status",
            "Choose another status above to see other disputes.",
        )
    };
    (title.to_string(), hint.to_string())
}

/// The columns the server can order disputes by (`DisputeSort`, in lower case).
const SORT_KEYS: [&str; 5] = ["review_due", "opened_on", "amount", "status", "reason"];

#[component]
fn DisputeTable(rows: Vec<Dispute>, order: SortOrder, on_sort: Callback<String>) -> impl IntoView {
    // The order the rows were fetched in: a click asks the list for new rows, and this table
    // gives way to a new one when they arrive.
    let sort = Signal::stored(order);
    view! {
        <table class="table" data-test="dispute-table">
            <thead>
                <tr>
                    <SortHeader label="Opened" key="opened_on" sort=sort on_sort=on_sort />
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Invoice"</th>
                    <SortHeader label="Reason" key="reason" sort=sort on_sort=on_sort />
                    <SortHeader label="Disputed" key="amount" sort=sort on_sort=on_sort numeric=true />
                    <SortHeader label="Status" key="status" sort=sort on_sort=on_sort />
                    <th scope="col">"Review clock"</th>
                    <SortHeader label="Review due" key="review_due" sort=sort on_sort=on_sort />
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|dispute| {
                    let reviewed = dispute.status != "OPEN";
                    let late = dispute.review_late && !reviewed;
                    view! {
                        <tr class:row-late=late data-dispute-id=dispute.id.clone()>
                            <td class="nowrap"><a href=format!("/disputes/{}", dispute.id)>{format::date(&dispute.opened_on)}</a></td>
                            <td>{dispute.customer.clone().map(|c| view! { <a href=format!("/customers/{}", c.id)>{c.legal_name}</a> })}</td>
                            <td class="nowrap mono">
                                <a href=format!("/invoices/{}", dispute.invoice_id)>{dispute.invoice.number.clone().unwrap_or_else(|| "Invoice".into())}</a>
                            </td>
                            <td>{format::enum_label(&dispute.reason)}</td>
                            <MoneyCell money=Some(dispute.disputed.clone()) />
                            <td><DisputeStatusBadge status=dispute.status.clone() /></td>
                            <td><SlaTimer minutes_left=dispute.review_minutes_left late=dispute.review_late reviewed=reviewed /></td>
                            <td class="nowrap">{format::date_time(&dispute.review_due_at)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

const DISPUTE_CSV_HEADER: [&str; 10] = [
    "id",
    "opened_on",
    "customer",
    "invoice",
    "reason",
    "disputed",
    "currency",
    "status",
    "review_minutes_left",
    "review_due_at",
];

fn dispute_csv_rows(disputes: &[Dispute]) -> Vec<Vec<String>> {
    disputes
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.opened_on.clone(),
                d.customer
                    .as_ref()
                    .map(|c| c.legal_name.clone())
                    .unwrap_or_default(),
                d.invoice.number.clone().unwrap_or_default(),
                d.reason.clone(),
                d.disputed.amount.clone(),
                d.disputed.currency.clone(),
                d.status.clone(),
                d.review_minutes_left.to_string(),
                d.review_due_at.clone(),
            ]
        })
        .collect()
}
