//! The test harness: spawns the real revops app on port 0 against a fresh database (SQLite file
//! or a new PostgreSQL database, chosen by `REVOPS_TEST_DB`), with one user per role, and talks
//! GraphQL over HTTP exactly like a client.
//!
//! A failed expectation panics, which is how a test reports failure, so this crate may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod webdriver;

pub use revops::access::Role;
use revops::app::App;
use revops::auth::NewUser;
use revops::clock::{FixedClock, SharedClock};
use revops::config::Config;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";
/// The JWT secret the test app signs with, so tests can forge tokens to attack it.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The key the in-process app encrypts stored secrets with (`REVOPS_SECRETS_KEY`), fixed like the
/// JWT secret so a test can start a `revops` process that reads the same database.
pub const SECRETS_KEY: &str = "test-secrets-key-0123456789abcdef-0123456789";

/// The e-mail of the test user holding `role`.
pub fn email_of(role: Role) -> String {
    format!("{}@test.revops", role.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("REVOPS_TEST_DB").as_deref() {
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    pub app: App,
    pub user_ids: HashMap<Role, i64>,
    tokens: Mutex<HashMap<Role, String>>,
    cleanup: Cleanup,
    server: tokio::task::JoinHandle<()>,
}

enum Cleanup {
    Directory(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

async fn fresh_database() -> (String, Cleanup, PathBuf) {
    let directory =
        std::env::temp_dir().join(format!("revops-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    match backend() {
        Backend::Sqlite => {
            let url = format!(
                "sqlite://{}?mode=rwc",
                directory.join("revops.db").display()
            );
            (url, Cleanup::Directory(directory.clone()), directory)
        }
        Backend::Postgres => {
            let server = std::env::var("REVOPS_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
            let admin_url = format!("{server}/postgres");
            let name = format!("revops_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("PostgreSQL must be running for REVOPS_TEST_DB=postgres");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            (
                format!("{server}/{name}"),
                Cleanup::PostgresDatabase { admin_url, name },
                directory,
            )
        }
    }
}

impl TestApp {
    /// The real app on port 0 with a fresh database and one user per role; the clock starts at
    /// 2026-11-27 10:00 UTC and only moves when a test moves it.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// As `spawn`, with the configuration adjusted first (e.g. production mode). Mail goes to
    /// `<data dir>/mail` unless a test points it at a real SMTP server:
    ///
    /// ```no_run
    /// # async fn example() {
    /// use revops_tests::{MailServer, TestApp};
    /// let mail = MailServer::start().await;
    /// let app = TestApp::spawn_with(|config| config.smtp_url = Some(mail.smtp_url())).await;
    /// # }
    /// ```
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let (database_url, cleanup, data_dir) = fresh_database().await;
        let mut config = Config {
            database_url,
            mail_dir: data_dir.join("mail"),
            data_dir,
            web_dir: workspace_root().join("dist"),
            dev_mode: true,
            jwt_secret: Some(JWT_SECRET.into()),
            jwt_secret_previous: None,
            secrets_key: Some(SECRETS_KEY.into()),
            token_ttl_hours: 8,
            smtp_url: None,
            smtp_ca_file: None,
            mail_from: "billing@revops.local".into(),
            functional_currency: revops::money::Currency::USD,
            legal_entity: "Revops Inc.".into(),
            hsts: false,
            outbox_lease_seconds: 120,
            metrics_token: None,
        };
        configure(&mut config);
        let clock = Arc::new(FixedClock::new("2026-11-27T10:00:00Z".parse().unwrap()));
        let shared: SharedClock = clock.clone();
        let app = App::start(config, shared).await.unwrap();
        let mut user_ids = HashMap::new();
        for role in Role::ALL {
            let user = app
                .auth
                .create_user(
                    None,
                    NewUser {
                        email: email_of(role),
                        name: format!("Test {}", role.title()),
                        role,
                        password: PASSWORD.into(),
                    },
                )
                .await
                .unwrap();
            user_ids.insert(role, user.id);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let served = app.clone();
        let server = tokio::spawn(async move {
            revops::http::serve(served, listener, std::future::pending())
                .await
                .unwrap();
        });
        TestApp {
            base_url: format!("http://{address}"),
            client: reqwest::Client::new(),
            clock,
            app,
            user_ids,
            tokens: Mutex::new(HashMap::new()),
            cleanup,
            server,
        }
    }

    /// Signs in as the role's test user (once) and returns the bearer token.
    pub async fn token(&self, role: Role) -> String {
        let mut tokens = self.tokens.lock().await;
        if let Some(token) = tokens.get(&role) {
            return token.clone();
        }
        let response = self
            .gql(
                None,
                "mutation($input: LoginInput!) { login(input: $input) { token } }",
                json!({ "input": { "email": email_of(role), "password": PASSWORD } }),
            )
            .await;
        let token = response["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {response}"))
            .to_string();
        tokens.insert(role, token.clone());
        token
    }

    /// Posts a GraphQL request and returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base_url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        serde_json::from_str(&body).unwrap_or_else(|error| {
            panic!("HTTP {status} with a body that is not JSON ({error}): {body:?}")
        })
    }

    /// Moves the test clock (tokens signed at the old time are dropped so requests sign in again).
    pub async fn travel_to(&self, now: chrono::DateTime<chrono::Utc>) {
        self.clock.set(now);
        self.tokens.lock().await.clear();
    }

    /// Drops the cached tokens, so the next request of each role signs in again (after a
    /// `logout`, which revokes the caller's tokens).
    pub async fn forget_tokens(&self) {
        self.tokens.lock().await.clear();
    }

    pub async fn gql_as(&self, role: Role, query: &str, variables: Value) -> Value {
        let token = self.token(role).await;
        self.gql(Some(&token), query, variables).await
    }

    /// As `gql_as`, but panics on errors and returns `data`.
    pub async fn gql_ok(&self, role: Role, query: &str, variables: Value) -> Value {
        let response = self.gql_as(role, query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response}"
        );
        response["data"].clone()
    }

    /// Rows a SQL query returns, read on the app's own connection (for checks no API exposes).
    pub async fn sql_rows(&self, sql: &str) -> Vec<sea_orm::QueryResult> {
        self.app
            .db
            .query_all(sea_orm::Statement::from_string(
                self.app.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap()
    }

    /// The single integer a SQL query returns, e.g. a COUNT(*).
    pub async fn sql_count(&self, sql: &str) -> i64 {
        self.sql_rows(sql).await[0]
            .try_get_by_index::<i64>(0)
            .unwrap()
    }

    /// Asserts that invoice numbers run 1..n with no gap and no repeat per legal entity and year
    /// (`INV-YYYY-NNNNNN`), and returns how many invoices are numbered.
    pub async fn assert_invoice_numbers_gapless(&self) -> usize {
        let mut series: HashMap<(String, String), Vec<u32>> = HashMap::new();
        for row in self
            .sql_rows("SELECT legal_entity, number FROM invoices WHERE number IS NOT NULL")
            .await
        {
            let entity: String = row.try_get_by_index(0).unwrap();
            let number: String = row.try_get_by_index(1).unwrap();
            let (prefix, sequence) = number.rsplit_once('-').unwrap();
            series
                .entry((entity, prefix.to_owned()))
                .or_default()
                .push(sequence.parse().unwrap());
        }
        let numbered = series.values().map(Vec::len).sum();
        for (key, mut numbers) in series {
            numbers.sort_unstable();
            let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
            assert_eq!(numbers, expected, "invoice numbers of {key:?}");
        }
        numbered
    }

    pub fn user_id(&self, role: Role) -> i64 {
        self.user_ids[&role]
    }

    /// Uploads an import file over HTTP (`POST /api/imports`) as `role`; the status and JSON body.
    pub async fn upload_import(
        &self,
        role: Role,
        kind: &str,
        file_name: &str,
        cutover_date: Option<&str>,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        let mut path = format!(
            "/api/imports?kind={kind}&fileName={}",
            percent_encode(file_name)
        );
        if let Some(date) = cutover_date {
            path.push_str(&format!("&cutoverDate={date}"));
        }
        self.post_bytes(role, &path, bytes).await
    }

    /// Posts a raw file to a REST endpoint (`path` with its query) as `role`; status and JSON body.
    pub async fn post_bytes(&self, role: Role, path: &str, bytes: Vec<u8>) -> (u16, Value) {
        let token = self.token(role).await;
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        let value = serde_json::from_str(&body)
            .unwrap_or_else(|error| panic!("HTTP {status}, not JSON ({error}): {body:?}"));
        (status, value)
    }

    /// Downloads `path` as `role`: the status and the bytes.
    pub async fn get_bytes(&self, role: Role, path: &str) -> (u16, Vec<u8>) {
        let token = self.token(role).await;
        let response = self
            .client
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }

    /// Creates a customer through the API and returns its id. Its credit limit is then set to
    /// 10,000,000 (as a migrated customer's would be), so that tests about other things never
    /// meet the credit check; `create_new_customer` keeps the new-customer limit.
    pub async fn create_customer(&self, legal_name: &str, currency: &str) -> String {
        let id = self.create_new_customer(legal_name, currency).await;
        self.give_credit(&id).await;
        id
    }

    /// Sets the customer's credit limit to 10,000,000 of its billing currency, as a migrated
    /// customer's would be, for tests whose customers come in another way (intake, their own
    /// `customerCreate`) and are not about credit.
    pub async fn give_credit(&self, customer_id: &str) {
        let model = revops::customers::find_model(&self.app.db, customer_id.parse().unwrap())
            .await
            .unwrap();
        let currency = revops::money::Currency::parse(&model.billing_currency).unwrap();
        let terms = revops::customers::PaymentTerms::parse(&model.payment_terms).unwrap();
        revops::customers::apply_credit_terms(
            &self.app.db,
            model.id,
            revops::money::Money::from_minor(
                10_000_000 * 10_i64.pow(currency.decimals()),
                currency,
            ),
            terms,
            self.app.clock.now(),
        )
        .await
        .unwrap();
    }

    /// Creates a customer through the API with the limit the credit policy gives a new customer.
    pub async fn create_new_customer(&self, legal_name: &str, currency: &str) -> String {
        let data = self
            .gql_ok(
                Role::Admin,
                "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } } }",
                json!({ "input": {
                    "legalName": legal_name,
                    "billingAddress": { "line1": "1 Main St", "city": "Austin", "postalCode": "78701", "country": "US" },
                    "billingContact": { "name": "Ann Payable", "email": "ap@example.com" },
                    "billingCurrency": currency,
                    "taxRegistrationNumber": "12-3456789"
                }}),
            )
            .await;
        data["customerCreate"]["customer"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The `revops` binary for tests that run real processes: `REVOPS_BIN` (set by `cargo xtask
/// test`, which builds it before the API steps), else `target/debug/revops` beside this test.
pub fn revops_binary() -> PathBuf {
    let path = std::env::var_os("REVOPS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let exe = std::env::current_exe().unwrap();
            // target/debug/deps/api-<hash> -> target/debug/revops
            exe.parent()
                .and_then(|deps| deps.parent())
                .map(|debug| debug.join("revops"))
                .unwrap()
        });
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p revops --bin revops` (cargo xtask test does)",
        path.display()
    );
    path
}

/// A child process killed (SIGKILL) and reaped when dropped, with its output in a log file.
pub struct Process {
    pub child: std::process::Child,
    pub log: PathBuf,
}

impl Process {
    /// Starts `revops <args>` with `env`, its stdout and stderr going to `log`.
    pub fn start(args: &[&str], env: &[(&str, String)], log: PathBuf) -> Process {
        let file = std::fs::File::create(&log).unwrap();
        let mut command = std::process::Command::new(revops_binary());
        command
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("starting revops {args:?}: {error}"));
        Process { child, log }
    }

    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the process to exit (polling, so the test's runtime keeps running) and panics
    /// with its log if it failed or took longer than `limit`.
    pub async fn wait_success(&mut self, limit: std::time::Duration) {
        let until = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "revops exited with {status}:\n{}",
                    self.output()
                );
                return;
            }
            assert!(
                std::time::Instant::now() < until,
                "revops did not finish in {limit:?}:\n{}",
                self.output()
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first error's `extensions.code`, or None when the response has no errors.
pub fn error_code(response: &Value) -> Option<String> {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_string)
}

pub fn error_field(response: &Value) -> Option<String> {
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .map(str::to_string)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        match &self.cleanup {
            Cleanup::Directory(directory) => {
                let _ = std::fs::remove_dir_all(directory);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // Dropping needs async; a short-lived runtime on another thread does it. The app's
                // pool is not awaited here: its connections belong to the test's runtime, which is
                // blocked in this join, so closing them would deadlock. FORCE ends them server-side.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A real SMTP server for a test: aiosmtpd (installed into `.tools/python` by `cargo xtask test`)
/// on a free port, storing what it receives in a maildir. Dropping it stops the server.
pub struct MailServer {
    port: u16,
    directory: PathBuf,
    child: std::process::Child,
    /// For `start_secure`: the CA certificate that signed the server's certificate.
    ca_file: Option<PathBuf>,
}

/// The login `MailServer::start_secure` accepts.
pub const SMTP_USER: &str = "billing@revops.test";
pub const SMTP_PASSWORD: &str = "relay pass:w@rd/1";

/// One message as the server stored it, with just enough parsed for assertions.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub raw: String,
    pub message_id: String,
    pub to: String,
    pub subject: String,
    /// File name and decoded bytes of each `Content-Disposition: attachment` part.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl MailServer {
    /// Plain SMTP, no TLS and no login.
    pub async fn start() -> MailServer {
        let directory = mail_directory();
        let port = free_port();
        let mut command = std::process::Command::new(python());
        command
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(directory.join("maildir"));
        MailServer::spawn(command, port, directory, None).await
    }

    /// A server like a hosted relay (`tests/smtp_tls_server.py`): it requires STARTTLS and then
    /// AUTH as `SMTP_USER` / `SMTP_PASSWORD`. Its certificate, for 127.0.0.1, is signed by a CA
    /// made for this server alone (`ca_file`), so only a client that trusts that file connects.
    pub async fn start_secure() -> MailServer {
        let directory = mail_directory();
        let port = free_port();
        make_certificates(&directory);
        let mut command = std::process::Command::new(python());
        command
            .arg(workspace_root().join("tests/smtp_tls_server.py"))
            .args(["--port", &port.to_string()])
            .arg("--cert")
            .arg(directory.join("server.pem"))
            .arg("--key")
            .arg(directory.join("server.key"))
            .arg("--maildir")
            .arg(directory.join("maildir"))
            .args(["--user", SMTP_USER, "--password", SMTP_PASSWORD]);
        let ca_file = Some(directory.join("ca.pem"));
        MailServer::spawn(command, port, directory, ca_file).await
    }

    async fn spawn(
        mut command: std::process::Command,
        port: u16,
        directory: PathBuf,
        ca_file: Option<PathBuf>,
    ) -> MailServer {
        let log = std::fs::File::create(directory.join("aiosmtpd.log")).unwrap();
        let child = command
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("starting {command:?}: {error}"));
        let mut server = MailServer {
            port,
            directory,
            child,
            ca_file,
        };
        server.wait_until_listening().await;
        server
    }

    /// Polls the port; panics with the server's log if it exits or is not up within 20 s.
    async fn wait_until_listening(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            let exited = self.child.try_wait().unwrap();
            if exited.is_some() || std::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(self.directory.join("aiosmtpd.log"))
                    .unwrap_or_default();
                panic!(
                    "aiosmtpd did not listen on 127.0.0.1:{} (exit: {exited:?}); is it installed? \
                     `cargo xtask test` installs it into .tools/python. Its log:\n{log}",
                    self.port
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// `smtp://127.0.0.1:<port>`, for `Config::smtp_url`.
    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// STARTTLS with a login, for `start_secure`; the user and password are percent-encoded.
    pub fn starttls_url(&self, user: &str, password: &str) -> String {
        format!(
            "smtp://{}:{}@127.0.0.1:{}?tls=required",
            percent_encode(user),
            percent_encode(password),
            self.port
        )
    }

    /// The CA certificate (PEM) that signed a `start_secure` server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.ca_file
            .clone()
            .expect("only a server from start_secure has a CA file")
    }

    /// What the server printed (for a secure server: each AUTH accepted or refused).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.directory.join("aiosmtpd.log")).unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, oldest first (maildir names start with the arrival time).
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let maildir = self.directory.join("maildir");
        let mut paths: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|folder| std::fs::read_dir(maildir.join(folder)).ok())
            .flatten()
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.sort_by_key(|path| path.file_name().map(|name| name.to_owned()));
        paths
            .iter()
            .map(|path| ReceivedMail::parse(&std::fs::read_to_string(path).unwrap()))
            .collect()
    }

    /// Polls every 50 ms until `count` messages arrived or `deadline` passed, and returns what
    /// is there then (so a test can assert on too few or too many).
    pub async fn wait_for(&self, count: usize, deadline: std::time::Duration) -> Vec<ReceivedMail> {
        let until = std::time::Instant::now() + deadline;
        loop {
            let messages = self.messages();
            if messages.len() >= count || std::time::Instant::now() >= until {
                return messages;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

fn python() -> PathBuf {
    let python = workspace_root().join(".tools/python/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `cargo xtask test` (or `cargo xtask setup`) to install aiosmtpd",
        python.display()
    );
    python
}

fn mail_directory() -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("revops-mail-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// `ca.pem` (a CA made for this test) and `server.pem`/`server.key` (a certificate it signed for
/// 127.0.0.1 and localhost), with the openssl command (`cargo xtask setup` installs it).
fn make_certificates(directory: &std::path::Path) {
    let openssl = |args: &[&str]| {
        let output = std::process::Command::new("openssl")
            .args(args)
            .current_dir(directory)
            .output()
            .unwrap_or_else(|error| {
                panic!("openssl is missing ({error}): run `cargo xtask setup` to install it")
            });
        assert!(
            output.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let ec_key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509", "-days", "2", "-subj", "/CN=revops test CA"][..],
            &ec_key,
            &["-keyout", "ca.key", "-out", "ca.pem"],
            &["-addext", "basicConstraints=critical,CA:TRUE"],
            &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req", "-subj", "/CN=127.0.0.1"][..],
            &ec_key,
            &["-keyout", "server.key", "-out", "server.csr"],
        ]
        .concat(),
    );
    std::fs::write(
        directory.join("server.ext"),
        "basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\n\
         subjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
}

/// Percent-encodes everything but letters, digits and `-._~`, for a URL's user or password.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// The text of a PDF as Debian's `pdftotext` (poppler-utils, installed by `cargo xtask setup`)
/// extracts it: a real reader's view of what the document says.
pub fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("revops-{}.pdf", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output();
    std::fs::remove_file(&path).unwrap();
    let output = output.unwrap_or_else(|error| {
        panic!("pdftotext is missing ({error}): run `cargo xtask setup` (poppler-utils)")
    });
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A port nobody listens on right now (the OS picks it; the server binds it a moment later).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl ReceivedMail {
    /// A deliberately small MIME reader: top-level headers, and base64 attachments of a
    /// single-level multipart body. Python writes the maildir file with LF line endings.
    pub fn parse(raw: &str) -> ReceivedMail {
        let text = raw.replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let headers = unfold_headers(head);
        let header = |name: &str| header_value(&headers, name).unwrap_or_default();
        let attachments = match boundary(&header("content-type")) {
            Some(boundary) => attachments(body, &boundary),
            None => Vec::new(),
        };
        ReceivedMail {
            raw: raw.to_owned(),
            message_id: header("message-id"),
            to: header("to"),
            subject: decode_encoded_words(&header("subject")),
            attachments,
        }
    }
}

/// Header lines with continuation lines joined, as (lowercase name, value).
fn unfold_headers(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    headers
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// The `name="…"` (or unquoted) parameter of a header value.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|part| {
        let (key, found) = part.split_once('=')?;
        (key.trim().eq_ignore_ascii_case(name)).then(|| found.trim().trim_matches('"').to_owned())
    })
}

fn boundary(content_type: &str) -> Option<String> {
    parameter(content_type, "boundary")
}

fn attachments(body: &str, boundary: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine;
    let delimiter = format!("--{boundary}");
    body.split(&delimiter)
        .skip(1)
        .filter_map(|part| {
            let (head, content) = part.trim_start_matches('\n').split_once("\n\n")?;
            let headers = unfold_headers(head);
            let disposition = header_value(&headers, "content-disposition")?;
            if !disposition.to_ascii_lowercase().starts_with("attachment") {
                return None;
            }
            let filename = parameter(&disposition, "filename").unwrap_or_default();
            let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap_or_else(|error| panic!("attachment {filename} is not base64: {error}"));
            Some((filename, bytes))
        })
        .collect()
}

/// Decodes RFC 2047 `=?utf-8?B?…?=` words (what revops sends), alone or between plain words:
/// the space between two encoded words is not part of the text, other spaces are.
fn decode_encoded_words(value: &str) -> String {
    use base64::Engine;
    let mut text = String::new();
    let mut after_encoded_word = false;
    for word in value.split_whitespace() {
        let encoded = word.starts_with("=?") && word.ends_with("?=") && word.len() > 4;
        if encoded {
            let inner = &word[2..word.len() - 2];
            let mut pieces = inner.splitn(3, '?');
            let (_charset, encoding, payload) = (pieces.next(), pieces.next(), pieces.next());
            assert!(
                encoding.is_some_and(|e| e.eq_ignore_ascii_case("b")),
                "only B encoded-words are decoded: {word}"
            );
            let decoded = base64::engine::general_purpose::STANDARD.decode(payload.unwrap_or(""));
            if !after_encoded_word && !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&String::from_utf8(decoded.unwrap()).unwrap());
        } else {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
        after_encoded_word = encoded;
    }
    text
}

/// A one-sheet XLSX workbook of `rows` (the first is the header), as a spreadsheet saves it: text
/// as inline strings, cells that look like numbers as numbers, and ISO dates as date serials with
/// a date format, so imports read real spreadsheet cells rather than text.
pub fn xlsx_of(rows: &[Vec<String>]) -> Vec<u8> {
    use std::io::Write;
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (row_index, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, row_index + 1));
        for (column_index, cell) in row.iter().enumerate() {
            let reference = format!("{}{}", (b'A' + column_index as u8) as char, row_index + 1);
            let date = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").ok();
            if cell.is_empty() {
                continue;
            } else if let (Some(date), true) = (date, row_index > 0) {
                let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
                let serial = (date - epoch).num_days();
                sheet.push_str(&format!(r#"<c r="{reference}" s="1"><v>{serial}</v></c>"#));
            } else if row_index > 0 && cell.parse::<f64>().is_ok() && !cell.starts_with('0') {
                sheet.push_str(&format!(r#"<c r="{reference}"><v>{cell}</v></c>"#));
            } else {
                sheet.push_str(&format!(
                    r#"<c r="{reference}" t="inlineStr"><is><t>{}</t></is></c>"#,
                    escape(cell)
                ));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let parts: [(&str, String); 6] = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.into()),
        ("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#.into()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in parts {
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// `rows` as CSV text (the first row is the header), quoting cells that need it.
pub fn csv_of(rows: &[Vec<String>]) -> Vec<u8> {
    let quote = |cell: &String| {
        if cell.contains([',', '"', '\n']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.clone()
        }
    };
    rows.iter()
        .map(|row| row.iter().map(quote).collect::<Vec<_>>().join(",") + "\r\n")
        .collect::<String>()
        .into_bytes()
}
