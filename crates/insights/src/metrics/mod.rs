//! The revenue-ops dashboard and MRR movements (DESIGN area `metrics/`). Read models only: every
//! figure is computed from the rows its own area owns (contract lines for MRR, invoices and the
//! aging cells for AR, commission lines, the renewal pipeline), in the functional currency at
//! the as-of date's FX rate, so the dashboard always equals what each area reports.
//!
//! This file holds the service, its types, the MRR bridge helpers and `dashboard`; the
//! dashboard's invoicing, aging and alert sections are in `sections`, its quality rules in
//! `quality`, the drill-down in `rows`, and `mrrMovements` in `movements`.

mod movements;
mod quality;
mod rows;
mod sections;

use crate::access::{Actor, Permission, Role};
use crate::clock::SharedClock;
use crate::commissions::CommissionService;
use crate::entities::{customer, invoice};
use crate::error::{AppError, AppResult};
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use crate::receivables::aging::{AgingBasis, AgingBucket};
use crate::receivables::{own_customers, ReceivablesService};
use crate::recurring::{repo, rules};
use crate::renewals::{pipeline_on, Renewal};
use crate::telemetry::Lap;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use repo::RecurringBook;
use rules::{MovementKind, Movements};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

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

/// A customer over its credit limit, in the limit's currency.
#[derive(Debug, Clone, Serialize)]
pub struct OverLimitCustomer {
    pub customer_id: i64,
    pub name: String,
    pub exposure: Money,
    pub limit: Money,
    pub over_by: Option<Money>,
    pub explanation: String,
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
        let (
            (revenue, mut warnings),
            (invoicing, aging, receivable_warnings),
            (commissions, commission_warnings),
            (alerts, quality, renewal_warnings),
        ) = tokio::try_join!(
            self.revenue_section(actor, as_of, window_start, own.clone(), reference),
            self.receivables_sections(actor, as_of, window_start, reference),
            self.commission_section(actor, as_of, reference),
            self.renewal_sections(actor, as_of, window_start, own.clone(), reference),
        )?;
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

    /// MRR, ARR and the bridge over the window; none for the AR team.
    async fn revenue_section(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        window_start: NaiveDate,
        own: Option<sea_orm::sea_query::SelectStatement>,
        reference: &Reference,
    ) -> AppResult<(Option<RevenueSection>, Vec<String>)> {
        let mut warnings = Vec::new();
        if Self::require_revenue(actor).is_err() {
            return AppResult::Ok((None, warnings));
        }
        let mut step = Lap::start("dashboard");
        let book = self.books.get(&self.db, own).await?;
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
    }

    /// Invoicing and aging are the receivables area's figures: shown to those who read it.
    async fn receivables_sections(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        window_start: NaiveDate,
        reference: &Reference,
    ) -> AppResult<(Option<InvoicingSection>, Option<AgingSection>, Vec<String>)> {
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
        let aging = Self::aging(&report);
        step.lap("invoicing and aging");
        Ok((Some(invoicing), Some(aging), warnings))
    }

    /// Commissions earned this month, payable and disputed, for those who read commissions.
    async fn commission_section(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        reference: &Reference,
    ) -> AppResult<(Option<CommissionSection>, Vec<String>)> {
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
    }

    /// One pipeline read (60 days) serves the 30-day alerts and the 60-day quality rule.
    async fn renewal_sections(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        window_start: NaiveDate,
        own: Option<sea_orm::sea_query::SelectStatement>,
        reference: &Reference,
    ) -> AppResult<(AlertSection, Option<Vec<QualityRule>>, Vec<String>)> {
        let mut warnings = Vec::new();
        let mut step = Lap::start("dashboard");
        let book = self.books.get(&self.db, None).await?;
        let renewals = pipeline_on(
            &self.db,
            &book,
            as_of,
            crate::renewals::rules::AT_RISK_MARK,
            own,
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

    /// Customers over their credit limit on `as_of` (today when absent) that the actor may
    /// see, largest excess first, at most a page: the dashboard's credit alert. Asked for on
    /// its own, so reading every running line does not hold up the dashboard's figures.
    pub async fn over_credit_limit(
        &self,
        actor: &Actor,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<OverLimitCustomer>> {
        actor.require(Permission::MetricsRead)?;
        let as_of = as_of.unwrap_or_else(|| self.clock.today());
        let rates = crate::fx::Rates::load(&self.db, self.functional).await?;
        let mut over = crate::credit::over_limit(&self.db, as_of, &rates).await?;
        if let Some(own) = own_customers(actor) {
            let visible: std::collections::HashSet<i64> = customer::Entity::find()
                .select_only()
                .column(customer::Column::Id)
                .filter(customer::Column::Id.in_subquery(own))
                .into_tuple::<i64>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect();
            over.retain(|(customer, _)| visible.contains(&customer.id));
        }
        Ok(over
            .into_iter()
            .take(usize::try_from(ROW_LIMIT).unwrap_or(usize::MAX))
            .map(|(customer, checked)| OverLimitCustomer {
                customer_id: customer.id,
                name: customer.legal_name,
                exposure: checked.after,
                limit: checked.limit,
                over_by: checked.over_by,
                explanation: checked.explanation,
            })
            .collect())
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
}
