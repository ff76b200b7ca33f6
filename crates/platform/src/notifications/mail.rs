//! Outgoing mail as the outbox stores it, and its MIME message built with lettre: a UTF-8 text
//! part in quoted-printable and base64 attachments, so any SMTP relay accepts it as 7-bit ASCII.
//!
//! Header injection: addresses and the message id are refused when they could break a header
//! (`MailError`), because a wrong recipient must never be guessed at. The subject and attachment
//! file names are free text, so their line breaks and control characters become spaces or `_`.

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, Message, MultiPart, SinglePart};

/// A file attached to an outgoing mail, sent base64-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One e-mail as the outbox stores it; addresses are bare `local@domain` (no display names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Globally unique id without angle brackets, e.g. `outbox-42@revops`.
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text_body: String,
    pub attachments: Vec<Attachment>,
}

/// Why a mail cannot be rendered; never worth retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the {field} address \"{value}\" is not a plain e-mail address (local@domain)")]
    InvalidAddress { field: &'static str, value: String },
    #[error("the mail has no recipient")]
    NoRecipient,
    #[error("the {field} \"{value}\" contains characters that are not allowed in a mail header")]
    InvalidHeaderValue { field: &'static str, value: String },
    #[error("the mail cannot be built: {0}")]
    Unbuildable(String),
}

/// Builds the whole message, our Message-ID and the given date included. Fails only on an unsafe
/// address, message id or content type.
pub fn build_message(mail: &OutgoingMail, date: DateTime<Utc>) -> Result<Message, MailError> {
    check_mail(mail)?;
    let mut builder = Message::builder()
        .from(mailbox("from", &mail.from)?)
        .subject(clean_subject(&mail.subject))
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date(date.into());
    for address in &mail.to {
        builder = builder.to(mailbox("to", address)?);
    }
    // Quoted-printable and base64 are always chosen (lettre refuses only 7bit/8bit for content
    // that does not fit them), so every relay gets 7-bit lines, as before lettre.
    let text = Body::new_with_encoding(
        mail.text_body.clone(),
        ContentTransferEncoding::QuotedPrintable,
    )
    .unwrap_or_else(Body::new);
    let text_part = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(text);
    let mut parts = MultiPart::mixed().singlepart(text_part);
    for attachment in &mail.attachments {
        let content_type = ContentType::parse(&attachment.content_type).map_err(|_| {
            MailError::InvalidHeaderValue {
                field: "content type",
                value: attachment.content_type.clone(),
            }
        })?;
        let body =
            Body::new_with_encoding(attachment.bytes.clone(), ContentTransferEncoding::Base64)
                .unwrap_or_else(Body::new);
        parts = parts.singlepart(
            lettre::message::Attachment::new(safe_filename(&attachment.filename))
                .body(body, content_type),
        );
    }
    builder
        .multipart(parts)
        .map_err(|error| MailError::Unbuildable(error.to_string()))
}

/// The message as the relay receives it (CRLF lines, 7-bit), e.g. for a `.eml` file.
pub fn render_message(mail: &OutgoingMail, date: DateTime<Utc>) -> Result<Vec<u8>, MailError> {
    build_message(mail, date).map(|message| message.formatted())
}

fn mailbox(field: &'static str, address: &str) -> Result<Mailbox, MailError> {
    address
        .parse::<lettre::Address>()
        .map(|address| Mailbox::new(None, address))
        .map_err(|_| MailError::InvalidAddress {
            field,
            value: address.to_owned(),
        })
}

/// Refuses anything that could end a header line early or smuggle in another header.
pub fn check_mail(mail: &OutgoingMail) -> Result<(), MailError> {
    check_address("from", &mail.from)?;
    if mail.to.is_empty() {
        return Err(MailError::NoRecipient);
    }
    for address in &mail.to {
        check_address("to", address)?;
    }
    check_token("message id", &mail.message_id, |c| c != '<' && c != '>')?;
    for attachment in &mail.attachments {
        check_token("content type", &attachment.content_type, |c| {
            c.is_ascii_alphanumeric() || "/.+-_".contains(c)
        })?;
    }
    Ok(())
}

/// A bare `local@domain` in printable ASCII without spaces, quotes, brackets or commas.
pub fn check_address(field: &'static str, address: &str) -> Result<(), MailError> {
    let printable = address
        .chars()
        .all(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"".contains(c));
    let shaped = match address.split_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.is_empty() && !domain.contains('@'),
        None => false,
    };
    if printable && shaped && address.len() <= 254 {
        return Ok(());
    }
    Err(MailError::InvalidAddress {
        field,
        value: address.to_owned(),
    })
}

fn check_token(
    field: &'static str,
    value: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), MailError> {
    let valid = !value.is_empty()
        && value.len() <= 250
        && value.chars().all(|c| c.is_ascii_graphic() && allowed(c));
    if valid {
        return Ok(());
    }
    Err(MailError::InvalidHeaderValue {
        field,
        value: value.to_owned(),
    })
}

/// Control characters (CR and LF included) become spaces; lettre encodes the rest (RFC 2047).
fn clean_subject(subject: &str) -> String {
    subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Printable ASCII only, without quotes or backslashes, so it fits a quoted parameter as is.
pub fn safe_filename(filename: &str) -> String {
    let safe: String = filename
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.trim().is_empty() {
        "attachment".to_owned()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    fn date() -> DateTime<Utc> {
        "2026-11-27T10:00:00Z".parse().unwrap()
    }

    fn invoice_mail() -> OutgoingMail {
        OutgoingMail {
            message_id: "outbox-42@revops".into(),
            from: "billing@revops.local".into(),
            to: vec!["ap@example.com".into(), "cfo@example.com".into()],
            subject: "Invoice INV-2026-0001".into(),
            text_body: "Dear customer,\nplease find your invoice attached.\n".into(),
            attachments: vec![Attachment {
                filename: "INV-2026-0001.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: (0..=255u8).cycle().take(1000).collect(),
            }],
        }
    }

    fn render(mail: &OutgoingMail) -> String {
        match render_message(mail, date()) {
            Ok(bytes) => String::from_utf8(bytes).unwrap(),
            Err(error) => panic!("render failed: {error}"),
        }
    }

    /// The top-level header lines, continuation lines joined to their header.
    fn header_lines(message: &str) -> Vec<String> {
        let head = message.split("\r\n\r\n").next().unwrap_or("");
        let mut lines: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            match lines.last_mut() {
                Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
                _ => lines.push(line.to_owned()),
            }
        }
        lines
    }

    fn header<'a>(headers: &'a [String], name: &str) -> &'a str {
        let prefix = format!("{name}: ");
        headers
            .iter()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {name} in {headers:#?}"))
    }

    fn boundary_of(message: &str) -> String {
        let marker = "boundary=\"";
        let start = message.find(marker).map(|at| at + marker.len());
        let start = start.unwrap_or_else(|| panic!("no boundary in {message}"));
        let end = message[start..].find('"').map(|at| start + at);
        message[start..end.unwrap_or(start)].to_owned()
    }

    /// The parts between the delimiters, each as headers and body.
    fn parts(message: &str) -> Vec<(String, String)> {
        let boundary = boundary_of(message);
        let delimiter = format!("\r\n--{boundary}");
        let mut pieces: Vec<&str> = message.split(&delimiter).collect();
        assert_eq!(pieces.pop(), Some("--\r\n"), "closing delimiter");
        pieces
            .into_iter()
            .skip(1)
            .map(|piece| {
                let piece = piece.strip_prefix("\r\n").unwrap_or(piece);
                let (head, body) = piece.split_once("\r\n\r\n").unwrap_or((piece, ""));
                (head.to_owned(), body.to_owned())
            })
            .collect()
    }

    fn decode_quoted_printable(text: &str) -> String {
        let joined = text.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::new();
        let mut index = 0;
        while index < bytes.len() {
            if bytes[index] == b'=' {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad {hex}")));
                index += 3;
            } else {
                out.push(bytes[index]);
                index += 1;
            }
        }
        String::from_utf8(out).unwrap_or_else(|error| panic!("not UTF-8: {error}"))
    }

    #[test]
    fn renders_headers_and_a_multipart_body_with_crlf_only() {
        // Proves the message has every required header, ASCII CRLF lines and one part per file.
        let message = render(&invoice_mail());
        assert!(message.is_ascii());
        assert!(!message.replace("\r\n", "").contains('\n'), "bare LF");
        assert!(!message.replace("\r\n", "").contains('\r'), "bare CR");
        let headers = header_lines(&message);
        assert_eq!(header(&headers, "Date"), "Fri, 27 Nov 2026 10:00:00 +0000");
        assert_eq!(header(&headers, "From"), "billing@revops.local");
        assert_eq!(header(&headers, "To"), "ap@example.com, cfo@example.com");
        assert_eq!(header(&headers, "Subject"), "Invoice INV-2026-0001");
        assert_eq!(header(&headers, "Message-ID"), "<outbox-42@revops>");
        assert_eq!(header(&headers, "MIME-Version"), "1.0");
        assert!(header(&headers, "Content-Type").starts_with("multipart/mixed;"));
        let parts = parts(&message);
        assert_eq!(parts.len(), 2);
        assert!(parts[0]
            .0
            .contains("Content-Type: text/plain; charset=utf-8"));
        assert!(parts[0]
            .0
            .contains("Content-Transfer-Encoding: quoted-printable"));
        assert!(parts[1]
            .0
            .contains("Content-Disposition: attachment; filename=\"INV-2026-0001.pdf\""));
        assert!(parts[1].0.contains("Content-Type: application/pdf"));
        assert!(parts[1].0.contains("Content-Transfer-Encoding: base64"));
    }

    #[test]
    fn the_boundary_appears_only_as_delimiters() {
        // Proves no part can end early: the boundary is absent from every encoded body.
        let mut mail = invoice_mail();
        mail.text_body = "--boundary looks like a delimiter\n--\n".into();
        let message = render(&mail);
        let boundary = boundary_of(&message);
        assert!(boundary.len() <= 70);
        let delimiter_lines = message
            .split("\r\n")
            .filter(|line| line.contains(boundary.as_str()))
            .count();
        // The Content-Type header, one delimiter per part and the closing delimiter.
        assert_eq!(delimiter_lines, 1 + 2 + 1);
        for (_, body) in parts(&message) {
            assert!(!body.contains(&boundary));
        }
        assert!(message.ends_with(&format!("\r\n--{boundary}--\r\n")));
    }

    #[test]
    fn attachments_round_trip_through_base64_lines_of_76() {
        // Proves the attached bytes come back identical and no encoded line exceeds 76 characters.
        let mail = invoice_mail();
        let message = render(&mail);
        let (_, body) = &parts(&message)[1];
        let lines: Vec<&str> = body.split("\r\n").filter(|line| !line.is_empty()).collect();
        assert!(lines.iter().all(|line| line.len() <= 76));
        assert!(lines[..lines.len() - 1].iter().all(|line| line.len() == 76));
        let decoded = STANDARD.decode(lines.concat());
        assert_eq!(decoded.ok(), Some(mail.attachments[0].bytes.clone()));
    }

    #[test]
    fn text_is_quoted_printable_that_decodes_to_the_original() {
        // Proves UTF-8, '=', trailing spaces and long lines survive the 7-bit encoding.
        let mut mail = invoice_mail();
        let long_line = "Zahlbar in 30 Tagen = net 30; ".repeat(6);
        mail.text_body = format!("Grüße aus Köln 💶\n{long_line}\ntrailing space \n.dot line");
        let message = render(&mail);
        let (_, body) = &parts(&message)[0];
        assert!(body.split("\r\n").all(|line| line.len() <= 76));
        assert!(!body.contains(" \r\n"), "trailing space left unencoded");
        let expected = mail.text_body.replace('\n', "\r\n");
        assert_eq!(decode_quoted_printable(body), expected);
    }

    #[test]
    fn non_ascii_subjects_become_encoded_words() {
        // Proves a UTF-8 subject is sent as RFC 2047 words of at most 75 characters.
        let mut mail = invoice_mail();
        mail.subject = "Rechnung INV-2026-0001 für Müller & Söhne GmbH — fällig am 27.12.".into();
        let message = render(&mail);
        assert!(message.is_ascii());
        let start = message.find("\r\nSubject: ").unwrap_or(0) + "\r\nSubject: ".len();
        let end = message[start..]
            .find('\r')
            .map(|first| {
                // The header ends at the first line break not followed by a continuation.
                let mut at = start + first;
                while message[at..].starts_with("\r\n ") {
                    at += 2 + message[at + 2..].find('\r').unwrap_or(0);
                }
                at
            })
            .unwrap_or(start);
        let words: Vec<&str> = message[start..end].split_whitespace().collect();
        let encoded = |word: &str| word.starts_with("=?") && word.ends_with("?=");
        assert!(words.iter().filter(|word| encoded(word)).count() >= 1);
        // RFC 2047: plain words keep the space between them; the space between two adjacent
        // encoded words is not part of the text.
        let mut decoded = String::new();
        let mut after_encoded_word = false;
        for word in words {
            assert!(word.len() <= 75, "{word}");
            if encoded(word) {
                let payload = word
                    .get(..10)
                    .filter(|prefix| prefix.eq_ignore_ascii_case("=?utf-8?b?"))
                    .and_then(|_| word[10..].strip_suffix("?="));
                let bytes = STANDARD.decode(payload.unwrap_or_else(|| panic!("{word}")));
                if !after_encoded_word && !decoded.is_empty() {
                    decoded.push(' ');
                }
                decoded.push_str(&String::from_utf8(bytes.unwrap_or_default()).unwrap());
                after_encoded_word = true;
            } else {
                if !decoded.is_empty() {
                    decoded.push(' ');
                }
                decoded.push_str(word);
                after_encoded_word = false;
            }
        }
        assert_eq!(decoded, mail.subject);
    }

    #[test]
    fn a_line_break_in_the_subject_cannot_add_a_header() {
        // Proves subjects are sanitised: CR/LF become spaces, so "Bcc:" stays inside the subject.
        let mut mail = invoice_mail();
        mail.subject = "Invoice\r\nBcc: thief@example.com\nX-Evil: 1".into();
        let message = render(&mail);
        let headers = header_lines(&message);
        assert_eq!(
            header(&headers, "Subject"),
            "Invoice  Bcc: thief@example.com X-Evil: 1"
        );
        assert!(!headers.iter().any(|line| line.starts_with("Bcc")));
        assert!(!headers.iter().any(|line| line.starts_with("X-Evil")));
    }

    #[test]
    fn unsafe_addresses_and_ids_are_refused() {
        // Proves addresses and ids that could inject headers or SMTP commands are rejected.
        type Breaker = fn(&mut OutgoingMail);
        let cases: [(&str, Breaker); 7] = [
            ("to", |m| m.to[0] = "ap@example.com\r\nBcc: x@y.z".into()),
            ("to", |m| m.to[1] = "Ann <ann@example.com>".into()),
            ("to", |m| {
                m.to[1] = "ann@example.com, bob@example.com".into()
            }),
            ("from", |m| m.from = "billing@revops.local\n".into()),
            ("from", |m| m.from = "no-at-sign".into()),
            ("message id", |m| m.message_id = "a@b>\r\nBcc: x".into()),
            ("content type", |m| {
                m.attachments[0].content_type = "application/pdf\r\nX: y".into()
            }),
        ];
        for (field, break_it) in cases {
            let mut mail = invoice_mail();
            break_it(&mut mail);
            let error = build_message(&mail, date()).err();
            let named = match &error {
                Some(MailError::InvalidAddress { field, .. })
                | Some(MailError::InvalidHeaderValue { field, .. }) => Some(*field),
                _ => None,
            };
            assert_eq!(named, Some(field), "{error:?}");
        }
        let mut mail = invoice_mail();
        mail.to.clear();
        assert_eq!(
            build_message(&mail, date()).err(),
            Some(MailError::NoRecipient)
        );
    }

    #[test]
    fn attachment_file_names_are_made_safe() {
        // Proves a file name cannot close its quoted parameter or start a new line.
        let mut mail = invoice_mail();
        mail.attachments[0].filename = "a\"b\r\nc\\ü.pdf".into();
        let message = render(&mail);
        assert!(message.contains("filename=\"a_b__c__.pdf\""));
    }
}
