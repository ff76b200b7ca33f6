//! Payouts: approving the payment of calculated lines (Dr 2300 · Cr 1000 per currency), the list
//! of payouts, who each pays, and the payroll CSV.

use super::{money_of, open_disputes_in, repo, totals_of, CommissionService, Payout, PayoutRow};
use crate::access::{Actor, Permission};
use crate::audit::{self, AuditRecord};
use crate::entities::{commission_line, commission_payout, commission_run, user};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Claim};
use crate::ledger::chart::{CASH, COMMISSIONS_PAYABLE};
use crate::ledger::rules::{signed_posting, BalancedEntry};
use crate::ledger::{self, EntryHeader};
use crate::money::Money;
use crate::values::csv_cell;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};

impl CommissionService {
    /// Pays every calculated line of the period and earlier months, except lines under an open
    /// dispute and reps whose total would not be positive (their lines wait for the next
    /// payout). Approved only by the VP Revenue Operations, who must not be a payee. Dr 2300 ·
    /// Cr 1000 per currency; paid lines are final.
    pub async fn approve_payout(
        &self,
        actor: &Actor,
        period: &str,
        payout_date: NaiveDate,
        idempotency_key: &str,
    ) -> AppResult<Payout> {
        actor.require(Permission::CommissionPayoutApprove)?;
        let (month, next) = crate::calendar::parse_period("period", period)?;
        let month_end = next.pred_opt().unwrap_or(next);
        if payout_date <= month_end {
            return Err(AppError::validation(
                "payoutDate",
                format!("Commissions for {period} are paid after the month ends ({month_end})."),
            ));
        }
        let now = self.clock.now();
        let request =
            serde_json::json!({ "period": period, "payoutDate": payout_date }).to_string();
        let transaction = self.db.begin().await?;
        if let Claim::Replay(id) = idempotency::claim(
            &transaction,
            "commission payout",
            idempotency_key,
            &request,
            actor.user_id,
            now,
        )
        .await?
        {
            transaction.commit().await?;
            return self.payout(actor, id).await;
        }
        refuse_paid_or_uncalculated(&transaction, period, month_end).await?;
        let paying = paying_lines(&transaction, actor, period).await?;
        let totals = totals_of(paying.iter())?;
        let entry_ids = post_payout(&transaction, actor, now, period, payout_date, &totals).await?;
        let model = commission_payout::ActiveModel {
            period: Set(period.to_string()),
            payout_date: Set(payout_date),
            lines: Set(i32::try_from(paying.len()).unwrap_or(i32::MAX)),
            totals_json: Set(serde_json::to_string(
                &totals
                    .iter()
                    .map(|money| (money.currency().code(), money.minor()))
                    .collect::<Vec<_>>(),
            )
            .map_err(AppError::internal)?),
            idempotency_key: Set(idempotency_key.trim().to_string()),
            approved_by: Set(actor.user_id),
            approved_at: Set(now),
            journal_entries_json: Set(
                serde_json::to_string(&entry_ids).map_err(AppError::internal)?
            ),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let paying_ids: Vec<i64> = paying.iter().map(|line| line.id).collect();
        mark_paid(&transaction, &paying_ids, model.id).await?;
        idempotency::complete(&transaction, "commission payout", idempotency_key, model.id).await?;
        audit::record(
            &transaction,
            Some(actor),
            now,
            AuditRecord {
                action: "commission.payout_approve",
                entity_type: "commission_payout",
                entity_id: model.id.to_string(),
                before: None::<&()>,
                after: Some(&(period, payout_date, &model.totals_json)),
            },
        )
        .await?;
        transaction.commit().await?;
        let _ = month;
        self.payout(actor, model.id).await
    }

    fn payout_of(
        model: commission_payout::Model,
        names: &HashMap<i64, user::Model>,
    ) -> AppResult<Payout> {
        let totals: Vec<(String, i64)> =
            serde_json::from_str(&model.totals_json).map_err(AppError::internal)?;
        Ok(Payout {
            id: model.id,
            period: model.period,
            payout_date: model.payout_date,
            lines: model.lines,
            totals: totals
                .into_iter()
                .map(|(code, minor)| money_of(minor, &code))
                .collect::<AppResult<Vec<_>>>()?,
            approved_by_name: names
                .get(&model.approved_by)
                .map(|row| row.name.clone())
                .unwrap_or_default(),
            approved_at: model.approved_at,
            journal_entry_ids: serde_json::from_str(&model.journal_entries_json)
                .map_err(AppError::internal)?,
        })
    }

    pub async fn payouts(&self, actor: &Actor) -> AppResult<Vec<Payout>> {
        actor.require(Permission::CommissionReadAll)?;
        let names = self.user_names().await?;
        commission_payout::Entity::find()
            .order_by_desc(commission_payout::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|model| Self::payout_of(model, &names))
            .collect()
    }

    pub async fn payout(&self, actor: &Actor, id: i64) -> AppResult<Payout> {
        actor.require(Permission::CommissionReadAll)?;
        let names = self.user_names().await?;
        let model = commission_payout::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| AppError::not_found("payout"))?;
        Self::payout_of(model, &names)
    }

    /// Who a payout pays and how much.
    pub async fn payout_rows(&self, actor: &Actor, id: i64) -> AppResult<(Payout, Vec<PayoutRow>)> {
        let payout = self.payout(actor, id).await?;
        let names = self.user_names().await?;
        let mut per_rep: BTreeMap<(i64, String), (i64, i32)> = BTreeMap::new();
        for line in commission_line::Entity::find()
            .filter(commission_line::Column::PayoutId.eq(id))
            .all(&self.db)
            .await?
        {
            let entry = per_rep.entry((line.user_id, line.currency)).or_default();
            entry.0 += line.amount_minor;
            entry.1 += 1;
        }
        let rows = per_rep
            .into_iter()
            .map(|((user_id, code), (minor, lines))| {
                let person = names.get(&user_id);
                Ok(PayoutRow {
                    user_id,
                    name: person.map(|row| row.name.clone()).unwrap_or_default(),
                    email: person.map(|row| row.email.clone()).unwrap_or_default(),
                    amount: money_of(minor, &code)?,
                    lines,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok((payout, rows))
    }

    /// The payout for payroll: one row per person and currency.
    pub async fn payout_csv(&self, actor: &Actor, id: i64) -> AppResult<(String, String)> {
        let (payout, rows) = self.payout_rows(actor, id).await?;
        let mut csv = String::from(
            "payout_id,period,payout_date,employee_email,employee_name,currency,amount,lines\n",
        );
        for row in rows {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                payout.id,
                payout.period,
                payout.payout_date,
                csv_cell(&row.email),
                csv_cell(&row.name),
                row.amount.currency().code(),
                row.amount.amount_string(),
                row.lines
            ));
        }
        Ok((
            format!("commission-payout-{}-{}.csv", payout.period, payout.id),
            csv,
        ))
    }
}

/// Refuses a period already paid out, and one not calculated since its month ended.
async fn refuse_paid_or_uncalculated(
    transaction: &DatabaseTransaction,
    period: &str,
    month_end: NaiveDate,
) -> AppResult<()> {
    if commission_payout::Entity::find()
        .filter(commission_payout::Column::Period.eq(period))
        .one(transaction)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!("{period} is already paid out.")));
    }
    let closing_run = commission_run::Entity::find()
        .filter(commission_run::Column::Period.eq(period))
        .filter(commission_run::Column::AsOf.gte(month_end))
        .one(transaction)
        .await?;
    if closing_run.is_none() {
        return Err(AppError::validation(
            "period",
            format!("Calculate {period} after the month has ended before paying it out."),
        ));
    }
    Ok(())
}

/// The calculated lines of the period and earlier that this payout pays: not under an open
/// dispute, and of reps whose total in the currency is positive. Refused when the approver is
/// among the payees, or when nothing is payable.
async fn paying_lines(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    period: &str,
) -> AppResult<Vec<commission_line::Model>> {
    let lines = commission_line::Entity::find()
        .filter(commission_line::Column::Status.eq(repo::CALCULATED))
        .filter(commission_line::Column::Period.lte(period))
        .all(transaction)
        .await?;
    let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
    let disputed = open_disputes_in(transaction, &ids).await?;
    let payable: Vec<commission_line::Model> = lines
        .into_iter()
        .filter(|line| !disputed.contains_key(&line.id))
        .collect();
    let mut per_rep: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for line in &payable {
        *per_rep
            .entry((line.user_id, line.currency.clone()))
            .or_default() += line.amount_minor;
    }
    let paid_reps: Vec<(i64, String)> = per_rep
        .iter()
        .filter(|(_, total)| **total > 0)
        .map(|(key, _)| key.clone())
        .collect();
    if paid_reps
        .iter()
        .any(|(user_id, _)| *user_id == actor.user_id)
    {
        return Err(AppError::Forbidden(
            "You are paid in this payout; another approver must approve it.".into(),
        ));
    }
    let paying: Vec<commission_line::Model> = payable
        .into_iter()
        .filter(|line| paid_reps.contains(&(line.user_id, line.currency.clone())))
        .collect();
    if paying.is_empty() {
        return Err(AppError::validation(
            "period",
            format!("Nothing is payable for {period} and earlier."),
        ));
    }
    Ok(paying)
}

/// Posts one entry per currency, Dr commissions payable · Cr cash; returns their ids.
async fn post_payout(
    transaction: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    period: &str,
    payout_date: NaiveDate,
    totals: &[Money],
) -> AppResult<Vec<i64>> {
    let mut entry_ids = Vec::new();
    for total in totals {
        let postings: Vec<_> = [
            signed_posting(COMMISSIONS_PAYABLE, total.minor(), total.currency()),
            signed_posting(CASH, -total.minor(), total.currency()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let entry = BalancedEntry::try_new(postings).map_err(AppError::internal)?;
        let posted = ledger::post_entry(
            transaction,
            Some(actor),
            now,
            EntryHeader {
                entry_date: payout_date,
                memo: format!("Commission payout {period} ({})", total.currency().code()),
                source: format!("commission-payout:{period}"),
                idempotency_key: None,
            },
            &entry,
            None,
        )
        .await?;
        entry_ids.push(posted.id);
    }
    Ok(entry_ids)
}

/// Marks the paid lines with their payout, a chunk at a time; a line that changed meanwhile
/// refuses the whole payout.
async fn mark_paid(
    transaction: &DatabaseTransaction,
    paying_ids: &[i64],
    payout_id: i64,
) -> AppResult<()> {
    for chunk in paying_ids.chunks(repo::ID_CHUNK) {
        let updated = commission_line::Entity::update_many()
            .col_expr(
                commission_line::Column::Status,
                sea_orm::sea_query::Expr::value(repo::PAID),
            )
            .col_expr(
                commission_line::Column::PayoutId,
                sea_orm::sea_query::Expr::value(payout_id),
            )
            .filter(commission_line::Column::Id.is_in(chunk.iter().copied()))
            .filter(commission_line::Column::Status.eq(repo::CALCULATED))
            .exec(transaction)
            .await?;
        if updated.rows_affected != chunk.len() as u64 {
            return Err(AppError::Conflict(
                "Lines changed while the payout was being approved; try again.".into(),
            ));
        }
    }
    Ok(())
}
