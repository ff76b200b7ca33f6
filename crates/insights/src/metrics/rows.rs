//! The drill-down: the rows behind one dashboard figure.

use super::{
    check_dates, DashboardFigure, DashboardPeriod, DashboardRow, MetricsService, ROW_LIMIT,
};
use crate::access::{Actor, Permission};
use crate::entities::{customer, invoice};
use crate::error::AppResult;
use crate::invoicing::plan::Reference;
use crate::money::{Currency, Money};
use crate::pagination::PageRequest;
use crate::receivables::aging::{AgingBasis, AgingBucket};
use crate::receivables::own_customers;
use crate::recurring::rules::MovementKind;
use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// What every figure's drill-down reads: who asks, for which window, and the rates that turn an
/// amount into the functional currency (with the warnings those rates raise).
struct Drill<'a> {
    actor: &'a Actor,
    as_of: NaiveDate,
    window_start: NaiveDate,
    figure: DashboardFigure,
    reference: Reference,
    warnings: Vec<String>,
}

impl MetricsService {
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
        let mut drill = Drill {
            actor,
            as_of,
            window_start: period.start(as_of),
            figure,
            reference: Reference::load(&self.db, self.functional).await?,
            warnings: Vec::new(),
        };
        match figure {
            DashboardFigure::Mrr
            | DashboardFigure::NewMrr
            | DashboardFigure::ReactivationMrr
            | DashboardFigure::ExpansionMrr
            | DashboardFigure::ContractionMrr
            | DashboardFigure::ChurnedMrr => self.movement_rows(&mut drill).await,
            DashboardFigure::InvoicesIssued | DashboardFigure::InvoicesPaid => {
                self.invoice_rows(&mut drill).await
            }
            DashboardFigure::Outstanding
            | DashboardFigure::Overdue
            | DashboardFigure::OverdueOver60
            | DashboardFigure::AgingCurrent
            | DashboardFigure::Aging31To60
            | DashboardFigure::Aging61To90
            | DashboardFigure::AgingOver90 => self.open_invoice_rows(&mut drill).await,
            DashboardFigure::RenewalsDue => self.renewal_rows(&mut drill).await,
            DashboardFigure::BlockedPo => self.blocked_po_rows(&mut drill).await,
            DashboardFigure::CreditHolds => self.credit_hold_rows(actor).await,
        }
    }

    /// Customers' legal names by id, so a row shows who it is about.
    async fn customer_names(&self, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
        Ok(customer::Entity::find()
            .filter(customer::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.id, row.legal_name))
            .collect())
    }

    /// MRR, or one kind of MRR movement: the customers whose MRR stands (or moved that way) across
    /// the window, from the recurring book.
    async fn movement_rows(&self, drill: &mut Drill<'_>) -> AppResult<Vec<DashboardRow>> {
        let kind = match drill.figure {
            DashboardFigure::NewMrr => Some(MovementKind::New),
            DashboardFigure::ReactivationMrr => Some(MovementKind::Reactivation),
            DashboardFigure::ExpansionMrr => Some(MovementKind::Expansion),
            DashboardFigure::ContractionMrr => Some(MovementKind::Contraction),
            DashboardFigure::ChurnedMrr => Some(MovementKind::Churn),
            _ => None,
        };
        Self::require_revenue(drill.actor)?;
        let book = self.books.get(&self.db, own_customers(drill.actor)).await?;
        let opening = drill.window_start - Duration::days(1);
        let bridge = self.bridge(
            &book,
            opening,
            drill.as_of,
            &drill.reference,
            &mut drill.warnings,
        );
        let (_, moves) = Self::moves(&book, &bridge, opening);
        let chosen: Vec<_> = moves
            .into_iter()
            .filter(|(_, moved, _, after)| match kind {
                Some(kind) => *moved == Some(kind),
                None => *after != 0,
            })
            .take(ROW_LIMIT as usize)
            .collect();
        let named = self
            .customer_names(chosen.iter().map(|row| row.0).collect())
            .await?;
        Ok(chosen
            .into_iter()
            .map(|(customer_id, moved, before, after)| DashboardRow {
                reference: format!("Customer {customer_id}"),
                customer_id: Some(customer_id),
                customer_name: named.get(&customer_id).cloned().unwrap_or_default(),
                date: Some(drill.as_of),
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
            .collect())
    }

    /// Invoices issued, or paid, in the window.
    async fn invoice_rows(&self, drill: &mut Drill<'_>) -> AppResult<Vec<DashboardRow>> {
        let (figure, as_of) = (drill.figure, drill.as_of);
        let condition = if figure == DashboardFigure::InvoicesIssued {
            self.invoice_scope(drill.actor)
                .add(invoice::Column::IssueDate.between(drill.window_start, as_of))
        } else {
            self.invoice_scope(drill.actor)
                .add(invoice::Column::Status.eq("paid"))
                .add(invoice::Column::SettledOn.between(drill.window_start, as_of))
        };
        let found = invoice::Entity::find()
            .filter(condition)
            .order_by_asc(invoice::Column::IssueDate)
            .order_by_asc(invoice::Column::Id)
            .limit(ROW_LIMIT)
            .all(&self.db)
            .await?;
        let named = self
            .customer_names(found.iter().map(|row| row.customer_id).collect())
            .await?;
        found
            .into_iter()
            .map(|row| {
                let amount = Money::from_minor(row.total_minor, Currency::parse(&row.currency)?);
                let detail = match (row.issue_date, row.settled_on) {
                    (Some(issued), Some(paid)) if figure == DashboardFigure::InvoicesPaid => {
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
                    amount_functional: drill.reference.functional_total(
                        [amount],
                        as_of,
                        &mut drill.warnings,
                    ),
                    detail,
                    link: Some(format!("/invoices/{}", row.id)),
                })
            })
            .collect()
    }

    /// Open invoices: all outstanding, overdue, overdue past 60 days, or one aging bucket.
    async fn open_invoice_rows(&self, drill: &mut Drill<'_>) -> AppResult<Vec<DashboardRow>> {
        let (figure, as_of) = (drill.figure, drill.as_of);
        let page = PageRequest {
            offset: 0,
            limit: ROW_LIMIT,
        };
        let found = match figure {
            DashboardFigure::Overdue => {
                self.receivables
                    .overdue_invoices(drill.actor, as_of, page)
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
                        drill.actor,
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
        let named = self
            .customer_names(found.iter().map(|row| row.customer_id).collect())
            .await?;
        Ok(found
            .into_iter()
            .map(|row| DashboardRow {
                reference: row.number.clone(),
                customer_id: Some(row.customer_id),
                customer_name: named.get(&row.customer_id).cloned().unwrap_or_default(),
                date: Some(row.invoice_date),
                amount: Some(row.open),
                amount_functional: drill.reference.functional_total(
                    [row.open],
                    as_of,
                    &mut drill.warnings,
                ),
                detail: format!(
                    "Due {}, {} days old",
                    row.due_date,
                    (as_of - row.invoice_date).num_days()
                ),
                link: Some(format!("/invoices/{}", row.invoice_id)),
            })
            .collect())
    }

    /// Contracts whose renewal falls due soon.
    async fn renewal_rows(&self, drill: &mut Drill<'_>) -> AppResult<Vec<DashboardRow>> {
        let as_of = drill.as_of;
        Ok(self
            .renewals_due(drill.actor, as_of)
            .await?
            .into_iter()
            .map(|row| DashboardRow {
                reference: row.contract_number.clone(),
                customer_id: Some(row.customer_id),
                customer_name: row.customer_name.clone(),
                date: Some(row.renewal_date),
                amount: Some(row.arr),
                amount_functional: drill.reference.functional_total(
                    [row.arr],
                    as_of,
                    &mut drill.warnings,
                ),
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
            .collect())
    }

    /// Draft invoices held back for a missing PO number.
    async fn blocked_po_rows(&self, drill: &mut Drill<'_>) -> AppResult<Vec<DashboardRow>> {
        let as_of = drill.as_of;
        let found = self.blocked_po(drill.actor).await?;
        let named = self
            .customer_names(found.iter().map(|row| row.customer_id).collect())
            .await?;
        found
            .into_iter()
            .map(|row| {
                let amount = Money::from_minor(row.total_minor, Currency::parse(&row.currency)?);
                Ok(DashboardRow {
                    reference: format!("Draft {}", row.id),
                    customer_id: Some(row.customer_id),
                    customer_name: named.get(&row.customer_id).cloned().unwrap_or_default(),
                    date: Some(row.invoice_date),
                    amount: Some(amount),
                    amount_functional: drill.reference.functional_total(
                        [amount],
                        as_of,
                        &mut drill.warnings,
                    ),
                    detail: row
                        .blocked_reason
                        .clone()
                        .unwrap_or_else(|| "Missing PO".into()),
                    link: Some(format!("/invoices/{}", row.id)),
                })
            })
            .collect()
    }

    /// Customers on credit hold.
    async fn credit_hold_rows(&self, actor: &Actor) -> AppResult<Vec<DashboardRow>> {
        Ok(self
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
            .collect())
    }
}
