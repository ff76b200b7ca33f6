//! Where rendered mail goes: an SMTP relay (`REVOPS_SMTP_URL`, plain, STARTTLS or TLS, with an
//! optional login), or `.eml` files in a folder (`REVOPS_MAIL_DIR`) when no relay is configured,
//! which is the development default.

use super::mail::{render_message, OutgoingMail};
use super::smtp::{self, SmtpRelay};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

pub use super::smtp::{parse_smtp_url, SmtpLogin, SmtpSecurity, SmtpSettings};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    Smtp(Box<SmtpRelay>),
    Directory(PathBuf),
}

/// Why a delivery failed, and whether the outbox should try again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub message: String,
    pub retryable: bool,
}

impl From<smtp::SmtpError> for DeliveryError {
    fn from(error: smtp::SmtpError) -> DeliveryError {
        DeliveryError {
            retryable: error.retryable(),
            message: error.to_string(),
        }
    }
}

impl From<super::mail::MailError> for DeliveryError {
    fn from(error: super::mail::MailError) -> DeliveryError {
        DeliveryError {
            message: error.to_string(),
            retryable: false,
        }
    }
}

impl MailTransport {
    /// The relay `url` names (see `parse_smtp_url`), trusting the extra root in `ca_file` too.
    /// We greet it with the domain of `sender`, the From address.
    pub fn smtp(url: &str, ca_file: Option<&Path>, sender: &str) -> AppResult<MailTransport> {
        let settings = parse_smtp_url(url)?;
        let hello_name = sender.rsplit('@').next().unwrap_or("localhost");
        let relay = SmtpRelay::try_new(settings, ca_file, hello_name)?;
        Ok(MailTransport::Smtp(Box::new(relay)))
    }

    /// Renders and hands over one message. Delivering the same message id twice to a folder
    /// leaves one file; over SMTP it sends twice (the outbox decides whether to call again).
    pub async fn deliver(
        &self,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        match self {
            MailTransport::Smtp(relay) => Ok(relay.send(mail, now).await?),
            MailTransport::Directory(dir) => {
                let rendered = render_message(mail, now)?;
                write_eml(dir, &mail.message_id, &rendered)
                    .await
                    .map_err(|error| DeliveryError {
                        message: format!("writing the mail into {}: {error}", dir.display()),
                        retryable: true,
                    })
            }
        }
    }
}

/// Writes `<dir>/<message id>.eml` through a temporary file and a rename, so a reader never sees
/// half a message and a second delivery replaces the first.
async fn write_eml(dir: &Path, message_id: &str, rendered: &[u8]) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let name = eml_file_name(message_id);
    let temporary = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    if let Err(error) = tokio::fs::write(&temporary, rendered).await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(error);
    }
    tokio::fs::rename(&temporary, dir.join(name)).await
}

/// The message id with anything but letters, digits and `-_.@+` replaced, so it cannot name a
/// path outside the folder.
fn eml_file_name(message_id: &str) -> String {
    let safe: String = message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}.eml", safe.trim_start_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::mail::Attachment;

    fn mail(message_id: &str, subject: &str) -> OutgoingMail {
        OutgoingMail {
            message_id: message_id.into(),
            from: "billing@revops.local".into(),
            to: vec!["ap@example.com".into()],
            subject: subject.into(),
            text_body: "Your invoice.".into(),
            attachments: vec![Attachment {
                filename: "INV-1.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.7".to_vec(),
            }],
        }
    }

    #[tokio::test]
    async fn the_folder_holds_one_file_per_message_id() {
        // Proves directory delivery writes <id>.eml, and a second delivery replaces it.
        let dir = std::env::temp_dir().join(format!("revops-eml-{}", uuid::Uuid::new_v4()));
        let transport = MailTransport::Directory(dir.clone());
        let now = "2026-11-27T10:00:00Z".parse().unwrap();
        transport
            .deliver(&mail("outbox-7@revops", "First"), now)
            .await
            .unwrap();
        transport
            .deliver(&mail("outbox-7@revops", "Second"), now)
            .await
            .unwrap();
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["outbox-7@revops.eml"]);
        let written = std::fs::read_to_string(dir.join("outbox-7@revops.eml")).unwrap();
        assert!(written.contains("\r\nSubject: Second\r\n"), "{written}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn errors_say_whether_to_retry() {
        // Proves an unsafe address is permanent and an unreachable relay is worth retrying.
        let dir = std::env::temp_dir();
        let now = "2026-11-27T10:00:00Z".parse().unwrap();
        let mut unsafe_mail = mail("outbox-8@revops", "Hi");
        unsafe_mail.to = vec!["ap@example.com\r\nBcc: x@y.z".into()];
        let folder = MailTransport::Directory(dir);
        let refused = folder.deliver(&unsafe_mail, now).await.unwrap_err();
        assert!(!refused.retryable, "{refused}");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("smtp://127.0.0.1:{port}");
        let relay = MailTransport::smtp(&url, None, "billing@revops.local").unwrap();
        let unreachable = relay
            .deliver(&mail("outbox-9@revops", "Hi"), now)
            .await
            .unwrap_err();
        assert!(unreachable.retryable, "{unreachable}");
    }

    #[test]
    fn message_ids_cannot_escape_the_folder() {
        // Proves a hostile id becomes a plain file name inside the folder.
        assert_eq!(eml_file_name("../../etc/passwd@x"), "_.._etc_passwd@x.eml");
        assert_eq!(eml_file_name("outbox-1@revops"), "outbox-1@revops.eml");
    }
}
