use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::json;

const POST: &str = "mutation($input: JournalEntryPostInput!) { journalEntryPost(input: $input) { entry { id entryNumber lines { account { code } debit { amount } credit { amount } } } } }";
const BALANCE: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced totals { currency debit { amount } credit { amount } } lines { account { code } currency balance { amount } } } }";

fn entry(date: &str, key: &str, amount: &str, currency: &str) -> serde_json::Value {
    json!({ "input": { "entryDate": date, "memo": "Opening balance", "idempotencyKey": key, "lines": [
        { "accountCode": "1000", "debit": { "amount": amount, "currency": currency } },
        { "accountCode": "3000", "credit": { "amount": amount, "currency": currency } } ] } })
}

#[tokio::test]
async fn balanced_entries_post_once_and_the_trial_balance_stays_zero() {
    // Proves posting, idempotency, per-currency balance, as-of dating and reversal.
    let app = TestApp::spawn().await;
    let first = app
        .gql_ok(Role::Cfo, POST, entry("2026-10-31", "k1", "1000.00", "USD"))
        .await;
    let again = app
        .gql_ok(Role::Cfo, POST, entry("2026-10-31", "k1", "1000.00", "USD"))
        .await;
    assert_eq!(
        first["journalEntryPost"]["entry"]["id"], again["journalEntryPost"]["entry"]["id"],
        "same key, same entry"
    );
    app.gql_ok(
        Role::VpFinance,
        POST,
        entry("2026-11-15", "k2", "500", "JPY"),
    )
    .await;

    let october = app
        .gql_ok(Role::Auditor, BALANCE, json!({ "asOf": "2026-10-31" }))
        .await;
    assert_eq!(october["trialBalance"]["isBalanced"], true);
    assert_eq!(
        october["trialBalance"]["totals"],
        json!([{ "currency": "USD", "debit": { "amount": "1000.00" }, "credit": { "amount": "1000.00" } }])
    );
    let before = app
        .gql_ok(Role::Auditor, BALANCE, json!({ "asOf": "2026-10-30" }))
        .await;
    assert_eq!(
        before["trialBalance"]["lines"],
        json!([]),
        "entries after asOf do not count"
    );
    let november = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-30" }))
        .await;
    assert_eq!(
        november["trialBalance"]["totals"].as_array().unwrap().len(),
        2
    );

    let id = first["journalEntryPost"]["entry"]["id"].as_str().unwrap();
    let reverse = "mutation($input: JournalEntryReverseInput!) { journalEntryReverse(input: $input) { entry { entryNumber reversesEntryId lines { account { code } debit { amount } credit { amount } } } } }";
    let reversed = app
        .gql_ok(
            Role::Cfo,
            reverse,
            json!({ "input": { "id": id, "reason": "Posted twice", "idempotencyKey": "r1" } }),
        )
        .await;
    assert_eq!(
        reversed["journalEntryReverse"]["entry"]["reversesEntryId"],
        id
    );
    assert_eq!(
        reversed["journalEntryReverse"]["entry"]["lines"][0]["credit"]["amount"],
        "1000.00"
    );
    let twice = app
        .gql_as(
            Role::Cfo,
            reverse,
            json!({ "input": { "id": id, "reason": "again", "idempotencyKey": "r2" } }),
        )
        .await;
    assert_eq!(error_code(&twice).as_deref(), Some("CONFLICT"));
    let after = app
        .gql_ok(Role::Cfo, BALANCE, json!({ "asOf": "2026-11-30" }))
        .await;
    let cash_usd = after["trialBalance"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["account"]["code"] == "1000" && line["currency"] == "USD")
        .unwrap()
        .clone();
    assert_eq!(cash_usd["balance"]["amount"], "0.00");
    assert_eq!(after["trialBalance"]["isBalanced"], true);
}

#[tokio::test]
async fn unbalanced_or_malformed_entries_are_refused_and_write_nothing() {
    // Proves an entry can only be posted balanced per currency, with field-level errors.
    let app = TestApp::spawn().await;
    let unbalanced = json!({ "input": { "entryDate": "2026-11-01", "memo": "x", "idempotencyKey": "u1", "lines": [
        { "accountCode": "1000", "debit": { "amount": "10.00", "currency": "USD" } },
        { "accountCode": "3000", "credit": { "amount": "9.99", "currency": "USD" } } ] } });
    let response = app.gql_as(Role::Cfo, POST, unbalanced).await;
    assert_eq!(
        error_field(&response).as_deref(),
        Some("lines"),
        "{response}"
    );
    let mixed = json!({ "input": { "entryDate": "2026-11-01", "memo": "x", "idempotencyKey": "u2", "lines": [
        { "accountCode": "1000", "debit": { "amount": "10.00", "currency": "USD" } },
        { "accountCode": "3000", "credit": { "amount": "10.00", "currency": "EUR" } } ] } });
    assert_eq!(
        error_code(&app.gql_as(Role::Cfo, POST, mixed).await).as_deref(),
        Some("VALIDATION")
    );
    let unknown_account = json!({ "input": { "entryDate": "2026-11-01", "memo": "x", "idempotencyKey": "u3", "lines": [
        { "accountCode": "9999", "debit": { "amount": "10.00", "currency": "USD" } },
        { "accountCode": "3000", "credit": { "amount": "10.00", "currency": "USD" } } ] } });
    assert_eq!(
        error_field(&app.gql_as(Role::Cfo, POST, unknown_account).await).as_deref(),
        Some("lines.0.accountCode")
    );
    let number = json!({ "input": { "entryDate": "2026-11-01", "memo": "x", "idempotencyKey": "u4", "lines": [
        { "accountCode": "1000", "debit": { "amount": 10, "currency": "USD" } },
        { "accountCode": "3000", "credit": { "amount": "10.00", "currency": "USD" } } ] } });
    assert!(
        app.gql_as(Role::Cfo, POST, number).await["errors"].is_array(),
        "money as a JSON number is refused"
    );
    let entries = app
        .gql_ok(Role::Cfo, "{ journalEntries { totalCount } }", json!({}))
        .await;
    assert_eq!(entries["journalEntries"]["totalCount"], 0);
    let accounts = app
        .gql_ok(Role::Auditor, "{ accounts { code kind } }", json!({}))
        .await;
    assert!(
        accounts["accounts"].as_array().unwrap().len() >= 15,
        "the chart of accounts is seeded"
    );
}
