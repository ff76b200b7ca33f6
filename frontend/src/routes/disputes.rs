//! The disputes tracker: every customer dispute with its review clock (48 business hours), late
//! ones highlighted, filtered by status (kept in the URL), paged and exportable.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, Dispute, DisputeFilter},
    app::RequirePermission,
    components::{
        collections_status::{DisputeStatusBadge, SlaTimer},
        export::ExportCsv,
        money::MoneyCell,
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingRows},
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail},
};

const PAGE_SIZE: usize = 25;

const STATUS_FILTERS: [(&str, &str); 5] = [
    ("OPEN", "Open"),
    ("VALID", "Valid"),
    ("INVALID", "Invalid"),
    ("CLOSED", "Closed"),
    ("ALL", "All"),
];

#[derive(Clone, Debug, PartialEq)]
struct Filters {
    /// OPEN (the default: what waits for review), another status, or ALL.
    status: String,
    customer_id: Option<String>,
}

impl Filters {
    fn href(&self, after: Option<String>) -> String {
        href_with_query(
            "/disputes",
            &[
                ("status", Some(self.status.clone()).filter(|s| s != "OPEN")),
                ("customer", self.customer_id.clone()),
                ("after", after),
            ],
        )
    }
}

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
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| {
        query.with(|q| Filters {
            status: q
                .get("status")
                .filter(|s| STATUS_FILTERS.iter().any(|(value, _)| value == s))
                .unwrap_or_else(|| "OPEN".to_string()),
            customer_id: q.get("customer").filter(|c| !c.is_empty()),
        })
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let trail = CursorTrail::new();
    let disputes = LocalResource::new(move || {
        let Filters {
            status,
            customer_id,
        } = filters.get();
        let filter = DisputeFilter {
            status: Some(status).filter(|s| s != "ALL"),
            invoice_id: None,
            customer_id,
        };
        api::disputes(filter, PAGE_SIZE as u32, after.get())
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
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(filters.get_untracked(), next);
        })
    };
    let on_previous = {
        let go = go.clone();
        Callback::new(move |()| {
            let previous = trail.0.try_update(Vec::pop).flatten().flatten();
            go(filters.get_untracked(), previous);
        })
    };

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
                        let go = go.clone();
                        let value = *value;
                        let selected = move || filters.with(|f| f.status == value);
                        view! {
                            <button
                                type="button"
                                class="segment"
                                class:selected=selected
                                aria-pressed=move || if selected() { "true" } else { "false" }
                                data-filter=value
                                on:click=move |_| {
                                    trail.0.set(Vec::new());
                                    let mut next = filters.get_untracked();
                                    next.status = value.to_string();
                                    go(next, None);
                                }
                            >
                                {*label}
                            </button>
                        }
                    }).collect_view()}
                </div>
                {move || filters.with(|f| f.customer_id.clone()).map(|customer_id| view! {
                    <span class="filter-note">"One customer's disputes · "<a href=format!("/customers/{customer_id}")>"customer"</a></span>
                })}
            </div>
            {move || match disputes.get() {
                None => view! { <LoadingRows columns=8 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| disputes.refetch()) /> }.into_any(),
                Some(Ok(page)) if page.nodes.is_empty() => {
                    let (title, hint) = if filters.with_untracked(|f| f.status == "OPEN") {
                        ("No disputes waiting for review", "Disputes are logged from the invoice page when a customer contests an invoice.")
                    } else {
                        ("No disputes with this status", "Choose another status above to see other disputes.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(page)) => {
                    let shown = page.nodes.len();
                    let next_cursor = page.page_info.end_cursor.clone();
                    let export_rows = dispute_csv_rows(&page.nodes);
                    view! {
                        <DisputeTable rows=page.nodes />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), PAGE_SIZE)
                            total=page.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=page.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        >
                            <ExportCsv filename=format!("disputes-{}.csv", format::today_iso()) header=&DISPUTE_CSV_HEADER rows=export_rows />
                        </Pager>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn DisputeTable(rows: Vec<Dispute>) -> impl IntoView {
    view! {
        <table class="table" data-test="dispute-table">
            <thead>
                <tr>
                    <th scope="col">"Opened"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Invoice"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col" class="num">"Disputed"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Review clock"</th>
                    <th scope="col">"Review due"</th>
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
