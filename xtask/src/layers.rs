//! The layering inside the backend's crates, checked: Cargo refuses a dependency from one crate
//! up to another, but not a call from one area (top-level module) of a crate up to another area
//! of the same crate. Two checks run in the unit step: no two areas of a crate name each other,
//! directly or round a longer loop (`loops`), and the rules below say which way the known pairs
//! go — an area never names one above it (`crate::billing::…`, or `billing` inside
//! `use crate::{…}`). A failure lists the files and lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (the area's folder, the areas of the same crate above it).
pub const RULES: [(&str, &[&str]); 8] = [
    // Invoicing writes invoices and the AR history of their issue and void; receivables builds on it.
    ("crates/receivables/src/invoicing", &["receivables"]),
    // Billing bills contracts; deals (the intake, approval and coupons on a deal) sit on it.
    ("crates/commerce/src/billing", &["deals"]),
    // Mail knows nothing of the configuration; `Config::mail_transport` builds the transport.
    ("crates/platform/src/notifications", &["config"]),
    // Roles and the matrix are below the audit trail, which is below sign-in.
    ("crates/platform/src/access", &["audit", "auth"]),
    ("crates/platform/src/audit", &["auth"]),
    // The MRR book is below renewals and the dashboard.
    ("crates/insights/src/recurring", &["renewals", "metrics"]),
    // Renewals read the book and are read by the dashboard, never the reverse.
    ("crates/insights/src/renewals", &["metrics"]),
    // Imports bring over a book; CRM intake may use them (a CRM deal's customer), not the reverse.
    ("crates/intake/src/imports", &["crm"]),
];

/// Every `file:line: names <area>` that breaks a rule, under the workspace at `root`.
pub fn violations(root: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for (folder, above) in RULES {
        let folder = root.join(folder);
        if !folder.is_dir() {
            return Err(format!(
                "{} is not a folder: update xtask's layering rules",
                folder.display()
            ));
        }
        for file in rust_files(&folder)? {
            let source = std::fs::read_to_string(&file)
                .map_err(|error| format!("{}: {error}", file.display()))?;
            for (line, area) in areas_named(&source) {
                if above.contains(&area.as_str()) {
                    let shown = file
                        .strip_prefix(root)
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    found.push(format!(
                        "{shown}:{line}: names `crate::{area}`, an area above it"
                    ));
                }
            }
        }
    }
    Ok(found)
}

/// Every loop between the areas of one crate under `root/crates`, as `crate: a → b → … → a`.
pub fn loops(root: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let crates = std::fs::read_dir(root.join("crates")).map_err(|error| error.to_string())?;
    let mut crate_dirs: Vec<PathBuf> = crates
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("src")))
        .filter(|src| src.is_dir())
        .collect();
    crate_dirs.sort();
    for src in crate_dirs {
        let graph = area_graph(&src)?;
        for start in graph.keys() {
            if let Some(path) = path_back(&graph, start) {
                let name = src
                    .parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let shown = format!("{name}: {}", path.join(" → "));
                // Each loop once, from its smallest area.
                if path.iter().min() == Some(start) && !found.contains(&shown) {
                    found.push(shown);
                }
            }
        }
    }
    Ok(found)
}

/// Which areas of the crate at `src` each area names (its own name left out).
fn area_graph(src: &Path) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let mut areas: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in std::fs::read_dir(src).map_err(|error| error.to_string())? {
        let path = entry.map_err(|error| error.to_string())?.path();
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().to_string())
            .unwrap_or_default();
        if path.is_dir()
            || (path.extension().is_some_and(|ext| ext == "rs") && stem != "lib" && stem != "main")
        {
            areas.insert(stem, path);
        }
    }
    let mut graph = BTreeMap::new();
    for (area, path) in &areas {
        let files = if path.is_dir() {
            rust_files(path)?
        } else {
            vec![path.clone()]
        };
        let mut names = BTreeSet::new();
        for file in files {
            let source = std::fs::read_to_string(&file)
                .map_err(|error| format!("{}: {error}", file.display()))?;
            for (_, name) in areas_named(&source) {
                if &name != area && areas.contains_key(&name) {
                    names.insert(name);
                }
            }
        }
        graph.insert(area.clone(), names);
    }
    Ok(graph)
}

/// A path from `start` through the graph back to `start`, if there is one.
fn path_back(graph: &BTreeMap<String, BTreeSet<String>>, start: &String) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.clone()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last()?;
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut closed = path.clone();
                closed.push(start.clone());
                return Some(closed);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

fn rust_files(folder: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|error| error.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The top-level modules of its crate that `source` names, with the line: `crate::name` anywhere
/// outside comments, and each first-level name of a `crate::{…}` group. Test code (the item
/// after a `#[cfg(test)]` line) may use any area and is not read.
pub fn areas_named(source: &str) -> Vec<(usize, String)> {
    let mut named = Vec::new();
    let mut in_test: Option<(i64, bool)> = None;
    for (index, line) in source.lines().enumerate() {
        if line.trim() == "#[cfg(test)]" {
            in_test = Some((0, false));
            continue;
        }
        if let Some((depth, opened)) = in_test.as_mut() {
            let code = line.split("//").next().unwrap_or_default();
            for c in code.chars() {
                match c {
                    '{' => {
                        *depth += 1;
                        *opened = true;
                    }
                    '}' => *depth -= 1,
                    _ => {}
                }
            }
            let ends = (*opened && *depth <= 0) || (!*opened && code.trim_end().ends_with(';'));
            if ends {
                in_test = None;
            }
            continue;
        }
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                // A group may span lines: read until its closing brace.
                let text: String = std::iter::once(group)
                    .chain(source.lines().skip(index + 1))
                    .collect::<Vec<_>>()
                    .join(" ");
                for name in first_level_names(&text) {
                    named.push((index + 1, name));
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    named.push((index + 1, name));
                }
            }
            rest = after;
        }
    }
    named
}

/// The names at the first level of a `{…}` group's text (after its opening brace).
fn first_level_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    let mut at_start = true;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                if !current.is_empty() {
                    names.push(std::mem::take(&mut current));
                }
                at_start = true;
            }
            c if depth == 0 && at_start && (c.is_alphanumeric() || c == '_') => current.push(c),
            _ if depth == 0 && at_start && !current.is_empty() => {
                names.push(std::mem::take(&mut current));
                at_start = false;
            }
            _ => {}
        }
    }
    if !current.is_empty() {
        names.push(current);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_paths_and_groups() {
        // Proves a plain path, a one-line group, a nested and a multi-line group are all read,
        // and comments and test items (a test module, a test-only import) are not.
        let source = "use crate::billing::periods;\n\
                      use crate::{audit, deals::{DealLine, DealLineInput}, money};\n\
                      // crate::receivables in a comment\n\
                      use crate::{\n    config::Config,\n    error,\n};\n\
                      #[cfg(test)]\nmod tests {\n    use crate::deals;\n}\n\
                      #[cfg(test)]\nuse crate::auth;\n\
                      let x = crate::ledger::post(a);";
        let names: Vec<String> = areas_named(source)
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        assert_eq!(
            names,
            ["billing", "audit", "deals", "money", "config", "error", "ledger"]
        );
    }

    #[test]
    fn no_two_areas_of_a_crate_call_each_other() {
        // Proves each crate's areas form layers: no loop, of two areas or more.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let found = loops(&root).unwrap();
        assert!(found.is_empty(), "areas in a loop:\n{}", found.join("\n"));
    }

    #[test]
    fn a_loop_between_areas_is_found() {
        // Proves the loop check can fail: a → b → c → a is reported once, from its smallest area.
        let graph: BTreeMap<String, BTreeSet<String>> = [
            ("a", &["b"][..]),
            ("b", &["c"]),
            ("c", &["a"]),
            ("d", &["a"]),
        ]
        .into_iter()
        .map(|(area, names)| {
            (
                area.to_string(),
                names.iter().map(|n| n.to_string()).collect(),
            )
        })
        .collect();
        assert_eq!(
            path_back(&graph, &"a".to_string()),
            Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
        );
        assert_eq!(path_back(&graph, &"d".to_string()), None);
    }

    #[test]
    fn no_area_names_an_area_above_it() {
        // Proves the layering inside the crates holds in the tree as it is.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let found = violations(&root).unwrap();
        assert!(
            found.is_empty(),
            "areas calling upward:\n{}",
            found.join("\n")
        );
    }
}
