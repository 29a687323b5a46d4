//! codemode's own options: reading a `"codemode"` object (top-level or in a
//! server entry), layering it over the defaults, and the duration and
//! tool-name glob rules. Enforcing them is `upstream`'s: it filters each
//! server's tools, times calls out and caps the calls in flight per server.

use std::time::Duration;

use super::tree::{Json, Node};
use super::{Approve, ConfigError, ConfigErrorKind, ServerOptions};

/// The default `callTimeout`: how long one tool call may take.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The default `startTimeout`: how long a server may take to start, answer
/// `initialize` and list its tools. Generous because `npx`/`uvx` servers may
/// download themselves first.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(60);

/// The default `maxConcurrentCalls`: calls in flight to one server at once
/// (across every execution; a single execution's own cap is
/// [`crate::Limits::max_concurrent_calls`]).
pub const DEFAULT_SERVER_CONCURRENT_CALLS: usize = 8;

/// The keys of a server entry's `"codemode"` object.
const SERVER_OPTIONS: &[&str] = &["tools", "secrets", "approve", "callTimeout", "startTimeout", "maxConcurrentCalls"];
/// The keys of the top-level `"codemode"` object.
const TOP_OPTIONS: &[&str] = &[
    "tools",
    "secrets",
    "approve",
    "callTimeout",
    "startTimeout",
    "maxConcurrentCalls",
    "inlineDeclarations",
    "learn",
    "strict",
];
/// The keys of a `"tools"` object.
const TOOLS_OPTIONS: &[&str] = &["allow", "deny"];

const DURATION: &str = r#"a positive duration: integer milliseconds, or a string like "30s", "500ms" or "2m""#;
const COUNT: &str = "a positive integer";
const APPROVE: &str = r#"a list of tool-name patterns, or "destructive""#;

/// The options one `"codemode"` object sets; `None` keeps the value below.
#[derive(Default)]
pub(super) struct Overrides {
    allow: Option<Vec<String>>,
    deny: Option<Vec<String>>,
    secrets: Option<Vec<String>>,
    approve: Option<Approve>,
    call_timeout: Option<Duration>,
    start_timeout: Option<Duration>,
    max_concurrent_calls: Option<usize>,
    /// Only in the top-level object: see [`super::Config::inline_declarations`].
    pub(super) inline_declarations: Option<usize>,
    /// Only in the top-level object: see [`super::Config::learn`].
    pub(super) learn: Option<bool>,
    /// Only in the top-level object: see [`super::Config::strict`].
    pub(super) strict: Option<bool>,
}

impl Overrides {
    /// Reads a `"codemode"` object, the top-level one when `top`. Unknown
    /// keys are errors here, unlike elsewhere in the file: this object is
    /// ours, so a typo is a mistake, not another client's setting.
    pub(super) fn parse(node: &Node<'_>, top: bool) -> Result<Overrides, ConfigError> {
        let mut out = Overrides::default();
        for (key, node) in node.object()?.unique_entries()? {
            match key {
                "tools" => {
                    for (key, node) in node.object()?.unique_entries()? {
                        let list = match key {
                            "allow" => &mut out.allow,
                            "deny" => &mut out.deny,
                            _ => return Err(unknown(&node, key, TOOLS_OPTIONS)),
                        };
                        *list = Some(strings(&node)?);
                    }
                }
                "secrets" => out.secrets = Some(strings(&node)?),
                "approve" => {
                    out.approve = Some(match node.value() {
                        Json::String(text) if text == "destructive" => Approve::Destructive,
                        Json::Array(_) => Approve::Tools(strings(&node)?),
                        _ => return Err(invalid(&node, APPROVE)),
                    });
                }
                "callTimeout" => {
                    out.call_timeout = Some(duration(node.value()).ok_or_else(|| invalid(&node, DURATION))?);
                }
                "startTimeout" => {
                    out.start_timeout = Some(duration(node.value()).ok_or_else(|| invalid(&node, DURATION))?);
                }
                "maxConcurrentCalls" => {
                    out.max_concurrent_calls = Some(count(node.value()).ok_or_else(|| invalid(&node, COUNT))?);
                }
                "inlineDeclarations" if top => {
                    out.inline_declarations = Some(count(node.value()).ok_or_else(|| invalid(&node, COUNT))?);
                }
                "learn" if top => out.learn = Some(node.bool()?),
                "strict" if top => out.strict = Some(node.bool()?),
                _ => return Err(unknown(&node, key, if top { TOP_OPTIONS } else { SERVER_OPTIONS })),
            }
        }
        Ok(out)
    }

    /// These options over `base`: each key set here replaces base's value.
    pub(super) fn apply(&self, base: &ServerOptions) -> ServerOptions {
        ServerOptions {
            allow: self.allow.clone().unwrap_or_else(|| base.allow.clone()),
            deny: self.deny.clone().unwrap_or_else(|| base.deny.clone()),
            secrets: self.secrets.clone().unwrap_or_else(|| base.secrets.clone()),
            approve: self.approve.clone().unwrap_or_else(|| base.approve.clone()),
            call_timeout: self.call_timeout.unwrap_or(base.call_timeout),
            start_timeout: self.start_timeout.unwrap_or(base.start_timeout),
            max_concurrent_calls: self.max_concurrent_calls.unwrap_or(base.max_concurrent_calls),
        }
    }
}

/// An array of strings (`tools.allow`, `tools.deny`, `secrets`).
fn strings(node: &Node<'_>) -> Result<Vec<String>, ConfigError> {
    node.array()?.into_iter().map(|item| item.string().map(str::to_owned)).collect()
}

/// A `callTimeout` or `startTimeout`: a positive integer of milliseconds,
/// or a string as [`parse_duration`] reads it.
fn duration(value: &Json) -> Option<Duration> {
    match value {
        Json::Number(n) => Some(Duration::from_millis(n.as_u64()?)).filter(|d| !d.is_zero()),
        Json::String(text) => parse_duration(text),
        _ => None,
    }
}

/// A positive duration written as an integer and a unit (`ms`, `s`, `m`,
/// `h`) with nothing between them, as in `"30s"`: the form of the config
/// file's durations, which the command line's take too.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let n: u64 = number.parse().ok()?;
    let seconds = |factor: u64| n.checked_mul(factor).map(Duration::from_secs);
    let duration = match unit {
        "ms" => Duration::from_millis(n),
        "s" => seconds(1)?,
        "m" => seconds(60)?,
        "h" => seconds(3600)?,
        _ => return None,
    };
    (!duration.is_zero()).then_some(duration)
}

/// A `maxConcurrentCalls`: a positive integer.
fn count(value: &Json) -> Option<usize> {
    match value {
        Json::Number(n) => n.as_u64().filter(|&n| n > 0)?.try_into().ok(),
        _ => None,
    }
}

/// The error for a bad option value. Options are never credentials, so the
/// value itself is quoted when it is a string or number.
fn invalid(node: &Node<'_>, expected: &'static str) -> ConfigError {
    let found = match node.value() {
        Json::String(text) => format!("{text:?}"),
        Json::Number(n) => n.to_string(),
        _ => return node.expected(expected),
    };
    node.error(ConfigErrorKind::InvalidValue { expected, found })
}

/// The error for `key`, which is none of `options`, with the option it
/// most likely misspells.
fn unknown(node: &Node<'_>, key: &str, options: &'static [&'static str]) -> ConfigError {
    node.error(ConfigErrorKind::UnknownOption { expected: options, suggestion: super::keys::closest(key, options) })
}

/// Whether `name` matches `pattern`, where `*` matches any run of
/// characters and everything else matches itself.
pub(super) fn glob_matches(pattern: &str, name: &str) -> bool {
    let Some((prefix, tail)) = pattern.split_once('*') else {
        return pattern == name;
    };
    let Some(mut rest) = name.strip_prefix(prefix) else {
        return false;
    };
    let (middle, suffix) = tail.rsplit_once('*').unwrap_or(("", tail));
    // Taking each middle piece at its leftmost match leaves the most room
    // for the rest, so no backtracking is needed.
    for piece in middle.split('*').filter(|piece| !piece.is_empty()) {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Json {
        serde_json::from_str(text).unwrap()
    }

    /// `test_name: JSON value => expected duration;`
    macro_rules! durations {
        ($($name:ident: $json:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(duration(&json($json)), $want);
            }
        )*};
    }

    /// `test_name: pattern matches tool name => whether it does;`
    macro_rules! globs {
        ($($name:ident: $pattern:literal matches $tool:literal => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(glob_matches($pattern, $tool), $want);
            }
        )*};
    }

    const fn ms(n: u64) -> Option<Duration> {
        Some(Duration::from_millis(n))
    }

    durations! {
        integer_ms: "30000" => ms(30_000);
        one_ms: "1" => ms(1);
        ms_unit: r#""500ms""# => ms(500);
        seconds: r#""30s""# => ms(30_000);
        minutes: r#""2m""# => ms(120_000);
        hours: r#""1h""# => ms(3_600_000);
        leading_zero: r#""05s""# => ms(5_000);
        zero_ms: "0" => None;
        zero_seconds: r#""0s""# => None;
        negative: "-5" => None;
        fraction: "1.5" => None;
        fraction_string: r#""1.5s""# => None;
        no_unit: r#""30""# => None;
        no_number: r#""s""# => None;
        empty: r#""""# => None;
        space: r#""30 s""# => None;
        leading_space: r#"" 30s""# => None;
        upper_case: r#""30S""# => None;
        long_unit: r#""30sec""# => None;
        compound: r#""1m30s""# => None;
        plus: r#""+5s""# => None;
        overflow: r#""99999999999999999999ms""# => None;
        hours_overflow: r#""18446744073709551615h""# => None;
        boolean: "true" => None;
    }

    globs! {
        exact: "search" matches "search" => true;
        exact_other: "search" matches "searches" => false;
        star_all: "*" matches "anything" => true;
        star_empty_name: "*" matches "" => true;
        prefix: "get_*" matches "get_issue" => true;
        prefix_bare: "get_*" matches "get_" => true;
        prefix_miss: "get_*" matches "list_issues" => false;
        suffix: "*_issue" matches "create_issue" => true;
        infix: "*delete*" matches "bulk_delete_all" => true;
        infix_miss: "*delete*" matches "remove" => false;
        two_stars: "a*b*c" matches "axxbyyc" => true;
        pieces_in_order: "a*b*c" matches "acb" => false;
        no_overlap: "ab*ba" matches "aba" => false;
        repeated_piece: "*a*a*" matches "banana" => true;
        double_star: "x**y" matches "xy" => true;
        case_sensitive: "Get*" matches "get_issue" => false;
        question_is_literal: "get?" matches "gets" => false;
    }
}
