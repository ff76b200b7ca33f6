//! The dashboard's invoicing, aging and alert sections.

use super::{
    AgingLine, AgingSection, AlertSection, HeldCustomer, InvoicingSection, MetricsService,
    ALERT_DAYS,
};
use crate::access::Actor;
use crate::entities::invoice;
use crate::error::AppResult;
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use crate::receivables::aging::AgingBucket;
use crate::receivables::report::AgingReport;
use crate::recurring::rules;
use crate::renewals::Renewal;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, FromQueryResult};

#[derive(Debug, FromQueryResult)]
struct InvoiceSum {
    currency: String,
    count: i64,
    total: i64,
    days: Option<i64>,
}

impl MetricsService {
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

    pub(super) async fn invoicing(
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
        // Outstanding is AR aging's functional total, so the two figures are one number.
        let functional = &aging.functional.totals;
        section.outstanding_count = functional.count();
        section.outstanding_total = functional.total();
        section.over_60_count = functional.counts[AgingBucket::Days61To90.index()]
            + functional.counts[AgingBucket::Over90.index()];
        for warning in &aging.functional.warnings {
            if !warnings.contains(warning) {
                warnings.push(warning.clone());
            }
        }
        for (currency, amount, count) in self.receivables.overdue_totals(actor, as_of).await? {
            section.overdue_count += count;
            section.overdue_total += convert(currency.code(), amount, warnings)?;
        }
        Ok(section)
    }

    pub(super) fn aging(report: &AgingReport) -> AgingSection {
        // The aging report's own functional view: each currency converted once and split over
        // its buckets, so the buckets add up to the outstanding total to the cent.
        let (amounts, counts) = (
            report.functional.totals.amounts,
            report.functional.totals.counts,
        );
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

    pub(super) async fn alerts(
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
}
