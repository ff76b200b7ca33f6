//! Crediting: a component's lines against quota (tiers, cap, true-ups), SPIFs and managers'
//! overrides.

use super::{money_text, percent, share, Assigned, Booking, Collection, Context, Mine, Wanted};
use crate::commissions::plan::{Component, Metric};
use crate::commissions::rules::{self, Credit, Earned};
use crate::entities::user;
use crate::error::AppResult;
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// One thing credited against quota: a booking's metric, or a payment applied to one, in the
/// rep's share and the plan's currency.
struct Item {
    on: NaiveDate,
    booking: usize,
    source: String,
    metric_minor: i64,
    /// The currency `metric_minor` is in: the deal's, or the payment's.
    metric_currency: Currency,
    /// The conversion into the plan's currency, when the metric is in another one.
    fx: Option<FxStep>,
    split_bp: i32,
    credited: i64,
}

/// A metric converted into the plan's currency, as the explanation states it.
struct FxStep {
    converted: i64,
    /// Units of the plan's currency per unit of the metric's, on `on`.
    rate: Decimal,
    on: NaiveDate,
}

impl FxStep {
    fn of(
        context: &Context,
        converted: i64,
        from: Currency,
        to: Currency,
        on: NaiveDate,
    ) -> Option<FxStep> {
        if from == to {
            return None;
        }
        let rate = context.cross_rate(from, to, on)?;
        Some(FxStep {
            converted,
            rate,
            on,
        })
    }
}

/// One component's credits over the quota window, the lines for this month, and a true-up when
/// what earlier months were paid differs from what the window now owes for them (retroactive
/// tiers reached, or a recalculation).
#[allow(clippy::too_many_arguments)]
pub(super) fn credit_lines(
    user_id: i64,
    assigned: &Assigned,
    component: &Component,
    bookings: &[Booking],
    collections: &[Collection],
    mine: &Mine,
    prior: &HashMap<(i64, String), i64>,
    context: &mut Context,
    wanted: &mut Vec<Wanted>,
) {
    let document = &assigned.plan.document;
    let Ok(plan_currency) = document.currency() else {
        return;
    };
    let (window_start, _) = rules::quota_window(context.month, document.quota.period);
    let mut items = if component.metric == Metric::CashCollected {
        collected_items(
            user_id,
            bookings,
            collections,
            mine,
            window_start,
            plan_currency,
            context,
        )
    } else {
        booked_items(
            user_id,
            component,
            bookings,
            mine,
            window_start,
            plan_currency,
            context,
        )
    };
    items.sort_by(|a, b| (a.on, a.booking, &a.source).cmp(&(b.on, b.booking, &b.source)));
    let credits: Vec<Credit> = items
        .iter()
        .map(|item| Credit {
            amount: item.credited,
            flat_rate: component.business_rates.of(bookings[item.booking].business),
        })
        .collect();
    let cap = component
        .cap
        .and_then(|cap| document.money("cap", cap).ok())
        .map(|money| money.minor());
    let bands = rules::bands(component);
    let earned = rules::earn(&bands, component.tier_mode, assigned.quota, cap, &credits);
    let mut owed_before = 0_i64;
    for (item, earned) in items.iter().zip(&earned) {
        if item.on < context.month {
            owed_before += earned.amount;
            continue;
        }
        wanted.push(credit_line(
            user_id,
            assigned,
            component,
            &bookings[item.booking],
            item,
            earned,
            plan_currency,
            context,
        ));
    }
    let paid_before = prior
        .get(&(user_id, component.name.clone()))
        .copied()
        .unwrap_or(0);
    if owed_before != paid_before {
        wanted.push(trueup_line(
            user_id,
            assigned,
            component,
            owed_before,
            paid_before,
            plan_currency,
            context,
        ));
    }
}

/// Cash collected: each payment applied in the quota window to a booking the rep shares.
#[allow(clippy::too_many_arguments)]
fn collected_items(
    user_id: i64,
    bookings: &[Booking],
    collections: &[Collection],
    mine: &Mine,
    window_start: NaiveDate,
    plan_currency: Currency,
    context: &mut Context,
) -> Vec<Item> {
    let mut items = Vec::new();
    for collection in mine.collections.iter().map(|index| &collections[*index]) {
        if collection.collected_on < window_start {
            continue;
        }
        let booking = &bookings[collection.booking];
        let Some(split) = booking.splits.iter().find(|(id, _)| *id == user_id) else {
            continue;
        };
        let Some(converted) = context.convert(
            collection.amount,
            collection.currency,
            plan_currency,
            collection.collected_on,
        ) else {
            continue;
        };
        items.push(Item {
            on: collection.collected_on,
            booking: collection.booking,
            source: format!("payment-application:{}", collection.application_id),
            metric_minor: collection.amount,
            metric_currency: collection.currency,
            fx: FxStep::of(
                context,
                converted,
                collection.currency,
                plan_currency,
                collection.collected_on,
            ),
            split_bp: split.1,
            credited: share(converted, split.1),
        });
    }
    items
}

/// Bookings: each deal the rep shares booked in the quota window, measured by the component's
/// metric (ACV, TCV capped at its years, or ARR).
fn booked_items(
    user_id: i64,
    component: &Component,
    bookings: &[Booking],
    mine: &Mine,
    window_start: NaiveDate,
    plan_currency: Currency,
    context: &mut Context,
) -> Vec<Item> {
    let mut items = Vec::new();
    for (index, booking) in mine
        .bookings
        .iter()
        .map(|index| (*index, &bookings[*index]))
    {
        if booking.booked_on < window_start {
            continue;
        }
        let Some(split) = booking.splits.iter().find(|(id, _)| *id == user_id) else {
            continue;
        };
        let metric_minor = match component.metric {
            Metric::BookingsAcv => booking.acv,
            Metric::BookingsTcv => rules::tcv_credit(
                booking.tcv,
                booking.start,
                booking.end,
                component.multi_year.as_ref().map(|multi| multi.max_years),
            ),
            _ => booking.arr,
        };
        let Some(converted) = context.convert(
            metric_minor,
            booking.currency,
            plan_currency,
            booking.booked_on,
        ) else {
            continue;
        };
        items.push(Item {
            on: booking.booked_on,
            booking: index,
            source: booking.source.clone(),
            metric_minor,
            metric_currency: booking.currency,
            fx: FxStep::of(
                context,
                converted,
                booking.currency,
                plan_currency,
                booking.booked_on,
            ),
            split_bp: split.1,
            credited: share(converted, split.1),
        });
    }
    items
}

/// This month's credit line for one item, with what it earned and why, capitalised (ASC 340-40)
/// when the plan says so and the booking's term runs past a year.
#[allow(clippy::too_many_arguments)]
fn credit_line(
    user_id: i64,
    assigned: &Assigned,
    component: &Component,
    booking: &Booking,
    item: &Item,
    earned: &Earned,
    plan_currency: Currency,
    context: &Context,
) -> Wanted {
    let capitalised = assigned.plan.document.capitalise
        && component.metric.is_booking()
        && rules::term_months(booking.start, booking.end) > 12;
    let explanation = credit_explanation(
        assigned,
        component,
        booking,
        item,
        earned,
        plan_currency,
        capitalised,
    );
    Wanted {
        user_id,
        plan: (assigned.plan.code.clone(), assigned.plan.version),
        component: component.name.clone(),
        kind: "credit",
        source_key: format!("{}:{}:{}", context.period, component.name, item.source),
        deal_id: Some(booking.deal_id),
        contract_id: Some(booking.contract_id),
        business: Some(booking.business),
        metric: component.metric.as_str().into(),
        metric_minor: item.metric_minor,
        split_bp: item.split_bp,
        credited_minor: item.credited,
        tier: earned.tier_text(),
        rate: earned.rate_text(),
        amount: earned.amount,
        currency: plan_currency,
        explanation,
        cause: None,
        reverses_line_id: None,
        capitalised,
        amortise_from: capitalised.then(|| rules::first_of_month(booking.start.max(context.month))),
        amortise_months: if capitalised {
            rules::term_months(booking.start.max(context.month), booking.end)
        } else {
            0
        },
    }
}

/// The words on a credit line: what was credited, the attainment it moved, each tier's piece,
/// and the cap or capitalisation when they apply.
fn credit_explanation(
    assigned: &Assigned,
    component: &Component,
    booking: &Booking,
    item: &Item,
    earned: &Earned,
    plan_currency: Currency,
    capitalised: bool,
) -> String {
    let mut explanation = if booking.source.starts_with("seat-change") {
        format!(
            "Seat increase on {} from {} (expansion). ",
            booking.product, booking.start
        )
    } else {
        String::new()
    };
    let fx = item
        .fx
        .as_ref()
        .map(|step| {
            format!(
                " = {} at {} {} per {} (rate of {})",
                money_text(step.converted, plan_currency),
                step.rate.normalize(),
                plan_currency.code(),
                item.metric_currency.code(),
                step.on
            )
        })
        .unwrap_or_default();
    explanation += &format!(
        "{} {}{}{} × split {} = {} credited; attainment {}% → {}% of quota {}.",
        component.metric.title(),
        money_text(item.metric_minor, item.metric_currency),
        if component.metric == Metric::CashCollected {
            " (before tax)"
        } else {
            ""
        },
        fx,
        percent(item.split_bp),
        money_text(item.credited, plan_currency),
        earned.attainment_before.normalize(),
        earned.attainment_after.normalize(),
        money_text(assigned.quota, plan_currency),
    );
    for piece in &earned.pieces {
        explanation.push_str(&format!(
            " {} at {}% ({}).",
            money_text(piece.credited, plan_currency),
            piece.rate.normalize(),
            piece.label
        ));
    }
    if earned.capped {
        explanation.push_str(" Cut by the component's cap for the quota period.");
    }
    if capitalised {
        explanation.push_str(&format!(
            " Capitalised (ASC 340-40) and amortised over the {}-month term.",
            rules::term_months(booking.start, booking.end)
        ));
    }
    explanation
}

/// The true-up for earlier months of the quota window: what they owe at today's attainment
/// less what was credited then.
fn trueup_line(
    user_id: i64,
    assigned: &Assigned,
    component: &Component,
    owed_before: i64,
    paid_before: i64,
    plan_currency: Currency,
    context: &Context,
) -> Wanted {
    Wanted {
        user_id,
        plan: (assigned.plan.code.clone(), assigned.plan.version),
        component: component.name.clone(),
        kind: "trueup",
        source_key: format!("{}:{}:trueup", context.period, component.name),
        deal_id: None,
        contract_id: None,
        business: None,
        metric: component.metric.as_str().into(),
        metric_minor: 0,
        split_bp: 10_000,
        credited_minor: 0,
        tier: match component.tier_mode {
            crate::commissions::plan::TierMode::Retroactive => "Retroactive true-up".into(),
            crate::commissions::plan::TierMode::Marginal => "Recalculation".into(),
        },
        rate: String::new(),
        amount: owed_before - paid_before,
        currency: plan_currency,
        explanation: format!(
            "Earlier months of this quota period owe {} at today's attainment; {} was credited then.",
            money_text(owed_before, plan_currency),
            money_text(paid_before, plan_currency)
        ),
        cause: None,
        reverses_line_id: None,
        capitalised: false,
        amortise_from: None,
        amortise_months: 0,
    }
}

/// A SPIF pays its amount (times the rep's split) for each deal booked this month inside its
/// dates that matches its criteria.
pub(super) fn spif_lines(
    user_id: i64,
    assigned: &Assigned,
    bookings: &[Booking],
    mine: &Mine,
    context: &mut Context,
    wanted: &mut Vec<Wanted>,
) {
    let document = &assigned.plan.document;
    let Ok(plan_currency) = document.currency() else {
        return;
    };
    for spif in &document.spifs {
        let Ok(amount) = document.money("spif", spif.amount) else {
            continue;
        };
        for booking in mine.bookings.iter().map(|index| &bookings[*index]) {
            if booking.booked_on < context.month
                || booking.booked_on < spif.from
                || booking.booked_on > spif.to
            {
                continue;
            }
            let Some(split) = booking.splits.iter().find(|(id, _)| *id == user_id) else {
                continue;
            };
            if !spif.business.is_empty() && !spif.business.contains(&booking.business) {
                continue;
            }
            if let Some(text) = &spif.product_contains {
                if !booking
                    .product
                    .to_lowercase()
                    .contains(&text.to_lowercase())
                {
                    continue;
                }
            }
            let acv = booking.acv;
            if let Some(minimum) = spif.min_acv {
                let Ok(minimum) = document.money("spif", minimum) else {
                    continue;
                };
                let Some(converted) =
                    context.convert(acv, booking.currency, plan_currency, booking.booked_on)
                else {
                    continue;
                };
                if converted < minimum.minor() {
                    continue;
                }
            }
            let paid = share(amount.minor(), split.1);
            wanted.push(Wanted {
                user_id,
                plan: (assigned.plan.code.clone(), assigned.plan.version),
                component: spif.name.clone(),
                kind: "spif",
                source_key: format!("spif:{}:{}", spif.name, booking.source),
                deal_id: Some(booking.deal_id),
                contract_id: Some(booking.contract_id),
                business: Some(booking.business),
                metric: "spif".into(),
                metric_minor: acv,
                split_bp: split.1,
                credited_minor: 0,
                tier: "SPIF".into(),
                rate: money_text(amount.minor(), plan_currency),
                amount: paid,
                currency: plan_currency,
                explanation: format!(
                    "SPIF \"{}\" ({} to {}): {} per matching deal × split {}.",
                    spif.name,
                    spif.from,
                    spif.to,
                    money_text(amount.minor(), plan_currency),
                    percent(split.1)
                ),
                cause: None,
                reverses_line_id: None,
                capitalised: false,
                amortise_from: None,
                amortise_months: 0,
            });
        }
    }
}

/// A manager's override: their rate on each credit line of the reps who report to them.
pub(super) async fn override_lines<C: ConnectionTrait>(
    connection: &C,
    assigned: &HashMap<i64, Assigned>,
    wanted: &mut Vec<Wanted>,
) -> AppResult<()> {
    let managers: Vec<(i64, &Assigned, &Component)> = assigned
        .iter()
        .flat_map(|(user_id, assigned)| {
            assigned
                .plan
                .document
                .components
                .iter()
                .filter(|component| component.metric == Metric::TeamCredit)
                .map(move |component| (*user_id, assigned, component))
        })
        .collect();
    if managers.is_empty() {
        return Ok(());
    }
    let reports: HashMap<i64, i64> = user::Entity::find()
        .filter(user::Column::ManagerId.is_not_null())
        .all(connection)
        .await?
        .into_iter()
        .filter_map(|row| row.manager_id.map(|manager| (row.id, manager)))
        .collect();
    let mut added = Vec::new();
    for (manager, assigned, component) in managers {
        let Ok(currency) = assigned.plan.document.currency() else {
            continue;
        };
        let rate = component.rate.map(|rate| rate.0).unwrap_or_default();
        for line in wanted.iter().filter(|line| {
            line.kind == "credit"
                && reports.get(&line.user_id) == Some(&manager)
                && line.currency == currency
        }) {
            let amount = (Decimal::from(line.credited_minor) * rate / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                .to_i64()
                .unwrap_or(0);
            added.push(Wanted {
                user_id: manager,
                plan: (assigned.plan.code.clone(), assigned.plan.version),
                component: component.name.clone(),
                kind: "override",
                source_key: format!(
                    "override:{}:{}:{}",
                    component.name, line.user_id, line.source_key
                ),
                deal_id: line.deal_id,
                contract_id: line.contract_id,
                business: line.business,
                metric: Metric::TeamCredit.as_str().into(),
                metric_minor: line.credited_minor,
                split_bp: 10_000,
                credited_minor: line.credited_minor,
                tier: "Manager override".into(),
                rate: format!("{}%", rate.normalize()),
                amount,
                currency,
                explanation: format!(
                    "Override on user {}'s credit of {} ({}) at {}%.",
                    line.user_id,
                    money_text(line.credited_minor, currency),
                    line.component,
                    rate.normalize()
                ),
                cause: None,
                reverses_line_id: None,
                capitalised: line.capitalised,
                amortise_from: line.amortise_from,
                amortise_months: line.amortise_months,
            });
        }
    }
    wanted.extend(added);
    Ok(())
}
