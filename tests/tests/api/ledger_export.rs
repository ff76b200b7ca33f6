//! Journal exports to the ERP (revops CSV, NetSuite, QuickBooks Online, Xero) and the audit-log
//! export, over HTTP on either database.

use revops_tests::{error_code, error_field, Role, TestApp};
use serde_json::{json, Value};

const POST: &str = "mutation($input: JournalEntryPostInput!) { journalEntryPost(input: $input) { entry { id entryNumber } } }";
const EXPORT: &str = "mutation($input: LedgerExportCreateInput!) { ledgerExportCreate(input: $input) { message batch { id destination period from to entryCount lineCount fileName downloadUrl totals { currency debit { amount } credit { amount } } createdBy { email } } } }";

/// Posts a balanced manual entry as the CFO and returns its (id, number).
async fn post(app: &TestApp, date: &str, key: &str, memo: &str, lines: Value) -> (String, String) {
    let data = app
        .gql_ok(
            Role::Cfo,
            POST,
            json!({ "input": { "entryDate": date, "memo": memo, "idempotencyKey": key, "lines": lines } }),
        )
        .await;
    let entry = &data["journalEntryPost"]["entry"];
    (
        entry["id"].as_str().unwrap().to_string(),
        entry["entryNumber"].as_str().unwrap().to_string(),
    )
}

/// Two October entries (one with three lines) and one November entry in EUR.
async fn october_and_november(app: &TestApp) -> Vec<String> {
    let usd = |amount: &str| json!({ "amount": amount, "currency": "USD" });
    let first = post(
        app,
        "2026-10-15",
        "e1",
        "Opening cash, main account",
        json!([
        { "accountCode": "1000", "debit": usd("1234.50") },
        { "accountCode": "3000", "credit": usd("1234.50") } ]),
    )
    .await;
    let second = post(
        app,
        "2026-10-20",
        "e2",
        "Manual invoice",
        json!([
        { "accountCode": "1100", "debit": usd("300.00") },
        { "accountCode": "4000", "credit": usd("250.00") },
        { "accountCode": "2100", "credit": usd("50.00") } ]),
    )
    .await;
    let eur = json!({ "amount": "99.99", "currency": "EUR" });
    let third = post(
        app,
        "2026-11-05",
        "e3",
        "EUR opening",
        json!([
        { "accountCode": "1000", "debit": eur },
        { "accountCode": "3000", "credit": eur } ]),
    )
    .await;
    vec![first.1, second.1, third.1]
}

async fn export(app: &TestApp, role: Role, input: Value) -> Value {
    app.gql_as(role, EXPORT, json!({ "input": input })).await
}

async fn export_ok(app: &TestApp, input: Value) -> Value {
    let response = export(app, Role::Cfo, input).await;
    assert!(response.get("errors").is_none(), "{response}");
    response["data"]["ledgerExportCreate"].clone()
}

/// GETs a path with the role's token: (status, content type, bytes).
async fn download(app: &TestApp, role: Role, path: &str) -> (u16, String, Vec<u8>) {
    let response = app
        .client
        .get(format!("{}{path}", app.base_url))
        .bearer_auth(app.token(role).await)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// RFC 4180 rows (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                cell.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (other, _) => cell.push(other),
        }
    }
    rows
}

/// A decimal text as minor units of a two-decimal currency ("" is zero).
fn minor(text: &str) -> i64 {
    if text.is_empty() {
        return 0;
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "00"));
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let whole: i64 = whole.trim_start_matches('-').parse().unwrap();
    sign * (whole * 100 + fraction.parse::<i64>().unwrap())
}

/// Debits minus credits per entry (grouped by the first column) in a file of the layout.
fn imbalance_per_entry(destination: &str, rows: &[Vec<String>]) -> Vec<(String, i64)> {
    let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
    for row in &rows[1..] {
        let net = match destination {
            "CSV" => minor(&row[7]) - minor(&row[8]),
            "NETSUITE" => minor(&row[4]) - minor(&row[5]),
            "QUICKBOOKS" => minor(&row[3]) - minor(&row[4]),
            _ => minor(&row[5]),
        };
        *sums.entry(row[0].clone()).or_default() += net;
    }
    sums.into_iter().collect()
}

#[tokio::test]
async fn every_layout_has_its_header_and_balanced_entries() {
    // Proves each destination's documented header, one entry's rows and debits = credits per entry.
    let app = TestApp::spawn().await;
    let numbers = october_and_november(&app).await;
    let first = &numbers[0];
    let expected = [
        ("CSV", "entry_number,entry_date,memo,source,account_code,account_name,currency,debit,credit",
         vec![format!("{first},2026-10-15,\"Opening cash, main account\",manual,1000,Cash,USD,1234.50,0.00")]),
        ("NETSUITE", "External ID,Date,Memo,Account,Debit,Credit,Currency,Line Memo",
         vec![format!("{first},10/15/2026,\"Opening cash, main account\",1000,1234.50,,USD,manual"),
              format!("{first},10/15/2026,\"Opening cash, main account\",3000,,1234.50,USD,manual")]),
        ("QUICKBOOKS", "Journal No.,Journal Date,Account Name,Debits,Credits,Description,Currency",
         vec![format!("{first},10/15/2026,Cash,1234.50,,\"Opening cash, main account\",USD")]),
        ("XERO", "Narration,Date,Description,AccountCode,TaxRate,Amount",
         vec![format!("\"{first}: Opening cash, main account\",15/10/2026,manual,1000,Tax Exempt,1234.50"),
              format!("\"{first}: Opening cash, main account\",15/10/2026,manual,3000,Tax Exempt,-1234.50")]),
    ];
    for (destination, header, rows) in expected {
        let created = export_ok(
            &app,
            json!({ "destination": destination, "from": "2026-10-01", "to": "2026-11-30" }),
        )
        .await;
        let batch = &created["batch"];
        assert_eq!(batch["entryCount"], 3, "{destination}");
        assert_eq!(batch["lineCount"], 7, "{destination}");
        let (status, content_type, bytes) =
            download(&app, Role::Cfo, batch["downloadUrl"].as_str().unwrap()).await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], header, "{destination}");
        for row in rows {
            assert!(
                lines.contains(&row.as_str()),
                "{destination}: {row} missing from\n{text}"
            );
        }
        let parsed = parse_csv(&text);
        assert_eq!(parsed.len(), 1 + 7, "{destination}");
        let sums = imbalance_per_entry(destination, &parsed);
        assert_eq!(sums.len(), 3, "{destination}: one group per entry");
        assert!(
            sums.iter().all(|(_, net)| *net == 0),
            "{destination}: {sums:?}"
        );
    }
}

#[tokio::test]
async fn each_entry_goes_once_per_destination_and_a_batch_downloads_the_same_bytes() {
    // Proves the once-per-destination rule, the "nothing left" answer, totals, audit and re-download.
    let app = TestApp::spawn().await;
    october_and_november(&app).await;
    let october = json!({ "destination": "NETSUITE", "from": "2026-10-01", "to": "2026-10-31" });
    let first = export_ok(&app, october.clone()).await;
    let batch = &first["batch"];
    assert_eq!(batch["entryCount"], 2);
    assert_eq!(batch["period"], Value::Null);
    assert_eq!(batch["createdBy"]["email"], "cfo@test.revops");
    assert_eq!(
        batch["totals"],
        json!([{ "currency": "USD", "debit": { "amount": "1534.50" }, "credit": { "amount": "1534.50" } }])
    );
    let again = export_ok(&app, october.clone()).await;
    assert_eq!(again["batch"], Value::Null, "nothing new: {again}");
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already exported to NetSuite"),
        "{again}"
    );
    // A later entry in the same range is the only one the next export carries.
    let usd = json!({ "amount": "10.00", "currency": "USD" });
    let (_, late) = post(
        &app,
        "2026-10-25",
        "e4",
        "Late accrual",
        json!([
        { "accountCode": "1000", "debit": usd }, { "accountCode": "3000", "credit": usd } ]),
    )
    .await;
    let rest = export_ok(&app, october.clone()).await;
    assert_eq!(rest["batch"]["entryCount"], 1);
    let (_, _, rest_file) = download(
        &app,
        Role::Cfo,
        rest["batch"]["downloadUrl"].as_str().unwrap(),
    )
    .await;
    let rest_rows = parse_csv(&String::from_utf8(rest_file).unwrap());
    assert!(
        rest_rows[1..].iter().all(|row| row[0] == late),
        "{rest_rows:?}"
    );
    // Another destination gets all three.
    let xero = export_ok(
        &app,
        json!({ "destination": "XERO", "from": "2026-10-01", "to": "2026-10-31" }),
    )
    .await;
    assert_eq!(xero["batch"]["entryCount"], 3);
    // The first batch again, byte for byte, also for the auditor.
    let url = batch["downloadUrl"].as_str().unwrap();
    let (_, _, once) = download(&app, Role::Cfo, url).await;
    let (status, _, twice) = download(&app, Role::Auditor, url).await;
    assert_eq!(status, 200);
    assert_eq!(once, twice);
    assert!(String::from_utf8(once).unwrap().matches("\r\n").count() == 1 + 5);
    let (missing, _, _) = download(&app, Role::Cfo, "/api/ledger/exports/999/file").await;
    assert_eq!(missing, 404);
    let history = app
        .gql_ok(
            Role::Auditor,
            "{ ledgerExports(first: 10) { totalCount nodes { id destination entryCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(history["ledgerExports"]["totalCount"], 3);
    assert_eq!(history["ledgerExports"]["nodes"][0]["destination"], "XERO");
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM audit_log WHERE action = 'ledger_export.create'")
            .await,
        3
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM ledger_export_entries")
            .await,
        6
    );
}

#[tokio::test]
async fn a_period_exports_as_one_batch_only_once_it_is_closed() {
    // Proves the period export is refused while open and carries exactly the period after close.
    let app = TestApp::spawn().await;
    october_and_november(&app).await;
    let input = json!({ "destination": "QUICKBOOKS", "period": "2026-10" });
    let open = export(&app, Role::Cfo, input.clone()).await;
    assert_eq!(error_code(&open).as_deref(), Some("VALIDATION"));
    assert_eq!(error_field(&open).as_deref(), Some("period"));
    let both = export(&app, Role::Cfo, json!({ "destination": "CSV", "period": "2026-10", "from": "2026-10-01", "to": "2026-10-31" })).await;
    assert_eq!(error_code(&both).as_deref(), Some("VALIDATION"));
    let closed = app
        .gql_ok(
            Role::Cfo,
            "mutation($period: String!) { periodClose(period: $period) { status } }",
            json!({ "period": "2026-10" }),
        )
        .await;
    assert_eq!(closed["periodClose"]["status"], "CLOSED");
    let batch = export_ok(&app, input.clone()).await["batch"].clone();
    assert_eq!(batch["period"], "2026-10");
    assert_eq!(batch["from"], "2026-10-01");
    assert_eq!(batch["to"], "2026-10-31");
    assert_eq!(batch["entryCount"], 2, "the November entry stays out");
    assert!(batch["fileName"]
        .as_str()
        .unwrap()
        .contains("quickbooks-2026-10"));
    let again = export_ok(&app, input).await;
    assert_eq!(again["batch"], Value::Null);
}

#[tokio::test]
async fn the_audit_log_exports_a_range_as_csv_and_json_lines() {
    // Proves the audit export's range (UTC days), both formats and one row per audit entry.
    let app = TestApp::spawn().await;
    let usd = json!({ "amount": "5.00", "currency": "USD" });
    let lines =
        json!([{ "accountCode": "1000", "debit": usd }, { "accountCode": "3000", "credit": usd }]);
    let (first, _) = post(&app, "2026-11-27", "a1", "First day", lines.clone()).await;
    app.travel_to("2026-11-28T09:00:00Z".parse().unwrap()).await;
    let (second, _) = post(&app, "2026-11-28", "a2", "Second day", lines).await;

    let (status, content_type, bytes) = download(
        &app,
        Role::Auditor,
        "/api/audit/export?from=2026-11-28&to=2026-11-28&format=jsonl",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/x-ndjson"),
        "{content_type}"
    );
    let text = String::from_utf8(bytes).unwrap();
    let objects: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(!objects.is_empty());
    assert!(objects
        .iter()
        .all(|object| object["at"].as_str().unwrap().starts_with("2026-11-28")));
    let posted: Vec<&Value> = objects
        .iter()
        .filter(|object| object["action"] == "journal_entry.post")
        .collect();
    assert_eq!(posted.len(), 1, "{text}");
    assert_eq!(posted[0]["entityId"], second);
    assert_eq!(posted[0]["actor"], "Test CFO");

    let (status, _, bytes) = download(
        &app,
        Role::Cfo,
        "/api/audit/export?from=2026-11-27&to=2026-11-28&format=csv",
    )
    .await;
    assert_eq!(status, 200);
    let rows = parse_csv(&String::from_utf8(bytes).unwrap());
    assert_eq!(
        rows[0].join(","),
        "id,at,actor_user_id,actor,action,entity_type,entity_id,before_json,after_json"
    );
    let posted: Vec<&String> = rows[1..]
        .iter()
        .filter(|row| row[4] == "journal_entry.post")
        .map(|row| &row[6])
        .collect();
    assert_eq!(posted, vec![&first, &second]);
    let (status, _, bytes) = download(
        &app,
        Role::Cfo,
        "/api/audit/export?from=2026-12-01&to=2026-12-31",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        parse_csv(&String::from_utf8(bytes).unwrap()).len(),
        1,
        "only the header"
    );
    let (status, _, _) = download(
        &app,
        Role::Cfo,
        "/api/audit/export?from=2026-11-01&to=2026-11-30&format=xml",
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn only_finance_exports_and_an_ae_is_forbidden() {
    // Proves LedgerExport is a write permission: an AE and the auditor cannot export; VP Finance can.
    let app = TestApp::spawn().await;
    october_and_november(&app).await;
    let input = json!({ "destination": "CSV", "from": "2026-10-01", "to": "2026-10-31" });
    for role in [Role::Ae, Role::Auditor, Role::ArSpecialist] {
        let refused = export(&app, role, input.clone()).await;
        assert_eq!(
            error_code(&refused).as_deref(),
            Some("FORBIDDEN"),
            "{role:?}"
        );
    }
    let made = app
        .gql_ok(Role::VpFinance, EXPORT, json!({ "input": input }))
        .await;
    let url = made["ledgerExportCreate"]["batch"]["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(download(&app, Role::Ae, &url).await.0, 403);
    assert_eq!(
        download(
            &app,
            Role::Ae,
            "/api/audit/export?from=2026-11-01&to=2026-11-30"
        )
        .await
        .0,
        403
    );
    assert_eq!(
        download(
            &app,
            Role::VpFinance,
            "/api/audit/export?from=2026-11-01&to=2026-11-30"
        )
        .await
        .0,
        403
    );
    let history = app
        .gql_as(Role::Ae, "{ ledgerExports { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&history).as_deref(), Some("FORBIDDEN"));
}
