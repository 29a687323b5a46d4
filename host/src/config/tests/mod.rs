//! Tests of the whole config module: the real file shapes (fixtures in
//! `tests/fixtures/configs/`), every error message, option layering and the
//! secret-redaction guarantees, one file each, with the fixtures and
//! builders they share here. Expansion, JSONC, duration and glob rules have
//! table tests beside their code.

use std::path::PathBuf;

use super::*;

mod files;
mod messages;
mod options;
mod rules;
mod secrets;

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
