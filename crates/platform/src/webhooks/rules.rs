//! What an endpoint may be (pure): an http(s) URL with a host, and a non-empty set of known
//! event types; and the excerpt of an answer the delivery log keeps.

use super::events::EventType;
use crate::error::{AppError, AppResult};

const MAX_URL_CHARS: usize = 2000;

/// An absolute `http://` or `https://` URL with a host and no user or password in it.
pub fn parse_url(field: &str, text: &str) -> AppResult<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AppError::validation(
            field,
            "Enter the URL revops should POST events to.",
        ));
    }
    if trimmed.chars().count() > MAX_URL_CHARS {
        return Err(AppError::validation(
            field,
            format!("Keep the URL under {MAX_URL_CHARS} characters."),
        ));
    }
    let parsed = url::Url::parse(trimmed).map_err(|error| {
        AppError::validation(
            field,
            format!("This is not a URL ({error}); use https://host/path."),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AppError::validation(
            field,
            format!(
                "Only http and https URLs can receive webhooks, not {}:.",
                parsed.scheme()
            ),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(AppError::validation(field, "The URL needs a host name."));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(AppError::validation(
            field,
            "Leave credentials out of the URL; verify the Revops-Signature header instead.",
        ));
    }
    Ok(parsed.to_string())
}

/// The subscription list as stored ("a,b"), each type once, in the API's order.
pub fn parse_event_types(field: &str, codes: &[String]) -> AppResult<String> {
    if codes.is_empty() {
        return Err(AppError::validation(
            field,
            "Choose at least one event type.",
        ));
    }
    for code in codes {
        if EventType::parse(code.trim()).is_none() {
            let known: Vec<&str> = EventType::SUBSCRIBABLE
                .iter()
                .map(EventType::code)
                .collect();
            return Err(AppError::validation(
                field,
                format!(
                    "“{code}” is not an event type; choose from {}.",
                    known.join(", ")
                ),
            ));
        }
    }
    let chosen: Vec<&str> = EventType::SUBSCRIBABLE
        .iter()
        .map(EventType::code)
        .filter(|known| codes.iter().any(|code| code.trim() == *known))
        .collect();
    Ok(chosen.join(","))
}

/// The first `max_chars` characters of an answer, cut on a character boundary.
pub fn excerpt(bytes: &[u8], max_chars: usize) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: AppResult<String>) -> String {
        match result {
            Err(AppError::Validation { field, .. }) => field,
            other => format!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn only_http_and_https_urls_with_a_host_are_endpoints() {
        assert_eq!(
            parse_url("url", " https://hooks.example.com/revops ")
                .ok()
                .as_deref(),
            Some("https://hooks.example.com/revops")
        );
        assert!(parse_url("url", "http://127.0.0.1:9000/x").is_ok());
        for bad in [
            "",
            "ftp://example.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "hooks.example.com",
            "https://user:pw@example.com/",
        ] {
            assert_eq!(field_of(parse_url("url", bad)), "url", "{bad}");
        }
    }

    #[test]
    fn event_types_are_known_deduplicated_and_in_a_stable_order() {
        let chosen = |codes: &[&str]| {
            parse_event_types(
                "eventTypes",
                &codes
                    .iter()
                    .map(|code| code.to_string())
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            chosen(&["invoice.paid", "deal.approved", "invoice.paid"])
                .ok()
                .as_deref(),
            Some("deal.approved,invoice.paid")
        );
        assert_eq!(field_of(chosen(&[])), "eventTypes");
        assert_eq!(field_of(chosen(&["invoice.created"])), "eventTypes");
        assert_eq!(field_of(chosen(&["webhook.test"])), "eventTypes");
    }

    #[test]
    fn the_excerpt_is_capped_on_a_character_boundary() {
        assert_eq!(excerpt("żółw".as_bytes(), 2), "żó");
        assert_eq!(excerpt(b"ok", 1000), "ok");
        assert_eq!(excerpt(&[0xff, b'a'], 10), "\u{fffd}a");
    }
}
