//! The rules of reading a config: transport types, the two shapes merged in
//! file order, ignored and disabled entries, comments, relative `cwd`s and
//! what counts as an SSE URL.

use std::path::PathBuf;

use super::*;

#[test]
fn type_is_inferred_or_explicit() {
    let config = parse(
        r#"{"servers": {
            "a": {"command": "x"},
            "b": {"url": "https://h/mcp"},
            "c": {"type": "stdio", "command": "x"},
            "d": {"type": "http", "url": "HTTPS://h/mcp"},
            "e": {"type": "streamable-http", "url": "http://h:1"},
            "f": {"type": "streamableHttp", "url": "https://h/sse"}
        }}"#,
    )
    .unwrap();
    let kinds: Vec<bool> = config.servers.iter().map(|s| matches!(s.transport, Transport::Stdio { .. })).collect();
    assert_eq!(kinds, [true, false, true, false, false, false]);
}

#[test]
fn both_shapes_merge_in_file_order() {
    let config = parse(
        r#"{"servers": {"v1": {"command": "x"}, "v2": {"command": "x"}},
            "inputs": [{"id": "unused", "type": "promptString"}],
            "mcpServers": {"m1": {"command": "x"}}}"#,
    )
    .unwrap();
    let names: Vec<&str> = config.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["v1", "v2", "m1"]);
}

#[test]
fn file_order_is_kept_not_sorted() {
    let config =
        parse(r#"{"mcpServers": {"zeta": {"command": "z", "env": {"B": "1", "A": "2"}}, "alpha": {"command": "a"}}}"#)
            .unwrap();
    assert_eq!(config.servers[0].name, "zeta");
    assert_eq!(config.servers[1].name, "alpha");
    let Transport::Stdio { env, .. } = &config.servers[0].transport else { panic!() };
    assert_eq!(env, &pairs(&[("B", "1"), ("A", "2")]));
}

#[test]
fn unknown_keys_are_ignored() {
    let config = parse(
        r#"{"mcpServers": {"a": {"command": "x", "autoApprove": ["t"], "alwaysAllow": ["t"],
            "timeout": 60, "description": "d", "disabled": false, "headers": {"ignored": 1}}},
            "globalShortcut": "", "mcpServers_backup": 7}"#,
    )
    .unwrap();
    assert_eq!(config.servers, [stdio("a", "x", &[], &[])]);
}

#[test]
fn disabled_entries_are_skipped_unchecked() {
    let config = parse(
        r#"{"servers": {"off": {"disabled": true, "type": "sse", "command": "${NOPE}", "url": 5},
            "on": {"command": "x"}}}"#,
    )
    .unwrap();
    assert_eq!(config.servers, [stdio("on", "x", &[], &[])]);
}

#[test]
fn empty_server_maps_are_valid() {
    assert_eq!(parse(r#"{"mcpServers": {}}"#).unwrap().servers, []);
}

#[test]
fn jsonc_comments_and_trailing_commas() {
    let config = parse(
        "\u{feff}{\n  // servers\n  \"servers\": { /* one */ \"a\": {\"command\": \"x\", \"args\": [\"y\",],},\n  },\n}",
    )
    .unwrap();
    assert_eq!(config.servers, [stdio("a", "x", &["y"], &[])]);
}

#[test]
fn relative_cwd_resolves_against_the_file_only_when_loading() {
    let text = r#"{"servers": {"a": {"command": "x", "cwd": "sub/dir"}, "b": {"command": "x", "cwd": "/abs"}}}"#;
    let cwds = |config: Config| -> Vec<Option<PathBuf>> {
        config
            .servers
            .into_iter()
            .map(|s| match s.transport {
                Transport::Stdio { cwd, .. } => cwd,
                Transport::Http { .. } => None,
            })
            .collect()
    };
    assert_eq!(cwds(parse(text).unwrap()), [Some(PathBuf::from("sub/dir")), Some(PathBuf::from("/abs"))]);
    let cursor = fixtures().join("cursor.json");
    let local = load("cursor.json").servers.into_iter().find(|s| s.name == "local-tools");
    assert!(matches!(
        local.unwrap().transport,
        Transport::Stdio { cwd: Some(cwd), .. } if cwd == cursor.parent().unwrap().join("tools")
    ));
}

#[test]
fn explicit_http_type_accepts_a_url_ending_in_sse() {
    let config = parse(r#"{"servers": {"a": {"type": "http", "url": "https://h/sse"}}}"#).unwrap();
    assert_eq!(config.servers, [http("a", "https://h/sse", &[])]);
}

#[test]
fn a_host_named_sse_is_not_an_sse_path() {
    let config = parse(r#"{"servers": {"a": {"url": "https://sse"}}}"#).unwrap();
    assert_eq!(config.servers, [http("a", "https://sse", &[])]);
}
