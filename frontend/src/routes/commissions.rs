//! A rep's commission statement for a month: the plan in force with its sign-off, attainment
//! against quota per component as a chart, what was earned, paid and is still to be paid, every
//! line with the explanation of what it pays and why (with a dispute for one's own line), the
//! forecast of open deals, and the rep's disputes with their outcomes. `/commissions` shows the
//! signed-in user's own; `/commissions/statements/:userId` the same view for a rep a manager
//! or reviewer may see. The month lives in the URL (`?period=2026-11`).

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_location, use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{
        self, ApiError, CommissionAttainment, CommissionDispute, CommissionForecast,
        CommissionLine, CommissionStatement,
    },
    app::RequirePermission,
    components::{
        commissions::{
            business_label, cause_label, kind_label, metric_label, month_range, quota_period_label,
            rate_text, AnswerDue, CommissionDisputeBadge, LineStatusBadge,
        },
        export::ExportCsv,
        field::{non_empty, MonthField, TextAreaField},
        money::{totals_text, MoneyCell, MoneyListCell},
        revenue::{current_month, is_month, ChartMonth, ChartTarget, MonthChart, Series},
        states::{ActionError, EmptyState, ErrorPanel, LoadingPanel, LoadingRows},
        status::{Badge, Tone},
    },
    format,
    routes::href_with_query,
    session::{self, use_session},
};

/// `/commissions`: the signed-in user's own statement.
#[component]
pub fn MyCommissionsPage() -> impl IntoView {
    view! {
        <RequirePermission permission="COMMISSION_READ">
            <StatementScreen user_id=None />
        </RequirePermission>
    }
}

/// `/commissions/statements/:userId`: one rep's statement, for their manager or a reviewer.
#[component]
pub fn RepStatementPage() -> impl IntoView {
    let params = use_params_map();
    let user_id = Memo::new(move |_| params.with(|p| p.get("userId")).unwrap_or_default());
    view! {
        <RequirePermission permission="COMMISSION_READ">
            {move || view! { <StatementScreen user_id=Some(user_id.get()) /> }}
        </RequirePermission>
    }
}

/// The signed-in user's id, read once.
pub fn my_user_id() -> String {
    use_session()
        .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))
        .unwrap_or_default()
}

/// The month in the URL (`?period=`), or this month.
pub fn use_period() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .with(|q| q.get("period"))
            .filter(|month| is_month(month))
            .unwrap_or_else(current_month)
    })
}

/// Puts another month in the URL of the page the user is on.
pub fn use_go_to_period() -> Callback<String> {
    let navigate = use_navigate();
    let location = use_location();
    Callback::new(move |month: String| {
        let path = location.pathname.get_untracked();
        navigate(
            &href_with_query(&path, &[("period", Some(month))]),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    })
}

#[component]
fn StatementScreen(user_id: Option<String>) -> impl IntoView {
    let period = use_period();
    let go = use_go_to_period();
    let me = my_user_id();
    let own = user_id.as_ref().is_none_or(|id| *id == me);
    let rep_id = StoredValue::new(user_id.clone());
    let refresh = RwSignal::new(0_u32);
    let notice = RwSignal::new(None::<String>);
    let statement = LocalResource::new(move || {
        refresh.track();
        api::commission_statement(rep_id.get_value(), period.get())
    });
    let disputes_of = StoredValue::new(user_id.unwrap_or(me));
    view! {
        <div class="page commissions">
            {(!own).then(|| view! {
                <p class="breadcrumb">
                    <a href=move || href_with_query("/commissions/team", &[("period", Some(period.get()))])>"Statements"</a>
                </p>
            })}
            <header class="page-header">
                <div>
                    <h1>{if own { "My commissions" } else { "Commission statement" }}</h1>
                    <p class="muted" data-test="statement-subtitle">
                        {move || {
                            let month = format::month(&period.get());
                            match statement.get() {
                                Some(Ok(s)) => format!("{} · {month}", s.user_name),
                                _ => month,
                            }
                        }}
                    </p>
                </div>
                <div class="header-actions">
                    <MonthField label="Month" id="statement-period" value=period on_change=go />
                </div>
            </header>
            {move || notice.get().map(|message| view! {
                <div class="alert alert-success" role="status" data-test="statement-notice">{message}</div>
            })}
            {move || match statement.get() {
                None => view! { <LoadingPanel label="Loading the statement…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| statement.refetch()) /> }.into_any(),
                Some(Ok(statement)) => view! {
                    <StatementView statement=statement own=own refresh=refresh notice=notice />
                }.into_any(),
            }}
            <RepDisputes user_id=disputes_of.get_value() own=own refresh=refresh />
        </div>
    }
}

#[component]
fn StatementView(
    statement: CommissionStatement,
    own: bool,
    refresh: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let month = format::month(&statement.period);
    let is_current = statement.period == current_month();
    let plan_section =
        view! { <PlanSection statement=statement.clone() own=own refresh=refresh notice=notice /> };
    let has_plan = statement.plan.is_some();
    view! {
        {plan_section}
        <dl class="figures" data-test="statement-figures">
            <div class="figure-card">
                <dt>{format!("Earned in {month}")}</dt>
                <dd class="figure">{totals_text(statement.totals.iter())}</dd>
                <dd class="small muted">"Every line of the month, after clawbacks"</dd>
            </div>
            <div class="figure-card">
                <dt>"Paid"</dt>
                <dd class="figure">{totals_text(statement.paid.iter())}</dd>
                <dd class="small muted">"Lines already in a payout"</dd>
            </div>
            <div class="figure-card">
                <dt>"Unpaid"</dt>
                <dd class="figure" data-test="statement-unpaid">{totals_text(statement.unpaid.iter())}</dd>
                <dd class="small muted">"Calculated, waiting for the payout"</dd>
            </div>
            <div class="figure-card">
                <dt>"Next payout"</dt>
                <dd class="figure">{format::date(&statement.next_payout_date)}</dd>
                <dd class="small muted">{format!("When {month} is paid")}</dd>
            </div>
        </dl>
        {has_plan.then(|| view! { <AttainmentSection attainment=statement.attainment.clone() /> })}
        <LinesSection statement=statement.clone() own=own refresh=refresh notice=notice />
        {(own && is_current).then(|| view! { <ForecastSection forecast=statement.forecast.clone() /> })}
    }
}

// ---------------------------------------------------------------------------------------------
// Plan and sign-off
// ---------------------------------------------------------------------------------------------

#[component]
fn PlanSection(
    statement: CommissionStatement,
    own: bool,
    refresh: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let month = format::month(&statement.period);
    let (Some(plan), Some(assignment)) = (statement.plan, statement.assignment) else {
        let (title, hint) = if own {
            (
                format!("No plan is assigned to you for {month} — ask RevOps."),
                "Once RevOps assigns you a commission plan, your attainment, lines and payouts appear here. Lines from an earlier plan still show below.".to_string(),
            )
        } else {
            (
                format!("No plan is assigned to {} for {month}.", statement.user_name),
                "Assign a plan on the commission plans page; lines from an earlier plan still show below.".to_string(),
            )
        };
        return view! {
            <section class="section" data-test="statement-plan">
                <EmptyState title=title hint=hint>
                    {(!own).then(|| view! { <a class="button" href="/commissions/plans">"Commission plans"</a> })}
                </EmptyState>
            </section>
        }
        .into_any();
    };
    let pending = RwSignal::new(false);
    let errors = RwSignal::new(None::<ApiError>);
    let needs_sign_off = assignment.acknowledged_version != Some(plan.version);
    let acknowledged = assignment.acknowledged_at.clone().map(|at| {
        format!(
            "{}{}",
            format::date(&at),
            assignment
                .acknowledged_version
                .map(|version| format!(" (version {version})"))
                .unwrap_or_default()
        )
    });
    let assignment_id = StoredValue::new(assignment.id.clone());
    let plan_label = format!("{} {} v{}", plan.name, plan.code, plan.version);
    let acknowledge = move |_| {
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::commission_plan_acknowledge(assignment_id.get_value()).await;
            pending.set(false);
            match result {
                Ok(done) => {
                    notice.set(Some(format!(
                        "Plan acknowledged on {}{}.",
                        done.acknowledged_at
                            .as_deref()
                            .map(format::date)
                            .unwrap_or_default(),
                        done.acknowledged_version
                            .map(|version| format!(" (version {version})"))
                            .unwrap_or_default()
                    )));
                    refresh.update(|count| *count += 1);
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    let quota = assignment
        .quota
        .clone()
        .unwrap_or_else(|| plan.quota.clone());
    let own_quota = assignment.quota.is_some();
    view! {
        <section class="panel" data-test="statement-plan">
            <div class="panel-header">
                <h2>{plan.name.clone()}</h2>
                {match (&acknowledged, needs_sign_off) {
                    (Some(_), false) => view! { <Badge tone=Tone::Good label="Acknowledged" /> }.into_any(),
                    (Some(_), true) => view! { <Badge tone=Tone::Warning label="New version to acknowledge" /> }.into_any(),
                    (None, _) => view! { <Badge tone=Tone::Warning label="Not acknowledged" /> }.into_any(),
                }}
            </div>
            <dl class="facts two-column">
                <dt>"Plan"</dt>
                <dd><span class="mono">{plan.code.clone()}</span>{format!(" · version {}", plan.version)}</dd>
                <dt>"Plan in force"</dt>
                <dd>{format::period(Some(&plan.effective_from), plan.effective_to.as_deref())}</dd>
                <dt>"Quota"</dt>
                <dd>
                    {format!("{} {}", quota_period_label(&plan.quota_period), quota.display())}
                    {own_quota.then(|| view! { <span class="muted small">" (set for this rep)"</span> })}
                </dd>
                <dt>"Assigned"</dt>
                <dd>{format::period(Some(&assignment.effective_from), assignment.effective_to.as_deref())}</dd>
                <dt>"Currency"</dt>
                <dd>{plan.currency.clone()}</dd>
                <dt>"Acknowledged"</dt>
                <dd data-test="plan-acknowledged">{acknowledged.clone().unwrap_or_else(|| "Not yet".into())}</dd>
            </dl>
            {(own && needs_sign_off).then(|| view! {
                <div class="subform" data-test="acknowledge-plan">
                    <p>{format!("Read {plan_label} and acknowledge it: your sign-off records the version in force today.")}</p>
                    <ActionError error=errors.into() />
                    <button class="button button-primary" type="button" data-action="acknowledge-plan" disabled=move || pending.get() on:click=acknowledge>
                        {move || if pending.get() { "Acknowledging…" } else { "Acknowledge plan" }}
                    </button>
                </div>
            })}
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Attainment
// ---------------------------------------------------------------------------------------------

#[component]
fn AttainmentSection(attainment: Vec<CommissionAttainment>) -> impl IntoView {
    view! {
        <section class="section" data-test="attainment">
            <div class="section-header"><h2>"Attainment"</h2></div>
            {if attainment.is_empty() {
                view! { <p class="muted">"This plan has no component measured against quota."</p> }.into_any()
            } else {
                attainment.into_iter().map(|row| view! { <AttainmentChart row=row /> }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn AttainmentChart(row: CommissionAttainment) -> impl IntoView {
    let months: Vec<ChartMonth> = row
        .months
        .iter()
        .map(|month| ChartMonth {
            month: month.period.clone(),
            values: vec![month.credited.clone()],
        })
        .collect();
    let percent = format::percent_text(&row.percent);
    view! {
        <div class="panel attainment" data-component=row.component.clone()>
            <div class="panel-header">
                <h3>{format!("{} · {}", row.component, metric_label(&row.metric))}</h3>
                <p class="figure" data-test="attainment-percent">{format!("{percent} of quota")}</p>
            </div>
            <p class="muted small">
                {format!(
                    "{} credited of a {} quota in the quota window {}; each bar is the running total to the end of its month.",
                    row.credited.display(),
                    row.quota.display(),
                    month_range(&row.window_start, &row.window_end),
                )}
            </p>
            <MonthChart
                currency=row.quota.currency.clone()
                series=vec![Series { class: "attainment", label: "Credited, cumulative" }]
                months=months
                title="Credited"
                test_id="attainment-chart"
                target=ChartTarget { value: row.quota.clone(), label: "Quota".into() }
            />
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------

#[component]
fn LinesSection(
    statement: CommissionStatement,
    own: bool,
    refresh: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let month = format::month(&statement.period);
    let lines = statement.lines.clone();
    if lines.is_empty() {
        let hint = if own {
            "Lines appear once RevOps calculates the month: each deal credited to you under your plan, with what it pays and why."
        } else {
            "Lines appear once the month is calculated."
        };
        return view! {
            <section class="section" data-test="statement-lines-section">
                <div class="section-header"><h2>"Statement lines"</h2></div>
                <EmptyState title=format!("No commission lines for {month}") hint=hint />
            </section>
        }
        .into_any();
    }
    let can_raise = session::can("COMMISSION_DISPUTE_RAISE");
    let me = my_user_id();
    let disputing = RwSignal::new(None::<String>);
    let export_rows = line_csv_rows(&lines);
    let filename = format!(
        "commission-statement-{}-{}.csv",
        statement.user_name.to_lowercase().replace(' ', "-"),
        statement.period
    );
    let totals = statement.totals.clone();
    view! {
        <section class="section" data-test="statement-lines-section">
            <div class="section-header">
                <h2>"Statement lines"</h2>
                <ExportCsv filename=filename header=&LINE_CSV_HEADER rows=export_rows />
            </div>
            <p class="muted small">"Each line says what it pays and why, under the line. Amounts are in the plan's currency; credited is the rep's share after the split."</p>
            <table class="table compact statement-lines" data-test="statement-lines">
                <thead>
                    <tr>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Deal"</th>
                        <th scope="col">"Business"</th>
                        <th scope="col">"Component"</th>
                        <th scope="col" class="num">"Credited"</th>
                        <th scope="col" class="num">"Split"</th>
                        <th scope="col">"Tier"</th>
                        <th scope="col" class="num">"Rate"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|line| {
                        let may_dispute = own && line.user_id == me && line.open_dispute_id.is_none();
                        view! { <LineRows line=line may_dispute=may_dispute can_raise=can_raise disputing=disputing refresh=refresh notice=notice /> }
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr class="total-row">
                        <th scope="row" colspan="8">{format!("Total for {month}")}</th>
                        <MoneyListCell amounts=totals />
                        <td></td>
                    </tr>
                </tfoot>
            </table>
        </section>
    }
    .into_any()
}

/// One line: its figures, the explanation under them, and the dispute form when open.
#[component]
fn LineRows(
    line: CommissionLine,
    may_dispute: bool,
    can_raise: Signal<bool>,
    disputing: RwSignal<Option<String>>,
    refresh: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = line.id.clone();
    let open_id = id.clone();
    let form_id = id.clone();
    let negative = format::is_negative(&line.amount.amount);
    let deal = line.deal_id.clone().map(|deal_id| {
        view! { <a href=format!("/deals/{deal_id}")>{format!("Deal {deal_id}")}</a> }
    });
    let cause = line.cause_type.as_deref().map(cause_label);
    let kind = kind_label(&line.kind);
    let explanation = line.explanation.clone();
    let stored = StoredValue::new(line.clone());
    let action = if line.open_dispute_id.is_some() {
        view! { <a href="/commissions/disputes" data-test="line-disputed"><Badge tone=Tone::Warning label="Disputed" /></a> }.into_any()
    } else if may_dispute {
        (move || can_raise.get().then(|| {
            let open_id = open_id.clone();
            view! {
                <button class="button button-quiet" type="button" data-action="dispute-line" on:click=move |_| disputing.set(Some(open_id.clone()))>
                    "Dispute…"
                </button>
            }
        })).into_any()
    } else {
        ().into_any()
    };
    view! {
        <tr data-line-id=id.clone() class:line-negative=negative>
            <td>
                {kind}
                {cause.map(|cause| view! { <div class="small muted">{cause}</div> })}
                {line.capitalised.then(|| view! { <div class="small muted">"Capitalised"</div> })}
            </td>
            <td class="nowrap">{match deal {
                Some(deal) => deal.into_any(),
                None => "—".into_any(),
            }}</td>
            <td>{business_label(line.business.as_deref())}</td>
            <td>
                {line.component.clone()}
                <div class="small muted">{metric_label(&line.metric)}</div>
            </td>
            <MoneyCell money=Some(line.credited.clone()) />
            <td class="num">{format::percent_text(&line.split_percent)}</td>
            <td class="tier">{if line.tier.is_empty() { "—".to_string() } else { line.tier.clone() }}</td>
            <td class="num">{rate_text(&line.rate, &line.amount.currency)}</td>
            <MoneyCell money=Some(line.amount.clone()) />
            <td class="line-status">
                <LineStatusBadge status=line.status.clone() />
                <div>{action}</div>
            </td>
        </tr>
        <tr class="line-explanation" data-explains=id>
            <td colspan="10" data-test="line-explanation">{explanation}</td>
        </tr>
        {move || (disputing.get().as_deref() == Some(form_id.as_str())).then(|| view! {
            <tr class="row-form">
                <td colspan="10">
                    <DisputeForm line=stored.get_value() disputing=disputing refresh=refresh notice=notice />
                </td>
            </tr>
        })}
    }
}

#[component]
fn DisputeForm(
    line: CommissionLine,
    disputing: RwSignal<Option<String>>,
    refresh: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let line_id = StoredValue::new(line.id.clone());
    let title = format!(
        "Dispute the {} line of {} ({})",
        line.component,
        format::month(&line.period),
        line.amount.display()
    );
    let label = title.clone();
    let submit = move |_| {
        let Some(text) = non_empty(&reason.get_untracked()) else {
            errors.set(Some(ApiError::for_field(
                "reason",
                "Say what is wrong with the line, so the reviewer can check it.",
            )));
            return;
        };
        pending.set(true);
        errors.set(None);
        spawn_local(async move {
            let result = api::commission_dispute_raise(line_id.get_value(), text).await;
            pending.set(false);
            match result {
                Ok(dispute) => {
                    disputing.set(None);
                    notice.set(Some(format!(
                        "Dispute raised. RevOps answers by {}; the outcome appears under your disputes.",
                        format::date_time(&dispute.answer_due_at)
                    )));
                    refresh.update(|count| *count += 1);
                }
                Err(error) => errors.set(Some(error)),
            }
        });
    };
    view! {
        <form class="subform dispute-form" aria-label=label data-test="dispute-form" on:submit=|event| event.prevent_default()>
            <h3>{title}</h3>
            <p class="muted small">"A reviewer in RevOps answers within 48 business hours. An accepted dispute adds an adjustment line to your statement."</p>
            <TextAreaField label="What is wrong with this line?" name="reason" value=reason errors=errors.into() required=true id_suffix=line.id.clone() rows=3 />
            <ActionError error=errors.into() inline_fields=&["reason"] />
            <div class="button-row">
                <button class="button button-primary" type="button" data-action="raise-dispute" disabled=move || pending.get() on:click=submit>
                    {move || if pending.get() { "Raising…" } else { "Raise dispute" }}
                </button>
                <button class="button" type="button" on:click=move |_| disputing.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

const LINE_CSV_HEADER: [&str; 14] = [
    "line_id",
    "period",
    "kind",
    "deal_id",
    "business",
    "component",
    "metric",
    "credited",
    "split_percent",
    "tier",
    "rate",
    "amount",
    "currency",
    "status",
];

fn line_csv_rows(lines: &[CommissionLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|line| {
            vec![
                line.id.clone(),
                line.period.clone(),
                line.kind.clone(),
                line.deal_id.clone().unwrap_or_default(),
                line.business.clone().unwrap_or_default(),
                line.component.clone(),
                line.metric.clone(),
                line.credited.amount.clone(),
                line.split_percent.clone(),
                line.tier.clone(),
                line.rate.clone(),
                line.amount.amount.clone(),
                line.amount.currency.clone(),
                line.status.clone(),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Forecast
// ---------------------------------------------------------------------------------------------

#[component]
fn ForecastSection(forecast: Vec<CommissionForecast>) -> impl IntoView {
    view! {
        <section class="section" data-test="forecast">
            <div class="section-header"><h2>"Forecast from open deals"</h2></div>
            <p class="muted small">"What each of your open deals would pay if it were booked today, starting from your attainment so far. An estimate: the calculation decides."</p>
            {if forecast.is_empty() {
                view! {
                    <EmptyState
                        title="No open deals under your plan"
                        hint="Draft deals assigned to you that name your plan appear here with what they would pay."
                    >
                        <a class="button" href="/deals/new">"New deal"</a>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <table class="table" data-test="forecast-table">
                        <thead>
                            <tr>
                                <th scope="col">"Deal"</th>
                                <th scope="col">"Product"</th>
                                <th scope="col" class="num">"Metric amount"</th>
                                <th scope="col" class="num">"Estimated commission"</th>
                                <th scope="col">"How"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {forecast.into_iter().map(|row| view! {
                                <tr data-deal-id=row.deal_id.clone()>
                                    <td class="nowrap"><a href=format!("/deals/{}", row.deal_id)>{row.crm_opportunity_id}</a></td>
                                    <td>{row.product_name}</td>
                                    <MoneyCell money=Some(row.metric_amount) />
                                    <MoneyCell money=Some(row.estimated) />
                                    <td class="small">{row.explanation}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// The rep's disputes
// ---------------------------------------------------------------------------------------------

/// A dispute's outcome in words: who decided, when, the comment and any adjustment.
pub fn dispute_outcome(dispute: &CommissionDispute) -> String {
    if dispute.is_open() {
        return "Waiting for a reviewer".to_string();
    }
    let mut text = match (&dispute.resolved_by_name, &dispute.resolved_at) {
        (Some(name), Some(at)) => format!("{name} on {}", format::date(at)),
        (None, Some(at)) => format::date(at),
        _ => String::new(),
    };
    if let Some(adjustment) = &dispute.adjustment {
        text.push_str(&format!(
            "{}adjusted by {} in {}",
            if text.is_empty() { "" } else { "; " },
            adjustment.amount.display(),
            format::month(&adjustment.period)
        ));
    }
    if let Some(comment) = &dispute.comment {
        text.push_str(&format!(": “{comment}”"));
    }
    text
}

#[component]
fn RepDisputes(user_id: String, own: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let disputes = LocalResource::new(move || {
        refresh.track();
        api::commission_disputes(None)
    });
    let user_id = StoredValue::new(user_id);
    view! {
        <section class="section" data-test="rep-disputes">
            <div class="section-header">
                <h2>{if own { "My disputes" } else { "Disputes" }}</h2>
                <a class="button button-quiet" href="/commissions/disputes">"All disputes"</a>
            </div>
            {move || match disputes.get() {
                None => view! { <LoadingRows columns=6 rows=2 /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| disputes.refetch()) /> }.into_any(),
                Some(Ok(list)) => {
                    let mine: Vec<CommissionDispute> = user_id.with_value(|id| {
                        list.into_iter().filter(|d| d.raised_by == *id || d.line.user_id == *id).collect()
                    });
                    if mine.is_empty() {
                        let hint = if own {
                            "When a line looks wrong, use Dispute on that line; the reviewer's answer shows here."
                        } else {
                            "Disputes this rep raises on their lines show here with their outcome."
                        };
                        view! { <EmptyState title="No disputes" hint=hint /> }.into_any()
                    } else {
                        view! { <RepDisputeTable disputes=mine /> }.into_any()
                    }
                }
            }}
        </section>
    }
}

#[component]
fn RepDisputeTable(disputes: Vec<CommissionDispute>) -> impl IntoView {
    view! {
        <table class="table" data-test="rep-dispute-table">
            <thead>
                <tr>
                    <th scope="col">"Raised"</th>
                    <th scope="col">"Line"</th>
                    <th scope="col" class="num">"Amount"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Answer due"</th>
                    <th scope="col">"Outcome"</th>
                </tr>
            </thead>
            <tbody>
                {disputes.into_iter().map(|dispute| {
                    let outcome = dispute_outcome(&dispute);
                    let open = dispute.is_open();
                    view! {
                        <tr data-dispute-id=dispute.id.clone() data-status=dispute.status.clone()>
                            <td class="nowrap">{format::date(&dispute.raised_at)}</td>
                            <td>
                                {format!("{} · {}", dispute.line.component, kind_label(&dispute.line.kind))}
                                <div class="small muted">{format::month(&dispute.line.period)}</div>
                            </td>
                            <MoneyCell money=Some(dispute.line.amount.clone()) />
                            <td>{dispute.reason.clone()}</td>
                            <td><CommissionDisputeBadge status=dispute.status.clone() /></td>
                            <td><AnswerDue due_at=dispute.answer_due_at.clone() open=open /></td>
                            <td data-test="dispute-outcome">{outcome}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
