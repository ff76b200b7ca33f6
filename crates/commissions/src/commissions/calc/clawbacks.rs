//! Clawbacks: reversing commission on amounts that went away within the plan's window.

use super::{money_text, Assigned, Context, Wanted};
use crate::billing::periods;
use crate::commissions::plan::{Business, ClawbackMode};
use crate::commissions::repo::{self, BookingFacts, Cause};
use crate::commissions::rules;
use crate::entities::commission_line;
use crate::error::AppResult;
use crate::money::Currency;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// Reverses commission on amounts that went away within the plan's window: approved credit
/// memos and write-offs on the deal's invoices (their pre-tax share of the contract value), and
/// churn (every line of the contract cancelled) — once per cause and line, in this period
/// unless an earlier period already took it.
pub(super) async fn clawback_lines<C: ConnectionTrait>(
    connection: &C,
    assigned: &HashMap<i64, Assigned>,
    context: &Context,
    wanted: &mut Vec<Wanted>,
) -> AppResult<()> {
    let all_windows = clawback_windows(connection, assigned).await?;
    if all_windows.is_empty() {
        return Ok(());
    }
    let causes = repo::reductions_through(connection, context.cutoff).await?;
    if causes.is_empty() {
        return Ok(());
    }
    let contract_ids: Vec<i64> = causes.keys().copied().collect();
    let lines = repo::clawable_lines(connection, &contract_ids).await?;
    let (taken, mut clawed) = repo::clawback_keys(connection, &context.period).await?;
    let bookings = repo::booking_facts(connection, &contract_ids).await?;
    for line in lines {
        let Some(contract_id) = line.contract_id else {
            continue;
        };
        let Some(&(window_days, mode)) =
            all_windows.get(&(line.plan_code.clone(), line.plan_version))
        else {
            continue;
        };
        let Some(facts) = bookings.get(&contract_id) else {
            continue;
        };
        let Ok(currency) = Currency::parse(&line.currency) else {
            continue;
        };
        for cause in causes.get(&contract_id).into_iter().flatten() {
            if (cause.on - facts.booked_on).num_days() > i64::from(window_days)
                || cause.on < facts.booked_on
            {
                continue;
            }
            let key = format!("clawback:{}:{}:{}", cause.kind, cause.id, line.id);
            if taken.contains(&(line.user_id, key.clone())) {
                continue;
            }
            // Never more than what the line paid, over all its clawbacks.
            let already = clawed.entry(line.id).or_default();
            let amount =
                clawback_amount(&line, cause, facts, mode).min(line.amount_minor - *already);
            if amount <= 0 {
                continue;
            }
            *already += amount;
            let explanation = format!(
                "{}, within the plan's {window_days}-day window: reverses {} of the {} paid on line {} ({}).",
                cause_text(cause, facts),
                money_text(amount, currency),
                money_text(line.amount_minor, currency),
                line.id,
                line.period
            );
            wanted.push(Wanted {
                user_id: line.user_id,
                plan: (line.plan_code.clone(), line.plan_version),
                component: line.component.clone(),
                kind: "clawback",
                source_key: key,
                deal_id: line.deal_id,
                contract_id: Some(contract_id),
                business: line.business.as_deref().and_then(Business::parse),
                metric: line.metric.clone(),
                metric_minor: cause.amount,
                split_bp: line.split_bp,
                credited_minor: 0,
                tier: "Clawback".into(),
                rate: line.rate.clone(),
                amount: -amount,
                currency,
                explanation,
                cause: Some((cause.kind, cause.id)),
                reverses_line_id: Some(line.id),
                capitalised: line.capitalised,
                amortise_from: line.amortise_from,
                amortise_months: line.amortise_months,
            });
        }
    }
    Ok(())
}

/// Each plan version's clawback window and mode: the assigned plans', then every other
/// version's (a line paid under an older version is clawed back under its own rules).
async fn clawback_windows<C: ConnectionTrait>(
    connection: &C,
    assigned: &HashMap<i64, Assigned>,
) -> AppResult<HashMap<(String, i32), (u32, ClawbackMode)>> {
    let mut all_windows: HashMap<(String, i32), (u32, ClawbackMode)> = assigned
        .values()
        .filter_map(|assigned| {
            assigned.plan.document.clawback.as_ref().map(|clawback| {
                (
                    (assigned.plan.code.clone(), assigned.plan.version),
                    (clawback.window_days, clawback.mode),
                )
            })
        })
        .collect();
    for plan in repo::plan_versions(connection).await? {
        if let Some(clawback) = &plan.document.clawback {
            all_windows
                .entry((plan.code.clone(), plan.version))
                .or_insert((clawback.window_days, clawback.mode));
        }
    }
    Ok(all_windows)
}

/// What a cause takes back from a line, before the cap of what the line paid: its share of the
/// contract value, or for churn the unserved days' share (prorated) or the whole (full).
fn clawback_amount(
    line: &commission_line::Model,
    cause: &Cause,
    facts: &BookingFacts,
    mode: ClawbackMode,
) -> i64 {
    match (cause.kind, mode) {
        ("churn", ClawbackMode::Prorated) => {
            // Billing's day count, so the clawback reverses the share of the days the
            // cancellation credit gave back (its effective day is the first unserved).
            let term = periods::term_days(facts.start, facts.end);
            let unserved = periods::unserved_days(cause.on, facts.end);
            rules::clawback_share(line.amount_minor, unserved, term)
        }
        ("churn", ClawbackMode::Full) => line.amount_minor,
        _ => rules::clawback_share(line.amount_minor, cause.amount, facts.tcv),
    }
}

/// What went away, in the words of the clawback line.
fn cause_text(cause: &Cause, facts: &BookingFacts) -> String {
    match cause.kind {
        "credit_memo" => format!(
            "Credit memo {} of {} against a contract value of {}",
            cause.label,
            money_text(cause.amount, facts.currency),
            money_text(facts.tcv, facts.currency)
        ),
        "write_off" => format!(
            "Write-off of {} (before tax) against a contract value of {}",
            money_text(cause.amount, facts.currency),
            money_text(facts.tcv, facts.currency)
        ),
        _ => format!(
            "The customer churned on {} ({} days after booking)",
            cause.on,
            (cause.on - facts.booked_on).num_days()
        ),
    }
}
