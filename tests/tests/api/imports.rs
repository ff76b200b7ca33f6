//! Imports of the existing book over HTTP: upload (CSV or XLSX) → row errors or a preview →
//! commit once → the numbers tie out across aging, invoices and the ledger.

use revops::access::Role;
use revops_tests::{csv_of, error_code, xlsx_of, TestApp};
use serde_json::{json, Value};

const CUSTOMER_HEADER: [&str; 17] = [
    "external_ref",
    "legal_name",
    "billing_line1",
    "billing_line2",
    "billing_city",
    "billing_region",
    "billing_postal_code",
    "billing_country",
    "tax_registration_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "payment_method",
    "payment_reference",
    "payment_terms",
    "billing_currency",
    "credit_limit",
];
const INVOICE_HEADER: [&str; 8] = [
    "customer_ref",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "total_amount",
    "open_amount",
    "po_number",
];
const IMPORT: &str = "query($id: ID!) { import(id: $id) { id status rowCount errorCount errors(first: 20) { row column message } preview { records totals { amount currency } entries { memo lines { accountCode accountName debit { amount currency } credit { amount currency } } } ignoredColumns } result { records entryNumbers } fileFormat uploadedBy { email } committedBy { email } } }";
const COMMIT: &str = "mutation($id: ID!) { importCommit(input: { id: $id }) { import { status result { records entryNumbers } } } }";
const AGING: &str = "query($asOf: Date) { arAging(asOf: $asOf) { currencies { currency total { amount } count } } }";
pub(crate) const TRIAL: &str = "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced lines { account { code } currency balance { amount } } } }";
pub(crate) const CUTOVER: &str = "2026-11-26";

pub(crate) fn rows(header: &[&str], data: &[Vec<&str>]) -> Vec<Vec<String>> {
    std::iter::once(header.iter().map(|cell| cell.to_string()).collect())
        .chain(
            data.iter()
                .map(|row| row.iter().map(|cell| cell.to_string()).collect()),
        )
        .collect()
}

fn customer(reference: &str, name: &str, currency: &str) -> Vec<String> {
    let email = format!("ap@{}.example", reference.to_lowercase());
    vec![
        reference.into(),
        name.into(),
        "1 Main Street".into(),
        String::new(),
        "Springfield".into(),
        "IL".into(),
        "62701".into(),
        "US".into(),
        String::new(),
        "Pat Payables".into(),
        email,
        String::new(),
        "ach".into(),
        "6789".into(),
        String::new(),
        currency.into(),
        // The limit the old system granted, so the imported book is billed without credit holds.
        "250,000.00".into(),
    ]
}

fn customers_file(count: usize) -> Vec<Vec<String>> {
    let mut file = rows(&CUSTOMER_HEADER, &[]);
    for index in 1..=count {
        let currency = if index == 3 { "EUR" } else { "USD" };
        file.push(customer(
            &format!("ACCT-{index}"),
            &format!("Imported Customer {index}"),
            currency,
        ));
    }
    file
}

/// The old system's aging report: partly paid, fully open, foreign-currency and very old invoices.
fn invoices_file() -> Vec<Vec<String>> {
    rows(
        &INVOICE_HEADER,
        &[
            vec![
                "ACCT-1",
                "OLD-1",
                "2026-10-01",
                "2026-10-31",
                "USD",
                "12,400.00",
                "7400.00",
                "PO-77",
            ],
            vec![
                "ACCT-2",
                "OLD-2",
                "2026-09-15",
                "2026-10-15",
                "USD",
                "5000",
                "5000.00",
                "",
            ],
            vec![
                "ACCT-3",
                "OLD-3",
                "2026-11-20",
                "2026-12-20",
                "EUR",
                "3000.00",
                "2999.99",
                "",
            ],
            vec![
                "ACCT-1",
                "OLD-4",
                "2026-07-01",
                "2026-07-31",
                "usd",
                "1000",
                "250.50",
                "",
            ],
        ],
    )
}

pub(crate) async fn upload(
    app: &TestApp,
    kind: &str,
    name: &str,
    cutover: Option<&str>,
    bytes: Vec<u8>,
) -> Value {
    let (status, body) = app
        .upload_import(Role::Admin, kind, name, cutover, bytes)
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    app.gql_ok(Role::Admin, IMPORT, json!({ "id": id })).await["import"].clone()
}

pub(crate) async fn commit(app: &TestApp, id: &Value) -> Value {
    app.gql_ok(Role::Admin, COMMIT, json!({ "id": id })).await["importCommit"]["import"].clone()
}

pub(crate) async fn import_customers(app: &TestApp, count: usize) {
    let imported = upload(
        app,
        "customers",
        "customers.csv",
        None,
        csv_of(&customers_file(count)),
    )
    .await;
    assert_eq!(imported["status"], "VALIDATED", "{imported}");
    assert_eq!(commit(app, &imported["id"]).await["status"], "COMMITTED");
}

/// The (row, column) of each error an import names, in its order.
pub(crate) fn error_cells(import: &Value) -> Vec<(i64, String)> {
    import["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            (
                error["row"].as_i64().unwrap(),
                error["column"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub(crate) fn amount_of(lines: &Value, account: &str, currency: &str) -> String {
    lines
        .as_array()
        .unwrap()
        .iter()
        .find(|line| line["account"]["code"] == account && line["currency"] == currency)
        .map(|line| line["balance"]["amount"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "0.00".into())
}

#[tokio::test]
async fn opening_invoices_tie_out_to_aging_the_invoices_and_the_ledger() {
    // Proves the cut-over tie-out: imported open AR = arAging total = ledger AR, per currency,
    // with the opening entry Dr AR · Cr opening balance equity the preview announced.
    let app = TestApp::spawn().await;
    import_customers(&app, 3).await;
    let found = app.gql_ok(Role::Admin, "{ customers(search: \"Imported Customer 3\") { nodes { externalRef billingCurrency } } }", json!({})).await;
    assert_eq!(found["customers"]["nodes"][0]["externalRef"], "ACCT-3");

    let imported = upload(
        &app,
        "open_invoices",
        "aging.csv",
        Some(CUTOVER),
        csv_of(&invoices_file()),
    )
    .await;
    assert_eq!(imported["status"], "VALIDATED", "{imported}");
    assert_eq!(imported["preview"]["records"], 4);
    assert_eq!(
        imported["preview"]["totals"],
        json!([{ "amount": "2999.99", "currency": "EUR" }, { "amount": "12650.50", "currency": "USD" }])
    );
    let usd_entry = &imported["preview"]["entries"][1]["lines"];
    assert_eq!(usd_entry[0]["accountCode"], "1100");
    assert_eq!(usd_entry[0]["debit"]["amount"], "12650.50");
    assert_eq!(usd_entry[1]["accountCode"], "3000");
    assert_eq!(usd_entry[1]["credit"]["amount"], "12650.50");

    let committed = commit(&app, &imported["id"]).await;
    assert_eq!(committed["result"]["records"], 4);
    assert_eq!(
        committed["result"]["entryNumbers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let aging = app
        .gql_ok(Role::Cfo, AGING, json!({ "asOf": CUTOVER }))
        .await;
    let currencies = aging["arAging"]["currencies"].as_array().unwrap().clone();
    let total = |code: &str| {
        currencies
            .iter()
            .find(|row| row["currency"] == code)
            .map(|row| {
                (
                    row["total"]["amount"].as_str().unwrap().to_string(),
                    row["count"].as_i64().unwrap(),
                )
            })
    };
    assert_eq!(total("USD"), Some(("12650.50".into(), 3)));
    assert_eq!(total("EUR"), Some(("2999.99".into(), 1)));

    let trial = app
        .gql_ok(Role::Cfo, TRIAL, json!({ "asOf": CUTOVER }))
        .await["trialBalance"]
        .clone();
    assert_eq!(trial["isBalanced"], true);
    assert_eq!(amount_of(&trial["lines"], "1100", "USD"), "12650.50");
    assert_eq!(amount_of(&trial["lines"], "1100", "EUR"), "2999.99");
    assert_eq!(amount_of(&trial["lines"], "3000", "USD"), "-12650.50");
    // Before the cut-over revops held none of it: the ledger and aging agree on that too.
    let before = app
        .gql_ok(Role::Cfo, AGING, json!({ "asOf": "2026-11-25" }))
        .await;
    assert_eq!(
        before["arAging"]["currencies"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        0,
        "{before}"
    );

    let invoices = app.gql_ok(Role::Cfo, "{ invoices(search: \"OLD-1\") { nodes { number status invoiceDate dueDate poNumber total { amount } openAmount { amount } } } }", json!({})).await;
    let old = &invoices["invoices"]["nodes"][0];
    assert_eq!(old["number"], "OLD-1");
    assert_eq!(old["status"], "PARTIALLY_PAID");
    assert_eq!(old["invoiceDate"], "2026-10-01");
    assert_eq!(old["total"]["amount"], "12400.00");
    assert_eq!(old["openAmount"]["amount"], "7400.00");
    assert_eq!(old["poNumber"], "PO-77");
}

/// Three imported customers and the old system's aging report (`invoices_file`), committed.
pub(crate) async fn imported_aging(app: &TestApp) {
    import_customers(app, 3).await;
    let imported = upload(
        app,
        "open_invoices",
        "aging.csv",
        Some(CUTOVER),
        csv_of(&invoices_file()),
    )
    .await;
    assert_eq!(commit(app, &imported["id"]).await["status"], "COMMITTED");
}

#[tokio::test]
async fn an_opening_invoice_enters_the_collections_ladder_at_the_step_its_age_implies() {
    // Proves a 73-day-old imported invoice gets the steps up to day 60 at once (watch, credit
    // hold) and only the latest customer e-mail (the formal notice), not the day-7 reminder.
    let app = TestApp::spawn().await;
    imported_aging(&app).await;
    let run = app
        .gql_ok(Role::ArSpecialist, "mutation { collectionsRun(asOf: \"2026-11-27\") { actions { invoiceNumber days action outcome } } }", json!({}))
        .await;
    let actions: Vec<(String, i64, String, String)> = run["collectionsRun"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|action| action["invoiceNumber"] == "OLD-2")
        .map(|action| {
            (
                action["invoiceNumber"].as_str().unwrap().into(),
                action["days"].as_i64().unwrap(),
                action["action"].as_str().unwrap().into(),
                action["outcome"].as_str().unwrap().into(),
            )
        })
        .collect();
    let days: Vec<i64> = actions.iter().map(|action| action.1).collect();
    assert_eq!(days, vec![0, 7, 15, 30, 45, 45, 60], "{actions:?}");
    let sent: Vec<i64> = actions
        .iter()
        .filter(|action| action.2 == "EMAIL" && action.3 == "sent")
        .map(|action| action.1)
        .collect();
    assert_eq!(
        sent,
        vec![45],
        "only the formal notice goes out: {actions:?}"
    );
    let held = app
        .gql_ok(
            Role::Cfo,
            "{ customers(search: \"Imported Customer 2\") { nodes { onCreditHold onWatch } } }",
            json!({}),
        )
        .await;
    assert_eq!(held["customers"]["nodes"][0]["onCreditHold"], true);
}

#[tokio::test]
async fn a_ten_thousand_row_file_with_one_bad_cell_writes_nothing_and_names_the_cell() {
    // Proves validation covers every row, names row and column, and nothing is written.
    let app = TestApp::spawn().await;
    import_customers(&app, 3).await;
    let mut file = rows(&INVOICE_HEADER, &[]);
    for index in 0..10_000 {
        let number = format!("BULK-{index:05}");
        let open = if index == 6_789 {
            "12.345".to_string()
        } else {
            format!("{}.25", 100 + index)
        };
        file.push(vec![
            "ACCT-1".into(),
            number,
            "2026-10-01".into(),
            "2026-10-31".into(),
            "USD".into(),
            String::new(),
            open,
            String::new(),
        ]);
    }
    let invoices_before = app.sql_count("SELECT COUNT(*) FROM invoices").await;
    let entries_before = app.sql_count("SELECT COUNT(*) FROM journal_entries").await;
    let rejected = upload(
        &app,
        "open_invoices",
        "bulk.csv",
        Some(CUTOVER),
        csv_of(&file),
    )
    .await;
    assert_eq!(rejected["status"], "REJECTED");
    assert_eq!(rejected["rowCount"], 10_000);
    assert_eq!(rejected["errorCount"], 1);
    // Row 1 is the header, so the 6,790th data row is row 6,791 of the file.
    assert_eq!(rejected["errors"][0]["row"], 6_791);
    assert_eq!(rejected["errors"][0]["column"], "open_amount");
    assert!(
        rejected["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("decimals"),
        "{rejected}"
    );
    let refused = app
        .gql_as(Role::Admin, COMMIT, json!({ "id": rejected["id"] }))
        .await;
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("CONFLICT"),
        "{refused}"
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM invoices").await,
        invoices_before
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM journal_entries").await,
        entries_before
    );
}

#[tokio::test]
async fn csv_and_xlsx_of_the_same_rows_give_the_same_result() {
    // Proves a spreadsheet saved as XLSX (numbers as numbers, dates as date cells) and the same
    // rows as CSV validate to the same preview; after one is committed the other is refused row
    // by row (the invoice numbers now exist), so the two formats cannot double the book.
    let app = TestApp::spawn().await;
    import_customers(&app, 3).await;
    let file = invoices_file();
    let from_csv = upload(
        &app,
        "open_invoices",
        "aging.csv",
        Some(CUTOVER),
        csv_of(&file),
    )
    .await;
    let from_xlsx = upload(
        &app,
        "open_invoices",
        "aging.xlsx",
        Some(CUTOVER),
        xlsx_of(&file),
    )
    .await;
    assert_eq!(from_xlsx["fileFormat"], "xlsx");
    assert_eq!(from_csv["fileFormat"], "csv");
    assert_eq!(from_xlsx["status"], "VALIDATED", "{from_xlsx}");
    assert_eq!(from_xlsx["preview"], from_csv["preview"]);
    commit(&app, &from_xlsx["id"]).await;
    let late = app
        .gql_as(Role::Admin, COMMIT, json!({ "id": from_csv["id"] }))
        .await;
    assert_eq!(error_code(&late).as_deref(), Some("CONFLICT"), "{late}");
    assert!(
        late["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("OLD-1 already exists"),
        "{late}"
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM invoices WHERE number LIKE 'OLD-%'")
            .await,
        4
    );
}

#[tokio::test]
async fn a_file_is_committed_once_however_often_it_is_sent() {
    // Proves exactly-once: two commits of one import at the same moment write it once, a third
    // is refused, and uploading the same file again is recognised before anything is kept.
    let app = TestApp::spawn().await;
    let bytes = csv_of(&customers_file(5));
    let imported = upload(&app, "customers", "customers.csv", None, bytes.clone()).await;
    let (first, second) = tokio::join!(
        app.gql_as(Role::Admin, COMMIT, json!({ "id": imported["id"] })),
        app.gql_as(Role::Admin, COMMIT, json!({ "id": imported["id"] })),
    );
    let succeeded = [&first, &second]
        .iter()
        .filter(|response| response.get("errors").is_none())
        .count();
    assert_eq!(succeeded, 1, "{first} {second}");
    let loser = if first.get("errors").is_some() {
        &first
    } else {
        &second
    };
    assert_eq!(error_code(loser).as_deref(), Some("CONFLICT"));
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM customers WHERE external_ref LIKE 'ACCT-%'")
            .await,
        5
    );
    let again = app
        .gql_as(Role::Admin, COMMIT, json!({ "id": imported["id"] }))
        .await;
    assert_eq!(error_code(&again).as_deref(), Some("CONFLICT"));
    let resent = upload(&app, "customers", "customers-copy.csv", None, bytes).await;
    assert_eq!(resent["status"], "REJECTED");
    assert_eq!(resent["errors"][0]["column"], "file");
    assert!(
        resent["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already imported"),
        "{resent}"
    );
    let audit = app
        .sql_count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.create'")
        .await;
    assert_eq!(audit, 5, "each imported customer has its audit row");
}

#[tokio::test]
async fn customer_rows_meet_the_customer_master_rules_with_the_cell_named() {
    // Proves each row is checked by the same rules as the customer form, errors carry the file's
    // column names, and duplicates inside the file or against revops are caught.
    let app = TestApp::spawn().await;
    import_customers(&app, 1).await;
    let mut file = customers_file(0);
    file.push(customer("ACCT-1", "Already There", "USD"));
    let mut bad_email = customer("NEW-1", "Bad Email Ltd", "USD");
    bad_email[10] = "not-an-email".into();
    file.push(bad_email);
    file.push(customer("NEW-2", "Twice Inc", "USD"));
    file.push(customer("NEW-2", "Twice Again Inc", "USD"));
    let mut bad_currency = customer("NEW-3", "Odd Money", "XXY");
    bad_currency[7] = "US".into();
    file.push(bad_currency);
    let mut no_name = customer("NEW-4", "", "USD");
    no_name[1] = String::new();
    file.push(no_name);
    let rejected = upload(&app, "customers", "bad.csv", None, csv_of(&file)).await;
    let errors: Vec<(i64, String)> = error_cells(&rejected);
    assert_eq!(
        errors,
        vec![
            (2, "external_ref".into()),
            (3, "contact_email".into()),
            (5, "external_ref".into()),
            (6, "billing_currency".into()),
            (7, "legal_name".into()),
        ],
        "{rejected}"
    );
}

#[tokio::test]
async fn imports_are_for_the_roles_that_own_the_records() {
    // Proves the permission matrix: an AE cannot upload, VP RevOps can import customers but not
    // opening AR (invoicing's permission), an auditor reads the history, and a missing cut-over
    // date or a bad kind is a validation error naming the field.
    let app = TestApp::spawn().await;
    let customers = csv_of(&customers_file(2));
    let (status, body) = app
        .upload_import(Role::Ae, "customers", "c.csv", None, customers.clone())
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{body}"
    );
    let (status, _) = app
        .upload_import(Role::VpRevops, "customers", "c.csv", None, customers)
        .await;
    assert_eq!(status, 201);
    let invoices = csv_of(&invoices_file());
    let (status, body) = app
        .upload_import(
            Role::VpRevops,
            "open_invoices",
            "a.csv",
            Some(CUTOVER),
            invoices.clone(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{body}"
    );
    let (status, body) = app
        .upload_import(Role::Cfo, "open_invoices", "a.csv", None, invoices.clone())
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (400, Some("cutoverDate")),
        "{body}"
    );
    let (status, body) = app
        .upload_import(Role::Cfo, "invoices", "a.csv", None, invoices)
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (400, Some("kind")),
        "{body}"
    );
    let history = app
        .gql_ok(
            Role::Auditor,
            "{ imports { totalCount nodes { kind fileName status uploadedBy { email } } } }",
            json!({}),
        )
        .await;
    assert_eq!(history["imports"]["totalCount"], 1);
    assert_eq!(history["imports"]["nodes"][0]["kind"], "CUSTOMERS");
    let kinds = app
        .gql_ok(
            Role::Admin,
            "{ importKinds { kind needsCutoverDate templateCsv columns { name required } } }",
            json!({}),
        )
        .await;
    let opening = kinds["importKinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kind| kind["kind"] == "OPEN_INVOICES")
        .unwrap();
    assert_eq!(opening["needsCutoverDate"], true);
    assert!(opening["templateCsv"]
        .as_str()
        .unwrap()
        .starts_with("customer_ref,invoice_number,"));
}

#[tokio::test]
async fn purchase_orders_come_in_with_what_was_already_drawn_on_them() {
    // Proves the purchase-orders kind: amounts, validity and pre-cut-over consumption are kept,
    // and rows that break a PO rule are named by row and column with nothing written.
    let app = TestApp::spawn().await;
    import_customers(&app, 2).await;
    let header = [
        "customer_ref",
        "po_number",
        "currency",
        "amount",
        "consumed_amount",
        "valid_from",
        "valid_to",
    ];
    let bad = rows(
        &header,
        &[
            vec![
                "ACCT-1",
                "PO-1",
                "USD",
                "50,000.00",
                "60000",
                "2026-01-01",
                "2026-12-31",
            ],
            vec![
                "ACCT-2",
                "PO-2",
                "USD",
                "1000",
                "",
                "2026-06-01",
                "2026-05-31",
            ],
            vec![
                "ACCT-9",
                "PO-3",
                "USD",
                "1000",
                "",
                "2026-01-01",
                "2026-12-31",
            ],
        ],
    );
    let rejected = upload(&app, "purchase_orders", "pos.csv", None, csv_of(&bad)).await;
    let errors: Vec<(i64, String)> = error_cells(&rejected);
    assert_eq!(
        errors,
        vec![
            (2, "consumed_amount".into()),
            (3, "valid_to".into()),
            (4, "customer_ref".into())
        ],
        "{rejected}"
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM purchase_orders").await,
        0
    );
    let good = rows(
        &header,
        &[
            vec![
                "ACCT-1",
                "PO-1",
                "USD",
                "50,000.00",
                "12400.00",
                "2026-01-01",
                "2026-12-31",
            ],
            vec![
                "ACCT-2",
                "PO-1",
                "USD",
                "1000",
                "",
                "2026-06-01",
                "2027-05-31",
            ],
        ],
    );
    let imported = upload(&app, "purchase_orders", "pos.csv", None, csv_of(&good)).await;
    assert_eq!(
        imported["preview"]["totals"],
        json!([{ "amount": "51000.00", "currency": "USD" }])
    );
    assert_eq!(commit(&app, &imported["id"]).await["result"]["records"], 2);
    assert_eq!(
        app.sql_count("SELECT consumed_minor FROM purchase_orders WHERE number = 'PO-1' AND amount_minor = 5000000").await,
        1_240_000
    );
}
