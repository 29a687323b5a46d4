//! The real TypeScript compiler (`tsc --strict --noEmit`) over the prelude,
//! the corpus' declarations and usage programs in `tests/fixtures/schemas`:
//! `usage.ts` must compile against them, `usage.fail.ts` must not (proving
//! tsc really checks the arguments). tsc is found through `CODEMODE_TSC`,
//! else `node_modules/.bin/tsc` at the workspace root, else `tsc` on PATH;
//! without one these tests fail rather than pass unchecked.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::super::brief::{BriefParts, RESULT_LEFT_OUT};
use super::super::{PRELUDE, ToolDecl, namespace_declarations, tool_declaration};
use super::fixtures;

/// The tsc to run, or a failure that says how to get one.
fn tsc() -> PathBuf {
    if let Some(path) = std::env::var_os("CODEMODE_TSC") {
        return PathBuf::from(path);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules/.bin/tsc");
    if local.exists() {
        return local;
    }
    let on_path = Command::new("tsc").arg("--version").output();
    if on_path.is_ok_and(|output| output.status.success()) {
        return PathBuf::from("tsc");
    }
    panic!(
        "these tests need the TypeScript compiler: run `npm install --no-save typescript@5` in the workspace root, \
         or set CODEMODE_TSC to the path of a tsc binary"
    );
}

/// Writes `files` (name, text) into a fresh folder and runs tsc on them:
/// whether it passed, and what it said. The folder is kept for a look when
/// the outcome is not the `expected` one.
pub(super) fn compile(label: &str, files: &[(String, String)], expected: bool) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("codemode-tsc-{}-{label}", std::process::id()));
    // A leftover from an earlier run with the same process id is stale.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write input file");
    }
    let output = Command::new(tsc())
        .current_dir(&dir)
        .args(["--strict", "--noEmit", "--target", "es2022", "--lib", "es2022"])
        .args(files.iter().map(|(name, _)| name))
        .output()
        .unwrap_or_else(|e| panic!("cannot run tsc: {e}"));
    let said = format!(
        "{}{}(files in {})",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        dir.display()
    );
    let passed = output.status.success();
    if passed == expected {
        let _ = std::fs::remove_dir_all(&dir);
    }
    (passed, said)
}

/// The prelude and one file per fixture with the namespace's declarations.
fn declarations() -> Vec<(String, String)> {
    let mut files = vec![("prelude.d.ts".to_owned(), PRELUDE.to_owned())];
    for server in fixtures::servers() {
        let text = namespace_declarations(&server.namespace, None, &server.decls());
        files.push((format!("{}.d.ts", server.namespace), text));
    }
    files
}

/// A usage program from the fixtures folder.
fn usage(name: &str) -> (String, String) {
    let path = fixtures::dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (name.to_owned(), text)
}

#[test]
fn namespace_declarations_type_check() {
    let mut files = declarations();
    files.push(usage("usage.ts"));
    let (passed, said) = compile("namespaces", &files, true);
    assert!(passed, "tsc rejected the declarations or usage.ts:\n{said}");
}

#[test]
fn brief_declarations_type_check() {
    let mut files = vec![("prelude.d.ts".to_owned(), PRELUDE.to_owned())];
    for server in fixtures::servers() {
        let decls = server.decls();
        let parts: Vec<BriefParts> = decls.iter().map(BriefParts::of).collect();
        let briefs: Vec<ToolDecl<'_>> = parts.iter().zip(&decls).map(|(parts, decl)| parts.decl(decl)).collect();
        files.push((format!("{}.d.ts", server.namespace), namespace_declarations(&server.namespace, None, &briefs)));
    }
    assert!(files.iter().any(|(_, text)| text.contains(RESULT_LEFT_OUT)), "a result type is left out somewhere");
    let (passed, said) = compile("briefs", &files, true);
    assert!(passed, "tsc rejected brief declarations:\n{said}");
}

#[test]
fn single_tool_declarations_type_check_on_their_own() {
    let mut files = vec![("prelude.d.ts".to_owned(), PRELUDE.to_owned())];
    for server in fixtures::servers() {
        for tool in server.decls() {
            let text = tool_declaration(&server.namespace, &tool);
            files.push((format!("{}.{}.d.ts", server.namespace, tool.name), text));
        }
    }
    files.push(usage("usage.ts"));
    let (passed, said) = compile("tools", &files, true);
    assert!(passed, "tsc rejected single-tool declarations or usage.ts against them:\n{said}");
}

#[test]
fn wrongly_typed_arguments_fail_to_type_check() {
    let mut files = declarations();
    files.push(usage("usage.fail.ts"));
    let (passed, said) = compile("negative", &files, false);
    assert!(!passed, "tsc accepted usage.fail.ts, so it is not checking arguments:\n{said}");
    let errors: Vec<&str> = said.lines().filter(|line| line.contains("error TS")).collect();
    assert!(
        !errors.is_empty() && errors.iter().all(|line| line.starts_with("usage.fail.ts")),
        "tsc should fail only on usage.fail.ts:\n{said}"
    );
}
