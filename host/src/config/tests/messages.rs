//! Every config error message, inline: a file text and the exact message
//! it fails with, and what an error says about where it is.

use super::*;

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
    syntax_eof_after_a_newline: "{\"servers\": {\n"
        => "line 2, column 1: invalid JSON: EOF while parsing an object";
    syntax_newline_in_a_string: "{\"servers\": {\"a\": {\"command\": \"npx\n\"}}}"
        => "line 2, column 1: invalid JSON: control character (\\u0000-\\u001F) found while parsing a string";
    syntax_at_the_start_of_a_line: "{\"servers\": {}\n}}"
        => "line 2, column 2: invalid JSON: trailing characters";
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
    misspelled_approve: r#"{"servers": {"a": {"command": "x", "codemode": {"aprove": "destructive"}}}}"#
        => r#"server "a": field "codemode.aprove": unknown codemode option; did you mean "approve"? (expected "tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls")"#;
    misspelled_call_timeout: r#"{"servers": {"a": {"command": "x", "codemode": {"callTimout": "5s"}}}}"#
        => r#"server "a": field "codemode.callTimout": unknown codemode option; did you mean "callTimeout"? (expected "tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls")"#;
    misspelled_deny: r#"{"servers": {"a": {"command": "x", "codemode": {"tools": {"dney": ["x"]}}}}}"#
        => r#"server "a": field "codemode.tools.dney": unknown codemode option; did you mean "deny"? (expected "allow" or "deny")"#;
    misspelled_top_level_strict: r#"{"codemode": {"strickt": true}, "servers": {}}"#
        => r#"field "codemode.strickt": unknown codemode option; did you mean "strict"? (expected "tools", "secrets", "approve", "callTimeout", "startTimeout", "maxConcurrentCalls", "inlineDeclarations", "learn" or "strict")"#;
    top_level_option_in_a_server_entry: r#"{"servers": {"a": {"command": "x", "codemode": {"strict": true}}}}"#
        => r#"server "a": field "codemode.strict": unknown codemode option; expected "tools", "secrets", "approve", "callTimeout", "startTimeout" or "maxConcurrentCalls""#;
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
