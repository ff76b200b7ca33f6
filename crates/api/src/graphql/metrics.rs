//! The dashboard, its drill-down rows, MRR movements by month and the expansion report. Every
//! amount is in the functional currency unless it says otherwise.

use super::types::Money;
use super::{actor, app};
use crate::metrics::{self, DashboardFigure, DashboardPeriod};
use crate::money::{Currency, Money as DomainMoney};
use crate::receivables::aging::AgingBucket;
use crate::renewals::expansion::{self, ExpansionKind};
use crate::values::IsoDate;
use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

fn money(minor: i64, currency: Currency) -> Money {
    Money::from(DomainMoney::from_minor(minor, currency))
}

/// The MRR bridge over a window: each movement as a positive amount.
#[derive(SimpleObject)]
pub struct MrrBridge {
    pub opening: Money,
    pub new: Money,
    pub reactivation: Money,
    pub expansion: Money,
    pub contraction: Money,
    pub churn: Money,
    pub closing: Money,
    /// new + reactivation + expansion − contraction − churn (= closing − opening).
    pub net_change: Money,
    /// Net change over the opening MRR, e.g. "4.25"; null from nothing.
    pub net_percent: Option<String>,
}

fn bridge(movements: &crate::recurring::rules::Movements, currency: Currency) -> MrrBridge {
    MrrBridge {
        opening: money(movements.opening, currency),
        new: money(movements.new, currency),
        reactivation: money(movements.reactivation, currency),
        expansion: money(movements.expansion, currency),
        contraction: money(movements.contraction, currency),
        churn: money(movements.churn, currency),
        closing: money(movements.closing, currency),
        net_change: money(movements.net(), currency),
        net_percent: movements.net_percent().map(|value| value.to_string()),
    }
}

#[derive(SimpleObject)]
pub struct DashboardRevenue {
    pub mrr: Money,
    pub arr: Money,
    pub paying_customers: i64,
    /// From the day before the window to the as-of date.
    pub movements: MrrBridge,
}

#[derive(SimpleObject)]
pub struct DashboardInvoicing {
    pub issued_count: i64,
    pub issued_total: Money,
    pub paid_count: i64,
    pub paid_total: Money,
    /// Mean days from issue to payment of the invoices paid in the window, e.g. "23.5".
    pub average_days_to_pay: Option<String>,
    pub outstanding_count: i64,
    pub outstanding_total: Money,
    pub overdue_count: i64,
    pub overdue_total: Money,
    /// Open invoices over 60 days old: to escalate.
    pub over_60_count: i64,
}

#[derive(SimpleObject)]
pub struct DashboardAgingLine {
    pub bucket: AgingBucket,
    pub label: String,
    pub amount: Money,
    pub count: i64,
    /// Percent of AR, e.g. "12.50".
    pub percent: String,
    pub flag: Option<String>,
}

#[derive(SimpleObject)]
pub struct DashboardAging {
    pub total: Money,
    pub lines: Vec<DashboardAgingLine>,
}

#[derive(SimpleObject)]
pub struct DashboardCommissions {
    pub earned_month_to_date: Money,
    pub payable: Money,
    pub next_payout_date: IsoDate,
    pub open_disputes: i64,
    pub overdue_disputes: i64,
}

#[derive(SimpleObject)]
pub struct DashboardHeldCustomer {
    pub customer_id: ID,
    pub name: String,
    pub since: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// A customer whose exposure is over its credit limit (amounts in the limit's currency).
#[derive(SimpleObject)]
pub struct DashboardOverLimitCustomer {
    pub customer_id: ID,
    pub name: String,
    pub exposure: Money,
    pub limit: Money,
    pub over_by: Option<Money>,
    pub explanation: String,
}

#[derive(SimpleObject)]
pub struct DashboardAlerts {
    pub renewals_due: i64,
    pub renewals_arr: Money,
    pub renewals_at_risk: i64,
    pub arr_at_risk: Money,
    pub blocked_po_count: i64,
    pub blocked_po_amount: Money,
    pub credit_holds: Vec<DashboardHeldCustomer>,
}

#[derive(SimpleObject)]
pub struct QualityItem {
    pub label: String,
    pub link: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub late: bool,
}

#[derive(SimpleObject)]
pub struct QualityRule {
    pub key: String,
    pub title: String,
    pub met: bool,
    pub late: i64,
    pub items: Vec<QualityItem>,
}

/// The revenue-ops dashboard. A section the reader's role does not see is null.
#[derive(SimpleObject)]
pub struct Dashboard {
    pub as_of: IsoDate,
    pub period: DashboardPeriod,
    pub window_start: IsoDate,
    /// The functional currency every amount is in.
    pub currency: String,
    /// True when the figures cover only the reader's own book.
    pub own_book: bool,
    pub revenue: Option<DashboardRevenue>,
    pub invoicing: Option<DashboardInvoicing>,
    pub aging: Option<DashboardAging>,
    pub commissions: Option<DashboardCommissions>,
    pub alerts: Option<DashboardAlerts>,
    pub quality: Option<Vec<QualityRule>>,
    /// E.g. a currency left out for want of an FX rate.
    pub warnings: Vec<String>,
}

impl From<metrics::Dashboard> for Dashboard {
    fn from(value: metrics::Dashboard) -> Dashboard {
        let currency = value.currency;
        Dashboard {
            as_of: IsoDate(value.as_of),
            period: value.period,
            window_start: IsoDate(value.window_start),
            currency: currency.code().to_string(),
            own_book: value.own_book,
            revenue: value.revenue.map(|section| DashboardRevenue {
                mrr: money(section.mrr, currency),
                arr: money(section.arr, currency),
                paying_customers: section.paying_customers,
                movements: bridge(&section.movements, currency),
            }),
            invoicing: value.invoicing.map(|section| DashboardInvoicing {
                issued_count: section.issued_count,
                issued_total: money(section.issued_total, currency),
                paid_count: section.paid_count,
                paid_total: money(section.paid_total, currency),
                average_days_to_pay: section.average_days_to_pay.map(|days| format!("{days:.1}")),
                outstanding_count: section.outstanding_count,
                outstanding_total: money(section.outstanding_total, currency),
                overdue_count: section.overdue_count,
                overdue_total: money(section.overdue_total, currency),
                over_60_count: section.over_60_count,
            }),
            aging: value.aging.map(|section| DashboardAging {
                total: money(section.total, currency),
                lines: section
                    .lines
                    .into_iter()
                    .map(|line| DashboardAgingLine {
                        bucket: line.bucket,
                        label: line.bucket.label().to_string(),
                        amount: money(line.amount, currency),
                        count: line.count,
                        percent: line.percent.to_string(),
                        flag: line.flag,
                    })
                    .collect(),
            }),
            commissions: value.commissions.map(|section| DashboardCommissions {
                earned_month_to_date: money(section.earned_month_to_date, currency),
                payable: money(section.payable, currency),
                next_payout_date: IsoDate(section.next_payout_date),
                open_disputes: section.open_disputes,
                overdue_disputes: section.overdue_disputes,
            }),
            alerts: value.alerts.map(|section| DashboardAlerts {
                renewals_due: section.renewals_due,
                renewals_arr: money(section.renewals_arr, currency),
                renewals_at_risk: section.renewals_at_risk,
                arr_at_risk: money(section.arr_at_risk, currency),
                blocked_po_count: section.blocked_po_count,
                blocked_po_amount: money(section.blocked_po_amount, currency),
                credit_holds: section
                    .credit_holds
                    .into_iter()
                    .map(|held| DashboardHeldCustomer {
                        customer_id: ID(held.customer_id.to_string()),
                        name: held.name,
                        since: held.since,
                        reason: held.reason,
                    })
                    .collect(),
            }),
            quality: value.quality.map(|rules| {
                rules
                    .into_iter()
                    .map(|rule| QualityRule {
                        key: rule.key,
                        title: rule.title,
                        met: rule.met,
                        late: rule.late,
                        items: rule
                            .items
                            .into_iter()
                            .map(|item| QualityItem {
                                label: item.label,
                                link: item.link,
                                due_at: item.due_at,
                                done_at: item.done_at,
                                late: item.late,
                            })
                            .collect(),
                    })
                    .collect()
            }),
            warnings: value.warnings,
        }
    }
}

/// A row behind a dashboard figure.
#[derive(SimpleObject)]
pub struct DashboardRow {
    pub reference: String,
    pub customer_id: Option<ID>,
    pub customer_name: String,
    pub date: Option<IsoDate>,
    /// In the row's own currency.
    pub amount: Option<Money>,
    /// In the functional currency.
    pub amount_functional: Money,
    pub detail: String,
    /// The web app page that shows the row.
    pub link: Option<String>,
}

/// One month of the MRR bridge.
#[derive(SimpleObject)]
pub struct MrrMonth {
    /// "YYYY-MM".
    pub month: String,
    /// The month's last day, or today for the current month.
    pub measured_on: IsoDate,
    pub movements: MrrBridge,
}

#[derive(SimpleObject)]
pub struct Expansion {
    pub kind: ExpansionKind,
    pub date: IsoDate,
    pub month: String,
    pub customer_id: ID,
    pub customer_name: String,
    pub contract_id: ID,
    pub contract_number: String,
    pub owner_id: Option<ID>,
    pub owner_name: Option<String>,
    pub product: String,
    pub detail: String,
    /// MRR added, in the contract currency (usage adds none).
    pub added_mrr: Money,
    /// The same in the functional currency.
    pub added_mrr_functional: Money,
    /// What was billed for it (prorated seats, usage), when billed.
    pub billed: Option<Money>,
    pub billed_functional: Money,
}

/// The expansion report with its totals per kind (functional currency).
#[derive(SimpleObject)]
pub struct ExpansionReport {
    pub rows: Vec<Expansion>,
    pub added_mrr: Money,
    pub billed: Money,
    pub warnings: Vec<String>,
}

#[derive(Default)]
pub struct MetricsQuery;

#[Object]
impl MetricsQuery {
    /// The revenue-ops dashboard for `asOf` (today when omitted) and the to-date `period`
    /// (month by default), with the sections the reader's role sees.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
        period: Option<DashboardPeriod>,
    ) -> async_graphql::Result<Dashboard> {
        Ok(app(ctx)
            .metrics
            .dashboard(
                actor(ctx)?,
                as_of.map(|date| date.0),
                period.unwrap_or(DashboardPeriod::Month),
            )
            .await?
            .into())
    }

    /// Customers whose exposure (open invoices, drafts waiting, the next 30 days' recurring
    /// charges) is over their credit limit on `asOf` (today when absent), largest excess first,
    /// at most 500: the dashboard's credit alert, asked for beside the dashboard.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn customers_over_credit_limit(
        &self,
        ctx: &Context<'_>,
        as_of: Option<IsoDate>,
    ) -> async_graphql::Result<Vec<DashboardOverLimitCustomer>> {
        Ok(app(ctx)
            .metrics
            .over_credit_limit(actor(ctx)?, as_of.map(|date| date.0))
            .await?
            .into_iter()
            .map(|over| DashboardOverLimitCustomer {
                customer_id: ID(over.customer_id.to_string()),
                name: over.name,
                exposure: over.exposure.into(),
                limit: over.limit.into(),
                over_by: over.over_by.map(Money::from),
                explanation: over.explanation,
            })
            .collect())
    }

    /// The rows behind one dashboard figure (at most 500).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn dashboard_rows(
        &self,
        ctx: &Context<'_>,
        figure: DashboardFigure,
        as_of: Option<IsoDate>,
        period: Option<DashboardPeriod>,
    ) -> async_graphql::Result<Vec<DashboardRow>> {
        let app = app(ctx);
        let currency = app.config.functional_currency;
        Ok(app
            .metrics
            .rows(
                actor(ctx)?,
                as_of.map(|date| date.0),
                period.unwrap_or(DashboardPeriod::Month),
                figure,
            )
            .await?
            .into_iter()
            .map(|row| DashboardRow {
                reference: row.reference,
                customer_id: row.customer_id.map(|id| ID(id.to_string())),
                customer_name: row.customer_name,
                date: row.date.map(IsoDate),
                amount: row.amount.map(Money::from),
                amount_functional: money(row.amount_functional, currency),
                detail: row.detail,
                link: row.link,
            })
            .collect())
    }

    /// The MRR bridge for each month `from`..`to` touch (at most 36).
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn mrr_movements(
        &self,
        ctx: &Context<'_>,
        from: IsoDate,
        to: IsoDate,
    ) -> async_graphql::Result<Vec<MrrMonth>> {
        let app = app(ctx);
        let currency = app.config.functional_currency;
        Ok(app
            .metrics
            .mrr_movements(actor(ctx)?, from.0, to.0)
            .await?
            .into_iter()
            .map(|month| MrrMonth {
                month: month.month,
                measured_on: IsoDate(month.measured_on),
                movements: bridge(&month.movements, currency),
            })
            .collect())
    }

    /// Seat expansions, module upsells, usage and renewal uplifts dated `from`..=`to`.
    #[graphql(complexity = "super::cost::REPORT + child_complexity")]
    async fn expansions(
        &self,
        ctx: &Context<'_>,
        from: IsoDate,
        to: IsoDate,
    ) -> async_graphql::Result<ExpansionReport> {
        let app = app(ctx);
        let currency = app.config.functional_currency;
        let (rows, warnings) = app.renewals.expansions(actor(ctx)?, from.0, to.0).await?;
        let added: i64 = rows.iter().map(|row| row.added_mrr_functional).sum();
        let billed: i64 = rows.iter().map(|row| row.billed_functional).sum();
        Ok(ExpansionReport {
            rows: rows
                .into_iter()
                .map(|row| expansion_row(row, currency))
                .collect(),
            added_mrr: money(added, currency),
            billed: money(billed, currency),
            warnings,
        })
    }
}

fn expansion_row(row: expansion::Expansion, currency: Currency) -> Expansion {
    Expansion {
        kind: row.kind,
        date: IsoDate(row.date),
        month: row.month,
        customer_id: ID(row.customer_id.to_string()),
        customer_name: row.customer_name,
        contract_id: ID(row.contract_id.to_string()),
        contract_number: row.contract_number,
        owner_id: row.owner_id.map(|id| ID(id.to_string())),
        owner_name: row.owner_name,
        product: row.product,
        detail: row.detail,
        added_mrr: Money::from(row.added_mrr),
        added_mrr_functional: money(row.added_mrr_functional, currency),
        billed: row.billed.map(Money::from),
        billed_functional: money(row.billed_functional, currency),
    }
}
