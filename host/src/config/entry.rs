//! One server entry to a [`ServerConfig`]: choosing the transport, expanding
//! its string fields, checking its URL, and layering its codemode options
//! over the file's defaults. Names and duplicates are checked by the caller,
//! which sees every entry.

use std::path::{Path, PathBuf};

use super::keys::{self, ConfigWarning};
use super::tree::{Json, Node, Object};
use super::{ConfigError, ConfigErrorKind, ServerConfig, ServerOptions, Transport, expand, options};

/// The `type` values meaning streamable HTTP, as various clients spell it.
const HTTP_TYPES: [&str; 3] = ["http", "streamable-http", "streamableHttp"];

/// What every entry is resolved with.
pub(super) struct Context<'a> {
    /// Variable lookup for `${NAME}`.
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    /// The config file's folder, against which a relative `cwd` resolves.
    pub(super) dir: Option<&'a Path>,
    /// The options of servers whose entry sets none.
    pub(super) defaults: &'a ServerOptions,
}

/// Resolves the entry of server `name`, or `None` if it is disabled; adds
/// a warning to `warnings` for each key it does not know.
pub(super) fn resolve(
    name: &str,
    entry: &Json,
    cx: &Context<'_>,
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Option<ServerConfig>, ConfigError> {
    let entry = Node::server(name, entry);
    let fields = entry.object()?;
    let unknown: Vec<ConfigWarning> = fields.entries().filter_map(|(key, _)| keys::check(name, key)).collect();
    // A misspelled transport key is why there is no transport: say so.
    let misspelled = |transport: &str| unknown.iter().find(|w| w.suggestion == Some(transport)).map(|w| w.key.clone());
    let missing_transport =
        ConfigErrorKind::MissingTransport { misspelled: misspelled("command").or(misspelled("url")) };
    warnings.extend(unknown);
    if let Some(disabled) = fields.get("disabled")?
        && disabled.bool()?
    {
        return Ok(None);
    }
    if let Some(env_file) = fields.get("envFile")? {
        return Err(env_file.error(ConfigErrorKind::EnvFile));
    }

    let command = fields.get("command")?;
    let url = fields.get("url")?;
    if command.is_some() && url.is_some() {
        return Err(entry.error(ConfigErrorKind::ConflictingTransport));
    }
    let ty = match fields.get("type")? {
        Some(node) => Some((node.string()?, node)),
        None => None,
    };
    let stdio = match &ty {
        Some(("stdio", _)) => true,
        Some((http, _)) if HTTP_TYPES.contains(http) => false,
        Some(("sse", node)) => return Err(node.error(ConfigErrorKind::SseTransport)),
        Some((other, node)) => {
            let found = (*other).to_owned();
            return Err(node.error(ConfigErrorKind::UnknownType { found }));
        }
        None if command.is_some() => true,
        None if url.is_some() => false,
        None => return Err(entry.error(missing_transport)),
    };
    // Only reachable with an explicit type: without one, the field present
    // chose the transport.
    let missing = |key: &str| {
        let ty = ty.as_ref().map_or("", |(ty, _)| ty).to_owned();
        fields.error_at(key, ConfigErrorKind::MissingForType { ty })
    };

    let transport = if stdio {
        let command = command.ok_or_else(|| missing("command"))?;
        stdio_transport(&command, &fields, cx)?
    } else {
        let url = url.ok_or_else(|| missing("url"))?;
        http_transport(&url, ty.is_none(), &fields, cx)?
    };
    let options = match fields.get("codemode")? {
        Some(node) => options::Overrides::parse(&node, false)?.apply(cx.defaults),
        None => cx.defaults.clone(),
    };
    Ok(Some(ServerConfig { name: name.to_owned(), transport, options }))
}

fn stdio_transport(command: &Node<'_>, fields: &Object<'_>, cx: &Context<'_>) -> Result<Transport, ConfigError> {
    let command = non_empty(command, cx)?;
    let args = match fields.get("args")? {
        Some(args) => args.array()?.iter().map(|arg| expanded(arg, cx)).collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let env = expanded_map(fields.get("env")?, cx)?;
    let cwd = match fields.get("cwd")? {
        Some(cwd) => {
            let path = PathBuf::from(non_empty(&cwd, cx)?);
            Some(match cx.dir {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path,
            })
        }
        None => None,
    };
    Ok(Transport::Stdio { command, args, env, cwd })
}

/// `inferred`: no `type` was given, so a URL ending in `/sse` is taken for
/// the old SSE transport.
fn http_transport(
    url: &Node<'_>,
    inferred: bool,
    fields: &Object<'_>,
    cx: &Context<'_>,
) -> Result<Transport, ConfigError> {
    let raw = url.string()?;
    let expanded = expanded(url, cx)?;
    let path = check_url(raw, &expanded).map_err(|kind| url.error(kind))?;
    if inferred && path.trim_end_matches('/').ends_with("/sse") {
        return Err(url.error(ConfigErrorKind::SseUrl));
    }
    Ok(Transport::Http { url: expanded, headers: expanded_map(fields.get("headers")?, cx)? })
}

/// Checks that `url` (expanded from `raw`) is `http(s)://HOST...`, and
/// returns its path, without query or fragment.
fn check_url<'u>(raw: &str, url: &'u str) -> Result<&'u str, ConfigErrorKind> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        // Quote the scheme only if the file spells it out: one that came
        // from a variable might be the start of a secret.
        let scheme = url.split_once(':').map(|(scheme, _)| scheme).filter(|scheme| {
            raw.starts_with(&format!("{scheme}:"))
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        return Err(ConfigErrorKind::UrlScheme { scheme: scheme.map(str::to_owned) });
    }
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 {
        return Err(ConfigErrorKind::UrlHost);
    }
    let path = &rest[host_end..];
    Ok(path.split(['?', '#']).next().unwrap_or(path))
}

/// A string field with its variables expanded.
fn expanded(node: &Node<'_>, cx: &Context<'_>) -> Result<String, ConfigError> {
    expand::expand(node.string()?, cx.env).map_err(|kind| node.error(kind))
}

fn non_empty(node: &Node<'_>, cx: &Context<'_>) -> Result<String, ConfigError> {
    let value = expanded(node, cx)?;
    if value.is_empty() {
        return Err(node.error(ConfigErrorKind::Empty));
    }
    Ok(value)
}

/// `env` or `headers`: an object of strings, values expanded, in file order.
fn expanded_map(node: Option<Node<'_>>, cx: &Context<'_>) -> Result<Vec<(String, String)>, ConfigError> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    node.object()?.unique_entries()?.iter().map(|(key, value)| Ok(((*key).to_owned(), expanded(value, cx)?))).collect()
}
