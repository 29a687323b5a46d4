//! The compiled-guest cache: the first executor compiles the guest and
//! stores it, later ones (and later processes) map it; a file that does not
//! load is replaced, and a directory that cannot be used means compiling in
//! memory, never an error.

use codemode::{ExecuteOptions, Executor, InProcessTools};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codemode-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn build(cache: &Path) -> Executor {
    Executor::builder().max_sandboxes(2).compile_cache(Some(cache.to_owned())).build().expect("the executor builds")
}

/// The executor runs programs, whichever way it got the guest.
async fn assert_runs(executor: &Executor) {
    let envelope = executor
        .execute("return [1 + 1, 'x'.repeat(3)]", Arc::new(InProcessTools::new()), &ExecuteOptions::new())
        .await
        .unwrap();
    assert!(envelope.ok, "{:?}", envelope.error);
    assert_eq!(envelope.value, serde_json::json!([2, "xxx"]));
}

/// The directory's entries, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// The one cache file in `dir`, asserting there is exactly one.
fn only_file(dir: &Path) -> PathBuf {
    let names = entries(dir);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("guest-") && names[0].ends_with(".cwasm"), "{names:?}");
    dir.join(&names[0])
}

#[tokio::test]
async fn the_first_build_stores_the_guest_and_the_next_maps_it() {
    let root = scratch("reuse");
    let dir = root.join("nested").join("cache");

    let first = build(&dir);
    assert!(!first.guest_from_cache());
    let file = only_file(&dir);
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_runs(&first).await;

    let inode = std::fs::metadata(&file).unwrap().ino();
    let second = build(&dir);
    assert!(second.guest_from_cache());
    assert_runs(&second).await;
    assert_eq!(only_file(&dir), file);
    assert_eq!(std::fs::metadata(&file).unwrap().ino(), inode, "the file was not rewritten");
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_cache_file_that_does_not_load_is_replaced() {
    let dir = scratch("corrupt");
    build(&dir);
    let file = only_file(&dir);
    let good = std::fs::read(&file).unwrap();

    let mut overwritten = good.clone();
    overwritten[..4096].fill(0xAB);
    let truncated = good[..good.len() / 2].to_vec();
    for bad in [overwritten, truncated, Vec::new()] {
        std::fs::write(&file, &bad).unwrap();
        let executor = build(&dir);
        assert!(!executor.guest_from_cache(), "a bad file was loaded");
        assert_runs(&executor).await;
        assert_eq!(only_file(&dir), file);
        assert_eq!(std::fs::read(&file).unwrap().len(), good.len(), "the file was replaced by a whole one");
        let again = build(&dir);
        assert!(again.guest_from_cache());
        assert_runs(&again).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unusable_cache_dir_means_compiling_in_memory() {
    let root = scratch("unusable");
    // Not creatable (a file is in the way), whoever runs the test.
    std::fs::write(root.join("file"), "").unwrap();
    let executor = build(&root.join("file").join("cache"));
    assert!(!executor.guest_from_cache());
    assert_runs(&executor).await;

    // Writable by others: not trusted, so neither read nor written.
    let shared = root.join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let executor = build(&shared);
    assert!(!executor.guest_from_cache());
    assert_runs(&executor).await;
    assert_eq!(entries(&shared), Vec::<String>::new());
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn no_compile_cache_compiles_in_memory() {
    let executor = Executor::builder().max_sandboxes(2).compile_cache(None).build().unwrap();
    assert!(!executor.guest_from_cache());
    assert_runs(&executor).await;
}

/// `codemode run` with `CODEMODE_CACHE_DIR`; the program's value.
fn run_cli(cache: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(["run", "--compact", "examples/hello.js"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("CODEMODE_CACHE_DIR", cache)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let envelope: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    envelope["value"].clone()
}

#[test]
fn codemode_run_caches_in_codemode_cache_dir() {
    let dir = scratch("cli");
    let value = run_cli(&dir);
    assert_eq!(value["longest"], "sandboxed");
    let file = only_file(&dir);
    let inode = std::fs::metadata(&file).unwrap().ino();
    assert_eq!(run_cli(&dir), value);
    assert_eq!(only_file(&dir), file);
    assert_eq!(std::fs::metadata(&file).unwrap().ino(), inode, "the second run loaded the file, not rewrote it");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn builds_racing_to_fill_the_cache_leave_one_whole_file() {
    let dir = scratch("race");
    std::thread::scope(|scope| {
        let builds: Vec<_> = (0..3).map(|_| scope.spawn(|| build(&dir))).collect();
        builds.into_iter().for_each(|b| drop(b.join().unwrap()));
    });
    only_file(&dir);
    let executor = build(&dir);
    assert!(executor.guest_from_cache());
    tokio::runtime::Runtime::new().unwrap().block_on(assert_runs(&executor));
    std::fs::remove_dir_all(&dir).unwrap();
}
