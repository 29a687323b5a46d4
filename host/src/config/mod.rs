//! The config file: which upstream MCP servers codemode connects to, and the
//! per-server limits it applies. This module reads the file, expands
//! variables and validates it into [`Config`]; it never starts a process or
//! opens a connection (that is `upstream`'s job) and never logs.
//!
//! # Accepted files
//!
//! The files users already have work unchanged:
//!
//! - `"mcpServers": { NAME: ENTRY, ... }` — Claude Desktop
//!   (`claude_desktop_config.json`), Claude Code (`.mcp.json`), Cursor
//!   (`~/.cursor/mcp.json`);
//! - `"servers": { NAME: ENTRY, ... }` — VS Code (`.vscode/mcp.json`); its
//!   `inputs` array is ignored, and only a `${input:ID}` reference to it is
//!   an error (codemode has nobody to prompt).
//!
//! If both keys are present their servers are merged, in file order; a name
//! defined twice (in either or both) is an error. Comments (`//`, `/* */`),
//! trailing commas and a leading byte-order mark are accepted everywhere,
//! because VS Code's file is JSONC and hand-edited files carry them.
//!
//! An ENTRY is a stdio server (`command`, `args`, `env`, `cwd`) or a
//! streamable HTTP server (`url`, `headers`). `type` is `"stdio"`, `"http"`,
//! `"streamable-http"` or `"streamableHttp"`; when it is absent, `command`
//! means stdio and `url` means HTTP. Other keys are ignored at every level
//! outside `"codemode"`, so `autoApprove`, `alwaysAllow`, `timeout`,
//! `description`, ... do no harm; a key codemode reads must not appear twice
//! in one object. Inside a server entry, a key that neither codemode nor a
//! known client reads is reported in [`Config::warnings`], with the key it
//! most likely misspells (`"evn"`: did you mean `"env"`?).
//!
//! # Rules
//!
//! - **Disabled servers.** `"disabled": true` skips the entry before any other
//!   check, so a disabled entry may be incomplete or name unset variables.
//!   Its name still counts for the duplicate-name check.
//! - **Variables.** `command`, `args`, `env` values, `cwd`, `url` and `headers`
//!   values expand `${NAME}`, `${env:NAME}` (VS Code's and Cursor's spelling),
//!   and `${NAME:-default}` (the default applies when NAME is unset *or
//!   empty*, as in the shell; it may itself contain references). `$$` is a
//!   literal `$`; any other `$` is literal too, so only `$${` needs escaping.
//!   Substituted values are never rescanned, and a default cannot contain
//!   `}`. An unset variable without a default is an error, and so is
//!   `${input:ID}` (naming the id) and any other `${...}` form.
//! - **SSE.** The old HTTP+SSE transport is not supported: `"type": "sse"` is
//!   an error, and so is a `url` whose path ends in `/sse` when `type` is
//!   absent. That case is an error rather than a warning because a streamable
//!   HTTP request to an SSE endpoint fails later with a far less helpful
//!   message; an explicit `"type": "http"` overrides the guess.
//! - **URLs** must be `http://` or `https://` with a host.
//! - **`envFile`** (VS Code, Cursor) is an error rather than ignored: skipping
//!   it would start the server without its credentials.
//! - **Relative `cwd`** is resolved against the config file's folder by
//!   [`Config::load`]; [`Config::from_json_str`] leaves it as written.
//!
//! # codemode options
//!
//! A `"codemode"` object inside an entry sets that server's options (other
//! clients ignore it); a top-level `"codemode"` object sets the defaults for
//! every server. Inside these objects unknown keys *are* errors, so a typo
//! cannot silently drop a limit; the error names the option the key most
//! likely misspells (`"aprove"`: did you mean `"approve"`?). See [`ServerOptions`] for the keys; the
//! top-level object may also set `inlineDeclarations` (see
//! [`Config::inline_declarations`]), `learn` (see [`Config::learn`]) and
//! `strict` (see [`Config::strict`]).
//!
//! # Secrets
//!
//! Some `env` and `headers` values, and values of query parameters in a
//! `url` (`?api_key=...`), are credentials, and codemode masks them (as
//! `<redacted>`) in everything it surfaces — error messages quoting the URL
//! included — even when a server echoes one: a value is a credential when
//! its **name** says so (`API_KEY`, `GITHUB_TOKEN`, `Authorization`,
//! `X-Api-Key`, `DB_PASSWORD`, `Cookie`, `access_token`, `sig`, ...: a name
//! with `token`, `secret`, `password`, `credential`, `cookie`,
//! `authorization`, ... in it, or ending in `key`, `auth`, `pass` or
//! `signature`), when
//! the value **looks like** one (a long random-looking string of letters
//! and digits, a hex key or UUID, the password in `user:password@` of a
//! URL), or when the entry's `"codemode": { "secrets": [...] }` **marks**
//! its name ([`ServerOptions::secrets`]). Other values (`"NODE_ENV":
//! "production"`, `"REGION": "eu-west-1"`) are not masked, so results that
//! mention them come through intact. Mark a name whose value is secret but
//! neither named nor shaped like a credential (`"CUSTOMER_ID"`), or
//! `["*"]` to mask every value.
//!
//! This module never reveals any of them: [`Transport`]'s `Debug` prints
//! `env` and `headers` names only and the `url` with every query value
//! masked, and no [`ConfigError`] contains their values or any variable's
//! value: errors quote names, JSON types, `type` values, URL schemes
//! written in the file and codemode option values, nothing else.

mod entry;
mod error;
mod expand;
mod jsonc;
mod keys;
mod options;
mod tree;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::{ConfigError, ConfigErrorKind};
pub use keys::ConfigWarning;
pub use options::{DEFAULT_CALL_TIMEOUT, DEFAULT_SERVER_CONCURRENT_CALLS, DEFAULT_START_TIMEOUT, parse_duration};

use tree::{Json, Node};

/// The top-level keys holding servers: Claude's and Cursor's, VS Code's.
const MAPS: [&str; 2] = ["mcpServers", "servers"];

/// A resolved config file: every enabled server, ready to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The enabled servers, in the order they appear in the file.
    pub servers: Vec<ServerConfig>,
    /// `inlineDeclarations` of the top-level `"codemode"` object: a token
    /// budget within which `codemode serve` puts the whole TypeScript API
    /// into `execute`'s description (see
    /// [`crate::server::ServeOptions::inline_declarations`]); a positive
    /// integer. Default: not inlined.
    pub inline_declarations: Option<usize>,
    /// `learn` of the top-level `"codemode"` object: whether result types
    /// are learned from the results of tools that declare none (see
    /// [`crate::shapes`]). Default: true.
    pub learn: bool,
    /// `strict` of the top-level `"codemode"` object: when true, a server
    /// that cannot be started stops codemode from starting at all, instead
    /// of leaving it unavailable while the others work. Default false.
    pub strict: bool,
    /// What the file has that codemode accepts but that is probably a
    /// mistake: each unknown key of a server entry (other than the keys
    /// other clients define), with the key codemode reads that it most
    /// likely misspells. The caller shows them; they change nothing.
    pub warnings: Vec<ConfigWarning>,
}

impl Default for Config {
    /// No servers, nothing inlined, learning on, not strict, no warnings.
    fn default() -> Self {
        Config { servers: Vec::new(), inline_declarations: None, learn: true, strict: false, warnings: Vec::new() }
    }
}

/// One upstream MCP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The key of the entry in `mcpServers` / `servers`; never empty.
    pub name: String,
    /// How to reach the server, with all variables expanded.
    pub transport: Transport,
    /// codemode's options for this server (defaults filled in).
    pub options: ServerOptions,
}

/// How to reach an upstream server. `Debug` redacts `env` and `headers`
/// values, and the values of the `url`'s query parameters.
#[derive(Clone, PartialEq, Eq)]
pub enum Transport {
    /// A child process speaking MCP over stdin/stdout.
    Stdio {
        /// The program to run (looked up in `PATH` by whoever spawns it).
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Variables added to its environment, in file order (credentials).
        env: Vec<(String, String)>,
        /// Its working directory, if set.
        cwd: Option<PathBuf>,
    },
    /// A streamable HTTP endpoint.
    Http {
        /// The endpoint, `http://` or `https://`.
        url: String,
        /// Headers sent with every request, in file order (credentials).
        headers: Vec<(String, String)>,
    },
}

/// codemode's options for one server, from the `"codemode"` object of its
/// entry, else the top-level `"codemode"` object, else the defaults:
///
/// ```json
/// "codemode": {
///   "tools": { "allow": ["*"], "deny": ["delete_*"] },
///   "secrets": ["CUSTOMER_ID", "X-Tenant"],
///   "approve": ["delete_*", "create_refund"],
///   "callTimeout": "30s",
///   "startTimeout": "2m",
///   "maxConcurrentCalls": 4
/// }
/// ```
///
/// A key set in an entry replaces the top-level value for that key (lists
/// are replaced, not merged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// `tools.allow`: tool-name patterns to expose; default `["*"]`.
    pub allow: Vec<String>,
    /// `tools.deny`: tool-name patterns to hide, winning over `allow`;
    /// default empty.
    pub deny: Vec<String>,
    /// `secrets`: names of `env` variables (stdio), or `headers` and `url`
    /// query parameters (HTTP), whose values are credentials, to be masked in everything codemode surfaces
    /// ([`ServerOptions::marks_secret`]), on top of those codemode
    /// recognizes itself (see *Secrets* in the [module docs](self)). `*`
    /// matches any run of characters, so `["*"]` marks every value; names
    /// are compared without regard to case. Default empty.
    pub secrets: Vec<String>,
    /// `approve`: which calls need a person's yes before they are made
    /// (see [`Approve`]). Default: none.
    pub approve: Approve,
    /// `callTimeout`: the longest one tool call may take, as integer
    /// milliseconds or a string `"<integer><unit>"` with unit `ms`, `s`, `m`
    /// or `h`; must be positive. Default [`DEFAULT_CALL_TIMEOUT`].
    pub call_timeout: Duration,
    /// `startTimeout`: the longest the server may take to start (or
    /// connect), answer `initialize` and list its tools, in the same form
    /// as `callTimeout`; past it codemode stops the server and reports it
    /// unavailable. Default [`DEFAULT_START_TIMEOUT`].
    pub start_timeout: Duration,
    /// `maxConcurrentCalls`: how many calls may be in flight to this server
    /// at once; a positive integer. Default [`DEFAULT_SERVER_CONCURRENT_CALLS`].
    pub max_concurrent_calls: usize,
}

impl Config {
    /// Parses and resolves config text, reading variables through `env`
    /// (return `None` for an unset variable). A relative `cwd` stays
    /// relative, since text has no folder; use [`Config::load`] for files.
    ///
    /// # Errors
    ///
    /// The first problem found: invalid JSON, a wrong type or unsupported
    /// value in a field, an unset variable, a duplicate server name.
    pub fn from_json_str(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Self::resolve(text, None, env)
    }

    /// Reads and resolves the config file at `path`, expanding variables
    /// from the process environment (a variable whose value is not Unicode
    /// counts as unset).
    ///
    /// # Errors
    ///
    /// As [`Config::from_json_str`], plus failing to read the file; every
    /// error carries the path.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Self::load_with_env(path, &|name| std::env::var(name).ok())
    }

    /// [`Config::load`] with variables read through `env` instead of the
    /// process environment.
    ///
    /// # Errors
    ///
    /// As [`Config::load`].
    pub fn load_with_env(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError::new(ConfigErrorKind::Read(err)));
        text.and_then(|text| Self::resolve(&text, path.parent(), env)).map_err(|err| err.with_path(path))
    }

    fn resolve(text: &str, dir: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let tree: Json = serde_json::from_str(&jsonc::to_json(text))
            .map_err(|err| ConfigError::new(ConfigErrorKind::Syntax(err)))?;
        let top = Node::top(&tree).object()?;
        let top_options = match top.get("codemode")? {
            Some(node) => options::Overrides::parse(&node, true)?,
            None => options::Overrides::default(),
        };
        let defaults = top_options.apply(&ServerOptions::default());

        // Both shapes are read, merged in file order. `get` rejects a
        // repeated map key, so each map is seen once.
        let present = MAPS.iter().map(|key| top.get(key)).collect::<Result<Vec<_>, _>>()?;
        if present.iter().all(Option::is_none) {
            return Err(ConfigError::new(ConfigErrorKind::NoServers));
        }
        // (map key, server name, entry), in file order.
        let mut entries: Vec<(&'static str, &str, &Json)> = Vec::new();
        for (key, node) in top.entries() {
            let Some(map) = MAPS.into_iter().find(|map| *map == key) else {
                continue;
            };
            for (name, entry) in node.object()?.entries() {
                if name.trim().is_empty() {
                    return Err(node.error(ConfigErrorKind::EmptyName));
                }
                if let Some(&(first, ..)) = entries.iter().find(|(_, seen, _)| *seen == name) {
                    let kind = ConfigErrorKind::DuplicateServer { first, second: map };
                    return Err(Node::server(name, entry.value()).error(kind));
                }
                entries.push((map, name, entry.value()));
            }
        }

        let context = entry::Context { env, dir, defaults: &defaults };
        let mut servers = Vec::with_capacity(entries.len());
        let mut warnings = Vec::new();
        for (_, name, entry) in entries {
            servers.extend(entry::resolve(name, entry, &context, &mut warnings)?);
        }
        Ok(Config {
            servers,
            inline_declarations: top_options.inline_declarations,
            learn: top_options.learn.unwrap_or(true),
            strict: top_options.strict.unwrap_or(false),
            warnings,
        })
    }
}

/// Which of a server's tools need a person's yes before each call: the
/// program's call waits while codemode asks through the client
/// (elicitation), and fails with `ToolError` `declined` on a no, or
/// `approval_required` when nobody can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Approve {
    /// No tool (the default).
    #[default]
    Nothing,
    /// The tools whose upstream name matches one of these patterns (`*`
    /// matches any run of characters): `"approve": ["delete_*"]`.
    Tools(Vec<String>),
    /// Every tool whose annotations do not say it is read-only
    /// (`readOnlyHint: true`) or harmless (`destructiveHint: false`):
    /// `"approve": "destructive"`.
    Destructive,
}

impl Approve {
    /// Whether a call of `tool` (its upstream name), annotated
    /// `read_only`/`destructive` as its server says, needs approval.
    #[must_use]
    pub fn needs(&self, tool: &str, read_only: Option<bool>, destructive: Option<bool>) -> bool {
        match self {
            Approve::Nothing => false,
            Approve::Tools(patterns) => patterns.iter().any(|pattern| options::glob_matches(pattern, tool)),
            Approve::Destructive => read_only != Some(true) && destructive != Some(false),
        }
    }
}

impl ServerOptions {
    /// Whether a tool named `tool` (the upstream's own name) is exposed: it
    /// matches some `allow` pattern and no `deny` pattern. In a pattern `*`
    /// matches any run of characters (including none); every other
    /// character matches itself, case-sensitively.
    #[must_use]
    pub fn allows(&self, tool: &str) -> bool {
        let matches = |pattern: &String| options::glob_matches(pattern, tool);
        self.allow.iter().any(matches) && !self.deny.iter().any(matches)
    }

    /// Whether `secrets` marks the `env` variable, header or URL query
    /// parameter called `name`: some pattern matches it, both compared in
    /// lower case.
    #[must_use]
    pub fn marks_secret(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.secrets.iter().any(|pattern| options::glob_matches(&pattern.to_lowercase(), &name))
    }
}

impl Default for ServerOptions {
    /// Every tool allowed, [`DEFAULT_CALL_TIMEOUT`],
    /// [`DEFAULT_START_TIMEOUT`], [`DEFAULT_SERVER_CONCURRENT_CALLS`].
    fn default() -> Self {
        ServerOptions {
            allow: vec!["*".to_owned()],
            deny: Vec::new(),
            secrets: Vec::new(),
            approve: Approve::Nothing,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            start_timeout: DEFAULT_START_TIMEOUT,
            max_concurrent_calls: DEFAULT_SERVER_CONCURRENT_CALLS,
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Stdio { command, args, env, cwd } => f
                .debug_struct("Stdio")
                .field("command", command)
                .field("args", args)
                .field("env", &Redacted(env))
                .field("cwd", cwd)
                .finish(),
            Transport::Http { url, headers } => {
                f.debug_struct("Http").field("url", &RedactedQuery(url)).field("headers", &Redacted(headers)).finish()
            }
        }
    }
}

/// A URL shown with each query parameter's value as `<redacted>`: like
/// `env` and `headers` values, one may be a credential (`?api_key=...`).
struct RedactedQuery<'a>(&'a str);

impl fmt::Debug for RedactedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((base, rest)) = self.0.split_once('?') else {
            return write!(f, "{:?}", self.0);
        };
        let (query, fragment) = rest.split_at(rest.find('#').unwrap_or(rest.len()));
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| pair.split_once('=').map_or_else(|| pair.to_owned(), |(name, _)| format!("{name}=<redacted>")))
            .collect();
        write!(f, "{:?}", format!("{base}?{}{fragment}", pairs.join("&")))
    }
}

/// Name/value pairs shown as `["NAME"=<redacted>, ...]`.
struct Redacted<'a>(&'a [(String, String)]);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Name<'a>(&'a str);
        impl fmt::Debug for Name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}=<redacted>", self.0)
            }
        }
        f.debug_list().entries(self.0.iter().map(|(name, _)| Name(name))).finish()
    }
}
