//! The `codemode run` command: the envelope on stdout and an exit code that
//! tells success, program failure and usage error apart.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn run_cli(args: &[&str], stdin: &str) -> (i32, serde_json::Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads stdin may exit first: the pipe is
    // then closed, which is no failure of the test.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
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
}

/// `test_name: flags => the one line on stderr;` `run` and `serve` both
/// refuse each with exit code 2 before anything starts (`serve` before it
/// reads its config file, which does not exist here).
macro_rules! invalid_limit_flags {
    ($($name:ident: [$($flag:literal),*] => $message:literal;)*) => {$(
        #[test]
        fn $name() {
            let flags = [$($flag),*];
            let run: Vec<&str> = ["run"].into_iter().chain(flags).chain(["-"]).collect();
            let serve: Vec<&str> =
                ["serve", "--config", "/no/such/config.json"].into_iter().chain(flags).collect();
            for args in [run, serve] {
                let (code, _, stderr) = run_cli(&args, "return 1");
                assert_eq!((code, stderr.as_str()), (2, concat!("codemode: ", $message, "\n")), "{args:?}");
            }
        }
    )*};
}

invalid_limit_flags! {
    fuel_zero: ["--fuel", "0"] => "invalid --fuel: fuel must be at least 1000000 (got 0)";
    fuel_below_the_start_cost: ["--fuel", "999999"] => "invalid --fuel: fuel must be at least 1000000 (got 999999)";
    memory_too_small: ["--memory-mib", "1"]
        => "invalid --memory-mib: memory must be between 8 MiB and 4096 MiB (got 1 MiB)";
    memory_beyond_wasm32: ["--memory-mib", "100000"]
        => "invalid --memory-mib: memory must be between 8 MiB and 4096 MiB (got 100000 MiB)";
    timeout_zero: ["--timeout-ms", "0"] => "invalid --timeout-ms: the timeout must be between 1 ms and 24 h (got 0 ms)";
    timeout_beyond_a_day: ["--timeout-ms", "86400001"]
        => "invalid --timeout-ms: the timeout must be between 1 ms and 24 h (got 86400001 ms)";
    no_concurrent_calls: ["--max-concurrent-calls", "0"]
        => "invalid --max-concurrent-calls: the concurrent tool calls must be at least 1 (got 0)";
    output_too_small: ["--output-bytes", "1023"]
        => "invalid --output-bytes: the output limit must be at least 1024 bytes (got 1023)";
}

#[test]
fn the_smallest_valid_limits_run_a_program() {
    let flags = ["--fuel", "1000000", "--memory-mib", "8", "--timeout-ms", "1000", "--max-concurrent-calls", "1"];
    let args: Vec<&str> = ["run"].into_iter().chain(flags).chain(["--output-bytes", "1024", "-"]).collect();
    let (code, envelope, stderr) = run_cli(&args, "return 1 + 1");
    assert_eq!((code, &envelope["value"]), (0, &2.into()), "{stderr}");
    let (code, envelope, stderr) = run_cli(&["run", "--memory-mib", "4096", "-"], "return 1 + 1");
    assert_eq!((code, &envelope["value"]), (0, &2.into()), "{stderr}");
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
        let message =
            format!("invalid --max-executions: the concurrent executions must be between 1 and 65536 (got {cap})");
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(&message), "{stderr}");
    }
}

/// A mistake in how to serve HTTP fails at once, before any configured
/// server is started (which may take a minute).
#[test]
fn serve_over_http_refuses_bad_options_and_a_taken_port_before_any_server_starts() {
    let dir = std::env::temp_dir().join(format!("codemode-cli-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let started = dir.join("started");
    let config = dir.join("config.json");
    let command = format!("touch '{}'; exec sleep 30", started.display());
    let servers = serde_json::json!({ "mcpServers": { "slow": { "command": "sh", "args": ["-c", command] } } });
    std::fs::write(&config, servers.to_string()).unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--http", "127.0.0.1:0", "--allow-host", "a b"],
            r#"allowed hosts (--allow-host): "a b" is not a host[:port]"#,
        ),
        (&["--http", "127.0.0.1:0", "--allow-origin", "localhost"], "--allow-origin"),
        (&["--http", &taken], &format!("binding {taken}")),
    ];
    for (flags, says) in cases {
        let args: Vec<&str> =
            ["serve", "--config", config.to_str().unwrap()].into_iter().chain(flags.iter().copied()).collect();
        let (code, _, stderr) = run_cli(&args, "");
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!started.exists(), "{flags:?} started a server before failing");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn misspelled_config_keys_are_warned_of_on_stderr_and_a_missing_command_says_why() {
    let path = std::env::temp_dir().join(format!("codemode-cli-typos-{}.json", std::process::id()));
    let codemode = env!("CARGO_BIN_EXE_codemode");
    let config = serde_json::json!({ "mcpServers": {
        "demo": { "command": codemode, "args": ["demo-server"], "evn": { "NODE_ENV": "production" }, "arg": ["-v"] },
    }});
    std::fs::write(&path, config.to_string()).unwrap();
    let (code, envelope, stderr) =
        run_cli(&["run", "--config", path.to_str().unwrap(), "-"], "return (await demo.get_today({})).today");
    assert_eq!((code, &envelope["value"]), (0, &"2025-06-15".into()), "the keys are ignored: {stderr}");
    let file = path.display();
    assert_eq!(
        stderr,
        format!(
            "codemode: warning: {file}: server \"demo\": unknown key \"evn\" is ignored; did you mean \"env\"?\n\
             codemode: warning: {file}: server \"demo\": unknown key \"arg\" is ignored; did you mean \"args\"?\n"
        )
    );

    std::fs::write(&path, r#"{"mcpServers": {"demo": {"comand": "npx"}}}"#).unwrap();
    let (code, _, stderr) = run_cli(&["types", "--config", path.to_str().unwrap()], "");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(code, 2);
    assert!(stderr.contains(r#"is set; is "comand" a misspelled "command"?"#), "{stderr}");
}

/// `test_name: [args] stdin, then N bytes read;` the command's stdout is a
/// pipe whose reader reads N bytes and leaves (as `| head -c N` does), which
/// is before the command has written the rest: it stops quietly, exit code 0
/// and nothing on stderr, as ripgrep does.
macro_rules! reader_gone {
    ($($name:ident: [$($arg:expr),*] $stdin:literal, then $bytes:literal bytes read;)*) => {$(
        #[test]
        fn $name() {
            let mut child = Command::new(env!("CARGO_BIN_EXE_codemode"))
                .args([$(std::ffi::OsStr::new($arg)),*])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let _ = child.stdin.take().unwrap().write_all($stdin.as_bytes());
            let mut stdout = child.stdout.take().unwrap();
            stdout.read_exact(&mut [0; $bytes]).unwrap();
            drop(stdout);
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_eq!((output.status.code(), stderr.as_str()), (Some(0), ""));
        }
    )*};
}

reader_gone! {
    run_with_the_reader_gone_at_once: ["run", "-"] r#"return "x".repeat(100000)"#, then 0 bytes read;
    run_with_the_reader_gone_midway: ["run", "-"] r#"return "x".repeat(100000)"#, then 10 bytes read;
    a_failed_run_with_the_reader_gone: ["run", "-"] r#"throw new Error("x")"#, then 0 bytes read;
    types_with_the_reader_gone: ["types", "--config", crate::serve::demo_config_file()] "", then 0 bytes read;
    demo_with_the_reader_gone_at_once: ["demo"] "", then 0 bytes read;
    demo_with_the_reader_gone_midway: ["demo"] "", then 10 bytes read;
}
