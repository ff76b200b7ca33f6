//! Posting the accrual and the amortisation of capitalised costs, and recording what was
//! accrued and amortised on the lines.

use super::Context;
use crate::access::Actor;
use crate::commissions::repo;
use crate::error::{AppError, AppResult};
use crate::ledger::chart::{CAPITALISED_CONTRACT_COSTS, COMMISSIONS_PAYABLE, COMMISSION_EXPENSE};
use crate::ledger::rules::{signed_posting, BalancedEntry};
use crate::ledger::{self, EntryHeader};
use crate::money::Currency;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;

/// Posts what the lines owe beyond what was accrued, and amortisation of capitalised costs
/// through the month: Dr 6000 / Dr 1400 · Cr 2300, and Dr 6000 · Cr 1400. One entry per
/// currency; none when nothing changed (a rerun posts nothing).
pub(super) async fn post_accrual<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    context: &Context,
    settled: &BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let mut movements = repo::accrual_movements(connection, context.month_end, None).await?;
    movements.extend(
        settled
            .iter()
            .filter(|(_, owed)| **owed != 0)
            .map(|(currency, owed)| repo::Movement {
                id: 0,
                currency: currency.clone(),
                capitalised: false,
                amount: *owed,
                accrued: 0,
                amortised: 0,
                amortised_target: 0,
            }),
    );
    post_movements(
        connection,
        actor,
        &movements,
        None,
        EntryHeader {
            entry_date: context.cutoff,
            memo: format!("Commission accrual {}", context.period),
            source: format!("commissions:{}", context.period),
            idempotency_key: None,
        },
        now,
    )
    .await
}

/// Posts the movements (one entry per currency, memo suffixed with it) and records them as
/// accrued and amortised.
pub async fn post_movements<C: ConnectionTrait>(
    connection: &C,
    actor: Option<&Actor>,
    movements: &[repo::Movement],
    ids: Option<&[i64]>,
    header: EntryHeader,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    if movements.is_empty() {
        return Ok(0);
    }
    let mut by_currency: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for movement in movements {
        let entry = by_currency.entry(movement.currency.clone()).or_default();
        let accrual = movement.amount - movement.accrued;
        let amortisation = movement.amortised_target - movement.amortised;
        if movement.capitalised {
            entry.1 += accrual - amortisation;
            entry.0 += amortisation;
        } else {
            entry.0 += accrual;
        }
        entry.2 += accrual;
    }
    let mut entries = Vec::new();
    for (code, (expense, capitalised, payable)) in by_currency {
        let currency = Currency::parse(&code)?;
        let postings: Vec<_> = [
            signed_posting(COMMISSION_EXPENSE, expense, currency),
            signed_posting(CAPITALISED_CONTRACT_COSTS, capitalised, currency),
            signed_posting(COMMISSIONS_PAYABLE, -payable, currency),
        ]
        .into_iter()
        .flatten()
        .collect();
        if postings.len() < 2 {
            continue;
        }
        let entry = BalancedEntry::try_new(postings).map_err(AppError::internal)?;
        entries.push((
            EntryHeader {
                entry_date: header.entry_date,
                memo: format!("{} ({code})", header.memo),
                source: header.source.clone(),
                idempotency_key: None,
            },
            entry,
        ));
    }
    let count = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    ledger::post_entries(connection, actor, now, entries).await?;
    repo::mark_accrued(connection, movements, ids).await?;
    Ok(count)
}
