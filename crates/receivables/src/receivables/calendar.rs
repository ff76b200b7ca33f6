//! Business calendar for collection timers: which UTC dates are working days, and business time
//! measured across weekends and holidays ("reply within 48 business hours").

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use std::collections::BTreeSet;

/// The furthest, in calendar days, that a forward walk goes (about ten years). It keeps a calendar
/// with years of holidays, or an absurd amount of time to add, from looping for ever: when it is
/// reached the walk stops and returns where it got to, so the answer is "ten years out".
pub const MAX_WALK_DAYS: u64 = 3660;

/// Monday to Friday minus the listed holidays. Dates are UTC calendar dates, and a business day's
/// business hours are all 24 of its hours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> BusinessCalendar {
        BusinessCalendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Monday to Friday and not a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        is_weekday(date) && !self.holidays.contains(&date)
    }

    /// The earliest instant by which `hours` business hours have passed since `start`, so 48
    /// hours from Fri 10:00 is Tue 10:00 (Wed 10:00 when Monday is a holiday). A start on a
    /// non-business day counts from 00:00 of the next business day (48 hours from Sat 10:00 is
    /// Wed 00:00), except that 0 hours is `start` itself. Hours that fill a business day end at
    /// the following midnight, business day or not. Past [`MAX_WALK_DAYS`] the walk stops and
    /// returns the midnight it reached.
    pub fn add_business_hours(&self, start: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
        let mut needed = TimeDelta::hours(i64::from(hours));
        let mut cursor = start;
        let Some(limit) = start
            .date_naive()
            .checked_add_days(Days::new(MAX_WALK_DAYS))
        else {
            return start;
        };
        while needed > TimeDelta::zero() {
            let date = cursor.date_naive();
            if date >= limit {
                break;
            }
            let Some(next_midnight) = date.succ_opt().map(midnight) else {
                break;
            };
            if self.is_business_day(date) {
                let available = next_midnight - cursor;
                if needed <= available {
                    return cursor + needed;
                }
                needed -= available;
            }
            cursor = next_midnight;
        }
        cursor
    }

    /// Business time from `from` to `to` in whole minutes (truncated), negative when `to` is
    /// before `from`. Counted arithmetically, so any span is exact and quick.
    pub fn business_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to < from {
            return -self.business_time(to, from).num_minutes();
        }
        self.business_time(from, to).num_minutes()
    }

    /// The date `days` business days after `date`, counting from `date` itself when it is a
    /// business day and from the next business day otherwise (so Fri + 1 is Mon, Sat + 0 is Mon,
    /// Sat + 1 is Tue). Past [`MAX_WALK_DAYS`] the walk stops and returns the date it reached.
    pub fn add_business_days(&self, date: NaiveDate, days: u32) -> NaiveDate {
        let Some(limit) = date.checked_add_days(Days::new(MAX_WALK_DAYS)) else {
            return date;
        };
        let mut cursor = date;
        let mut remaining = days;
        loop {
            if self.is_business_day(cursor) {
                if remaining == 0 {
                    return cursor;
                }
                remaining -= 1;
            }
            match cursor.succ_opt() {
                Some(next) if next <= limit => cursor = next,
                _ => return cursor,
            }
        }
    }

    /// Business time in `[from, to)`; `from <= to`.
    fn business_time(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        let (first, last) = (from.date_naive(), to.date_naive());
        if first == last {
            return self.if_business(first, to - from);
        }
        let head = first
            .succ_opt()
            .map(|next| self.if_business(first, midnight(next) - from))
            .unwrap_or_default();
        let tail = self.if_business(last, to - midnight(last));
        let whole_days = first
            .succ_opt()
            .map(|next| self.business_days_in(next, last))
            .unwrap_or(0);
        let middle = TimeDelta::try_days(whole_days).unwrap_or(TimeDelta::MAX);
        head.checked_add(&tail)
            .and_then(|partial| partial.checked_add(&middle))
            .unwrap_or(TimeDelta::MAX)
    }

    fn if_business(&self, date: NaiveDate, span: TimeDelta) -> TimeDelta {
        if self.is_business_day(date) {
            span
        } else {
            TimeDelta::zero()
        }
    }

    /// Business days in `[from, to)`: weekdays by arithmetic, less the weekday holidays in range.
    fn business_days_in(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        let holidays = self
            .holidays
            .range(from..to)
            .filter(|holiday| is_weekday(**holiday))
            .count();
        weekdays_in(from, to) - i64::try_from(holidays).unwrap_or(i64::MAX)
    }
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// Mondays to Fridays in `[from, to)`, `from <= to`.
fn weekdays_in(from: NaiveDate, to: NaiveDate) -> i64 {
    let span = (to - from).num_days();
    let (weeks, rest) = (span / 7, span % 7);
    let start = i64::from(from.weekday().num_days_from_monday());
    let extra = (0..rest).filter(|offset| (start + offset) % 7 < 5).count();
    weeks * 5 + i64::try_from(extra).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    // 2026-01-02 is a Friday; 2026-01-05 the Monday after.
    const FRIDAY: &str = "2026-01-02";
    const MONDAY: &str = "2026-01-05";

    #[test]
    fn weekdays_are_business_days_unless_holidays() {
        let calendar = BusinessCalendar::new([day(MONDAY)]);
        assert!(calendar.is_business_day(day(FRIDAY)));
        assert!(!calendar.is_business_day(day("2026-01-03")));
        assert!(!calendar.is_business_day(day("2026-01-04")));
        assert!(!calendar.is_business_day(day(MONDAY)));
        assert!(calendar.is_business_day(day("2026-01-06")));
    }

    #[test]
    fn friday_plus_48_hours_is_tuesday_same_time() {
        let calendar = BusinessCalendar::default();
        let due = calendar.add_business_hours(at("2026-01-02T10:00:00Z"), 48);
        assert_eq!(due, at("2026-01-06T10:00:00Z"));
    }

    #[test]
    fn a_monday_holiday_pushes_the_deadline_to_wednesday() {
        let calendar = BusinessCalendar::new([day(MONDAY)]);
        let due = calendar.add_business_hours(at("2026-01-02T10:00:00Z"), 48);
        assert_eq!(due, at("2026-01-07T10:00:00Z"));
    }

    #[test]
    fn a_saturday_start_counts_from_monday_midnight() {
        let calendar = BusinessCalendar::default();
        let due = calendar.add_business_hours(at("2026-01-03T10:00:00Z"), 48);
        assert_eq!(due, at("2026-01-07T00:00:00Z"));
    }

    #[test]
    fn zero_hours_is_the_start_itself() {
        let calendar = BusinessCalendar::default();
        let saturday = at("2026-01-03T10:00:00Z");
        assert_eq!(calendar.add_business_hours(saturday, 0), saturday);
    }

    #[test]
    fn time_that_fills_friday_ends_at_saturday_midnight() {
        let calendar = BusinessCalendar::default();
        let due = calendar.add_business_hours(at("2026-01-02T10:00:00Z"), 14);
        assert_eq!(due, at("2026-01-03T00:00:00Z"));
        let due = calendar.add_business_hours(at("2026-01-02T10:00:00Z"), 15);
        assert_eq!(due, at("2026-01-05T01:00:00Z"));
    }

    #[test]
    fn an_all_holiday_calendar_stops_at_the_walk_limit() {
        let start = day("2026-01-01");
        let holidays = start.iter_days().take(5000);
        let calendar = BusinessCalendar::new(holidays);
        let limit = start.checked_add_days(Days::new(MAX_WALK_DAYS)).unwrap();
        let due = calendar.add_business_hours(midnight(start), 24);
        assert_eq!(due, midnight(limit));
        assert_eq!(calendar.add_business_days(start, 3), limit);
    }

    #[test]
    fn huge_hour_counts_return_quickly_at_the_walk_limit() {
        let calendar = BusinessCalendar::default();
        let start = at("2026-01-02T10:00:00Z");
        let due = calendar.add_business_hours(start, u32::MAX);
        let limit = day(FRIDAY)
            .checked_add_days(Days::new(MAX_WALK_DAYS))
            .unwrap();
        assert_eq!(due, midnight(limit));
    }

    #[test]
    fn minutes_between_skip_weekends_and_holidays() {
        let calendar = BusinessCalendar::new([day(MONDAY)]);
        let friday = at("2026-01-02T10:00:00Z");
        let wednesday = at("2026-01-07T10:00:00Z");
        assert_eq!(
            calendar.business_minutes_between(friday, wednesday),
            48 * 60
        );
        assert_eq!(
            calendar.business_minutes_between(wednesday, friday),
            -48 * 60
        );
        let saturday = at("2026-01-03T09:00:00Z");
        let sunday = at("2026-01-04T17:00:00Z");
        assert_eq!(calendar.business_minutes_between(saturday, sunday), 0);
        assert_eq!(calendar.business_minutes_between(friday, friday), 0);
    }

    #[test]
    fn minutes_between_truncate_partial_minutes() {
        let calendar = BusinessCalendar::default();
        let from = at("2026-01-02T23:59:30Z");
        let to = at("2026-01-05T00:00:45Z");
        assert_eq!(calendar.business_minutes_between(from, to), 1);
        assert_eq!(calendar.business_minutes_between(to, from), -1);
    }

    #[test]
    fn minutes_between_over_a_year_is_exact() {
        let calendar = BusinessCalendar::default();
        // 2024-01-01 (Mon) to 2024-12-30 (Mon): exactly 52 weeks.
        let from = at("2024-01-01T00:00:00Z");
        let to = at("2024-12-30T00:00:00Z");
        assert_eq!(
            calendar.business_minutes_between(from, to),
            52 * 5 * 24 * 60
        );
    }

    #[test]
    fn business_days_count_from_the_first_business_day() {
        let calendar = BusinessCalendar::new([day(MONDAY)]);
        assert_eq!(calendar.add_business_days(day(FRIDAY), 0), day(FRIDAY));
        assert_eq!(
            calendar.add_business_days(day(FRIDAY), 1),
            day("2026-01-06")
        );
        assert_eq!(
            calendar.add_business_days(day("2026-01-03"), 0),
            day("2026-01-06")
        );
        assert_eq!(
            calendar.add_business_days(day("2026-01-03"), 1),
            day("2026-01-07")
        );
        assert_eq!(
            calendar.add_business_days(day(FRIDAY), 5),
            day("2026-01-12")
        );
    }

    #[test]
    fn minutes_between_the_extreme_instants_do_not_overflow() {
        let calendar = BusinessCalendar::new([day(MONDAY)]);
        let span =
            calendar.business_minutes_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        assert!(span > 0);
        let far = calendar.add_business_hours(DateTime::<Utc>::MAX_UTC, 48);
        assert_eq!(far, DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            calendar.add_business_days(NaiveDate::MAX, 2),
            NaiveDate::MAX
        );
    }

    /// Business minutes found by walking day by day, to check the arithmetic version.
    fn walked_minutes(calendar: &BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let mut total = TimeDelta::zero();
        let mut cursor = from;
        while cursor < to {
            let next = midnight(cursor.date_naive().succ_opt().unwrap()).min(to);
            if calendar.is_business_day(cursor.date_naive()) {
                total += next - cursor;
            }
            cursor = next;
        }
        total.num_minutes()
    }

    fn business_start() -> impl Strategy<Value = (BusinessCalendar, DateTime<Utc>)> {
        let holidays = proptest::collection::vec(0u64..800, 0..40);
        (holidays, 0u64..700, 0u32..86_400).prop_filter_map(
            "start on a business day",
            |(offsets, start_day, second)| {
                let base = day("2025-06-02");
                let calendar = BusinessCalendar::new(
                    offsets
                        .into_iter()
                        .filter_map(|offset| base.checked_add_days(Days::new(offset))),
                );
                let date = base.checked_add_days(Days::new(start_day))?;
                let start = midnight(date) + TimeDelta::seconds(i64::from(second));
                calendar.is_business_day(date).then_some((calendar, start))
            },
        )
    }

    proptest! {
        #[test]
        fn added_hours_measure_back_exactly(
            (calendar, start) in business_start(),
            hours in 0u32..20_000,
        ) {
            let due = calendar.add_business_hours(start, hours);
            let minutes = i64::from(hours) * 60;
            prop_assert_eq!(calendar.business_minutes_between(start, due), minutes);
            prop_assert_eq!(calendar.business_minutes_between(due, start), -minutes);
        }

        #[test]
        fn minutes_between_match_a_day_by_day_walk(
            holidays in proptest::collection::vec(0u64..1500, 0..60),
            from_second in 0i64..1500 * 86_400,
            length in 0i64..1500 * 86_400,
        ) {
            let base = day("2025-01-01");
            let calendar = BusinessCalendar::new(
                holidays
                    .into_iter()
                    .map(|offset| base.checked_add_days(Days::new(offset)).unwrap()),
            );
            let from = midnight(base) + TimeDelta::seconds(from_second);
            let to = from + TimeDelta::seconds(length);
            let walked = walked_minutes(&calendar, from, to);
            prop_assert_eq!(calendar.business_minutes_between(from, to), walked);
        }

        #[test]
        fn deadlines_never_move_earlier_with_more_hours(
            (calendar, start) in business_start(),
            hours in 0u32..20_000,
            more in 0u32..500,
        ) {
            let sooner = calendar.add_business_hours(start, hours);
            let later = calendar.add_business_hours(start, hours + more);
            prop_assert!(sooner <= later);
        }
    }
}
