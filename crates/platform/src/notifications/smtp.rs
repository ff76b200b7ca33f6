//! The SMTP relay: its settings from `REVOPS_SMTP_URL` (plain, STARTTLS or implicit TLS, with an
//! optional login) and delivery through lettre's async client on tokio with rustls.
//!
//! Certificates are checked against Mozilla's roots compiled into the binary, plus one extra root
//! from `REVOPS_SMTP_CA_FILE` for a relay with a private CA. The password never appears in a
//! `Debug` output or an error message.

use super::mail::{build_message, OutgoingMail};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one SMTP step (connect, a reply, sending the message) may take.
const SMTP_STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://host:port`: plain SMTP, for a relay on a trusted network or a test server.
    Plain,
    /// `?tls=opportunistic`: STARTTLS when the relay offers it, plain otherwise.
    Opportunistic,
    /// `?tls=required`: STARTTLS or nothing is sent.
    StartTls,
    /// `smtps://`: TLS from the first byte (port 465).
    ImplicitTls,
}

/// The login to the relay. `Debug` shows the user only.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpLogin {
    pub user: String,
    pub password: String,
}

impl fmt::Debug for SmtpLogin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SmtpLogin")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Everything `REVOPS_SMTP_URL` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub login: Option<SmtpLogin>,
}

/// A configured relay: its settings and the lettre client built from them.
#[derive(Clone)]
pub struct SmtpRelay {
    settings: SmtpSettings,
    ca_file: Option<PathBuf>,
    client: AsyncSmtpTransport<Tokio1Executor>,
}

impl fmt::Debug for SmtpRelay {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SmtpRelay")
            .field("settings", &self.settings)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Two relays are the same when they were configured the same way.
impl PartialEq for SmtpRelay {
    fn eq(&self, other: &SmtpRelay) -> bool {
        self.settings == other.settings && self.ca_file == other.ca_file
    }
}

impl Eq for SmtpRelay {}

impl SmtpRelay {
    /// Builds the client. `hello_name` is the name we greet the relay with (EHLO); a CA file that
    /// cannot be read or holds no certificate is refused naming `REVOPS_SMTP_CA_FILE`.
    pub fn try_new(
        settings: SmtpSettings,
        ca_file: Option<&Path>,
        hello_name: &str,
    ) -> AppResult<SmtpRelay> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .timeout(Some(SMTP_STEP_TIMEOUT))
            .hello_name(ClientId::Domain(hello_name.to_owned()));
        let tls_parameters = || tls_parameters(&settings.host, ca_file);
        builder = match settings.security {
            SmtpSecurity::Plain => builder.tls(Tls::None),
            SmtpSecurity::Opportunistic => builder.tls(Tls::Opportunistic(tls_parameters()?)),
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls_parameters()?)),
            SmtpSecurity::ImplicitTls => builder.tls(Tls::Wrapper(tls_parameters()?)),
        };
        if let Some(login) = &settings.login {
            builder =
                builder.credentials(Credentials::new(login.user.clone(), login.password.clone()));
        }
        Ok(SmtpRelay {
            client: builder.build(),
            ca_file: ca_file.map(Path::to_path_buf),
            settings,
        })
    }

    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// Sends one message over a new connection; any refused recipient fails the send.
    pub async fn send(&self, mail: &OutgoingMail, date: DateTime<Utc>) -> Result<(), SmtpError> {
        let message = build_message(mail, date).map_err(SmtpError::Message)?;
        self.client
            .send(message)
            .await
            .map(drop)
            .map_err(SmtpError::Relay)
    }
}

/// TLS for `host`: Mozilla's roots, plus the certificate(s) in `ca_file`.
fn tls_parameters(host: &str, ca_file: Option<&Path>) -> AppResult<TlsParameters> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(path) = ca_file {
        builder = builder.add_root_certificate(read_ca_file(path)?);
    }
    builder.build_rustls().map_err(|error| {
        AppError::validation(
            "REVOPS_SMTP_URL",
            format!("REVOPS_SMTP_URL: TLS cannot be set up for {host}: {error}"),
        )
    })
}

/// The PEM certificate(s) of `REVOPS_SMTP_CA_FILE`; refused with the variable's name when the file
/// is missing or holds no certificate.
pub fn read_ca_file(path: &Path) -> AppResult<Certificate> {
    let refuse = |why: String| {
        AppError::validation(
            "REVOPS_SMTP_CA_FILE",
            format!(
                "REVOPS_SMTP_CA_FILE is \"{}\"; {why} It must name a PEM file with the CA \
                 certificate that signed the relay's certificate.",
                path.display()
            ),
        )
    };
    let pem =
        std::fs::read(path).map_err(|error| refuse(format!("it cannot be read ({error}).")))?;
    if !pem
        .windows(b"-----BEGIN CERTIFICATE-----".len())
        .any(|window| window == b"-----BEGIN CERTIFICATE-----")
    {
        return Err(refuse("it holds no PEM certificate.".to_owned()));
    }
    Certificate::from_pem(&pem)
        .map_err(|error| refuse(format!("its certificate cannot be parsed ({error}).")))
}

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// The mail itself cannot be sent (an unsafe address or header value).
    #[error("{0}")]
    Message(#[from] super::mail::MailError),
    /// The relay refused, or talking to it failed.
    #[error("SMTP: {}", describe(.0))]
    Relay(#[source] lettre::transport::smtp::Error),
}

impl SmtpError {
    /// Whether trying again later may succeed: 4xx replies, network and TLS trouble and timeouts.
    /// A 5xx reply (a refused login, a refused recipient, STARTTLS demanded of a plain
    /// connection) and a client-side impossibility (no common login mechanism, STARTTLS required
    /// but not offered) stay wrong until someone changes the configuration or the message.
    pub fn retryable(&self) -> bool {
        match self {
            SmtpError::Message(_) => false,
            SmtpError::Relay(error) => !(error.is_permanent() || error.is_client()),
        }
    }
}

/// lettre's message with its cause chain, e.g. "permanent error (535): 5.7.8 Authentication
/// credentials invalid".
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Parses `REVOPS_SMTP_URL`:
/// `smtp://host[:port]` (plain, port 25), `smtp://user:pass@host[:port]?tls=required` (STARTTLS,
/// port 587), `?tls=opportunistic`, and `smtps://user:pass@host[:port]` (implicit TLS, port 465).
/// The user and password are percent-decoded (`%40` for `@`). Anything else is refused with a
/// message naming the variable and never quoting the password.
pub fn parse_smtp_url(text: &str) -> AppResult<SmtpSettings> {
    let shown = redacted(text);
    let refuse = |why: &str| {
        AppError::validation(
            "REVOPS_SMTP_URL",
            format!(
                "REVOPS_SMTP_URL is \"{shown}\"; {why} Use smtp://host:port (plain), \
                 smtp://user:password@host:587?tls=required (STARTTLS) or \
                 smtps://user:password@host:465 (TLS)."
            ),
        )
    };
    let url = url::Url::parse(text.trim()).map_err(|_| {
        refuse("it is not a URL (percent-encode special characters in the password).")
    })?;
    let security = match (url.scheme(), tls_parameter(&url).as_deref()) {
        ("smtp", None) => SmtpSecurity::Plain,
        ("smtp", Some("required")) => SmtpSecurity::StartTls,
        ("smtp", Some("opportunistic")) => SmtpSecurity::Opportunistic,
        ("smtps", None) | ("smtps", Some("wrapper")) => SmtpSecurity::ImplicitTls,
        ("smtp" | "smtps", Some(_)) => {
            return Err(refuse("tls= must be required or opportunistic (smtp://)."))
        }
        _ => return Err(refuse("it must start with smtp:// or smtps://.")),
    };
    if url.query_pairs().any(|(key, _)| key != "tls") {
        return Err(refuse("the only query parameter is tls=."));
    }
    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err(refuse("it must hold only a login, a host and a port."));
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(address)) => address.to_string(),
        Some(host) => host.to_string(),
        None => return Err(refuse("the host is missing.")),
    };
    if host.is_empty() {
        return Err(refuse("the host is missing."));
    }
    let default_port = match security {
        SmtpSecurity::Plain => 25,
        SmtpSecurity::Opportunistic | SmtpSecurity::StartTls => 587,
        SmtpSecurity::ImplicitTls => 465,
    };
    let port = url.port().unwrap_or(default_port);
    if port == 0 {
        return Err(refuse("the port must be a number from 1 to 65535."));
    }
    let login = match (url.username(), url.password()) {
        ("", None) => None,
        (_, None) | ("", Some(_)) => {
            return Err(refuse(
                "a login needs both a user and a password (user:password@).",
            ))
        }
        (user, Some(password)) => Some(SmtpLogin {
            user: percent_decode(user).ok_or_else(|| refuse("the user is not valid UTF-8."))?,
            password: percent_decode(password)
                .ok_or_else(|| refuse("the password is not valid UTF-8."))?,
        }),
    };
    if login.is_some() && security == SmtpSecurity::Plain {
        return Err(refuse(
            "a password is never sent unencrypted: add ?tls=required or use smtps://.",
        ));
    }
    Ok(SmtpSettings {
        host,
        port,
        security,
        login,
    })
}

fn tls_parameter(url: &url::Url) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned())
}

fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// The URL with the password replaced by `***`, for messages and `Debug`.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((login, host)) => {
            let user = login.split_once(':').map_or(login, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(user: &str, password: &str) -> Option<SmtpLogin> {
        Some(SmtpLogin {
            user: user.into(),
            password: password.into(),
        })
    }

    #[test]
    fn smtp_urls_are_parsed_with_their_security_and_login() {
        // Proves every accepted form: plain, STARTTLS required or opportunistic, implicit TLS,
        // default ports, IPv6 and a percent-encoded password.
        let parse = |url: &str| parse_smtp_url(url).unwrap();
        let plain = parse("smtp://mail.local:2525");
        assert_eq!(
            plain,
            SmtpSettings {
                host: "mail.local".into(),
                port: 2525,
                security: SmtpSecurity::Plain,
                login: None,
            }
        );
        assert_eq!(parse("smtp://mail.local").port, 25);
        assert_eq!(parse("smtp://[::1]:2525/").host, "::1");
        let starttls = parse("smtp://ap%40corp:p%3Ass@relay.example:587?tls=required");
        assert_eq!(starttls.security, SmtpSecurity::StartTls);
        assert_eq!(starttls.login, login("ap@corp", "p:ss"));
        assert_eq!(parse("smtp://u:p@relay.example?tls=required").port, 587);
        let opportunistic = parse("smtp://u:p@relay.example?tls=opportunistic");
        assert_eq!(opportunistic.security, SmtpSecurity::Opportunistic);
        let implicit = parse("smtps://u:p@relay.example");
        assert_eq!(implicit.security, SmtpSecurity::ImplicitTls);
        assert_eq!(implicit.port, 465);
        assert_eq!(parse("smtps://relay.example:2465").login, None);
    }

    #[test]
    fn bad_urls_are_refused_naming_the_variable_and_never_the_password() {
        // Proves every refusal names REVOPS_SMTP_URL and hides the password it was given.
        for bad in [
            "mail.local:25",
            "http://mail.local:25",
            "smtp://",
            "smtp://:25",
            "smtp://mail.local:0",
            "smtp://mail.local:smtp",
            "smtp://mail.local:25/path",
            "smtp://mail.local:25?tls=maybe",
            "smtp://mail.local:25?tls=required&x=1",
            "smtp://user@mail.local:587?tls=required",
            "smtp://user:s3cret@mail.local:25",
            "smtps://user:s3cret@mail.local:465?tls=opportunistic",
        ] {
            match parse_smtp_url(bad) {
                Err(AppError::Validation { field, message }) => {
                    assert_eq!(field, "REVOPS_SMTP_URL");
                    assert!(message.contains("REVOPS_SMTP_URL"), "{message}");
                    assert!(!message.contains("s3cret"), "{message}");
                }
                other => panic!("{bad} gave {other:?}"),
            }
        }
    }

    #[test]
    fn the_password_is_never_shown() {
        // Proves Debug output and redacted URLs keep the user but not the password.
        let settings = parse_smtp_url("smtps://billing:hunter2@relay.example").unwrap();
        let debug = format!("{settings:?}");
        assert!(
            debug.contains("billing") && !debug.contains("hunter2"),
            "{debug}"
        );
        assert_eq!(
            redacted("smtps://billing:hunter2@relay.example:465"),
            "smtps://billing:***@relay.example:465"
        );
        assert_eq!(redacted("smtp://relay:25"), "smtp://relay:25");
        let relay = SmtpRelay::try_new(settings, None, "revops.local").unwrap();
        assert!(!format!("{relay:?}").contains("hunter2"));
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_refused_naming_its_variable() {
        // Proves REVOPS_SMTP_CA_FILE problems are reported with the variable's name.
        let settings = parse_smtp_url("smtp://u:p@relay.example?tls=required").unwrap();
        let missing = Path::new("/nonexistent/revops-ca.pem");
        let not_pem = std::env::temp_dir().join(format!("revops-ca-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(&not_pem, "not a certificate").unwrap();
        for path in [missing, not_pem.as_path()] {
            match SmtpRelay::try_new(settings.clone(), Some(path), "revops.local") {
                Err(AppError::Validation { field, .. }) => assert_eq!(field, "REVOPS_SMTP_CA_FILE"),
                other => panic!("{} gave {other:?}", path.display()),
            }
        }
        std::fs::remove_file(&not_pem).unwrap();
    }

    #[tokio::test]
    async fn an_unreachable_relay_is_retryable_and_a_bad_message_is_not() {
        // Proves network trouble is worth retrying and an unsafe address is not.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let settings = parse_smtp_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        let relay = SmtpRelay::try_new(settings, None, "revops.local").unwrap();
        let mut mail = OutgoingMail {
            message_id: "outbox-1@revops".into(),
            from: "billing@revops.local".into(),
            to: vec!["ap@example.com".into()],
            subject: "Hi".into(),
            text_body: "Hello".into(),
            attachments: Vec::new(),
        };
        let now = "2026-11-27T10:00:00Z".parse().unwrap();
        let unreachable = relay.send(&mail, now).await.unwrap_err();
        assert!(unreachable.retryable(), "{unreachable}");
        mail.to = vec!["ap@example.com\r\nRCPT TO:<x@y.z>".into()];
        let refused = relay.send(&mail, now).await.unwrap_err();
        assert!(!refused.retryable(), "{refused}");
    }

    #[tokio::test]
    async fn replies_decide_whether_to_retry() {
        // Proves a 5xx reply to MAIL FROM is permanent and a 4xx one is worth retrying, with the
        // server's words in the error.
        for (code, retryable) in [(550, false), (451, true)] {
            let port = fake_server(code).await;
            let settings = parse_smtp_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
            let relay = SmtpRelay::try_new(settings, None, "revops.local").unwrap();
            let mail = OutgoingMail {
                message_id: "outbox-2@revops".into(),
                from: "billing@revops.local".into(),
                to: vec!["ap@example.com".into()],
                subject: "Hi".into(),
                text_body: "Hello".into(),
                attachments: Vec::new(),
            };
            let now = "2026-11-27T10:00:00Z".parse().unwrap();
            let error = relay.send(&mail, now).await.unwrap_err();
            assert_eq!(error.retryable(), retryable, "{error}");
            assert!(error.to_string().contains("mailbox says no"), "{error}");
        }
    }

    /// A server that greets, accepts EHLO and answers MAIL FROM with `code`.
    async fn fake_server(code: u16) -> u16 {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                let reply = match line.split(' ').next().unwrap_or("") {
                    "EHLO" => "250 fake\r\n".to_owned(),
                    "MAIL" => format!("{code} mailbox says no\r\n"),
                    "QUIT" => "221 bye\r\n".to_owned(),
                    _ => "250 ok\r\n".to_owned(),
                };
                write.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        port
    }
}
