//! Service accounts as another system meets them: an administrator creates a key, the key calls
//! GraphQL and a REST endpoint with its role's permissions, what it does is audited under its
//! name, and a revoked or unknown key is refused with 401.

use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const CREATE: &str = "mutation($input: ServiceAccountCreateInput!) { serviceAccountCreate(input: $input) { \
    key serviceAccount { id name role keyPrefix status createdAt lastUsedAt createdBy { name } } } }";
const REVOKE: &str =
    "mutation($input: ServiceAccountRevokeInput!) { serviceAccountRevoke(input: $input) { \
    serviceAccount { id status revokedAt revokedBy { name } } } }";
const LIST: &str = "{ serviceAccounts(first: 50) { totalCount nodes { id name role keyPrefix status createdAt revokedAt lastUsedAt } } }";
const ME: &str = "{ me { id name role kind } }";
const CUSTOMERS: &str = "{ customers(first: 5) { totalCount } }";
const CUSTOMER_CREATE: &str =
    "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) { customer { id } } }";

/// A service account made by the test admin: (its id, its key, the created account).
async fn create_key(app: &TestApp, name: &str, role: &str) -> (String, String, Value) {
    let data = app
        .gql_ok(
            Role::Admin,
            CREATE,
            json!({ "input": { "name": name, "role": role } }),
        )
        .await;
    let created = &data["serviceAccountCreate"];
    let account = created["serviceAccount"].clone();
    let key = created["key"].as_str().unwrap().to_string();
    (account["id"].as_str().unwrap().to_string(), key, account)
}

/// One GraphQL request with the key as bearer credential: the HTTP status and the body.
async fn with_key(app: &TestApp, key: &str, query: &str, variables: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.base_url))
        .bearer_auth(key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The waterfall CSV over REST with the key: the HTTP status and the body.
async fn export_with_key(app: &TestApp, key: &str) -> (u16, String) {
    let response = app
        .client
        .get(format!(
            "{}/api/revenue/export?report=waterfall&asOf=2026-11-27",
            app.base_url
        ))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn customer_input(legal_name: &str) -> Value {
    json!({ "input": {
        "legalName": legal_name,
        "billingAddress": { "line1": "1 Main St", "city": "Austin", "postalCode": "78701", "country": "US" },
        "billingContact": { "name": "Ann Payable", "email": "ap@example.com" },
        "billingCurrency": "USD",
        "taxRegistrationNumber": "12-3456789"
    }})
}

#[tokio::test]
async fn a_key_calls_graphql_and_rest_with_exactly_its_roles_permissions() {
    // Proves a key works as a bearer credential on GraphQL and REST, and an auditor key reads but is FORBIDDEN to write.
    let app = TestApp::spawn().await;
    let (_, key, account) = create_key(&app, "Warehouse export", "AUDITOR").await;
    assert_eq!(account["role"], "AUDITOR");
    assert_eq!(account["status"], "ACTIVE");
    assert_eq!(account["createdBy"]["name"], "Test Administrator");
    assert!(key.starts_with(&format!("{}_", account["keyPrefix"].as_str().unwrap())));

    let (status, me) = with_key(&app, &key, ME, json!({})).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["data"]["me"]["name"], "Warehouse export");
    assert_eq!(me["data"]["me"]["kind"], "SERVICE_ACCOUNT");
    let (status, read) = with_key(&app, &key, CUSTOMERS, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(read["data"]["customers"]["totalCount"], 0, "{read}");

    let (_, write) = with_key(&app, &key, CUSTOMER_CREATE, customer_input("Hooli")).await;
    assert_eq!(error_code(&write).as_deref(), Some("FORBIDDEN"), "{write}");
    assert_eq!(
        write["errors"][0]["extensions"]["permission"],
        "CUSTOMER_WRITE"
    );

    let (status, csv) = export_with_key(&app, &key).await;
    assert_eq!(status, 200, "{csv}");
    assert!(!csv.is_empty());
    // An AE holds no revenue totals: the same endpoint refuses its key with 403.
    let (_, ae_key, _) = create_key(&app, "Rep script", "AE").await;
    let (status, body) = export_with_key(&app, &ae_key).await;
    assert_eq!(status, 403, "{body}");
}

#[tokio::test]
async fn what_a_key_does_is_audited_under_the_service_accounts_name() {
    // Proves audit rows name the service account (name and prefix), and that creating and revoking it are audited.
    let app = TestApp::spawn().await;
    let (id, key, account) = create_key(&app, "Salesforce sync", "ACCOUNT_MANAGER").await;
    let prefix = account["keyPrefix"].as_str().unwrap().to_string();
    let (_, created) = with_key(&app, &key, CUSTOMER_CREATE, customer_input("Initech")).await;
    let customer_id = created["data"]["customerCreate"]["customer"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string();
    app.gql_ok(
        Role::Admin,
        REVOKE,
        json!({ "input": { "serviceAccountId": id } }),
    )
    .await;

    let audit = "query($type: String, $id: String) { auditLog(entityType: $type, entityId: $id) { \
                 nodes { action actorLabel actor { id kind } } } }";
    let customer_rows = app
        .gql_ok(
            Role::Auditor,
            audit,
            json!({ "type": "customer", "id": customer_id }),
        )
        .await;
    let row = &customer_rows["auditLog"]["nodes"][0];
    assert_eq!(row["action"], "customer.create");
    assert_eq!(
        row["actorLabel"],
        format!("service account: Salesforce sync ({prefix})")
    );
    assert_eq!(row["actor"]["kind"], "SERVICE_ACCOUNT");

    let account_rows = app
        .gql_ok(
            Role::Auditor,
            audit,
            json!({ "type": "service_account", "id": id }),
        )
        .await;
    let rows = account_rows["auditLog"]["nodes"].as_array().unwrap();
    let actions: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| {
            (
                row["action"].as_str().unwrap(),
                row["actorLabel"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("service_account.revoke", "Test Administrator"),
            ("service_account.create", "Test Administrator"),
        ]
    );
}

#[tokio::test]
async fn a_revoked_unknown_or_malformed_key_is_refused_with_401() {
    // Proves revocation takes effect on the next request over GraphQL and REST, and unknown keys get a clear 401.
    let app = TestApp::spawn().await;
    let (id, key, _) = create_key(&app, "ERP", "AUDITOR").await;
    assert_eq!(with_key(&app, &key, ME, json!({})).await.0, 200);
    let revoked = app
        .gql_ok(
            Role::Admin,
            REVOKE,
            json!({ "input": { "serviceAccountId": id } }),
        )
        .await;
    let account = &revoked["serviceAccountRevoke"]["serviceAccount"];
    assert_eq!(account["status"], "REVOKED");
    assert_eq!(account["revokedBy"]["name"], "Test Administrator");

    let (status, refused) = with_key(&app, &key, ME, json!({})).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(error_code(&refused).as_deref(), Some("UNAUTHENTICATED"));
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("revoked"), "{message}");
    let (status, body) = export_with_key(&app, &key).await;
    assert_eq!(status, 401);
    assert!(body.contains("revoked"), "{body}");

    let again = app
        .gql_as(
            Role::Admin,
            REVOKE,
            json!({ "input": { "serviceAccountId": id } }),
        )
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"), "{again}");

    // The right shape with a secret nobody was given, and a truncated copy.
    let prefix = &key[..12];
    let unknown = format!("{prefix}_{}", "0".repeat(64));
    let (status, refused) = with_key(&app, &unknown, ME, json!({})).await;
    assert_eq!(status, 401);
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not known"));
    let (status, refused) = with_key(&app, &key[..key.len() - 3], ME, json!({})).await;
    assert_eq!(status, 401);
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("copied whole"));
}

#[tokio::test]
async fn only_admins_manage_service_accounts_and_a_key_is_not_a_user_to_pick() {
    // Proves non-admins cannot create or list keys, an admin key administers as any admin does, and service accounts stay out of `users`.
    let app = TestApp::spawn().await;
    let input = json!({ "input": { "name": "Sneaky", "role": "ADMIN" } });
    let refused = app.gql_as(Role::Cfo, CREATE, input.clone()).await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("FORBIDDEN"),
        "{refused}"
    );
    assert_eq!(
        refused["errors"][0]["extensions"]["permission"],
        "USER_ADMIN"
    );
    let listed = app.gql_as(Role::Auditor, LIST, json!({})).await;
    assert_eq!(error_code(&listed).as_deref(), Some("FORBIDDEN"));

    let (_, key, _) = create_key(&app, "Provisioning bot", "ADMIN").await;
    let (_, me) = with_key(&app, &key, ME, json!({})).await;
    let own_user_id = me["data"]["me"]["id"].as_str().unwrap().to_string();
    let (_, other) = with_key(&app, &key, CREATE, input).await;
    assert!(
        other["data"]["serviceAccountCreate"]["key"].is_string(),
        "{other}"
    );
    let listed = app.gql_ok(Role::Admin, LIST, json!({})).await;
    assert_eq!(listed["serviceAccounts"]["totalCount"], 2);
    let users = app
        .gql_ok(
            Role::Admin,
            "{ users(first: 100) { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        users["users"]["totalCount"], 10,
        "one per role, no service account"
    );
    assert!(!users.to_string().contains(&format!("\"{own_user_id}\"")));
}

#[tokio::test]
async fn a_key_never_administers_itself_and_user_administration_leaves_it_alone() {
    // Proves a key cannot revoke or re-role itself, and userRoleSet/userDeactivate refuse a service account: revocation is its only end.
    let app = TestApp::spawn().await;
    let (id, key, _) = create_key(&app, "Provisioning bot", "ADMIN").await;
    let (_, me) = with_key(&app, &key, ME, json!({})).await;
    let own_user_id = me["data"]["me"]["id"].as_str().unwrap().to_string();
    let (_, own_revoke) = with_key(
        &app,
        &key,
        REVOKE,
        json!({ "input": { "serviceAccountId": id } }),
    )
    .await;
    assert_eq!(
        error_field(&own_revoke).as_deref(),
        Some("serviceAccountId")
    );
    let set_role =
        "mutation($input: UserRoleSetInput!) { userRoleSet(input: $input) { user { role } } }";
    let deactivate =
        "mutation($input: UserIdInput!) { userDeactivate(input: $input) { user { id } } }";
    let own_role = json!({ "input": { "userId": own_user_id, "role": "CFO" } });
    let (_, refused) = with_key(&app, &key, set_role, own_role).await;
    assert_eq!(
        error_field(&refused).as_deref(),
        Some("userId"),
        "{refused}"
    );
    // Nor may a person's user administration change or end it: that is revocation's job.
    for (mutation, input) in [
        (set_role, json!({ "userId": own_user_id, "role": "CFO" })),
        (deactivate, json!({ "userId": own_user_id })),
    ] {
        let response = app
            .gql_as(Role::Admin, mutation, json!({ "input": input }))
            .await;
        assert_eq!(
            error_field(&response).as_deref(),
            Some("userId"),
            "{response}"
        );
    }
    let (status, still) = with_key(&app, &key, ME, json!({})).await;
    assert_eq!(
        (status, &still["data"]["me"]["role"]),
        (200, &json!("ADMIN"))
    );
}

#[tokio::test]
async fn the_key_is_shown_once_and_no_query_returns_it_again() {
    // Proves only the create payload holds the key: lists, audit rows and the stored row do not.
    let app = TestApp::spawn().await;
    let (id, key, _) = create_key(&app, "Billing script", "AR_SPECIALIST").await;
    let secret = key.rsplit('_').next().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    let listed = app.gql_ok(Role::Admin, LIST, json!({})).await;
    let node = &listed["serviceAccounts"]["nodes"][0];
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["name"], "Billing script");
    assert!(key.starts_with(node["keyPrefix"].as_str().unwrap()));
    let audit = app
        .gql_ok(
            Role::Admin,
            "{ auditLog(first: 100) { nodes { before after } } }",
            json!({}),
        )
        .await;
    let (_, me) = with_key(&app, &key, ME, json!({})).await;
    for answer in [&listed, &audit, &me] {
        assert!(!answer.to_string().contains(&secret), "{answer}");
    }
    let stored = app
        .sql_rows("SELECT key_prefix, key_hash FROM service_accounts")
        .await;
    let stored_hash: String = stored[0].try_get_by_index(1).unwrap();
    assert_eq!(stored_hash.len(), 64);
    assert_ne!(stored_hash, secret);
    assert!(!stored_hash.contains(&key));
    // Signing in with the account's address is refused like any unknown address.
    let email = app
        .sql_rows("SELECT email FROM users WHERE kind = 'service_account'")
        .await[0]
        .try_get_by_index::<String>(0)
        .unwrap();
    let login = app
        .gql(
            None,
            "mutation($input: LoginInput!) { login(input: $input) { token } }",
            json!({ "input": { "email": email, "password": "" } }),
        )
        .await;
    assert_eq!(error_code(&login).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn last_use_is_recorded_at_most_once_a_minute() {
    // Proves lastUsedAt follows use without a write per request: it moves only after a minute.
    let app = TestApp::spawn().await;
    let (_, key, account) = create_key(&app, "Nightly sync", "AUDITOR").await;
    assert!(account["lastUsedAt"].is_null());
    let last_used = || async {
        let listed = app.gql_ok(Role::Admin, LIST, json!({})).await;
        let text = listed["serviceAccounts"]["nodes"][0]["lastUsedAt"].clone();
        chrono::DateTime::parse_from_rfc3339(text.as_str().unwrap_or_else(|| panic!("{listed}")))
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let start: chrono::DateTime<chrono::Utc> = "2026-11-27T10:00:00Z".parse().unwrap();
    with_key(&app, &key, CUSTOMERS, json!({})).await;
    assert_eq!(last_used().await, start);
    app.travel_to(start + chrono::Duration::seconds(59)).await;
    with_key(&app, &key, CUSTOMERS, json!({})).await;
    assert_eq!(last_used().await, start);
    app.travel_to(start + chrono::Duration::seconds(60)).await;
    with_key(&app, &key, CUSTOMERS, json!({})).await;
    assert_eq!(last_used().await, start + chrono::Duration::seconds(60));
}
