//! A contract's billing schedule, shown on its deal: periods already invoiced (with the invoice),
//! charges waiting for the next bill run, and the periods still to come.

use leptos::prelude::*;

use crate::{
    api::{self, BillingScheduleRow},
    components::{
        money::MoneyCell,
        states::{EmptyState, ErrorPanel, LoadingRows},
        status::ScheduleStateBadge,
    },
    format, session,
};

/// The schedule section for readers of billing; others do not see it.
#[component]
pub fn ContractBillingSchedule(contract_id: String) -> impl IntoView {
    let can_read = session::can("BILLING_READ");
    let contract_id = StoredValue::new(contract_id);
    move || {
        can_read.get().then(|| {
            view! { <ScheduleSection contract_id=contract_id.get_value() /> }
        })
    }
}

#[component]
fn ScheduleSection(contract_id: String) -> impl IntoView {
    let schedule = LocalResource::new(move || api::contract_billing_schedule(contract_id.clone()));
    view! {
        <section class="panel" data-test="billing-schedule">
            <h2>"Billing schedule"</h2>
            {move || match schedule.get() {
                None => view! { <LoadingRows columns=6 rows=3 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| schedule.refetch()) /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <EmptyState title="Nothing scheduled" hint="Periods appear here once the contract has billable lines; the bill run writes each charge when it falls due." />
                }.into_any(),
                Some(Ok(rows)) => view! { <ScheduleTable rows=rows /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ScheduleTable(rows: Vec<BillingScheduleRow>) -> impl IntoView {
    view! {
        <table class="table compact">
            <thead>
                <tr>
                    <th scope="col">"Charge"</th>
                    <th scope="col">"Period"</th>
                    <th scope="col">"Due"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Invoice"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let state = row.state.clone();
                        view! {
                        <tr data-state=state>
                            <td>
                                {row.description}
                                {row.note.map(|note| view! { <div class="small muted">{note}</div> })}
                            </td>
                            <td class="nowrap">{format::period(row.period_start.as_deref(), row.period_end.as_deref())}</td>
                            <td class="nowrap">{format::date(&row.due_on)}</td>
                            <MoneyCell money=Some(row.amount) />
                            <td><ScheduleStateBadge state=row.state /></td>
                            <td class="nowrap">
                                {match (row.invoice_id, row.invoice_number) {
                                    (Some(id), number) => view! {
                                        <a href=format!("/invoices/{id}")>{number.unwrap_or_else(|| "Draft".into())}</a>
                                    }.into_any(),
                                    (None, _) => view! { <span class="muted">"—"</span> }.into_any(),
                                }}
                            </td>
                        </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
