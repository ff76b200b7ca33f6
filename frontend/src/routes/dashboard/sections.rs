//! The dashboard's figure cards and its sections: revenue, invoicing, AR aging, commissions,
//! alerts with the renewals by month, and the data-quality rules.

use super::*;

/// One figure: its name, its value as a link to the rows (or page) behind it, and a note.
#[component]
fn FigureCard(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into)] href: String,
    /// The figure's key, for tests and for the drill-down it opens.
    key: &'static str,
    #[prop(optional, into)] note: Option<String>,
    /// The colour swatch of a movement, so the figure reads with the chart.
    #[prop(optional)]
    swatch: Option<&'static str>,
    #[prop(default = false)] negative: bool,
    #[prop(optional)] badge: Option<(Tone, String)>,
    /// More under the note, such as a second figure that opens its own rows.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="figure-card" data-figure-card=key>
            <dt>
                {swatch.map(|class| view! { <span class=format!("swatch {class}") aria-hidden="true"></span> })}
                {label}
            </dt>
            <dd class="figure" class:negative=negative>
                <a class="figure-link" href=href data-figure=key>{value}</a>
            </dd>
            {badge.map(|(tone, label)| view! { <dd><Badge tone=tone label=label /></dd> })}
            {note.map(|note| view! { <dd class="small muted">{note}</dd> })}
            {children.map(|children| view! { <dd class="figure-more">{children()}</dd> })}
        </div>
    }
}

/// An amount with its sign, as a change: `+$225.00`, `-$25.00`, `$0.00`.
pub(super) fn signed(money: &Money) -> String {
    if format::is_negative(&money.amount) || format::is_zero(&money.amount) {
        money.display()
    } else {
        format!("+{}", money.display())
    }
}

/// A movement that takes MRR away, shown below zero.
pub(super) fn loss(money: &Money) -> Money {
    if format::is_zero(&money.amount) {
        money.clone()
    } else {
        Money {
            amount: negate(&money.amount),
            currency: money.currency.clone(),
        }
    }
}

pub(super) fn count_text(count: i64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

#[component]
pub(super) fn RevenueSection(
    revenue: DashboardRevenue,
    window_start: String,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
    movements: LocalResource<Result<Option<Vec<api::MrrMonth>>, ApiError>>,
    currency: String,
) -> impl IntoView {
    let bridge = revenue.movements.clone();
    let net_note = match &bridge.net_percent {
        Some(percent) => {
            let text = format::percent_text(percent);
            let sign = if format::is_negative(percent) || format::is_zero(percent) {
                ""
            } else {
                "+"
            };
            format!("{sign}{text} on the opening MRR")
        }
        None => "No MRR to start from".to_string(),
    };
    let since = format!("Since {}", format::date(&window_start));
    let opening_day = format::add_days(&window_start, -1).unwrap_or_else(|| window_start.clone());
    view! {
        <section class="panel dashboard-section" data-test="dashboard-revenue" aria-labelledby="dashboard-revenue-heading">
            <div class="panel-header">
                <h2 id="dashboard-revenue-heading">"Revenue"</h2>
                <span class="muted small">
                    {format!(
                        "Opening MRR {} on {} → {} now",
                        bridge.opening.display(),
                        format::date(&opening_day),
                        bridge.closing.display()
                    )}
                </span>
            </div>
            <dl class="figures">
                <FigureCard label="MRR" value=revenue.mrr.display() href=link("MRR") key="MRR"
                    note=count_text(revenue.paying_customers, "paying customer", "paying customers") />
                <FigureCard label="ARR" value=revenue.arr.display() href=link("MRR") key="ARR" note="MRR × 12" />
                <FigureCard label="New MRR" value=bridge.new.display() href=link("NEW_MRR") key="NEW_MRR"
                    swatch=MRR_NEW.class note=since.clone() />
                <FigureCard label="Reactivation" value=bridge.reactivation.display() href=link("REACTIVATION_MRR")
                    key="REACTIVATION_MRR" swatch=MRR_REACTIVATION.class note=since.clone() />
                <FigureCard label="Expansion" value=bridge.expansion.display() href=link("EXPANSION_MRR")
                    key="EXPANSION_MRR" swatch=MRR_EXPANSION.class note=since.clone() />
                <FigureCard label="Contraction" value=loss(&bridge.contraction).display() href=link("CONTRACTION_MRR")
                    key="CONTRACTION_MRR" swatch=MRR_CONTRACTION.class note=since.clone()
                    negative=format::is_negative(&loss(&bridge.contraction).amount) />
                <FigureCard label="Churned" value=loss(&bridge.churn).display() href=link("CHURNED_MRR")
                    key="CHURNED_MRR" swatch=MRR_CHURN.class note=since.clone()
                    negative=format::is_negative(&loss(&bridge.churn).amount) />
                <FigureCard label="Net MRR change" value=signed(&bridge.net_change) href=link(NET_MRR)
                    key=NET_MRR note=net_note negative=format::is_negative(&bridge.net_change.amount) />
            </dl>
            <h3>"MRR movements, last 12 months"</h3>
            {move || match movements.get() {
                None => view! { <LoadingPanel label="Loading the MRR movements…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorPanel error=error retry=Callback::new(move |()| movements.refetch()) /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
                Some(Ok(Some(months))) => view! { <MrrMovementChart months=months currency=currency.clone() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
pub(super) fn InvoicingSection(
    invoicing: DashboardInvoicing,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let paid_note = match &invoicing.average_days_to_pay {
        Some(days) => format!(
            "{} · paid in {} days on average",
            count_text(invoicing.paid_count, "invoice", "invoices"),
            format::one_decimal(days)
        ),
        None => count_text(invoicing.paid_count, "invoice", "invoices"),
    };
    let (escalate_tone, escalate_text) = if invoicing.over60_count > 0 {
        (
            Tone::Danger,
            format!("{} over 60 days: to escalate", invoicing.over60_count),
        )
    } else {
        (Tone::Good, "None over 60 days to escalate".to_string())
    };
    view! {
        <section class="panel dashboard-section" data-test="dashboard-invoicing" aria-labelledby="dashboard-invoicing-heading">
            <div class="panel-header"><h2 id="dashboard-invoicing-heading">"Invoicing"</h2></div>
            <dl class="figures">
                <FigureCard label="Issued" value=invoicing.issued_total.display() href=link("INVOICES_ISSUED")
                    key="INVOICES_ISSUED" note=count_text(invoicing.issued_count, "invoice", "invoices") />
                <FigureCard label="Paid" value=invoicing.paid_total.display() href=link("INVOICES_PAID")
                    key="INVOICES_PAID" note=paid_note />
                <FigureCard label="Outstanding" value=invoicing.outstanding_total.display() href=link("OUTSTANDING")
                    key="OUTSTANDING" note=count_text(invoicing.outstanding_count, "open invoice", "open invoices") />
                <FigureCard label="Overdue" value=invoicing.overdue_total.display() href=link("OVERDUE")
                    key="OVERDUE" note=count_text(invoicing.overdue_count, "invoice past due", "invoices past due")>
                    <a href=link("OVERDUE_OVER_60") data-figure="OVERDUE_OVER_60" class="escalate-link"
                        title="Open invoices more than 60 days old">
                        <Badge tone=escalate_tone label=escalate_text />
                    </a>
                </FigureCard>
            </dl>
        </section>
    }
}

/// The dashboard's aging in the shape the aging chart and table draw.
fn aging_summary(aging: &DashboardAging, currency: &str) -> AgingSummary {
    ordered(AgingSummary {
        currency: currency.to_string(),
        total: aging.total.clone(),
        count: aging.lines.iter().map(|line| line.count).sum(),
        buckets: aging
            .lines
            .iter()
            .map(|line| AgingBucketTotal {
                bucket: line.bucket.clone(),
                label: line.label.clone(),
                amount: line.amount.clone(),
                count: line.count,
                percent: line.percent.clone(),
            })
            .collect(),
    })
}

#[component]
pub(super) fn AgingSection(
    aging: DashboardAging,
    currency: String,
    as_of: String,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let summary = aging_summary(&aging, &currency);
    let chart_href = Callback::new(move |bucket: String| link(bucket_figure(&bucket)));
    let totals_href = Callback::new(move |bucket: Option<String>| {
        link(bucket.as_deref().map_or("OUTSTANDING", bucket_figure))
    });
    view! {
        <section class="panel dashboard-section" data-test="dashboard-aging" aria-labelledby="dashboard-aging-heading">
            <div class="panel-header">
                <h2 id="dashboard-aging-heading">"AR aging"</h2>
                <span class="muted small">{format!("Open receivables on {}, aged from the invoice date, in {currency}.", format::date(&as_of))}</span>
            </div>
            {if summary.count == 0 {
                view! {
                    <EmptyState
                        title="No open receivables"
                        hint="Issued invoices that are not fully paid appear here by age."
                    />
                }.into_any()
            } else {
                view! {
                    <AgingChart summary=summary.clone() basis="INVOICE_DATE" href=chart_href />
                    <AgingTotals summary=summary href=totals_href />
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub(super) fn CommissionsSection(
    commissions: DashboardCommissions,
    own_book: bool,
) -> impl IntoView {
    let can_all = session::can("COMMISSION_ALL_READ").get_untracked();
    let earned_href = if own_book || !can_all {
        "/commissions"
    } else {
        "/commissions/team"
    };
    let payable_href = if can_all {
        "/commissions/payouts"
    } else {
        "/commissions"
    };
    let overdue = (commissions.overdue_disputes > 0).then(|| {
        (
            Tone::Danger,
            format!("{} past the answer date", commissions.overdue_disputes),
        )
    });
    view! {
        <section class="panel dashboard-section" data-test="dashboard-commissions" aria-labelledby="dashboard-commissions-heading">
            <div class="panel-header"><h2 id="dashboard-commissions-heading">"Commissions"</h2></div>
            <dl class="figures">
                <FigureCard label="Earned this month" value=commissions.earned_month_to_date.display()
                    href=earned_href key="COMMISSIONS_EARNED" note="Month to date, after clawbacks" />
                <FigureCard label="Payable" value=commissions.payable.display() href=payable_href
                    key="COMMISSIONS_PAYABLE"
                    note=format!("Next payout {}", format::date(&commissions.next_payout_date)) />
                <FigureCard label="Open disputes" value=commissions.open_disputes.to_string()
                    href="/commissions/disputes" key="COMMISSION_DISPUTES"
                    note="Statement lines reps have disputed"
                    badge=overdue.unwrap_or((Tone::Good, "None overdue".to_string())) />
            </dl>
        </section>
    }
}

#[component]
pub(super) fn AlertsSection(
    alerts: DashboardAlerts,
    link: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
    renewals: LocalResource<Result<Option<Vec<Renewal>>, ApiError>>,
    over_limit: OverLimitResource,
    currency: String,
) -> impl IntoView {
    let at_risk_badge = (alerts.renewals_at_risk > 0).then(|| {
        (
            Tone::Danger,
            format!("{} Yellow or Red", alerts.renewals_at_risk),
        )
    });
    let hold_count = alerts.credit_holds.len();
    let holds: Vec<_> = alerts
        .credit_holds
        .iter()
        .take(HOLDS_SHOWN)
        .cloned()
        .collect();
    view! {
        <section class="panel dashboard-section" data-test="dashboard-alerts" aria-labelledby="dashboard-alerts-heading">
            <div class="panel-header">
                <h2 id="dashboard-alerts-heading">"Alerts"</h2>
                <a href="/renewals?days=30" data-test="open-renewals">"Open the renewal pipeline"</a>
            </div>
            <dl class="figures">
                <FigureCard label="Renewals due in 30 days" value=alerts.renewals_due.to_string()
                    href=link("RENEWALS_DUE") key="RENEWALS_DUE"
                    note=format!("{} ARR renewing", alerts.renewals_arr.display()) />
                <FigureCard label="ARR at risk" value=alerts.arr_at_risk.display() href=link("RENEWALS_DUE")
                    key="ARR_AT_RISK" note="Renewals due in 30 days marked Yellow or Red"
                    badge=at_risk_badge.unwrap_or((Tone::Good, "None at risk".to_string())) />
                <FigureCard label="Blocked for a missing PO" value=alerts.blocked_po_amount.display()
                    href=link("BLOCKED_PO") key="BLOCKED_PO"
                    note=count_text(alerts.blocked_po_count, "invoice held", "invoices held") />
                <FigureCard label="On credit hold" value=alerts.credit_holds.len().to_string()
                    href=link("CREDIT_HOLDS") key="CREDIT_HOLDS" note="Customers whose new business is stopped" />
            </dl>
            {move || match over_limit.get() {
                None => view! { <LoadingRows rows=2 columns=4 /> }.into_any(),
                Some(Err(error)) => view! {
                    <ErrorPanel error=error retry=Callback::new(move |()| over_limit.refetch()) />
                }.into_any(),
                Some(Ok(rows)) => view! { <OverLimitTable rows=rows.unwrap_or_default() /> }.into_any(),
            }}
            <div class="subsection" data-test="credit-holds">
                <h3>"Customers on credit hold"</h3>
                {if holds.is_empty() {
                    view! { <p class="muted">"No customer is on credit hold."</p> }.into_any()
                } else {
                    view! {
                        <table class="table compact">
                            <thead>
                                <tr>
                                    <th scope="col">"Customer"</th>
                                    <th scope="col">"On hold since"</th>
                                    <th scope="col">"Reason"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {holds.into_iter().map(|hold| view! {
                                    <tr>
                                        <td><a href=format!("/customers/{}", hold.customer_id)>{hold.name}</a></td>
                                        <td class="nowrap">{hold.since.as_deref().map_or_else(|| "—".to_string(), format::date)}</td>
                                        <td>{hold.reason.unwrap_or_else(|| "—".to_string())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(hold_count > HOLDS_SHOWN).then(|| view! {
                            <p class="small">
                                <a href=link("CREDIT_HOLDS")>{format!("Show all {hold_count} customers on credit hold")}</a>
                            </p>
                        })}
                    }.into_any()
                }}
            </div>
            {move || match renewals.get() {
                Some(Ok(Some(rows))) => view! { <RenewalsByMonth rows=rows currency=currency.clone() /> }.into_any(),
                Some(Err(error)) => view! {
                    <div class="subsection">
                        <h3>"Renewals by month"</h3>
                        <ErrorPanel error=error retry=Callback::new(move |()| renewals.refetch()) />
                    </div>
                }.into_any(),
                None => view! { <LoadingPanel label="Loading the renewals…" /> }.into_any(),
                Some(Ok(None)) => ().into_any(),
            }}
        </section>
    }
}

/// The renewals of the next 90 days by the month they renew in: a bar of ARR per month with
/// the number of contracts on hover and in the table under it.
#[component]
fn RenewalsByMonth(rows: Vec<Renewal>, currency: String) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <div class="subsection" data-test="renewals-by-month">
                <h3>"Renewals by month, next 90 days"</h3>
                <p class="muted">"No contract renews in the next 90 days."</p>
            </div>
        }
        .into_any();
    }
    // Every month the 90 days touch, from the server's today, so empty months show as such.
    let today = rows.iter().find_map(Renewal::server_today);
    let first = today
        .as_deref()
        .map(month_of)
        .or_else(|| rows.iter().map(|row| month_of(&row.renewal_date)).min());
    let last = today
        .as_deref()
        .and_then(|today| format::add_days(today, 89))
        .map(|day| month_of(&day))
        .into_iter()
        .chain(rows.iter().map(|row| month_of(&row.renewal_date)))
        .max();
    let months = match (first, last) {
        (Some(first), Some(last)) => months_between(&first, &last),
        _ => Vec::new(),
    };
    // Without an FX rate a renewal has no functional ARR; it is counted but not in the bar.
    let missing_rate = rows
        .iter()
        .filter(|row| row.arr_functional.is_none())
        .count();
    let by_month: Vec<(String, usize, Money)> = months
        .iter()
        .map(|month| {
            let in_month: Vec<&Renewal> = rows
                .iter()
                .filter(|row| month_of(&row.renewal_date) == *month)
                .collect();
            let amounts: Vec<&Money> = in_month
                .iter()
                .filter_map(|row| row.arr_functional.as_ref())
                .collect();
            let total = format::sum_amounts(amounts.iter().map(|money| money.amount.as_str()))
                .unwrap_or_else(|| "0".to_string());
            (
                month.clone(),
                in_month.len(),
                Money {
                    amount: total,
                    currency: currency.clone(),
                },
            )
        })
        .collect();
    let chart_months: Vec<ChartMonth> = by_month
        .iter()
        .map(|(month, _, arr)| ChartMonth {
            month: month.clone(),
            values: vec![arr.clone()],
        })
        .collect();
    let notes: Vec<String> = by_month
        .iter()
        .map(|(_, count, _)| count_text(*count as i64, "contract", "contracts"))
        .collect();
    view! {
        <div class="subsection" data-test="renewals-by-month">
            <h3>"Renewals by month, next 90 days"</h3>
            <MonthChart
                currency=currency.clone()
                series=vec![Series { class: "renewal-arr", label: "ARR renewing" }]
                months=chart_months
                title="ARR renewing"
                test_id="renewals-chart"
                notes=notes
            />
            <table class="table compact renewals-by-month">
                <thead>
                    <tr>
                        <th scope="col">"Month"</th>
                        <th scope="col" class="num">"Contracts"</th>
                        <th scope="col" class="num">{format!("ARR ({currency})")}</th>
                    </tr>
                </thead>
                <tbody>
                    {by_month.into_iter().map(|(month, count, arr)| view! {
                        <tr>
                            <td><a href=format!("/renewals?days=90&month={month}")>{format::month(&month)}</a></td>
                            <td class="num">{count}</td>
                            <MoneyCell money=Some(arr) />
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(missing_rate > 0).then(|| view! {
                <p class="muted small">
                    {format!("{} without an FX rate to {currency} counted but not in the ARR.", count_text(missing_rate as i64, "renewal", "renewals"))}
                </p>
            })}
        </div>
    }
    .into_any()
}

#[component]
pub(super) fn QualitySection(
    rules: Vec<QualityRule>,
    expanded: RwSignal<HashSet<String>>,
) -> impl IntoView {
    view! {
        <section class="panel dashboard-section" data-test="dashboard-quality" aria-labelledby="dashboard-quality-heading">
            <div class="panel-header">
                <h2 id="dashboard-quality-heading">"Quality rules"</h2>
                <span class="muted small">"Whether each commitment was kept over the window; open a rule to see its items."</span>
            </div>
            {if rules.is_empty() {
                view! { <p class="muted">"No quality rules apply to this window."</p> }.into_any()
            } else {
                view! {
                    <ul class="quality-rules">
                        {rules.into_iter().map(|rule| view! { <QualityRuleRow rule=rule expanded=expanded /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn QualityRuleRow(rule: QualityRule, expanded: RwSignal<HashSet<String>>) -> impl IntoView {
    let key = StoredValue::new(rule.key.clone());
    let is_open = move || expanded.with(|set| key.with_value(|key| set.contains(key)));
    let toggle = move |_| {
        let key = key.get_value();
        expanded.update(|set| {
            if !set.remove(&key) {
                set.insert(key);
            }
        });
    };
    let panel_id = format!("quality-{}", rule.key);
    let (tone, label) = if rule.met {
        (Tone::Good, "Met".to_string())
    } else {
        (Tone::Danger, format!("Late: {}", rule.late))
    };
    let items = rule.items.clone();
    let count = items.len();
    view! {
        <li class="quality-rule" data-rule=rule.key.clone() data-met=rule.met.to_string()>
            <button
                type="button"
                class="disclosure"
                aria-expanded=move || if is_open() { "true" } else { "false" }
                aria-controls=panel_id.clone()
                on:click=toggle
            >
                <span class="disclosure-arrow" aria-hidden="true">{move || if is_open() { "▾" } else { "▸" }}</span>
                <span class="quality-title">{rule.title.clone()}</span>
                <Badge tone=tone label=label />
                <span class="muted small">{count_text(count as i64, "item", "items")}</span>
            </button>
            <div id=panel_id hidden=move || !is_open()>
                {if items.is_empty() {
                    view! { <p class="muted small">"Nothing fell under this rule in the window."</p> }.into_any()
                } else {
                    view! {
                        <table class="table compact quality-items">
                            <thead>
                                <tr>
                                    <th scope="col">"Item"</th>
                                    <th scope="col">"Due"</th>
                                    <th scope="col">"Done"</th>
                                    <th scope="col">"Status"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {items.into_iter().map(|item| {
                                    let status = match (item.late, item.done_at.is_some()) {
                                        (true, _) => view! { <Badge tone=Tone::Danger label="Late" /> },
                                        (false, true) => view! { <Badge tone=Tone::Good label="On time" /> },
                                        (false, false) => view! { <Badge tone=Tone::Neutral label="Open" /> },
                                    };
                                    view! {
                                        <tr class:row-late=item.late>
                                            <td>
                                                {match item.link {
                                                    Some(link) => view! { <a href=link>{item.label}</a> }.into_any(),
                                                    None => view! { <span>{item.label}</span> }.into_any(),
                                                }}
                                            </td>
                                            <td class="nowrap">{item.due_at.as_deref().map_or_else(|| "—".to_string(), format::date_time)}</td>
                                            <td class="nowrap">{item.done_at.as_deref().map_or_else(|| "Not yet".to_string(), format::date_time)}</td>
                                            <td>{status}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </div>
        </li>
    }
}

/// Customers whose exposure (open invoices, held drafts and the next 30 days' scheduled
/// charges) is over their credit limit, largest excess first.
#[component]
fn OverLimitTable(rows: Vec<DashboardOverLimitCustomer>) -> impl IntoView {
    view! {
        <div class="subsection" data-test="over-credit-limit">
            <h3>"Customers over their credit limit"</h3>
            {if rows.is_empty() {
                view! { <p class="muted">"No customer's exposure is over its credit limit."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table compact">
                            <thead>
                                <tr>
                                    <th scope="col">"Customer"</th>
                                    <th scope="col" class="num">"Exposure"</th>
                                    <th scope="col" class="num">"Credit limit"</th>
                                    <th scope="col" class="num">"Over by"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|row| view! {
                                    <tr title=row.explanation.clone()>
                                        <td><a href=format!("/customers/{}", row.customer_id)>{row.name}</a></td>
                                        <MoneyCell money=Some(row.exposure) />
                                        <MoneyCell money=Some(row.limit) />
                                        <MoneyCell money=row.over_by />
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </div>
    }
}
