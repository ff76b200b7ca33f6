//! Configuration from the environment (and CLI flags), with safe defaults for a laptop.

use crate::error::{AppError, AppResult};
use crate::notifications::transport::MailTransport;
use std::path::{Path, PathBuf};

/// `Debug` (below) hides secrets: the SMTP password, the JWT secret and the metrics token.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://data/revops.db?mode=rwc` by default; `postgres://…` for PostgreSQL.
    pub database_url: String,
    /// Where dev secrets and the default SQLite file live.
    pub data_dir: PathBuf,
    /// The built web app (Trunk's `dist/`); served at `/` when it exists.
    pub web_dir: PathBuf,
    /// Dev mode turns on introspection and GraphiQL and allows a generated JWT secret.
    pub dev_mode: bool,
    /// Raw JWT secret; None means "generate one and keep it in data_dir" (dev only).
    pub jwt_secret: Option<String>,
    /// `REVOPS_JWT_SECRET_PREVIOUS`: the secret before a rotation, accepted to verify tokens
    /// (never to sign) until they expire; remove it one token lifetime after the rotation.
    pub jwt_secret_previous: Option<String>,
    /// `REVOPS_SECRETS_KEY`: encrypts the secrets revops must keep readable (CRM connector
    /// signing secrets and API tokens, webhook signing secrets) at rest; 32+ characters, the same
    /// on every instance. In dev it is generated once into the data directory.
    pub secrets_key: Option<String>,
    pub token_ttl_hours: i64,
    /// `REVOPS_SMTP_URL`: the relay mail goes through (`smtp://host:port`,
    /// `smtp://user:password@host:587?tls=required`, `smtps://user:password@host:465`); None
    /// writes `.eml` files to `mail_dir`. It may hold a password: never print it unredacted.
    pub smtp_url: Option<String>,
    /// `REVOPS_SMTP_CA_FILE`: a PEM root certificate trusted for the relay in addition to the
    /// built-in public roots (a private relay, or the tests' own CA).
    pub smtp_ca_file: Option<PathBuf>,
    /// The From address of every outgoing mail.
    pub mail_from: String,
    /// Where mail is written as `<message id>.eml` when there is no SMTP relay.
    pub mail_dir: PathBuf,
    /// The company's reporting currency (`REVOPS_FUNCTIONAL_CURRENCY`, default USD); invoices in
    /// other currencies carry their total converted at the FX table's rate.
    pub functional_currency: crate::money::Currency,
    /// The company's legal entity that issues invoices (`REVOPS_LEGAL_ENTITY`); its address, tax
    /// id and payment instructions come from the legal entities table. Invoice numbers run per
    /// entity and year.
    pub legal_entity: String,
    /// `REVOPS_HSTS=on` when revops is reached over HTTPS (directly or through a proxy that
    /// terminates TLS): every response then carries Strict-Transport-Security. Off by default,
    /// because a browser that saw it on plain-HTTP localhost would refuse that address later.
    pub hsts: bool,
    /// How long a mail sender holds a message it claimed (`REVOPS_OUTBOX_LEASE_SECONDS`, 1 to
    /// 3600, default 120). A sender that dies mid-send leaves the message to another after this;
    /// it must exceed the slowest SMTP delivery, or a slow send could be repeated.
    pub outbox_lease_seconds: i64,
    /// `REVOPS_METRICS_TOKEN`: when set, `GET /metrics` answers only `Bearer <token>`.
    pub metrics_token: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// A whole number from the environment within `range`, or `default` when unset.
fn env_bounded(
    name: &str,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
    message: &str,
) -> AppResult<i64> {
    match env(name) {
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|value| range.contains(value))
            .ok_or_else(|| AppError::validation(name, message)),
        None => Ok(default),
    }
}

/// The SMTP relay (URL and extra CA file, both or neither) and the sender address.
fn mail_settings() -> AppResult<(Option<String>, Option<PathBuf>, String)> {
    let smtp_url = env("REVOPS_SMTP_URL");
    let smtp_ca_file = env("REVOPS_SMTP_CA_FILE").map(PathBuf::from);
    let mail_from = env("REVOPS_MAIL_FROM").unwrap_or_else(|| "billing@revops.local".into());
    crate::notifications::mail::check_address("from", &mail_from).map_err(|_| {
        AppError::validation(
            "REVOPS_MAIL_FROM",
            format!(
                "REVOPS_MAIL_FROM is \"{mail_from}\"; use a plain address such as \
                 billing@example.com."
            ),
        )
    })?;
    // Building the relay checks the URL and reads the CA file, so a mistake in either stops
    // the start with a message naming the variable rather than failing every delivery later.
    if let Some(url) = &smtp_url {
        crate::notifications::transport::MailTransport::smtp(
            url,
            smtp_ca_file.as_deref(),
            &mail_from,
        )?;
    } else if smtp_ca_file.is_some() {
        return Err(AppError::validation(
            "REVOPS_SMTP_CA_FILE",
            "REVOPS_SMTP_CA_FILE is set but REVOPS_SMTP_URL is not; set both or neither.",
        ));
    }
    Ok((smtp_url, smtp_ca_file, mail_from))
}

impl Config {
    pub fn from_env() -> AppResult<Config> {
        let data_dir = PathBuf::from(env("REVOPS_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = env("DATABASE_URL").unwrap_or_else(|| {
            format!("sqlite://{}?mode=rwc", data_dir.join("revops.db").display())
        });
        let dev_mode = match env("REVOPS_ENV").as_deref() {
            None | Some("dev") | Some("development") => true,
            Some("production") | Some("prod") => false,
            Some(other) => {
                return Err(AppError::validation(
                    "REVOPS_ENV",
                    format!("REVOPS_ENV is \"{other}\"; use dev or production."),
                ));
            }
        };
        let token_ttl_hours = env_bounded(
            "REVOPS_TOKEN_TTL_HOURS",
            1..=24 * 30,
            8,
            "REVOPS_TOKEN_TTL_HOURS must be 1 to 720.",
        )?;
        let (smtp_url, smtp_ca_file, mail_from) = mail_settings()?;
        let mail_dir = env("REVOPS_MAIL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("mail"));
        let functional_currency = crate::money::Currency::parse(
            &env("REVOPS_FUNCTIONAL_CURRENCY").unwrap_or_else(|| "USD".into()),
        )
        .map_err(|_| {
            AppError::validation(
                "REVOPS_FUNCTIONAL_CURRENCY",
                "REVOPS_FUNCTIONAL_CURRENCY must be an ISO 4217 code such as USD.",
            )
        })?;
        let legal_entity = env("REVOPS_LEGAL_ENTITY").unwrap_or_else(|| "Revops Inc.".into());
        let hsts = match env("REVOPS_HSTS").as_deref() {
            None | Some("off") | Some("0") | Some("false") => false,
            Some("on") | Some("1") | Some("true") => true,
            Some(other) => {
                return Err(AppError::validation(
                    "REVOPS_HSTS",
                    format!("REVOPS_HSTS is \"{other}\"; use on or off."),
                ));
            }
        };
        let outbox_lease_seconds = env_bounded(
            "REVOPS_OUTBOX_LEASE_SECONDS",
            1..=3600,
            120,
            "REVOPS_OUTBOX_LEASE_SECONDS must be 1 to 3600.",
        )?;
        Ok(Config {
            metrics_token: env("REVOPS_METRICS_TOKEN"),
            hsts,
            outbox_lease_seconds,
            legal_entity,
            functional_currency,
            database_url,
            data_dir,
            web_dir: PathBuf::from(env("REVOPS_WEB_DIR").unwrap_or_else(|| "dist".into())),
            dev_mode,
            jwt_secret: env("REVOPS_JWT_SECRET"),
            jwt_secret_previous: env("REVOPS_JWT_SECRET_PREVIOUS"),
            secrets_key: env("REVOPS_SECRETS_KEY"),
            token_ttl_hours,
            smtp_url,
            smtp_ca_file,
            mail_from,
            mail_dir,
        })
    }

    /// The signing secret: configured, or in dev generated once and kept on disk so sessions
    /// survive restarts. Production refuses to start without one.
    pub fn resolve_jwt_secret(&self) -> AppResult<Vec<u8>> {
        self.resolve_secret(
            self.jwt_secret.as_deref(),
            "REVOPS_JWT_SECRET",
            "jwt-secret",
        )
    }

    /// The key that encrypts stored secrets (`secrets::SecretBox`): configured, or in dev
    /// generated once and kept on disk beside the JWT secret. Production refuses to start
    /// without one.
    pub fn resolve_secrets_key(&self) -> AppResult<Vec<u8>> {
        self.resolve_secret(
            self.secrets_key.as_deref(),
            "REVOPS_SECRETS_KEY",
            "secrets-key",
        )
    }

    fn resolve_secret(
        &self,
        configured: Option<&str>,
        variable: &str,
        file_name: &str,
    ) -> AppResult<Vec<u8>> {
        if let Some(secret) = configured {
            if secret.len() < 32 {
                return Err(AppError::validation(
                    variable,
                    format!("{variable} must be at least 32 characters."),
                ));
            }
            return Ok(secret.as_bytes().to_vec());
        }
        if !self.dev_mode {
            return Err(AppError::validation(
                variable,
                format!("Set {variable} (32+ characters) in production."),
            ));
        }
        let path = self.data_dir.join(file_name);
        if let Ok(existing) = std::fs::read_to_string(&path) {
            if existing.trim().len() >= 32 {
                return Ok(existing.trim().as_bytes().to_vec());
            }
        }
        let secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        write_private(&path, &secret)?;
        Ok(secret.into_bytes())
    }
}

impl Config {
    /// Where mail goes: SMTP when `smtp_url` is set, else the mail folder. Fails only on a
    /// malformed `smtp_url` or an unusable `smtp_ca_file`, which `from_env` already refuses at
    /// startup. (Here, not in `notifications`, so notifications never reads the configuration.)
    pub fn mail_transport(&self) -> AppResult<MailTransport> {
        match &self.smtp_url {
            Some(url) => MailTransport::smtp(url, self.smtp_ca_file.as_deref(), &self.mail_from),
            None => Ok(MailTransport::Directory(self.mail_dir.clone())),
        }
    }

    /// The previous signing secret during a rotation, checked like the current one.
    pub fn resolve_previous_jwt_secret(&self) -> AppResult<Option<Vec<u8>>> {
        match &self.jwt_secret_previous {
            Some(secret) if secret.len() < 32 => Err(AppError::validation(
                "REVOPS_JWT_SECRET_PREVIOUS",
                "REVOPS_JWT_SECRET_PREVIOUS must be at least 32 characters.",
            )),
            Some(secret) => Ok(Some(secret.as_bytes().to_vec())),
            None => Ok(None),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        formatter
            .debug_struct("Config")
            .field(
                "database_url",
                &crate::notifications::smtp::redacted(&self.database_url),
            )
            .field("data_dir", &self.data_dir)
            .field("web_dir", &self.web_dir)
            .field("dev_mode", &self.dev_mode)
            .field("jwt_secret", &hidden(&self.jwt_secret))
            .field("jwt_secret_previous", &hidden(&self.jwt_secret_previous))
            .field("secrets_key", &hidden(&self.secrets_key))
            .field("token_ttl_hours", &self.token_ttl_hours)
            .field(
                "smtp_url",
                &self
                    .smtp_url
                    .as_deref()
                    .map(crate::notifications::smtp::redacted),
            )
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("mail_from", &self.mail_from)
            .field("mail_dir", &self.mail_dir)
            .field("functional_currency", &self.functional_currency)
            .field("legal_entity", &self.legal_entity)
            .field("hsts", &self.hsts)
            .field("outbox_lease_seconds", &self.outbox_lease_seconds)
            .field("metrics_token", &hidden(&self.metrics_token))
            .finish()
    }
}

fn write_private(path: &Path, contents: &str) -> AppResult<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(AppError::internal)?;
    }
    std::fs::write(path, contents).map_err(AppError::internal)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(AppError::internal)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::transport::{SmtpSecurity, SmtpSettings};

    fn config(smtp_url: Option<&str>, mail_dir: &Path) -> Config {
        Config {
            database_url: "sqlite::memory:".into(),
            data_dir: mail_dir.to_path_buf(),
            web_dir: "dist".into(),
            dev_mode: true,
            jwt_secret: None,
            jwt_secret_previous: None,
            secrets_key: None,
            token_ttl_hours: 8,
            smtp_url: smtp_url.map(str::to_owned),
            smtp_ca_file: None,
            mail_from: "billing@revops.local".into(),
            mail_dir: mail_dir.to_path_buf(),
            functional_currency: crate::money::Currency::USD,
            legal_entity: "Revops Inc.".into(),
            hsts: false,
            outbox_lease_seconds: 120,
            metrics_token: None,
        }
    }

    #[test]
    fn the_transport_follows_the_configuration() {
        // Proves SMTP is used when a URL is set and the mail folder otherwise.
        let dir = Path::new("/tmp/revops-mail");
        let smtp = config(Some("smtp://relay:2525"), dir)
            .mail_transport()
            .unwrap();
        let MailTransport::Smtp(relay) = smtp else {
            panic!("{smtp:?}")
        };
        let expected = SmtpSettings {
            host: "relay".into(),
            port: 2525,
            security: SmtpSecurity::Plain,
            login: None,
        };
        assert_eq!(relay.settings(), &expected);
        let folder = config(None, dir).mail_transport().ok();
        assert_eq!(folder, Some(MailTransport::Directory(dir.to_path_buf())));
        assert!(config(Some("smtp://relay:x"), dir)
            .mail_transport()
            .is_err());
    }

    #[test]
    fn debug_output_hides_the_smtp_password_and_other_secrets() {
        // Proves a logged Config shows the relay and its user but never a password or secret.
        let config = Config {
            database_url: "postgres://revops:db-secret@db:5432/revops".into(),
            data_dir: "data".into(),
            web_dir: "dist".into(),
            dev_mode: false,
            jwt_secret: Some("jwt-secret-jwt-secret-jwt-secret-0123".into()),
            jwt_secret_previous: Some("jwt-previous-jwt-previous-jwt-previous".into()),
            secrets_key: Some("secrets-key-secrets-key-secrets-key-01".into()),
            token_ttl_hours: 8,
            smtp_url: Some("smtps://billing:relay-secret@relay.example:465".into()),
            smtp_ca_file: Some("/etc/revops/relay-ca.pem".into()),
            mail_from: "billing@example.com".into(),
            mail_dir: "data/mail".into(),
            functional_currency: crate::money::Currency::USD,
            legal_entity: "Revops Inc.".into(),
            hsts: false,
            outbox_lease_seconds: 120,
            metrics_token: Some("metrics-secret".into()),
        };
        let debug = format!("{config:?}");
        assert!(
            debug.contains("smtps://billing:***@relay.example:465"),
            "{debug}"
        );
        assert!(debug.contains("relay-ca.pem"), "{debug}");
        for secret in [
            "relay-secret",
            "db-secret",
            "jwt-secret",
            "jwt-previous",
            "secrets-key",
            "metrics-secret",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
    }
}
