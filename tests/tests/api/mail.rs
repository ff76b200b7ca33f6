//! Mail to a real SMTP server: aiosmtpd, started by the harness (`cargo xtask test` installs it),
//! plain and as a relay that requires STARTTLS and a login.

use crate::billing::{contract, deal, run, tax_rate};
use revops::notifications::mail::{Attachment, OutgoingMail};
use revops::notifications::transport::MailTransport;
use revops_tests::{MailServer, Role, TestApp, SMTP_PASSWORD, SMTP_USER};
use std::path::PathBuf;
use std::time::Duration;

#[tokio::test]
async fn smtp_client_delivers_to_a_real_server() {
    // Proves the SMTP client and MIME rendering interoperate with a real server: one message
    // arrives with its recipient, its UTF-8 subject, an un-stuffed "." line and the PDF intact.
    let server = MailServer::start().await;
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..5000u32).map(|i| (i * 7 % 256) as u8))
        .collect();
    let mail = OutgoingMail {
        message_id: "outbox-1@revops".into(),
        from: "billing@revops.local".into(),
        to: vec!["ap@example.com".into()],
        subject: "Rechnung INV-2026-0001 für Müller GmbH".into(),
        text_body: "Dear customer,\n.a line starting with a dot\nThank you.\n".into(),
        attachments: vec![Attachment {
            filename: "INV-2026-0001.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf.clone(),
        }],
    };
    let transport = MailTransport::smtp(&server.smtp_url(), None, "billing@revops.local").unwrap();
    let now = "2026-11-27T10:00:00Z".parse().unwrap();
    transport.deliver(&mail, now).await.unwrap();
    let received = server.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1, "{received:#?}");
    let message = &received[0];
    assert_eq!(message.to, "ap@example.com");
    assert_eq!(message.subject, mail.subject);
    assert!(message.raw.contains("\n.a line starting with a dot"));
    assert!(!message.raw.contains("..a line"));
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].0, "INV-2026-0001.pdf");
    assert!(message.attachments[0].1 == pdf, "attachment bytes differ");
}

/// An app that sends through `smtp_url` (trusting `ca_file`), with one invoice issued and its
/// e-mail waiting in the outbox.
async fn app_with_an_invoice_to_mail(smtp_url: String, ca_file: Option<PathBuf>) -> TestApp {
    let app = TestApp::spawn_with(move |config| {
        config.smtp_url = Some(smtp_url);
        config.smtp_ca_file = ca_file;
    })
    .await;
    tax_rate(&app, "US-CA", "7.25").await;
    let customer = app.create_customer("Hooli Inc.", "USD").await;
    contract(&app, deal(&customer, app.user_id(Role::Ae), "OPP-M")).await;
    run(&app, "2026-01-15").await;
    app
}

/// (status, attempts, last error) of every outbox message.
async fn outbox(app: &TestApp) -> Vec<(String, i64, Option<String>)> {
    app.sql_rows("SELECT status, CAST(attempts AS BIGINT), last_error FROM outbox ORDER BY id")
        .await
        .iter()
        .map(|row| {
            (
                row.try_get_by_index(0).unwrap(),
                row.try_get_by_index(1).unwrap(),
                row.try_get_by_index(2).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn invoice_mail_goes_through_a_relay_that_requires_starttls_and_a_login() {
    // Proves a hosted-relay setup works: STARTTLS to a certificate signed by the CA in
    // REVOPS_SMTP_CA_FILE, AUTH with the user and password from REVOPS_SMTP_URL, and the
    // invoice e-mail arrives exactly once with its PDF and our Message-ID.
    let server = MailServer::start_secure().await;
    let url = server.starttls_url(SMTP_USER, SMTP_PASSWORD);
    let app = app_with_an_invoice_to_mail(url, Some(server.ca_file())).await;
    for _ in 0..3 {
        revops::jobs::send_mail(&app.app).await.unwrap();
    }
    let received = server.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.messages().len(), 1, "exactly one e-mail");
    let message = &received[0];
    assert_eq!(message.to, "ap@hooli.example");
    assert!(
        message.subject.contains("INV-2026-000001"),
        "{}",
        message.subject
    );
    assert!(
        message.message_id.starts_with("<outbox-") && message.message_id.ends_with("@revops>"),
        "{}",
        message.message_id
    );
    assert_eq!(message.attachments.len(), 1);
    let (name, pdf) = &message.attachments[0];
    assert_eq!(name, "INV-2026-000001.pdf");
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let outbox = outbox(&app).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].0.as_str(), outbox[0].1), ("sent", 1));
    assert!(server.log().contains("accepted"), "{}", server.log());
}

#[tokio::test]
async fn a_wrong_password_fails_visibly_and_is_not_retried() {
    // Proves a refused login (535) delivers nothing, marks the message failed with the relay's
    // answer after one attempt, and later passes leave it alone.
    let server = MailServer::start_secure().await;
    let url = server.starttls_url(SMTP_USER, "not the password");
    let app = app_with_an_invoice_to_mail(url, Some(server.ca_file())).await;
    let report = revops::jobs::send_mail(&app.app).await.unwrap();
    assert_eq!((report.sent, report.retried, report.failed), (0, 0, 1));
    app.travel_to("2026-12-27T10:00:00Z".parse().unwrap()).await;
    let later = revops::jobs::send_mail(&app.app).await.unwrap();
    assert_eq!((later.sent, later.retried, later.failed), (0, 0, 0));
    let outbox = outbox(&app).await;
    assert_eq!(outbox.len(), 1);
    let (status, attempts, error) = &outbox[0];
    assert_eq!((status.as_str(), *attempts), ("failed", 1));
    let error = error.as_deref().unwrap_or_default();
    assert!(error.contains("535"), "{error}");
    assert!(!error.contains("not the password"), "{error}");
    assert!(server.log().contains("refused"), "{}", server.log());
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn plain_smtp_to_a_relay_that_requires_starttls_is_refused() {
    // Proves plain smtp:// cannot slip past a relay that demands STARTTLS: its 530 fails the
    // message for good, and nothing is delivered.
    let server = MailServer::start_secure().await;
    let app = app_with_an_invoice_to_mail(server.smtp_url(), None).await;
    let report = revops::jobs::send_mail(&app.app).await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    let outbox = outbox(&app).await;
    let (status, _, error) = &outbox[0];
    assert_eq!(status, "failed");
    let error = error.as_deref().unwrap_or_default();
    assert!(
        error.contains("530") && error.contains("STARTTLS"),
        "{error}"
    );
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn a_relay_certificate_we_do_not_trust_is_not_sent_to() {
    // Proves the certificate is checked: without the CA file the TLS handshake fails, nothing
    // (and no password) is sent, and the message waits for a retry once the setup is fixed.
    let server = MailServer::start_secure().await;
    let url = server.starttls_url(SMTP_USER, SMTP_PASSWORD);
    let app = app_with_an_invoice_to_mail(url, None).await;
    let report = revops::jobs::send_mail(&app.app).await.unwrap();
    assert_eq!((report.sent, report.retried), (0, 1));
    let outbox = outbox(&app).await;
    let (status, attempts, error) = &outbox[0];
    assert_eq!((status.as_str(), *attempts), ("pending", 1));
    let error = error.as_deref().unwrap_or_default();
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    assert!(!server.log().contains("AUTH"), "{}", server.log());
    assert!(server.messages().is_empty());
}
