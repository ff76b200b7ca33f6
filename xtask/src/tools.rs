//! Installs what the build and the tests need, checking versions first so a warm run installs
//! nothing.

use crate::util::{self, first_line, probe, run};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Must equal the `wasm-bindgen` library version in Cargo.lock exactly (checked before each web
/// build by `check_wasm_bindgen_pin`).
const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// npm's binaryen; Debian's (wasm-opt 108) produces a blank page.
pub const BINARYEN_VERSION: &str = "132.0.0";
const BINARYEN_MAJOR: &str = "132";
/// axe-core, the accessibility checker the browser tests run on every page.
const AXE_CORE_VERSION: &str = "4.10.3";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432";
/// The SMTP server the mail tests start (`tests/src/lib.rs`), with its dependencies pinned too.
pub const AIOSMTPD_VERSION: &str = "1.4.6";
const AIOSMTPD_DEPENDENCIES: [&str; 2] = ["atpublic==9.0.0", "attrs==26.1.0"];
/// Commands the tests run, with the Debian package of each: `openssl` makes the certificates of
/// the mail tests' STARTTLS server, `pdftotext` reads back the text of rendered PDFs.
const TEST_COMMANDS: [(&str, &str); 2] = [("openssl", "openssl"), ("pdftotext", "poppler-utils")];
/// Commands the web build runs: `gzip` and `brotli` write the precompressed copies of the
/// bundle's files that the server sends to browsers that accept them.
const WEB_COMMANDS: [(&str, &str); 2] = [("gzip", "gzip"), ("brotli", "brotli")];

/// wasm-bindgen-cli is a build tool, not shipped: building it without fat LTO roughly halves its
/// install time.
const FAST_INSTALL_ENV: [(&str, &str); 3] = [
    ("CARGO_PROFILE_RELEASE_LTO", "off"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
];

pub fn ensure_wasm_target() -> Result<()> {
    let installed = probe(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("`rustup target list --installed` failed: is rustup on PATH?")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("ok rust target {WASM_TARGET} (already installed)");
        return Ok(());
    }
    println!("installing rust target {WASM_TARGET} …");
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// Everything the web build (`web::build`) needs: the wasm target, wasm-bindgen, wasm-opt, gzip
/// and brotli.
pub fn ensure_web_tools(root: &Path) -> Result<()> {
    ensure_wasm_target()?;
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        // Its own lockfile names a crate version the registry lacks.
        false,
    )?;
    ensure_node_tools(root)?;
    ensure_commands(&WEB_COMMANDS)
}

/// Installs `crate_name` at `version` with `cargo install` unless `binary --version` already
/// names that version.
fn ensure_cargo_tool(binary: &str, crate_name: &str, version: &str, locked: bool) -> Result<()> {
    let found = probe(Command::new(binary).arg("--version"));
    if let Some(text) = &found {
        if has_word(text, version) {
            println!("ok {binary} {version} (already installed)");
            return Ok(());
        }
    }
    let was = found.as_deref().map(first_line).unwrap_or("not installed");
    println!("installing {binary} {version} (found: {was}); this takes a few minutes on 2 cores …");
    let mut cmd = Command::new("cargo");
    cmd.envs(FAST_INSTALL_ENV)
        .args(["install", crate_name, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)?;
    match probe(Command::new(binary).arg("--version")) {
        Some(text) if has_word(&text, version) => {
            println!("ok {binary} {version} (installed)");
            Ok(())
        }
        other => bail!(
            "installed {crate_name} {version}, but `{binary} --version` now says {:?}; \
             is {} on PATH before another {binary}?",
            other.as_deref().map(first_line).unwrap_or("nothing"),
            util::cargo_home().join("bin").display()
        ),
    }
}

/// Whether `text` names exactly `version` (`0.21.1` is not `0.21.14`; a leading `v` is allowed).
fn has_word(text: &str, version: &str) -> bool {
    text.split_whitespace()
        .map(|token| token.trim_matches(|c: char| matches!(c, '(' | ')' | ',')))
        .any(|token| token.strip_prefix('v').unwrap_or(token) == version)
}

fn wasm_opt_version(root: &Path) -> Option<String> {
    probe(Command::new(util::node_tools_bin(root).join("wasm-opt")).arg("--version"))
}

/// `wasm-opt --version` prints e.g. `wasm-opt version 132 (version_132)`.
fn is_wanted_wasm_opt(text: &str) -> bool {
    text.split_whitespace().any(|word| word == BINARYEN_MAJOR)
}

/// The axe-core version installed in `.tools/`, read from its package.json.
fn axe_core_version(root: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(util::axe_core_dir(root).join("package.json")).ok()?;
    // The first `"version": "…"` of the manifest (its own; dependencies come later).
    let after = manifest.split("\"version\"").nth(1)?;
    let value = after.split('"').nth(1)?;
    Some(value.to_string())
}

/// npm's binaryen (wasm-opt) and axe-core in `.tools/`, installed together: npm removes from a
/// prefix whatever the install command does not name, so one command pins both.
fn ensure_node_tools(root: &Path) -> Result<()> {
    let found = wasm_opt_version(root);
    let axe = axe_core_version(root);
    let wasm_opt_ok = found.as_deref().is_some_and(is_wanted_wasm_opt);
    let axe_ok = axe.as_deref() == Some(AXE_CORE_VERSION);
    if wasm_opt_ok && axe_ok {
        println!(
            "ok wasm-opt {BINARYEN_MAJOR} and axe-core {AXE_CORE_VERSION} (already installed in .tools/)"
        );
        return Ok(());
    }
    if util::which("npm").is_none() {
        println!("npm is missing; installing Debian's nodejs and npm …");
        apt_install(&["nodejs", "npm"])?;
    }
    let was = found.as_deref().map(first_line).unwrap_or("not installed");
    println!(
        "installing binaryen {BINARYEN_VERSION} (wasm-opt; found: {was}) and axe-core {AXE_CORE_VERSION} (found: {}) into .tools/ …",
        axe.as_deref().unwrap_or("not installed")
    );
    let prefix = root.join(".tools");
    std::fs::create_dir_all(&prefix).with_context(|| format!("creating {}", prefix.display()))?;
    run(Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&prefix)
        .args(["--no-audit", "--no-fund", "--no-save"])
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .arg(format!("axe-core@{AXE_CORE_VERSION}")))?;
    match (wasm_opt_version(root), axe_core_version(root)) {
        (Some(text), Some(axe)) if is_wanted_wasm_opt(&text) && axe == AXE_CORE_VERSION => {
            println!("ok wasm-opt {BINARYEN_MAJOR} and axe-core {AXE_CORE_VERSION} (installed in .tools/)");
            Ok(())
        }
        (wasm_opt, axe) => bail!(
            "installed binaryen {BINARYEN_VERSION} and axe-core {AXE_CORE_VERSION}, but wasm-opt --version says {:?} and axe-core's package.json {:?}",
            wasm_opt.as_deref().map(first_line).unwrap_or("nothing"),
            axe.as_deref().unwrap_or("nothing")
        ),
    }
}

/// Debian's Chromium and ChromeDriver for the browser tests.
pub fn ensure_browser() -> Result<()> {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        let version = probe(Command::new(CHROMIUM).arg("--version"));
        let version = version.as_deref().map(first_line).unwrap_or("chromium");
        println!("ok {version} and chromedriver (already installed)");
        return Ok(());
    }
    println!(
        "installing chromium and chromium-driver (missing: {}) …",
        missing.join(", ")
    );
    apt_install(&["chromium", "chromium-driver"])?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            bail!("apt-get installed chromium and chromium-driver, but {path} is still missing");
        }
    }
    println!("ok chromium and chromedriver (installed)");
    Ok(())
}

/// aiosmtpd in a virtualenv at `.tools/python`, for the tests that send mail to a real server,
/// and the commands those tests and the PDF tests run (`ensure_test_commands`).
pub fn ensure_mail_server(root: &Path) -> Result<()> {
    ensure_test_commands()?;
    let python = util::python_tools_bin(root).join("python");
    let found = aiosmtpd_version(&python);
    if found
        .as_deref()
        .is_some_and(|text| has_word(text, AIOSMTPD_VERSION))
    {
        println!("ok aiosmtpd {AIOSMTPD_VERSION} (already installed in .tools/python)");
        return Ok(());
    }
    let was = found.as_deref().map(first_line).unwrap_or("not installed");
    println!("installing aiosmtpd {AIOSMTPD_VERSION} into .tools/python (found: {was}) …");
    ensure_venv(root, &python)?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
        ])
        .arg(format!("aiosmtpd=={AIOSMTPD_VERSION}"))
        .args(AIOSMTPD_DEPENDENCIES))?;
    match aiosmtpd_version(&python) {
        Some(text) if has_word(&text, AIOSMTPD_VERSION) => {
            println!("ok aiosmtpd {AIOSMTPD_VERSION} (installed in .tools/python)");
            Ok(())
        }
        other => bail!(
            "installed aiosmtpd {AIOSMTPD_VERSION}, but `{} -m aiosmtpd --version` says {:?}",
            python.display(),
            other.as_deref().map(first_line).unwrap_or("nothing")
        ),
    }
}

/// mold, the linker `.cargo/mold-gcc` uses when it is on PATH: it links the test and server binaries
/// in a fraction of the system linker's time. Without it (no root, no package) builds still work
/// through the system linker, so a failed install is a warning, not an error.
pub fn ensure_linker() {
    if util::which("mold").is_some() {
        return;
    }
    println!("installing mold (the fast linker .cargo/mold-gcc uses) …");
    if let Err(error) = apt_install(&["mold"]) {
        println!("warning: mold is not installed ({error:#}); linking with the system linker");
    }
}

/// Debian's `openssl` and `poppler-utils` (for `pdftotext`), installed only when a command is
/// missing.
pub fn ensure_test_commands() -> Result<()> {
    ensure_commands(&TEST_COMMANDS)
}

/// Installs the Debian package of every command in `commands` (command, package) that is not on
/// PATH, in one `apt-get install`.
fn ensure_commands(commands: &[(&str, &str)]) -> Result<()> {
    let names = commands
        .iter()
        .map(|(command, _)| *command)
        .collect::<Vec<_>>()
        .join(" and ");
    let missing: Vec<&str> = commands
        .iter()
        .filter(|(command, _)| util::which(command).is_none())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        println!("ok {names} (already installed)");
        return Ok(());
    }
    println!("installing {} …", missing.join(" "));
    apt_install(&missing)?;
    for (command, package) in commands {
        if util::which(command).is_none() {
            bail!("apt-get installed {package}, but `{command}` is still missing");
        }
    }
    println!("ok {names} (installed)");
    Ok(())
}

/// `python -m aiosmtpd --version` prints e.g. `aiosmtpd 1.4.6`.
fn aiosmtpd_version(python: &Path) -> Option<String> {
    probe(Command::new(python).args(["-m", "aiosmtpd", "--version"]))
}

/// A working virtualenv at `.tools/python`, made (again) with `python3 -m venv --clear` when its
/// interpreter does not run. Debian's python3 needs `python3-venv` for that.
fn ensure_venv(root: &Path, python: &Path) -> Result<()> {
    if probe(Command::new(python).args(["-c", "import pip"])).is_some() {
        return Ok(());
    }
    if util::which("python3").is_none() {
        println!("python3 is missing; installing Debian's python3 and python3-venv …");
        apt_install(&["python3", "python3-venv"])?;
    }
    let venv = root.join(".tools").join("python");
    let mut create = Command::new("python3");
    create.args(["-m", "venv", "--clear"]).arg(&venv);
    if run(&mut create).is_err() {
        println!("python3 cannot make a virtualenv; installing Debian's python3-venv …");
        apt_install(&["python3-venv"])?;
        run(&mut create)?;
    }
    Ok(())
}

/// `apt-get update` and `apt-get install -y`, as root or through sudo.
fn apt_install(packages: &[&str]) -> Result<()> {
    let sudo = if util::is_root() {
        false
    } else if util::which("sudo").is_some() {
        true
    } else {
        bail!(
            "need Debian packages {} but this is not root and there is no sudo; \
             install them with: apt-get update && apt-get install -y {}",
            packages.join(" "),
            packages.join(" ")
        );
    };
    let apt = |args: &[&str]| -> Command {
        let mut cmd = if sudo {
            let mut cmd = Command::new("sudo");
            cmd.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            cmd
        } else {
            let mut cmd = Command::new("apt-get");
            cmd.env("DEBIAN_FRONTEND", "noninteractive");
            cmd
        };
        // Wait for another apt (say, a background install) instead of failing on its lock.
        cmd.args(["-o", "DPkg::Lock::Timeout=600"]).args(args);
        cmd
    };
    run(&mut apt(&["update"]))?;
    // With recommends, as measured: Chromium's recommended fonts keep pages laid out as users see them.
    let mut install = apt(&["install", "-y"]);
    install.args(packages);
    run(&mut install)
}

/// The PostgreSQL the API tests use, started if it is local and stopped. Never skipped: a
/// PostgreSQL that cannot be reached fails the run.
pub fn ensure_postgres() -> Result<()> {
    let url = std::env::var("REVOPS_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let (host, port) = pg_host_port(&url);
    if pg_ready(&host, port) {
        println!("ok postgresql at {host}:{port} (accepting connections)");
        return Ok(());
    }
    if !matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") {
        bail!("PostgreSQL at {host}:{port} (from REVOPS_TEST_PG_URL) is not accepting connections");
    }
    println!("postgresql at {host}:{port} is not ready; starting the local cluster …");
    for version in pg_cluster_versions()? {
        let mut cmd = Command::new("pg_ctlcluster");
        cmd.args(["--skip-systemctl-redirect", &version, "main", "start"]);
        // "already running" also exits non-zero; readiness below is what counts.
        if let Err(error) = run(&mut cmd) {
            println!("  ({error:#})");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if pg_ready(&host, port) {
            println!("ok postgresql at {host}:{port} (started)");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    bail!(
        "PostgreSQL at {host}:{port} did not become ready within 60 s. The PostgreSQL tests are \
         part of the suite and are not skipped. Start it with \
         `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
         and see /var/log/postgresql/"
    )
}

fn pg_cluster_versions() -> Result<Vec<String>> {
    let dir = Path::new("/etc/postgresql");
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "PostgreSQL is not installed here ({} is missing); the PostgreSQL tests need a server \
             at {DEFAULT_PG_URL} with trust authentication, or set REVOPS_TEST_PG_URL",
            dir.display()
        )
    })?;
    let mut versions: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("main").is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    if versions.is_empty() {
        bail!("no PostgreSQL cluster named main under {}", dir.display());
    }
    Ok(versions)
}

fn pg_ready(host: &str, port: u16) -> bool {
    if util::which("pg_isready").is_some() {
        return probe(Command::new("pg_isready").args(["-h", host, "-p", &port.to_string()]))
            .is_some();
    }
    use std::net::ToSocketAddrs;
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return false;
    };
    addrs
        .into_iter()
        .any(|addr| std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok())
}

/// Host and port of a `postgres://user:pw@host:port/db?…` URL (port 5432 when absent).
fn pg_host_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if let Some(inner) = host_port.strip_prefix('[') {
        let (host, after) = inner.split_once(']').unwrap_or((inner, ""));
        (host, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    let port = port.and_then(|port| port.parse().ok()).unwrap_or(5432);
    (host.to_owned(), port)
}

/// The `wasm-bindgen` library version Cargo.lock resolved, if any.
fn locked_wasm_bindgen(root: &Path) -> Option<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).ok()?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            let version = lines.next()?.trim();
            return Some(
                version
                    .strip_prefix("version = \"")?
                    .trim_end_matches('"')
                    .to_owned(),
            );
        }
    }
    None
}

/// Fails when Cargo.lock's `wasm-bindgen` library differs from the CLI we install: the JS glue
/// the CLI writes only works with the exact library version the module was built with.
pub fn check_wasm_bindgen_pin(root: &Path) -> Result<()> {
    match locked_wasm_bindgen(root) {
        Some(locked) if locked != WASM_BINDGEN_VERSION => bail!(
            "Cargo.lock has wasm-bindgen {locked} but the CLI is {WASM_BINDGEN_VERSION}; they must \
             be equal: pin `wasm-bindgen = \"={WASM_BINDGEN_VERSION}\"` in frontend/Cargo.toml, or \
             change WASM_BINDGEN_VERSION in xtask/src/tools.rs"
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{has_word, is_wanted_wasm_opt, locked_wasm_bindgen, pg_host_port};

    #[test]
    fn reads_the_wasm_bindgen_pin_from_cargo_lock() -> std::io::Result<()> {
        // Proves the CLI/library mismatch check reads Cargo.lock the way cargo writes it.
        let root = std::env::temp_dir().join(format!("xtask-pins-{}", std::process::id()));
        std::fs::create_dir_all(&root)?;
        assert_eq!(locked_wasm_bindgen(&root), None);
        assert!(super::check_wasm_bindgen_pin(&root).is_ok());
        std::fs::write(
            root.join("Cargo.lock"),
            "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.131\"\n",
        )?;
        assert_eq!(locked_wasm_bindgen(&root).as_deref(), Some("0.2.131"));
        assert!(super::check_wasm_bindgen_pin(&root).is_err());
        std::fs::remove_dir_all(&root)
    }

    #[test]
    fn reads_host_and_port_from_postgres_urls() {
        // Proves ensure_postgres checks the server the tests will actually use.
        assert_eq!(
            pg_host_port("postgres://postgres@127.0.0.1:5432"),
            ("127.0.0.1".to_owned(), 5432)
        );
        assert_eq!(
            pg_host_port("postgresql://u:p@db.local/test?sslmode=disable"),
            ("db.local".to_owned(), 5432)
        );
        assert_eq!(
            pg_host_port("postgres://u@[::1]:6543/x"),
            ("::1".to_owned(), 6543)
        );
    }

    #[test]
    fn matches_tool_versions_exactly() {
        // Proves a near version (0.21.1 vs 0.21.14) is not taken for the pinned one.
        assert!(has_word("tool 0.21.14", "0.21.14"));
        assert!(!has_word("tool 0.21.1", "0.21.14"));
        assert!(has_word("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(has_word("tool v0.2.130 (abc)", "0.2.130"));
        assert!(is_wanted_wasm_opt("wasm-opt version 132 (version_132)"));
        assert!(!is_wanted_wasm_opt("wasm-opt version 108"));
    }
}
