//! The deal list: status filter and search kept in the URL, cursor pagination.

use leptos::prelude::*;

use crate::{
    api::{self, DealRow},
    app::RequirePermission,
    components::{
        money::MoneyCell,
        sort::{SortHeader, SortOrder},
        status::DealStatusBadge,
    },
    format,
    routes::list::{ListExport, ListResults, ListUrl},
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
    let list = ListUrl::new("/deals");
    let can_write = session::can("DEAL_WRITE");
    let is_ae = session::use_session().with_untracked(|s| {
        s.as_ref()
            .is_some_and(|s| s.user.role.eq_ignore_ascii_case("AE"))
    });
    // Newest first until a column is chosen (the server's own order).
    let order = Memo::new(move |_| list.order(&SORT_KEYS, ("created", true)));
    let on_sort = list.on_sort(order);
    let deals = LocalResource::new(move || {
        api::deals(
            list.search(),
            list.param("status"),
            order.get(),
            list.after(),
        )
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
                    <input id="deal-search" type="search" placeholder="Opportunity, customer or product" bind:value=list.typed on:input=list.on_search() />
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
            </div>
            <ListResults
                list=list
                resource=deals
                columns=8
                page_size=25
                empty=empty_text
                table=move |rows| view! { <DealTable rows=rows show_ae=!is_ae order=order.get_untracked() on_sort=on_sort /> }
                export=ListExport { prefix: "deals", header: &DEAL_CSV_HEADER, rows: deal_csv_rows }
            />
        </div>
    }
}

/// What the empty list says: filters hide every deal, or there are none yet.
fn empty_text(list: &ListUrl) -> (String, String) {
    let (title, hint) = if list.is_filtered() {
        (
            "No deals match these filters",
            "Clear the search or choose “All” to see every deal.",
        )
    } else {
        (
            "No deals yet",
            "Record a closed-won opportunity with “New deal”; the checklist shows what billing needs.",
        )
    };
    (title.to_string(), hint.to_string())
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

/// The columns the server can order deals by (`DealSort`, in lower case); `created` has no
/// header of its own: it is the order before any is chosen.
const SORT_KEYS: [&str; 6] = [
    "created",
    "opportunity",
    "tcv",
    "arr",
    "start_date",
    "status",
];

#[component]
fn DealTable(
    rows: Vec<DealRow>,
    show_ae: bool,
    order: SortOrder,
    on_sort: Callback<String>,
) -> impl IntoView {
    // The order the rows were fetched in: a click asks the list for new rows, and this table
    // gives way to a new one when they arrive (it never follows the URL on its own).
    let sort = Signal::stored(order);
    view! {
        <table class="table" data-test="deal-table">
            <thead>
                <tr>
                    <SortHeader label="Opportunity" key="opportunity" sort=sort on_sort=on_sort />
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Product"</th>
                    <SortHeader label="TCV" key="tcv" sort=sort on_sort=on_sort numeric=true />
                    <SortHeader label="ARR" key="arr" sort=sort on_sort=on_sort numeric=true />
                    <SortHeader label="Start" key="start_date" sort=sort on_sort=on_sort />
                    {show_ae.then(|| view! { <th scope="col">"AE"</th> })}
                    <SortHeader label="Status" key="status" sort=sort on_sort=on_sort />
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
