//! Two `codemode serve --http` replicas sharing a state key behind a real
//! load balancer (HAProxy, round robin per request, as Debian packages it):
//! a program's approval round trip on protocol 2026-07-28 pauses on one
//! replica and completes on the other. Each replica has its own memory
//! server and file, so the files show where each call was made, and that
//! the call made before the pause was not made again.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::http::real::Codemode;
use crate::interop::{graph, memory_config, memory_file};
use crate::mcp::TempFile;

/// `create_relations` needs approval; everything else does not.
fn replica_config(graph: &TempFile, name: &str) -> TempFile {
    memory_config(graph, name, json!({ "approve": ["create_relations"] }))
}

fn haproxy() -> String {
    let found = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].into_iter().find(|path| std::path::Path::new(path).exists());
    found
        .expect(
            "haproxy is missing: install it (Debian: apt-get install haproxy; .ci/run does) to run the replica test",
        )
        .to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn an_approval_round_trip_completes_on_the_other_replica() {
    let key = TempFile::new("replicas-key", &"3c".repeat(32));
    let (graph_a, graph_b) = (memory_file("replicas-a.jsonl"), memory_file("replicas-b.jsonl"));
    let (config_a, config_b) =
        (replica_config(&graph_a, "replicas-a.json"), replica_config(&graph_b, "replicas-b.json"));
    let args = ["--state-key-file", key.0.to_str().unwrap()];
    let a = Codemode::start_with(&config_a.0, &[], &args).await;
    let b = Codemode::start_with(&config_b.0, &[], &args).await;
    let backend = |url: &str| url.trim_start_matches("http://").trim_end_matches("/mcp").to_owned();

    let port = free_port();
    let config = format!(
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n\
         frontend mcp\n  bind 127.0.0.1:{port}\n  default_backend replicas\n\
         backend replicas\n  balance roundrobin\n  server a {}\n  server b {}\n",
        backend(&a.url),
        backend(&b.url)
    );
    let haproxy_config = TempFile::new("replicas-haproxy.cfg", &config);
    let mut balancer = tokio::process::Command::new(haproxy())
        .args(["-db", "-f"])
        .arg(&haproxy_config.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("haproxy starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // One live write, then one that waits for approval: the round trip
    // that answers it goes to whichever replica did not pause.
    let program = "await memory.create_entities({ entities: [{ name: 'x', entityType: 't', observations: [] }, { name: 'y', entityType: 't', observations: [] }] });\n\
                   await memory.create_relations({ relations: [{ from: 'x', to: 'y', relationType: 'knows' }] });\n\
                   return 'done';";
    let url = format!("http://127.0.0.1:{port}/mcp");
    let report = crate::asking::client(&["http", "--era", "2026-07-28", &url], &[program]).await;
    let run = &report["programs"][0];
    assert_eq!(run["structured"]["value"], "done", "{run:#}");
    assert_eq!(run["rounds"], 1);
    let (files_a, files_b) = (graph(&graph_a), graph(&graph_b));
    let entities = ["x".to_owned(), "y".to_owned()];
    let relation = ["x->y".to_owned()];
    assert!(
        (files_a == entities && files_b == relation) || (files_a == relation && files_b == entities),
        "the pause and the retry landed on different replicas, each call made once: a {files_a:?}, b {files_b:?}"
    );
    balancer.kill().await.unwrap();
}
