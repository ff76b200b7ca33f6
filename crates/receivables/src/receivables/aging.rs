//! AR aging rules (DOMAIN "Invoices and AR"): the open amount on a date, its bucket by days since
//! the invoice date or past the due date, and percent of AR that sums to exactly 100.

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

/// Kept where issuing and voiding write them (`invoicing::ar_history`), read here as before.
pub use crate::invoicing::ar_history::{open_count_delta, AgingBasis};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, async_graphql::Enum,
)]
pub enum AgingBucket {
    /// 0–30 days.
    Current,
    Days31To60,
    Days61To90,
    Over90,
}

impl AgingBucket {
    pub const ALL: [AgingBucket; 4] = [
        AgingBucket::Current,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
    ];

    pub fn index(&self) -> usize {
        match self {
            AgingBucket::Current => 0,
            AgingBucket::Days31To60 => 1,
            AgingBucket::Days61To90 => 2,
            AgingBucket::Over90 => 3,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            AgingBucket::Current => "Current (0–30)",
            AgingBucket::Days31To60 => "31–60 days",
            AgingBucket::Days61To90 => "61–90 days",
            AgingBucket::Over90 => "Over 90 days",
        }
    }

    /// The bucket of an invoice `days` old (negative = not yet due).
    pub fn for_days(days: i64) -> AgingBucket {
        match days {
            ..=30 => AgingBucket::Current,
            31..=60 => AgingBucket::Days31To60,
            61..=90 => AgingBucket::Days61To90,
            _ => AgingBucket::Over90,
        }
    }

    /// The dates an aging date must be on or after to fall in this bucket as of `as_of`, and
    /// before which it falls in an older one: `(from, until)`, both optional.
    pub fn aged_from_range(&self, as_of: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let day = |days: i64| as_of - Duration::days(days);
        match self {
            AgingBucket::Current => (Some(day(30)), None),
            AgingBucket::Days31To60 => (Some(day(60)), Some(day(30))),
            AgingBucket::Days61To90 => (Some(day(90)), Some(day(60))),
            AgingBucket::Over90 => (None, Some(day(90))),
        }
    }
}

/// Days an invoice is old on `as_of`, counted from `aged_from` (its invoice or due date).
pub fn days_old(aged_from: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - aged_from).num_days()
}

/// Amount and count per bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BucketTotals {
    pub amounts: [i64; 4],
    pub counts: [i64; 4],
}

impl BucketTotals {
    pub fn add(&mut self, bucket: AgingBucket, amount: i64, count: i64) {
        self.amounts[bucket.index()] += amount;
        self.counts[bucket.index()] += count;
    }

    pub fn total(&self) -> i64 {
        self.amounts.iter().sum()
    }

    pub fn count(&self) -> i64 {
        self.counts.iter().sum()
    }

    /// Percent of AR per bucket with two decimals, summing to exactly 100.00 when there is AR
    /// (largest remainder over hundredths of a percent; ties to the earlier bucket).
    pub fn percents(&self) -> [Decimal; 4] {
        let total = self.total();
        if total == 0 {
            return [Decimal::ZERO; 4];
        }
        let total = i128::from(total);
        let mut shares = [0i128; 4];
        let mut remainders = [(0i128, 0usize); 4];
        for (index, amount) in self.amounts.iter().enumerate() {
            let scaled = i128::from(*amount) * 10_000;
            shares[index] = scaled.div_euclid(total);
            remainders[index] = (scaled.rem_euclid(total), index);
        }
        let assigned: i128 = shares.iter().sum();
        let mut left = 10_000 - assigned;
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, index) in remainders {
            if left <= 0 {
                break;
            }
            shares[index] += 1;
            left -= 1;
        }
        shares.map(|share| Decimal::from_i128_with_scale(share, 2))
    }
}

/// One change to an invoice's open amount, as the AR history keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub invoice_id: i64,
    pub amount: i64,
    pub count_delta: i64,
    pub movement_date: NaiveDate,
    pub aged_from: NaiveDate,
}

/// Aging on `as_of` from a history of movements: what the stored cells add up to, written plainly
/// so tests can compare the fast path with it.
pub fn age(movements: &[Movement], as_of: NaiveDate) -> BucketTotals {
    let mut totals = BucketTotals::default();
    for movement in movements
        .iter()
        .filter(|movement| movement.movement_date <= as_of)
    {
        let bucket = AgingBucket::for_days(days_old(movement.aged_from, as_of));
        totals.add(bucket, movement.amount, movement.count_delta);
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn buckets_follow_the_day_counts() {
        assert_eq!(AgingBucket::for_days(-5), AgingBucket::Current);
        assert_eq!(AgingBucket::for_days(30), AgingBucket::Current);
        assert_eq!(AgingBucket::for_days(31), AgingBucket::Days31To60);
        assert_eq!(AgingBucket::for_days(60), AgingBucket::Days31To60);
        assert_eq!(AgingBucket::for_days(61), AgingBucket::Days61To90);
        assert_eq!(AgingBucket::for_days(90), AgingBucket::Days61To90);
        assert_eq!(AgingBucket::for_days(91), AgingBucket::Over90);
    }

    #[test]
    fn ranges_agree_with_day_counts() {
        let as_of = date("2026-06-30");
        for offset in -40..200 {
            let aged_from = as_of - Duration::days(offset);
            let bucket = AgingBucket::for_days(days_old(aged_from, as_of));
            let (from, until) = bucket.aged_from_range(as_of);
            assert!(from.is_none_or(|from| aged_from >= from), "{offset}");
            assert!(until.is_none_or(|until| aged_from < until), "{offset}");
        }
    }

    #[test]
    fn percents_sum_to_one_hundred() {
        let totals = BucketTotals {
            amounts: [1, 1, 1, 0],
            counts: [1, 1, 1, 0],
        };
        let percents = totals.percents();
        assert_eq!(percents.iter().sum::<Decimal>(), Decimal::new(10_000, 2));
        assert_eq!(percents[0], Decimal::new(3334, 2));
        assert_eq!(percents[3], Decimal::ZERO);
    }

    #[test]
    fn counts_follow_open_to_closed() {
        assert_eq!(open_count_delta(0, 100), 1);
        assert_eq!(open_count_delta(100, 40), 0);
        assert_eq!(open_count_delta(40, 0), -1);
    }

    proptest! {
        /// Random invoices paid down in date order: the aging from the movement history equals
        /// each invoice's open amount on the date, bucketed one by one.
        #[test]
        fn aging_from_history_equals_open_invoices(
            invoices in proptest::collection::vec((0i64..200, 1i64..100_000, proptest::collection::vec((0i64..120, 1i64..60_000), 0..4)), 1..30),
            as_of_offset in 0i64..330,
        ) {
            let start = date("2026-01-01");
            let as_of = start + Duration::days(as_of_offset);
            let mut movements = Vec::new();
            let mut expected = BucketTotals::default();
            for (id, (issued, total, payments)) in invoices.iter().enumerate() {
                let id = id as i64;
                let invoice_date = start + Duration::days(*issued);
                let mut open = *total;
                movements.push(Movement { invoice_id: id, amount: open, count_delta: 1, movement_date: invoice_date, aged_from: invoice_date });
                let mut day = invoice_date;
                let mut open_on_as_of = if invoice_date <= as_of { open } else { 0 };
                for (gap, amount) in payments {
                    let paid = (*amount).min(open);
                    if paid == 0 { break; }
                    day += Duration::days(*gap);
                    let before = open;
                    open -= paid;
                    movements.push(Movement { invoice_id: id, amount: -paid, count_delta: open_count_delta(before, open), movement_date: day, aged_from: invoice_date });
                    if day <= as_of { open_on_as_of = open; }
                }
                if invoice_date <= as_of && open_on_as_of != 0 {
                    expected.add(AgingBucket::for_days(days_old(invoice_date, as_of)), open_on_as_of, 1);
                }
            }
            let aged = age(&movements, as_of);
            prop_assert_eq!(aged, expected);
            // Cells keyed by (aged_from, movement_date) hold the same information.
            let mut cells: BTreeMap<(NaiveDate, NaiveDate), (i64, i64)> = BTreeMap::new();
            for movement in &movements {
                let cell = cells.entry((movement.aged_from, movement.movement_date)).or_default();
                cell.0 += movement.amount;
                cell.1 += movement.count_delta;
            }
            let mut from_cells = BucketTotals::default();
            for ((aged_from, moved), (amount, count)) in cells {
                if moved <= as_of {
                    from_cells.add(AgingBucket::for_days(days_old(aged_from, as_of)), amount, count);
                }
            }
            prop_assert_eq!(from_cells, expected);
        }
    }
}
