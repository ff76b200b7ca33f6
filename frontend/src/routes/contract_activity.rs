//! On the contract page, below its lines: what is recorded against its usage and
//! time-and-materials lines. A usage line takes a reading by hand (the same `usageRecord` the
//! metering feeds call, so a reading sent twice counts once) and shows its usage by month — read,
//! billable beyond the allowance, billed or still open. A time-and-materials line takes hours from
//! a timesheet, submitted for approval and billed once approved.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{
        self, ApiError, ContractLine, ErrorCode, ErrorItem, Money, TimesheetDraft, UsageMonth,
        UsageReading,
    },
    components::{
        field::{focus_first_invalid, SelectField, TextField},
        money::MoneyCell,
        states::{ActionError, EmptyState, ErrorPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::new_idempotency_key,
    session,
};

/// The usage and hours panels of a contract, for the lines that take them; nothing for a
/// contract without usage or time-and-materials lines.
#[component]
pub fn LineActivity(contract_id: String, lines: Vec<ContractLine>) -> impl IntoView {
    let running = |line: &&ContractLine| line.cancelled_on.is_none();
    let usage: Vec<ContractLine> = lines
        .iter()
        .filter(|line| line.kind == "USAGE" && line.usage_meter.is_some())
        .filter(running)
        .cloned()
        .collect();
    let hours: Vec<ContractLine> = lines
        .iter()
        .filter(|line| line.kind == "TIME_AND_MATERIALS")
        .filter(running)
        .cloned()
        .collect();
    (!usage.is_empty() || !hours.is_empty()).then(|| {
        view! {
            <section class="section line-activity" data-test="line-activity">
                <h3>"Usage and hours"</h3>
                {(!usage.is_empty()).then(|| view! { <UsagePanel contract_id=contract_id lines=usage.clone() all_lines=lines.clone() /> })}
                {(!hours.is_empty()).then(|| view! { <HoursPanel lines=hours /> })}
            </section>
        }
    })
}

/// Options for a line picker: each line by product and period.
fn line_options(lines: &[ContractLine]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|line| {
            (
                line.id.clone(),
                format!(
                    "{} ({} – {})",
                    line.product_name,
                    format::date(&line.start_date),
                    format::date(&line.end_date)
                ),
            )
        })
        .collect()
}

/// The browser's clock as `YYYY-MM-DDTHH:MM` in UTC, what a `datetime-local` input holds.
fn now_utc_minutes() -> String {
    let now = js_sys::Date::new_0();
    let iso: String = now.to_iso_string().into();
    iso.get(..16).unwrap_or_default().to_string()
}

#[component]
fn UsagePanel(
    contract_id: String,
    lines: Vec<ContractLine>,
    all_lines: Vec<ContractLine>,
) -> impl IntoView {
    let can_read = session::can("BILLING_READ");
    let can_record = session::can("USAGE_WRITE");
    let contract = StoredValue::new(contract_id);
    let months = LocalResource::new(move || {
        let id = contract.get_value();
        async move {
            if can_read.get_untracked() {
                api::contract_usage(id).await.map(Some)
            } else {
                Ok(None)
            }
        }
    });
    let names = StoredValue::new(all_lines);
    view! {
        <div class="panel" data-test="usage-panel">
            <h4>"Usage"</h4>
            <p class="muted small">"Readings are billed by month after the month ends: what a month used beyond the allowance, at the line's price tiers. A billed month takes no more readings; correct it with a credit memo."</p>
            {move || match months.get() {
                None => view! { <LoadingRows columns=7 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| months.refetch()) /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
                Some(Ok(Some(rows))) if rows.is_empty() => view! {
                    <EmptyState title="No usage yet" hint="Readings recorded here or sent by the metering feed appear by month." />
                }.into_any(),
                Some(Ok(Some(rows))) => view! { <UsageTable rows=rows lines=names.get_value() /> }.into_any(),
            }}
            <Show when=move || can_record.get()>
                <UsageForm lines=lines.clone() on_recorded=Callback::new(move |()| months.refetch()) />
            </Show>
        </div>
    }
}

#[component]
fn UsageTable(rows: Vec<UsageMonth>, lines: Vec<ContractLine>) -> impl IntoView {
    let product = move |id: &str| {
        lines
            .iter()
            .find(|line| line.id == id)
            .map(|line| line.product_name.clone())
            .unwrap_or_else(|| format!("Line {id}"))
    };
    view! {
        <div class="table-scroll">
            <table class="table compact" data-test="usage-table">
                <thead>
                    <tr>
                        <th scope="col">"Month"</th>
                        <th scope="col">"Line"</th>
                        <th scope="col" class="num">"Readings"</th>
                        <th scope="col" class="num">"Used"</th>
                        <th scope="col" class="num">"Billable"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"State"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let (tone, state) = if row.billed { (Tone::Good, "Billed") } else { (Tone::Neutral, "Open") };
                        view! {
                            <tr data-month=row.month.clone() data-line=row.contract_line_id.clone()>
                                <th scope="row" class="nowrap">{format::month(&row.month)}</th>
                                <td>{product(&row.contract_line_id)}<div class="small muted">{row.meter.clone()}</div></td>
                                <td class="num">{row.records}</td>
                                <td class="num">{format::quantity(&row.used)}</td>
                                <td class="num">{format::quantity(&row.billable)}</td>
                                <MoneyCell money=Some(row.amount.clone()) />
                                <td><Badge tone=tone label=state /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One reading: the line (when there are several), how much and when. The reading's id is made
/// once per reading, so sending it again after a lost answer counts it once.
#[component]
fn UsageForm(lines: Vec<ContractLine>, on_recorded: Callback<()>) -> impl IntoView {
    let line_id = RwSignal::new(
        lines
            .first()
            .map(|line| line.id.clone())
            .unwrap_or_default(),
    );
    let quantity = RwSignal::new(String::new());
    let occurred_at = RwSignal::new(now_utc_minutes());
    let client_id = RwSignal::new(new_idempotency_key());
    let errors = RwSignal::new(None::<ApiError>);
    let outcome = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let lines = StoredValue::new(lines);
    let several = lines.with_value(|lines| lines.len() > 1);
    let options = lines.with_value(|lines| line_options(lines));
    let chosen = move || {
        lines.with_value(|lines| {
            lines
                .iter()
                .find(|line| line.id == line_id.get_untracked())
                .cloned()
        })
    };
    let meter = Signal::derive(move || {
        let id = line_id.get();
        lines.with_value(|lines| {
            lines
                .iter()
                .find(|line| line.id == id)
                .and_then(|line| line.usage_meter.clone())
                .unwrap_or_default()
        })
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(line) = chosen() else {
            return;
        };
        let typed = format::amount_input(&quantity.get_untracked());
        if typed.is_empty() {
            errors.set(Some(ApiError::for_field(
                "quantity",
                "Give the quantity the meter read.",
            )));
            focus_first_invalid();
            return;
        }
        let when = occurred_at.get_untracked();
        if when.len() < 16 {
            errors.set(Some(ApiError::for_field(
                "occurredAt",
                "Give the day and time of the reading.",
            )));
            focus_first_invalid();
            return;
        }
        errors.set(None);
        outcome.set(None);
        pending.set(true);
        let reading = UsageReading {
            contract_line_id: line.id.clone(),
            meter: line.usage_meter.clone().unwrap_or_default(),
            quantity: typed.clone(),
            occurred_at: format!("{}:00Z", &when[..16]),
            client_id: client_id.get_untracked(),
        };
        spawn_local(async move {
            let result = api::usage_record(reading).await;
            pending.try_set(false);
            match result {
                Ok(result) if !result.rejected.is_empty() => {
                    errors.try_set(Some(ApiError {
                        items: result
                            .rejected
                            .into_iter()
                            .map(|rejection| ErrorItem {
                                code: ErrorCode::Validation,
                                message: rejection.message,
                                field: Some(rejection.field),
                            })
                            .collect(),
                    }));
                    focus_first_invalid();
                }
                Ok(result) => {
                    let meter = line.usage_meter.clone().unwrap_or_default();
                    outcome.try_set(Some(if result.duplicates.is_empty() {
                        format!(
                            "Recorded {} {meter} on {} for {}.",
                            format::quantity(&typed),
                            format::date(&when),
                            line.product_name
                        )
                    } else {
                        "This reading was already recorded; it counts once.".to_string()
                    }));
                    quantity.try_set(String::new());
                    client_id.try_set(new_idempotency_key());
                    on_recorded.run(());
                }
                Err(error) => {
                    errors.try_set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    let error_signal: Signal<Option<ApiError>> = errors.into();
    view! {
        <form class="form subform" data-test="usage-form" on:submit=submit novalidate=true>
            <h5>"Record a reading"</h5>
            <div class="form-row">
                {several.then(|| view! {
                    <SelectField label="Line" name="contractLineId" value=line_id errors=error_signal options=options.clone() required=true />
                })}
                <TextField label="Quantity" name="quantity" value=quantity errors=error_signal required=true numeric=true suffix=meter placeholder="1250" />
                <TextField label="When (UTC)" name="occurredAt" kind="datetime-local" value=occurred_at errors=error_signal required=true />
            </div>
            <ActionError error=error_signal inline_fields=&["contractLineId", "quantity", "occurredAt"] />
            {move || outcome.get().map(|text| view! { <p class="alert alert-success" role="status" data-test="usage-recorded">{text}</p> })}
            <div class="button-row">
                <button class="button button-primary" type="submit" data-action="record-usage" disabled=move || pending.get()>
                    {move || if pending.get() { "Recording…" } else { "Record reading" }}
                </button>
            </div>
        </form>
    }
}

/// Hours from a timesheet on one of the contract's time-and-materials lines, submitted for
/// approval (someone else approves them on the Timesheets page; approved hours are billed on the
/// next run and earned in the month of the work).
#[component]
fn HoursPanel(lines: Vec<ContractLine>) -> impl IntoView {
    let can_submit = session::can("TIMESHEET_SUBMIT");
    view! {
        <div class="panel" data-test="hours-panel">
            <h4>"Hours"</h4>
            <p class="muted small">
                "Hours are billed at the rate card's rate for the role once approved on "
                <a href="/billing/timesheets">"Timesheets"</a>
                ", and earned in the month they were worked."
            </p>
            <Show
                when=move || can_submit.get()
                fallback=|| view! { <p class="muted small">"An account manager, VP Customer Success or VP RevOps submits hours."</p> }
            >
                <HoursForm lines=lines.clone() />
            </Show>
        </div>
    }
}

#[component]
fn HoursForm(lines: Vec<ContractLine>) -> impl IntoView {
    let session = session::use_session();
    let first = lines.first().cloned();
    let line_id = RwSignal::new(
        first
            .as_ref()
            .map(|line| line.id.clone())
            .unwrap_or_default(),
    );
    let person = RwSignal::new(
        session.with_untracked(|s| s.as_ref().map(|s| s.user.name.clone()).unwrap_or_default()),
    );
    let role = RwSignal::new(String::new());
    let work_date = RwSignal::new(format::today_iso());
    let hours = RwSignal::new(String::new());
    // The line's unit price is its rate when the contract names one; otherwise the rate card's.
    let default_rate = |line: Option<&ContractLine>| {
        line.map(|line| line.unit_price.amount.clone())
            .filter(|amount| !format::is_zero(amount))
            .unwrap_or_default()
    };
    let rate = RwSignal::new(default_rate(first.as_ref()));
    let description = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let outcome = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let lines = StoredValue::new(lines);
    let several = lines.with_value(|lines| lines.len() > 1);
    let options = lines.with_value(|lines| line_options(lines));
    let currency = Signal::derive(move || {
        let id = line_id.get();
        lines.with_value(|lines| {
            lines
                .iter()
                .find(|line| line.id == id)
                .map(|line| line.unit_price.currency.clone())
                .unwrap_or_default()
        })
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.set(None);
        outcome.set(None);
        pending.set(true);
        let draft = TimesheetDraft {
            contract_line_id: line_id.get_untracked(),
            person: person.get_untracked().trim().to_string(),
            role: role.get_untracked().trim().to_string(),
            work_date: work_date.get_untracked(),
            hours: format::amount_input(&hours.get_untracked()),
            rate: Money {
                amount: format::amount_input(&rate.get_untracked()),
                currency: currency.get_untracked(),
            },
            description: description.get_untracked().trim().to_string(),
        };
        spawn_local(async move {
            let result = api::timesheet_submit(draft).await;
            pending.try_set(false);
            match result {
                Ok(entry) => {
                    outcome.try_set(Some(format!(
                        "Submitted {} h by {} on {} for {}. It is billed once approved.",
                        entry.hours,
                        entry.person,
                        format::date(&entry.work_date),
                        entry.amount.display()
                    )));
                    hours.try_set(String::new());
                    description.try_set(String::new());
                }
                Err(error) => {
                    errors.try_set(Some(error));
                    focus_first_invalid();
                }
            }
        });
    };
    let error_signal: Signal<Option<ApiError>> = errors.into();
    view! {
        <form class="form subform" data-test="hours-form" on:submit=submit novalidate=true>
            <h5>"Submit hours"</h5>
            {several.then(|| view! {
                <SelectField label="Line" name="contractLineId" value=line_id errors=error_signal options=options.clone() required=true />
            })}
            <div class="form-row">
                <TextField label="Person" name="person" value=person errors=error_signal required=true />
                <TextField label="Role" name="role" value=role errors=error_signal required=true placeholder="Solutions architect" />
            </div>
            <div class="form-row">
                <TextField label="Worked on" name="workDate" kind="date" value=work_date errors=error_signal required=true />
                <TextField label="Hours" name="hours" value=hours errors=error_signal required=true numeric=true placeholder="7.5" />
                <TextField label="Rate per hour" name="rate" value=rate errors=error_signal required=true numeric=true suffix=currency />
            </div>
            <TextField label="Work done" name="description" value=description errors=error_signal required=true placeholder="Data model review" />
            <ActionError error=error_signal inline_fields=&["contractLineId", "person", "role", "workDate", "hours", "rate", "description"] />
            {move || outcome.get().map(|text| view! {
                <p class="alert alert-success" role="status" data-test="hours-submitted">
                    {text} " " <a href="/billing/timesheets">"Open Timesheets"</a>
                </p>
            })}
            <div class="button-row">
                <button class="button button-primary" type="submit" data-action="submit-hours" disabled=move || pending.get()>
                    {move || if pending.get() { "Submitting…" } else { "Submit hours" }}
                </button>
            </div>
        </form>
    }
}
