//! Revenue contracts: every contract with its recognition position (recognised to date,
//! remaining, deferred, unbilled), searchable and paged with the state in the URL; each opens
//! its recognition schedule.

use leptos::prelude::*;

use crate::{
    api::{self, RevenueContractRow},
    app::RequirePermission,
    components::money::MoneyCell,
    format,
    routes::list::{ListExport, ListResults, ListUrl},
};

const PAGE_SIZE: usize = 25;

#[component]
pub fn RevenueContractsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="REVENUE_READ">
            <RevenueContractList />
        </RequirePermission>
    }
}

/// The share of the contract value recognised so far, with one decimal; floating point is
/// fine here because the figure is only read, never added up.
fn recognised_share(row: &RevenueContractRow) -> Option<String> {
    let tcv = row
        .tcv
        .amount
        .parse::<f64>()
        .ok()
        .filter(|tcv| *tcv > 0.0)?;
    let recognised = row.recognised_to_date.amount.parse::<f64>().ok()?;
    Some(format::percent(recognised / tcv))
}

#[component]
fn RevenueContractList() -> impl IntoView {
    let list = ListUrl::new("/revenue/contracts");
    let contracts = LocalResource::new(move || {
        api::revenue_contracts(list.search(), list.after(), PAGE_SIZE as u32)
    });

    view! {
        <div class="page">
            <p class="breadcrumb"><a href="/revenue">"Revenue"</a></p>
            <header class="page-header">
                <div>
                    <h1>"Revenue contracts"</h1>
                    <p class="muted">{format!("Each contract's recognition position today ({}): what it is worth, what has been earned, and what is billed ahead (deferred) or earned ahead (unbilled).", format::date(&format::today_iso()))}</p>
                </div>
            </header>
            <div class="toolbar">
                <div class="field field-inline search">
                    <label for="revenue-contract-search">"Search"</label>
                    <input
                        id="revenue-contract-search"
                        type="search"
                        placeholder="Contract number or customer"
                        bind:value=list.typed
                        on:input=list.on_search()
                    />
                </div>
            </div>
            <ListResults
                list=list
                resource=contracts
                columns=9
                page_size=PAGE_SIZE
                empty=empty_text
                table=|rows| view! { <RevenueContractTable rows=rows /> }
                export=ListExport { prefix: "revenue-contracts", header: &CONTRACT_CSV_HEADER, rows: contract_csv_rows }
            />
        </div>
    }
}

/// What the empty list says: no match for the search, or no schedules yet.
fn empty_text(list: &ListUrl) -> (String, String) {
    match list.search_untracked() {
        Some(term) => (
            format!("No contracts match “{term}”"),
            "Check the spelling, or search by the customer's legal name instead.".to_string(),
        ),
        None => (
            "No contracts with a recognition schedule yet".to_string(),
            "A contract gets its schedule when its deal is approved for billing. Approve a deal to see it here."
                .to_string(),
        ),
    }
}

const CONTRACT_CSV_HEADER: [&str; 13] = [
    "contract_id",
    "contract_number",
    "customer_id",
    "customer",
    "currency",
    "start_date",
    "end_date",
    "tcv",
    "recognised_to_date",
    "remaining_to_recognise",
    "deferred_balance",
    "unbilled_balance",
    "exported_on",
];

fn contract_csv_rows(rows: &[RevenueContractRow]) -> Vec<Vec<String>> {
    let today = format::today_iso();
    rows.iter()
        .map(|row| {
            vec![
                row.contract_id.clone(),
                row.contract_number.clone(),
                row.customer_id.clone(),
                row.customer_name.clone(),
                row.currency.clone(),
                row.start_date.clone(),
                row.end_date.clone(),
                row.tcv.amount.clone(),
                row.recognised_to_date.amount.clone(),
                row.remaining_to_recognise.amount.clone(),
                row.deferred_balance.amount.clone(),
                row.unbilled_balance.amount.clone(),
                today.clone(),
            ]
        })
        .collect()
}

#[component]
fn RevenueContractTable(rows: Vec<RevenueContractRow>) -> impl IntoView {
    view! {
        <table class="table" data-test="revenue-contract-table">
            <thead>
                <tr>
                    <th scope="col">"Contract"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Term"</th>
                    <th scope="col" class="num">"TCV"</th>
                    <th scope="col" class="num">"Recognised to date"</th>
                    <th scope="col" class="num">"Share"</th>
                    <th scope="col" class="num">"Remaining"</th>
                    <th scope="col" class="num">"Deferred"</th>
                    <th scope="col" class="num">"Unbilled"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let share = recognised_share(&row);
                    view! {
                        <tr data-contract-id=row.contract_id.clone()>
                            <td class="nowrap">
                                <a class="mono" href=format!("/revenue/contracts/{}", row.contract_id)>{row.contract_number.clone()}</a>
                            </td>
                            <td><a href=format!("/customers/{}", row.customer_id)>{row.customer_name.clone()}</a></td>
                            <td class="nowrap">{format::period(Some(&row.start_date), Some(&row.end_date))}</td>
                            <MoneyCell money=Some(row.tcv) />
                            <MoneyCell money=Some(row.recognised_to_date) />
                            <td class="num muted">{share.unwrap_or_else(|| "—".into())}</td>
                            <MoneyCell money=Some(row.remaining_to_recognise) />
                            <MoneyCell money=Some(row.deferred_balance) />
                            <MoneyCell money=Some(row.unbilled_balance) />
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
