//! Several real revops processes on one PostgreSQL database, as the README promises they may run:
//! three `revops serve` instances with their schedulers and a `revops run-daily` at the same time,
//! mail through a real SMTP server. Every e-mail arrives exactly once, invoice numbers stay
//! gapless, the ledger balances, and the hash chains the four sealed at once verify.
//!
//! Several instances sharing one database is a PostgreSQL deployment (SQLite is the embedded,
//! single-instance store), so this test runs in the PostgreSQL step of `cargo xtask test`.

use revops_tests::{backend, Backend, MailServer, Process, Role, TestApp};
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Waits until every serve instance has logged its daily run's mail job for today.
async fn wait_for_daily_runs(instances: &[Process], limit: Duration) {
    let until = Instant::now() + limit;
    loop {
        let done = instances
            .iter()
            .filter(|instance| {
                instance
                    .output()
                    .lines()
                    .any(|line| line.contains("daily job") && line.contains("\"job\":\"mail\""))
            })
            .count();
        if done == instances.len() {
            return;
        }
        assert!(
            Instant::now() < until,
            "only {done} of {} serve instances finished their daily run in {limit:?}; logs:\n{}",
            instances.len(),
            instances
                .iter()
                .map(Process::output)
                .collect::<Vec<_>>()
                .join("\n----\n")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn three_serve_instances_and_a_run_daily_send_every_email_exactly_once() {
    // Proves the outbox claim holds across processes: the demo book's invoice, credit-memo and
    // collections e-mails plus the daily run's own are delivered by four racing processes, and
    // the SMTP server receives each Message-ID exactly once, as many as the outbox marks sent.
    if backend() != Backend::Postgres {
        println!("several instances share PostgreSQL; this runs with REVOPS_TEST_DB=postgres");
        return;
    }
    let mail = MailServer::start().await;
    let app = TestApp::spawn().await;
    let directory = std::env::temp_dir().join(format!(
        "revops-instances-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&directory).unwrap();
    let env = |name: &str| {
        let data = directory.join(name);
        vec![
            ("DATABASE_URL", app.app.config.database_url.clone()),
            ("REVOPS_SMTP_URL", mail.smtp_url()),
            ("REVOPS_DATA_DIR", data.display().to_string()),
            (
                "REVOPS_WEB_DIR",
                directory.join("no-web").display().to_string(),
            ),
            ("REVOPS_LOG_FORMAT", "json".to_owned()),
        ]
    };
    // The demo book is written without sending anything: its e-mails wait in the outbox.
    let mut seed = Process::start(
        &["seed", "--demo"],
        &env("seed"),
        directory.join("seed.log"),
    );
    seed.wait_success(Duration::from_secs(240)).await;
    let pending_before = app
        .sql_count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .await;
    assert!(pending_before > 20, "the demo should leave mail to send");

    let today = chrono::Utc::now().date_naive().to_string();
    let instances: Vec<Process> = (0..3)
        .map(|index| {
            Process::start(
                &["serve", "--addr", "127.0.0.1:0"],
                &env(&format!("serve-{index}")),
                directory.join(format!("serve-{index}.log")),
            )
        })
        .collect();
    let mut daily = Process::start(
        &["run-daily", "--as-of", &today],
        &env("daily"),
        directory.join("daily.log"),
    );
    daily.wait_success(Duration::from_secs(240)).await;
    wait_for_daily_runs(&instances, Duration::from_secs(240)).await;
    // Mail goes out every 5 s in each serve; wait until nothing is left to send.
    let until = Instant::now() + Duration::from_secs(60);
    while app
        .sql_count("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
        .await
        > 0
    {
        assert!(Instant::now() < until, "the outbox did not drain");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(instances);

    let sent = app
        .sql_count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
        .await;
    let received = mail.wait_for(sent as usize, Duration::from_secs(20)).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for message in &received {
        *seen.entry(message.message_id.clone()).or_default() += 1;
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, times)| **times > 1).collect();
    assert!(repeated.is_empty(), "sent more than once: {repeated:?}");
    assert_eq!(received.len() as i64, sent, "one delivery per sent message");
    assert!(sent >= pending_before, "{sent} sent of {pending_before}");
    println!(
        "{sent} messages sent by 4 processes ({pending_before} waiting from the seed), each \
         received once"
    );

    // The bill runs of four processes issued each invoice once: per legal entity and year the
    // numbers run 1..n with no gap and no repeat.
    assert!(app.assert_invoice_numbers_gapless().await > 0);
    let trial = app
        .gql_ok(
            Role::Cfo,
            "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced } }",
            json!({ "asOf": today }),
        )
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    // The four processes sealed at once (each daily run ends with a sealing pass): one gapless,
    // intact chain per table. Rows written since (the sign-in above) are sealed first.
    let mut seal = Process::start(&["seal"], &env("seal"), directory.join("seal.log"));
    seal.wait_success(Duration::from_secs(120)).await;
    let mut verify = Process::start(
        &["verify-chain"],
        &env("verify"),
        directory.join("verify.log"),
    );
    verify.wait_success(Duration::from_secs(120)).await;
    assert!(
        verify.output().contains("chain intact"),
        "{}",
        verify.output()
    );
    let _ = std::fs::remove_dir_all(&directory);
}
