//! How commissions are worded everywhere: line kinds, metrics and kinds of business in words,
//! the calculation state of a month, a dispute's and a line's status as badges (a word with
//! its colour, never colour alone), and when a dispute's answer is due.

use leptos::prelude::*;

use crate::{
    components::status::{Badge, Tone},
    format,
};

/// A statement line's kind in words.
pub fn kind_label(kind: &str) -> String {
    match kind {
        "credit" => "Credit".to_string(),
        "trueup" => "True-up".to_string(),
        "spif" => "SPIF".to_string(),
        "override" => "Manager override".to_string(),
        "clawback" => "Clawback".to_string(),
        "adjustment" => "Adjustment".to_string(),
        other => format::enum_label(other),
    }
}

/// What a plan component measures, in words.
pub fn metric_label(metric: &str) -> String {
    match metric {
        "bookings_acv" => "Bookings ACV".to_string(),
        "bookings_tcv" => "Bookings TCV".to_string(),
        "first_year_arr" => "First-year ARR".to_string(),
        "cash_collected" => "Cash collected".to_string(),
        "team_credit" => "Team credit".to_string(),
        other => format::enum_label(other),
    }
}

/// New business, expansion or renewal, in words.
pub fn business_label(business: Option<&str>) -> String {
    match business {
        Some("new") => "New".to_string(),
        Some("expansion") => "Expansion".to_string(),
        Some("renewal") => "Renewal".to_string(),
        Some(other) => format::enum_label(other),
        None => "—".to_string(),
    }
}

/// Why a clawback or adjustment happened, in words.
pub fn cause_label(cause: &str) -> String {
    match cause {
        "credit_memo" => "Credit memo".to_string(),
        "write_off" => "Write-off".to_string(),
        "churn" => "Churn".to_string(),
        "dispute" => "Dispute".to_string(),
        other => format::enum_label(other),
    }
}

/// A line's rate: a percentage as the server wrote it ("8% / 12%"), or for a flat amount (a
/// SPIF) the amount in the line's currency.
pub fn rate_text(rate: &str, currency: &str) -> String {
    let rate = rate.trim();
    if rate.is_empty() {
        "—".to_string()
    } else if !rate.contains('%') && format::parse_decimal(rate).is_some() {
        format::money(rate, currency)
    } else {
        rate.to_string()
    }
}

/// A quota period ("quarter") in words.
pub fn quota_period_label(period: &str) -> String {
    match period {
        "month" => "Monthly".to_string(),
        "quarter" => "Quarterly".to_string(),
        "year" => "Annual".to_string(),
        other => format::enum_label(other),
    }
}

/// The month of a plan window as "Oct 2026 – Dec 2026" (one month when both ends agree).
pub fn month_range(from: &str, to: &str) -> String {
    if from == to {
        format::month(from)
    } else {
        format!("{} – {}", format::month(from), format::month(to))
    }
}

/// A month's calculation state against the five-business-day rule.
pub fn period_state(state: &str) -> (Tone, &'static str) {
    match state {
        "open" => (Tone::Neutral, "Month open"),
        "due" => (Tone::Warning, "Due"),
        "overdue" => (Tone::Danger, "Overdue"),
        "done_on_time" => (Tone::Good, "Done on time"),
        "done_late" => (Tone::Warning, "Done late"),
        "no_plans" => (Tone::Neutral, "Nobody on a plan"),
        _ => (Tone::Neutral, "Unknown"),
    }
}

#[component]
pub fn PeriodStateBadge(#[prop(into)] state: String) -> impl IntoView {
    let (tone, label) = period_state(&state);
    view! { <span data-state=state><Badge tone=tone label=label /></span> }
}

/// A commission dispute's state.
#[component]
pub fn CommissionDisputeBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "OPEN" => (Tone::Warning, "Open"),
        "ACCEPTED" => (Tone::Good, "Accepted"),
        "REJECTED" => (Tone::Danger, "Rejected"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// A statement line's state: calculated (accrued, waiting for a payout) or paid.
#[component]
pub fn LineStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "paid" => (Tone::Good, "Paid"),
        "calculated" => (Tone::Info, "Calculated"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// Whether an RFC 3339 time is already past, by the browser's clock.
pub fn is_past(rfc3339: &str) -> bool {
    let at = js_sys::Date::parse(rfc3339);
    !at.is_nan() && at < js_sys::Date::now()
}

/// When a reviewer must answer a dispute; an open dispute past that time says "Overdue".
#[component]
pub fn AnswerDue(#[prop(into)] due_at: String, open: bool) -> impl IntoView {
    let overdue = open && is_past(&due_at);
    view! {
        <span class="nowrap" data-overdue=if overdue { "true" } else { "false" }>
            {format::date_time(&due_at)}
        </span>
        {overdue.then(|| view! { " " <Badge tone=Tone::Danger label="Overdue" /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_words_read_as_finance_words() {
        assert_eq!(kind_label("trueup"), "True-up");
        assert_eq!(metric_label("bookings_acv"), "Bookings ACV");
        assert_eq!(business_label(None), "—");
        assert_eq!(month_range("2026-10", "2026-12"), "Oct 2026 – Dec 2026");
        assert_eq!(month_range("2026-11", "2026-11"), "Nov 2026");
        assert_eq!(rate_text("8% / 12%", "USD"), "8% / 12%");
        assert_eq!(rate_text("500.00", "USD"), "$500.00");
        assert_eq!(rate_text("", "USD"), "—");
        assert_eq!(period_state("overdue"), (Tone::Danger, "Overdue"));
    }
}
