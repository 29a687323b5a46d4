//! Config files as they come: the shapes of Claude Desktop, Claude Code,
//! Cursor and VS Code (fixtures in `tests/fixtures/configs/`), each invalid
//! fixture with its exact message, and loading from disk.

use std::time::Duration;

use super::*;

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
    ("unclosed_string.json", r#":4:1: invalid JSON: control character (\u0000-\u001F) found while parsing a string"#),
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
        r#": server "github": field "codemode.calltimeout": unknown codemode option; did you mean "callTimeout"? (expected "tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls")"#,
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
