//! `cargo xtask start`: build the web app and the server, load the demo data into the embedded
//! SQLite database and run the server in the foreground.

use crate::util::{self, run};
use crate::{tools, web};
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::process::Command;
use std::time::Instant;

const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The demo users `revops seed --demo` creates (crates/devtools/src/seed.rs: one user per role, named
/// `<role>@demo.revops`, all with `DEMO_PASSWORD`). LEAD: keep in step with the seed and README.
pub const DEMO_PASSWORD: &str = "revops-demo-2026";
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("cfo@demo.revops", "CFO"),
    ("cro@demo.revops", "CRO"),
    ("vp_revops@demo.revops", "VP Revenue Operations"),
    ("ar_specialist@demo.revops", "AR Specialist"),
    ("ae@demo.revops", "Account Executive"),
    ("admin@demo.revops", "Administrator"),
];

struct Options {
    addr: SocketAddr,
    fresh: bool,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let usage = "usage: cargo xtask start [--addr 127.0.0.1:8080 (or $REVOPS_ADDR)] [--fresh]";
    // The server's own REVOPS_ADDR is the default when set, as for `revops serve`.
    let mut addr = std::env::var("REVOPS_ADDR")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let mut fresh = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--addr" {
            let Some(value) = iter.next() else {
                bail!("--addr needs a value like {DEFAULT_ADDR}; {usage}");
            };
            addr.clone_from(value);
        } else if let Some(value) = arg.strip_prefix("--addr=") {
            value.clone_into(&mut addr);
        } else if arg == "--fresh" {
            fresh = true;
        } else {
            bail!("unknown argument `{arg}`; {usage}");
        }
    }
    let addr = addr
        .parse()
        .with_context(|| format!("--addr `{addr}` is not an IP:port like {DEFAULT_ADDR}"))?;
    Ok(Options { addr, fresh })
}

pub fn main(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    ensure_addr_free(options.addr)?;
    let root = util::repo_root();
    let start = Instant::now();
    tools::ensure_web_tools(&root)?;
    web::build(&root)?;
    run(util::cargo("build")
        .args(["-p", "revops"])
        .current_dir(&root))?;
    let revops = util::target_dir(&root).join("debug").join("revops");

    // The server's own default (crates/platform/src/config.rs): SQLite in REVOPS_DATA_DIR or data/.
    let data = root.join(std::env::var_os("REVOPS_DATA_DIR").unwrap_or_else(|| "data".into()));
    let database = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            println!("note: DATABASE_URL is set, so the app uses it instead of the SQLite file");
            "the database named by DATABASE_URL".to_owned()
        }
        _ => format!("{} (SQLite)", data.join("revops.db").display()),
    };
    if options.fresh && data.exists() {
        println!("--fresh: removing {}", data.display());
        std::fs::remove_dir_all(&data).with_context(|| format!("removing {}", data.display()))?;
    }
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    // Idempotent: loads the demo data only if it is not there yet.
    run(Command::new(&revops)
        .args(["seed", "--demo"])
        .current_dir(&root))?;

    print_banner(options.addr, &database, util::seconds(start));
    let mut serve = Command::new(&revops);
    serve
        .args(["serve", "--addr", &options.addr.to_string()])
        .current_dir(&root);
    exec(serve)
}

/// Fails before the slow build if something (often an earlier `cargo xtask start`) already
/// listens on the address.
fn ensure_addr_free(addr: SocketAddr) -> Result<()> {
    match std::net::TcpListener::bind(addr) {
        Ok(_) => Ok(()),
        Err(error) => bail!(
            "cannot listen on {addr} ({error}); is revops already running there? \
             Stop it or pick another address: cargo xtask start --addr 127.0.0.1:8081"
        ),
    }
}

fn print_banner(addr: SocketAddr, database: &str, seconds: f64) {
    // A wildcard address is not something a browser can open.
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        std::net::IpAddr::V4(ip) => ip.to_string(),
    };
    let line = "=".repeat(72);
    println!();
    println!("{line}");
    println!("  revops is starting (set up in {seconds:.0} s). Open:");
    println!();
    if addr.port() == 0 {
        println!("      the address the server prints below (port 0 picks a free port)");
    } else {
        println!("      http://{host}:{}/", addr.port());
    }
    println!();
    println!("  Demo logins (password for all: {DEMO_PASSWORD}):");
    for (login, role) in DEMO_LOGINS {
        println!("      {login:<28} {role}");
    }
    println!("      (every role has one: <role>@demo.revops, e.g. vp_finance, auditor)");
    println!();
    println!("  Data: {database}");
    println!("  `cargo xtask start --fresh` deletes the data folder and starts over.");
    println!("  Stop with Ctrl-C.");
    println!("{line}");
    println!();
    util::flush();
}

/// Replaces this process with the server so Ctrl-C and the exit code are the server's own.
#[cfg(unix)]
fn exec(mut cmd: Command) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let line = util::display(&cmd);
    println!("$ {line}");
    util::flush();
    let error = cmd.exec();
    Err(error).with_context(|| format!("could not start `{line}`"))
}

#[cfg(not(unix))]
fn exec(mut cmd: Command) -> Result<()> {
    run(&mut cmd)
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    #[test]
    fn start_options_parse_and_validate_the_address() {
        // Proves a bad --addr fails before anything is built.
        let parsed = parse_args(&["--fresh".to_owned(), "--addr=0.0.0.0:9000".to_owned()]);
        assert!(matches!(parsed, Ok(o) if o.fresh && o.addr.port() == 9000));
        assert!(matches!(parse_args(&[]), Ok(o) if !o.fresh && o.addr.port() == 8080));
        assert!(parse_args(&["--addr".to_owned(), "localhost".to_owned()]).is_err());
    }
}
