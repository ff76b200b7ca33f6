//! Tamper evidence and key rotation with the real `revops` binary: `revops seal` chains the audit
//! log and the journal, `revops verify-chain` finds them intact and, after one amount is changed
//! in SQL behind revops's back, names that row and exits non-zero; two sealers at once still make
//! one gapless chain; and a `serve` restarted with a new JWT secret and the old one as
//! `REVOPS_JWT_SECRET_PREVIOUS` still accepts the old tokens but not a stranger's.

use crate::receivables::customer_with_open_invoice;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use revops_tests::{backend, email_of, error_code, Backend, Process, Role, TestApp, PASSWORD};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("revops-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn env_for(app: &TestApp, directory: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", app.app.config.database_url.clone()),
        ("REVOPS_DATA_DIR", directory.display().to_string()),
        (
            "REVOPS_WEB_DIR",
            directory.join("no-web").display().to_string(),
        ),
    ]
}

/// Runs `revops <args>` to its end and returns its exit code and output.
async fn run(args: &[&str], env: &[(&str, String)], log: PathBuf) -> (i32, String) {
    let mut process = Process::start(args, env, log);
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = process.child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), process.output());
        }
        assert!(
            Instant::now() < until,
            "revops {args:?} did not finish:\n{}",
            process.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// 3,000 audit rows written at once, so sealers have several batches to race over.
async fn many_audit_rows(app: &TestApp) {
    // SQLite keeps instants as RFC 3339 text; PostgreSQL needs the literal typed.
    let at = match backend() {
        Backend::Sqlite => "'2026-11-27T10:00:00+00:00'",
        Backend::Postgres => "CAST('2026-11-27T10:00:00+00:00' AS TIMESTAMPTZ)",
    };
    app.sql_rows(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
         INSERT INTO audit_log (at, action, entity_type, entity_id) \
         SELECT {at}, 'test.row', 'test', CAST(i AS TEXT) FROM n"
    ))
    .await;
}

#[tokio::test]
async fn verify_chain_names_the_row_changed_after_sealing() {
    // Proves the chain catches an edit made in SQL: after `revops seal`, `verify-chain` exits 0
    // with the count; an invoice's journal line whose amount is then changed is named (table, id,
    // field) with exit 1; so is an audit row whose after-JSON is changed once the line is back.
    let app = TestApp::spawn().await;
    customer_with_open_invoice(&app, "Sealed Co", "OPP-SEAL").await;
    let directory = scratch("seal");
    let env = env_for(&app, &directory);
    let (code, output) = run(&["seal"], &env, directory.join("seal.log")).await;
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("journal entries sealed"), "{output}");
    let sealed = app.sql_count("SELECT COUNT(*) FROM seals").await;
    let rows = app.sql_count("SELECT COUNT(*) FROM audit_log").await
        + app.sql_count("SELECT COUNT(*) FROM journal_entries").await;
    assert!(
        sealed >= 2 && sealed == rows,
        "{sealed} seals for {rows} rows"
    );
    let (code, output) = run(&["verify-chain"], &env, directory.join("verify-1.log")).await;
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("chain intact"), "{output}");
    assert!(
        output.contains(&format!("{sealed} sealed records verified")),
        "{output}"
    );

    let line = app
        .sql_count("SELECT MAX(id) FROM journal_lines WHERE debit_minor > 0")
        .await;
    app.sql_rows(&format!(
        "UPDATE journal_lines SET debit_minor = debit_minor + 100 WHERE id = {line}"
    ))
    .await;
    let (code, output) = run(&["verify-chain"], &env, directory.join("verify-2.log")).await;
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!("chain broken: journal_lines id {line} ")),
        "{output}"
    );
    assert!(output.contains("debit_minor differs"), "{output}");

    app.sql_rows(&format!(
        "UPDATE journal_lines SET debit_minor = debit_minor - 100 WHERE id = {line}"
    ))
    .await;
    let audit = app.sql_count("SELECT MAX(id) FROM audit_log").await;
    app.sql_rows(&format!(
        "UPDATE audit_log SET after_json = '{{}}' WHERE id = {audit}"
    ))
    .await;
    let (code, output) = run(&["verify-chain"], &env, directory.join("verify-3.log")).await;
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains(&format!("chain broken: audit_log id {audit} ")),
        "{output}"
    );
    assert!(output.contains("after_json differs"), "{output}");
    let _ = std::fs::remove_dir_all(&directory);
}

#[tokio::test]
async fn two_sealers_at_once_make_one_gapless_chain() {
    // Proves sealing is safe from several processes: two `revops seal` started together over
    // 3,000 unsealed audit rows both succeed, every row is sealed exactly once at positions
    // 1..n with no gap, and the chain verifies.
    let app = TestApp::spawn().await;
    customer_with_open_invoice(&app, "Raced Co", "OPP-RACE").await;
    many_audit_rows(&app).await;
    let directory = scratch("sealers");
    let env = env_for(&app, &directory);
    let (first, second) = tokio::join!(
        run(&["seal"], &env, directory.join("seal-a.log")),
        run(&["seal"], &env, directory.join("seal-b.log")),
    );
    assert_eq!(first.0, 0, "{}", first.1);
    assert_eq!(second.0, 0, "{}", second.1);
    // Which sealer sealed how much depends on the race; shown for the record.
    println!(
        "sealer a: {}\nsealer b: {}",
        first.1.trim(),
        second.1.trim()
    );
    for (chain, table) in [("audit_log", "audit_log"), ("journal", "journal_entries")] {
        let rows = app
            .sql_count(&format!("SELECT COUNT(*) FROM {table}"))
            .await;
        let seals = app
            .sql_count(&format!(
                "SELECT COUNT(*) FROM seals WHERE chain = '{chain}'"
            ))
            .await;
        let distinct = app
            .sql_count(&format!(
                "SELECT COUNT(DISTINCT row_id) FROM seals WHERE chain = '{chain}'"
            ))
            .await;
        let highest = app
            .sql_count(&format!(
                "SELECT MAX(seal_seq) FROM seals WHERE chain = '{chain}'"
            ))
            .await;
        assert_eq!((seals, distinct, highest), (rows, rows, rows), "{chain}");
    }
    let (code, output) = run(&["verify-chain"], &env, directory.join("verify.log")).await;
    assert_eq!(code, 0, "{output}");
    let _ = std::fs::remove_dir_all(&directory);
}

/// Starts `revops serve` on a free port and returns it with its address.
async fn serve(env: &[(&str, String)], log: PathBuf) -> (Process, String) {
    let process = Process::start(&["serve", "--addr", "127.0.0.1:0"], env, log);
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let output = process.output();
        if let Some(line) = output
            .lines()
            .find(|line| line.contains("listening on http://"))
        {
            let address = line.rsplit(' ').next().unwrap().to_owned();
            return (process, address);
        }
        assert!(Instant::now() < until, "serve did not start:\n{output}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn gql(
    app: &TestApp,
    address: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = app
        .client
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_token_signed_before_a_key_rotation_still_works_after_it() {
    // Proves key rotation does not sign everyone out: a token issued by `serve` under the old
    // secret works after a restart with a new `REVOPS_JWT_SECRET` and the old one as
    // `REVOPS_JWT_SECRET_PREVIOUS`; a token signed with a secret revops never had is refused;
    // and new sign-ins are signed with the new secret only.
    let app = TestApp::spawn().await;
    let directory = scratch("rotation");
    let old_secret = "the-old-secret-the-old-secret-0123456789";
    let new_secret = "the-new-secret-the-new-secret-0123456789";
    let mut env = env_for(&app, &directory);
    env.push(("REVOPS_JWT_SECRET", old_secret.to_owned()));
    let login = "mutation($input: LoginInput!) { login(input: $input) { token } }";
    let credentials = json!({ "input": { "email": email_of(Role::Cfo), "password": PASSWORD } });
    let (before, address) = serve(&env, directory.join("serve-old.log")).await;
    let signed_in = gql(&app, &address, None, login, credentials.clone()).await;
    let old_token = signed_in["data"]["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(before);

    let mut env = env_for(&app, &directory);
    env.push(("REVOPS_JWT_SECRET", new_secret.to_owned()));
    env.push(("REVOPS_JWT_SECRET_PREVIOUS", old_secret.to_owned()));
    let (_after, address) = serve(&env, directory.join("serve-new.log")).await;
    let me = gql(
        &app,
        &address,
        Some(&old_token),
        "{ me { email } }",
        json!({}),
    )
    .await;
    assert_eq!(me["data"]["me"]["email"], email_of(Role::Cfo), "{me}");

    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": app.user_id(Role::Cfo).to_string(), "email": email_of(Role::Cfo),
        "role": "cfo", "iss": "revops", "aud": "revops-web", "iat": now, "exp": now + 3600 });
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"a-secret-revops-never-had-0123456789abc"),
    )
    .unwrap();
    let refused = gql(&app, &address, Some(&forged), "{ me { email } }", json!({})).await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("UNAUTHENTICATED"),
        "{refused}"
    );

    let signed_in = gql(&app, &address, None, login, credentials).await;
    let new_token = signed_in["data"]["login"]["token"].as_str().unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.set_audience(&["revops-web"]);
    let verifies_with = |secret: &str| {
        jsonwebtoken::decode::<Value>(
            new_token,
            &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
            &validation,
        )
        .is_ok()
    };
    assert!(verifies_with(new_secret) && !verifies_with(old_secret));
    let _ = std::fs::remove_dir_all(&directory);
}

/// The one text value of a single-row, single-column query.
async fn text_of(app: &TestApp, sql: &str) -> String {
    app.sql_rows(sql).await[0]
        .try_get_by_index::<String>(0)
        .unwrap()
}

#[tokio::test]
async fn stored_secrets_are_encrypted_and_old_plaintext_ones_are_encrypted_at_start() {
    // Proves secrets at rest: a HubSpot connector's signing secret and API token and a webhook
    // endpoint's signing secret are stored encrypted (the plaintext appears nowhere in the row,
    // the endpoint still shows the secret's start); a secret written before encryption is
    // encrypted when revops next starts (`revops migrate`) with its key; and a start with another
    // key stops with a message naming REVOPS_SECRETS_KEY instead of failing every signature
    // later. (Signing and verifying with the stored secrets are the webhooks:: and intake::
    // tests, which run on the encrypted values.)
    let app = TestApp::spawn().await;
    let account = app
        .gql_ok(Role::Admin, "mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) { serviceAccount { id } } }", json!({ "input": { "name": "HubSpot", "role": "VP_REVOPS" } }))
        .await["serviceAccountCreate"]["serviceAccount"]["id"]
        .clone();
    app.gql_ok(
        Role::Admin,
        "mutation($input: IntakeConnectorCreateInput!) { intakeConnectorCreate(input: $input) { endpointPath } }",
        json!({ "input": { "name": "acme-hs", "kind": "HUBSPOT", "serviceAccountId": account, "signingSecret": "hubspot-client-secret-0042", "apiToken": "pat-na1-token-0042" } }),
    )
    .await;
    let created = app
        .gql_ok(
            Role::Admin,
            "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { secret endpoint { secretHint } } }",
            json!({ "input": { "url": "http://127.0.0.1:9/hook", "description": "ERP", "eventTypes": ["invoice.issued"] } }),
        )
        .await;
    let secret = created["webhookEndpointCreate"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        created["webhookEndpointCreate"]["endpoint"]["secretHint"],
        json!(secret.chars().take(10).collect::<String>())
    );
    let signing = text_of(&app, "SELECT signing_secret FROM intake_connectors").await;
    let token = text_of(&app, "SELECT api_token FROM intake_connectors").await;
    let stored = text_of(&app, "SELECT secret FROM webhook_endpoints").await;
    for (value, plain) in [
        (&signing, "hubspot-client-secret-0042"),
        (&token, "pat-na1-token-0042"),
        (&stored, secret.as_str()),
    ] {
        assert!(value.starts_with("sealed:v1:"), "{value}");
        assert!(
            !value.contains(plain) && !value.contains(&plain[..12]),
            "{value}"
        );
    }

    // A database from before encryption: the endpoint's secret as given.
    app.sql_rows(&format!("UPDATE webhook_endpoints SET secret = '{secret}'"))
        .await;
    let directory = scratch("secrets");
    let mut env = env_for(&app, &directory);
    env.push((
        "REVOPS_SECRETS_KEY",
        "a different key of more than thirty-two characters".into(),
    ));
    let (code, output) = run(&["migrate"], &env, directory.join("wrong-key.log")).await;
    assert_ne!(code, 0, "{output}");
    assert!(output.contains("REVOPS_SECRETS_KEY"), "{output}");
    let mut env = env_for(&app, &directory);
    env.push(("REVOPS_SECRETS_KEY", revops_tests::SECRETS_KEY.into()));
    let (code, output) = run(&["migrate"], &env, directory.join("migrate.log")).await;
    assert_eq!(code, 0, "{output}");
    let resealed = text_of(&app, "SELECT secret FROM webhook_endpoints").await;
    assert!(
        resealed.starts_with("sealed:v1:") && !resealed.contains(&secret),
        "{resealed}"
    );
    let listed = app
        .gql_ok(
            Role::Admin,
            "{ webhookEndpoints { secretHint } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["webhookEndpoints"][0]["secretHint"],
        json!(secret.chars().take(10).collect::<String>()),
        "the resealed secret still opens under the app's key"
    );
}
