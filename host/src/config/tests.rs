//! Tests of the whole config module: the real file shapes (fixtures in
//! `tests/fixtures/configs/`), every error message, option layering and the
//! secret-redaction guarantees. Expansion, JSONC, duration and glob rules
//! have table tests beside their code.

use std::path::PathBuf;
use std::time::Duration;

use super::*;

/// Fixtures live at the workspace root; `CODEMODE_FIXTURES_CONFIGS`
/// overrides that for builds of this module outside the workspace.
fn fixtures() -> PathBuf {
    match std::env::var_os("CODEMODE_FIXTURES_CONFIGS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/configs")),
    }
}

/// The environment the fixtures are resolved with. `DATABASE_URL` and
/// `API_BASE_URL` are unset on purpose, to exercise defaults.
fn fixture_env(name: &str) -> Option<String> {
    let value = match name {
        "GITHUB_PAT" => "ghp_pat",
        "GITHUB_TOKEN" => "ghp_token",
        "API_KEY" => "api-key",
        "NOTION_TOKEN" => "ntn_token",
        "CONTEXT7_API_KEY" => "ctx7-key",
        "HOME" => "/home/ada",
        "EMPTY" => "",
        _ => return None,
    };
    Some(value.to_owned())
}

fn load(name: &str) -> Config {
    let path = fixtures().join(name);
    Config::load_with_env(&path, &fixture_env).unwrap_or_else(|err| panic!("{err}"))
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_json_str(text, &fixture_env)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn stdio(name: &str, command: &str, args: &[&str], env: &[(&str, &str)]) -> ServerConfig {
    ServerConfig {
        name: name.to_owned(),
        transport: Transport::Stdio { command: command.to_owned(), args: strings(args), env: pairs(env), cwd: None },
        options: ServerOptions::default(),
    }
}

fn http(name: &str, url: &str, headers: &[(&str, &str)]) -> ServerConfig {
    ServerConfig {
        name: name.to_owned(),
        transport: Transport::Http { url: url.to_owned(), headers: pairs(headers) },
        options: ServerOptions::default(),
    }
}

// ---- The file shapes users already have ----

#[test]
fn claude_desktop() {
    let fs_args = ["-y", "@modelcontextprotocol/server-filesystem", "/Users/ada/Desktop", "/Users/ada/Downloads"];
    let docker_args = ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"];
    let token = [("GITHUB_PERSONAL_ACCESS_TOKEN", "ghp_fixtureFixtureFixtureFixture0000")];
    let sqlite_args = ["mcp-server-sqlite", "--db-path", "/Users/ada/test.db"];
    assert_eq!(
        load("claude_desktop.json").servers,
        [
            stdio("filesystem", "npx", &fs_args, &[]),
            stdio("github", "docker", &docker_args, &token),
            stdio("sqlite", "uvx", &sqlite_args, &[]),
        ]
    );
}

#[test]
fn claude_code() {
    let dbhub_args = ["-y", "@bytebase/dbhub", "--transport", "stdio", "--dsn", "postgres://localhost:5432/dev"];
    assert_eq!(
        load("claude_code_mcp.json").servers,
        [
            http("github", "https://api.githubcopilot.com/mcp/", &[("Authorization", "Bearer ghp_pat")]),
            http("sentry", "https://mcp.sentry.dev/mcp", &[]),
            stdio("dbhub", "npx", &dbhub_args, &[]),
            http("internal-api", "https://api.example.com/mcp", &[("X-API-Key", "api-key")]),
        ]
    );
}

#[test]
fn cursor() {
    let dir = fixtures();
    let mut local = stdio("local-tools", "python3", &["server.py", "--verbose"], &[]);
    if let Transport::Stdio { cwd, .. } = &mut local.transport {
        *cwd = Some(dir.join("tools"));
    }
    assert_eq!(
        load("cursor.json").servers,
        [
            http("linear", "https://mcp.linear.app/mcp", &[]),
            stdio("playwright", "npx", &["@playwright/mcp@latest"], &[]),
            stdio("notion", "npx", &["-y", "@notionhq/notion-mcp-server"], &[("NOTION_TOKEN", "ntn_token")]),
            http("context7", "https://mcp.context7.com/mcp", &[("CONTEXT7_API_KEY", "ctx7-key")]),
            local,
        ]
    );
}

#[test]
fn vscode() {
    let memory_env = [("MEMORY_FILE_PATH", "/home/ada/.mcp/memory.json")];
    assert_eq!(
        load("vscode.json").servers,
        [
            http("github", "https://api.githubcopilot.com/mcp/", &[("Authorization", "Bearer ghp_token")]),
            stdio("fetch", "uvx", &["mcp-server-fetch"], &[]),
            stdio("memory", "npx", &["-y", "@modelcontextprotocol/server-memory"], &memory_env),
        ]
    );
}

#[test]
fn codemode_options() {
    let config = load("codemode_options.json");
    let options: Vec<_> = config.servers.iter().map(|s| (s.name.as_str(), &s.options)).collect();
    let with = |allow: &[&str], deny: &[&str], timeout_ms, max| ServerOptions {
        allow: strings(allow),
        deny: strings(deny),
        secrets: Vec::new(),
        approve: Approve::Nothing,
        call_timeout: Duration::from_millis(timeout_ms),
        start_timeout: DEFAULT_START_TIMEOUT,
        max_concurrent_calls: max,
    };
    assert_eq!(
        options,
        [
            ("github", &with(&["get_*", "list_*", "search_*"], &["*delete*"], 30_000, 4)),
            ("docs", &with(&["*"], &[], 5_000, DEFAULT_SERVER_CONCURRENT_CALLS)),
            ("search", &with(&["*"], &["*delete*"], 120_000, DEFAULT_SERVER_CONCURRENT_CALLS)),
        ]
    );
    assert!(matches!(&config.servers[1].transport, Transport::Http { url, .. } if url == "http://127.0.0.1:8080/mcp"));
}

/// The loader's half of "the schema describes what we accept": every
/// top-level fixture is a valid file.
#[test]
fn every_valid_fixture_loads() {
    let mut count = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "json") {
            Config::load_with_env(&path, &fixture_env).unwrap_or_else(|err| panic!("{err}"));
            count += 1;
        }
    }
    assert!(count >= 5, "found {count} fixtures in {}", fixtures().display());
}

// ---- Invalid fixtures: each fails with the exact message ----

/// Each file in `invalid/`, and its error after the path.
const INVALID: &[(&str, &str)] = &[
    ("syntax.json", r#":5:7: invalid JSON: expected `,` or `}`"#),
    (
        "sse_type.json",
        r#": server "events": field "type": the SSE transport ("type": "sse") is not supported; use streamable HTTP ("type": "http")"#,
    ),
    (
        "sse_url.json",
        r#": server "events": field "url": the URL path ends in "/sse", the endpoint of the old SSE transport, which is not supported; use the server's streamable HTTP endpoint (often "/mcp"), or set "type": "http" if this URL does serve streamable HTTP"#,
    ),
    ("duplicate_server.json", r#": server "github": defined in both "mcpServers" and "servers""#),
    (
        "input_prompt.json",
        r#": server "perplexity": field "env.PERPLEXITY_API_KEY": VS Code input "perplexity-key" ("${input:perplexity-key}") cannot be prompted for; use an environment variable instead ("${env:NAME}")"#,
    ),
    ("no_transport.json", r#": server "memory": neither "command" (a stdio server) nor "url" (an HTTP server) is set"#),
    (
        "both_transports.json",
        r#": server "linear": both "command" and "url" are set; a server is either stdio ("command") or streamable HTTP ("url")"#,
    ),
    ("non_string_arg.json", r#": server "web": field "args[1]": expected a string, found a number"#),
    ("url_scheme.json", r#": server "realtime": field "url": the URL scheme "ws" is not supported; use http or https"#),
    ("empty_name.json", r#": field "mcpServers": a server name is empty"#),
    (
        "unset_variable.json",
        r#": server "slack": field "env.SLACK_BOT_TOKEN": variable "SLACK_BOT_TOKEN" is not set; set it, or give a default with "${SLACK_BOT_TOKEN:-default}""#,
    ),
    (
        "no_servers.json",
        r#": no "mcpServers" (Claude, Cursor) or "servers" (VS Code) object: this does not look like an MCP config file"#,
    ),
    (
        "env_file.json",
        r#": server "db": field "envFile": is not supported; set the variables in "env" instead (values may use "${NAME}")"#,
    ),
    (
        "unknown_option.json",
        r#": server "github": field "codemode.calltimeout": unknown codemode option; expected "tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls""#,
    ),
    (
        "bad_duration.json",
        r#": field "codemode.callTimeout": expected a positive duration: integer milliseconds, or a string like "30s", "500ms" or "2m", found "30 seconds""#,
    ),
];

#[test]
fn invalid_fixtures_fail_with_their_message() {
    let dir = fixtures().join("invalid");
    for (file, want) in INVALID {
        let path = dir.join(file);
        let err = Config::load_with_env(&path, &fixture_env).unwrap_err();
        assert_eq!(err.to_string(), format!("{}{want}", path.display()));
        assert_eq!(err.path(), Some(path.as_path()));
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut listed: Vec<String> = INVALID.iter().map(|(file, _)| (*file).to_owned()).collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(on_disk, listed, "every invalid fixture has an expected message");
}

#[test]
fn unreadable_file_names_the_path() {
    let path = fixtures().join("does-not-exist.json");
    let err = Config::load(&path).unwrap_err();
    assert!(matches!(err.kind(), ConfigErrorKind::Read(_)));
    let prefix = format!("{}: cannot read the config file: ", path.display());
    assert!(err.to_string().starts_with(&prefix), "{err}");
}

// ---- Every error message, inline ----

/// `test_name: file text => exact message;`
macro_rules! fails {
    ($($name:ident: $json:expr => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(parse($json).unwrap_err().to_string(), $want);
        }
    )*};
}

fails! {
    syntax_position: "{\n  \"servers\": {,}\n}"
        => "line 2, column 15: invalid JSON: key must be a string";
    syntax_eof: r#"{"servers": {"#
        => "line 1, column 13: invalid JSON: EOF while parsing an object";
    top_not_object: "[]"
        => "expected an object, found an array";
    no_servers: r#"{"mcp": {}}"#
        => r#"no "mcpServers" (Claude, Cursor) or "servers" (VS Code) object: this does not look like an MCP config file"#;
    servers_not_object: r#"{"servers": []}"#
        => r#"field "servers": expected an object, found an array"#;
    duplicate_top_key: r#"{"servers": {}, "servers": {}}"#
        => r#"key "servers" appears more than once"#;
    empty_name: r#"{"servers": {"": {"command": "x"}}}"#
        => r#"field "servers": a server name is empty"#;
    blank_name: r#"{"mcpServers": {"  ": {"command": "x"}}}"#
        => r#"field "mcpServers": a server name is empty"#;
    duplicate_in_one_map: r#"{"servers": {"a": {"command": "x"}, "a": {"command": "y"}}}"#
        => r#"server "a": defined twice in "servers""#;
    duplicate_across_maps: r#"{"servers": {"a": {"command": "x"}}, "mcpServers": {"a": {"command": "y"}}}"#
        => r#"server "a": defined in both "servers" and "mcpServers""#;
    duplicate_with_disabled: r#"{"servers": {"a": {"disabled": true}, "a": {"command": "y"}}}"#
        => r#"server "a": defined twice in "servers""#;
    entry_not_object: r#"{"servers": {"a": "npx server"}}"#
        => r#"server "a": expected an object, found a string"#;
    disabled_not_bool: r#"{"servers": {"a": {"command": "x", "disabled": "yes"}}}"#
        => r#"server "a": field "disabled": expected true or false, found a string"#;
    duplicate_field: r#"{"servers": {"a": {"command": "x", "command": "y"}}}"#
        => r#"server "a": key "command" appears more than once"#;
    no_transport: r#"{"servers": {"a": {"env": {}}}}"#
        => r#"server "a": neither "command" (a stdio server) nor "url" (an HTTP server) is set"#;
    misspelled_command: r#"{"servers": {"a": {"comand": "npx", "args": []}}}"#
        => r#"server "a": neither "command" (a stdio server) nor "url" (an HTTP server) is set; is "comand" a misspelled "command"?"#;
    misspelled_url: r#"{"servers": {"a": {"URL": "https://h/mcp"}}}"#
        => r#"server "a": neither "command" (a stdio server) nor "url" (an HTTP server) is set; is "URL" a misspelled "url"?"#;
    both_transports: r#"{"servers": {"a": {"command": "x", "url": "https://h/mcp"}}}"#
        => r#"server "a": both "command" and "url" are set; a server is either stdio ("command") or streamable HTTP ("url")"#;
    type_not_string: r#"{"servers": {"a": {"type": 1, "command": "x"}}}"#
        => r#"server "a": field "type": expected a string, found a number"#;
    unknown_type: r#"{"servers": {"a": {"type": "websocket", "url": "https://h/mcp"}}}"#
        => r#"server "a": field "type": unknown transport "websocket"; expected "stdio", "http", "streamable-http" or "streamableHttp""#;
    sse_type: r#"{"servers": {"github": {"type": "sse", "url": "https://h/events"}}}"#
        => r#"server "github": field "type": the SSE transport ("type": "sse") is not supported; use streamable HTTP ("type": "http")"#;
    sse_url_trailing_slash: r#"{"servers": {"a": {"url": "https://h/v1/sse/?x=1"}}}"#
        => r#"server "a": field "url": the URL path ends in "/sse", the endpoint of the old SSE transport, which is not supported; use the server's streamable HTTP endpoint (often "/mcp"), or set "type": "http" if this URL does serve streamable HTTP"#;
    stdio_without_command: r#"{"servers": {"a": {"type": "stdio", "args": []}}}"#
        => r#"server "a": field "command": missing, and "type": "stdio" needs it"#;
    http_without_url: r#"{"servers": {"a": {"type": "streamableHttp"}}}"#
        => r#"server "a": field "url": missing, and "type": "streamableHttp" needs it"#;
    http_with_command: r#"{"servers": {"a": {"type": "http", "command": "x"}}}"#
        => r#"server "a": field "url": missing, and "type": "http" needs it"#;
    command_not_string: r#"{"servers": {"a": {"command": ["npx", "x"]}}}"#
        => r#"server "a": field "command": expected a string, found an array"#;
    command_empty: r#"{"servers": {"a": {"command": "${EMPTY}"}}}"#
        => r#"server "a": field "command": must not be empty"#;
    args_not_array: r#"{"servers": {"a": {"command": "x", "args": "--stdio"}}}"#
        => r#"server "a": field "args": expected an array, found a string"#;
    arg_not_string: r#"{"servers": {"a": {"command": "x", "args": ["-p", 80]}}}"#
        => r#"server "a": field "args[1]": expected a string, found a number"#;
    arg_null: r#"{"servers": {"a": {"command": "x", "args": [null]}}}"#
        => r#"server "a": field "args[0]": expected a string, found null"#;
    env_not_object: r#"{"servers": {"a": {"command": "x", "env": ["A=1"]}}}"#
        => r#"server "a": field "env": expected an object, found an array"#;
    env_value_not_string: r#"{"servers": {"a": {"command": "x", "env": {"PORT": 80}}}}"#
        => r#"server "a": field "env.PORT": expected a string, found a number"#;
    env_duplicate: r#"{"servers": {"a": {"command": "x", "env": {"K": "1", "K": "2"}}}}"#
        => r#"server "a": field "env": key "K" appears more than once"#;
    env_file: r#"{"servers": {"a": {"command": "x", "envFile": ".env"}}}"#
        => r#"server "a": field "envFile": is not supported; set the variables in "env" instead (values may use "${NAME}")"#;
    cwd_empty: r#"{"servers": {"a": {"command": "x", "cwd": ""}}}"#
        => r#"server "a": field "cwd": must not be empty"#;
    url_not_string: r#"{"servers": {"a": {"url": 1}}}"#
        => r#"server "a": field "url": expected a string, found a number"#;
    url_scheme: r#"{"servers": {"a": {"url": "ftp://h/mcp"}}}"#
        => r#"server "a": field "url": the URL scheme "ftp" is not supported; use http or https"#;
    url_no_scheme: r#"{"servers": {"a": {"url": "localhost:3000/mcp"}}}"#
        => r#"server "a": field "url": the URL scheme "localhost" is not supported; use http or https"#;
    url_scheme_from_variable: r#"{"servers": {"a": {"url": "${HOME}:3000/mcp"}}}"#
        => r#"server "a": field "url": the URL must start with "http://" or "https://""#;
    url_no_host: r#"{"servers": {"a": {"url": "https:///mcp"}}}"#
        => r#"server "a": field "url": the URL has no host"#;
    url_empty: r#"{"servers": {"a": {"url": ""}}}"#
        => r#"server "a": field "url": the URL must start with "http://" or "https://""#;
    header_not_string: r#"{"servers": {"a": {"url": "https://h/mcp", "headers": {"X-Retries": 3}}}}"#
        => r#"server "a": field "headers.X-Retries": expected a string, found a number"#;
    unset_variable: r#"{"servers": {"a": {"command": "${NOPE}/bin/server"}}}"#
        => r#"server "a": field "command": variable "NOPE" is not set; set it, or give a default with "${NOPE:-default}""#;
    unset_in_arg: r#"{"servers": {"a": {"command": "x", "args": ["ok", "--dir=${env:NOPE}"]}}}"#
        => r#"server "a": field "args[1]": variable "NOPE" is not set; set it, or give a default with "${NOPE:-default}""#;
    input_in_header: r#"{"servers": {"a": {"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${input:token}"}}}}"#
        => r#"server "a": field "headers.Authorization": VS Code input "token" ("${input:token}") cannot be prompted for; use an environment variable instead ("${env:NAME}")"#;
    unterminated_variable: r#"{"servers": {"a": {"command": "x", "cwd": "${HOME/src"}}}"#
        => r#"server "a": field "cwd": the variable reference at character 1 has no closing "}" (write "$$" for a literal "$")"#;
    invalid_variable: r#"{"servers": {"a": {"url": "https://h/${workspace Folder}"}}}"#
        => r#"server "a": field "url": invalid variable reference at character 11; write "${NAME}", "${NAME:-default}" or "${env:NAME}" (and "$$" for a literal "$")"#;
    codemode_not_object: r#"{"servers": {"a": {"command": "x", "codemode": true}}}"#
        => r#"server "a": field "codemode": expected an object, found a boolean"#;
    unknown_option: r#"{"servers": {"a": {"command": "x", "codemode": {"timeout": 5}}}}"#
        => r#"server "a": field "codemode.timeout": unknown codemode option; expected "tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls""#;
    unknown_tools_option: r#"{"servers": {"a": {"command": "x", "codemode": {"tools": {"only": []}}}}}"#
        => r#"server "a": field "codemode.tools.only": unknown codemode option; expected "allow" or "deny""#;
    allow_not_array: r#"{"servers": {"a": {"command": "x", "codemode": {"tools": {"allow": "*"}}}}}"#
        => r#"server "a": field "codemode.tools.allow": expected an array, found a string"#;
    deny_not_strings: r#"{"servers": {"a": {"command": "x", "codemode": {"tools": {"deny": [1]}}}}}"#
        => r#"server "a": field "codemode.tools.deny[0]": expected a string, found a number"#;
    zero_timeout: r#"{"servers": {"a": {"command": "x", "codemode": {"callTimeout": 0}}}}"#
        => r#"server "a": field "codemode.callTimeout": expected a positive duration: integer milliseconds, or a string like "30s", "500ms" or "2m", found 0"#;
    timeout_without_unit: r#"{"servers": {"a": {"command": "x", "codemode": {"callTimeout": "30"}}}}"#
        => r#"server "a": field "codemode.callTimeout": expected a positive duration: integer milliseconds, or a string like "30s", "500ms" or "2m", found "30""#;
    timeout_wrong_type: r#"{"servers": {"a": {"command": "x", "codemode": {"callTimeout": null}}}}"#
        => r#"server "a": field "codemode.callTimeout": expected a positive duration: integer milliseconds, or a string like "30s", "500ms" or "2m", found null"#;
    zero_concurrency: r#"{"servers": {"a": {"command": "x", "codemode": {"maxConcurrentCalls": 0}}}}"#
        => r#"server "a": field "codemode.maxConcurrentCalls": expected a positive integer, found 0"#;
    fractional_concurrency: r#"{"servers": {"a": {"command": "x", "codemode": {"maxConcurrentCalls": 2.5}}}}"#
        => r#"server "a": field "codemode.maxConcurrentCalls": expected a positive integer, found 2.5"#;
    string_concurrency: r#"{"servers": {"a": {"command": "x", "codemode": {"maxConcurrentCalls": "4"}}}}"#
        => r#"server "a": field "codemode.maxConcurrentCalls": expected a positive integer, found "4""#;
    top_level_option: r#"{"codemode": {"maxConcurrentCalls": -1}, "servers": {}}"#
        => r#"field "codemode.maxConcurrentCalls": expected a positive integer, found -1"#;
}

#[test]
fn error_accessors_name_server_and_field() {
    let err = parse(r#"{"servers": {"gh": {"command": "x", "args": [1]}}}"#).unwrap_err();
    assert_eq!(err.server(), Some("gh"));
    assert_eq!(err.field(), Some("args[0]"));
    assert_eq!(err.path(), None);
    assert!(matches!(err.kind(), ConfigErrorKind::InvalidValue { expected: "a string", .. }));
}

// ---- Rules ----

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

// ---- Options ----

#[test]
fn option_defaults() {
    let options = ServerOptions::default();
    assert_eq!(options.allow, ["*"]);
    assert!(options.deny.is_empty());
    assert_eq!(options.call_timeout, Duration::from_secs(60));
    assert_eq!(options.start_timeout, Duration::from_secs(60));
    assert_eq!(options.max_concurrent_calls, 8);
    assert_eq!(parse(r#"{"servers": {"a": {"command": "x"}}}"#).unwrap().servers[0].options, options);
}

#[test]
fn learn_is_a_top_level_switch() {
    assert!(parse(r#"{"servers": {"a": {"command": "x"}}}"#).unwrap().learn);
    assert!(!parse(r#"{"codemode": {"learn": false}, "servers": {"a": {"command": "x"}}}"#).unwrap().learn);
    assert!(parse(r#"{"codemode": {"learn": "no"}, "servers": {"a": {"command": "x"}}}"#).is_err());
    assert!(parse(r#"{"servers": {"a": {"command": "x", "codemode": {"learn": false}}}}"#).is_err());
}

#[test]
fn inline_declarations_is_a_top_level_setting() {
    let config = parse(r#"{"codemode": {"inlineDeclarations": 2000}, "servers": {"a": {"command": "x"}}}"#).unwrap();
    assert_eq!(config.inline_declarations, Some(2000));
    assert_eq!(parse(r#"{"servers": {"a": {"command": "x"}}}"#).unwrap().inline_declarations, None);
    let in_entry = parse(r#"{"servers": {"a": {"command": "x", "codemode": {"inlineDeclarations": 2000}}}}"#);
    assert!(
        in_entry
            .unwrap_err()
            .to_string()
            .contains(r#""tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls""#)
    );
    let zero = parse(r#"{"codemode": {"inlineDeclarations": 0}, "servers": {"a": {"command": "x"}}}"#);
    assert!(zero.unwrap_err().to_string().contains("a positive integer"));
}

#[test]
fn strict_is_a_top_level_switch() {
    let strict = parse(r#"{"codemode": {"strict": true}, "servers": {"a": {"command": "x"}}}"#).unwrap();
    assert!(strict.strict);
    assert!(!parse(r#"{"servers": {"a": {"command": "x"}}}"#).unwrap().strict);
    let in_entry = parse(r#"{"servers": {"a": {"command": "x", "codemode": {"strict": true}}}}"#);
    assert!(in_entry.unwrap_err().to_string().contains("unknown codemode option"));
    let not_bool = parse(r#"{"codemode": {"strict": "yes"}, "servers": {"a": {"command": "x"}}}"#);
    assert!(not_bool.unwrap_err().to_string().contains("expected true or false"));
}

#[test]
fn start_timeout_is_set_at_the_top_and_per_server() {
    let config = parse(
        r#"{"codemode": {"startTimeout": "2m"},
            "servers": {"inherits": {"command": "x"}, "own": {"command": "x", "codemode": {"startTimeout": 1500}}}}"#,
    )
    .unwrap();
    let [inherits, own] = &config.servers[..] else { panic!() };
    assert_eq!(inherits.options.start_timeout, Duration::from_secs(120));
    assert_eq!(own.options.start_timeout, Duration::from_millis(1500));
    let zero = parse(r#"{"servers": {"a": {"command": "x", "codemode": {"startTimeout": "0s"}}}}"#);
    assert!(zero.unwrap_err().to_string().contains("a positive duration"));
}

#[test]
fn entry_options_replace_top_level_options_key_by_key() {
    let config = parse(
        r#"{"codemode": {"tools": {"allow": ["get_*"], "deny": ["get_secret"]}, "maxConcurrentCalls": 2},
            "servers": {
                "inherits": {"command": "x"},
                "overrides": {"command": "x", "codemode": {"tools": {"deny": []}, "callTimeout": "500ms"}}
            }}"#,
    )
    .unwrap();
    let [inherits, overrides] = &config.servers[..] else { panic!() };
    assert_eq!(inherits.options.allow, ["get_*"]);
    assert_eq!(inherits.options.deny, ["get_secret"]);
    assert_eq!(inherits.options.call_timeout, DEFAULT_CALL_TIMEOUT);
    assert_eq!(inherits.options.max_concurrent_calls, 2);
    assert_eq!(overrides.options.allow, ["get_*"]);
    assert!(overrides.options.deny.is_empty());
    assert_eq!(overrides.options.call_timeout, Duration::from_millis(500));
    assert_eq!(overrides.options.max_concurrent_calls, 2);
}

#[test]
fn secrets_mark_names_case_insensitively_and_layer_like_other_options() {
    let config = parse(
        r#"{"codemode": {"secrets": ["CUSTOMER_*"]},
            "servers": {
                "inherits": {"command": "x"},
                "overrides": {"url": "https://h/mcp", "codemode": {"secrets": ["X-Tenant"]}}
            }}"#,
    )
    .unwrap();
    let [inherits, overrides] = &config.servers[..] else { panic!() };
    assert_eq!(inherits.options.secrets, ["CUSTOMER_*"]);
    assert!(inherits.options.marks_secret("CUSTOMER_ID"));
    assert!(inherits.options.marks_secret("customer_id"));
    assert!(!inherits.options.marks_secret("REGION"));
    assert!(overrides.options.marks_secret("x-tenant"));
    assert!(!overrides.options.marks_secret("CUSTOMER_ID"), "an entry's list replaces the top-level one");
    let every = ServerOptions { secrets: strings(&["*"]), ..ServerOptions::default() };
    assert!(every.marks_secret("NODE_ENV"));
    assert!(!ServerOptions::default().marks_secret("NODE_ENV"));
    let not_strings = parse(r#"{"servers": {"a": {"command": "x", "codemode": {"secrets": "TOKEN"}}}}"#);
    assert!(not_strings.unwrap_err().to_string().contains("expected an array"));
}

#[test]
fn unknown_entry_keys_are_warnings_with_a_suggestion() {
    let config = parse(
        r#"{"mcpServers": {
            "a": {"command": "x", "evn": {"K": "v"}, "arg": ["--y"], "autoApprove": [], "timeout": 60},
            "b": {"url": "https://h/mcp", "Headers": {}, "autostart": true}
        }}"#,
    )
    .unwrap();
    let warnings: Vec<String> = config.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            r#"server "a": unknown key "evn" is ignored; did you mean "env"?"#,
            r#"server "a": unknown key "arg" is ignored; did you mean "args"?"#,
            r#"server "b": unknown key "Headers" is ignored; did you mean "headers"?"#,
            r#"server "b": unknown key "autostart" is ignored"#,
        ]
    );
    // Still ignored: the servers are as if the keys were not there.
    assert_eq!(config.servers[0], stdio("a", "x", &[], &[]));
    for fixture in
        ["claude_desktop.json", "claude_code_mcp.json", "cursor.json", "vscode.json", "codemode_options.json"]
    {
        assert_eq!(load(fixture).warnings, [], "{fixture}: real files warn of nothing");
    }
}

#[test]
fn deny_wins_over_allow() {
    let options = ServerOptions {
        allow: strings(&["get_*", "search"]),
        deny: strings(&["get_secret*"]),
        ..ServerOptions::default()
    };
    assert!(options.allows("get_issue"));
    assert!(options.allows("search"));
    assert!(!options.allows("get_secret_key"));
    assert!(!options.allows("delete_repo"));
    assert!(ServerOptions::default().allows("anything"));
    let none = ServerOptions { allow: Vec::new(), ..ServerOptions::default() };
    assert!(!none.allows("anything"));
}

// ---- Secrets ----

const SECRET: &str = "sk-live-PLANTED-7f3a9c";

fn secret_env(name: &str) -> Option<String> {
    match name {
        "SECRET" => Some(SECRET.to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

/// Entries of server "leaky" that carry the secret (expanded from the
/// environment or written literally) and then fail, with the kind each
/// must fail with.
const LEAKY: &[(&str, &str)] = &[
    (r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}", "X-Bad": 7}}"#, "InvalidValue"),
    (r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}", "X": "${UNSET}"}}"#, "UnsetVariable"),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}", "X": "${input:k}"}}"#,
        "InputVariable",
    ),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}", "X": "${SECRET"}}"#,
        "UnterminatedVariable",
    ),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}", "X": "${SECRET x}"}}"#,
        "InvalidVariable",
    ),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}", "Authorization": "x"}}"#,
        "DuplicateKey",
    ),
    (r#"{"url": "https://h/mcp", "headers": "Bearer sk-live-PLANTED-7f3a9c"}"#, "InvalidValue"),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}"}, "codemode": {"callTimeout": "soon"}}"#,
        "InvalidValue",
    ),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}"}, "codemode": {"maxConcurrentCalls": 0}}"#,
        "InvalidValue",
    ),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}"}, "codemode": {"x": 1}}"#,
        "UnknownOption",
    ),
    (
        r#"{"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}"}, "codemode": {"tools": {"allow": [1]}}}"#,
        "InvalidValue",
    ),
    (r#"{"url": "${SECRET}", "headers": {"Authorization": "Bearer ${SECRET}"}}"#, "UrlScheme"),
    (r#"{"url": "${SECRET}://h/mcp"}"#, "UrlScheme"),
    (r#"{"url": "https:///${SECRET}"}"#, "UrlHost"),
    (r#"{"url": "https://h/sse?key=${SECRET}", "headers": {"Authorization": "Bearer ${SECRET}"}}"#, "SseUrl"),
    (
        r#"{"type": "sse", "url": "https://h/mcp?key=${SECRET}", "headers": {"Authorization": "Bearer ${SECRET}"}}"#,
        "SseTransport",
    ),
    (
        r#"{"type": "ws", "url": "https://h/mcp", "headers": {"Authorization": "Bearer sk-live-PLANTED-7f3a9c"}}"#,
        "UnknownType",
    ),
    (r#"{"type": "http", "headers": {"Authorization": "Bearer sk-live-PLANTED-7f3a9c"}}"#, "MissingForType"),
    (r#"{"headers": {"Authorization": "Bearer sk-live-PLANTED-7f3a9c"}}"#, "MissingTransport"),
    (
        r#"{"command": "x", "url": "https://h/mcp", "headers": {"Authorization": "Bearer sk-live-PLANTED-7f3a9c"}}"#,
        "ConflictingTransport",
    ),
    (r#"{"command": "x", "env": {"TOKEN": "${SECRET}", "PORT": 80}}"#, "InvalidValue"),
    (r#"{"command": "x", "env": {"TOKEN": "${SECRET}"}, "cwd": "${EMPTY}"}"#, "Empty"),
    (r#"{"command": "x", "env": {"TOKEN": "${SECRET}"}, "envFile": "sk-live-PLANTED-7f3a9c"}"#, "EnvFile"),
    (r#"{"command": "x", "env": {"TOKEN": "${SECRET}"}, "disabled": "sk-live-PLANTED-7f3a9c"}"#, "InvalidValue"),
];

#[test]
fn errors_never_contain_secrets() {
    for (entry, kind) in LEAKY {
        let text = format!(r#"{{"servers": {{"leaky": {entry}}}}}"#);
        let err = Config::from_json_str(&text, &secret_env).unwrap_err();
        let (display, debug) = (err.to_string(), format!("{err:?}"));
        assert!(format!("{:?}", err.kind()).starts_with(kind), "{entry}: {debug}");
        assert_eq!(err.server(), Some("leaky"), "{entry}: {display}");
        assert!(!display.contains(SECRET), "{entry}: {display}");
        assert!(!debug.contains(SECRET), "{entry}: {debug}");
        assert!(!display.contains("PLANTED"), "{entry}: {display}");
    }
}

#[test]
fn syntax_errors_never_contain_secrets() {
    for text in [
        r#"{"servers": {"leaky": {"headers": {"A": "sk-live-PLANTED-7f3a9c}}}}"#,
        r#"{"servers": {"leaky": {"headers": {"A": "sk-live-PLANTED-7f3a9c" "B": 1}}}}"#,
        "{\"servers\": {\"leaky\": {\"headers\": {\"A\": \"sk-live-PLANTED-7f3a9c\u{1}\"}}}}",
        r#"{"servers": {"leaky": {"headers": {"A": "sk-live-PLANTED-7f3a9c\q"}}}}"#,
    ] {
        let err = Config::from_json_str(text, &secret_env).unwrap_err();
        assert!(matches!(err.kind(), ConfigErrorKind::Syntax(_)), "{err}");
        assert!(!err.to_string().contains("PLANTED"), "{err}");
        assert!(!format!("{err:?}").contains("PLANTED"), "{err:?}");
    }
}

#[test]
fn debug_redacts_env_and_header_values() {
    let config = Config::from_json_str(
        r#"{"servers": {
            "gh": {"command": "gh-mcp", "env": {"GITHUB_TOKEN": "${SECRET}", "MODE": "literal-PLANTED"}},
            "api": {"url": "https://h/mcp", "headers": {"Authorization": "Bearer ${SECRET}"}}
        }}"#,
        &secret_env,
    )
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("PLANTED"), "{debug}");
    assert!(debug.contains(r#"env: ["GITHUB_TOKEN"=<redacted>, "MODE"=<redacted>]"#), "{debug}");
    assert!(debug.contains(r#"headers: ["Authorization"=<redacted>]"#), "{debug}");
    assert!(format!("{:#?}", config.servers[1]).contains("\"Authorization\"=<redacted>"));
    // The values are still there for whoever connects.
    let Transport::Http { headers, .. } = &config.servers[1].transport else { panic!() };
    assert_eq!(headers[0].1, format!("Bearer {SECRET}"));
}

#[test]
fn process_env_convenience_reads_the_process_environment() {
    // PATH is set in any environment that can run cargo; nothing is written.
    let path = std::env::var("PATH").unwrap();
    let dir = std::env::temp_dir().join(format!("codemode-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mcp.json");
    std::fs::write(&file, r#"{"servers": {"a": {"command": "x", "args": ["${PATH}"]}}}"#).unwrap();
    let config = Config::load(&file);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(config.unwrap().servers, [stdio("a", "x", &[&path], &[])]);
}

#[test]
fn approve_takes_patterns_or_destructive() {
    let parse = |approve: &str| {
        let text =
            format!(r#"{{ "mcpServers": {{ "s": {{ "command": "x", "codemode": {{ "approve": {approve} }} }} }} }}"#);
        Config::from_json_str(&text, &|_| None).map(|config| config.servers[0].options.approve.clone())
    };
    assert_eq!(parse(r#"["delete_*", "pay"]"#).unwrap(), Approve::Tools(strings(&["delete_*", "pay"])));
    assert_eq!(parse(r#""destructive""#).unwrap(), Approve::Destructive);
    for bad in [r#""all""#, "true", "3", r#"[1]"#] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    let message = parse(r#""all""#).unwrap_err().to_string();
    assert!(message.contains(r#"a list of tool-name patterns, or "destructive""#), "{message}");
}

#[test]
fn approve_needs_follow_patterns_and_annotations() {
    let tools = Approve::Tools(strings(&["delete_*", "pay"]));
    type Case<'a> = (&'a Approve, &'a str, Option<bool>, Option<bool>, bool);
    let cases: [Case<'_>; 9] = [
        (&Approve::Nothing, "delete_all", None, None, false),
        (&tools, "delete_all", Some(true), None, true),
        (&tools, "pay", None, None, true),
        (&tools, "payout", None, None, false),
        (&Approve::Destructive, "anything", None, None, true),
        (&Approve::Destructive, "read", Some(true), None, false),
        (&Approve::Destructive, "add", Some(false), Some(false), false),
        (&Approve::Destructive, "drop", Some(false), Some(true), true),
        (&Approve::Destructive, "odd", Some(true), Some(true), false),
    ];
    for (approve, tool, read_only, destructive, needs) in cases {
        assert_eq!(
            approve.needs(tool, read_only, destructive),
            needs,
            "{approve:?} {tool} {read_only:?} {destructive:?}"
        );
    }
}
