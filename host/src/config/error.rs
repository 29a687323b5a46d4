//! The config error: what went wrong ([`ConfigErrorKind`]) and where (file,
//! server, field), displayed ripgrep-style as
//! `PATH: server "NAME": field "FIELD": message`.
//!
//! Messages quote names (servers, fields, keys, variables, input ids), JSON
//! types, `type` values, URL schemes written in the file and codemode option
//! values, and nothing else from the file or the environment: `env` and
//! `headers` values, and any variable's value, may be credentials.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

/// An error reading or resolving a config file.
#[derive(Debug)]
pub struct ConfigError {
    path: Option<PathBuf>,
    server: Option<String>,
    field: Option<String>,
    kind: ConfigErrorKind,
}

/// What went wrong. The server and field are on [`ConfigError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Read(std::io::Error),
    /// The file is not JSON (or JSONC); the `serde_json` error carries the
    /// line and column, which [`ConfigError`]'s `Display` puts first.
    Syntax(serde_json::Error),
    /// A value is not what its field needs. `found` is the value's JSON type
    /// (`"a string"`), or for codemode options, which are never credentials,
    /// the value itself.
    InvalidValue {
        /// What the field needs, e.g. `"a string"`.
        expected: &'static str,
        /// What it has.
        found: String,
    },
    /// A key appears twice in the same object.
    DuplicateKey {
        /// The repeated key.
        key: String,
    },
    /// Neither `mcpServers` nor `servers` is present.
    NoServers,
    /// A server name is empty (or only whitespace).
    EmptyName,
    /// Two entries have the same server name.
    DuplicateServer {
        /// The object holding the first (`"mcpServers"` or `"servers"`).
        first: &'static str,
        /// The object holding the second.
        second: &'static str,
    },
    /// An entry has neither `command` nor `url`.
    MissingTransport {
        /// An unknown key of the entry that looks like a misspelled
        /// `command` or `url`, if there is one.
        misspelled: Option<String>,
    },
    /// An entry has both `command` and `url`.
    ConflictingTransport,
    /// An entry's `type` needs the field that is missing.
    MissingForType {
        /// The `type` as written.
        ty: String,
    },
    /// `type` is not one codemode knows.
    UnknownType {
        /// The `type` as written.
        found: String,
    },
    /// `"type": "sse"`: the old HTTP+SSE transport.
    SseTransport,
    /// A `url` whose path ends in `/sse` and no `type` to say it is
    /// streamable HTTP.
    SseUrl,
    /// A `url` whose scheme is not `http` or `https`.
    UrlScheme {
        /// The scheme, when written literally in the file (a scheme that
        /// came from a variable is not repeated).
        scheme: Option<String>,
    },
    /// A `url` with nothing between `://` and the path.
    UrlHost,
    /// A field that must not be empty is empty after expansion.
    Empty,
    /// `envFile`, which codemode does not read.
    EnvFile,
    /// `${NAME}` with `NAME` unset and no default.
    UnsetVariable {
        /// The variable's name.
        name: String,
    },
    /// `${input:ID}`: a VS Code prompt, which codemode cannot show.
    InputVariable {
        /// The input's id.
        id: String,
    },
    /// `${` with no closing `}`.
    UnterminatedVariable {
        /// Where the `${` starts: a 1-based character index in the field.
        position: usize,
    },
    /// `${...}` that is not one of the accepted forms.
    InvalidVariable {
        /// Where the `${` starts: a 1-based character index in the field.
        position: usize,
    },
    /// A key inside a `"codemode"` object that codemode does not know.
    UnknownOption {
        /// The keys that are accepted there.
        expected: &'static [&'static str],
        /// The one of them the key most likely misspells, if one is close.
        suggestion: Option<&'static str>,
    },
}

impl ConfigError {
    pub(super) fn new(kind: ConfigErrorKind) -> Self {
        ConfigError { path: None, server: None, field: None, kind }
    }

    pub(super) fn at(mut self, server: Option<&str>, field: Option<String>) -> Self {
        self.server = server.map(str::to_owned);
        self.field = field;
        self
    }

    pub(super) fn with_path(mut self, path: &Path) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.kind
    }

    /// The config file, for errors from [`Config::load`](super::Config::load).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The server whose entry is wrong, if the error is inside one.
    pub fn server(&self) -> Option<&str> {
        self.server.as_deref()
    }

    /// The field path (`url`, `args[2]`, `env.TOKEN`,
    /// `codemode.callTimeout`), within the server's entry if
    /// [`server`](Self::server) is set, else from the top level.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
        }
        match (&self.kind, &self.path) {
            (ConfigErrorKind::Syntax(err), Some(_)) => {
                write!(f, ":{}:{}: ", err.line(), column(err))?;
            }
            (ConfigErrorKind::Syntax(err), None) => {
                write!(f, "line {}, column {}: ", err.line(), column(err))?;
            }
            (_, Some(_)) => f.write_str(": ")?,
            (_, None) => {}
        }
        if let Some(server) = &self.server {
            write!(f, "server {server:?}: ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field {field:?}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

/// The 1-based column of a syntax error. serde_json counts 0 for an error
/// found at a newline (an unclosed string, the end of the file after one);
/// that is the start of the next line, column 1.
fn column(err: &serde_json::Error) -> usize {
    err.column().max(1)
}

impl fmt::Display for ConfigErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ConfigErrorKind::*;
        match self {
            Read(err) => write!(f, "cannot read the config file: {err}"),
            Syntax(err) => {
                // serde_json appends the position, which Display puts first.
                let message = err.to_string();
                let suffix = format!(" at line {} column {}", err.line(), err.column());
                let message = message.strip_suffix(&suffix).unwrap_or(&message);
                write!(f, "invalid JSON: {message}")
            }
            InvalidValue { expected, found } => write!(f, "expected {expected}, found {found}"),
            DuplicateKey { key } => write!(f, "key {key:?} appears more than once"),
            NoServers => f.write_str(
                "no \"mcpServers\" (Claude, Cursor) or \"servers\" (VS Code) object: \
                 this does not look like an MCP config file",
            ),
            EmptyName => f.write_str("a server name is empty"),
            DuplicateServer { first, second } if first == second => {
                write!(f, "defined twice in {first:?}")
            }
            DuplicateServer { first, second } => {
                write!(f, "defined in both {first:?} and {second:?}")
            }
            MissingTransport { misspelled } => {
                f.write_str("neither \"command\" (a stdio server) nor \"url\" (an HTTP server) is set")?;
                match misspelled.as_deref().and_then(|key| Some((key, super::keys::suggestion(key)?))) {
                    Some((key, meant)) => write!(f, "; is {key:?} a misspelled {meant:?}?"),
                    None => Ok(()),
                }
            }
            ConflictingTransport => f.write_str(
                "both \"command\" and \"url\" are set; a server is either stdio (\"command\") \
                 or streamable HTTP (\"url\")",
            ),
            MissingForType { ty } => write!(f, "missing, and \"type\": {ty:?} needs it"),
            UnknownType { found } => write!(
                f,
                "unknown transport {found:?}; expected \"stdio\", \"http\", \"streamable-http\" \
                 or \"streamableHttp\""
            ),
            SseTransport => f.write_str(
                "the SSE transport (\"type\": \"sse\") is not supported; \
                 use streamable HTTP (\"type\": \"http\")",
            ),
            SseUrl => f.write_str(
                "the URL path ends in \"/sse\", the endpoint of the old SSE transport, which is \
                 not supported; use the server's streamable HTTP endpoint (often \"/mcp\"), or \
                 set \"type\": \"http\" if this URL does serve streamable HTTP",
            ),
            UrlScheme { scheme: Some(scheme) } => {
                write!(f, "the URL scheme {scheme:?} is not supported; use http or https")
            }
            UrlScheme { scheme: None } => f.write_str("the URL must start with \"http://\" or \"https://\""),
            UrlHost => f.write_str("the URL has no host"),
            Empty => f.write_str("must not be empty"),
            EnvFile => f.write_str(
                "is not supported; set the variables in \"env\" instead \
                 (values may use \"${NAME}\")",
            ),
            UnsetVariable { name } => {
                write!(f, "variable {name:?} is not set; set it, or give a default with \"${{{name}:-default}}\"")
            }
            InputVariable { id } => write!(
                f,
                "VS Code input {id:?} (\"${{input:{id}}}\") cannot be prompted for; \
                 use an environment variable instead (\"${{env:NAME}}\")"
            ),
            UnterminatedVariable { position } => write!(
                f,
                "the variable reference at character {position} has no closing \"}}\" \
                 (write \"$$\" for a literal \"$\")"
            ),
            InvalidVariable { position } => write!(
                f,
                "invalid variable reference at character {position}; write \"${{NAME}}\", \
                 \"${{NAME:-default}}\" or \"${{env:NAME}}\" (and \"$$\" for a literal \"$\")"
            ),
            UnknownOption { expected, suggestion } => {
                let quoted: Vec<String> = expected.iter().map(|key| format!("{key:?}")).collect();
                let expected = match quoted.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => String::new(),
                };
                match suggestion {
                    Some(meant) => write!(f, "unknown codemode option; did you mean {meant:?}? (expected {expected})"),
                    None => write!(f, "unknown codemode option; expected {expected}"),
                }
            }
        }
    }
}

// No `source()`: Display already includes the I/O or JSON error's message,
// and reporters that walk the chain would print it twice.
impl Error for ConfigError {}
