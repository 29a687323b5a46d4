//! Keeping credentials out of everything codemode surfaces.
//!
//! Which configured values are secrets is decided per server from its `env`
//! (stdio), or its `headers` and the query parameters of its `url` (HTTP),
//! by [`Redactor::for_server`]; [`Redactor`]
//! replaces each secret with `<redacted>` in text (error messages, stderr
//! excerpts, quoted stdout) and in JSON, and [`Redacting`] applies it to
//! every message the server sends before the MCP client sees it — so tool
//! lists, instructions, results, and the SDK's own log lines never carry a
//! secret either, even when the server echoes one.
//!
//! What is a secret, and why:
//!
//! - the value of a variable, header or query parameter whose **name names
//!   a credential** ([`names_credential`]: `API_KEY`, `GITHUB_TOKEN`,
//!   `Authorization`, `X-Api-Key`, `PGPASSWORD`, `Cookie`, `access_token`,
//!   `sig`, ...);
//! - the value of a name the user **marks** in the server's
//!   `codemode.secrets` (see [`crate::config::ServerOptions::secrets`]);
//! - any word of any value that **looks like a credential**
//!   ([`looks_like_credential`]: 20 characters or more from a token alphabet,
//!   random-looking), and the password of a URL's `user:password@`.
//!
//! Every other value is left alone: masking `production` or `eu-west-1`
//! would garble results that mention them and protect nothing. Then:
//!
//! - a value shorter than [`MIN_SECRET`] characters is never masked: no
//!   credential is that short, and masking every `1` or `yes` would garble
//!   exit codes and counts in every message;
//! - a secret value with whitespace also has each whitespace-separated word
//!   of at least [`MIN_WORD`] characters masked, so the token of
//!   `Authorization: Bearer TOKEN` is caught when a server echoes only the
//!   token;
//! - matching is exact and case-sensitive: an encoded form (URL-escaped,
//!   base64) of a secret is not recognized, except that a query parameter's
//!   value is masked both as the URL carries it (so error messages quoting
//!   the URL are covered, wherever in the text it is) and decoded;
//! - an excerpt cut out of a longer text ([`Redactor::redact_excerpt`]) may
//!   begin with the end of a secret or end with its beginning; such edge
//!   fragments of at least [`MIN_SECRET`] characters are masked too.
//!
//! This module never logs and never stores what it masks anywhere else.
//! One place is out of its reach: the SDK's own line on a failed HTTP
//! connection (`worker quit with fatal: ...`, target `rmcp`, which codemode
//! turns off unless `RUST_LOG` turns it on) quotes the URL as it is.

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;

use crate::config::{self, ServerConfig};

/// What replaces a secret.
const MASK: &str = "<redacted>";

/// The shortest value treated as a secret, in characters.
const MIN_SECRET: usize = 4;

/// The shortest word of a multi-word value treated as a secret on its own.
const MIN_WORD: usize = 8;

/// The shortest word [`looks_like_credential`] considers: generated
/// credentials are longer (GitHub's 40, AWS's 20 and 40, hex keys 32 and
/// up), and shorter random-looking strings are often ordinary identifiers.
const MIN_LOOKS: usize = 20;

/// Words that make a name a credential's wherever they appear in it, even
/// inside a longer word (`PGPASSWORD`, `GITHUBTOKEN`).
const CREDENTIAL_PARTS: [&str; 10] = [
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "cookie",
    "authorization",
    "apikey",
    "privatekey",
];

/// Words that make a name a credential's when they are one of its words
/// (`SENTRY_DSN`, `X-Bearer`), not inside another (`JWTISSUER`).
const CREDENTIAL_WORDS: [&str; 4] = ["bearer", "jwt", "dsn", "creds"];

/// Words that make a name a credential's only as its last word (`API_KEY`,
/// `X-Api-Key`, `BASIC_AUTH`, `DB_PASS`, `X-Amz-Signature`, `sig`), since
/// elsewhere they are as often ordinary (`KEY_PREFIX`, `AUTH_MODE`,
/// `PASS_THROUGH`, `SIGNATURE_METHOD`); and `KEY` before a final `ID`
/// (`AWS_ACCESS_KEY_ID`).
const CREDENTIAL_LAST_WORDS: [&str; 7] = ["key", "auth", "pass", "pwd", "pat", "signature", "sig"];

/// The secrets of one server, and the means to mask them.
#[derive(Default)]
pub(super) struct Redactor {
    /// Longest first, so a secret containing another is masked whole.
    secrets: Vec<String>,
}

impl Redactor {
    /// The redactor of `server`: the secrets among its `env` or `headers`
    /// values, as the [module docs](self) define them.
    pub(super) fn for_server(server: &ServerConfig) -> Self {
        let (pairs, parameters) = match &server.transport {
            config::Transport::Stdio { env, .. } => (env, Vec::new()),
            config::Transport::Http { url, headers } => (headers, query_parameters(url)),
        };
        let secret = |name: &str| names_credential(name) || server.options.marks_secret(name);
        Self::new(pairs.iter().chain(&parameters).map(|(name, value)| (value.as_str(), secret(name))))
    }

    /// A redactor for these values, each with whether its name makes it a
    /// secret; the other values are searched for credential-like words.
    fn new<'a>(values: impl IntoIterator<Item = (&'a str, bool)>) -> Self {
        let mut secrets: Vec<&str> = Vec::new();
        for (value, secret) in values {
            if secret {
                let words = value.split_whitespace().filter(|word| word.chars().count() >= MIN_WORD);
                secrets.extend(std::iter::once(value).chain(words));
            } else {
                secrets.extend(value.split(|c| !is_token_char(c)).filter(|word| looks_like_credential(word)));
            }
            secrets.extend(value.split_whitespace().filter_map(url_password));
        }
        let mut secrets: Vec<String> =
            secrets.into_iter().filter(|secret| secret.chars().count() >= MIN_SECRET).map(str::to_owned).collect();
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with every whole occurrence of a secret masked.
    pub(super) fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), MASK));
            }
        }
        text
    }

    /// [`redact`](Self::redact) for a piece cut out of a longer text: also
    /// masks a secret's tail at the start and a secret's head at the end.
    pub(super) fn redact_excerpt(&self, text: &str) -> String {
        let mut text = self.redact(text).into_owned();
        for secret in &self.secrets {
            if let Some(len) = leading_fragment(secret, &text) {
                text.replace_range(..len, MASK);
            }
            if let Some(len) = trailing_fragment(secret, &text) {
                let start = text.len() - len;
                text.replace_range(start.., MASK);
            }
        }
        text
    }

    /// Masks secrets in every string (and object key) of `value`; returns
    /// whether anything changed.
    pub(super) fn redact_json(&self, value: &mut Value) -> bool {
        match value {
            Value::String(text) => match self.redact(text) {
                Cow::Owned(redacted) => {
                    *text = redacted;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            Value::Array(items) => items.iter_mut().fold(false, |changed, item| self.redact_json(item) | changed),
            Value::Object(map) => {
                let mut changed = false;
                if map.keys().any(|key| matches!(self.redact(key), Cow::Owned(_))) {
                    let entries = std::mem::take(map);
                    *map = entries.into_iter().map(|(key, value)| (self.redact(&key).into_owned(), value)).collect();
                    changed = true;
                }
                map.values_mut().fold(changed, |changed, item| self.redact_json(item) | changed)
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => false,
        }
    }

    /// Whether there is nothing to mask.
    pub(super) fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

/// Whether a variable or header called `name` holds a credential, judged by
/// its words: `name` is split at every character that is not a letter or a
/// digit and where lower case turns to upper case (`apiKey`), compared
/// without regard to case. See [`CREDENTIAL_PARTS`], [`CREDENTIAL_WORDS`]
/// and [`CREDENTIAL_LAST_WORDS`].
pub(super) fn names_credential(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if CREDENTIAL_PARTS.iter().any(|part| lower.contains(part)) {
        return true;
    }
    let words = words(name);
    if words.iter().any(|word| CREDENTIAL_WORDS.contains(&word.as_str())) {
        return true;
    }
    match words.as_slice() {
        [.., last] if CREDENTIAL_LAST_WORDS.contains(&last.as_str()) => true,
        [.., key, id] => key == "key" && id == "id",
        _ => false,
    }
}

/// The words of a name, lower-cased: split at non-alphanumerics and at
/// each lower-to-upper case change.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if (!c.is_alphanumeric() || (previous_lower && c.is_uppercase())) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether `c` may be part of a generated credential: an ASCII letter or
/// digit, or one of `-_.+/~` (base64 and base64url, JWTs, prefixed keys).
/// Values are cut into credential candidates at every other character, so
/// `--token=KEY` or `"KEY"` yields `KEY`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.+/~".contains(c)
}

/// Whether `word` looks like a generated credential: at least [`MIN_LOOKS`]
/// characters for which [`is_token_char`] holds, not a path, and
/// random-looking, which is either
///
/// - hexadecimal (dashes allowed: UUIDs) with at least 4 digits and a
///   letter, and a Shannon entropy of at least 3 bits per character; or
/// - upper case mixed with lower case or digits (base62, base64, JWTs),
///   switching between lower case, upper case, digits and the rest at 4 of
///   every 10 characters or more (a random string does at about 6; words
///   and camelCase names at 3 or less), with an entropy of at least 3.5
///   bits.
///
/// Names people write (`my-service-v2-production`, `python3.11-packages`,
/// `1.2.3-beta.4+build.567`, `Supercalifragilistic1`) fail these.
pub(super) fn looks_like_credential(word: &str) -> bool {
    if word.len() < MIN_LOOKS || !word.chars().all(is_token_char) || word.starts_with(['/', '.', '~']) {
        return false;
    }
    let bytes = word.as_bytes();
    let count = |test: fn(&u8) -> bool| bytes.iter().filter(|b| test(b)).count();
    let (digits, upper, lower) =
        (count(u8::is_ascii_digit), count(u8::is_ascii_uppercase), count(u8::is_ascii_lowercase));
    if bytes.iter().all(|b| b.is_ascii_hexdigit() || *b == b'-') {
        return digits >= 4 && upper + lower > 0 && entropy(word) >= 3.0;
    }
    let class = |b: &u8| match b {
        b'a'..=b'z' => 0,
        b'A'..=b'Z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let switches = bytes.windows(2).filter(|pair| class(&pair[0]) != class(&pair[1])).count();
    upper > 0 && lower + digits > 0 && switches * 10 >= (bytes.len() - 1) * 4 && entropy(word) >= 3.5
}

/// Shannon entropy of `text`'s bytes, in bits per byte.
fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let total = text.len() as f64;
    counts.iter().filter(|&&n| n > 0).map(|&n| n as f64 / total).map(|p| -p * p.log2()).sum()
}

/// The query parameters of `url` as `(name, value)` pairs, names decoded.
/// Each value comes as written (percent-encoded, as error messages quote
/// the URL) and decoded (as a server would echo it), from the query both as
/// the config spells it and as the HTTP client normalizes it (`url`'s
/// parser, which is how its errors print the URL).
fn query_parameters(url: &str) -> Vec<(String, String)> {
    let written = url.split_once('?').map(|(_, rest)| rest.split('#').next().unwrap_or(rest));
    let parsed = url::Url::parse(url).ok();
    let mut parameters = Vec::new();
    for query in written.into_iter().chain(parsed.as_ref().and_then(url::Url::query)) {
        for pair in query.split('&') {
            let raw = pair.split_once('=').map_or("", |(_, value)| value);
            for (name, value) in url::form_urlencoded::parse(pair.as_bytes()) {
                parameters.push((name.to_string(), raw.to_owned()));
                parameters.push((name.into_owned(), value.into_owned()));
            }
        }
    }
    parameters
}

/// The password of a URL's `scheme://user:password@host...`, if any.
fn url_password(word: &str) -> Option<&str> {
    let (_, rest) = word.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password)
}

/// The length of the longest proper tail of `secret`, of at least
/// [`MIN_SECRET`] characters, that `text` starts with.
fn leading_fragment(secret: &str, text: &str) -> Option<usize> {
    (1..secret.len())
        .filter(|&at| secret.is_char_boundary(at))
        .map(|at| &secret[at..])
        .take_while(|tail| tail.chars().count() >= MIN_SECRET)
        .find(|tail| text.starts_with(tail))
        .map(str::len)
}

/// The length of the longest proper head of `secret`, of at least
/// [`MIN_SECRET`] characters, that `text` ends with.
fn trailing_fragment(secret: &str, text: &str) -> Option<usize> {
    (1..secret.len())
        .rev()
        .filter(|&at| secret.is_char_boundary(at))
        .map(|at| &secret[..at])
        .take_while(|head| head.chars().count() >= MIN_SECRET)
        .find(|head| text.ends_with(head))
        .map(str::len)
}

/// A transport that masks the server's secrets in every message it
/// receives, before the MCP client (and its logging) sees the message.
pub(super) struct Redacting<T> {
    inner: T,
    redactor: Arc<Redactor>,
    server: Arc<str>,
}

impl<T> Redacting<T> {
    /// Wraps `inner`, the transport to server `server`.
    pub(super) fn new(inner: T, redactor: Arc<Redactor>, server: Arc<str>) -> Self {
        Redacting { inner, redactor, server }
    }

    fn redact_message(&self, message: RxJsonRpcMessage<RoleClient>) -> Option<RxJsonRpcMessage<RoleClient>> {
        if self.redactor.is_empty() {
            return Some(message);
        }
        let Ok(mut value) = serde_json::to_value(&message) else {
            return Some(message);
        };
        if !self.redactor.redact_json(&mut value) {
            return Some(message);
        }
        // Masking can only fail to round-trip when a secret is also a
        // protocol keyword (a content `type`, a method name); dropping the
        // message then is the price of never delivering the secret.
        let redacted = serde_json::from_value(value).ok();
        if redacted.is_none() {
            tracing::warn!(
                server = %self.server,
                "dropped a message from the server: it contains a configured secret where masking breaks it"
            );
        }
        redacted
    }
}

impl<T: Transport<RoleClient>> Transport<RoleClient> for Redacting<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        loop {
            let message = self.inner.receive().await?;
            if let Some(message) = self.redact_message(message) {
                return Some(message);
            }
        }
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(values: &[&'static str]) -> Redactor {
        Redactor::new(values.iter().map(|value| (*value, true)))
    }

    #[test]
    fn masks_whole_values_and_long_words() {
        let redactor = secrets(&["s3cr3t-value", "Bearer tok_abcdefgh", "1"]);
        assert_eq!(redactor.redact("a s3cr3t-value b"), "a <redacted> b");
        assert_eq!(redactor.redact("got tok_abcdefgh"), "got <redacted>");
        assert_eq!(redactor.redact("Authorization: Bearer tok_abcdefgh"), "Authorization: <redacted>");
        assert_eq!(redactor.redact("exit status 1"), "exit status 1");
    }

    #[test]
    fn masks_fragments_at_the_edges_of_an_excerpt() {
        let redactor = secrets(&["ABCDEFGHIJ"]);
        assert_eq!(redactor.redact_excerpt("FGHIJ rest"), "<redacted> rest");
        assert_eq!(redactor.redact_excerpt("start ABCDE"), "start <redacted>");
        assert_eq!(redactor.redact_excerpt("IJ ABC"), "IJ ABC");
    }

    #[test]
    fn masks_json_strings_and_keys() {
        let redactor = secrets(&["hunter22"]);
        let mut value = serde_json::json!({"hunter22": ["x hunter22 y", 1, {"k": "hunter22"}]});
        assert!(redactor.redact_json(&mut value));
        assert_eq!(value, serde_json::json!({"<redacted>": ["x <redacted> y", 1, {"k": "<redacted>"}]}));
        assert!(!redactor.redact_json(&mut value));
    }

    /// `test_name: name => whether it names a credential;`
    macro_rules! names {
        ($($test:ident: $name:literal => $want:expr;)*) => {$(
            #[test]
            fn $test() {
                assert_eq!(names_credential($name), $want);
            }
        )*};
    }

    names! {
        api_key: "OPENAI_API_KEY" => true;
        api_key_header: "X-Api-Key" => true;
        camel_api_key: "apiKey" => true;
        bare_key: "KEY" => true;
        access_key_id: "AWS_ACCESS_KEY_ID" => true;
        secret_access_key: "AWS_SECRET_ACCESS_KEY" => true;
        github_token: "GITHUB_PERSONAL_ACCESS_TOKEN" => true;
        joined_token: "GITHUBTOKEN" => true;
        authorization: "Authorization" => true;
        proxy_authorization: "Proxy-Authorization" => true;
        cookie: "Cookie" => true;
        pgpassword: "PGPASSWORD" => true;
        mysql_pwd: "MYSQL_PWD" => true;
        db_pass: "DB_PASS" => true;
        basic_auth: "BASIC_AUTH" => true;
        credentials: "GOOGLE_APPLICATION_CREDENTIALS" => true;
        sentry_dsn: "SENTRY_DSN" => true;
        client_secret: "clientSecret" => true;
        api_key_parameter: "api_key" => true;
        access_token: "access_token" => true;
        sig: "sig" => true;
        amz_signature: "X-Amz-Signature" => true;
        signature_method: "signature_method" => false;
        node_env: "NODE_ENV" => false;
        log_level: "LOG_LEVEL" => false;
        region_name: "REGION" => false;
        key_prefix: "KEY_PREFIX" => false;
        keyboard: "KEYBOARD_LAYOUT" => false;
        monkey: "MONKEY" => false;
        auth_mode: "AUTH_MODE" => false;
        passthrough: "PASSTHROUGH" => false;
        path_name: "PATH" => false;
        accept: "Accept" => false;
        user_agent: "User-Agent" => false;
    }

    /// `test_name: value => whether it looks like a credential;`
    macro_rules! looks {
        ($($test:ident: $value:literal => $want:expr;)*) => {$(
            #[test]
            fn $test() {
                assert_eq!(looks_like_credential($value), $want);
            }
        )*};
    }

    looks! {
        github: "ghp_JKdZpjkK4Y4roACxAc4G2Dd7ljFkdhe3KfyR" => true;
        aws_secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" => true;
        base62: "q7RZ2kLm9XbT4vNc8WsJ" => true;
        camel_case: "MyServiceProduction2" => false;
        hex_key: "9f2c71d4e8a05b3c61f7d2e4a9b08c35" => true;
        uuid: "550e8400-e29b-41d4-a716-446655440000" => true;
        jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" => true;
        production: "production" => false;
        region: "eu-west-1" => false;
        service_name: "my-service-v2-production" => false;
        release: "my_app_2024_release_candidate" => false;
        version: "1.2.3-beta.4+build.567" => false;
        packages: "python3.11-site-packages" => false;
        path: "/usr/local/lib/python3.11/site-packages/A1" => false;
        url: "https://eu-west-1.example.com/v2" => false;
        digits_only: "12345678901234567890" => false;
        hex_letters_only: "deadbeefdeadbeefcafebabe" => false;
        short: "Ab1Cd2Ef3" => false;
        sentence_word: "Supercalifragilistic1" => false;
    }

    #[test]
    fn ordinary_values_are_left_alone_and_credentials_among_them_masked() {
        let redactor = Redactor::new([
            ("production", false),
            ("info", false),
            ("eu-west-1", false),
            ("--token=ghp_JKdZpjkK4Y4roACxAc4G2Dd7ljFkdhe3KfyR and more", false),
            ("postgres://app:hunter2hunter2@db.internal:5432/app", false),
        ]);
        assert_eq!(redactor.redact("Echo: production info eu-west-1 1"), "Echo: production info eu-west-1 1");
        assert_eq!(redactor.redact("t ghp_JKdZpjkK4Y4roACxAc4G2Dd7ljFkdhe3KfyR"), "t <redacted>");
        assert_eq!(redactor.redact("login app:hunter2hunter2 failed"), "login app:<redacted> failed");
    }

    /// The redactor of an HTTP server at `url` whose `codemode.secrets` is
    /// `marked`.
    fn of_url(url: &str, marked: &[&str]) -> Redactor {
        Redactor::for_server(&ServerConfig {
            name: "remote".to_owned(),
            transport: config::Transport::Http { url: url.to_owned(), headers: Vec::new() },
            options: config::ServerOptions {
                secrets: marked.iter().map(|name| (*name).to_owned()).collect(),
                ..config::ServerOptions::default()
            },
        })
    }

    /// `test_name: server URL => that URL as codemode shows it;`
    macro_rules! url_queries {
        ($($test:ident: $url:literal => $shown:literal;)*) => {$(
            #[test]
            fn $test() {
                assert_eq!(of_url($url, &[]).redact($url), $shown);
            }
        )*};
    }

    url_queries! {
        query_token: "http://127.0.0.1:9/mcp?token=0123456789abcdef0123456789abcdef"
            => "http://127.0.0.1:9/mcp?token=<redacted>";
        query_api_key: "http://127.0.0.1:9/mcp?api_key=8f3kQ9zLm2Xv7bN4pR6tW1yHq5"
            => "http://127.0.0.1:9/mcp?api_key=<redacted>";
        query_camel_api_key: "https://h/mcp?region=eu&apiKey=hunter2hunter2&v=2"
            => "https://h/mcp?region=eu&apiKey=<redacted>&v=2";
        query_access_token: "https://h/mcp?access_token=tok1234" => "https://h/mcp?access_token=<redacted>";
        query_password_encoded: "https://h/mcp?password=correct%20horse" => "https://h/mcp?password=<redacted>";
        query_signature: "https://h/mcp?expires=1700000000&sig=abcdEFGH1234"
            => "https://h/mcp?expires=1700000000&sig=<redacted>";
        query_auth_value_and_fragment: "https://h/mcp?auth=opensesame#top" => "https://h/mcp?auth=<redacted>#top";
        query_value_looks_like_credential: "https://h/mcp?u=ghp_JKdZpjkK4Y4roACxAc4G2Dd7ljFkdhe3KfyR"
            => "https://h/mcp?u=<redacted>";
        query_uuid_value: "https://h/mcp?session=550e8400-e29b-41d4-a716-446655440000"
            => "https://h/mcp?session=<redacted>";
        query_ordinary: "https://h/mcp?region=eu&v=2&format=json" => "https://h/mcp?region=eu&v=2&format=json";
        query_short_key: "https://h/mcp?key=ab" => "https://h/mcp?key=ab";
        query_none: "https://h/mcp" => "https://h/mcp";
        query_empty_value: "https://h/mcp?token=&debug" => "https://h/mcp?token=&debug";
    }

    #[test]
    fn url_queries_are_masked_as_quoted_in_errors_and_echoed_decoded() {
        let redactor = of_url("https://h/mcp?password=correct horse&v=2", &[]);
        let error = "error sending request for url (https://h/mcp?password=correct%20horse&v=2)";
        assert_eq!(redactor.redact(error), "error sending request for url (https://h/mcp?password=<redacted>&v=2)");
        assert_eq!(redactor.redact("login as correct horse failed"), "login as <redacted> failed");
    }

    #[test]
    fn url_query_parameters_marked_in_secrets_are_masked() {
        let url = "https://h/mcp?tenant=acme-corp&region=eu";
        assert_eq!(of_url(url, &["Tenant"]).redact(url), "https://h/mcp?tenant=<redacted>&region=eu");
        assert_eq!(of_url(url, &[]).redact(url), url);
    }

    #[test]
    fn words_split_at_separators_and_case_changes() {
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("clientSecretV2"), ["client", "secret", "v2"]);
        assert_eq!(words("AWS_ACCESS_KEY_ID"), ["aws", "access", "key", "id"]);
        assert_eq!(words("__"), Vec::<String>::new());
    }
}
