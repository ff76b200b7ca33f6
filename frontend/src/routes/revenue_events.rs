//! What happened to a contract, recorded on the day it happened, from its recognition schedule:
//! a perpetual licence delivered (all of it, or some of its units), a milestone accepted by the
//! customer, and the ratable convention the contract follows. Each goes through the same API as
//! every other client; the schedule is read again afterwards, so the page shows what the server
//! planned (ASC 606-10-25-30: revenue in the period control passed, not the day it was typed).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, Obligation, RevenueSchedule, RATABLE_METHODS},
    components::{
        field::{focus_first_invalid, non_empty, SelectField, TextField},
        revenue::method_label,
        states::ActionError,
    },
    format, session,
};

/// Reads the schedule again after a change and hands it to the page with `message`.
fn reload(
    contract_id: String,
    message: String,
    on_changed: Callback<(RevenueSchedule, String)>,
    errors: RwSignal<Option<ApiError>>,
) {
    spawn_local(async move {
        match api::revenue_schedule(contract_id).await {
            Ok(schedule) => on_changed.run((schedule, message)),
            Err(error) => errors.set(Some(error)),
        }
    });
}

/// The event an obligation waits for, if it can be recorded here: delivery of a perpetual
/// licence, or of a milestone and then the customer's acceptance of it, while not yet satisfied.
fn awaited(obligation: &Obligation) -> Option<&'static str> {
    if obligation.satisfied_on.is_some() {
        return None;
    }
    match obligation.pattern.as_str() {
        "POINT_IN_TIME" => Some("delivery"),
        "MILESTONE" if obligation.awaiting_acceptance => Some("acceptance"),
        "MILESTONE" => Some("milestone delivery"),
        _ => None,
    }
}

/// "Record delivery" / "Record acceptance" for an obligation that waits for one, to people who
/// record deliveries; the form asks for the day it happened (an open period, not the future).
#[component]
pub fn ObligationEvent(
    obligation: Obligation,
    contract_id: String,
    on_changed: Callback<(RevenueSchedule, String)>,
) -> impl IntoView {
    let can_record = session::can("DELIVERY_RECORD");
    let Some(event) = awaited(&obligation) else {
        return ().into_any();
    };
    let open = RwSignal::new(false);
    let day = RwSignal::new(format::today_iso());
    let quantity = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let line_id = obligation.contract_line_id.clone();
    let product = obligation.product_name.clone();
    let save = Callback::new(move |()| {
        let (line_id, product, contract_id) =
            (line_id.clone(), product.clone(), contract_id.clone());
        let on_day = day.get_untracked();
        pending.set(true);
        errors.set(None);
        let units = non_empty(&quantity.get_untracked());
        let said = note.get_untracked();
        spawn_local(async move {
            let result = match event {
                "acceptance" => api::contract_line_accept(line_id, on_day.clone(), said).await,
                _ => api::contract_line_deliver(line_id, on_day.clone(), units.clone()).await,
            };
            pending.set(false);
            match result {
                Ok(_) => {
                    let day = format::date(&on_day);
                    let message = match (event, units) {
                        ("delivery", Some(units)) => format!(
                            "{units} of {product} delivered on {day}; recognised in that period."
                        ),
                        ("delivery", None) => {
                            format!("{product} delivered on {day}; recognised in that period.")
                        }
                        ("milestone delivery", _) => format!(
                            "{product} delivered on {day}; it is recognised once the customer accepts it."
                        ),
                        _ => format!("{product} accepted on {day}; recognised in that period."),
                    };
                    open.set(false);
                    reload(contract_id, message, on_changed, errors);
                }
                Err(error) => {
                    errors.set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    });
    let (button, day_label, day_field) = if event == "acceptance" {
        ("Record acceptance", "Accepted on", "acceptedOn")
    } else {
        ("Record delivery", "Delivered on", "deliveredOn")
    };
    view! {
        <Show when=move || can_record.get()>
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <button class="button button-small" type="button" data-action="record-event" on:click=move |_| { errors.set(None); open.set(true) }>{button}</button>
                }
            >
                <form class="subform compact" data-test="event-form" on:submit=|event| event.prevent_default()>
                    <TextField label=day_label name=day_field kind="date" value=day errors=errors.into() required=true />
                    {match event {
                        "delivery" => view! { <TextField label="Units delivered" name="quantity" value=quantity errors=errors.into() numeric=true hint="Leave empty when every unit (or every unit left) is delivered." /> }.into_any(),
                        "acceptance" => view! { <TextField label="Acceptance note" name="note" value=note errors=errors.into() required=true placeholder="Signed acceptance certificate" /> }.into_any(),
                        _ => ().into_any(),
                    }}
                    <ActionError error=errors.into() inline_fields=&["deliveredOn", "acceptedOn", "quantity", "note"] />
                    <div class="button-row">
                        <button class="button button-primary button-small" type="button" data-action="save-event" disabled=move || pending.get() on:click=move |_| save.run(())>
                            {move || if pending.get() { "Saving…" } else { "Save" }}
                        </button>
                        <button class="button button-small" type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </Show>
    }
    .into_any()
}

/// The ratable convention the contract's schedule follows and whether it is the contract's own;
/// the CFO (who sets the company's) may give the contract its own or return it to the company's.
#[component]
pub fn ContractConvention(
    schedule: RevenueSchedule,
    on_changed: Callback<(RevenueSchedule, String)>,
) -> impl IntoView {
    let can_set = session::can("REVENUE_SETTINGS");
    let (label, explanation) = method_label(&schedule.ratable_method);
    let whose = if schedule.override_method.is_some() {
        "this contract's own convention"
    } else {
        "the company's convention"
    };
    let choice = RwSignal::new(schedule.override_method.clone().unwrap_or_default());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), "The company's convention".to_string()))
            .chain(
                RATABLE_METHODS
                    .iter()
                    .map(|method| (method.to_string(), method_label(method).0.to_string())),
            )
            .collect();
    let contract_id = schedule.contract_id.clone();
    let current = schedule.override_method.clone().unwrap_or_default();
    let save = Callback::new(move |()| {
        let contract_id = contract_id.clone();
        let chosen = non_empty(&choice.get_untracked());
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result =
                api::contract_revenue_method_set(contract_id.clone(), chosen.clone()).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    let message = match chosen {
                        Some(method) => format!(
                            "The contract now follows {}; what it has not recognised is planned again in open periods.",
                            method_label(&method).0.to_lowercase()
                        ),
                        None => "The contract follows the company's convention again; what it has not recognised is planned again in open periods.".to_string(),
                    };
                    reload(contract_id, message, on_changed, errors);
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    });
    view! {
        <section class="panel" data-test="contract-convention">
            <p>
                <strong>"Recognition convention: "</strong>
                <span data-test="convention-label">{label}</span>
                <span class="muted">{format!(" ({whose})")}</span>
            </p>
            <p class="muted small">{explanation}</p>
            <Show when=move || can_set.get()>
                <div class="form-row">
                    <SelectField label="Convention for this contract" name="method" value=choice errors=errors.into() options=options.clone() />
                </div>
                <ActionError error=errors.into() inline_fields=&["method"] />
                <div class="button-row">
                    <button class="button" type="button" data-action="save-convention" disabled={
                        let current = current.clone();
                        move || pending.get() || choice.get() == current
                    } on:click=move |_| save.run(())>
                        {move || if pending.get() { "Saving…" } else { "Use this convention" }}
                    </button>
                </div>
            </Show>
        </section>
    }
}
