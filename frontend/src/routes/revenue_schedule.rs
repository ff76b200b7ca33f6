//! One contract's revenue recognition schedule (ASC 606): the contract's figures and position,
//! its performance obligations with the inputs of the price allocation (stated price, SSP and
//! where it came from, who carries the discount), recognition by month (recognised against
//! planned), every schedule row with its journal entry, the milestones and the modification log.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_params_map;

use crate::{
    api::{
        self, revenue_export_url, ApiError, Money, Obligation, RecognitionRow, RevenueMilestone,
        RevenueModification, RevenueSchedule,
    },
    app::RequirePermission,
    components::{
        download::DownloadButton,
        money::{Amount, MoneyCell},
        revenue::{
            difference, kind_label, months_between, pattern_label, service_period, stream_name,
            sum_money, treatment_label, ChartMonth, MonthChart, RowStatusBadge, Series,
        },
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel},
        status::{Badge, Tone},
    },
    format,
    routes::revenue_events::{ContractConvention, ObligationEvent},
    routes::revenue_modify::{changes_in_words, ModifyContract},
    session,
};

#[component]
pub fn RevenueSchedulePage() -> impl IntoView {
    view! {
        <RequirePermission permission="REVENUE_READ">
            <RevenueScheduleView />
        </RequirePermission>
    }
}

/// A link to a contract's recognition schedule, for the pages that show the contract; shown
/// only to readers of per-contract revenue.
#[component]
pub fn RevenueScheduleLink(contract_id: String) -> impl IntoView {
    let can_read = session::can("REVENUE_READ");
    let href = format!("/revenue/contracts/{contract_id}");
    move || {
        can_read.get().then(|| {
            view! {
                <div class="button-row">
                    <a class="button" href=href.clone() data-test="revenue-schedule-link">
                        "Revenue recognition schedule"
                    </a>
                </div>
            }
        })
    }
}

#[component]
fn RevenueScheduleView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let schedule = LocalResource::new(move || api::revenue_schedule(id.get()));
    // The schedule a change on this page returned, shown until the contract is read again.
    let updated = RwSignal::new(None::<RevenueSchedule>);
    let notice = RwSignal::new(None::<String>);
    let current = Signal::derive(move || match updated.get() {
        Some(changed) if changed.contract_id == id.get() => Some(Ok(changed)),
        _ => schedule.get(),
    });
    let on_changed = Callback::new(move |(changed, message): (RevenueSchedule, String)| {
        notice.set(Some(message));
        updated.set(Some(changed));
    });
    view! {
        <div class="page revenue">
            <p class="breadcrumb"><a href="/revenue/contracts">"Revenue contracts"</a></p>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="schedule-notice">{message}</div>
            })}
            {move || match current.get() {
                None => view! { <LoadingPanel label="Loading the recognition schedule…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| schedule.refetch()) /> }.into_any(),
                Some(Ok(schedule)) => view! { <ScheduleBody schedule=schedule on_changed=on_changed /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn ScheduleBody(
    schedule: RevenueSchedule,
    on_changed: Callback<(RevenueSchedule, String)>,
) -> impl IntoView {
    let export_url = revenue_export_url("schedule", &[("contractId", &schedule.contract_id)]);
    let fallback_name = format!("revenue-schedule-{}.csv", schedule.contract_number);
    let currency = schedule.currency.clone();
    view! {
        <header class="page-header">
            <div>
                <h1>{format!("Contract {}", schedule.contract_number)}</h1>
                <p class="muted">
                    <a href=format!("/customers/{}", schedule.customer_id)>{schedule.customer_name.clone()}</a>
                    {format!(
                        " · {} · {}",
                        format::period(Some(&schedule.start_date), Some(&schedule.end_date)),
                        schedule.currency
                    )}
                </p>
            </div>
            <div class="header-actions">
                <DownloadButton
                    url=export_url
                    fallback_name=fallback_name
                    media_type="text/csv"
                    label="Download CSV"
                    test_id="schedule-csv"
                />
            </div>
        </header>
        <ScheduleFacts schedule=schedule.clone() />
        <ContractConvention schedule=schedule.clone() on_changed=on_changed />
        <section class="section" data-test="obligations">
            <h2>"Performance obligations"</h2>
            <p class="muted small">"The transaction price is allocated to each obligation in proportion to its standalone selling price (SSP); a discount is carried by every obligation unless some are marked to carry it."</p>
            {if schedule.obligations.is_empty() {
                view! { <EmptyState title="No performance obligations" hint="Obligations are identified from the contract's lines when its deal is approved." /> }.into_any()
            } else {
                view! { <ObligationTable obligations=schedule.obligations.clone() currency=currency.clone() allocated_total=schedule.allocated_total.clone() contract_id=schedule.contract_id.clone() on_changed=on_changed /> }.into_any()
            }}
            <DiscountCarriers schedule=schedule.clone() on_changed=on_changed />
        </section>
        <section class="section" data-test="recognition-by-month">
            <h2>"Recognition by month"</h2>
            <RecognitionChart rows=schedule.rows.clone() currency=currency.clone() />
        </section>
        <section class="section" data-test="schedule-rows">
            <h2>"Schedule rows"</h2>
            {if schedule.rows.is_empty() {
                view! { <EmptyState title="No schedule rows yet" hint="Rows are planned when the contract's obligations are scheduled; time and usage add rows as they are approved or incurred." /> }.into_any()
            } else {
                view! { <RowTable rows=schedule.rows.clone() currency=currency.clone() /> }.into_any()
            }}
        </section>
        <section class="section" data-test="revenue-milestones">
            <h2>"Milestones"</h2>
            {if schedule.milestones.is_empty() {
                view! { <p class="muted">"This contract has no milestones."</p> }.into_any()
            } else {
                view! { <MilestoneTable milestones=schedule.milestones.clone() obligations=schedule.obligations.clone() /> }.into_any()
            }}
        </section>
        <section class="section" data-test="revenue-modifications">
            <h2>"Modifications"</h2>
            {if schedule.modifications.is_empty() {
                view! { <p class="muted">"No modifications: the contract is recognised as originally approved."</p> }.into_any()
            } else {
                view! { <ModificationTable modifications=schedule.modifications.clone() currency=currency.clone() /> }.into_any()
            }}
            <ModifyContract schedule=schedule.clone() on_changed=on_changed />
        </section>
    }
}

/// The share of the allocated price recognised so far; read only, so floating point is fine.
fn share(part: &Money, whole: &Money) -> Option<String> {
    let whole = whole.amount.parse::<f64>().ok().filter(|w| *w > 0.0)?;
    let part = part.amount.parse::<f64>().ok()?;
    Some(format::percent(part / whole))
}

#[component]
fn ScheduleFacts(schedule: RevenueSchedule) -> impl IntoView {
    let recognised_share = share(&schedule.recognised_to_date, &schedule.allocated_total);
    view! {
        <dl class="figures" data-test="schedule-figures">
            <div class="figure-card">
                <dt>"Recognised to date"</dt>
                <dd class="figure">{schedule.recognised_to_date.display()}</dd>
                <dd class="small muted">{recognised_share.map_or_else(|| "Of the allocated price".to_string(), |share| format!("{share} of the allocated price"))}</dd>
            </div>
            <div class="figure-card">
                <dt>"Remaining to recognise"</dt>
                <dd class="figure">{schedule.remaining_to_recognise.display()}</dd>
                <dd class="small muted">"Planned, not yet earned"</dd>
            </div>
            <div class="figure-card">
                <dt>"Deferred revenue"</dt>
                <dd class="figure">{schedule.deferred_balance.display()}</dd>
                <dd class="small muted">"Billed, not yet earned"</dd>
            </div>
            <div class="figure-card">
                <dt>"Unbilled AR"</dt>
                <dd class="figure">{schedule.unbilled_balance.display()}</dd>
                <dd class="small muted">"Earned, not yet billed"</dd>
            </div>
        </dl>
        <section class="panel">
            <dl class="facts two-column">
                <dt>"Customer"</dt>
                <dd><a href=format!("/customers/{}", schedule.customer_id)>{schedule.customer_name.clone()}</a></dd>
                <dt>"Term"</dt>
                <dd>{format::period(Some(&schedule.start_date), Some(&schedule.end_date))}</dd>
                <dt>"Months"</dt>
                <dd class="num">{schedule.months_total}</dd>
                <dt>"TCV"</dt>
                <dd><Amount money=schedule.tcv.clone() /></dd>
                <dt>"ARR"</dt>
                <dd><Amount money=schedule.arr.clone() /></dd>
                <dt>"Monthly recognition"</dt>
                <dd><Amount money=schedule.monthly_recognition.clone() /></dd>
                <dt>"Allocated price"</dt>
                <dd><Amount money=schedule.allocated_total.clone() /></dd>
                <dt>"Billed to date"</dt>
                <dd><Amount money=schedule.billed_to_date.clone() /></dd>
            </dl>
        </section>
    }
}

#[component]
fn ObligationTable(
    obligations: Vec<Obligation>,
    currency: String,
    allocated_total: Money,
    contract_id: String,
    on_changed: Callback<(RevenueSchedule, String)>,
) -> impl IntoView {
    let stated = sum_money(&currency, obligations.iter().map(|o| &o.stated));
    let allocated = sum_money(&currency, obligations.iter().map(|o| &o.allocated));
    let recognised = sum_money(&currency, obligations.iter().map(|o| &o.recognised));
    let remaining = sum_money(&currency, obligations.iter().map(|o| &o.remaining));
    // The allocation must hand out exactly the price: the allocated total against the stated
    // prices, and the obligations' own allocations against the allocated total.
    let price_gap = stated
        .as_ref()
        .and_then(|stated| difference(&allocated_total, stated));
    let rows_gap = allocated
        .as_ref()
        .and_then(|allocated| difference(allocated, &allocated_total));
    let ties = price_gap
        .as_ref()
        .is_some_and(|gap| format::is_zero(&gap.amount))
        && rows_gap
            .as_ref()
            .is_some_and(|gap| format::is_zero(&gap.amount));
    let check = match (&stated, ties) {
        (Some(stated), true) => view! {
            <p class="report-status" data-test="allocation-check">
                <Badge tone=Tone::Good label="Ties" />
                <span>{format!("Allocated total {} = transaction price {} (the stated prices).", allocated_total.display(), stated.display())}</span>
            </p>
        }.into_any(),
        (Some(stated), false) => view! {
            <p class="report-status" data-test="allocation-check">
                <Badge tone=Tone::Warning label="Differs" />
                <span>{format!(
                    "Allocated total {} against transaction price {} (the stated prices){}.",
                    allocated_total.display(),
                    stated.display(),
                    price_gap.map(|gap| format!(", a difference of {}", gap.display())).unwrap_or_default(),
                )}</span>
            </p>
        }.into_any(),
        (None, _) => view! {
            <p class="report-status" data-test="allocation-check">
                <Badge tone=Tone::Warning label="Cannot check" />
                <span>{format!("Allocated total {}.", allocated_total.display())}</span>
            </p>
        }.into_any(),
    };
    view! {
        <table class="table compact obligations" data-test="obligation-table">
            <thead>
                <tr>
                    <th scope="col">"Obligation"</th>
                    <th scope="col">"How earned"</th>
                    <th scope="col">"Service period"</th>
                    <th scope="col" class="num">"Stated"</th>
                    <th scope="col" class="num">"SSP"</th>
                    <th scope="col">"SSP source"</th>
                    <th scope="col">"Discount"</th>
                    <th scope="col" class="num">"Allocated"</th>
                    <th scope="col" class="num">"Recognised"</th>
                    <th scope="col" class="num">"Remaining"</th>
                </tr>
            </thead>
            <tbody>
                {obligations.into_iter().map(|obligation| view! {
                    <tr data-obligation-id=obligation.id.clone() data-product=obligation.product_name.clone()>
                        <td>
                            {obligation.product_name.clone()}
                            <div class="small muted">{stream_name(&obligation.stream_account)}</div>
                        </td>
                        <td>
                            {pattern_label(&obligation.pattern)}
                            {obligation.satisfied_on.clone().map(|day| view! {
                                <div class="small muted">{format!("Satisfied {}", format::date(&day))}</div>
                            })}
                            <ObligationEvent obligation=obligation.clone() contract_id=contract_id.clone() on_changed=on_changed />
                        </td>
                        <td class="nowrap">{service_period(Some(&obligation.service_start), Some(&obligation.service_end))}</td>
                        <MoneyCell money=Some(obligation.stated) />
                        <MoneyCell money=Some(obligation.ssp) />
                        <td class="small">{obligation.ssp_source}</td>
                        <td>
                            {if obligation.carries_discount {
                                view! { <Badge tone=Tone::Info label="Carries discount" /> }.into_any()
                            } else {
                                view! { <span class="muted">"—"</span> }.into_any()
                            }}
                        </td>
                        <td class="num strong">{obligation.allocated.display()}</td>
                        <MoneyCell money=Some(obligation.recognised) />
                        <MoneyCell money=Some(obligation.remaining) />
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot>
                <tr class="total-row">
                    <th scope="row" colspan="3">"Total"</th>
                    <MoneyCell money=stated />
                    <td></td>
                    <td></td>
                    <td></td>
                    <MoneyCell money=allocated />
                    <MoneyCell money=recognised />
                    <MoneyCell money=remaining />
                </tr>
            </tfoot>
        </table>
        {check}
    }
}

const RECOGNITION_SERIES: [Series; 2] = [
    Series {
        class: "rev-recognised",
        label: "Recognised",
    },
    Series {
        class: "rev-planned",
        label: "Planned",
    },
];

/// Recognised against planned amounts for every month from the first row to the last (months
/// with nothing show as empty, so the time axis is even).
fn chart_months(rows: &[RecognitionRow], currency: &str) -> Vec<ChartMonth> {
    let months: Vec<&str> = rows.iter().filter_map(|row| row.month.as_deref()).collect();
    let (Some(first), Some(last)) = (months.iter().min(), months.iter().max()) else {
        return Vec::new();
    };
    months_between(first, last)
        .into_iter()
        .map(|month| {
            let in_month = |recognised: bool| {
                sum_money(
                    currency,
                    rows.iter()
                        .filter(|row| row.month.as_deref() == Some(month.as_str()))
                        .filter(|row| row.is_recognised() == recognised)
                        .map(|row| &row.amount),
                )
                .unwrap_or_else(|| Money {
                    amount: "0".into(),
                    currency: currency.to_string(),
                })
            };
            ChartMonth {
                values: vec![in_month(true), in_month(false)],
                month,
            }
        })
        .collect()
}

#[component]
fn RecognitionChart(rows: Vec<RecognitionRow>, currency: String) -> impl IntoView {
    let months = chart_months(&rows, &currency);
    let awaiting: Vec<&RecognitionRow> = rows.iter().filter(|row| row.month.is_none()).collect();
    let awaiting_total = sum_money(&currency, awaiting.iter().map(|row| &row.amount));
    let awaiting_note = (!awaiting.is_empty()).then(|| {
        view! {
            <p class="muted small">
                {format!(
                    "Not in the chart: {} awaiting acceptance in {} row(s), with no month until it is accepted.",
                    awaiting_total.map_or_else(|| "an amount".to_string(), |total| total.display()),
                    awaiting.len()
                )}
            </p>
        }
    });
    if months.is_empty() {
        return view! {
            <EmptyState title="Nothing scheduled by month" hint="Once rows are planned for months, the chart shows recognised and planned revenue side by side." />
            {awaiting_note}
        }
        .into_any();
    }
    view! {
        <MonthChart
            currency=currency
            series=RECOGNITION_SERIES.to_vec()
            months=months
            title="Revenue"
            test_id="recognition-chart"
        />
        {awaiting_note}
    }
    .into_any()
}

/// Which rows the table shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowFilter {
    All,
    Recognised,
    Planned,
}

impl RowFilter {
    fn keeps(self, row: &RecognitionRow) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Recognised => row.is_recognised(),
            RowFilter::Planned => !row.is_recognised(),
        }
    }
}

#[component]
fn RowTable(rows: Vec<RecognitionRow>, currency: String) -> impl IntoView {
    let mut rows = rows;
    // By month, rows awaiting acceptance (no month yet) last, by their expected date.
    rows.sort_by(|a, b| {
        let key = |row: &RecognitionRow| {
            (
                row.month.is_none(),
                row.month.clone().unwrap_or_default(),
                row.expected_on.clone().unwrap_or_default(),
                row.product_name.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let filter = RwSignal::new(RowFilter::All);
    let rows = StoredValue::new(rows);
    let currency = StoredValue::new(currency);
    let options = [
        (RowFilter::All, "All"),
        (RowFilter::Recognised, "Recognised"),
        (RowFilter::Planned, "Planned"),
    ];
    view! {
        <div class="toolbar">
            <div class="field field-inline">
                <span class="field-label" id="row-filter-label">"Show"</span>
                <div class="segmented" role="group" aria-labelledby="row-filter-label">
                    {options.into_iter().map(|(option, label)| {
                        let selected = move || filter.get() == option;
                        let count = rows.with_value(|rows| rows.iter().filter(|row| option.keeps(row)).count());
                        view! {
                            <button
                                type="button"
                                class="segment"
                                class:selected=selected
                                aria-pressed=move || if selected() { "true" } else { "false" }
                                on:click=move |_| filter.set(option)
                            >
                                {format!("{label} ({count})")}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </div>
        </div>
        {move || {
            let shown: Vec<RecognitionRow> = rows.with_value(|rows| rows.iter().filter(|row| filter.get().keeps(row)).cloned().collect());
            let currency = currency.get_value();
            let recognised = sum_money(&currency, shown.iter().filter(|r| r.is_recognised()).map(|r| &r.amount));
            let planned = sum_money(&currency, shown.iter().filter(|r| !r.is_recognised()).map(|r| &r.amount));
            let total = sum_money(&currency, shown.iter().map(|r| &r.amount));
            view! {
                <table class="table compact schedule-rows" data-test="schedule-row-table">
                    <thead>
                        <tr>
                            <th scope="col">"Month"</th>
                            <th scope="col">"Obligation"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Service period"</th>
                            <th scope="col">"Recognise on"</th>
                            <th scope="col" class="num">"Amount"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Journal entry"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {shown.into_iter().map(|row| view! { <ScheduleRow row=row /> }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr class="total-row">
                            <th scope="row" colspan="5">"Recognised"</th>
                            <MoneyCell money=recognised />
                            <td colspan="2"></td>
                        </tr>
                        <tr>
                            <th scope="row" colspan="5">"Planned"</th>
                            <MoneyCell money=planned />
                            <td colspan="2"></td>
                        </tr>
                        <tr>
                            <th scope="row" colspan="5">"Total shown"</th>
                            <MoneyCell money=total />
                            <td colspan="2"></td>
                        </tr>
                    </tfoot>
                </table>
            }
        }}
    }
}

#[component]
fn ScheduleRow(row: RecognitionRow) -> impl IntoView {
    let recognised = row.is_recognised();
    let month = match (&row.month, &row.expected_on) {
        (Some(month), _) => view! { <span>{format::month(month)}</span> }.into_any(),
        (None, Some(expected)) => view! {
            <span>"Awaiting acceptance"</span>
            <div class="small muted">{format!("Expected {}", format::date(expected))}</div>
        }
        .into_any(),
        (None, None) => view! { <span>"Awaiting acceptance"</span> }.into_any(),
    };
    view! {
        <tr class=if recognised { "row-recognised" } else { "row-planned" } data-status=row.status.clone() data-row-id=row.id.clone()>
            <td class="nowrap">{month}</td>
            <td>{row.product_name.clone()}</td>
            <td>{kind_label(&row.kind)}</td>
            <td class="nowrap">{service_period(row.period_start.as_deref(), row.period_end.as_deref())}</td>
            <td class="nowrap">{row.recognise_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
            <MoneyCell money=Some(row.amount.clone()) />
            <td><RowStatusBadge recognised=recognised /></td>
            <td class="mono nowrap">{row.journal_entry_number.clone().unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}

#[component]
fn MilestoneTable(
    milestones: Vec<RevenueMilestone>,
    obligations: Vec<Obligation>,
) -> impl IntoView {
    view! {
        <table class="table compact" data-test="milestone-table">
            <thead>
                <tr>
                    <th scope="col">"Milestone"</th>
                    <th scope="col">"Obligation"</th>
                    <th scope="col">"Expected"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Satisfied on"</th>
                </tr>
            </thead>
            <tbody>
                {milestones.into_iter().map(|milestone| {
                    let obligation = obligations.iter().find(|o| o.id == milestone.obligation_id);
                    let name = obligation.map_or_else(|| "—".to_string(), |o| o.product_name.clone());
                    let is_milestone = obligation.is_some_and(|o| o.pattern == "MILESTONE");
                    let awaiting = obligation.is_some_and(|o| o.awaiting_acceptance);
                    // A licence is satisfied on delivery, a milestone on the customer's acceptance.
                    let (tone, state) = match (milestone.delivered, is_milestone, awaiting) {
                        (true, true, _) => (Tone::Good, "Accepted"),
                        (true, false, _) => (Tone::Good, "Delivered"),
                        (false, _, true) => (Tone::Info, "Awaiting acceptance"),
                        (false, _, false) => (Tone::Warning, "Not delivered"),
                    };
                    view! {
                        <tr>
                            <td>{milestone.name}</td>
                            <td>{name}</td>
                            <td class="nowrap">{milestone.expected_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                            <MoneyCell money=Some(milestone.amount) />
                            <td><Badge tone=tone label=state /></td>
                            <td class="nowrap">{milestone.satisfied_on.as_deref().map(format::date).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Pretty-prints JSON text so a before/after comparison is readable; other text is shown as is.
fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| text.to_string())
}

#[component]
fn ModificationTable(modifications: Vec<RevenueModification>, currency: String) -> impl IntoView {
    view! {
        <table class="table compact" data-test="modification-table">
            <thead>
                <tr>
                    <th scope="col">"Effective"</th>
                    <th scope="col">"Treatment"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"What changed"</th>
                    <th scope="col">"Recorded"</th>
                    <th scope="col">"Change"</th>
                </tr>
            </thead>
            <tbody>
                {modifications.into_iter().map(|modification| view! {
                    <tr data-modification-id=modification.id.clone()>
                        <td class="nowrap">{format::date(&modification.effective_date)}</td>
                        <td>{treatment_label(&modification.treatment)}</td>
                        <td>{modification.reason.clone()}</td>
                        <td data-test="modification-changes">
                            {
                                let words = changes_in_words(modification.changes.as_deref(), &currency);
                                if words.is_empty() {
                                    view! { <span class="muted">"—"</span> }.into_any()
                                } else {
                                    view! { <ul class="plain-list">{words.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul> }.into_any()
                                }
                            }
                        </td>
                        <td class="nowrap">{format::date_time(&modification.created_at)}</td>
                        <td>
                            <details>
                                <summary>"Before / after"</summary>
                                <div class="diff">
                                    <div>
                                        <h4>"Before"</h4>
                                        <pre>{pretty_json(&modification.before)}</pre>
                                    </div>
                                    <div>
                                        <h4>"After"</h4>
                                        <pre>{pretty_json(&modification.after)}</pre>
                                    </div>
                                </div>
                            </details>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Whether an obligation takes part in the allocation of the fixed price (variable
/// consideration, time and usage, belongs wholly to its own obligation).
fn is_fixed(pattern: &str) -> bool {
    matches!(pattern, "RATABLE" | "POINT_IN_TIME" | "MILESTONE")
}

/// Who carries the contract's discount: every fixed obligation unless some are marked. It can
/// change only before anything of the contract is billed or recognised, by holders of
/// SSP_MANAGE.
#[component]
fn DiscountCarriers(
    schedule: RevenueSchedule,
    on_changed: Callback<(RevenueSchedule, String)>,
) -> impl IntoView {
    let can_manage = session::can("SSP_MANAGE");
    let untouched = format::is_zero(&schedule.billed_to_date.amount)
        && format::is_zero(&schedule.recognised_to_date.amount);
    let fixed: Vec<Obligation> = schedule
        .obligations
        .iter()
        .filter(|o| is_fixed(&o.pattern))
        .cloned()
        .collect();
    if !untouched || fixed.len() < 2 {
        return ().into_any();
    }
    let editing = RwSignal::new(false);
    let contract_id = StoredValue::new(schedule.contract_id.clone());
    let fixed = StoredValue::new(fixed);
    view! {
        <Show when=move || can_manage.get()>
            {move || if editing.get() {
                view! {
                    <DiscountForm
                        contract_id=contract_id.get_value()
                        obligations=fixed.get_value()
                        on_changed=Callback::new(move |changed| { editing.set(false); on_changed.run(changed) })
                        on_cancel=Callback::new(move |()| editing.set(false))
                    />
                }.into_any()
            } else {
                view! {
                    <div class="button-row">
                        <button class="button" type="button" data-action="assign-discount" on:click=move |_| editing.set(true)>
                            "Choose who carries the discount…"
                        </button>
                        <span class="muted small">"Possible until the contract is first billed or recognised."</span>
                    </div>
                }.into_any()
            }}
        </Show>
    }
    .into_any()
}

#[component]
fn DiscountForm(
    contract_id: String,
    obligations: Vec<Obligation>,
    on_changed: Callback<(RevenueSchedule, String)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let all_carry = obligations.iter().all(|o| o.carries_discount);
    let chosen: Vec<(Obligation, RwSignal<bool>)> = obligations
        .into_iter()
        .map(|o| {
            let carries = o.carries_discount;
            (o, RwSignal::new(carries || all_carry))
        })
        .collect();
    let chosen = StoredValue::new(chosen);
    let contract_id = StoredValue::new(contract_id);
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let save = move |_| {
        let marked: Vec<(String, String)> = chosen.with_value(|chosen| {
            chosen
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(o, _)| (o.contract_line_id.clone(), o.product_name.clone()))
                .collect()
        });
        let total = chosen.with_value(Vec::len);
        if marked.is_empty() {
            errors.set(Some(ApiError::for_field(
                "contractLineIds",
                "Mark at least one obligation to carry the discount.",
            )));
            return;
        }
        // Every line marked is the same as none: the discount is shared by all.
        let ids: Vec<String> = if marked.len() == total {
            Vec::new()
        } else {
            marked.iter().map(|(id, _)| id.clone()).collect()
        };
        let message = if ids.is_empty() {
            "Every obligation now carries the discount; the price is allocated again.".to_string()
        } else {
            format!(
                "The discount is now carried by {}; the price is allocated again.",
                marked
                    .iter()
                    .map(|(_, name)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::revenue_discount_assign(contract_id.get_value(), ids).await;
            pending.set(false);
            match result {
                Ok(changed) => on_changed.run((changed, message)),
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="panel subform" data-test="discount-form" on:submit=|event| event.prevent_default()>
            <h3>"Who carries the discount"</h3>
            <p class="muted small">"The discount (SSP total less the price) is shared by the marked obligations in proportion to their SSP. Mark all to share it across the contract."</p>
            <fieldset class="plain-fieldset">
                <legend class="visually-hidden">"Obligations carrying the discount"</legend>
                {chosen.with_value(|chosen| chosen.iter().map(|(obligation, on)| {
                    let on = *on;
                    view! {
                        <label class="checkbox">
                            <input type="checkbox" name="contractLineIds" value=obligation.contract_line_id.clone() bind:checked=on />
                            {format!("{} · SSP {}", obligation.product_name, obligation.ssp.display())}
                        </label>
                    }
                }).collect_view())}
            </fieldset>
            <ActionError error=errors.into() />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="save-discount" disabled=move || pending.get() on:click=save>
                    {move || if pending.get() { "Allocating…" } else { "Allocate again" }}
                </button>
                <button class="button" type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
