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
