use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use revops_tests::{email_of, error_code, error_field, Role, TestApp, JWT_SECRET, PASSWORD};
use serde_json::json;

const ME: &str = "{ me { email } }";

fn claims(app: &TestApp, exp_offset_seconds: i64, audience: &str) -> serde_json::Value {
    let now = app.clock.now_for_tests();
    json!({ "sub": app.user_id(Role::Cfo).to_string(), "email": email_of(Role::Cfo), "role": "cfo",
            "iss": "revops", "aud": audience, "iat": now, "exp": now + exp_offset_seconds })
}

fn sign(claims: &serde_json::Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let value = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for index in 0..=chunk.len() {
            out.push(ALPHABET[((value >> (18 - 6 * index)) & 63) as usize] as char);
        }
    }
    out
}

trait NowForTests {
    fn now_for_tests(&self) -> i64;
}

impl NowForTests for revops::clock::FixedClock {
    fn now_for_tests(&self) -> i64 {
        use revops::clock::Clock;
        self.now().timestamp()
    }
}

async fn me_code(app: &TestApp, authorization: &str) -> Option<String> {
    let response = app
        .client
        .post(format!("{}/graphql", app.base_url))
        .header("Authorization", authorization)
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    error_code(&response)
}

#[tokio::test]
async fn forged_expired_and_malformed_tokens_are_refused() {
    // Proves the JWT checks: a valid token works; expired, wrong key, alg none, wrong audience and malformed headers are UNAUTHENTICATED.
    let app = TestApp::spawn().await;
    let valid = sign(&claims(&app, 3600, "revops-web"), JWT_SECRET);
    assert_eq!(me_code(&app, &format!("Bearer {valid}")).await, None);

    let expired = sign(&claims(&app, -1, "revops-web"), JWT_SECRET);
    assert_eq!(
        me_code(&app, &format!("Bearer {expired}")).await.as_deref(),
        Some("UNAUTHENTICATED")
    );

    let wrong_key = sign(
        &claims(&app, 3600, "revops-web"),
        "some-other-secret-some-other-secret-!!",
    );
    assert_eq!(
        me_code(&app, &format!("Bearer {wrong_key}"))
            .await
            .as_deref(),
        Some("UNAUTHENTICATED")
    );

    let wrong_audience = sign(&claims(&app, 3600, "someone-else"), JWT_SECRET);
    assert_eq!(
        me_code(&app, &format!("Bearer {wrong_audience}"))
            .await
            .as_deref(),
        Some("UNAUTHENTICATED")
    );

    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url(claims(&app, 3600, "revops-web").to_string().as_bytes());
    assert_eq!(
        me_code(&app, &format!("Bearer {header}.{payload}."))
            .await
            .as_deref(),
        Some("UNAUTHENTICATED")
    );

    for malformed in [
        "Bearer not-a-token",
        "Basic Y2ZvOnBhc3N3b3Jk",
        "Bearer ",
        "bearer x.y.z",
    ] {
        assert_eq!(
            me_code(&app, malformed).await.as_deref(),
            Some("UNAUTHENTICATED"),
            "{malformed}"
        );
    }
}

#[tokio::test]
async fn tokens_expire_by_the_injected_clock() {
    // Proves expiry follows the app's clock: after 8 hours the login token stops working.
    let app = TestApp::spawn().await;
    let token = app.token(Role::Cfo).await;
    assert_eq!(me_code(&app, &format!("Bearer {token}")).await, None);
    app.clock.set("2026-11-27T18:00:01Z".parse().unwrap());
    assert_eq!(
        me_code(&app, &format!("Bearer {token}")).await.as_deref(),
        Some("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn repeated_failed_logins_are_slowed_down() {
    // Proves three wrong passwords lock the account briefly, even for the right password, and time releases it.
    let app = TestApp::spawn().await;
    let login = "mutation($input: LoginInput!) { login(input: $input) { token } }";
    let attempt = |password: &'static str| json!({ "input": { "email": email_of(Role::Cfo), "password": password } });
    for _ in 0..3 {
        let response = app.gql(None, login, attempt("wrong password!")).await;
        assert_eq!(
            error_code(&response).as_deref(),
            Some("UNAUTHENTICATED"),
            "{response}"
        );
    }
    let locked = app.gql(None, login, attempt(PASSWORD)).await;
    assert_eq!(error_code(&locked).as_deref(), Some("LIMIT"), "{locked}");
    assert!(locked["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("try again"));
    app.clock.set("2026-11-27T10:00:05Z".parse().unwrap());
    let response = app.gql(None, login, attempt(PASSWORD)).await;
    assert!(response["data"]["login"]["token"].is_string(), "{response}");
    let audit = app
        .gql_ok(
            Role::Auditor,
            "{ auditLog(entityType: \"login\") { totalCount nodes { action entityId } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        audit["auditLog"]["totalCount"], 3,
        "each failed sign-in is audited: {audit}"
    );
    assert_eq!(audit["auditLog"]["nodes"][0]["action"], "auth.login_failed");
    let unknown = app
        .gql(
            None,
            login,
            json!({ "input": { "email": "nobody@test.revops", "password": "whatever123" } }),
        )
        .await;
    assert_eq!(error_code(&unknown).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn administrators_change_roles_deactivate_and_sign_out_revokes_tokens() {
    // Proves user administration: an admin's role change applies to the user's very next
    // request; deactivation refuses the user's existing token and their sign-in, reactivation
    // lets them in again (with a new token only); signing out revokes every token issued so far;
    // only admins administer, and not themselves; each change is audited.
    let app = TestApp::spawn().await;
    let login = "mutation($input: LoginInput!) { login(input: $input) { token } }";
    let me = "{ me { role } }";
    let ae = app.user_id(Role::Ae).to_string();
    let ae_token = app.token(Role::Ae).await;
    let set_role =
        "mutation($input: UserRoleSetInput!) { userRoleSet(input: $input) { user { role } } }";
    let forbidden = app
        .gql_as(
            Role::Cfo,
            set_role,
            json!({ "input": { "userId": ae, "role": "CFO" } }),
        )
        .await;
    assert_eq!(error_code(&forbidden).as_deref(), Some("FORBIDDEN"));
    app.gql_ok(
        Role::Admin,
        set_role,
        json!({ "input": { "userId": ae, "role": "ACCOUNT_MANAGER" } }),
    )
    .await;
    let after = app.gql(Some(&ae_token), me, json!({})).await;
    assert_eq!(after["data"]["me"]["role"], "ACCOUNT_MANAGER", "{after}");
    let own = app
        .gql_as(
            Role::Admin,
            set_role,
            json!({ "input": { "userId": app.user_id(Role::Admin).to_string(), "role": "AE" } }),
        )
        .await;
    assert_eq!(error_field(&own).as_deref(), Some("userId"), "{own}");

    let deactivate = "mutation($input: UserIdInput!) { userDeactivate(input: $input) { user { deactivatedAt } } }";
    let done = app
        .gql_ok(
            Role::Admin,
            deactivate,
            json!({ "input": { "userId": ae } }),
        )
        .await;
    assert!(done["userDeactivate"]["user"]["deactivatedAt"].is_string());
    let refused = app.gql(Some(&ae_token), me, json!({})).await;
    assert_eq!(error_code(&refused).as_deref(), Some("UNAUTHENTICATED"));
    let credentials = json!({ "input": { "email": email_of(Role::Ae), "password": PASSWORD } });
    let blocked = app.gql(None, login, credentials.clone()).await;
    assert_eq!(error_code(&blocked).as_deref(), Some("UNAUTHENTICATED"));
    assert!(blocked["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("deactivated"));
    app.gql_ok(
        Role::Admin,
        "mutation($input: UserIdInput!) { userReactivate(input: $input) { user { deactivatedAt } } }",
        json!({ "input": { "userId": ae } }),
    )
    .await;
    let still_old = app.gql(Some(&ae_token), me, json!({})).await;
    assert_eq!(error_code(&still_old).as_deref(), Some("UNAUTHENTICATED"));
    let fresh = app.gql(None, login, credentials.clone()).await;
    let fresh_token = fresh["data"]["login"]["token"].as_str().unwrap().to_owned();
    let works = app.gql(Some(&fresh_token), me, json!({})).await;
    assert_eq!(works["data"]["me"]["role"], "ACCOUNT_MANAGER", "{works}");

    let out = app
        .gql(
            Some(&fresh_token),
            "mutation { logout { signedOut } }",
            json!({}),
        )
        .await;
    assert_eq!(out["data"]["logout"]["signedOut"], true, "{out}");
    let revoked = app.gql(Some(&fresh_token), me, json!({})).await;
    assert_eq!(error_code(&revoked).as_deref(), Some("UNAUTHENTICATED"));
    assert!(revoked["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("signed out"));
    let audit = app
        .gql_ok(
            Role::Auditor,
            "{ auditLog(entityType: \"user\") { nodes { action } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = audit["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["action"].as_str().unwrap())
        .collect();
    for action in [
        "user.role_set",
        "user.deactivate",
        "user.reactivate",
        "auth.logout",
    ] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
}
