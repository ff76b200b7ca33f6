//! The real `revops` binary: migrate, create-user, seed --scale, export-schema, run-daily and
//! serve on port 0 (printing its address), then a sign-in over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

fn revops(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_revops"));
    command
        .env("REVOPS_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env("REVOPS_WEB_DIR", data_dir.join("no-web-app"))
        .env("RUST_LOG", "warn");
    command
}

fn run(data_dir: &Path, args: &[&str]) -> String {
    let output = revops(data_dir)
        .args(args)
        .env("REVOPS_NEW_USER_PASSWORD", "cli password 123")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "revops {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A minimal HTTP/1.1 POST, enough to talk to our own server without an HTTP client crate.
fn post_json(address: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn the_command_line_sets_up_and_serves() {
    // Proves each CLI command works against a fresh SQLite file and that `serve` on port 0 prints a usable address.
    let data_dir = std::env::temp_dir().join(format!("revops-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    assert!(run(&data_dir, &["migrate"]).contains("up to date"));
    assert!(run(
        &data_dir,
        &[
            "create-user",
            "--email",
            "ops@cli.test",
            "--name",
            "Ops",
            "--role",
            "cfo"
        ]
    )
    .contains("created user ops@cli.test"));
    let refused = revops(&data_dir)
        .args([
            "create-user",
            "--email",
            "x@cli.test",
            "--name",
            "X",
            "--role",
            "overlord",
            "--password",
            "long enough pw",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("role"));
    assert!(run(&data_dir, &["seed", "--scale", "3"]).contains("created 3 customers"));
    assert!(run(&data_dir, &["run-daily", "--as-of", "2026-11-30"]).contains("2026-11-30"));
    let schema = data_dir.join("schema.graphql");
    run(
        &data_dir,
        &["export-schema", "--out", schema.to_str().unwrap()],
    );
    assert!(std::fs::read_to_string(&schema)
        .unwrap()
        .contains("type Query"));

    let mut server = revops(&data_dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let address = first_line
        .trim()
        .rsplit("http://")
        .next()
        .unwrap()
        .to_string();
    let login = post_json(
        &address,
        "/graphql",
        r#"{"query":"mutation { login(input: {email: \"ops@cli.test\", password: \"cli password 123\"}) { user { role } } }"}"#,
    );
    server.kill().unwrap();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert!(login.contains("\"role\":\"CFO\""), "{login}");
}
