//! The secret-redaction guarantees: no error, syntax error or `Debug`
//! output of a config carries a credential it was given.

use super::*;

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
            "api": {"url": "https://h/mcp?region=eu&key=${SECRET}&v#top", "headers": {"Authorization": "Bearer ${SECRET}"}}
        }}"#,
        &secret_env,
    )
    .unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("PLANTED"), "{debug}");
    assert!(debug.contains(r#"env: ["GITHUB_TOKEN"=<redacted>, "MODE"=<redacted>]"#), "{debug}");
    assert!(debug.contains(r#"headers: ["Authorization"=<redacted>]"#), "{debug}");
    assert!(debug.contains(r#"url: "https://h/mcp?region=<redacted>&key=<redacted>&v#top""#), "{debug}");
    assert!(format!("{:#?}", config.servers[1]).contains("\"Authorization\"=<redacted>"));
    // The values are still there for whoever connects.
    let Transport::Http { headers, .. } = &config.servers[1].transport else { panic!() };
    assert_eq!(headers[0].1, format!("Bearer {SECRET}"));
}
