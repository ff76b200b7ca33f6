//! Mail to a real SMTP server: aiosmtpd, started by the harness (`cargo xtask test` installs it).

use revops::notifications::mail::{Attachment, OutgoingMail};
use revops::notifications::transport::MailTransport;
use revops_tests::MailServer;
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
    let transport = MailTransport::Smtp {
        host: "127.0.0.1".into(),
        port: server.port(),
    };
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
