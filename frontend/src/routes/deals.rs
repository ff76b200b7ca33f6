//! The deal list: status filter and search kept in the URL, cursor pagination.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{self, DealRow},
    app::RequirePermission,
    components::{
        export::ExportCsv,
        money::MoneyCell,
        pager::Pager,
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::DealStatusBadge,
    },
    format,
    routes::{href_with_query, page_offset, CursorTrail, Debounce},
    session,
};

const STATUS_FILTERS: [(&str, &str); 3] =
    [("", "All"), ("DRAFT", "Draft"), ("APPROVED", "Approved")];

#[component]
pub fn DealsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="DEAL_READ">
            <DealList />
        </RequirePermission>
    }
}

#[component]
fn DealList() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let search = Memo::new(move |_| query.with(|q| q.get("q")).filter(|q| !q.is_empty()));
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .filter(|s| s == "DRAFT" || s == "APPROVED")
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let typed = RwSignal::new(search.get_untracked().unwrap_or_default());
    let trail = CursorTrail::new();
    let debounce = Debounce::new();
    let can_write = session::can("DEAL_WRITE");
    // An AE sees only their own deals, so an AE column would repeat their name on every row.
    let is_ae = session::use_session().with_untracked(|s| {
        s.as_ref()
            .is_some_and(|s| s.user.role.eq_ignore_ascii_case("AE"))
    });
    let deals = LocalResource::new(move || api::deals(search.get(), status.get(), after.get()));

    let go = move |search: Option<String>, status: Option<String>, after: Option<String>| {
        let href = href_with_query(
            "/deals",
            &[("q", search), ("status", status), ("after", after)],
        );
        navigate(
            &href,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let on_search = {
        let go = go.clone();
        move |_| {
            let go = go.clone();
            debounce.run(Duration::from_millis(300), move || {
                trail.0.set(Vec::new());
                go(
                    Some(typed.get_untracked().trim().to_string()),
                    status.get_untracked(),
                    None,
                );
            });
        }
    };
    let on_status = {
        let go = go.clone();
        move |value: &'static str| {
            trail.0.set(Vec::new());
            go(search.get_untracked(), Some(value.to_string()), None);
        }
    };
    let on_next = {
        let go = go.clone();
        Callback::new(move |next: Option<String>| {
            trail.0.update(|trail| trail.push(after.get_untracked()));
            go(search.get_untracked(), status.get_untracked(), next);
        })
    };
    let on_previous = Callback::new(move |()| {
        let previous = trail.0.try_update(Vec::pop).flatten().flatten();
        go(search.get_untracked(), status.get_untracked(), previous);
    });

    view! {
        <div class="page">
            <header class="page-header">
                <div>
                    <h1>"Deals"</h1>
                    <p class="muted">"Closed-won opportunities on their way to billing."</p>
                </div>
                <Show when=move || can_write.get()>
                    <a class="button button-primary" href="/deals/new" data-test="new-deal">"New deal"</a>
                </Show>
            </header>
            <div class="toolbar">
                <div class="field field-inline search">
                    <label for="deal-search">"Search"</label>
                    <input id="deal-search" type="search" placeholder="Opportunity, customer or product" bind:value=typed on:input=on_search />
                </div>
                <div class="segmented" role="group" aria-label="Filter by status">
                    {STATUS_FILTERS
                        .iter()
                        .map(|(value, label)| {
                            let on_status = on_status.clone();
                            let value = *value;
                            let selected = move || status.get().unwrap_or_default() == value;
                            view! {
                                <button
                                    type="button"
                                    class="segment"
                                    class:selected=selected
                                    aria-pressed=move || if selected() { "true" } else { "false" }
                                    data-filter=value
                                    on:click=move |_| on_status(value)
                                >
                                    {*label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            {move || match deals.get() {
                None => view! { <LoadingRows columns=8 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| deals.refetch()) /> }.into_any(),
                Some(Ok(connection)) if connection.nodes.is_empty() => {
                    let filtered = search.get_untracked().is_some() || status.get_untracked().is_some();
                    let (title, hint) = if filtered {
                        ("No deals match these filters", "Clear the search or choose “All” to see every deal.")
                    } else {
                        ("No deals yet", "Record a closed-won opportunity with “New deal”; the checklist shows what billing needs.")
                    };
                    view! { <EmptyState title=title hint=hint /> }.into_any()
                }
                Some(Ok(connection)) => {
                    let shown = connection.nodes.len();
                    let next_cursor = connection.page_info.end_cursor.clone();
                    let export_rows = deal_csv_rows(&connection.nodes);
                    view! {
                        <DealTable rows=connection.nodes show_ae=!is_ae />
                        <Pager
                            shown=shown
                            offset=page_offset(trail, after.get_untracked(), 25)
                            total=connection.total_count
                            has_previous=!trail.0.with(Vec::is_empty)
                            has_next=connection.page_info.has_next_page
                            on_previous=on_previous
                            on_next=Callback::new(move |()| on_next.run(next_cursor.clone()))
                        >
                            <ExportCsv filename=format!("deals-{}.csv", format::today_iso()) header=&DEAL_CSV_HEADER rows=export_rows />
                        </Pager>
                    }.into_any()
                }
            }}
        </div>
    }
}

const DEAL_CSV_HEADER: [&str; 10] = [
    "id",
    "crm_opportunity_id",
    "customer",
    "product",
    "tcv",
    "arr",
    "currency",
    "start_date",
    "assigned_ae",
    "status",
];

fn deal_csv_rows(deals: &[DealRow]) -> Vec<Vec<String>> {
    deals
        .iter()
        .map(|d| {
            let currency = d
                .tcv
                .as_ref()
                .or(d.arr.as_ref())
                .map(|m| m.currency.clone());
            vec![
                d.id.clone(),
                d.crm_opportunity_id.clone(),
                d.customer
                    .as_ref()
                    .map(|c| c.legal_name.clone())
                    .unwrap_or_default(),
                d.product_name.clone().unwrap_or_default(),
                d.tcv.as_ref().map(|m| m.amount.clone()).unwrap_or_default(),
                d.arr.as_ref().map(|m| m.amount.clone()).unwrap_or_default(),
                currency.unwrap_or_default(),
                d.start_date.clone().unwrap_or_default(),
                d.assigned_ae
                    .as_ref()
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                d.status.clone(),
            ]
        })
        .collect()
}

#[component]
fn DealTable(rows: Vec<DealRow>, show_ae: bool) -> impl IntoView {
    view! {
        <table class="table" data-test="deal-table">
            <thead>
                <tr>
                    <th scope="col">"Opportunity"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Product"</th>
                    <th scope="col" class="num">"TCV"</th>
                    <th scope="col" class="num">"ARR"</th>
                    <th scope="col">"Start"</th>
                    {show_ae.then(|| view! { <th scope="col">"AE"</th> })}
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|deal| view! {
                        <tr>
                            <td class="nowrap"><a href=format!("/deals/{}", deal.id)>{deal.crm_opportunity_id}</a></td>
                            <td>{deal.customer.map(|c| c.legal_name).unwrap_or_else(|| "—".into())}</td>
                            <td>{deal.product_name.unwrap_or_else(|| "—".into())}</td>
                            <MoneyCell money=deal.tcv />
                            <MoneyCell money=deal.arr />
                            <td class="nowrap">{deal.start_date.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                            {show_ae.then(|| view! { <td>{deal.assigned_ae.map(|ae| ae.name).unwrap_or_else(|| "—".into())}</td> })}
                            <td><DealStatusBadge status=deal.status complete=deal.is_complete /></td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
