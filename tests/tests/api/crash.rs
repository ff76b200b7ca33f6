//! Crash safety with real processes: a daily run (bill run, collections ladder, renewal alerts,
//! mail through a real SMTP server) on a generated book is killed with SIGKILL at pseudo-random
//! moments ten times, then run to the end; nothing is lost, nothing is done twice, and the
//! numbers still agree. Runs on SQLite and on PostgreSQL.

use crate::receivables::{aging_total, ledger_ar};
use revops_tests::{MailServer, Process, TestApp};
use std::collections::HashSet;
use std::time::Duration;

const KILLS: usize = 10;

/// A small deterministic generator, so a failing run can be repeated with the printed seed.
fn next_delay(state: &mut u64) -> Duration {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    Duration::from_millis(40 + (*state >> 33) % 700)
}

#[tokio::test]
async fn a_daily_run_killed_ten_times_finishes_with_every_invariant_intact() {
    // Proves the README's crash promise: after 10 SIGKILLs at random points of `run-daily` and
    // one run to the end, invoice numbers run without gaps, no charge is written or invoiced
    // twice, every journal entry balances, AR aging equals the ledger's AR in every currency, no
    // ladder step is recorded twice, and every sent message reached the SMTP server (a repeat
    // only for a message whose sender was killed between handing it over and marking it sent,
    // with the same Message-ID, so at most one per kill).
    let mail = MailServer::start().await;
    let app = TestApp::spawn().await;
    let directory =
        std::env::temp_dir().join(format!("revops-crash-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    let env = vec![
        ("DATABASE_URL", app.app.config.database_url.clone()),
        ("REVOPS_SMTP_URL", mail.smtp_url()),
        ("REVOPS_DATA_DIR", directory.display().to_string()),
        (
            "REVOPS_WEB_DIR",
            directory.join("no-web").display().to_string(),
        ),
        // A killed sender's messages go again one second later instead of two minutes.
        ("REVOPS_OUTBOX_LEASE_SECONDS", "1".to_owned()),
    ];
    for args in [&["seed", "--demo"][..], &["seed", "--scale", "600"][..]] {
        let mut seed = Process::start(args, &env, directory.join("seed.log"));
        seed.wait_success(Duration::from_secs(300)).await;
    }
    let today = chrono::Utc::now().date_naive().to_string();
    let seed = 0x5eed_u64 ^ chrono::Utc::now().timestamp() as u64;
    println!("kill delays from seed {seed:#x}");
    let mut state = seed;
    let mut landed = 0;
    for kill in 0..KILLS {
        let mut run = Process::start(
            &["run-daily", "--as-of", &today],
            &env,
            directory.join(format!("run-{kill}.log")),
        );
        tokio::time::sleep(next_delay(&mut state)).await;
        if run.child.try_wait().unwrap().is_none() {
            landed += 1;
        }
        drop(run); // SIGKILL, then reap
    }
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let mut last = Process::start(
        &["run-daily", "--as-of", &today],
        &env,
        directory.join("final.log"),
    );
    last.wait_success(Duration::from_secs(300)).await;
    println!("{landed} of {KILLS} kills landed while run-daily was working");
    assert!(
        landed >= KILLS / 2,
        "too few kills landed mid-run to prove anything"
    );

    // Invoice numbers: per legal entity and year exactly 1..n.
    let issued = app.assert_invoice_numbers_gapless().await;
    // No charge invoiced twice, every entry balanced, no ladder step twice.
    let twice = "SELECT COUNT(*) FROM (SELECT charge_id FROM invoice_lines GROUP BY charge_id HAVING COUNT(*) > 1) AS repeated";
    assert_eq!(
        app.sql_count(twice).await,
        0,
        "a charge is on two invoice lines"
    );
    let unbalanced = "SELECT COUNT(*) FROM (SELECT entry_id FROM journal_lines GROUP BY entry_id, currency HAVING SUM(debit_minor) <> SUM(credit_minor)) AS off";
    assert_eq!(app.sql_count(unbalanced).await, 0, "an unbalanced entry");
    let steps_twice = "SELECT COUNT(*) FROM (SELECT invoice_id, step_id FROM collection_actions GROUP BY invoice_id, step_id HAVING COUNT(*) > 1) AS repeated";
    assert_eq!(app.sql_count(steps_twice).await, 0, "a ladder step twice");
    // AR aging equals the ledger's AR in each currency.
    let currencies: HashSet<String> = app
        .sql_rows("SELECT DISTINCT currency FROM invoices")
        .await
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    for currency in &currencies {
        assert_eq!(
            aging_total(&app, &today, currency).await,
            ledger_ar(&app, &today, currency).await,
            "aging vs ledger AR in {currency}"
        );
    }
    // Mail: nothing left to send; every sent message arrived, repeats at most one per kill.
    let waiting = "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')";
    assert_eq!(app.sql_count(waiting).await, 0);
    let sent = app
        .sql_count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
        .await;
    let received = mail.wait_for(sent as usize, Duration::from_secs(20)).await;
    let distinct: HashSet<&str> = received
        .iter()
        .map(|message| message.message_id.as_str())
        .collect();
    assert_eq!(distinct.len() as i64, sent, "each sent message arrived");
    let repeats = received.len() - distinct.len();
    assert!(
        repeats <= landed,
        "{repeats} repeated deliveries for {landed} kills"
    );
    // The hash chains: kills mid-seal left no gap or break. (The checks above signed in, which
    // wrote audit rows after the final run; they are sealed first.)
    let mut seal = Process::start(&["seal"], &env, directory.join("seal.log"));
    seal.wait_success(Duration::from_secs(120)).await;
    let mut verify = Process::start(&["verify-chain"], &env, directory.join("verify.log"));
    verify.wait_success(Duration::from_secs(120)).await;
    assert!(
        verify.output().contains("chain intact"),
        "{}",
        verify.output()
    );
    println!(
        "{issued} invoices numbered without gaps, {sent} e-mails sent ({repeats} repeated after a \
         kill mid-send), aging = ledger AR in {} currencies, hash chains intact",
        currencies.len()
    );
    let _ = std::fs::remove_dir_all(&directory);
}
