//! Backups with the real `revops backup` and `revops restore` commands: a copy taken while
//! payments are being recorded restores into a fresh database (SQLite file or PostgreSQL
//! database) that is consistent — every entry balanced, every payment and invoice with its
//! journal entry — and holds a prefix of the writes.

use crate::receivables::customer_with_open_invoice;
use revops_tests::{backend, Backend, Process, Role, TestApp};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::json;
use std::time::Duration;

const PAY: &str = "mutation($input: PaymentRecordInput!) { paymentRecord(input: $input) { id } }";
const PAYMENTS: usize = 40;

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// A database URL nobody uses yet, of the backend under test.
async fn empty_database(directory: &std::path::Path) -> (String, Option<String>) {
    match backend() {
        Backend::Sqlite => (
            format!(
                "sqlite://{}?mode=rwc",
                directory.join("restored.db").display()
            ),
            None,
        ),
        Backend::Postgres => {
            let server = std::env::var("REVOPS_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
            let name = format!("revops_restore_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(format!("{server}/postgres"))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            (format!("{server}/{name}"), Some(name))
        }
    }
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_consistent() {
    // Proves `revops backup` is safe while the app writes: 40 payments are recorded one after
    // another while the backup runs; the restored copy has every journal entry balanced, every
    // payment and issued invoice posted, and between 0 and 40 of the payments (a consistent
    // prefix), and a second restore over it needs --force.
    let app = TestApp::spawn().await;
    let customer = customer_with_open_invoice(&app, "Backed Up Co", "OPP-BACKUP").await;
    let directory =
        std::env::temp_dir().join(format!("revops-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    let token = app.token(Role::ArSpecialist).await;
    let (client, url) = (app.client.clone(), format!("{}/graphql", app.base_url));
    let writer = tokio::spawn(async move {
        for index in 0..PAYMENTS {
            let body = json!({ "query": PAY, "variables": { "input": {
                "customerId": customer, "method": "WIRE",
                "amount": { "amount": "10.00", "currency": "USD" },
                "receivedOn": "2026-02-10", "reference": format!("WIRE backup-{index}"),
                "idempotencyKey": format!("backup-{index}")
            } } });
            let response: serde_json::Value = client
                .post(&url)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(response["errors"].is_null(), "{response}");
        }
    });
    let file = directory.join("revops.backup");
    let env = |database_url: String| {
        vec![
            ("DATABASE_URL", database_url),
            ("REVOPS_DATA_DIR", directory.display().to_string()),
        ]
    };
    let out = file.display().to_string();
    let mut backup = Process::start(
        &["backup", "--out", &out],
        &env(app.app.config.database_url.clone()),
        directory.join("backup.log"),
    );
    backup.wait_success(Duration::from_secs(60)).await;
    writer.await.unwrap();

    let (restored_url, postgres_name) = empty_database(&directory).await;
    let mut restore_args = vec!["restore", "--from", &out];
    if postgres_name.is_some() {
        restore_args.push("--force");
    }
    let mut restore = Process::start(
        &restore_args,
        &env(restored_url.clone()),
        directory.join("restore.log"),
    );
    restore.wait_success(Duration::from_secs(60)).await;

    let restored = Database::connect(&restored_url).await.unwrap();
    let unbalanced = "SELECT COUNT(*) FROM (SELECT entry_id FROM journal_lines GROUP BY entry_id, currency HAVING SUM(debit_minor) <> SUM(credit_minor)) AS off";
    assert_eq!(count(&restored, unbalanced).await, 0);
    let unposted_payments = "SELECT COUNT(*) FROM payments WHERE journal_entry_id IS NULL";
    assert_eq!(count(&restored, unposted_payments).await, 0);
    let unposted_invoices =
        "SELECT COUNT(*) FROM invoices WHERE number IS NOT NULL AND journal_entry_id IS NULL";
    assert_eq!(count(&restored, unposted_invoices).await, 0);
    assert_eq!(
        count(
            &restored,
            "SELECT COUNT(*) FROM invoices WHERE number IS NOT NULL"
        )
        .await,
        1
    );
    let payments = count(&restored, "SELECT COUNT(*) FROM payments").await;
    assert!((0..=PAYMENTS as i64).contains(&payments), "{payments}");
    let applied = "SELECT COUNT(*) FROM payments p WHERE p.applied_minor <> (SELECT COALESCE(SUM(a.amount_minor), 0) FROM ar_applications a WHERE a.payment_id = p.id)";
    assert_eq!(count(&restored, applied).await, 0, "applications match");
    restored.close().await.unwrap();
    println!("the backup holds {payments} of {PAYMENTS} payments recorded while it ran");

    if postgres_name.is_none() {
        // Restoring over an existing file is refused without --force, and nothing changes.
        let mut again = Process::start(
            &["restore", "--from", &out],
            &env(restored_url.clone()),
            directory.join("again.log"),
        );
        let status = loop {
            if let Some(status) = again.child.try_wait().unwrap() {
                break status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(!status.success());
        assert!(again.output().contains("--force"), "{}", again.output());
    }
    if let Some(name) = postgres_name {
        let server = std::env::var("REVOPS_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        if let Ok(admin) = Database::connect(format!("{server}/postgres")).await {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
    let _ = std::fs::remove_dir_all(&directory);
}
