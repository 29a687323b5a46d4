//! The `codemode run` command: the envelope on stdout and an exit code that
//! tells success, program failure and usage error apart.

use std::io::Write;
use std::process::{Command, Stdio};

fn run_cli(args: &[&str], stdin: &str) -> (i32, serde_json::Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let envelope = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap(), envelope, String::from_utf8(output.stderr).unwrap())
}

#[test]
fn a_program_that_returns_exits_zero() {
    let (code, envelope, _) = run_cli(&["run", "-"], "return 1 + 1");
    assert_eq!((code, &envelope["ok"], &envelope["value"]), (0, &true.into(), &2.into()));
}

#[test]
fn a_program_that_fails_exits_one_with_the_envelope() {
    let (code, envelope, _) = run_cli(&["run", "-"], "throw new Error('no')");
    assert_eq!(code, 1);
    assert_eq!(envelope["error"]["kind"], "runtime");
}

#[test]
fn limits_are_flags() {
    let (code, envelope, _) = run_cli(&["run", "--fuel", "100000000", "-"], "while (true) {}");
    assert_eq!((code, &envelope["error"]["kind"]), (1, &"cpu".into()));
}

#[test]
fn usage_errors_exit_two() {
    let (code, _, stderr) = run_cli(&["run", "/no/such/program.js"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("/no/such/program.js"), "{stderr}");
    let (code, _, stderr) = run_cli(&["run", "--memory-mib", "1", "-"], "1");
    assert_eq!(code, 2);
    assert!(stderr.contains("memory limit"), "{stderr}");
}

#[test]
fn typescript_runs_and_its_errors_point_at_the_source_as_submitted() {
    let program = "interface P { x: number }\nfunction id<T>(v: T): T { return v }\nreturn id<P>({ x: 2 } as P).x satisfies number;";
    let (code, envelope, _) = run_cli(&["run", "-"], program);
    assert_eq!((code, &envelope["value"]), (0, &2.into()), "{envelope}");

    // `null` is at column 47 of line 2 as written (34 once the types are gone).
    let program =
        "interface P { x: number }\nconst p: P = { x: 1 } as P; const q = <any>p; null.f(q as unknown as string);";
    let (_, envelope, _) = run_cli(&["run", "-"], program);
    let error = &envelope["error"];
    assert_eq!(
        (&error["kind"], &error["line"], &error["column"]),
        (&"runtime".into(), &2.into(), &47.into()),
        "{error}"
    );
    assert_eq!(error["stack"], "    at <anonymous> (program.ts:2:47)");

    let (code, envelope, _) = run_cli(&["run", "-"], "const a = 1;\nenum Color { Red }");
    let error = &envelope["error"];
    assert_eq!((code, &error["kind"], &error["line"], &error["column"]), (1, &"syntax".into(), &2.into(), &1.into()));
    assert!(error["message"].as_str().unwrap().contains("enum"), "{error}");
}

#[test]
fn serve_refuses_an_execution_cap_it_cannot_hold() {
    let config = crate::serve::demo_config_file().to_str().unwrap();
    for cap in ["0", "99999999999999"] {
        let (code, _, stderr) = run_cli(&["serve", "--config", config, "--max-executions", cap], "");
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("max_concurrent_executions must be between 1 and 65536"), "{stderr}");
    }
}
