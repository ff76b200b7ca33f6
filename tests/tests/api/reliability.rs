//! Reliability under races and hostile input, found by trying revops from outside: sign-in
//! attempts sent in parallel are each counted, payments racing for the same open invoices are each
//! applied or kept as credit, money inputs are bounded so no stored amount can break a report, and
//! every response carries the security headers.

use crate::receivables::{customer_with_open_invoice, invoices_of, ledger_ar};
use revops_tests::{email_of, error_code, error_field, Role, TestApp, PASSWORD};
use serde_json::{json, Value};

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { token } }";
const PAY: &str = "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id applied { amount } unapplied { amount } } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced totals { currency debit { amount } credit { amount } } } }";

/// Sends `bodies` to /graphql all at once (each on its own task), with the token when given.
async fn all_at_once(app: &TestApp, token: Option<String>, bodies: Vec<Value>) -> Vec<Value> {
    let mut tasks = Vec::new();
    for body in bodies {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.base_url);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut request = client.post(url).json(&body);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            serde_json::from_str::<Value>(&text)
                .unwrap_or_else(|_| panic!("HTTP {status}, not JSON: {text}"))
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn codes(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .map(|result| error_code(result).unwrap_or_else(|| "OK".into()))
        .collect()
}

#[tokio::test]
async fn parallel_wrong_passwords_are_each_counted_and_then_locked_out() {
    // Proves the sign-in throttle is atomic: of 60 wrong passwords sent at once exactly the three
    // free attempts reach the password check (and are audited), the other 57 are refused as LIMIT,
    // none fails as INTERNAL, and the right password is refused too until the lock runs out.
    let app = TestApp::spawn().await;
    let wrong = json!({ "query": LOGIN, "variables": { "input": { "email": email_of(Role::Cfo), "password": "wrong password!" } } });
    let results = all_at_once(&app, None, vec![wrong; 60]).await;
    let codes = codes(&results);
    let checked = codes
        .iter()
        .filter(|code| *code == "UNAUTHENTICATED")
        .count();
    let limited = codes.iter().filter(|code| *code == "LIMIT").count();
    assert_eq!((checked, limited), (3, 57), "{codes:?}");
    let right = json!({ "input": { "email": email_of(Role::Cfo), "password": PASSWORD } });
    let locked = app.gql(None, LOGIN, right.clone()).await;
    assert_eq!(error_code(&locked).as_deref(), Some("LIMIT"), "{locked}");
    let audit = app
        .gql_ok(
            Role::Auditor,
            "{ auditLog(entityType: \"login\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(audit["auditLog"]["totalCount"], 3, "{audit}");
    app.clock.set("2026-11-27T10:00:05Z".parse().unwrap());
    let signed_in = app.gql(None, LOGIN, right).await;
    assert!(
        signed_in["data"]["login"]["token"].is_string(),
        "{signed_in}"
    );
}

#[tokio::test]
async fn concurrent_unallocated_payments_are_each_applied_or_kept_as_credit() {
    // Proves oldest-first allocation never refuses a payment because another one took the open
    // amount meanwhile: 40 payments of 50.00 naming no invoice, sent at once against one open
    // invoice of 1,000.00, all succeed; 20 of them pay the invoice in full (1,000.00 applied in
    // all) and the remaining 1,000.00 is customer credit, so AR in the ledger is zero.
    let app = TestApp::spawn().await;
    let customer = customer_with_open_invoice(&app, "Crowded Co", "OPP-REL-1").await;
    let bodies: Vec<Value> = (0..40)
        .map(|index| {
            json!({ "query": PAY, "variables": { "input": {
                "customerId": customer, "method": "WIRE",
                "amount": { "amount": "50.00", "currency": "USD" },
                "receivedOn": "2026-02-10", "reference": format!("WIRE crowd-{index}"),
                "idempotencyKey": format!("crowd-{index}")
            } } })
        })
        .collect();
    let token = app.token(Role::ArSpecialist).await;
    let results = all_at_once(&app, Some(token), bodies).await;
    let codes = codes(&results);
    assert!(codes.iter().all(|code| code == "OK"), "{codes:?}");
    let cents = |value: &Value| -> i64 {
        let text = value.as_str().unwrap().replace('.', "");
        text.parse().unwrap()
    };
    let applied: i64 = results
        .iter()
        .map(|result| cents(&result["data"]["paymentRecord"]["applied"]["amount"]))
        .sum();
    let unapplied: i64 = results
        .iter()
        .map(|result| cents(&result["data"]["paymentRecord"]["unapplied"]["amount"]))
        .sum();
    assert_eq!((applied, unapplied), (100_000, 100_000));
    let invoice = &invoices_of(&app, &customer).await[0];
    assert_eq!(invoice["status"], "PAID", "{invoice}");
    assert_eq!(invoice["openAmount"]["amount"], "0.00");
    assert_eq!(ledger_ar(&app, "2026-02-10", "USD").await, "0.00");
}

#[tokio::test]
async fn money_inputs_are_bounded_and_the_trial_balance_always_adds_up() {
    // Proves every money input has a stated maximum (10^12 major units, DOMAIN "amounts are
    // bounded"): i64::MAX minor units and one cent above the maximum are refused on the field,
    // the maximum itself is accepted, and the trial balance still reads (in 128-bit sums) with
    // many maximal payments in one account. A quantity above 10^9 is refused as well.
    let app = TestApp::spawn().await;
    let customer = app.create_customer("Huge Payer", "USD").await;
    let pay = |amount: &str, key: &str| {
        json!({ "input": {
            "customerId": customer, "method": "WIRE",
            "amount": { "amount": amount, "currency": "USD" },
            "receivedOn": "2026-11-20", "reference": format!("WIRE {key}"), "idempotencyKey": key
        } })
    };
    for (amount, key) in [
        ("92233720368547758.07", "max-i64"),
        ("1000000000000.01", "above-max"),
        ("99999999999999999999999", "wider"),
        ("-1000000000000.01", "below-min"),
    ] {
        let refused = app.gql_as(Role::ArSpecialist, PAY, pay(amount, key)).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("VALIDATION"),
            "{refused}"
        );
        assert_eq!(error_field(&refused).as_deref(), Some("amount.amount"));
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("USD 1,000,000,000,000.00") || message.contains("too large"),
            "{message}"
        );
    }
    for index in 0..12 {
        app.gql_ok(
            Role::ArSpecialist,
            PAY,
            pay("1000000000000.00", &format!("at-max-{index}")),
        )
        .await;
    }
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-27" }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    assert_eq!(
        trial["trialBalance"]["totals"],
        json!([{ "currency": "USD", "debit": { "amount": "12000000000000.00" }, "credit": { "amount": "12000000000000.00" } }])
    );

    // Rows written before the bound existed (here straight into the tables, as an old version
    // or an import could have left them) still read: two lines of 9.2 * 10^18 cents in one
    // account sum past i64 without an error.
    use sea_orm::{ActiveModelTrait, Set};
    let entry = revops::entities::journal_entry::ActiveModel {
        entry_number: Set("JE-LEGACY-1".into()),
        entry_date: Set("2026-11-01".parse().unwrap()),
        memo: Set("legacy import".into()),
        source: Set("test:legacy".into()),
        posted_at: Set("2026-11-01T00:00:00Z".parse().unwrap()),
        ..Default::default()
    }
    .insert(&app.app.db)
    .await
    .unwrap();
    for (account, debit, credit) in [
        ("1000", 9_200_000_000_000_000_000_i64, 0),
        ("1000", 9_200_000_000_000_000_000, 0),
        ("2200", 0, 9_200_000_000_000_000_000),
        ("2200", 0, 9_200_000_000_000_000_000),
    ] {
        revops::entities::journal_line::ActiveModel {
            entry_id: Set(entry.id),
            account_code: Set(account.into()),
            currency: Set("USD".into()),
            debit_minor: Set(debit),
            credit_minor: Set(credit),
            ..Default::default()
        }
        .insert(&app.app.db)
        .await
        .unwrap();
    }
    let trial = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-27" }))
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    assert_eq!(
        trial["trialBalance"]["totals"],
        json!([{ "currency": "USD", "debit": { "amount": "184012000000000000.00" }, "credit": { "amount": "184012000000000000.00" } }])
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    // Proves the API, health checks and the web app's pages carry a Content-Security-Policy (no
    // inline script beyond the hashed start-up one, no framing), nosniff, a referrer policy and
    // X-Frame-Options; HSTS only when configured (here it is not, on plain HTTP).
    let app = TestApp::spawn().await;
    for (method, path) in [
        ("POST", "/graphql"),
        ("GET", "/healthz"),
        ("GET", "/customers/42"),
    ] {
        let url = format!("{}{path}", app.base_url);
        let request = if method == "POST" {
            app.client
                .post(url)
                .json(&json!({ "query": "{ __typename }" }))
        } else {
            app.client.get(url)
        };
        let response = request.send().await.unwrap();
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .map(|value| value.to_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("{path} has no {name}: {headers:?}"))
        };
        let policy = header("content-security-policy");
        assert!(policy.contains("default-src 'self'"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin");
        assert!(headers.get("strict-transport-security").is_none());
    }
}

#[tokio::test]
async fn inputs_the_fuzzer_found_are_refused_plainly() {
    // Regression cases from `fuzz::` on PostgreSQL: a NUL character in any variable (here a
    // search) and a 5,000-character e-mail at sign-in answered INTERNAL; now they are VALIDATION
    // naming the variable, and a wrong sign-in.
    let app = TestApp::spawn().await;
    let searched = app
        .gql_as(
            Role::Admin,
            "query($search: String) { deals(first: 5, search: $search) { totalCount } }",
            json!({ "search": "\u{202E}\u{0000}\u{FEFF}" }),
        )
        .await;
    assert_eq!(
        error_code(&searched).as_deref(),
        Some("VALIDATION"),
        "{searched}"
    );
    assert_eq!(error_field(&searched).as_deref(), Some("search"));
    let nested = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": "a\u{0000}@b.example", "password": "x" } }),
        )
        .await;
    assert_eq!(
        error_field(&nested).as_deref(),
        Some("input.email"),
        "{nested}"
    );
    let long = app
        .gql(
            None,
            LOGIN,
            json!({ "input": { "email": "9".repeat(5_000), "password": "x" } }),
        )
        .await;
    assert_eq!(
        error_code(&long).as_deref(),
        Some("UNAUTHENTICATED"),
        "{long}"
    );
}
