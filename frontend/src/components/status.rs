//! Status badges: always a word and a colour together, never colour alone.

use leptos::prelude::*;

/// The colour family of a badge; each carries one meaning everywhere in the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warning,
    Danger,
    Neutral,
    Info,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Good => "badge badge-good",
            Tone::Warning => "badge badge-warning",
            Tone::Danger => "badge badge-danger",
            Tone::Neutral => "badge badge-neutral",
            Tone::Info => "badge badge-info",
        }
    }
}

#[component]
pub fn Badge(tone: Tone, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=tone.class()>{label}</span> }
}

/// A customer's credit-hold status.
#[component]
pub fn HoldBadge(on_hold: bool) -> impl IntoView {
    if on_hold {
        view! { <Badge tone=Tone::Danger label="On hold" /> }
    } else {
        view! { <Badge tone=Tone::Good label="Active" /> }
    }
}

/// A deal's status.
#[component]
pub fn DealStatusBadge(
    #[prop(into)] status: String,
    #[prop(default = false)] complete: bool,
) -> impl IntoView {
    let (tone, label) = match (status.as_str(), complete) {
        ("APPROVED", _) => (Tone::Good, "Approved"),
        ("DRAFT", true) => (Tone::Info, "Ready to approve"),
        ("DRAFT", false) => (Tone::Neutral, "Draft"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// An approval's status.
#[component]
pub fn ApprovalStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "PENDING" => (Tone::Warning, "Pending"),
        "APPROVED" => (Tone::Good, "Approved"),
        "REJECTED" => (Tone::Danger, "Rejected"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// Whether an invoice is issued, not fully paid and past its due date on `today` (ISO dates
/// compare as text).
pub fn invoice_overdue(status: &str, due_date: Option<&str>, today: &str) -> bool {
    matches!(status, "ISSUED" | "PARTIALLY_PAID") && due_date.is_some_and(|due| due < today)
}

fn invoice_tone(status: &str, held: bool, overdue: bool) -> (Tone, &'static str) {
    match (status, held, overdue) {
        ("DRAFT", true, _) => (Tone::Warning, "Held"),
        ("DRAFT", false, _) => (Tone::Neutral, "Draft"),
        ("ISSUED" | "PARTIALLY_PAID", _, true) => (Tone::Danger, "Overdue"),
        ("ISSUED", _, false) => (Tone::Info, "Issued"),
        ("PARTIALLY_PAID", _, false) => (Tone::Warning, "Partially paid"),
        ("PAID", _, _) => (Tone::Good, "Paid"),
        ("CREDITED", _, _) => (Tone::Neutral, "Credited"),
        ("WRITTEN_OFF", _, _) => (Tone::Danger, "Written off"),
        ("VOID", _, _) => (Tone::Neutral, "Void"),
        _ => (Tone::Neutral, "Unknown"),
    }
}

/// An invoice's status; a draft the bill run held back reads "Held", an unpaid invoice past
/// its due date "Overdue".
#[component]
pub fn InvoiceStatusBadge(
    #[prop(into)] status: String,
    #[prop(default = false)] held: bool,
    #[prop(default = None)] due_date: Option<String>,
) -> impl IntoView {
    let overdue = invoice_overdue(&status, due_date.as_deref(), &crate::format::today_iso());
    let (tone, label) = invoice_tone(&status, held, overdue);
    view! { <Badge tone=tone label=label /> }
}

/// A bill run's progress state.
#[component]
pub fn BillRunStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "running" => (Tone::Info, "Running".to_string()),
        "done" => (Tone::Good, "Done".to_string()),
        other => (Tone::Danger, crate::format::enum_label(other)),
    };
    view! { <Badge tone=tone label=label /> }
}

/// A timesheet entry's state.
#[component]
pub fn TimesheetStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "submitted" => (Tone::Warning, "Submitted"),
        "approved" => (Tone::Good, "Approved"),
        "rejected" => (Tone::Danger, "Rejected"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// A billing-schedule period's state.
#[component]
pub fn ScheduleStateBadge(#[prop(into)] state: String) -> impl IntoView {
    let (tone, label) = match state.as_str() {
        "invoiced" => (Tone::Good, "Invoiced"),
        "unbilled" => (Tone::Warning, "Unbilled"),
        "upcoming" => (Tone::Neutral, "Upcoming"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// An import's status: checked and waiting, refused, or written.
#[component]
pub fn ImportStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "VALIDATED" => (Tone::Info, "Ready to commit"),
        "REJECTED" => (Tone::Danger, "Rejected"),
        "COMMITTED" => (Tone::Good, "Committed"),
        _ => (Tone::Neutral, "Unknown"),
    };
    view! { <Badge tone=tone label=label /> }
}

/// What became of a CRM notification in the intake inbox.
pub fn intake_status_tone(status: &str) -> (Tone, &'static str) {
    match status {
        "RECEIVED" => (Tone::Info, "Received"),
        "PROCESSING" => (Tone::Info, "Processing"),
        "APPLIED" => (Tone::Good, "Applied"),
        "AMENDMENT" => (Tone::Warning, "Amendment"),
        "IGNORED" => (Tone::Neutral, "Ignored"),
        "FAILED" => (Tone::Danger, "Failed"),
        _ => (Tone::Neutral, "Unknown"),
    }
}

#[component]
pub fn IntakeStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = intake_status_tone(&status);
    view! { <Badge tone=tone label=label /> }
}

/// A connector's state: receiving, or paused (the CRM is told to retry later).
#[component]
pub fn ConnectorStatusBadge(paused: bool) -> impl IntoView {
    if paused {
        view! { <Badge tone=Tone::Warning label="Paused" /> }
    } else {
        view! { <Badge tone=Tone::Good label="Active" /> }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unpaid_issued_invoices_past_due_are_overdue() {
        assert!(invoice_overdue("ISSUED", Some("2026-01-31"), "2026-02-01"));
        assert!(invoice_overdue(
            "PARTIALLY_PAID",
            Some("2026-01-31"),
            "2026-02-01"
        ));
        assert!(!invoice_overdue("ISSUED", Some("2026-02-01"), "2026-02-01"));
        assert!(!invoice_overdue("PAID", Some("2026-01-31"), "2026-02-01"));
        assert!(!invoice_overdue("DRAFT", None, "2026-02-01"));
    }

    #[test]
    fn invoice_badges_say_held_and_overdue() {
        assert_eq!(invoice_tone("DRAFT", true, false), (Tone::Warning, "Held"));
        assert_eq!(
            invoice_tone("ISSUED", false, true),
            (Tone::Danger, "Overdue")
        );
        assert_eq!(invoice_tone("PAID", false, false), (Tone::Good, "Paid"));
    }
}
