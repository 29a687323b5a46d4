//! Journals: a recorded execution replays to the same envelope with no tool
//! called, whatever order its calls completed in and whatever it read from
//! the clocks and the random source; a replay that meets another call stops
//! with `replay_diverged`; a resume answers matching calls from the record
//! and makes the rest.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codemode::journal::Journal;
use codemode::{
    Envelope, ExecuteOptions, InProcessTools, ProgramErrorKind, ToolCallError, ToolCallErrorKind, ToolProvider,
    ToolSpec,
};
use serde_json::{Value, json};

use crate::support::{codemode, executor};

/// `slow({n})` answers after 0 to 4 ms (so calls in flight complete in a
/// different order each run) with `n` and how many calls it had seen;
/// `write({k})` logs `k`; `flaky()` fails its first call only; `fail()`
/// always fails.
fn tools(writes: Arc<Mutex<Vec<String>>>) -> Arc<dyn ToolProvider> {
    let seen = Arc::new(AtomicU32::new(0));
    let flaky = Arc::new(AtomicU32::new(0));
    let tools = InProcessTools::new()
        .tool(ToolSpec::new(None, "slow"), move |args: Value| {
            let seen = seen.fetch_add(1, Ordering::SeqCst);
            let jitter = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() % 5;
            async move {
                tokio::time::sleep(Duration::from_millis(jitter.into())).await;
                Ok(json!({ "n": args["n"], "seen": seen }).into())
            }
        })
        .tool(ToolSpec::new(None, "write"), move |args: Value| {
            writes.lock().unwrap().push(args["k"].as_str().unwrap_or("?").to_owned());
            async move { Ok(json!({ "written": args["k"] }).into()) }
        })
        .tool(ToolSpec::new(None, "flaky"), move |_| {
            let failed_before = flaky.fetch_add(1, Ordering::SeqCst) > 0;
            async move {
                if failed_before {
                    Ok(json!("fine").into())
                } else {
                    Err(ToolCallError::new(ToolCallErrorKind::Unavailable, "down for a moment"))
                }
            }
        })
        .tool(ToolSpec::new(None, "fail"), |_| async {
            Err(ToolCallError::new(ToolCallErrorKind::ToolFailed, "no").with_details(json!({ "why": "because" })))
        });
    Arc::new(tools)
}

async fn execute(source: &str, tools: Arc<dyn ToolProvider>, options: &ExecuteOptions) -> Envelope {
    executor().execute(source, tools, options).await.expect("the sandbox runs")
}

/// Records `source` live, then replays the journal (through its file form)
/// with the journal's own tools.
async fn record_and_replay(source: &str) -> (Envelope, Envelope) {
    let tools = tools(Arc::default());
    let mut live = execute(source, tools.clone(), &ExecuteOptions::new().recording()).await;
    let recorded = live.journal.take().expect("a journal").with_tools(&tools.tools());
    let journal = Journal::from_file(&recorded.to_file()).expect("it reads back");
    let provider = journal.provider();
    let replayed = execute(source, provider, &ExecuteOptions::new().replaying(Arc::new(journal))).await;
    (live, replayed)
}

/// What must be the same in a replay: everything but the timings.
fn observable(envelope: &Envelope) -> Value {
    json!({
        "ok": envelope.ok,
        "value": envelope.value,
        "error": envelope.error,
        "logs": envelope.logs,
        "tool_calls": envelope.receipt.tool_calls,
        "fuel": envelope.receipt.fuel_used,
    })
}

#[tokio::test]
async fn replays_reproduce_the_envelope_whatever_the_order_clocks_and_randomness() {
    let programs = [
        // Completion order, exposed.
        "const order = []; await Promise.all([1, 2, 3, 4, 5].map(async (n) => { await slow({ n }); order.push(n); })); return order;",
        // The winner of a race.
        "const first = await Promise.race([slow({ n: 1 }), slow({ n: 2 }), slow({ n: 3 })]); return first;",
        // Clocks and random numbers.
        "const a = await Promise.all([slow({ n: 1 }), slow({ n: 2 })]); return { a, now: Date.now(), date: new Date().toISOString(), r: [Math.random(), Math.random()], id: crypto.randomUUID(), bytes: Array.from(crypto.getRandomValues(new Uint8Array(4))) };",
        // Timers racing calls, and how long things took.
        "const t0 = performance.now(); await new Promise((ok) => setTimeout(ok, 3)); const w = await Promise.race([slow({ n: 1 }), new Promise((ok) => setTimeout(() => ok('timer'), 2))]); return { w, took: performance.now() - t0 };",
        // Logs, a caught tool error and an uncaught one, located.
        "console.log('start', Math.random());\nawait slow({ n: 1 });\ntry { await fail(); } catch (e) { console.warn(e.code, JSON.stringify(e.details)); }\nawait fail();",
        // A runtime error after calls.
        "const { seen } = await slow({ n: Date.now() % 7 });\nif (seen >= 0) null.f;",
    ];
    for source in programs {
        for _ in 0..3 {
            let (live, replayed) = record_and_replay(source).await;
            assert_eq!(observable(&replayed), observable(&live), "{source}");
            assert_eq!(replayed.receipt.replayed_calls, live.receipt.tool_calls, "{source}");
        }
    }
}

#[tokio::test]
async fn a_replay_that_meets_another_call_diverges_naming_both() {
    let mut live = execute(
        "await slow({ n: 1 }); await slow({ n: 2 }); return 1",
        tools(Arc::default()),
        &ExecuteOptions::new().recording(),
    )
    .await;
    let journal = Arc::new(live.journal.take().unwrap().with_tools(&tools(Arc::default()).tools()));
    let cases = [
        (
            "await slow({ n: 1 }); await slow({ n: 9 }); return 1",
            r#"calls slow({"n":9}) where the journal has slow({"n":2})"#,
        ),
        ("await slow({ n: 1 }); await slow({ n: 2 }); await slow({ n: 3 }); return 1", "journal has nothing more"),
        (
            "await Promise.all([slow({ n: 1 }), slow({ n: 2 })]); return 1",
            r#"calls slow({"n":2}) where the journal has a wait"#,
        ),
    ];
    for (source, expected) in cases {
        let envelope = execute(source, journal.provider(), &ExecuteOptions::new().replaying(journal.clone())).await;
        let error = envelope.error.as_ref().unwrap_or_else(|| panic!("{source} replayed: {}", envelope.value));
        assert_eq!(error.kind, ProgramErrorKind::ReplayDiverged, "{source}");
        assert!(
            error.message.starts_with("replay diverged: ") && error.message.contains(expected),
            "{source}: {}",
            error.message
        );
    }
    // Nothing the program catches: a divergence is not a ToolError.
    let source = "try { await slow({ n: 5 }); } catch { return 'caught'; }";
    let envelope = execute(source, journal.provider(), &ExecuteOptions::new().replaying(journal.clone())).await;
    assert_eq!(envelope.error.map(|e| e.kind), Some(ProgramErrorKind::ReplayDiverged));
}

#[tokio::test]
async fn a_resume_answers_the_matching_calls_and_makes_the_rest() {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let failed = "await write({ k: 'a' }); await write({ k: 'b' }); throw new Error('typo');";
    let mut envelope = execute(failed, tools(writes.clone()), &ExecuteOptions::new().recording()).await;
    assert!(!envelope.ok);
    let journal = Arc::new(envelope.journal.take().unwrap());
    assert_eq!(*writes.lock().unwrap(), ["a", "b"]);

    let fixed = "const a = await write({ k: 'a' }); await write({ k: 'b' }); await write({ k: 'c' }); return a;";
    let envelope = execute(fixed, tools(writes.clone()), &ExecuteOptions::new().resuming(journal.clone())).await;
    assert_eq!(envelope.value, json!({ "written": "a" }), "{:?}", envelope.error);
    assert_eq!((envelope.receipt.replayed_calls, envelope.receipt.tool_calls), (2, 3));
    assert_eq!(*writes.lock().unwrap(), ["a", "b", "c"], "a and b were not written again");

    // From the first call that differs, every call is made.
    let changed = "await write({ k: 'a' }); await write({ k: 'B' }); await write({ k: 'b' }); return 1;";
    let envelope = execute(changed, tools(writes.clone()), &ExecuteOptions::new().resuming(journal)).await;
    assert_eq!(envelope.receipt.replayed_calls, 1);
    assert_eq!(*writes.lock().unwrap(), ["a", "b", "c", "B", "b"]);
}

#[tokio::test]
async fn a_resume_makes_a_recorded_failure_again() {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let tools = tools(writes.clone());
    let source = "await write({ k: 'a' }); const f = await flaky(); await write({ k: f }); return f;";
    let mut failed = execute(source, tools.clone(), &ExecuteOptions::new().recording()).await;
    assert_eq!(failed.error.as_ref().and_then(|e| e.code.as_deref()), Some("unavailable"));
    let journal = Arc::new(failed.journal.take().unwrap());
    let resumed = execute(source, tools, &ExecuteOptions::new().resuming(journal)).await;
    assert_eq!(resumed.value, json!("fine"), "{:?}", resumed.error);
    assert_eq!(resumed.receipt.replayed_calls, 1);
    assert_eq!(*writes.lock().unwrap(), ["a", "fine"]);
}

#[test]
fn codemode_run_records_and_replays_a_real_server_without_it() {
    let dir = std::env::temp_dir().join(format!("codemode-journal-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    let servers =
        json!({ "mcpServers": { "demo": { "command": env!("CARGO_BIN_EXE_codemode"), "args": ["demo-server"] } } });
    std::fs::write(&config, servers.to_string()).unwrap();
    let program = dir.join("program.ts");
    let source = "const [t, c] = await Promise.all([demo.get_today(), demo.list_customers({ limit: 2 })]);\n\
                  console.log(Date.now() > 0, Math.random());\nreturn { t, c, id: crypto.randomUUID() };\n";
    std::fs::write(&program, source).unwrap();
    let journal = dir.join("journal.json");
    let run = |args: &[&std::ffi::OsStr]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_codemode")).arg("run").args(args).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (status, live, stderr) =
        run(&["--config".as_ref(), config.as_os_str(), "--record".as_ref(), journal.as_os_str(), program.as_os_str()]);
    assert_eq!(status, Some(0), "{stderr}");
    // No config: the journal is all the replay has.
    let (status, replayed, stderr) = run(&["--replay".as_ref(), journal.as_os_str(), program.as_os_str()]);
    assert_eq!(status, Some(0), "{stderr}");
    let strip = |text: &str| {
        let mut envelope: Value = serde_json::from_str(text).unwrap();
        envelope["receipt"] = Value::Null;
        envelope
    };
    assert_eq!(strip(&replayed), strip(&live));

    // A truncated and an edited journal are refused before anything runs.
    let text = std::fs::read_to_string(&journal).unwrap();
    for (name, broken, expected) in [
        ("truncated", text[..text.len() * 2 / 3].to_owned(), "truncated"),
        ("edited", text.replacen("customer", "kustomer", 1), "changed after it was recorded"),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, broken).unwrap();
        let (status, stdout, stderr) = run(&["--replay".as_ref(), file.as_os_str(), program.as_os_str()]);
        assert_ne!(status, Some(0), "{name}: {stdout}");
        assert!(stderr.contains(expected) && stdout.is_empty(), "{name}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_journal_path_that_cannot_be_written_refuses_the_run_before_any_server_starts() {
    let dir = std::env::temp_dir().join(format!("codemode-journal-refused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The server leaves a mark when it starts: the program's calls would reach it.
    let started = dir.join("started");
    let script = format!("touch '{}' && exec '{}' demo-server", started.display(), env!("CARGO_BIN_EXE_codemode"));
    let servers = json!({ "mcpServers": { "demo": { "command": "sh", "args": ["-c", script] } } });
    let config = dir.join("config.json");
    std::fs::write(&config, servers.to_string()).unwrap();
    let program = "return (await demo.get_today({})).today";
    let unwritable = dir.join("no-such-dir/run.journal");

    let (config, unwritable) = (config.to_str().unwrap(), unwritable.to_str().unwrap());
    let (status, stdout, stderr) = codemode(&["run", "--config", config, "--record", unwritable, "-"], program);
    let message = format!(
        "codemode: --record {}: the journal cannot be written there, so nothing was run: No such file or directory \
         (os error 2)\n",
        unwritable
    );
    assert_eq!((status, stdout.as_str(), stderr.as_str()), (2, "", message.as_str()));
    assert!(!started.exists(), "the server was started");

    // The same run with a journal it can write starts the server.
    let writable = dir.join("run.journal");
    let (status, stdout, stderr) =
        codemode(&["run", "--config", config, "--record", writable.to_str().unwrap(), "-"], program);
    assert_eq!(status, 0, "{stdout}{stderr}");
    assert!(started.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_journal_that_fails_to_write_at_the_end_still_prints_the_envelope() {
    // /dev/full opens, and every write to it fails.
    let (status, stdout, stderr) = codemode(&["run", "--record", "/dev/full", "-"], "return 1 + 1");
    let envelope: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"));
    assert_eq!((status, &envelope["value"]), (2, &json!(2)), "{stderr}");
    assert_eq!(stderr, "codemode: writing the journal /dev/full: No space left on device (os error 28)\n");
}

/// Asks every question later: executions pause.
struct Later;

impl codemode::input::Asker for Later {
    fn ask(&self, _: &codemode::input::Question) -> codemode::input::Asking {
        codemode::input::Asking::Later
    }
}

/// `write` of [`tools`], needing approval.
fn approving(writes: Arc<Mutex<Vec<String>>>) -> Arc<dyn ToolProvider> {
    let mut spec = ToolSpec::new(None, "pay");
    spec.asks = Some(codemode::tools::Asks::Approval);
    let tools = InProcessTools::new()
        .tool(spec, move |args: Value| {
            writes.lock().unwrap().push(args["to"].as_str().unwrap_or("?").to_owned());
            async move { Ok(json!({ "paid": args["to"] }).into()) }
        })
        .tool(ToolSpec::new(None, "slow"), |args: Value| async move {
            tokio::time::sleep(Duration::from_millis(2)).await;
            Ok(args.into())
        });
    Arc::new(tools)
}

#[tokio::test]
async fn a_paused_execution_continues_from_its_journal_with_the_answers() {
    use codemode::input::{Answer, Question};
    let writes = Arc::new(Mutex::new(Vec::new()));
    let tools = approving(writes.clone());
    let source = "const r = Math.random(); console.log(String(r)); const before = await slow({ n: 1 });\n\
                  const paid = await Promise.allSettled([pay({ to: 'ann' }), pay({ to: 'bob' }), slow({ n: 2 })]);\n\
                  const again = await pay({ to: 'cy' });\n\
                  return { r, before, paid: paid.map((p) => p.status === 'fulfilled' ? p.value : p.reason.code), again };";
    let options = || ExecuteOptions::new().recording().with_asker(Arc::new(Later));
    let mut first = execute(source, tools.clone(), &options()).await;
    assert_eq!(first.error.as_ref().map(|e| e.kind), Some(ProgramErrorKind::InputRequired), "{:?}", first.value);
    let asked: Vec<_> = first.questions.iter().map(|(_, q)| q.clone()).collect();
    assert_eq!(
        asked,
        [
            Question::Approval { tool: "pay".into(), arguments: json!({ "to": "ann" }) },
            Question::Approval { tool: "pay".into(), arguments: json!({ "to": "bob" }) },
        ]
    );
    assert!(writes.lock().unwrap().is_empty(), "nothing paid before the answers");

    // Ann yes, Bob no: the program goes on to ask about Cy.
    let mut journal = first.journal.take().unwrap();
    journal.answer(first.questions[0].0, Answer::Accept);
    journal.answer(first.questions[1].0, Answer::Decline);
    let mut second = execute(source, tools.clone(), &options().continuing(Arc::new(journal))).await;
    assert_eq!(second.error.as_ref().map(|e| e.kind), Some(ProgramErrorKind::InputRequired));
    assert_eq!(second.questions.len(), 1);
    assert_eq!(*writes.lock().unwrap(), ["ann"]);

    let mut journal = second.journal.take().unwrap();
    journal.answer(second.questions[0].0, Answer::Accept);
    let third = execute(source, tools, &options().continuing(Arc::new(journal))).await;
    assert!(third.ok, "{:?}", third.error);
    assert_eq!(third.value["paid"], json!([{ "paid": "ann" }, "declined", { "n": 2 }]));
    assert_eq!(third.value["again"], json!({ "paid": "cy" }));
    assert_eq!(third.value["r"].to_string(), first.logs[0].message, "the random seed carried over");
    assert_eq!(third.logs, first.logs, "the replayed part logs as the first run did");
    assert_eq!(*writes.lock().unwrap(), ["ann", "cy"], "no call made twice");
}

#[tokio::test]
async fn a_resume_makes_again_a_call_that_had_not_completed_and_keeps_resuming() {
    let writes = Arc::new(Mutex::new(Vec::new()));
    let failed = "const pending = slow({ n: 1 }); await write({ k: 'a' }); throw new Error('typo');";
    let mut envelope = execute(failed, tools(writes.clone()), &ExecuteOptions::new().recording()).await;
    let journal = Arc::new(envelope.journal.take().unwrap());
    let fixed = "const pending = slow({ n: 1 }); await write({ k: 'a' }); return (await pending).n;";
    let resumed = execute(fixed, tools(writes.clone()), &ExecuteOptions::new().resuming(journal)).await;
    assert_eq!(resumed.value, json!(1), "{:?}", resumed.error);
    assert_eq!(resumed.receipt.replayed_calls, 1, "the write, answered; the slow call, made again");
    assert_eq!(*writes.lock().unwrap(), ["a"]);
}
