//! A contract's billing schedule, shown on its deal: periods already invoiced (with the invoice),
//! charges waiting for the next bill run, and the periods still to come; above it, how the
//! contract bills a part of a period (its proration convention), which whoever changes contracts
//! may set until the first charge is billed.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, proration_label, ApiError, BillingScheduleRow},
    components::{
        money::MoneyCell,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::ScheduleStateBadge,
    },
    format, session,
};

/// The schedule section for readers of billing; others do not see it.
#[component]
pub fn ContractBillingSchedule(
    contract_id: String,
    proration: String,
    billing_day: Option<i64>,
    /// (line id, product, billed in arrears) of each recurring subscription line.
    subscriptions: Vec<(String, String, bool)>,
) -> impl IntoView {
    let can_read = session::can("BILLING_READ");
    let contract_id = StoredValue::new(contract_id);
    let proration = StoredValue::new(proration);
    let subscriptions = StoredValue::new(subscriptions);
    move || {
        can_read.get().then(|| {
            view! { <ScheduleSection contract_id=contract_id.get_value() proration=proration.get_value() billing_day=billing_day subscriptions=subscriptions.get_value() /> }
        })
    }
}

#[component]
fn ScheduleSection(
    contract_id: String,
    proration: String,
    billing_day: Option<i64>,
    subscriptions: Vec<(String, String, bool)>,
) -> impl IntoView {
    let id = StoredValue::new(contract_id.clone());
    let schedule = LocalResource::new(move || api::contract_billing_schedule(contract_id.clone()));
    let convention = RwSignal::new(proration);
    let day = RwSignal::new(billing_day);
    // Nothing billed yet: no row of the schedule is on an invoice or waiting for one.
    let unbilled = Signal::derive(move || {
        schedule.get().is_some_and(|rows| {
            rows.is_ok_and(|rows| rows.iter().all(|row| row.state == "upcoming"))
        })
    });
    view! {
        <section class="panel" data-test="billing-schedule">
            <h2>"Billing schedule"</h2>
            <ProrationLine
                contract_id=id.get_value()
                convention=convention
                unbilled=unbilled
                on_saved=Callback::new(move |()| schedule.refetch())
            />
            <BillingDayLine
                contract_id=id.get_value()
                day=day
                unbilled=unbilled
                on_saved=Callback::new(move |()| schedule.refetch())
            />
            {subscriptions.into_iter().map(|(line_id, product, in_arrears)| view! {
                <TimingLine
                    line_id=line_id
                    product=product
                    in_arrears=in_arrears
                    unbilled=unbilled
                    on_saved=Callback::new(move |()| schedule.refetch())
                />
            }).collect_view()}
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

/// "Parts of periods: Actual days", and while nothing is billed, a choice of another convention
/// for whoever changes contracts.
#[component]
fn ProrationLine(
    contract_id: String,
    convention: RwSignal<String>,
    unbilled: Signal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let can_change = session::can("CONTRACT_CHANGE");
    let contract_id = StoredValue::new(contract_id);
    let chosen = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let save = move |_| {
        let proration = chosen.get_untracked();
        if proration.is_empty() {
            return;
        }
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::contract_set_proration(contract_id.get_value(), proration).await;
            pending.set(false);
            match result {
                Ok(set) => {
                    convention.set(set.proration);
                    chosen.set(String::new());
                    on_saved.run(());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <div class="proration-line" data-test="contract-proration">
            <p class="small">
                "Parts of periods are billed by "
                <strong data-proration=move || convention.get()>{move || proration_label(&convention.get()).0}</strong>
                ": "
                <span class="muted">{move || proration_label(&convention.get()).1}</span>
            </p>
            {move || (can_change.get() && unbilled.get()).then(|| view! {
                <div class="inline-form">
                    <label class="small" for="contract-proration">"Bill this contract by"</label>
                    <select
                        id="contract-proration"
                        prop:value=move || chosen.get()
                        on:change=move |event| chosen.set(event_target_value(&event))
                        disabled=move || pending.get()
                    >
                        <option value="">"(choose a convention)"</option>
                        {["ACTUAL_DAYS", "THIRTY_DAY_MONTHS", "WHOLE_PERIODS"].into_iter().map(|value| view! {
                            <option value=value>{proration_label(value).0}</option>
                        }).collect_view()}
                    </select>
                    <button
                        class="button"
                        type="button"
                        data-action="set-proration"
                        disabled=move || pending.get() || chosen.get().is_empty() || chosen.get() == convention.get()
                        on:click=save
                    >
                        {move || if pending.get() { "Saving…" } else { "Set convention" }}
                    </button>
                    <span class="small muted">"Until the first charge is billed."</span>
                </div>
            })}
            <ActionError error=errors.into() />
        </div>
    }
}

/// "Billed on the 1st of each month" (or from each line's start date), and while nothing is
/// billed, a day to bill on for whoever changes contracts.
#[component]
fn BillingDayLine(
    contract_id: String,
    day: RwSignal<Option<i64>>,
    unbilled: Signal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let can_change = session::can("CONTRACT_CHANGE");
    let contract_id = StoredValue::new(contract_id);
    let typed = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let not_a_day = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let save = move |_| {
        not_a_day.set(false);
        let text = typed.get_untracked();
        let chosen = match text.trim() {
            "" => None,
            value => match value.parse::<i64>() {
                Ok(value) => Some(value),
                Err(_) => {
                    errors.set(None);
                    not_a_day.set(true);
                    return;
                }
            },
        };
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::contract_set_billing_day(contract_id.get_value(), chosen).await;
            pending.set(false);
            match result {
                Ok(set) => {
                    day.set(set.billing_day);
                    typed.set(String::new());
                    on_saved.run(());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <div class="proration-line" data-test="contract-billing-day">
            <p class="small" data-billing-day=move || day.get().map(|day| day.to_string()).unwrap_or_default()>
                {move || match day.get() {
                    Some(day) => format!("Subscriptions bill on day {day} of each month, from a prorated first period to that day."),
                    None => "Each subscription bills from its own start date.".to_string(),
                }}
            </p>
            {move || (can_change.get() && unbilled.get()).then(|| view! {
                <div class="inline-form">
                    <label class="small" for="contract-billing-day">"Bill on day of month"</label>
                    <input
                        id="contract-billing-day"
                        class="input-narrow"
                        type="text"
                        inputmode="numeric"
                        placeholder="1–31, empty: start dates"
                        prop:value=move || typed.get()
                        on:input=move |event| typed.set(event_target_value(&event))
                        disabled=move || pending.get()
                    />
                    <button
                        class="button"
                        type="button"
                        data-action="set-billing-day"
                        disabled=move || pending.get()
                        on:click=save
                    >
                        {move || if pending.get() { "Saving…" } else { "Set billing day" }}
                    </button>
                </div>
            })}
            {move || not_a_day.get().then(|| view! {
                <p class="field-error" role="alert">"Give the day of the month as a number, 1 to 31, or leave it empty."</p>
            })}
            <ActionError error=errors.into() />
        </div>
    }
}

/// "Platform seats is billed in advance", and while nothing is billed, the switch to the other
/// timing for whoever changes contracts.
#[component]
fn TimingLine(
    line_id: String,
    product: String,
    in_arrears: bool,
    unbilled: Signal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let can_change = session::can("CONTRACT_CHANGE");
    let line_id = StoredValue::new(line_id);
    let product = StoredValue::new(product);
    let arrears = RwSignal::new(in_arrears);
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let switch = move |_| {
        let wanted = !arrears.get_untracked();
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result =
                api::contract_line_set_billed_in_arrears(line_id.get_value(), wanted).await;
            pending.set(false);
            match result {
                Ok(set) => {
                    arrears.set(set.billed_in_arrears);
                    on_saved.run(());
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <div class="proration-line" data-test="line-timing" data-line=line_id.get_value()>
            <p class="small">
                {move || if arrears.get() {
                    format!("{} is billed in arrears: each period on the day after it ends.", product.get_value())
                } else {
                    format!("{} is billed in advance: each period on its first day.", product.get_value())
                }}
                {move || (can_change.get() && unbilled.get()).then(|| view! {
                    " "
                    <button class="button button-quiet" type="button" data-action="switch-timing" disabled=move || pending.get() on:click=switch>
                        {move || if arrears.get() { "Bill in advance" } else { "Bill in arrears" }}
                    </button>
                })}
            </p>
            <ActionError error=errors.into() />
        </div>
    }
}
