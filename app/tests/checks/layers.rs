//! One direction through the house (issue 25): `pages`/`components` (the UI) → `api` (server
//! functions) → `backend` (use cases, repositories) → `domain` (rules). A lower layer never
//! names a higher one:
//! - `backend/` never uses `crate::api` (repositories return their own rows; `api` maps them
//!   with `From`);
//! - nothing outside the UI uses `crate::components` (translations for server code live in
//!   `crate::i18n`); `app.rs`, the root component with the router, is UI;
//! - `domain/` uses neither `api`, `backend` nor `components`; `error.rs` not `backend`.
//!
//! The check reads the sources (comments left out), so it fails on the `use` that breaks the
//! direction, with its file and line.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a line without its `//` comment.
fn code(line: &str) -> &str {
    line.split("//").next().unwrap_or_default()
}

/// `(file, line number, line)` of every line of `files` under `src` that names `path`.
fn naming(src: &Path, files: &[PathBuf], path: &str) -> Vec<(String, usize, String)> {
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("source");
        let mut in_use = false;
        for (n, line) in text.lines().enumerate() {
            let line = code(line);
            // `use crate::{ api::…, … }` spans lines: a nested `api::` counts inside it.
            let starts_use = line.trim_start().starts_with("use crate::{");
            if starts_use {
                in_use = true;
            }
            let nested = in_use && line.trim_start().starts_with(&format!("{path}::"));
            if line.contains(&format!("crate::{path}")) || nested {
                let name = file.strip_prefix(src).unwrap_or(file).display().to_string();
                found.push((name, n + 1, line.trim().to_string()));
            }
            if in_use && line.contains("};") {
                in_use = false;
            }
        }
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn files_under(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    sources(&src().join(dir), &mut out);
    out
}

fn assert_none(what: &str, found: Vec<(String, usize, String)>) {
    assert!(
        found.is_empty(),
        "{what}:\n{}",
        found
            .iter()
            .map(|(file, n, line)| format!("  {file}:{n}: {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_backend_never_uses_the_api() {
    let src = src();
    assert_none(
        "backend/ uses crate::api (return a row type; map it in api with From)",
        naming(&src, &files_under("backend"), "api"),
    );
}

#[test]
fn only_the_ui_uses_components() {
    let src = src();
    let mut all = Vec::new();
    sources(&src, &mut all);
    let outside_ui: Vec<PathBuf> = all
        .into_iter()
        .filter(|f| {
            let rel = f.strip_prefix(&src).unwrap_or(f);
            !(rel.starts_with("pages")
                || rel.starts_with("components")
                || rel == Path::new("app.rs"))
        })
        .collect();
    assert_none(
        "crate::components outside pages/, components/ and app.rs (translate through crate::i18n)",
        naming(&src, &outside_ui, "components"),
    );
}

#[test]
fn the_domain_and_the_error_type_name_no_layer_above() {
    let src = src();
    let domain = files_under("domain");
    for layer in ["api", "backend", "components", "pages"] {
        assert_none(
            &format!("domain/ uses crate::{layer}"),
            naming(&src, &domain, layer),
        );
    }
    assert_none(
        "error.rs uses crate::backend",
        naming(&src, &[src.join("error.rs")], "backend"),
    );
}

/// Every server function starts with one of `backend::entry`'s helpers (`anyone`, `login`,
/// `linked`, `holder`): the caller is checked before its body runs, and the status is mapped
/// after it.
#[test]
fn every_server_function_starts_with_an_entry() {
    let mut missing = Vec::new();
    for file in files_under("api") {
        let text = std::fs::read_to_string(&file).expect("source");
        for (i, chunk) in text.split("\n#[server(").enumerate().skip(1) {
            // The function's text: up to the next item at the start of a line.
            let body = chunk.split("\n}\n").next().unwrap_or(chunk);
            if !body.contains("entry::") {
                let name = body
                    .split("pub async fn ")
                    .nth(1)
                    .and_then(|rest| rest.split('(').next())
                    .unwrap_or("?");
                missing.push(format!("{} #{i}: {name}", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "server functions without an entry helper:\n{}",
        missing.join("\n")
    );
}

/// The check itself finds what it must: a nested `use crate::{ api::… }` and a path.
#[test]
fn the_check_sees_nested_uses() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("sample.rs");
    std::fs::write(
        &file,
        "use crate::{\n    api::x::Y,\n    error::AppError,\n};\nfn f() { crate::api::z(); } // crate::api in a comment\n",
    )
    .expect("write");
    let found = naming(&dir, &[file], "api");
    let lines: Vec<usize> = found.iter().map(|(_, n, _)| *n).collect();
    assert_eq!(lines, vec![2, 5]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lines of `files` (comments left out) that contain any of `needles`.
fn containing(files: &[PathBuf], needles: &[&str]) -> Vec<(String, usize, String)> {
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("source");
        for (n, line) in text.lines().enumerate() {
            let line = code(line);
            if needles.iter().any(|needle| line.contains(needle)) {
                let name = file
                    .strip_prefix(src())
                    .unwrap_or(file)
                    .display()
                    .to_string();
                found.push((name, n + 1, line.trim().to_string()));
            }
        }
    }
    found
}

#[test]
fn rows_are_read_by_their_types_and_sql_stays_in_the_backend() {
    // A row is read with `#[derive(sqlx::FromRow)]` and `query_as` (or a typed scalar), never
    // column by column: a renamed column then fails where the row type is, by its name.
    assert_none(
        "rows read column by column (use a FromRow type)",
        containing(
            &files_under("backend"),
            &[
                "row.get(",
                "r.get(",
                "row.get::<",
                "r.get::<",
                "m.get(",
                "l.get(",
            ],
        ),
    );
    // Server functions, pages and components call the backend; they send no SQL.
    let mut outside = files_under("api");
    outside.extend(files_under("pages"));
    outside.extend(files_under("components"));
    assert_none(
        "SQL outside backend/",
        containing(&outside, &["sqlx::query", "query_as(", "query_scalar("]),
    );
}
