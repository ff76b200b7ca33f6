//! Badges and timers of collections work: dispute and document states, bank-line states, task
//! or alert, and the dispute review clock. Each shows a word with its colour.

use leptos::prelude::*;

use super::status::{Badge, Tone};

/// A dispute's state.
#[component]
pub fn DisputeStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "OPEN" => (Tone::Warning, "Open"),
        "VALID" => (Tone::Info, "Valid"),
        "INVALID" => (Tone::Neutral, "Invalid"),
        "CLOSED" => (Tone::Good, "Closed"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// A credit memo's or write-off's state.
#[component]
pub fn DocumentStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "REQUESTED" => (Tone::Warning, "Awaiting approval"),
        "APPROVED" => (Tone::Good, "Approved"),
        "REJECTED" => (Tone::Danger, "Rejected"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// A bank line's state.
#[component]
pub fn ReceiptStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "PROPOSED" => (Tone::Info, "Match proposed"),
        "UNMATCHED" => (Tone::Warning, "Unmatched"),
        "MATCHED" => (Tone::Good, "Matched"),
        "IGNORED" => (Tone::Neutral, "Set aside"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// Whether a queue item is a task to do or an alert to read.
#[component]
pub fn TaskKindBadge(#[prop(into)] kind: String) -> impl IntoView {
    if kind == "alert" {
        view! { <Badge tone=Tone::Danger label="Alert" /> }
    } else {
        view! { <Badge tone=Tone::Info label="Task" /> }
    }
}

/// Business minutes as "5 h 07 min" (or "45 min" under an hour).
pub fn business_duration(minutes: i64) -> String {
    let minutes = minutes.unsigned_abs();
    match (minutes / 60, minutes % 60) {
        (0, rest) => format!("{rest} min"),
        (hours, rest) => format!("{hours} h {rest:02} min"),
    }
}

/// The review clock in words: time left, or how late, in business hours and minutes. Once the
/// dispute is reviewed the server freezes the figure, so it then says how the review went.
pub fn sla_text(minutes_left: i64, reviewed: bool) -> String {
    let duration = business_duration(minutes_left);
    match (reviewed, minutes_left < 0) {
        (false, false) => format!("{duration} left"),
        (false, true) => format!("Late by {duration}"),
        (true, false) => format!("Reviewed with {duration} to spare"),
        (true, true) => format!("Reviewed {duration} late"),
    }
}

/// The 48-business-hour review clock of a dispute: calm while there is time, amber in the last
/// eight business hours, red when late.
#[component]
pub fn SlaTimer(minutes_left: i64, late: bool, reviewed: bool) -> impl IntoView {
    let late = late || minutes_left < 0;
    let tone = match (reviewed, late) {
        (_, true) => Tone::Danger,
        (true, false) => Tone::Good,
        (false, false) if minutes_left < 8 * 60 => Tone::Warning,
        (false, false) => Tone::Neutral,
    };
    view! {
        <span class="sla" data-test="sla" data-late=if late { "true" } else { "false" }>
            <Badge tone=tone label=sla_text(minutes_left, reviewed) />
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_clock_reads_in_business_hours_and_minutes() {
        assert_eq!(sla_text(2880, false), "48 h 00 min left");
        assert_eq!(sla_text(45, false), "45 min left");
        assert_eq!(sla_text(-125, false), "Late by 2 h 05 min");
        assert_eq!(sla_text(61, true), "Reviewed with 1 h 01 min to spare");
        assert_eq!(sla_text(-30, true), "Reviewed 30 min late");
    }
}
