//! The dashboard's quality rules: each of the seed's rules over the window, met or late with
//! its items.

use super::{MetricsService, QualityItem, QualityRule};
use crate::access::{Actor, Role};
use crate::entities::{
    commission_dispute, contract_line_change, dispute, renewal_alert, revenue_modification, user,
};
use crate::error::AppResult;
use crate::receivables::calendar::BusinessCalendar;
use crate::renewals::Renewal;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

impl MetricsService {
    /// The seed's quality rules over the window, each met or late with its items.
    pub(super) async fn quality(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        window_start: NaiveDate,
        renewals: &[Renewal],
    ) -> AppResult<Vec<QualityRule>> {
        let now = end_of(as_of).min(self.clock.now());
        let calendar = crate::receivables::disputes::calendar(&self.db).await?;
        let window_from = start_of(window_start);
        Ok(vec![
            rule(
                "commission_close",
                "Commission calculation done within 5 business days of close",
                self.commission_close_items(actor).await?,
            ),
            rule(
                "disputes_answered",
                "Disputes answered within 48 business hours",
                self.dispute_items(window_from, now).await?,
            ),
            rule(
                "recognition_updated",
                "Recognition schedules updated within 5 business days of a contract change",
                self.recognition_items(&calendar, window_from, now).await?,
            ),
            rule(
                "renewals_flagged",
                "At-risk renewals flagged to the CRO and VP CS at 60 days",
                self.renewal_flag_items(renewals).await?,
            ),
        ])
    }

    /// Rule 1: commission calculation within 5 business days of the month-end close.
    async fn commission_close_items(&self, actor: &Actor) -> AppResult<Vec<QualityItem>> {
        let periods = self.commissions.periods(actor, 6).await?;
        Ok(periods
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
            .collect())
    }

    /// Rule 2: disputes answered within 48 business hours (invoice and commission disputes raised in
    /// the window, or still unanswered).
    async fn dispute_items(
        &self,
        window_from: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<QualityItem>> {
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
        Ok(items)
    }

    /// Rule 3: recognition schedules updated within 5 business days of a contract change.
    async fn recognition_items(
        &self,
        calendar: &BusinessCalendar,
        window_from: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<QualityItem>> {
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
        Ok(items)
    }

    /// Rule 4: at-risk renewals flagged to the CRO and VP CS by 60 days before renewal.
    async fn renewal_flag_items(&self, renewals: &[Renewal]) -> AppResult<Vec<QualityItem>> {
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
        Ok(renewals
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
            .collect())
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
