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
