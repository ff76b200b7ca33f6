//! The test harness: spawns the real revops app on port 0 against a fresh database (SQLite file
//! or a new PostgreSQL database, chosen by `REVOPS_TEST_DB`), with one user per role, and talks
//! GraphQL over HTTP exactly like a client.
//!
//! A failed expectation panics, which is how a test reports failure, so this crate may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod webdriver;

use revops::app::App;
use revops::auth::NewUser;
pub use revops::auth::Role;
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

    /// As `spawn`, with the configuration adjusted first (e.g. production mode).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        let (database_url, cleanup, data_dir) = fresh_database().await;
        let mut config = Config {
            database_url,
            data_dir,
            web_dir: workspace_root().join("dist"),
            dev_mode: true,
            jwt_secret: Some(JWT_SECRET.into()),
            token_ttl_hours: 8,
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
        response.json().await.unwrap()
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

    pub fn user_id(&self, role: Role) -> i64 {
        self.user_ids[&role]
    }

    /// Creates a customer through the API and returns its id.
    pub async fn create_customer(&self, legal_name: &str, currency: &str) -> String {
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
