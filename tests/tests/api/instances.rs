//! Several real revops processes on one PostgreSQL database, as the README promises they may run:
//! three `revops serve` instances with their schedulers (today) and three `revops run-daily` for
//! the month's last day, all at the same time, mail through a real SMTP server. Every e-mail
//! arrives exactly once; invoice numbers stay gapless; each collections ladder step, renewal
//! alert, recognition posting and commission accrual happens once; the ledger balances; and the
//! hash chains the six sealed at once verify.
//!
//! Several instances sharing one database is a PostgreSQL deployment (SQLite is the embedded,
//! single-instance store), so this test runs in the PostgreSQL step of `cargo xtask test`.

use chrono::Datelike;
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

/// The number of groups of `columns` in `table` (optionally filtered) that occur more than once.
async fn repeated(app: &TestApp, table: &str, columns: &str, filter: &str) -> i64 {
    app.sql_count(&format!(
        "SELECT COUNT(*) FROM (SELECT {columns} FROM {table} {filter} GROUP BY {columns} \
         HAVING COUNT(*) > 1) repeated"
    ))
    .await
}

#[tokio::test]
async fn three_serve_instances_and_three_run_dailies_do_every_job_exactly_once() {
    // Proves the claims hold across processes. The demo book's invoice, credit-memo and
    // collections e-mails plus the runs' own are delivered by six racing processes, and the SMTP
    // server receives each Message-ID exactly once, as many as the outbox marks sent. The three
    // run-dailies work the month's last day, so they race each other (and the schedulers) for
    // that day's bill run, ladder steps, renewal alerts and the month's recognition, and all six
    // race for last month's closing commission calculation.
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

    let today = chrono::Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap();
    let month_end = (month_start + chrono::Months::new(1)).pred_opt().unwrap();
    let this_period = month_start.format("%Y-%m").to_string();
    let instances: Vec<Process> = (0..3)
        .map(|index| {
            Process::start(
                &["serve", "--addr", "127.0.0.1:0"],
                &env(&format!("serve-{index}")),
                directory.join(format!("serve-{index}.log")),
            )
        })
        .collect();
    // Three run-dailies on the month's last day while the schedulers run today, then three on
    // the next month's first day (the month's closing commission calculation).
    for (round, as_of) in [month_end, month_end.succ_opt().unwrap()]
        .iter()
        .enumerate()
    {
        let as_of = as_of.to_string();
        let mut dailies: Vec<Process> = (0..3)
            .map(|index| {
                Process::start(
                    &["run-daily", "--as-of", &as_of],
                    &env(&format!("daily-{round}-{index}")),
                    directory.join(format!("daily-{round}-{index}.log")),
                )
            })
            .collect();
        for daily in &mut dailies {
            daily.wait_success(Duration::from_secs(300)).await;
        }
    }
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
    let repeated_mail: Vec<_> = seen.iter().filter(|(_, times)| **times > 1).collect();
    assert!(
        repeated_mail.is_empty(),
        "sent more than once: {repeated_mail:?}"
    );
    assert_eq!(received.len() as i64, sent, "one delivery per sent message");
    assert!(sent >= pending_before, "{sent} sent of {pending_before}");

    // The bill runs of six processes issued each invoice once: per legal entity and year the
    // numbers run 1..n with no gap and no repeat.
    let invoices = app.assert_invoice_numbers_gapless().await;
    assert!(invoices > 0);

    // Each collections ladder step once per invoice, and the month end's steps were taken.
    let ladder = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM collection_actions WHERE business_date = '{month_end}'"
        ))
        .await;
    assert!(ladder > 0, "the month end should take ladder steps");
    assert_eq!(
        repeated(&app, "collection_actions", "invoice_id, step_id", "").await,
        0,
        "a ladder step taken twice on one invoice"
    );

    // Each renewal alert once per (contract, mark, person).
    let alerts = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM renewal_alerts WHERE business_date = '{month_end}'"
        ))
        .await;
    assert!(alerts > 0, "the month end should cross renewal marks");
    assert_eq!(
        repeated(
            &app,
            "renewal_alerts",
            "contract_id, mark_days, recipient_id",
            ""
        )
        .await,
        0,
        "a renewal alert sent twice"
    );

    // The month's recognition once: every schedule row a run marked is in that run's postings,
    // each contract has one recognition entry for the month, and no run posted rows another
    // marked.
    let recognised_rows = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM revenue_schedule WHERE recognised_period = '{this_period}'"
        ))
        .await;
    assert!(
        recognised_rows > 0,
        "the month end should recognise revenue"
    );
    let marked = app
        .sql_count(&format!(
            "SELECT CAST(COALESCE(SUM(s.amount_minor), 0) AS BIGINT) FROM revenue_schedule s \
             JOIN revenue_runs r ON r.id = s.run_id WHERE r.period = '{this_period}'"
        ))
        .await;
    let posted = app
        .sql_count(&format!(
            "SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) FROM revenue_postings p \
             JOIN revenue_runs r ON r.id = p.run_id WHERE r.period = '{this_period}'"
        ))
        .await;
    assert_eq!(marked, posted, "recognised rows and posted amounts differ");
    assert_eq!(
        repeated(
            &app,
            "journal_entries",
            "source",
            &format!("WHERE source LIKE 'revenue:%:{this_period}'")
        )
        .await,
        0,
        "a contract's revenue recognised twice for {this_period}"
    );

    // The month's closing commission calculation once: of the six processes reaching it at
    // once, one calculated it; and the ledger's commissions payable is exactly what the lines
    // say was accrued (a second accrual of the same lines would show as a difference).
    let closing_runs = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM commission_runs WHERE period = '{this_period}' \
             AND as_of >= '{month_end}'"
        ))
        .await;
    assert_eq!(
        closing_runs, 1,
        "{this_period}'s closing calculation should run once"
    );
    assert_eq!(
        app.sql_count("SELECT COUNT(*) FROM commission_payouts")
            .await,
        0,
        "the demo pays nothing out, so payable is all accruals"
    );
    let untied = app
        .sql_count(
            "SELECT COUNT(*) FROM (SELECT currency, SUM(credit_minor - debit_minor) AS ledger \
             FROM journal_lines WHERE account_code = '2300' GROUP BY currency) l \
             FULL JOIN (SELECT currency, SUM(accrued_minor) AS accrued FROM commission_lines \
             GROUP BY currency) c ON l.currency = c.currency \
             WHERE COALESCE(l.ledger, 0) <> COALESCE(c.accrued, 0)",
        )
        .await;
    assert_eq!(
        untied, 0,
        "commissions payable differs from the lines' accruals"
    );
    println!(
        "6 processes: {sent} messages sent ({pending_before} waiting from the seed), each received \
         once; {invoices} invoices gapless; {ladder} ladder steps and {alerts} renewal alerts on \
         {month_end}; {recognised_rows} schedule rows recognised for {this_period}; \
         {this_period} commissions closed once"
    );

    let trial = app
        .gql_ok(
            Role::Cfo,
            "query($asOf: Date!) { trialBalance(asOf: $asOf) { isBalanced } }",
            json!({ "asOf": month_end }),
        )
        .await;
    assert_eq!(trial["trialBalance"]["isBalanced"], true);
    // The six processes sealed at once (each daily run ends with a sealing pass): one gapless,
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
