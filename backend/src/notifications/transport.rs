//! Where rendered mail goes: an SMTP relay (`REVOPS_SMTP_URL`), or `.eml` files in a folder
//! (`REVOPS_MAIL_DIR`) when no relay is configured, which is the development default.

use super::mail::{render_mime, OutgoingMail};
use super::smtp;
use crate::config::Config;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one SMTP step (connect, a reply, sending the message) may take.
const SMTP_STEP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    Smtp { host: String, port: u16 },
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
    /// SMTP when `smtp_url` is set, else the mail folder. Fails only on a malformed
    /// `smtp_url`, which `Config::from_env` already refuses at startup.
    pub fn from_config(config: &Config) -> AppResult<MailTransport> {
        match &config.smtp_url {
            Some(url) => {
                let (host, port) = parse_smtp_url(url)?;
                Ok(MailTransport::Smtp { host, port })
            }
            None => Ok(MailTransport::Directory(config.mail_dir.clone())),
        }
    }

    /// Renders and hands over one message. Delivering the same message id twice to a folder
    /// leaves one file; over SMTP it sends twice (the outbox decides whether to call again).
    pub async fn deliver(
        &self,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let rendered = render_mime(mail, now)?;
        match self {
            MailTransport::Smtp { host, port } => {
                let helo_name = mail.from.rsplit('@').next().unwrap_or("localhost");
                smtp::send(
                    host,
                    *port,
                    helo_name,
                    &mail.from,
                    &mail.to,
                    &rendered,
                    SMTP_STEP_TIMEOUT,
                )
                .await?;
                Ok(())
            }
            MailTransport::Directory(dir) => write_eml(dir, &mail.message_id, &rendered)
                .await
                .map_err(|error| DeliveryError {
                    message: format!("writing the mail into {}: {error}", dir.display()),
                    retryable: true,
                }),
        }
    }
}

/// `smtp://host[:port]` (port 25 when absent; `[::1]:2525` for IPv6) as host and port. Anything
/// else, including `smtps://`, is refused with a message naming `REVOPS_SMTP_URL`.
pub fn parse_smtp_url(url: &str) -> AppResult<(String, u16)> {
    let refuse = |why: &str| {
        AppError::validation(
            "REVOPS_SMTP_URL",
            format!(
                "REVOPS_SMTP_URL is \"{url}\"; {why} Use smtp://host:port (plain SMTP, no TLS)."
            ),
        )
    };
    let Some(authority) = url.trim().strip_prefix("smtp://") else {
        return Err(refuse("it must start with smtp://."));
    };
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.contains(['/', '?', '#', '@']) || authority.contains(char::is_whitespace) {
        return Err(refuse("it must hold only a host and a port."));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((host, rest)) => (host, rest.strip_prefix(':')),
            None => return Err(refuse("an IPv6 address needs a closing ].")),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err(refuse("the host is missing."));
    }
    let port = match port {
        None => 25,
        Some(text) => text
            .parse::<u16>()
            .ok()
            .filter(|port| *port != 0)
            .ok_or_else(|| refuse("the port must be a number from 1 to 65535."))?,
    };
    Ok((host.to_owned(), port))
}

/// Writes `<dir>/<message id>.eml` through a temporary file and a rename, so a reader never sees
/// half a message and a second delivery replaces the first.
async fn write_eml(dir: &Path, message_id: &str, rendered: &str) -> std::io::Result<()> {
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
