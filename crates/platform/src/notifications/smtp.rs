//! A minimal SMTP client (RFC 5321) over plain TCP: one message per connection, no TLS and no
//! authentication, for a relay on a trusted network or a test server.

use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};
use tokio::net::TcpStream;

/// One reply line longer than this is a broken or hostile server (RFC 5321 allows 512).
const REPLY_LINE_BYTES_MAX: u64 = 4096;
/// A multi-line reply with more lines than this is treated the same way.
const REPLY_LINES_MAX: usize = 200;

/// The step of the dialogue an error happened in, for logs and for the outbox's last error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpStage {
    Connect,
    Greeting,
    Ehlo,
    Helo,
    MailFrom,
    RcptTo,
    Data,
    /// Sending the message and waiting for the reply to the final `.`.
    Message,
    Quit,
}

impl fmt::Display for SmtpStage {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            SmtpStage::Connect => "connect",
            SmtpStage::Greeting => "greeting",
            SmtpStage::Ehlo => "EHLO",
            SmtpStage::Helo => "HELO",
            SmtpStage::MailFrom => "MAIL FROM",
            SmtpStage::RcptTo => "RCPT TO",
            SmtpStage::Data => "DATA",
            SmtpStage::Message => "message",
            SmtpStage::Quit => "QUIT",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("could not connect to the SMTP server: {0}")]
    Connect(#[source] std::io::Error),
    #[error("the SMTP server did not answer in time (at {stage})")]
    Timeout { stage: SmtpStage },
    #[error("the SMTP server refused {stage}: {code} {text}")]
    Rejected {
        stage: SmtpStage,
        code: u16,
        text: String,
    },
    #[error("the SMTP connection failed: {0}")]
    Io(#[from] std::io::Error),
    /// Refused before connecting: it could inject SMTP commands.
    #[error("cannot send: {0}")]
    InvalidEnvelope(String),
}

impl SmtpError {
    /// Whether trying again later may succeed: 4xx replies and network trouble, not 5xx.
    pub fn retryable(&self) -> bool {
        match self {
            SmtpError::Connect(_) | SmtpError::Timeout { .. } | SmtpError::Io(_) => true,
            SmtpError::Rejected { code, .. } => (400..500).contains(code),
            SmtpError::InvalidEnvelope(_) => false,
        }
    }
}

/// Sends one rendered message to every recipient. `timeout` bounds each step (connect, each
/// reply, sending the message), not the whole dialogue. Any refused recipient fails the send.
pub async fn send(
    host: &str,
    port: u16,
    helo_name: &str,
    envelope_from: &str,
    recipients: &[String],
    rendered: &str,
    timeout: Duration,
) -> Result<(), SmtpError> {
    check_envelope(helo_name, envelope_from, recipients)?;
    let connect = TcpStream::connect((host, port));
    let stream = match tokio::time::timeout(timeout, connect).await {
        Ok(result) => result.map_err(SmtpError::Connect)?,
        Err(_) => {
            return Err(SmtpError::Timeout {
                stage: SmtpStage::Connect,
            })
        }
    };
    let mut session = Session {
        stream: BufStream::new(stream),
        timeout,
    };
    let result = session
        .transact(helo_name, envelope_from, recipients, rendered)
        .await;
    // After the server accepted the message a failed QUIT changes nothing; after a refusal it
    // is good manners. After a network error the connection is not worth talking to.
    if matches!(result, Ok(()) | Err(SmtpError::Rejected { .. })) {
        let _ = session.command(SmtpStage::Quit, "QUIT").await;
    }
    result
}

/// Envelope values go into command lines verbatim, so anything that could end a line is refused.
fn check_envelope(helo_name: &str, from: &str, recipients: &[String]) -> Result<(), SmtpError> {
    if recipients.is_empty() {
        return Err(SmtpError::InvalidEnvelope("no recipient".into()));
    }
    let plain = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic());
    let addresses = std::iter::once(from).chain(recipients.iter().map(String::as_str));
    for value in std::iter::once(helo_name).chain(addresses) {
        if !plain(value) || value.contains(['<', '>']) {
            return Err(SmtpError::InvalidEnvelope(format!(
                "\"{}\" is not a plain SMTP name or address",
                value.escape_debug()
            )));
        }
    }
    Ok(())
}

/// A reply: its code and its text lines joined with spaces.
#[derive(Debug)]
struct Reply {
    code: u16,
    text: String,
}

struct Session {
    stream: BufStream<TcpStream>,
    timeout: Duration,
}

impl Session {
    async fn transact(
        &mut self,
        helo_name: &str,
        from: &str,
        recipients: &[String],
        rendered: &str,
    ) -> Result<(), SmtpError> {
        let greeting = self.read_reply(SmtpStage::Greeting).await?;
        expect(SmtpStage::Greeting, greeting, 2)?;
        self.greet(helo_name).await?;
        self.expect(SmtpStage::MailFrom, &format!("MAIL FROM:<{from}>"), 2)
            .await?;
        for recipient in recipients {
            self.expect(SmtpStage::RcptTo, &format!("RCPT TO:<{recipient}>"), 2)
                .await?;
        }
        self.expect(SmtpStage::Data, "DATA", 3).await?;
        self.write(SmtpStage::Message, data_payload(rendered).as_bytes())
            .await?;
        let reply = self.read_reply(SmtpStage::Message).await?;
        expect(SmtpStage::Message, reply, 2).map(drop)
    }

    /// EHLO, or HELO when the server does not know EHLO (a 5xx reply).
    async fn greet(&mut self, helo_name: &str) -> Result<(), SmtpError> {
        let reply = self
            .command(SmtpStage::Ehlo, &format!("EHLO {helo_name}"))
            .await?;
        match reply.code / 100 {
            2 => Ok(()),
            5 => self
                .expect(SmtpStage::Helo, &format!("HELO {helo_name}"), 2)
                .await
                .map(drop),
            _ => expect(SmtpStage::Ehlo, reply, 2).map(drop),
        }
    }

    async fn expect(
        &mut self,
        stage: SmtpStage,
        line: &str,
        class: u16,
    ) -> Result<Reply, SmtpError> {
        let reply = self.command(stage, line).await?;
        expect(stage, reply, class)
    }

    async fn command(&mut self, stage: SmtpStage, line: &str) -> Result<Reply, SmtpError> {
        self.write(stage, format!("{line}\r\n").as_bytes()).await?;
        self.read_reply(stage).await
    }

    async fn write(&mut self, stage: SmtpStage, bytes: &[u8]) -> Result<(), SmtpError> {
        let stream = &mut self.stream;
        within(self.timeout, stage, async move {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await
    }

    async fn read_reply(&mut self, stage: SmtpStage) -> Result<Reply, SmtpError> {
        within(self.timeout, stage, read_reply(&mut self.stream)).await
    }
}

fn expect(stage: SmtpStage, reply: Reply, class: u16) -> Result<Reply, SmtpError> {
    if reply.code / 100 == class {
        return Ok(reply);
    }
    Err(SmtpError::Rejected {
        stage,
        code: reply.code,
        text: reply.text,
    })
}

async fn within<T>(
    timeout: Duration,
    stage: SmtpStage,
    work: impl Future<Output = std::io::Result<T>>,
) -> Result<T, SmtpError> {
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(SmtpError::Timeout { stage }),
    }
}

/// Reads `250-first`, `250-second`, `250 last` as one reply.
async fn read_reply(stream: &mut BufStream<TcpStream>) -> std::io::Result<Reply> {
    let mut texts = Vec::new();
    for _ in 0..REPLY_LINES_MAX {
        let mut line = Vec::new();
        let read = (&mut *stream)
            .take(REPLY_LINE_BYTES_MAX)
            .read_until(b'\n', &mut line)
            .await?;
        if read == 0 {
            return Err(invalid(
                std::io::ErrorKind::UnexpectedEof,
                "server closed the connection",
            ));
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        let code = line
            .get(..3)
            .and_then(|digits| digits.parse::<u16>().ok())
            .filter(|code| (200..600).contains(code))
            .ok_or_else(|| invalid(std::io::ErrorKind::InvalidData, line))?;
        texts.push(line.get(4..).unwrap_or("").to_owned());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(Reply {
                code,
                text: texts.join(" "),
            });
        }
    }
    Err(invalid(
        std::io::ErrorKind::InvalidData,
        "endless multi-line reply",
    ))
}

fn invalid(kind: std::io::ErrorKind, what: &str) -> std::io::Error {
    std::io::Error::new(kind, format!("bad SMTP reply: {what}"))
}

/// The DATA section: CRLF line endings, a `.` doubled at the start of any line (RFC 5321
/// §4.5.2) and the closing `.` line.
fn data_payload(rendered: &str) -> String {
    let normalised = rendered.replace("\r\n", "\n").replace('\r', "\n");
    let body = normalised.strip_suffix('\n').unwrap_or(&normalised);
    let mut out = String::with_capacity(body.len() + body.len() / 32 + 8);
    for line in body.split('\n') {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// The replies a fake server gives where tests differ.
    struct Script {
        ehlo: &'static str,
        rcpt: &'static str,
    }

    const FRIENDLY: Script = Script {
        ehlo: "250-fake.test greets you\r\n250-SIZE 10000000\r\n250 8BITMIME\r\n",
        rcpt: "250 2.1.5 ok\r\n",
    };

    /// What the fake server saw: every command line and the raw DATA section.
    #[derive(Debug, Default)]
    struct Dialogue {
        commands: Vec<String>,
        data: String,
    }

    /// A one-connection SMTP server on 127.0.0.1 that records the dialogue.
    async fn fake_server(script: Script) -> (u16, tokio::task::JoinHandle<Dialogue>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read);
            let mut dialogue = Dialogue::default();
            write.write_all(b"220 fake.test ESMTP\r\n").await.unwrap();
            loop {
                let mut line = String::new();
                if lines.read_line(&mut line).await.unwrap() == 0 {
                    break;
                }
                let command = line.trim_end().to_owned();
                let verb = command.get(..4).unwrap_or("").to_ascii_uppercase();
                dialogue.commands.push(command);
                let reply = match verb.as_str() {
                    "EHLO" => script.ehlo,
                    "HELO" => "250 fake.test\r\n",
                    "MAIL" => "250 2.1.0 ok\r\n",
                    "RCPT" => script.rcpt,
                    "DATA" => {
                        write.write_all(b"354 end with .\r\n").await.unwrap();
                        dialogue.data = read_data(&mut lines).await;
                        "250 2.0.0 queued as 1\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => "500 what?\r\n",
                };
                write.write_all(reply.as_bytes()).await.unwrap();
            }
            dialogue
        });
        (port, handle)
    }

    async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
        let mut data = String::new();
        loop {
            let mut line = String::new();
            assert!(lines.read_line(&mut line).await.unwrap() > 0, "EOF in DATA");
            data.push_str(&line);
            if line == ".\r\n" {
                return data;
            }
        }
    }

    async fn send_to(port: u16, recipients: &[&str], rendered: &str) -> Result<(), SmtpError> {
        let recipients: Vec<String> = recipients.iter().map(|r| r.to_string()).collect();
        let timeout = Duration::from_secs(5);
        send(
            "127.0.0.1",
            port,
            "revops.test",
            "billing@revops.local",
            &recipients,
            rendered,
            timeout,
        )
        .await
    }

    #[tokio::test]
    async fn delivers_with_dot_stuffing_and_crlf_lines() {
        // Proves the whole dialogue, multi-line EHLO replies, CRLF normalisation and dot-stuffing.
        let (port, server) = fake_server(FRIENDLY).await;
        let rendered = "Subject: hi\r\n\r\nHello\n.hidden line\r\n..\rlast";
        send_to(port, &["a@x.test", "b@x.test"], rendered)
            .await
            .unwrap();
        let dialogue = server.await.unwrap();
        assert_eq!(
            dialogue.commands,
            [
                "EHLO revops.test",
                "MAIL FROM:<billing@revops.local>",
                "RCPT TO:<a@x.test>",
                "RCPT TO:<b@x.test>",
                "DATA",
                "QUIT",
            ]
        );
        assert_eq!(
            dialogue.data,
            "Subject: hi\r\n\r\nHello\r\n..hidden line\r\n...\r\nlast\r\n.\r\n"
        );
    }

    #[tokio::test]
    async fn falls_back_to_helo_when_ehlo_is_unknown() {
        // Proves an old server that answers EHLO with 502 still gets the message via HELO.
        let script = Script {
            ehlo: "502 5.5.2 command not recognised\r\n",
            ..FRIENDLY
        };
        let (port, server) = fake_server(script).await;
        send_to(port, &["a@x.test"], "body\r\n").await.unwrap();
        let commands = server.await.unwrap().commands;
        assert_eq!(commands[..2], ["EHLO revops.test", "HELO revops.test"]);
        assert_eq!(commands.last().map(String::as_str), Some("QUIT"));
    }

    #[tokio::test]
    async fn a_550_is_permanent_and_a_451_is_retryable() {
        // Proves 5xx rejections are not retried, 4xx ones are, and no DATA follows a refusal.
        for (rcpt, code, retryable) in [
            ("550 5.1.1 no such user\r\n", 550, false),
            ("451 4.3.0 try again later\r\n", 451, true),
        ] {
            let (port, server) = fake_server(Script { rcpt, ..FRIENDLY }).await;
            let error = send_to(port, &["nobody@x.test"], "body").await.unwrap_err();
            assert!(
                matches!(&error, SmtpError::Rejected { stage: SmtpStage::RcptTo, code: c, text }
                    if *c == code && text.contains(rcpt[4..].trim_end())),
                "{error:?}"
            );
            assert_eq!(error.retryable(), retryable);
            let commands = server.await.unwrap().commands;
            assert!(!commands.iter().any(|command| command == "DATA"));
            assert_eq!(commands.last().map(String::as_str), Some("QUIT"));
        }
    }

    #[tokio::test]
    async fn network_trouble_is_retryable() {
        // Proves a refused connection and a silent server are reported as retryable.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let timeout = Duration::from_millis(200);
        let to = ["a@x.test".to_string()];
        let silent = send(
            "127.0.0.1",
            port,
            "revops.test",
            "b@r.test",
            &to,
            "body",
            timeout,
        )
        .await;
        assert!(matches!(
            silent,
            Err(SmtpError::Timeout {
                stage: SmtpStage::Greeting
            })
        ));
        assert!(silent.unwrap_err().retryable());
        drop(listener);
        let refused = send(
            "127.0.0.1",
            port,
            "revops.test",
            "b@r.test",
            &to,
            "body",
            timeout,
        )
        .await;
        assert!(matches!(refused, Err(SmtpError::Connect(_))), "{refused:?}");
        assert!(refused.unwrap_err().retryable());
    }

    #[tokio::test]
    async fn envelope_values_that_could_inject_commands_are_refused() {
        // Proves a CR/LF in an address never reaches the wire, and such an error is permanent.
        for recipients in [
            &["a@x.test\r\nRCPT TO:<evil@x.test>"][..],
            &["<a@x.test>"],
            &[],
        ] {
            let error = send_to(9, recipients, "body").await.unwrap_err();
            assert!(matches!(error, SmtpError::InvalidEnvelope(_)), "{error:?}");
            assert!(!error.retryable());
        }
    }
}
