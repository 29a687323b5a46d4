//! The `"codemode"` options: their defaults, top-level switches and
//! settings, per-server options layered over the top-level ones, unknown
//! keys as warnings, tool allow/deny lists and what needs approval.

use std::time::Duration;

use super::*;

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
