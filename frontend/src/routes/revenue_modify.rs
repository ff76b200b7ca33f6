//! The contract modification form on a contract's recognition schedule, and the modification
//! log's "what changed" in words. One modification carries every change agreed on one date for
//! one reason — seats, a moved end date or a cancellation per line, and a line added — and the
//! server accounts for them together (separate contract, prospective or cumulative catch-up).

use leptos::{prelude::*, task::spawn_local};
use serde_json::{json, Value};

use crate::{
    api::{self, ApiError, Obligation, RevenueSchedule},
    components::{revenue::treatment_label, states::ActionError},
    format, session,
};

/// What the form can do to one existing line.
const LINE_ACTIONS: [(&str, &str); 7] = [
    ("", "No change"),
    ("quantity", "Change seats"),
    (
        "plan",
        "Change plan (product, price, seats or billing period)",
    ),
    ("term", "Move the end date"),
    ("cancel", "Cancel from the modification date"),
    ("cancel-end", "Cancel at the end of the current period"),
    ("coupon", "Apply a coupon from the modification date"),
];

const LINE_KINDS: [(&str, &str); 5] = [
    ("SUBSCRIPTION", "Subscription"),
    ("MILESTONE", "Milestone"),
    ("PERPETUAL_LICENSE", "Perpetual licence"),
    ("TIME_AND_MATERIALS", "Time and materials"),
    ("USAGE", "Usage"),
];

const FREQUENCIES: [(&str, &str); 4] = [
    ("", "—"),
    ("MONTHLY", "Monthly"),
    ("QUARTERLY", "Quarterly"),
    ("ANNUALLY", "Annually"),
];

/// The ASC 606 paragraph behind each treatment, shown with the result.
fn treatment_basis(treatment: &str) -> &'static str {
    match treatment {
        "separate" => "distinct goods at their standalone selling price: a separate contract (ASC 606-10-25-12)",
        "prospective" => "the remaining service is distinct: unrecognised and new consideration allocated over what remains (ASC 606-10-25-13(a))",
        "catch_up" => "part of one partially satisfied obligation: cumulative catch-up at the modification date (ASC 606-10-25-13(b))",
        "combined" => "nothing billed or recognised yet: the whole price is allocated again",
        _ => "",
    }
}

/// When a plan change takes effect.
const PLAN_TIMINGS: [(&str, &str); 2] = [
    ("IMMEDIATELY", "From the modification date (prorated)"),
    ("PERIOD_END", "At the end of the current period"),
];

/// One existing line's row in the form.
#[derive(Clone)]
struct LineRow {
    obligation: Obligation,
    action: RwSignal<String>,
    value: RwSignal<String>,
    plan: PlanFields,
}

/// A plan change's fields; an empty one keeps what the line has.
#[derive(Clone, Copy)]
struct PlanFields {
    product: RwSignal<String>,
    price: RwSignal<String>,
    quantity: RwSignal<String>,
    frequency: RwSignal<String>,
    timing: RwSignal<String>,
}

impl PlanFields {
    fn new() -> PlanFields {
        PlanFields {
            product: RwSignal::new(String::new()),
            price: RwSignal::new(String::new()),
            quantity: RwSignal::new(String::new()),
            frequency: RwSignal::new(String::new()),
            timing: RwSignal::new("IMMEDIATELY".into()),
        }
    }

    fn change(&self, line: &str, currency: &str) -> Value {
        let given = |signal: RwSignal<String>| {
            let text = signal.get_untracked().trim().to_string();
            if text.is_empty() {
                Value::Null
            } else {
                json!(text)
            }
        };
        let price = self.price.get_untracked();
        json!({ "plan": {
            "contractLineId": line,
            "productName": given(self.product),
            "unitPrice": if price.trim().is_empty() { Value::Null } else { json!({ "amount": price.trim(), "currency": currency }) },
            "quantity": given(self.quantity),
            "billingFrequency": given(self.frequency),
            "timing": self.timing.get_untracked(),
        } })
    }
}

/// The line the form may add.
#[derive(Clone, Copy)]
struct NewLineFields {
    on: RwSignal<bool>,
    kind: RwSignal<String>,
    product: RwSignal<String>,
    quantity: RwSignal<String>,
    price: RwSignal<String>,
    frequency: RwSignal<String>,
    start: RwSignal<String>,
    end: RwSignal<String>,
}

impl NewLineFields {
    fn new() -> NewLineFields {
        NewLineFields {
            on: RwSignal::new(false),
            kind: RwSignal::new("SUBSCRIPTION".into()),
            product: RwSignal::new(String::new()),
            quantity: RwSignal::new("1".into()),
            price: RwSignal::new(String::new()),
            frequency: RwSignal::new("ANNUALLY".into()),
            start: RwSignal::new(String::new()),
            end: RwSignal::new(String::new()),
        }
    }

    fn change(&self, currency: &str) -> Value {
        let frequency = self.frequency.get_untracked();
        json!({ "addLine": {
            "kind": self.kind.get_untracked(),
            "productName": self.product.get_untracked(),
            "quantity": self.quantity.get_untracked(),
            "unitPrice": { "amount": self.price.get_untracked().trim(), "currency": currency },
            "billingFrequency": if frequency.is_empty() { Value::Null } else { json!(frequency) },
            "startDate": self.start.get_untracked(),
            "endDate": self.end.get_untracked(),
        } })
    }
}

/// The "Modify contract…" button and form, for holders of CONTRACT_CHANGE.
#[component]
pub fn ModifyContract(
    schedule: RevenueSchedule,
    on_changed: Callback<(RevenueSchedule, String)>,
) -> impl IntoView {
    let can_change = session::can("CONTRACT_CHANGE");
    let open = RwSignal::new(false);
    let schedule = StoredValue::new(schedule);
    view! {
        <Show when=move || can_change.get()>
            {move || if open.get() {
                view! {
                    <ModifyForm
                        schedule=schedule.get_value()
                        on_changed=Callback::new(move |changed| { open.set(false); on_changed.run(changed) })
                        on_cancel=Callback::new(move |()| open.set(false))
                    />
                }.into_any()
            } else {
                view! {
                    <div class="button-row">
                        <button class="button" type="button" data-action="modify-contract" on:click=move |_| open.set(true)>
                            "Modify contract…"
                        </button>
                        <span class="muted small">"Seats, end dates, cancellations and added lines agreed on one date, accounted for together."</span>
                    </div>
                }.into_any()
            }}
        </Show>
    }
}

#[component]
fn ModifyForm(
    schedule: RevenueSchedule,
    on_changed: Callback<(RevenueSchedule, String)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let rows: Vec<LineRow> = schedule
        .obligations
        .iter()
        .filter(|obligation| obligation.pattern == "RATABLE")
        .map(|obligation| LineRow {
            obligation: obligation.clone(),
            action: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
            plan: PlanFields::new(),
        })
        .collect();
    let rows = StoredValue::new(rows);
    let added = NewLineFields::new();
    let effective = RwSignal::new(format::today_iso());
    let reason = RwSignal::new(String::new());
    let distinct = RwSignal::new(true);
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // Which change index each row was sent as, so the server's `changes.N` errors land beside it.
    let sent_as = RwSignal::new(Vec::<String>::new());
    let contract_id = StoredValue::new(schedule.contract_id.clone());
    let currency = StoredValue::new(schedule.currency.clone());
    let key = StoredValue::new(format!(
        "modify-{}-{}",
        schedule.contract_id,
        js_sys::Date::now()
    ));
    let row_error = move |row_key: String| {
        Signal::derive(move || {
            let index = sent_as.with(|sent| sent.iter().position(|key| *key == row_key))?;
            errors.with(|errors| {
                errors
                    .as_ref()
                    .and_then(|errors| errors.field(&format!("changes.{index}")))
            })
        })
    };
    let preview = RwSignal::new(None::<api::ContractModificationPreview>);
    let previewing = RwSignal::new(false);
    // A preview answers the form as it was: any change to the form takes it away, so what is
    // recorded is never other than what was previewed.
    Effect::new(move |_| {
        effective.track();
        distinct.track();
        rows.with_value(|rows| {
            for row in rows {
                row.action.track();
                row.value.track();
                row.plan.product.track();
                row.plan.price.track();
                row.plan.quantity.track();
                row.plan.frequency.track();
                row.plan.timing.track();
            }
        });
        added.on.track();
        added.kind.track();
        added.product.track();
        added.quantity.track();
        added.price.track();
        added.frequency.track();
        added.start.track();
        added.end.track();
        preview.set(None);
    });
    let build_input = move || {
        let mut changes = Vec::new();
        let mut keys = Vec::new();
        rows.with_value(|rows| {
            for row in rows {
                let line = row.obligation.contract_line_id.clone();
                let value = row.value.get_untracked();
                let change = match row.action.get_untracked().as_str() {
                    "quantity" => json!({ "quantity": { "contractLineId": line, "newQuantity": value.trim() } }),
                    "term" => json!({ "term": { "contractLineId": line, "newEndDate": value } }),
                    "cancel" => json!({ "cancel": { "contractLineId": line } }),
                    "cancel-end" => json!({ "cancel": { "contractLineId": line, "atPeriodEnd": true } }),
                    "coupon" => json!({ "discount": { "contractLineId": line, "discount": { "coupon": value.trim() } } }),
                    "plan" => row.plan.change(&line, &currency.get_value()),
                    _ => continue,
                };
                changes.push(change);
                keys.push(format!("line-{line}"));
            }
        });
        if added.on.get_untracked() {
            changes.push(added.change(&currency.get_value()));
            keys.push("add".to_string());
        }
        sent_as.set(keys);
        json!({
            "contractId": contract_id.get_value(),
            "effectiveDate": effective.get_untracked(),
            "reason": reason.get_untracked(),
            "remainingDistinct": distinct.get_untracked(),
            "changes": changes,
            "idempotencyKey": key.get_value(),
        })
    };
    let show_preview = move |_| {
        let input = build_input();
        previewing.set(true);
        errors.set(None);
        preview.set(None);
        spawn_local(async move {
            let result = api::contract_modify_preview(input).await;
            previewing.set(false);
            match result {
                Ok(found) => preview.set(Some(found)),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let submit = move |_| {
        let input = build_input();
        preview.set(None);
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::contract_modify(input).await;
            let result = match result {
                Ok(done) => api::revenue_schedule(contract_id.get_value())
                    .await
                    .map(|schedule| (done, schedule)),
                Err(error) => Err(error),
            };
            pending.set(false);
            match result {
                Ok((done, schedule)) => {
                    let message = format!(
                        "Modification recorded as {}: {}.",
                        treatment_label(&done.treatment).to_lowercase(),
                        treatment_basis(&done.treatment)
                    );
                    on_changed.run((schedule, message));
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let field_error = move |name: &'static str| {
        Signal::derive(move || errors.with(|errors| errors.as_ref().and_then(|e| e.field(name))))
    };
    view! {
        <form class="panel subform" data-test="modify-form" on:submit=|event| event.prevent_default()>
            <h3>"Modify contract"</h3>
            <p class="muted small">"Every change takes effect from the modification date. Revenue is re-allocated once for the whole modification, at the standalone selling prices of that date."</p>
            <div class="form-row">
                <div class="field" class:has-error=move || field_error("effectiveDate").with(Option::is_some)>
                    <label for="modify-effective">"Modification date"</label>
                    <input id="modify-effective" name="effectiveDate" type="date" bind:value=effective aria-describedby="modify-effective-error" />
                    <p class="field-error" id="modify-effective-error">{move || field_error("effectiveDate").get()}</p>
                </div>
                <div class="field" class:has-error=move || field_error("reason").with(Option::is_some)>
                    <label for="modify-reason">"Reason"</label>
                    <input id="modify-reason" name="reason" type="text" bind:value=reason placeholder="e.g. Renewal negotiated early" aria-describedby="modify-reason-error" />
                    <p class="field-error" id="modify-reason-error">{move || field_error("reason").get()}</p>
                </div>
            </div>
            <label class="checkbox">
                <input type="checkbox" name="remainingDistinct" bind:checked=distinct />
                "The service still to come is distinct from what was delivered (usual for a subscription)"
            </label>
            <p class="field-error">{move || field_error("remainingDistinct").get()}</p>
            <table class="table compact" data-test="modify-lines">
                <thead>
                    <tr>
                        <th scope="col">"Line"</th>
                        <th scope="col">"Service"</th>
                        <th scope="col">"Change"</th>
                        <th scope="col">"New seats, end date or plan"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.with_value(|rows| rows.iter().map(|row| {
                        let line = row.obligation.contract_line_id.clone();
                        let action = row.action;
                        let value = row.value;
                        let plan = row.plan;
                        let plan_line = line.clone();
                        let error = row_error(format!("line-{line}"));
                        let select_id = format!("modify-action-{line}");
                        let value_id = format!("modify-value-{line}");
                        view! {
                            <tr data-line-id=line.clone()>
                                <td><label for=select_id.clone()>{row.obligation.product_name.clone()}</label></td>
                                <td class="nowrap">{format::period(Some(&row.obligation.service_start), Some(&row.obligation.service_end))}</td>
                                <td>
                                    <select id=select_id name="action" on:change=move |event| action.set(event_target_value(&event)) prop:value=move || action.get()>
                                        {LINE_ACTIONS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                                    </select>
                                </td>
                                <td>
                                    {move || match action.get().as_str() {
                                        "quantity" => view! { <input id=value_id.clone() name="newQuantity" class="num-input" inputmode="decimal" aria-label="New seats" bind:value=value /> }.into_any(),
                                        "term" => view! { <input id=value_id.clone() name="newEndDate" type="date" aria-label="New end date" bind:value=value /> }.into_any(),
                                        "coupon" => view! { <input id=value_id.clone() name="coupon" aria-label="Coupon code" placeholder="SPRING20" bind:value=value /> }.into_any(),
                                        "plan" => view! { <PlanInputs line=plan_line.clone() fields=plan currency=currency.get_value() /> }.into_any(),
                                        _ => view! { <span class="muted">"—"</span> }.into_any(),
                                    }}
                                    <p class="field-error" data-test="change-error">{move || error.get()}</p>
                                </td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
            <label class="checkbox">
                <input type="checkbox" name="addLine" bind:checked=added.on />
                "Add a line"
            </label>
            <Show when=move || added.on.get()>
                <NewLineInputs fields=added error=row_error("add".into()) currency=currency.get_value() />
            </Show>
            <ActionError error=errors.into() inline_fields=&["effectiveDate", "reason", "remainingDistinct", "changes"] />
            {move || preview.get().map(|found| view! { <PreviewCharges preview=found /> })}
            <div class="button-row">
                <button class="button" type="button" data-action="preview-modification" disabled=move || pending.get() || previewing.get() on:click=show_preview>
                    {move || if previewing.get() { "Working it out…" } else { "Preview charges" }}
                </button>
                <button class="button button-primary" type="button" data-action="save-modification" disabled=move || pending.get() on:click=submit>
                    {move || if pending.get() { "Recording…" } else { "Record modification" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// A plan change's inputs inside its line's row: each left empty keeps the line's own.
#[component]
fn PlanInputs(line: String, fields: PlanFields, currency: String) -> impl IntoView {
    let id = |name: &str| format!("modify-plan-{name}-{line}");
    view! {
        <div class="plan-change" data-test="plan-change">
            <div class="form-row">
                <div class="field">
                    <label for=id("product")>"New product"</label>
                    <input id=id("product") name="planProduct" placeholder="unchanged" bind:value=fields.product />
                </div>
                <div class="field">
                    <label for=id("price")>{format!("New unit price ({currency})")}</label>
                    <input id=id("price") name="planPrice" class="num-input" inputmode="decimal" placeholder="unchanged" bind:value=fields.price />
                </div>
                <div class="field">
                    <label for=id("quantity")>"New seats"</label>
                    <input id=id("quantity") name="planQuantity" class="num-input" inputmode="decimal" placeholder="unchanged" bind:value=fields.quantity />
                </div>
            </div>
            <div class="form-row">
                <div class="field">
                    <label for=id("frequency")>"Billing period"</label>
                    <select id=id("frequency") name="planFrequency" on:change=move |event| fields.frequency.set(event_target_value(&event)) prop:value=move || fields.frequency.get()>
                        <option value="">"Unchanged"</option>
                        {FREQUENCIES.iter().skip(1).map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=id("timing")>"Takes effect"</label>
                    <select id=id("timing") name="planTiming" on:change=move |event| fields.timing.set(event_target_value(&event)) prop:value=move || fields.timing.get()>
                        {PLAN_TIMINGS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </div>
            </div>
        </div>
    }
}

/// What the modification would bill, shown before it is recorded: each credit and charge on the
/// lines' next invoice with its proration, and the total.
#[component]
fn PreviewCharges(preview: api::ContractModificationPreview) -> impl IntoView {
    let total = preview.total.clone();
    view! {
        <section class="panel" data-test="modify-preview" aria-live="polite">
            <h4>"What it bills"</h4>
            <p class="muted small">{format!("Revenue treatment: {}.", treatment_label(&preview.treatment).to_lowercase())}</p>
            {if preview.charges.is_empty() {
                view! { <p class="muted">"Nothing to bill or credit: the change is priced into the periods still to come."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table compact">
                            <thead>
                                <tr>
                                    <th scope="col">"Charge"</th>
                                    <th scope="col">"Due"</th>
                                    <th scope="col">"How it is worked out"</th>
                                    <th scope="col" class="num">"Amount"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {preview.charges.into_iter().map(|charge| view! {
                                    <tr>
                                        <td>{charge.description}</td>
                                        <td class="nowrap">{format::date(&charge.due_on)}</td>
                                        <td class="muted small">{charge.note.unwrap_or_default()}</td>
                                        <td class="num">{format::money(&charge.amount.amount, &charge.amount.currency)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot>
                                <tr>
                                    <th scope="row" colspan="3">{if total.amount.starts_with('-') { "Credited in all" } else { "Owed in all" }}</th>
                                    <td class="num" data-test="preview-total">{format::money(&total.amount, &total.currency)}</td>
                                </tr>
                            </tfoot>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn NewLineInputs(
    fields: NewLineFields,
    error: Signal<Option<String>>,
    currency: String,
) -> impl IntoView {
    let text =
        |id: &'static str, label: &'static str, value: RwSignal<String>, kind: &'static str| {
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <input id=id type=kind bind:value=value />
                </div>
            }
        };
    view! {
        <fieldset class="plain-fieldset" data-test="modify-add-line">
            <legend>"Line to add"</legend>
            <div class="form-row">
                <div class="field">
                    <label for="modify-add-kind">"Kind"</label>
                    <select id="modify-add-kind" on:change=move |event| fields.kind.set(event_target_value(&event)) prop:value=move || fields.kind.get()>
                        {LINE_KINDS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </div>
                {text("modify-add-product", "Product", fields.product, "text")}
                {text("modify-add-quantity", "Quantity", fields.quantity, "text")}
            </div>
            <div class="form-row">
                <div class="field">
                    <label for="modify-add-price">{format!("Unit price ({currency})")}</label>
                    <input id="modify-add-price" class="num-input" inputmode="decimal" bind:value=fields.price />
                </div>
                <div class="field">
                    <label for="modify-add-frequency">"Billing frequency"</label>
                    <select id="modify-add-frequency" on:change=move |event| fields.frequency.set(event_target_value(&event)) prop:value=move || fields.frequency.get()>
                        {FREQUENCIES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </div>
                {text("modify-add-start", "Start date", fields.start, "date")}
                {text("modify-add-end", "End date", fields.end, "date")}
            </div>
            <p class="field-error" data-test="change-error">{move || error.get()}</p>
        </fieldset>
    }
}

/// A modification's changes in words, one per line; empty for modifications that record none
/// (price concessions, discount assignments).
pub fn changes_in_words(changes: Option<&str>, currency: &str) -> Vec<String> {
    let Some(list) = changes
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|value| value.as_array().cloned())
    else {
        return Vec::new();
    };
    list.iter()
        .map(|change| {
            let product = change["product"].as_str().unwrap_or("A line");
            match change["change"].as_str().unwrap_or_default() {
                "quantity" => format!(
                    "{product}: seats {} → {}",
                    change["oldQuantity"].as_str().unwrap_or("?"),
                    change["newQuantity"].as_str().unwrap_or("?")
                ),
                "term" => format!(
                    "{product}: ends {} (was {})",
                    format::date(change["newEndDate"].as_str().unwrap_or_default()),
                    format::date(change["oldEndDate"].as_str().unwrap_or_default())
                ),
                "cancel" => match change["cancelOn"].as_str() {
                    Some(day) => format!("{product}: cancelled from {}", format::date(day)),
                    None => format!("{product}: cancelled"),
                },
                "plan" => format!(
                    "{product}: changed to {} from {}",
                    change["newProduct"].as_str().unwrap_or("a new plan"),
                    format::date(change["changeOn"].as_str().unwrap_or_default())
                ),
                "discount" => format!(
                    "{product}: {} ({})",
                    change["discount"].as_str().unwrap_or("a discount"),
                    change["label"].as_str().unwrap_or_default()
                ),
                "add" => format!(
                    "Added {product} ({}), {} × {} from {} to {}",
                    format::enum_label(change["kind"].as_str().unwrap_or_default()),
                    change["quantity"].as_str().unwrap_or("?"),
                    minor_text(change["unitPriceMinor"].as_i64().unwrap_or(0), currency),
                    format::date(change["startDate"].as_str().unwrap_or_default()),
                    format::date(change["endDate"].as_str().unwrap_or_default())
                ),
                other => format!("{product}: {other}"),
            }
        })
        .collect()
}

/// An amount the log keeps in minor units (cents), shown in its currency.
fn minor_text(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format::money(
        &format!("{sign}{}.{:02}", minor / 100, minor % 100),
        currency,
    )
}
