//! Shared plumbing: where the repository is, the PATH every child sees, and running commands
//! with their command line echoed so a reader can copy it.

use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The workspace root: the folder above `xtask/`.
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` at run time too; the compile-time value is the fallback
/// for running the binary directly.
pub fn repo_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// CI runs `.ci/run` with `CI=true`; there a drifted Cargo.lock must fail instead of being rewritten.
pub fn is_ci() -> bool {
    std::env::var("CI")
        .map(|value| matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
        .unwrap_or(false)
}

pub fn cargo_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| OsString::from("/root"));
    PathBuf::from(home).join(".cargo")
}

/// Where `npm install --prefix .tools axe-core@…` puts the accessibility checker the browser
/// tests inject (`axe.min.js`).
pub fn axe_core_dir(root: &Path) -> PathBuf {
    root.join(".tools").join("node_modules").join("axe-core")
}

/// Where `npm install --prefix .tools binaryen@…` puts `wasm-opt`.
pub fn node_tools_bin(root: &Path) -> PathBuf {
    root.join(".tools").join("node_modules").join(".bin")
}

/// The virtualenv's `bin/` that `ensure_mail_server` fills (`.tools/python`).
pub fn python_tools_bin(root: &Path) -> PathBuf {
    root.join(".tools").join("python").join("bin")
}

/// Puts the project's npm tools first and cargo's install folder second on PATH, for this process
/// and so for every child: the web build finds `wasm-bindgen` and `wasm-opt` there, and Debian's broken
/// `wasm-opt` (if installed) is shadowed.
pub fn set_up_path(root: &Path) -> Result<()> {
    let mut dirs = vec![node_tools_bin(root), cargo_home().join("bin")];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let joined = std::env::join_paths(dirs).context("building PATH")?;
    // Single-threaded at this point: nothing else reads the environment concurrently.
    std::env::set_var("PATH", joined);
    Ok(())
}

/// The command line as a shell user would type it, environment overrides first.
pub fn display(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(key, value)| {
            value.map(|value| format!("{}={}", key.to_string_lossy(), value.to_string_lossy()))
        })
        .collect();
    parts.push(cmd.get_program().to_string_lossy().into_owned());
    parts.extend(cmd.get_args().map(|arg| arg.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// A `cargo <subcommand>` with `--locked` added under CI for the subcommands that accept it.
pub fn cargo(subcommand: &str) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg(subcommand);
    if is_ci()
        && matches!(
            subcommand,
            "build" | "check" | "clippy" | "fetch" | "test" | "run"
        )
    {
        cmd.arg("--locked");
    }
    if is_ci() {
        // A clean clone builds everything once: incremental caches would only be written, never
        // read, so CI skips them.
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    cmd
}

/// A `cargo <subcommand>` whose workspace crates are compiled by `clippy-driver` instead of
/// `rustc`, with clippy's lints on and warnings denied: the build the tests need is the lint
/// too. `cargo clippy` would check every dependency a second time, without code generation, for
/// nothing the test build does not already do; this is how `cargo clippy` itself works
/// (`RUSTC_WORKSPACE_WRAPPER` and `CLIPPY_ARGS`), with code generation left on. Dependencies
/// are compiled by plain `rustc` as before, so only the workspace's own crates differ from a
/// plain `cargo` build (and rebuild once when switching between the two).
pub fn cargo_linted(subcommand: &str) -> Result<Command> {
    let mut cmd = cargo(subcommand);
    cmd.env("RUSTC_WORKSPACE_WRAPPER", clippy_driver()?);
    cmd.env("CLIPPY_ARGS", CLIPPY_ARGS);
    Ok(cmd)
}

/// `-D warnings` as `cargo clippy` hands its arguments to the driver (joined by this marker).
const CLIPPY_ARGS: &str = "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__";

/// The `clippy-driver` of the toolchain in use (beside its `rustc`), so its lints match `cargo
/// clippy`'s; rustup installs it with the `clippy` component.
fn clippy_driver() -> Result<PathBuf> {
    let sysroot = probe(Command::new("rustc").args(["--print", "sysroot"]))
        .context("`rustc --print sysroot` failed")?;
    let driver = Path::new(sysroot.trim()).join("bin").join("clippy-driver");
    if !driver.is_file() {
        bail!(
            "{} is missing; install it with `rustup component add clippy`",
            driver.display()
        );
    }
    Ok(driver)
}

/// Runs a command with inherited stdio and fails if it does not exit successfully.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = display(cmd);
    println!("$ {line}");
    flush();
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs a command quietly and returns its stdout and stderr, or `None` if it cannot be started
/// (not installed) or fails. Used for version probes.
pub fn probe(cmd: &mut Command) -> Option<String> {
    let output = cmd.stdin(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Some(text.trim().to_owned())
}

/// The first line of a version probe, for messages.
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

/// Test counts read from libtest's `test result: ok. 3 passed; 0 failed; 1 ignored; …` lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
    /// How many `test result:` lines were seen: zero means the step ran no test binary.
    pub binaries: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
        self.binaries += other.binaries;
    }

    /// Parses one line of output; `None` unless it is a libtest summary line.
    pub fn parse_line(line: &str) -> Option<Counts> {
        let (_, rest) = line.split_once("test result:")?;
        let mut counts = Counts {
            binaries: 1,
            ..Counts::default()
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        for pair in words.windows(2) {
            let Ok(number) = pair[0].parse::<u64>() else {
                continue;
            };
            let label = pair[1].trim_end_matches([';', '.', ',']);
            match label {
                "passed" => counts.passed += number,
                "failed" => counts.failed += number,
                "ignored" => counts.ignored += number,
                _ => {}
            }
        }
        Some(counts)
    }
}

/// Adds up a cargo run's test counts from its output lines. libtest's summary line is the
/// truth; when a test binary dies before printing one (killed, aborted), its per-test
/// `test name ... ok|FAILED|ignored` lines still count, so a crash does not read as 0 failed.
#[derive(Default)]
pub struct Tally {
    total: Counts,
    unsummarised: Counts,
}

impl Tally {
    pub fn line(&mut self, line: &str) {
        if let Some(summary) = Counts::parse_line(line) {
            self.total.add(summary);
            self.unsummarised = Counts::default();
            return;
        }
        let line = line.trim_end();
        if !line.starts_with("test ") {
            return;
        }
        if line.ends_with(" ... ok") {
            self.unsummarised.passed += 1;
        } else if line.ends_with(" ... FAILED") {
            self.unsummarised.failed += 1;
        } else if line.ends_with(" ... ignored") || line.contains(" ... ignored, ") {
            self.unsummarised.ignored += 1;
        } else {
            return;
        }
        self.unsummarised.binaries = 1;
    }

    pub fn finish(mut self) -> Counts {
        self.total.add(self.unsummarised);
        self.total
    }
}

/// Runs a command whose stdout is echoed line by line while its test counts are collected;
/// stderr (cargo's progress and compiler messages) goes straight to the terminal.
pub fn run_tee(cmd: &mut Command) -> Result<(bool, Counts)> {
    let line = display(cmd);
    println!("$ {line}");
    flush();
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{line}`"))?;
    let mut tally = Tally::default();
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut buffer = Vec::new();
        let out = std::io::stdout();
        loop {
            buffer.clear();
            let read = reader
                .read_until(b'\n', &mut buffer)
                .with_context(|| format!("reading the output of `{line}`"))?;
            if read == 0 {
                break;
            }
            let mut lock = out.lock();
            // A closed terminal must not stop the child from being waited for.
            let _ = lock.write_all(&buffer);
            let _ = lock.flush();
            tally.line(&String::from_utf8_lossy(&buffer));
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for `{line}`"))?;
    Ok((status.success(), tally.finish()))
}

/// Runs a command with its stdout and stderr written to `log` instead of the terminal (a step
/// running beside another), then reads its test counts back from the log as `run_tee` would.
pub fn run_logged(cmd: &mut Command, log: &Path) -> Result<(bool, Counts)> {
    let line = display(cmd);
    let file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    {
        let mut header = file.try_clone()?;
        writeln!(header, "$ {line}")?;
    }
    let status = cmd
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .with_context(|| format!("could not start `{line}`"))?;
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut tally = Tally::default();
    for output_line in text.lines() {
        tally.line(output_line);
    }
    Ok((status.success(), tally.finish()))
}

pub fn flush() {
    let _ = std::io::stdout().flush();
}

/// Seconds since `start`, for step timings.
pub fn seconds(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

/// Whether this process runs as root (then apt-get needs no sudo).
pub fn is_root() -> bool {
    probe(Command::new("id").arg("-u")).is_some_and(|uid| uid == "0")
}

/// Finds a program on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Cargo's target directory, wherever config or CARGO_TARGET_DIR put it.
pub fn target_dir(root: &Path) -> PathBuf {
    let metadata = probe(
        Command::new("cargo")
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(root),
    );
    let key = "\"target_directory\":\"";
    metadata
        .as_deref()
        .and_then(|json| json.split_once(key))
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(dir, _)| PathBuf::from(dir.replace("\\\\", "\\")))
        .unwrap_or_else(|| root.join("target"))
}

#[cfg(test)]
mod tests {
    use super::{Counts, Tally};

    #[test]
    fn a_test_binary_that_dies_still_reports_what_ran() {
        // Proves a killed test binary's finished tests count, and a summary line replaces them.
        let mut tally = Tally::default();
        for line in [
            "running 2 tests",
            "test a ... ok",
            "test b ... FAILED",
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
            "running 3 tests",
            "test c ... ok",
            "test d ... ignored, needs a GPU",
            "test e ... FAILED",
        ] {
            tally.line(line);
        }
        assert_eq!(
            tally.finish(),
            Counts {
                passed: 2,
                failed: 2,
                ignored: 1,
                binaries: 2
            }
        );
    }

    #[test]
    fn parses_libtest_summary_lines() {
        // Proves the counts CI sees come from cargo's own summary lines, ok or failed.
        let ok = "test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(
            Counts::parse_line(ok),
            Some(Counts {
                passed: 12,
                failed: 0,
                ignored: 2,
                binaries: 1
            })
        );
        let failed =
            "test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(
            Counts::parse_line(failed),
            Some(Counts {
                passed: 3,
                failed: 1,
                ignored: 0,
                binaries: 1
            })
        );
        assert_eq!(Counts::parse_line("running 12 tests"), None);
    }
}
