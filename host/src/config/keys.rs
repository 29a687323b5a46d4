//! The keys of a server entry: those codemode reads, those other MCP
//! clients define (accepted silently), and for any other key a
//! [`ConfigWarning`] suggesting the key codemode reads that it most likely
//! misspells. Unknown keys stay ignored, since a file shared with other
//! clients may hold their settings; the warning is what keeps a typo such as
//! `"evn"` from passing silently. [`closest`] makes every "did you mean" of
//! the file, the fatal ones for codemode's own options included.

use std::fmt;

/// The keys codemode reads in a server entry.
pub(super) const ENTRY_KEYS: [&str; 10] =
    ["type", "command", "args", "env", "cwd", "url", "headers", "disabled", "envFile", "codemode"];

/// Keys other clients define in a server entry, which codemode ignores
/// without a warning: Cline's and Roo Code's (`autoApprove`, `alwaysAllow`,
/// `disabledTools`, `timeout`, `transportType`), VS Code's (`dev`,
/// `gallery`, `version`), Gemini CLI's (`trust`, `includeTools`,
/// `excludeTools`), and a free-form `description`.
const OTHER_CLIENTS_KEYS: [&str; 12] = [
    "autoApprove",
    "alwaysAllow",
    "disabledTools",
    "timeout",
    "transportType",
    "dev",
    "gallery",
    "version",
    "trust",
    "includeTools",
    "excludeTools",
    "description",
];

/// Something in the config file that codemode accepts but that is
/// probably a mistake; [`super::Config::warnings`] lists them for the
/// caller to show (this module never logs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigWarning {
    /// The server whose entry has the key.
    pub server: String,
    /// The key as written; it is ignored.
    pub key: String,
    /// The key codemode reads that `key` most likely misspells, if one is
    /// close (see [`suggestion`]).
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server {:?}: unknown key {:?} is ignored", self.server, self.key)?;
        match self.suggestion {
            Some(suggestion) => write!(f, "; did you mean {suggestion:?}?"),
            None => Ok(()),
        }
    }
}

/// The warning for `key` of server `server`'s entry, or `None` if codemode
/// or another client reads it.
pub(super) fn check(server: &str, key: &str) -> Option<ConfigWarning> {
    if ENTRY_KEYS.contains(&key) || OTHER_CLIENTS_KEYS.contains(&key) {
        return None;
    }
    Some(ConfigWarning { server: server.to_owned(), key: key.to_owned(), suggestion: suggestion(key) })
}

/// The entry key codemode reads that `key` most likely misspells
/// ([`closest`]): `comand`, `evn`, `arg`, `Headers`.
pub(super) fn suggestion(key: &str) -> Option<&'static str> {
    closest(key, &ENTRY_KEYS)
}

/// The one of `known` closest to `key`, if it is within a third of `key`'s
/// length (at least 1) in Damerau-Levenshtein distance (an insertion,
/// deletion, substitution or swap of two neighbours counts 1), compared
/// without regard to case.
pub(super) fn closest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let lower = key.to_lowercase();
    let limit = (key.chars().count() / 3).max(1);
    known
        .iter()
        .map(|&known| (strsim::damerau_levenshtein(&lower, &known.to_lowercase()), known))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, known)| known)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `test_name: key => the key suggested;`
    macro_rules! suggestions {
        ($($name:ident: $key:literal => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(suggestion($key), $want);
            }
        )*};
    }

    suggestions! {
        comand: "comand" => Some("command");
        evn: "evn" => Some("env");
        arg: "arg" => Some("args");
        upper_case: "Headers" => Some("headers");
        header: "header" => Some("headers");
        disable: "disable" => Some("disabled");
        codmode: "codmode" => Some("codemode");
        env_file: "env_file" => Some("envFile");
        uri: "uri" => Some("url");
        nothing_close: "autostart" => None;
        far_short: "xyz" => None;
    }

    #[test]
    fn other_clients_keys_pass_and_others_warn() {
        assert_eq!(check("gh", "autoApprove"), None);
        assert_eq!(check("gh", "command"), None);
        let warning = check("gh", "evn").unwrap();
        assert_eq!(warning.to_string(), r#"server "gh": unknown key "evn" is ignored; did you mean "env"?"#);
        let warning = check("gh", "autostart").unwrap();
        assert_eq!(warning.to_string(), r#"server "gh": unknown key "autostart" is ignored"#);
    }
}
