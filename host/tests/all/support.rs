//! Shared fixtures: one executor for the whole binary (compiling the guest
//! is the slow part), and helpers to run programs with or without tools.

use codemode::{Envelope, ExecuteOptions, Executor, InProcessTools, Limits, ProgramErrorKind, ToolProvider, ToolSpec};
use std::sync::{Arc, OnceLock};

/// The executor every test shares.
pub fn executor() -> &'static Executor {
    static EXECUTOR: OnceLock<Executor> = OnceLock::new();
    EXECUTOR.get_or_init(|| Executor::builder().max_sandboxes(64).build().expect("the executor builds"))
}

/// Runs `source` with no tools and the default limits.
pub async fn run(source: &str) -> Envelope {
    run_with(source, Arc::new(InProcessTools::new()), &Limits::default()).await
}

/// Runs `source` with `tools` and `limits`.
pub async fn run_with(source: &str, tools: Arc<dyn ToolProvider>, limits: &Limits) -> Envelope {
    let options = ExecuteOptions::new().with_limits(limits.clone());
    executor().execute(source, tools, &options).await.expect("the sandbox runs")
}

/// The program's value, asserting it succeeded.
pub async fn value(source: &str) -> serde_json::Value {
    let envelope = run(source).await;
    assert!(envelope.ok, "program failed: {:?}", envelope.error);
    envelope.value
}

/// The error kind and message, asserting the program failed.
pub fn failure(envelope: &Envelope) -> (ProgramErrorKind, &str) {
    assert!(!envelope.ok, "program succeeded with {}", envelope.value);
    let error = envelope.error.as_ref().expect("a failed envelope has an error");
    (error.kind, &error.message)
}

/// A global `echo(x)` that returns its argument.
pub fn echo() -> InProcessTools {
    InProcessTools::new().tool(ToolSpec::new(None, "echo"), |args| async move { Ok(args.into()) })
}

/// The `codemode` binary with `args` and `stdin`: exit code, stdout, stderr.
pub fn codemode(args: &[&str], stdin: &str) -> (i32, String, String) {
    codemode_with_env(args, stdin, &[])
}

/// [`codemode`] with these variables added to its environment.
pub fn codemode_with_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A usage error exits before reading stdin, so the write may find the
    // pipe closed; the exit code tells.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}
