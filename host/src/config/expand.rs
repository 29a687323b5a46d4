//! Variable expansion in config strings. It turns one raw string into its
//! expanded value or an error kind; which fields expand, and the server and
//! field an error names, are the caller's business.
//!
//! ```text
//! text      := ( literal | "$$" | reference )*
//! reference := "${" [ "env:" ] NAME [ ":-" default ] "}"
//! NAME      := [A-Za-z_] [A-Za-z0-9_]*
//! default   := text, up to the "}" closing the reference
//! ```
//!
//! - `${NAME}` is the variable's value; unset is an error, empty is fine.
//! - `${NAME:-default}` is the value if set and non-empty, else the expanded
//!   default (as in the shell). A default is only evaluated when used, so
//!   variables inside an unused default may be unset.
//! - `${env:NAME}` is `${NAME}`, in VS Code's and Cursor's spelling.
//! - `$$` is a literal `$` (the Docker Compose rule), and a `$` not followed
//!   by `$` or `{` is literal, so `$HOME` and `$5` stay as written.
//! - `${input:ID}` (a VS Code prompt) is always an error, naming the id.
//! - Substituted values are never rescanned, so a value containing `${` is
//!   used as is. A default cannot contain a literal `}`.

use super::ConfigErrorKind;

/// Expands every reference in `text`, reading variables through `env`.
pub(super) fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, ConfigErrorKind> {
    Parser { text, pos: 0, env }.sequence(None, true)
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next unread character.
    pos: usize,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Parser<'a> {
    /// Expands up to the end of the text or, inside the default of the
    /// reference whose `${` is at byte `open`, up to and including its `}`.
    /// With `evaluate` false nothing is looked up: the default is unused and
    /// only its end must be found.
    fn sequence(&mut self, open: Option<usize>, evaluate: bool) -> Result<String, ConfigErrorKind> {
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let Some(stop) = rest.find(|c| c == '$' || (c == '}' && open.is_some())) else {
                out.push_str(rest);
                self.pos = self.text.len();
                return match open {
                    None => Ok(out),
                    Some(open) => Err(self.unclosed(open)),
                };
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            if self.eat("}") {
                return Ok(out);
            } else if self.eat("$$") {
                out.push('$');
            } else if self.rest().starts_with("${") {
                out.push_str(&self.reference(evaluate)?);
            } else {
                out.push('$');
                self.pos += 1;
            }
        }
    }

    /// Expands the reference whose `${` is at the current position.
    fn reference(&mut self, evaluate: bool) -> Result<String, ConfigErrorKind> {
        let open = self.pos;
        self.pos += 2;
        let mut name = self.name();
        if name == "input" && self.eat(":") {
            let rest = self.rest();
            return Err(match rest.find('}') {
                Some(end) => ConfigErrorKind::InputVariable { id: rest[..end].to_owned() },
                None => self.unclosed(open),
            });
        }
        if name == "env" && !self.rest().starts_with(":-") && self.eat(":") {
            name = self.name();
        }
        if name.is_empty() {
            return Err(self.malformed(open));
        }
        let value = if evaluate { (self.env)(name) } else { None };
        if self.eat("}") {
            return match value {
                Some(value) => Ok(value),
                None if !evaluate => Ok(String::new()),
                None => Err(ConfigErrorKind::UnsetVariable { name: name.to_owned() }),
            };
        }
        if self.eat(":-") {
            let value = value.filter(|value| !value.is_empty());
            let default = self.sequence(Some(open), evaluate && value.is_none())?;
            return Ok(value.unwrap_or(default));
        }
        Err(self.malformed(open))
    }

    /// Reads a NAME, or nothing if none starts here.
    fn name(&mut self) -> &'a str {
        let rest = self.rest();
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return "";
        }
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    /// The error for a reference at `open` that broke off here: unclosed if
    /// no `}` follows at all, else malformed.
    fn malformed(&self, open: usize) -> ConfigErrorKind {
        if self.rest().contains('}') {
            ConfigErrorKind::InvalidVariable { position: self.position(open) }
        } else {
            self.unclosed(open)
        }
    }

    fn unclosed(&self, open: usize) -> ConfigErrorKind {
        ConfigErrorKind::UnterminatedVariable { position: self.position(open) }
    }

    /// The 1-based character index of byte `offset`, for messages.
    fn position(&self, offset: usize) -> usize {
        self.text[..offset].chars().count() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConfigErrorKind::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/ada".into()),
            "EMPTY" => Some(String::new()),
            "env" => Some("the-env-var".into()),
            "TRICKY" => Some("${HOME}$$".into()),
            _ => None,
        }
    }

    /// `test_name: input => expected output;`
    macro_rules! expands {
        ($($name:ident: $text:expr => $want:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(expand($text, &env).unwrap(), $want);
            }
        )*};
    }

    /// `test_name: input => [pattern matching the error kind];`
    macro_rules! fails {
        ($($name:ident: $text:expr => [$($want:tt)+];)*) => {$(
            #[test]
            fn $name() {
                let err = expand($text, &env).unwrap_err();
                assert!(matches!(&err, $($want)+), "{err:?}");
            }
        )*};
    }

    expands! {
        plain: "npx -y server" => "npx -y server";
        empty: "" => "";
        variable: "${HOME}/bin" => "/home/ada/bin";
        variable_twice: "${HOME}:${HOME}" => "/home/ada:/home/ada";
        env_prefix: "${env:HOME}" => "/home/ada";
        env_prefix_default: "${env:NOPE:-x}" => "x";
        variable_named_env: "${env}" => "the-env-var";
        variable_named_env_default: "${env:-d}" => "the-env-var";
        empty_value: "[${EMPTY}]" => "[]";
        default_unset: "${NOPE:-fallback}" => "fallback";
        default_empty: "${EMPTY:-fallback}" => "fallback";
        default_set: "${HOME:-fallback}" => "/home/ada";
        default_blank: "${NOPE:-}" => "";
        default_colon: "${NOPE:-http://a:1}" => "http://a:1";
        default_nested: "${NOPE:-${HOME}/x}" => "/home/ada/x";
        default_unused_unset: "${HOME:-${NOPE}}" => "/home/ada";
        default_dollars: "${NOPE:-$$1}" => "$1";
        dollar_dollar: "a$$b" => "a$b";
        escaped_reference: "$${HOME}" => "${HOME}";
        dollar_then_reference: "$$${HOME}" => "$/home/ada";
        lone_dollar: "$5 and $HOME and $" => "$5 and $HOME and $";
        no_rescan: "${TRICKY}" => "${HOME}$$";
        unicode: "é${HOME}ü" => "é/home/adaü";
        close_brace_outside: "{a}" => "{a}";
    }

    fails! {
        unset: "${NOPE}" => [UnsetVariable { name } if name == "NOPE"];
        unset_in_default: "${NOPE:-${ALSO}}" => [UnsetVariable { name } if name == "ALSO"];
        unset_after_env: "${env:NOPE}" => [UnsetVariable { name } if name == "NOPE"];
        unterminated: "ab${HOME" => [UnterminatedVariable { position: 3 }];
        unterminated_bare: "${" => [UnterminatedVariable { position: 1 }];
        unterminated_default: "é${NOPE:-${HOME}" => [UnterminatedVariable { position: 2 }];
        unterminated_input: "${input:k" => [UnterminatedVariable { position: 1 }];
        empty_name: "x${}" => [InvalidVariable { position: 2 }];
        digit_name: "${1A}" => [InvalidVariable { position: 1 }];
        space_in_name: "${A B}" => [InvalidVariable { position: 1 }];
        bad_char_unclosed: "${A/b" => [UnterminatedVariable { position: 1 }];
        shell_assign: "${A:=b}" => [InvalidVariable { position: 1 }];
        shell_alternative: "${A-b}" => [InvalidVariable { position: 1 }];
        other_prefix: "${command:pick}" => [InvalidVariable { position: 1 }];
        input: "Bearer ${input:api-key}" => [InputVariable { id } if id == "api-key"];
        input_unused_default: "${HOME:-${input:k}}" => [InputVariable { id } if id == "k"];
    }
}
