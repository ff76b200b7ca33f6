//! How renewals are shown everywhere: the Green / Yellow / Red status as a word with its colour
//! (never colour alone), the kinds of contact in words, and how far off a renewal is.

use leptos::prelude::*;

use crate::{
    components::status::{Badge, Tone},
    format,
};

/// A renewal status in words and its colour family.
pub fn status_label(status: &str) -> (Tone, &'static str) {
    match status {
        "GREEN" => (Tone::Good, "Green"),
        "YELLOW" => (Tone::Warning, "Yellow"),
        "RED" => (Tone::Danger, "Red"),
        _ => (Tone::Neutral, "Unknown"),
    }
}

/// A renewal's status: `Green`, `Yellow` or `Red` with its colour.
#[component]
pub fn RenewalStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let (tone, label) = status_label(&status);
    view! {
        <span class="renewal-status" data-status=status>
            <Badge tone=tone label=label />
        </span>
    }
}

/// How a contact happened, in words.
pub fn contact_label(kind: &str) -> String {
    match kind {
        "CALL" => "Call".to_string(),
        "EMAIL" => "E-mail".to_string(),
        "MEETING" => "Meeting".to_string(),
        other => format::enum_label(other),
    }
}

/// How far off a renewal is: "today", "in 1 day", "in 12 days", "2 days ago".
pub fn days_text(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "in 1 day".to_string(),
        -1 => "1 day ago".to_string(),
        days if days < 0 => format!("{} days ago", -days),
        days => format!("in {days} days"),
    }
}

/// The alert marks already sent ("90, 60 days"), or a dash.
pub fn alerts_text(marks: &[i64]) -> String {
    if marks.is_empty() {
        return "—".to_string();
    }
    let mut marks = marks.to_vec();
    marks.sort_unstable_by(|a, b| b.cmp(a));
    format!(
        "{} days",
        marks
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_have_words_and_colours() {
        assert_eq!(status_label("RED"), (Tone::Danger, "Red"));
        assert_eq!(status_label("GREEN"), (Tone::Good, "Green"));
        assert_eq!(status_label("YELLOW"), (Tone::Warning, "Yellow"));
    }

    #[test]
    fn distances_and_marks_read_as_words() {
        assert_eq!(days_text(0), "today");
        assert_eq!(days_text(12), "in 12 days");
        assert_eq!(days_text(-2), "2 days ago");
        assert_eq!(alerts_text(&[30, 90, 60]), "90, 60, 30 days");
        assert_eq!(alerts_text(&[]), "—");
    }
}
