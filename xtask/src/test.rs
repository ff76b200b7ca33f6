//! `cargo xtask test`: every check and test in order, each step timed, with a summary table
//! and a closing `N passed, M failed` line that CI reads.

use crate::util::{self, run_tee, Counts};
use crate::{tools, web};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The steps in the order they run: name and what it does.
pub const STEPS: [(&str, &str); 8] = [
    (
        "tools",
        "install/check wasm-bindgen, wasm-opt, axe-core, chromium, aiosmtpd; start PostgreSQL",
    ),
    ("fmt", "cargo fmt --all -- --check"),
    (
        "build",
        "compile every host crate and test once, linted by clippy (-D warnings)",
    ),
    (
        "web",
        "build the web app into dist/, its wasm32 code linted by clippy (cargo, wasm-bindgen, wasm-opt)",
    ),
    (
        "unit",
        "unit, property and schema-drift tests of backend, migration, web app helpers and xtask",
    ),
    ("api-sqlite", "API tests against SQLite"),
    ("api-postgres", "API tests against PostgreSQL"),
    (
        "browser",
        "browser tests in headless Chromium (in a full run, started beside the API steps)",
    ),
];

/// What has already been set up in this run, so `--only` steps set up just what they need and a
/// full run checks each thing once.
struct Ready {
    root: PathBuf,
    web_tools: bool,
    browser: bool,
    postgres: bool,
    mail_server: bool,
    dist: bool,
    /// The web build running beside the other steps, and where its output goes.
    web_build: Option<(Background<PathBuf>, PathBuf)>,
    /// The browser tests running beside the API steps, and where their output goes.
    browser_run: Option<(Background<(bool, Counts)>, PathBuf)>,
}

/// A step's work running on a thread of its own.
type Background<T> = std::thread::JoinHandle<Result<T>>;

impl Ready {
    fn web_tools(&mut self) -> Result<()> {
        if !self.web_tools {
            tools::ensure_web_tools(&self.root)?;
            self.web_tools = true;
        }
        Ok(())
    }

    fn browser(&mut self) -> Result<()> {
        if !self.browser {
            tools::ensure_browser()?;
            self.browser = true;
        }
        Ok(())
    }

    fn postgres(&mut self) -> Result<()> {
        if !self.postgres {
            tools::ensure_postgres()?;
            self.postgres = true;
        }
        Ok(())
    }

    fn mail_server(&mut self) -> Result<()> {
        if !self.mail_server {
            tools::ensure_mail_server(&self.root)?;
            self.mail_server = true;
        }
        Ok(())
    }

    fn dist(&mut self) -> Result<()> {
        if !self.dist {
            self.web_tools()?;
            web::build_for_tests(&self.root)?;
            self.dist = true;
        }
        Ok(())
    }
}

/// Starts the web build in the background once its tools are installed, so its long stretches on
/// one core overlap the host build of the build step.
fn start_web_build(ready: &mut Ready) {
    if ready.web_tools().is_err() {
        return; // the web step will report it
    }
    let root = ready.root.clone();
    let log = root.join("target").join("web-build.log");
    if std::fs::create_dir_all(root.join("target")).is_err() {
        return;
    }
    println!(
        "starting the web build in the background (output: {})",
        log.display()
    );
    let path = log.clone();
    let handle = std::thread::spawn(move || web::build_for_tests_logged(&root, &path));
    ready.web_build = Some((handle, log));
}

/// Starts the browser tests in the background when the API steps come next, so the three
/// suites overlap: the browser tests spend most of their time waiting for Chromium and the API
/// tests for their databases, so side by side they share the two cores instead of each leaving
/// one idle (measured: PostgreSQL's API tests and the browser tests 4 min 57 s side by side,
/// 7 min 50 s one after the other). The API steps still run one after the other.
fn start_browser_run(ready: &mut Ready) {
    if ready.browser().is_err() || ready.dist().is_err() {
        return; // the browser step will report it
    }
    let root = ready.root.clone();
    let log = root.join("target").join("browser-tests.log");
    let Ok(mut cmd) = browser_tests() else {
        return;
    };
    println!(
        "starting the browser tests in the background (output: {})",
        log.display()
    );
    cmd.current_dir(&root);
    let path = log.clone();
    let handle = std::thread::spawn(move || util::run_logged(&mut cmd, &path));
    ready.browser_run = Some((handle, log));
}

fn browser_tests() -> Result<Command> {
    let mut cmd = util::cargo_linted("test")?;
    cmd.args(["--workspace", "--test", "browser"]);
    Ok(cmd)
}

/// Waits for a step's work started in the background and prints what it wrote to its log.
fn join_logged<T>((handle, log): (Background<T>, PathBuf), how: &str) -> Result<T> {
    println!("({how}; its output, from {}:)", log.display());
    let outcome = handle
        .join()
        .map_err(|_| anyhow::anyhow!("the thread running it panicked ({})", log.display()));
    print!("{}", std::fs::read_to_string(&log).unwrap_or_default());
    outcome?
}

struct Outcome {
    name: &'static str,
    result: &'static str,
    seconds: f64,
    counts: Counts,
}

pub fn main(args: &[String]) -> Result<bool> {
    let selected = parse_args(args)?;
    let root = util::repo_root();
    let mut ready = Ready {
        root: root.clone(),
        web_tools: false,
        browser: false,
        postgres: false,
        mail_server: false,
        dist: false,
        web_build: None,
        browser_run: None,
    };
    if util::is_ci() {
        println!("CI=true: cargo build/test/clippy run with --locked");
    }
    let total_steps = selected.len();
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut failed_step: Option<&'static str> = None;
    for (index, name) in selected.iter().copied().enumerate() {
        let about = STEPS
            .iter()
            .find(|(step, _)| *step == name)
            .map_or("", |(_, about)| *about);
        println!();
        println!("==> [{}/{}] {name}: {about}", index + 1, total_steps);
        util::flush();
        if name.starts_with("api-")
            && selected.contains(&"browser")
            && ready.browser_run.is_none()
            && ready.dist
        {
            start_browser_run(&mut ready);
        }
        let start = Instant::now();
        let result = run_step(name, &mut ready);
        let tools_ready = matches!(result, Ok((true, _)));
        if name == "tools" && tools_ready && selected.contains(&"web") && selected.len() > 2 {
            start_web_build(&mut ready);
        }
        let seconds = util::seconds(start);
        let (ok, counts) = match result {
            Ok(value) => value,
            Err(error) => {
                eprintln!("error: {error:#}");
                (false, Counts::default())
            }
        };
        let verdict = if ok { "ok" } else { "FAILED" };
        println!("<== {name}: {verdict} in {seconds:.1} s");
        outcomes.push(Outcome {
            name,
            result: verdict,
            seconds,
            counts,
        });
        if !ok {
            failed_step = Some(name);
            break;
        }
    }
    if let Some((handle, log)) = ready.web_build.take() {
        // A step failed before the web step: wait for the build instead of exiting under it
        // (its cargo would go on without us).
        println!("waiting for the background web build ({}) …", log.display());
        let _ = handle.join();
    }
    if let Some((handle, log)) = ready.browser_run.take() {
        println!(
            "waiting for the background browser tests ({}) …",
            log.display()
        );
        let _ = handle.join();
    }
    for name in selected.iter().skip(outcomes.len()) {
        outcomes.push(Outcome {
            name,
            result: "not run",
            seconds: 0.0,
            counts: Counts::default(),
        });
    }
    let total = print_summary(&outcomes);
    if let Some(name) = failed_step {
        println!();
        println!("step `{name}` failed; run it alone with: cargo xtask test --only {name}");
    }
    println!();
    print_total(total);
    Ok(failed_step.is_none())
}

/// `--only a,b` (or repeated `--only`) picks steps; the default is all of them.
fn parse_args(args: &[String]) -> Result<Vec<&'static str>> {
    let mut wanted: Vec<String> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--only" {
            let Some(value) = iter.next() else {
                bail!("--only needs a step name; steps: {}", step_names());
            };
            wanted.extend(value.split(',').map(str::to_owned));
        } else if let Some(value) = arg.strip_prefix("--only=") {
            wanted.extend(value.split(',').map(str::to_owned));
        } else {
            bail!(
                "unknown argument `{arg}` for `cargo xtask test`; usage: \
                 cargo xtask test [--only STEP[,STEP…]]; steps: {}",
                step_names()
            );
        }
    }
    if wanted.is_empty() {
        return Ok(STEPS.iter().map(|(name, _)| *name).collect());
    }
    for name in &wanted {
        if !STEPS.iter().any(|(step, _)| step == name) {
            bail!("no step named `{name}`; steps: {}", step_names());
        }
    }
    // Keep pipeline order whatever order they were named in.
    Ok(STEPS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| wanted.iter().any(|wanted| wanted == name))
        .collect())
}

fn step_names() -> String {
    STEPS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs one step after setting up what it needs; returns success and the test counts.
fn run_step(name: &str, ready: &mut Ready) -> Result<(bool, Counts)> {
    let root = ready.root.clone();
    match name {
        "tools" => {
            ready.web_tools()?;
            ready.browser()?;
            ready.postgres()?;
            ready.mail_server()?;
            Ok((true, Counts::default()))
        }
        "fmt" => {
            let mut cmd = Command::new("cargo");
            cmd.args(["fmt", "--all", "--", "--check"]);
            run_all(&root, vec![cmd])
        }
        "build" => {
            // Clippy is the compiler here (`util::cargo_linted`): one build of every target the
            // later steps run, linted as `cargo clippy --workspace --all-targets` lints it, and no
            // second, check-only pass over the dependencies. The wasm32 side is linted by the web
            // build the same way. Every later host step uses the same compiler and selection, so
            // they find this build done.
            let mut cmd = util::cargo_linted("test")?;
            cmd.args(["--workspace", "--all-targets", "--no-run"]);
            run_all(&root, vec![cmd])
        }
        "web" => {
            if let Some(background) = ready.web_build.take() {
                // Started after the tools step.
                join_logged(background, "built beside the earlier steps")?;
            } else {
                ready.web_tools()?;
                web::build_for_tests(&root)?;
            }
            ready.dist = true;
            Ok((true, Counts::default()))
        }
        "unit" => {
            // The web app's pure helpers (formatting, CSV, error mapping) are plain Rust and
            // run on the host too, so they are part of the unit step. The PDF unit tests read
            // their text back with `pdftotext`.
            tools::ensure_test_commands()?;
            let mut cmd = util::cargo_linted("test")?;
            cmd.args(["--workspace", "--exclude", "revops-tests"]);
            // (Excluding revops-tests changes no dependency's features: the crates it uses are
            // all used the same way by the others, so the later steps reuse this build.)
            run_all(&root, vec![cmd])
        }
        "api-sqlite" => {
            ready.mail_server()?;
            let mut cmd = api_tests(&root)?;
            cmd.env("REVOPS_TEST_DB", "sqlite");
            run_all(&root, vec![cmd])
        }
        "api-postgres" => {
            ready.postgres()?;
            ready.mail_server()?;
            let mut cmd = api_tests(&root)?;
            cmd.env("REVOPS_TEST_DB", "postgres");
            if std::env::var_os("REVOPS_TEST_PG_URL").is_none() {
                cmd.env("REVOPS_TEST_PG_URL", tools::DEFAULT_PG_URL);
            }
            run_all(&root, vec![cmd])
        }
        "browser" => {
            if let Some(background) = ready.browser_run.take() {
                return join_logged(background, "run beside the API steps");
            }
            ready.browser()?;
            ready.dist()?;
            run_all(&root, vec![browser_tests()?])
        }
        other => bail!("no step named `{other}`"),
    }
}

/// The API tests, after building the `revops` binary that the multi-process tests start (its
/// path goes to them in `REVOPS_BIN`).
///
/// Every host build here selects the whole workspace (`--workspace`, tests included) so that
/// Cargo resolves each dependency's features the same way in every step and the steps share one
/// build. A narrower selection changes them: without the web app, `proc-macro2` loses
/// `span-locations` and every derive macro and everything built with one compiles again; a plain
/// `cargo build` leaves out the dev-dependencies' features (`getrandom`, `rustix`). So the binary
/// comes from `cargo test --no-run` of the backend's own CLI tests (Cargo builds a package's
/// binaries for its integration tests) rather than from `cargo build -p revops`, which cost a
/// cold CI run a second build of nearly every crate.
fn api_tests(root: &Path) -> Result<Command> {
    let mut build = util::cargo_linted("test")?;
    build.args(["--workspace", "--no-run", "--test", "cli", "--test", "api"]);
    build.current_dir(root);
    let (ok, _) = run_tee(&mut build)?;
    if !ok {
        bail!("building the revops binary and the API tests failed");
    }
    let mut cmd = util::cargo_linted("test")?;
    cmd.args(["--workspace", "--test", "api"]);
    cmd.env(
        "REVOPS_BIN",
        util::target_dir(root).join("debug").join("revops"),
    );
    Ok(cmd)
}

/// Runs commands in order at the repo root, stopping at the first failure.
fn run_all(root: &Path, commands: Vec<Command>) -> Result<(bool, Counts)> {
    let mut counts = Counts::default();
    for mut cmd in commands {
        cmd.current_dir(root);
        let (ok, found) = run_tee(&mut cmd)?;
        counts.add(found);
        if !ok {
            return Ok((false, counts));
        }
    }
    Ok((true, counts))
}

fn print_summary(outcomes: &[Outcome]) -> Counts {
    println!();
    println!("==> summary");
    println!(
        "{:<14} {:<8} {:>8} {:>8} {:>8} {:>8}",
        "step", "result", "seconds", "passed", "failed", "ignored"
    );
    let mut total = Counts::default();
    let mut seconds_total = 0.0;
    for outcome in outcomes {
        let counts = outcome.counts;
        let number = |value: u64| {
            if counts.binaries == 0 {
                "-".to_owned()
            } else {
                value.to_string()
            }
        };
        println!(
            "{:<14} {:<8} {:>8.1} {:>8} {:>8} {:>8}",
            outcome.name,
            outcome.result,
            outcome.seconds,
            number(counts.passed),
            number(counts.failed),
            number(counts.ignored)
        );
        total.add(counts);
        seconds_total += outcome.seconds;
    }
    println!(
        "{:<14} {:<8} {:>8.1} {:>8} {:>8} {:>8}",
        "total", "", seconds_total, total.passed, total.failed, total.ignored
    );
    total
}

/// The plain closing line CI reads: `N passed, M failed` (`, K skipped` when tests were ignored).
fn print_total(total: Counts) {
    if total.ignored > 0 {
        println!(
            "{} passed, {} failed, {} skipped",
            total.passed, total.failed, total.ignored
        );
    } else {
        println!("{} passed, {} failed", total.passed, total.failed);
    }
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    #[test]
    fn only_selects_steps_in_pipeline_order() {
        // Proves `--only` accepts lists and keeps the pipeline's order, and rejects unknown steps.
        let args = ["--only".to_owned(), "browser,fmt".to_owned()];
        assert!(matches!(parse_args(&args), Ok(steps) if steps == ["fmt", "browser"]));
        assert!(matches!(parse_args(&[]), Ok(steps) if steps.len() == 8));
        assert!(parse_args(&["--only".to_owned(), "nope".to_owned()]).is_err());
    }
}
