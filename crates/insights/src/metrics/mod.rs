//! The revenue-ops dashboard and MRR movements (DESIGN area `metrics/`). Read models only: every
//! figure is computed from the rows its own area owns (contract lines for MRR, invoices and the
//! aging cells for AR, commission lines, the renewal pipeline), in the functional currency at
//! the as-of date's FX rate, so the dashboard always equals what each area reports.

use crate::access::{Actor, Permission, Role};
use crate::clock::SharedClock;
use crate::commissions::CommissionService;
use crate::entities::{
    commission_dispute, contract_line_change, customer, dispute, invoice, renewal_alert,
    revenue_modification, user,
};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use crate::pagination::PageRequest;
use crate::receivables::aging::{AgingBasis, AgingBucket};
use crate::receivables::report::AgingReport;
use crate::receivables::{own_customers, ReceivablesService};
use crate::recurring::{repo, rules};
use crate::renewals::{pipeline_on, Renewal};
use crate::telemetry::Lap;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use repo::RecurringBook;
use rules::{MovementKind, Movements};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The to-date window the dashboard's flows (new MRR, invoices issued and paid) cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum DashboardPeriod {
    Month,
    Quarter,
    Year,
}

impl DashboardPeriod {
    /// The first day of the window containing `as_of`.
    pub fn start(&self, as_of: NaiveDate) -> NaiveDate {
        let month = match self {
            DashboardPeriod::Month => as_of.month(),
            DashboardPeriod::Quarter => (as_of.month() - 1) / 3 * 3 + 1,
            DashboardPeriod::Year => 1,
        };
        NaiveDate::from_ymd_opt(as_of.year(), month, 1).unwrap_or(as_of)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RevenueSection {
    pub mrr: i64,
    pub arr: i64,
    /// Customers with MRR on the as-of date.
    pub paying_customers: i64,
    /// From the day before the window to the as-of date, both at the as-of rate.
    pub movements: Movements,
    pub net_percent: Option<Decimal>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct InvoicingSection {
    pub issued_count: i64,
    pub issued_total: i64,
    pub paid_count: i64,
    pub paid_total: i64,
    /// Plain mean of (paid date − issue date) over the invoices paid in the window.
    pub average_days_to_pay: Option<Decimal>,
    pub outstanding_count: i64,
    pub outstanding_total: i64,
    pub overdue_count: i64,
    pub overdue_total: i64,
    /// Open invoices more than 60 days old (the ladder's credit-hold step): escalate.
    pub over_60_count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgingLine {
    pub bucket: AgingBucket,
    pub amount: i64,
    pub count: i64,
    pub percent: Decimal,
    /// "Proactive collections" for 61–90, "CFO escalation" over 90.
    pub flag: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgingSection {
    pub total: i64,
    pub lines: Vec<AgingLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommissionSection {
    pub earned_month_to_date: i64,
    pub payable: i64,
    pub next_payout_date: NaiveDate,
    pub open_disputes: i64,
    pub overdue_disputes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeldCustomer {
    pub customer_id: i64,
    pub name: String,
    pub since: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertSection {
    pub renewals_due: i64,
    /// ARR of every renewal due in 30 days.
    pub renewals_arr: i64,
    pub renewals_at_risk: i64,
    /// ARR of the Yellow and Red ones among them.
    pub arr_at_risk: i64,
    pub blocked_po_count: i64,
    pub blocked_po_amount: i64,
    pub credit_holds: Vec<HeldCustomer>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QualityItem {
    pub label: String,
    pub link: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub late: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct QualityRule {
    pub key: String,
    pub title: String,
    pub met: bool,
    pub late: i64,
    pub items: Vec<QualityItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    pub period: DashboardPeriod,
    pub window_start: NaiveDate,
    pub currency: Currency,
    /// True when the figures are the reader's own book (AE, account manager).
    pub own_book: bool,
    pub revenue: Option<RevenueSection>,
    pub invoicing: Option<InvoicingSection>,
    pub aging: Option<AgingSection>,
    pub commissions: Option<CommissionSection>,
    pub alerts: Option<AlertSection>,
    pub quality: Option<Vec<QualityRule>>,
    pub warnings: Vec<String>,
}

/// One month of the MRR bridge.
#[derive(Debug, Clone, Serialize)]
pub struct MonthMovements {
    /// "YYYY-MM".
    pub month: String,
    pub measured_on: NaiveDate,
    pub movements: Movements,
    pub net_percent: Option<Decimal>,
}

/// One customer's move behind a movement figure.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerMovement {
    pub customer_id: i64,
    pub customer_name: String,
    pub kind: Option<MovementKind>,
    pub before: i64,
    pub after: i64,
}

/// A figure on the dashboard that can be opened to its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, async_graphql::Enum)]
pub enum DashboardFigure {
    Mrr,
    NewMrr,
    ReactivationMrr,
    ExpansionMrr,
    ContractionMrr,
    ChurnedMrr,
    InvoicesIssued,
    InvoicesPaid,
    Outstanding,
    Overdue,
    OverdueOver60,
    AgingCurrent,
    Aging31To60,
    Aging61To90,
    AgingOver90,
    RenewalsDue,
    BlockedPo,
    CreditHolds,
}

/// A row behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardRow {
    pub reference: String,
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub date: Option<NaiveDate>,
    /// In the row's own currency.
    pub amount: Option<Money>,
    /// In the functional currency at the as-of rate.
    pub amount_functional: i64,
    pub detail: String,
    pub link: Option<String>,
}

const ROW_LIMIT: u64 = 500;
/// Renewals this close are the dashboard's alerts.
const ALERT_DAYS: i64 = 30;

#[derive(Clone)]
pub struct MetricsService {
    db: DatabaseConnection,
    clock: SharedClock,
    functional: Currency,
    receivables: ReceivablesService,
    commissions: CommissionService,
    books: repo::Books,
}

#[derive(Debug, FromQueryResult)]
struct InvoiceSum {
    currency: String,
    count: i64,
    total: i64,
    days: Option<i64>,
}

/// A customer's move across a bridge: (customer, kind, MRR before, MRR after).
type CustomerMove = (i64, Option<MovementKind>, i64, i64);

/// Per-customer MRR on two dates in the functional currency (both at `rate_on`).
struct Bridge {
    before: BTreeMap<i64, i64>,
    after: BTreeMap<i64, i64>,
}

fn check_dates(as_of: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if as_of > today + Duration::days(366) {
        return Err(AppError::validation(
            "asOf",
            "Choose an as-of date at most a year ahead.",
        ));
    }
    Ok(())
}

impl MetricsService {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        functional: Currency,
        receivables: ReceivablesService,
        commissions: CommissionService,
        books: repo::Books,
    ) -> MetricsService {
        MetricsService {
            db,
            clock,
            functional,
            receivables,
            commissions,
            books,
        }
    }

    fn customer_mrr(
        &self,
        book: &RecurringBook,
        on: NaiveDate,
        rate_on: NaiveDate,
        reference: &Reference,
        warnings: &mut Vec<String>,
    ) -> BTreeMap<i64, i64> {
        let mut by_customer: BTreeMap<i64, i64> = BTreeMap::new();
        for ((customer_id, currency), amount) in book.mrr_by(on, |line| line.customer_id) {
            let converted = reference.functional_total(
                [Money::from_minor(amount, currency)],
                rate_on,
                warnings,
            );
            *by_customer.entry(customer_id).or_default() += converted;
        }
        by_customer.retain(|_, amount| *amount != 0);
        by_customer
    }

    fn bridge(
        &self,
        book: &RecurringBook,
        opening: NaiveDate,
        closing: NaiveDate,
        reference: &Reference,
        warnings: &mut Vec<String>,
    ) -> Bridge {
        Bridge {
            before: self.customer_mrr(book, opening, closing, reference, warnings),
            after: self.customer_mrr(book, closing, closing, reference, warnings),
        }
    }

    /// The customers' moves across a bridge, and their totals. `opening` is the day whose MRR
    /// the bridge starts from.
    fn moves(
        book: &RecurringBook,
        bridge: &Bridge,
        opening: NaiveDate,
    ) -> (Movements, Vec<CustomerMove>) {
        let customers: BTreeSet<i64> = bridge
            .before
            .keys()
            .chain(bridge.after.keys())
            .copied()
            .collect();
        let mut totals = Movements::default();
        let mut rows = Vec::new();
        for customer_id in customers {
            let before = bridge.before.get(&customer_id).copied().unwrap_or(0);
            let after = bridge.after.get(&customer_id).copied().unwrap_or(0);
            let kind = totals.add(before, after, book.started_before(customer_id, opening));
            rows.push((customer_id, kind, before, after));
        }
        (totals, rows)
    }

    /// The MRR bridge month by month for the months `from`..=`to` touch (at most 36), each
    /// measured on its last day (or today for the current month) at that day's rate.
    pub async fn mrr_movements(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<MonthMovements>> {
        actor.require(Permission::MetricsRead)?;
        Self::require_revenue(actor)?;
        if to < from {
            return Err(AppError::validation(
                "to",
                "The range ends before it starts.",
            ));
        }
        let first = DashboardPeriod::Month.start(from);
        let months = (to.year() - first.year()) * 12 + to.month() as i32 - first.month() as i32 + 1;
        if months > 36 {
            return Err(AppError::validation(
                "to",
                "Ask for at most 36 months of movements at once.",
            ));
        }
        let today = self.clock.today();
        let book = self.books.get(&self.db, own_customers(actor)).await?;
        let reference = Reference::load(&self.db, self.functional).await?;
        let mut warnings = Vec::new();
        let mut result = Vec::new();
        let mut month = first;
        for _ in 0..months {
            let next = crate::calendar::add_months(month, 1);
            let measured_on = (next - Duration::days(1)).min(today.max(month));
            let opening = month - Duration::days(1);
            let bridge = self.bridge(&book, opening, measured_on, &reference, &mut warnings);
            let (movements, _) = Self::moves(&book, &bridge, opening);
            result.push(MonthMovements {
                month: month.format("%Y-%m").to_string(),
                measured_on,
                net_percent: movements.net_percent(),
                movements,
            });
            month = next;
        }
        Ok(result)
    }

    fn require_revenue(actor: &Actor) -> AppResult<()> {
        if actor.role == Role::ArSpecialist {
            return Err(AppError::Forbidden(
                "Recurring revenue figures are not part of the AR team's dashboard.".into(),
            ));
        }
        Ok(())
    }

    /// The whole dashboard for `as_of` and the to-date `period`, with the sections the actor's
    /// role sees.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        as_of: Option<NaiveDate>,
        period: DashboardPeriod,
    ) -> AppResult<Dashboard> {
        actor.require(Permission::MetricsRead)?;
        let today = self.clock.today();
        let as_of = as_of.unwrap_or(today);
        check_dates(as_of, today)?;
        let window_start = period.start(as_of);
        let reference = Reference::load(&self.db, self.functional).await?;
        let own = own_customers(actor);
        let reference = &reference;
        // The sections read independently, so on PostgreSQL they run side by side (SQLite's
        // single connection takes them in turn). Each keeps its own FX warnings.
        let revenue = async {
            let mut warnings = Vec::new();
            if Self::require_revenue(actor).is_err() {
                return AppResult::Ok((None, warnings));
            }
            let mut step = Lap::start("dashboard");
            let book = self.books.get(&self.db, own.clone()).await?;
            let opening = window_start - Duration::days(1);
            let bridge = self.bridge(&book, opening, as_of, reference, &mut warnings);
            let (movements, _) = Self::moves(&book, &bridge, opening);
            step.lap("revenue");
            Ok((
                Some(RevenueSection {
                    mrr: movements.closing,
                    arr: movements.closing * 12,
                    paying_customers: i64::try_from(bridge.after.len()).unwrap_or(i64::MAX),
                    net_percent: movements.net_percent(),
                    movements,
                }),
                warnings,
            ))
        };
        // Invoicing and aging are the receivables area's figures: shown to those who read it.
        let receivables = async {
            let mut warnings = Vec::new();
            if !actor.can(Permission::ReceivablesRead) {
                return AppResult::Ok((None, None, warnings));
            }
            let mut step = Lap::start("dashboard");
            let report = self
                .receivables
                .aging(actor, as_of, AgingBasis::InvoiceDate)
                .await?;
            let invoicing = self
                .invoicing(
                    actor,
                    as_of,
                    window_start,
                    &report,
                    reference,
                    &mut warnings,
                )
                .await?;
            let aging = Self::aging(&report, as_of, reference, &mut warnings);
            step.lap("invoicing and aging");
            Ok((Some(invoicing), Some(aging), warnings))
        };
        let commissions = async {
            let mut warnings = Vec::new();
            if !actor.can(Permission::CommissionRead) {
                return AppResult::Ok((None, warnings));
            }
            let summary = self.commissions.summary(actor).await?;
            let section = CommissionSection {
                earned_month_to_date: reference.functional_total(
                    summary.earned_month_to_date,
                    as_of,
                    &mut warnings,
                ),
                payable: reference.functional_total(summary.payable, as_of, &mut warnings),
                next_payout_date: summary.next_payout_date,
                open_disputes: i64::from(summary.open_disputes),
                overdue_disputes: i64::from(summary.overdue_disputes),
            };
            Ok((Some(section), warnings))
        };
        // One pipeline read (60 days) serves the 30-day alerts and the 60-day quality rule.
        let renewals = async {
            let mut warnings = Vec::new();
            let mut step = Lap::start("dashboard");
            let book = self.books.get(&self.db, None).await?;
            let renewals = pipeline_on(
                &self.db,
                &book,
                as_of,
                crate::renewals::rules::AT_RISK_MARK,
                own.clone(),
                self.functional,
            )
            .await?;
            step.lap("renewal pipeline");
            let alerts = self
                .alerts(actor, as_of, &renewals, reference, &mut warnings)
                .await?;
            let quality = if actor.can(Permission::CommissionReadAll) {
                Some(self.quality(actor, as_of, window_start, &renewals).await?)
            } else {
                None
            };
            step.lap("alerts and quality");
            AppResult::Ok((alerts, quality, warnings))
        };
        let (
            (revenue, mut warnings),
            (invoicing, aging, receivable_warnings),
            (commissions, commission_warnings),
            (alerts, quality, renewal_warnings),
        ) = tokio::try_join!(revenue, receivables, commissions, renewals)?;
        for warning in receivable_warnings
            .into_iter()
            .chain(commission_warnings)
            .chain(renewal_warnings)
        {
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        Ok(Dashboard {
            as_of,
            period,
            window_start,
            currency: self.functional,
            own_book: own.is_some(),
            revenue,
            invoicing,
            aging,
            commissions,
            alerts: Some(alerts),
            quality,
            warnings,
        })
    }

    fn invoice_scope(&self, actor: &Actor) -> sea_orm::Condition {
        let mut condition = sea_orm::Condition::all()
            .add(invoice::Column::Status.ne("draft"))
            .add(invoice::Column::Status.ne("void"));
        if let Some(own) = own_customers(actor) {
            condition = condition.add(invoice::Column::CustomerId.in_subquery(own));
        }
        condition
    }

    async fn invoice_sums(
        &self,
        condition: sea_orm::Condition,
        with_days: bool,
    ) -> AppResult<Vec<InvoiceSum>> {
        let days = match self.db.get_database_backend() {
            DbBackend::Postgres => "CAST(SUM(settled_on - issue_date) AS BIGINT)",
            _ => "CAST(SUM(julianday(settled_on) - julianday(issue_date)) AS BIGINT)",
        };
        let query = Query::select()
            .column(invoice::Column::Currency)
            .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), Alias::new("count"))
            .expr_as(
                Expr::cust("CAST(COALESCE(SUM(total_minor), 0) AS BIGINT)"),
                Alias::new("total"),
            )
            .expr_as(
                if with_days {
                    Expr::cust(days)
                } else {
                    Expr::cust("CAST(NULL AS BIGINT)")
                },
                Alias::new("days"),
            )
            .from(invoice::Entity)
            .cond_where(condition)
            .group_by_col(invoice::Column::Currency)
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        Ok(InvoiceSum::find_by_statement(statement)
            .all(&self.db)
            .await?)
    }

    async fn invoicing(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        window_start: NaiveDate,
        aging: &AgingReport,
        reference: &Reference,
        warnings: &mut Vec<String>,
    ) -> AppResult<InvoicingSection> {
        let convert = |currency: &str, amount: i64, warnings: &mut Vec<String>| -> AppResult<i64> {
            Ok(reference.functional_total(
                [Money::from_minor(amount, Currency::parse(currency)?)],
                as_of,
                warnings,
            ))
        };
        let mut section = InvoicingSection::default();
        for row in self
            .invoice_sums(
                self.invoice_scope(actor)
                    .add(invoice::Column::IssueDate.between(window_start, as_of)),
                false,
            )
            .await?
        {
            section.issued_count += row.count;
            section.issued_total += convert(&row.currency, row.total, warnings)?;
        }
        let mut days = 0;
        for row in self
            .invoice_sums(
                self.invoice_scope(actor)
                    .add(invoice::Column::Status.eq("paid"))
                    .add(invoice::Column::SettledOn.between(window_start, as_of)),
                true,
            )
            .await?
        {
            section.paid_count += row.count;
            section.paid_total += convert(&row.currency, row.total, warnings)?;
            days += row.days.unwrap_or(0);
        }
        section.average_days_to_pay = (section.paid_count > 0).then(|| {
            (Decimal::from(days) / Decimal::from(section.paid_count))
                .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        });
        for summary in &aging.currencies {
            section.outstanding_count += summary.totals.count();
            section.outstanding_total +=
                convert(summary.currency.code(), summary.totals.total(), warnings)?;
            section.over_60_count += summary.totals.counts[AgingBucket::Days61To90.index()]
                + summary.totals.counts[AgingBucket::Over90.index()];
        }
        for (currency, amount, count) in self.receivables.overdue_totals(actor, as_of).await? {
            section.overdue_count += count;
            section.overdue_total += convert(currency.code(), amount, warnings)?;
        }
        Ok(section)
    }

    fn aging(
        report: &AgingReport,
        as_of: NaiveDate,
        reference: &Reference,
        warnings: &mut Vec<String>,
    ) -> AgingSection {
        let mut amounts = [0i64; 4];
        let mut counts = [0i64; 4];
        for summary in &report.currencies {
            for bucket in AgingBucket::ALL {
                let index = bucket.index();
                amounts[index] += reference.functional_total(
                    [Money::from_minor(
                        summary.totals.amounts[index],
                        summary.currency,
                    )],
                    as_of,
                    warnings,
                );
                counts[index] += summary.totals.counts[index];
            }
        }
        let total: i64 = amounts.iter().sum();
        let lines: Vec<AgingLine> = AgingBucket::ALL
            .into_iter()
            .map(|bucket| AgingLine {
                bucket,
                amount: amounts[bucket.index()],
                count: counts[bucket.index()],
                percent: rules::percent_of(amounts[bucket.index()], total),
                flag: match bucket {
                    AgingBucket::Days61To90 => Some("Proactive collections".into()),
                    AgingBucket::Over90 => Some("CFO escalation".into()),
                    _ => None,
                },
            })
            .collect();
        AgingSection { total, lines }
    }

    async fn renewals_due(&self, actor: &Actor, as_of: NaiveDate) -> AppResult<Vec<Renewal>> {
        let book = self.books.get(&self.db, None).await?;
        pipeline_on(
            &self.db,
            &book,
            as_of,
            ALERT_DAYS,
            own_customers(actor),
            self.functional,
        )
        .await
    }

    async fn blocked_po(&self, actor: &Actor) -> AppResult<Vec<invoice::Model>> {
        let mut query = invoice::Entity::find()
            .filter(invoice::Column::Status.eq("draft"))
            .filter(invoice::Column::BlockedField.eq("poNumber"));
        if let Some(own) = own_customers(actor) {
            query = query.filter(invoice::Column::CustomerId.in_subquery(own));
        }
        Ok(query
            .order_by_asc(invoice::Column::InvoiceDate)
            .limit(ROW_LIMIT)
            .all(&self.db)
            .await?)
    }

    async fn held(&self, actor: &Actor) -> AppResult<Vec<customer::Model>> {
        let mut query = customer::Entity::find().filter(customer::Column::OnCreditHold.eq(true));
        if let Some(own) = own_customers(actor) {
            query = query.filter(customer::Column::Id.in_subquery(own));
        }
        Ok(query
            .order_by_asc(customer::Column::LegalName)
            .limit(ROW_LIMIT)
            .all(&self.db)
            .await?)
    }

    async fn alerts(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        renewals: &[Renewal],
        reference: &Reference,
        warnings: &mut Vec<String>,
    ) -> AppResult<AlertSection> {
        let due: Vec<&Renewal> = renewals
            .iter()
            .filter(|row| row.days_to_renewal <= ALERT_DAYS)
            .collect();
        let arr = |rows: &mut dyn Iterator<Item = &&Renewal>, warnings: &mut Vec<String>| {
            reference.functional_total(rows.map(|row| row.arr), as_of, warnings)
        };
        let blocked = self.blocked_po(actor).await?;
        let blocked_amount = reference.functional_total(
            blocked.iter().filter_map(|row| {
                Some(Money::from_minor(
                    row.total_minor,
                    Currency::parse(&row.currency).ok()?,
                ))
            }),
            as_of,
            warnings,
        );
        Ok(AlertSection {
            renewals_due: i64::try_from(due.len()).unwrap_or(i64::MAX),
            renewals_arr: arr(&mut due.iter(), warnings),
            renewals_at_risk: i64::try_from(due.iter().filter(|row| row.status.at_risk()).count())
                .unwrap_or(i64::MAX),
            arr_at_risk: arr(&mut due.iter().filter(|row| row.status.at_risk()), warnings),
            blocked_po_count: i64::try_from(blocked.len()).unwrap_or(i64::MAX),
            blocked_po_amount: blocked_amount,
            credit_holds: self
                .held(actor)
                .await?
                .into_iter()
                .map(|row| HeldCustomer {
                    customer_id: row.id,
                    name: row.legal_name,
                    since: row.credit_hold_since,
                    reason: row.credit_hold_reason,
                })
                .collect(),
        })
    }

    /// The seed's quality rules over the window, each met or late with its items.
    async fn quality(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        window_start: NaiveDate,
        renewals: &[Renewal],
    ) -> AppResult<Vec<QualityRule>> {
        let now = end_of(as_of).min(self.clock.now());
        let calendar = crate::receivables::disputes::calendar(&self.db).await?;
        let mut rules_out = Vec::new();

        // 1. Commission calculation within 5 business days of the month-end close.
        let periods = self.commissions.periods(actor, 6).await?;
        let items: Vec<QualityItem> = periods
            .iter()
            .filter(|period| period.state != "open")
            .map(|period| QualityItem {
                label: format!(
                    "Commissions {} ({})",
                    period.period,
                    period.state.replace('_', " ")
                ),
                link: Some("/commissions/periods".into()),
                due_at: Some(end_of(period.due_on)),
                done_at: period.first_run_at,
                late: period.state == "done_late" || period.state == "overdue",
            })
            .collect();
        rules_out.push(rule(
            "commission_close",
            "Commission calculation done within 5 business days of close",
            items,
        ));

        // 2. Disputes answered within 48 business hours (invoice and commission disputes
        // raised in the window, or still unanswered).
        let window_from = start_of(window_start);
        let mut items = Vec::new();
        for row in dispute::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(dispute::Column::OpenedAt.gte(window_from))
                    .add(dispute::Column::ReviewedAt.is_null()),
            )
            .filter(dispute::Column::OpenedAt.lte(now))
            .all(&self.db)
            .await?
        {
            let done = row.reviewed_at.filter(|at| *at <= now);
            items.push(QualityItem {
                label: format!("Invoice dispute {} ({})", row.id, row.reason_code),
                link: Some(format!("/disputes/{}", row.id)),
                due_at: Some(row.review_due_at),
                done_at: done,
                late: done.map_or(now > row.review_due_at, |at| at > row.review_due_at),
            });
        }
        for row in commission_dispute::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(commission_dispute::Column::RaisedAt.gte(window_from))
                    .add(commission_dispute::Column::ResolvedAt.is_null()),
            )
            .filter(commission_dispute::Column::RaisedAt.lte(now))
            .all(&self.db)
            .await?
        {
            let done = row.resolved_at.filter(|at| *at <= now);
            items.push(QualityItem {
                label: format!("Commission dispute {}", row.id),
                link: Some("/commissions/disputes".into()),
                due_at: Some(row.answer_due_at),
                done_at: done,
                late: done.map_or(now > row.answer_due_at, |at| at > row.answer_due_at),
            });
        }
        rules_out.push(rule(
            "disputes_answered",
            "Disputes answered within 48 business hours",
            items,
        ));

        // 3. Recognition schedules updated within 5 business days of a contract change.
        let changes = contract_line_change::Entity::find()
            .filter(contract_line_change::Column::CreatedAt.gte(window_from))
            .filter(contract_line_change::Column::CreatedAt.lte(now))
            .all(&self.db)
            .await?;
        let lines: HashMap<i64, i64> = crate::entities::contract_line::Entity::find()
            .filter(
                crate::entities::contract_line::Column::Id
                    .is_in(changes.iter().map(|row| row.contract_line_id)),
            )
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.contract_id))
            .collect();
        let modifications = revenue_modification::Entity::find()
            .filter(revenue_modification::Column::ContractId.is_in(lines.values().copied()))
            .all(&self.db)
            .await?;
        let mut items = Vec::new();
        for change in changes {
            let contract_id = lines.get(&change.contract_line_id).copied().unwrap_or(0);
            let due = calendar.add_business_hours(change.created_at, 5 * 24);
            let done = modifications
                .iter()
                .filter(|row| row.contract_id == contract_id && row.created_at >= change.created_at)
                .map(|row| row.created_at)
                .filter(|at| *at <= now)
                .min();
            items.push(QualityItem {
                label: format!(
                    "Contract change {} ({} from {})",
                    change.id, change.kind, change.effective_date
                ),
                link: Some(format!("/revenue/contracts/{contract_id}")),
                due_at: Some(due),
                done_at: done,
                late: done.map_or(now > due, |at| at > due),
            });
        }
        rules_out.push(rule(
            "recognition_updated",
            "Recognition schedules updated within 5 business days of a contract change",
            items,
        ));

        // 4. At-risk renewals flagged to the CRO and VP CS by 60 days before renewal.
        let escalation: Vec<i64> = user::Entity::find()
            .filter(user::Column::Role.is_in([Role::Cro.as_str(), Role::VpCs.as_str()]))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| row.id)
            .collect();
        let flagged: Vec<(i64, DateTime<Utc>)> = renewal_alert::Entity::find()
            .filter(renewal_alert::Column::MarkDays.eq(60))
            .filter(renewal_alert::Column::RecipientId.is_in(escalation))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.contract_id, row.created_at))
            .collect();
        let items = renewals
            .iter()
            .filter(|row| row.status.at_risk() && row.days_to_renewal <= 60)
            .map(|row| {
                let due = end_of(row.renewal_date - Duration::days(60));
                let done = flagged
                    .iter()
                    .filter(|(contract, _)| *contract == row.contract_id)
                    .map(|(_, at)| *at)
                    .min();
                QualityItem {
                    label: format!(
                        "{} renewal {} ({:?})",
                        row.customer_name, row.renewal_date, row.status
                    ),
                    link: Some(format!("/renewals?contract={}", row.contract_id)),
                    due_at: Some(due),
                    done_at: done,
                    late: done.is_none(),
                }
            })
            .collect();
        rules_out.push(rule(
            "renewals_flagged",
            "At-risk renewals flagged to the CRO and VP CS at 60 days",
            items,
        ));
        Ok(rules_out)
    }

    /// The rows behind one dashboard figure (at most 500).
    pub async fn rows(
        &self,
        actor: &Actor,
        as_of: Option<NaiveDate>,
        period: DashboardPeriod,
        figure: DashboardFigure,
    ) -> AppResult<Vec<DashboardRow>> {
        actor.require(Permission::MetricsRead)?;
        let today = self.clock.today();
        let as_of = as_of.unwrap_or(today);
        check_dates(as_of, today)?;
        let window_start = period.start(as_of);
        let reference = Reference::load(&self.db, self.functional).await?;
        let mut warnings = Vec::new();
        let names = |ids: Vec<i64>| async move {
            AppResult::Ok(
                customer::Entity::find()
                    .filter(customer::Column::Id.is_in(ids))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|row| (row.id, row.legal_name))
                    .collect::<HashMap<i64, String>>(),
            )
        };
        let kind = match figure {
            DashboardFigure::NewMrr => Some(MovementKind::New),
            DashboardFigure::ReactivationMrr => Some(MovementKind::Reactivation),
            DashboardFigure::ExpansionMrr => Some(MovementKind::Expansion),
            DashboardFigure::ContractionMrr => Some(MovementKind::Contraction),
            DashboardFigure::ChurnedMrr => Some(MovementKind::Churn),
            _ => None,
        };
        let rows = match figure {
            DashboardFigure::Mrr
            | DashboardFigure::NewMrr
            | DashboardFigure::ReactivationMrr
            | DashboardFigure::ExpansionMrr
            | DashboardFigure::ContractionMrr
            | DashboardFigure::ChurnedMrr => {
                Self::require_revenue(actor)?;
                let book = self.books.get(&self.db, own_customers(actor)).await?;
                let opening = window_start - Duration::days(1);
                let bridge = self.bridge(&book, opening, as_of, &reference, &mut warnings);
                let (_, moves) = Self::moves(&book, &bridge, opening);
                let chosen: Vec<_> = moves
                    .into_iter()
                    .filter(|(_, moved, _, after)| match kind {
                        Some(kind) => *moved == Some(kind),
                        None => *after != 0,
                    })
                    .take(ROW_LIMIT as usize)
                    .collect();
                let named = names(chosen.iter().map(|row| row.0).collect()).await?;
                chosen
                    .into_iter()
                    .map(|(customer_id, moved, before, after)| DashboardRow {
                        reference: format!("Customer {customer_id}"),
                        customer_id: Some(customer_id),
                        customer_name: named.get(&customer_id).cloned().unwrap_or_default(),
                        date: Some(as_of),
                        amount: None,
                        amount_functional: if kind.is_some() {
                            (after - before).abs()
                        } else {
                            after
                        },
                        detail: match moved {
                            Some(moved) if kind.is_some() => format!(
                                "{}: {} → {}",
                                moved.label(),
                                Money::from_minor(before, self.functional),
                                Money::from_minor(after, self.functional)
                            ),
                            _ => format!("ARR {}", Money::from_minor(after * 12, self.functional)),
                        },
                        link: Some(format!("/customers/{customer_id}")),
                    })
                    .collect()
            }
            DashboardFigure::InvoicesIssued | DashboardFigure::InvoicesPaid => {
                let condition = if figure == DashboardFigure::InvoicesIssued {
                    self.invoice_scope(actor)
                        .add(invoice::Column::IssueDate.between(window_start, as_of))
                } else {
                    self.invoice_scope(actor)
                        .add(invoice::Column::Status.eq("paid"))
                        .add(invoice::Column::SettledOn.between(window_start, as_of))
                };
                let found = invoice::Entity::find()
                    .filter(condition)
                    .order_by_asc(invoice::Column::IssueDate)
                    .order_by_asc(invoice::Column::Id)
                    .limit(ROW_LIMIT)
                    .all(&self.db)
                    .await?;
                let named = names(found.iter().map(|row| row.customer_id).collect()).await?;
                found
                    .into_iter()
                    .map(|row| {
                        let amount =
                            Money::from_minor(row.total_minor, Currency::parse(&row.currency)?);
                        let detail = match (row.issue_date, row.settled_on) {
                            (Some(issued), Some(paid))
                                if figure == DashboardFigure::InvoicesPaid =>
                            {
                                format!(
                                    "Issued {issued}, paid {paid} ({} days)",
                                    (paid - issued).num_days()
                                )
                            }
                            (Some(issued), _) => {
                                format!("Issued {issued}, {}", row.status.replace('_', " "))
                            }
                            _ => row.status.clone(),
                        };
                        Ok(DashboardRow {
                            reference: row.number.clone().unwrap_or_default(),
                            customer_id: Some(row.customer_id),
                            customer_name: named.get(&row.customer_id).cloned().unwrap_or_default(),
                            date: if figure == DashboardFigure::InvoicesPaid {
                                row.settled_on
                            } else {
                                row.issue_date
                            },
                            amount: Some(amount),
                            amount_functional: reference.functional_total(
                                [amount],
                                as_of,
                                &mut warnings,
                            ),
                            detail,
                            link: Some(format!("/invoices/{}", row.id)),
                        })
                    })
                    .collect::<AppResult<Vec<_>>>()?
            }
            DashboardFigure::Outstanding
            | DashboardFigure::Overdue
            | DashboardFigure::OverdueOver60
            | DashboardFigure::AgingCurrent
            | DashboardFigure::Aging31To60
            | DashboardFigure::Aging61To90
            | DashboardFigure::AgingOver90 => {
                let page = PageRequest {
                    offset: 0,
                    limit: ROW_LIMIT,
                };
                let found = match figure {
                    DashboardFigure::Overdue => {
                        self.receivables
                            .overdue_invoices(actor, as_of, page)
                            .await?
                    }
                    _ => {
                        let bucket = match figure {
                            DashboardFigure::AgingCurrent => Some(AgingBucket::Current),
                            DashboardFigure::Aging31To60 => Some(AgingBucket::Days31To60),
                            DashboardFigure::Aging61To90 => Some(AgingBucket::Days61To90),
                            DashboardFigure::AgingOver90 => Some(AgingBucket::Over90),
                            _ => None,
                        };
                        let mut found = self
                            .receivables
                            .aged_invoices(
                                actor,
                                as_of,
                                AgingBasis::InvoiceDate,
                                None,
                                None,
                                bucket,
                                page,
                            )
                            .await?
                            .items;
                        if figure == DashboardFigure::OverdueOver60 {
                            found.retain(|row| row.days > 60);
                        }
                        found
                    }
                };
                let named = names(found.iter().map(|row| row.customer_id).collect()).await?;
                found
                    .into_iter()
                    .map(|row| DashboardRow {
                        reference: row.number.clone(),
                        customer_id: Some(row.customer_id),
                        customer_name: named.get(&row.customer_id).cloned().unwrap_or_default(),
                        date: Some(row.invoice_date),
                        amount: Some(row.open),
                        amount_functional: reference.functional_total(
                            [row.open],
                            as_of,
                            &mut warnings,
                        ),
                        detail: format!(
                            "Due {}, {} days old",
                            row.due_date,
                            (as_of - row.invoice_date).num_days()
                        ),
                        link: Some(format!("/invoices/{}", row.invoice_id)),
                    })
                    .collect()
            }
            DashboardFigure::RenewalsDue => self
                .renewals_due(actor, as_of)
                .await?
                .into_iter()
                .map(|row| DashboardRow {
                    reference: row.contract_number.clone(),
                    customer_id: Some(row.customer_id),
                    customer_name: row.customer_name.clone(),
                    date: Some(row.renewal_date),
                    amount: Some(row.arr),
                    amount_functional: reference.functional_total([row.arr], as_of, &mut warnings),
                    detail: format!(
                        "{:?}{}",
                        row.status,
                        row.reason
                            .as_deref()
                            .map(|reason| format!(" — {reason}"))
                            .unwrap_or_default()
                    ),
                    link: Some(format!("/renewals?contract={}", row.contract_id)),
                })
                .collect(),
            DashboardFigure::BlockedPo => {
                let found = self.blocked_po(actor).await?;
                let named = names(found.iter().map(|row| row.customer_id).collect()).await?;
                found
                    .into_iter()
                    .map(|row| {
                        let amount =
                            Money::from_minor(row.total_minor, Currency::parse(&row.currency)?);
                        Ok(DashboardRow {
                            reference: format!("Draft {}", row.id),
                            customer_id: Some(row.customer_id),
                            customer_name: named.get(&row.customer_id).cloned().unwrap_or_default(),
                            date: Some(row.invoice_date),
                            amount: Some(amount),
                            amount_functional: reference.functional_total(
                                [amount],
                                as_of,
                                &mut warnings,
                            ),
                            detail: row
                                .blocked_reason
                                .clone()
                                .unwrap_or_else(|| "Missing PO".into()),
                            link: Some(format!("/invoices/{}", row.id)),
                        })
                    })
                    .collect::<AppResult<Vec<_>>>()?
            }
            DashboardFigure::CreditHolds => self
                .held(actor)
                .await?
                .into_iter()
                .map(|row| DashboardRow {
                    reference: format!("Customer {}", row.id),
                    customer_id: Some(row.id),
                    customer_name: row.legal_name.clone(),
                    date: row.credit_hold_since.map(|at| at.date_naive()),
                    amount: None,
                    amount_functional: 0,
                    detail: row.credit_hold_reason.clone().unwrap_or_default(),
                    link: Some(format!("/customers/{}", row.id)),
                })
                .collect(),
        };
        Ok(rows)
    }
}

fn rule(key: &str, title: &str, items: Vec<QualityItem>) -> QualityRule {
    let late = i64::try_from(items.iter().filter(|item| item.late).count()).unwrap_or(i64::MAX);
    QualityRule {
        key: key.into(),
        title: title.into(),
        met: late == 0,
        late,
        items,
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn end_of(day: NaiveDate) -> DateTime<Utc> {
    start_of(day) + Duration::days(1) - Duration::seconds(1)
}
