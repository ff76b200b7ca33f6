//! Builds the web app into `dist/`: cargo compiles `frontend/` to WebAssembly, wasm-bindgen
//! writes the JavaScript glue, wasm-opt shrinks the module, and `index.html` is written with
//! content-hashed file names, so a browser never pairs a cached script with a newer module.
//!
//! This is what Trunk did for us, in a page of code: not building Trunk saves a cold machine
//! five to ten minutes of `cargo install`, and the page has no inline script, so the
//! Content-Security-Policy needs no hash.

use crate::tools::{self, WASM_TARGET};
use crate::util::{self, run};
use anyhow::{Context, Result};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CRATE: &str = "revops-web";

/// How a build of the web app is optimised: for the people who download it, or for the browser
/// tests that drive it. Both run the same steps (cargo, wasm-bindgen, wasm-opt, hashed names,
/// precompressed copies) on the same code; only the effort spent shrinking the module differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimise {
    /// What `cargo xtask start` and `cargo xtask web` serve: the `web` profile (optimised for
    /// size, fat LTO, one codegen unit), `wasm-opt -Oz` and the strongest compression. Every
    /// byte is downloaded before the first render.
    ForSize,
    /// What `cargo xtask test` (and CI) drive the browser tests against: the `web-test` profile
    /// (light optimisation, no LTO, parallel code generation), `wasm-opt -O1` and quick
    /// compression. The size build's fat LTO runs 15–20 minutes on one core, beside the host
    /// build, which made it half of CI's build step; the tests read what the app does, not how
    /// small it is, just as the API tests run the debug server rather than the release one.
    ForTests,
}

impl Optimise {
    /// The workspace profile (`Cargo.toml`) cargo builds with.
    fn profile(self) -> &'static str {
        match self {
            Optimise::ForSize => "web",
            Optimise::ForTests => "web-test",
        }
    }

    fn wasm_opt_level(self) -> &'static str {
        match self {
            Optimise::ForSize => "-Oz",
            Optimise::ForTests => "-O1",
        }
    }

    /// Quality arguments for `brotli` and `gzip`.
    fn compression(self) -> [&'static str; 2] {
        match self {
            Optimise::ForSize => ["--best", "--best"],
            Optimise::ForTests => ["--quality=5", "--fast"],
        }
    }
}

/// `cargo build --profile web` (release, optimised for size) for wasm32, then wasm-bindgen and
/// wasm-opt, into a fresh `dist/` that replaces the old one only when everything worked.
pub fn build(root: &Path) -> Result<PathBuf> {
    build_with(root, Optimise::ForSize, false, &mut |cmd| run(cmd))
}

/// The build the browser tests drive (`Optimise::ForTests`), with the app's own crate compiled
/// by `clippy-driver` (`util::cargo_linted`), as `cargo xtask test` runs it: the wasm32 code is
/// linted by the build that produces it.
pub fn build_for_tests(root: &Path) -> Result<PathBuf> {
    build_with(root, Optimise::ForTests, true, &mut |cmd| run(cmd))
}

/// `build_for_tests` with every command's output in `log` instead of the terminal, for running it
/// beside other steps (`cargo xtask test` starts it early, while the host build runs).
pub fn build_for_tests_logged(root: &Path, log: &Path) -> Result<PathBuf> {
    let file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    build_with(root, Optimise::ForTests, true, &mut |cmd| {
        use std::io::Write;
        let line = util::display(cmd);
        writeln!(file.try_clone()?, "$ {line}")?;
        let status = cmd
            .stdout(file.try_clone()?)
            .stderr(file.try_clone()?)
            .status()
            .with_context(|| format!("could not start `{line}`"))?;
        if !status.success() {
            anyhow::bail!("`{line}` failed ({status})");
        }
        Ok(())
    })
}

fn build_with(
    root: &Path,
    optimise: Optimise,
    lint: bool,
    run: &mut dyn FnMut(&mut Command) -> Result<()>,
) -> Result<PathBuf> {
    tools::check_wasm_bindgen_pin(root)?;
    let start = Instant::now();
    let mut cargo = if lint {
        util::cargo_linted("build")?
    } else {
        util::cargo("build")
    };
    run(cargo
        .args([
            "--profile",
            optimise.profile(),
            "--target",
            WASM_TARGET,
            "-p",
            CRATE,
            "--bin",
            CRATE,
        ])
        .current_dir(root))?;
    let target = target_dir(root);
    let module = target
        .join(WASM_TARGET)
        .join(optimise.profile())
        .join(format!("{CRATE}.wasm"));
    let staging = target.join("web-staging");
    let next = root.join("dist.next");
    for dir in [&staging, &next] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-name", CRATE])
        .arg("--out-dir")
        .arg(&staging)
        .arg(&module))?;
    let glue_wasm = staging.join(format!("{CRATE}_bg.wasm"));
    let optimised = staging.join(format!("{CRATE}.opt.wasm"));
    run(Command::new("wasm-opt")
        .args([
            optimise.wasm_opt_level(),
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .arg(&glue_wasm)
        .arg("-o")
        .arg(&optimised))?;
    std::fs::create_dir_all(&next)?;
    let wasm_name = copy_hashed(&optimised, &next, CRATE, "_bg.wasm")?;
    let glue_name = copy_hashed(&staging.join(format!("{CRATE}.js")), &next, CRATE, ".js")?;
    let snippets = staging.join("snippets");
    if snippets.exists() {
        // `#[wasm_bindgen(module = …)]` files the glue imports by relative path.
        copy_dir(&snippets, &next.join("snippets"))?;
    }
    let style_name = copy_hashed(
        &root.join("frontend").join("style.css"),
        &next,
        "style",
        ".css",
    )?;
    let start_script =
        format!("import init from './{glue_name}';\ninit({{ module_or_path: '/{wasm_name}' }});\n");
    let start_name = write_hashed(&next, "start", ".js", start_script.as_bytes())?;
    std::fs::write(
        next.join("index.html"),
        index_html(&style_name, &glue_name, &wasm_name, &start_name),
    )?;
    precompress(&next, optimise, run)?;
    let dist = root.join("dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist).with_context(|| format!("removing {}", dist.display()))?;
    }
    std::fs::rename(&next, &dist).context("moving dist.next into place")?;
    let module_bytes = std::fs::metadata(&optimised).map_or(0, |meta| meta.len());
    println!(
        "web app built into {} in {:.1} s ({:?}, profile `{}`, module {:.2} MB)",
        dist.display(),
        util::seconds(start),
        optimise,
        optimise.profile(),
        module_bytes as f64 / 1_000_000.0
    );
    Ok(dist)
}

/// The page the server answers for every app route. The module preloads let the browser fetch
/// the glue and the WebAssembly in parallel with the start-up script.
fn index_html(style: &str, glue: &str, wasm: &str, start: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\" />\n    \
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n    \
         <title>revops</title>\n    <link rel=\"stylesheet\" href=\"/{style}\" />\n    \
         <link rel=\"modulepreload\" href=\"/{glue}\" />\n    \
         <link rel=\"preload\" href=\"/{wasm}\" as=\"fetch\" type=\"application/wasm\" \
         crossorigin=\"anonymous\" />\n    <script type=\"module\" src=\"/{start}\"></script>\n  \
         </head>\n  <body></body>\n</html>\n"
    )
}

/// Copies `source` into `dir` as `<stem>-<hash><suffix>` and returns that name.
fn copy_hashed(source: &Path, dir: &Path, stem: &str, suffix: &str) -> Result<String> {
    let bytes = std::fs::read(source).with_context(|| format!("reading {}", source.display()))?;
    write_hashed(dir, stem, suffix, &bytes)
}

fn write_hashed(dir: &Path, stem: &str, suffix: &str, bytes: &[u8]) -> Result<String> {
    let name = format!("{stem}-{}{suffix}", content_hash(bytes));
    std::fs::write(dir.join(&name), bytes)
        .with_context(|| format!("writing {}", dir.join(&name).display()))?;
    Ok(name)
}

/// A cache-busting name part, not a security measure: 64 bits of SipHash with fixed keys, the
/// same for the same bytes on every machine and run.
fn content_hash(bytes: &[u8]) -> String {
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    hasher.write(bytes);
    format!("{:016x}", hasher.finish())
}

/// Writes `<file>.br` and `<file>.gz` beside every text or WebAssembly file of `dir` (and its
/// folders), at the strongest settings for a size build: the server sends them to browsers that
/// accept them (`ServeDir::precompressed_br`), so nothing is compressed per request.
fn precompress(
    dir: &Path,
    optimise: Optimise,
    run: &mut dyn FnMut(&mut Command) -> Result<()>,
) -> Result<()> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.retain(|file| {
        file.extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| matches!(extension, "wasm" | "js" | "css" | "html"))
    });
    if files.is_empty() {
        return Ok(());
    }
    let [brotli, gzip] = optimise.compression();
    run(Command::new("brotli")
        .args([brotli, "--keep", "--force"])
        .args(&files))?;
    run(Command::new("gzip")
        .args([gzip, "--keep", "--force", "--no-name"])
        .args(&files))
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            collect_files(&entry.path(), files)?;
        } else {
            files.push(entry.path());
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Where cargo puts its output: `CARGO_TARGET_DIR` when set, else `target/` at the root.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        }
        _ => root.join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::{content_hash, index_html};

    #[test]
    fn names_depend_only_on_the_bytes() {
        // Proves a rebuild with the same output keeps its URLs (browser caches stay valid) and a
        // one-byte change gets a new one.
        assert_eq!(content_hash(b"abc"), content_hash(b"abc"));
        assert_ne!(content_hash(b"abc"), content_hash(b"abd"));
        assert_eq!(content_hash(b"abc").len(), 16);
    }

    #[test]
    fn the_page_has_no_inline_script() {
        // Proves the Content-Security-Policy can stay `script-src 'self'` without hashes.
        let html = index_html("style-1.css", "app-2.js", "app-3_bg.wasm", "start-4.js");
        assert!(html.contains("<script type=\"module\" src=\"/start-4.js\"></script>"));
        assert!(html.contains("href=\"/style-1.css\""));
        assert_eq!(html.matches("<script").count(), 1);
    }
}
