//! The naming rule: which JavaScript name a server's namespace and each of
//! its tools get. Pure functions of the names they are given; this module
//! never looks at schemas or servers.
//!
//! # The rule
//!
//! 1. **Characters.** Every character other than an ASCII letter, digit, `_`
//!    or `$` becomes `_` (one `_` per character, so `a.b` and `a..b` stay
//!    apart); case is kept, so `getUser` and `get_user` are left alone. An
//!    empty name becomes `_`, and a name starting with a digit gets a leading
//!    `_` (`2fa` -> `_2fa`).
//! 2. **Reserved words.** A name that is a JavaScript reserved word (`delete`,
//!    `class`, `eval`, ...) gets a trailing `_` (`delete_`): tools are
//!    declared as `function NAME` in the TypeScript API, where those are
//!    syntax errors. Namespaces become globals of the sandbox, so for them
//!    every global the sandbox already has counts as reserved too (`JSON_`,
//!    `Math_`, `console_`, `ToolError_`, `globalThis_`).
//! 3. **Collisions.** Names that are already valid and free are claimed
//!    first, in the given order, so a well-named tool keeps its name whatever
//!    else the server offers. The others follow in the order of their
//!    original names; one whose name is taken gets the first free of `_2`,
//!    `_3`, ... (`get-user` next to `get_user` becomes `get_user_2`).
//!
//! The same list of names always gets the same answer, independent of the
//! order the names come in.

/// The JavaScript name for each of `originals`, in the same order: valid,
/// distinct, and outside `reserved` as well as the reserved words.
pub fn assign(originals: &[&str], reserved: &dyn Fn(&str) -> bool) -> Vec<String> {
    let bases: Vec<String> = originals.iter().map(|original| base(original, reserved)).collect();
    let mut taken = std::collections::HashSet::new();
    let mut names: Vec<Option<String>> = vec![None; originals.len()];
    // Names that needed no change, first come first served.
    for (i, original) in originals.iter().enumerate() {
        if bases[i] == *original && taken.insert(bases[i].clone()) {
            names[i] = Some(bases[i].clone());
        }
    }
    // The rest, by original name (ties keep their given order).
    let mut rest: Vec<usize> = (0..originals.len()).filter(|&i| names[i].is_none()).collect();
    rest.sort_by_key(|&i| originals[i]);
    for i in rest {
        let name = std::iter::once(bases[i].clone())
            .chain((2..).map(|n| format!("{}_{n}", bases[i])))
            .find(|candidate| !taken.contains(candidate))
            .expect("an unbounded sequence has a free name");
        taken.insert(name.clone());
        names[i] = Some(name);
    }
    names.into_iter().map(|name| name.expect("every name was assigned")).collect()
}

/// Whether `name` cannot be a namespace: a reserved word or one of the
/// sandbox's globals.
pub fn is_global(name: &str) -> bool {
    GLOBALS.contains(&name) || is_reserved_word(name)
}

/// Rules 1 and 2 for one name.
fn base(original: &str, reserved: &dyn Fn(&str) -> bool) -> String {
    let mut name: String =
        original.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '$' { c } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if is_reserved_word(&name) || reserved(&name) {
        name.push('_');
    }
    name
}

fn is_reserved_word(name: &str) -> bool {
    RESERVED_WORDS.contains(&name)
}

/// ECMAScript's reserved words, those of strict mode, and the names strict
/// mode forbids as bindings (`eval`, `arguments`).
const RESERVED_WORDS: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Every global of the sandbox (the built-ins of QuickJS-ng, plus `console`
/// and `ToolError`), and the standard ones it lacks today but a JavaScript
/// programmer expects (`Atomics`, `WebAssembly`, `navigator`). A test lists
/// the sandbox's real globals and checks that each one is here.
const GLOBALS: &[&str] = &[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "AsyncDisposableStack",
    "Atomics",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Boolean",
    "Crypto",
    "DOMException",
    "DataView",
    "Date",
    "DisposableStack",
    "Error",
    "EvalError",
    "FinalizationRegistry",
    "Float16Array",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "InternalError",
    "Iterator",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "Number",
    "Object",
    "Performance",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Set",
    "SharedArrayBuffer",
    "String",
    "SuppressedError",
    "Symbol",
    "SyntaxError",
    "TextDecoder",
    "TextEncoder",
    "ToolError",
    "TypeError",
    "URIError",
    "URL",
    "URLSearchParams",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakRef",
    "WeakSet",
    "WebAssembly",
    "atob",
    "btoa",
    "clearInterval",
    "clearTimeout",
    "console",
    "crypto",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "globalThis",
    "isFinite",
    "isNaN",
    "llm",
    "navigator",
    "parseFloat",
    "parseInt",
    "performance",
    "queueMicrotask",
    "setInterval",
    "setTimeout",
    "structuredClone",
    "undefined",
    "unescape",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(originals: &[&str]) -> Vec<String> {
        assign(originals, &|_| false)
    }

    fn namespaces(originals: &[&str]) -> Vec<String> {
        assign(originals, &is_global)
    }

    #[test]
    fn characters() {
        assert_eq!(tools(&["get_user"]), ["get_user"]);
        assert_eq!(tools(&["getUser"]), ["getUser"]);
        assert_eq!(tools(&["$ref"]), ["$ref"]);
        assert_eq!(tools(&["get-user"]), ["get_user"]);
        assert_eq!(tools(&["files.read"]), ["files_read"]);
        assert_eq!(tools(&["a..b"]), ["a__b"]);
        assert_eq!(tools(&["say hi!"]), ["say_hi_"]);
        assert_eq!(tools(&["café"]), ["caf_"]);
        assert_eq!(tools(&["2fa"]), ["_2fa"]);
        assert_eq!(tools(&[""]), ["_"]);
        assert_eq!(namespaces(&["my-server"]), ["my_server"]);
        assert_eq!(namespaces(&["github.com/acme"]), ["github_com_acme"]);
    }

    #[test]
    fn reserved_words() {
        assert_eq!(tools(&["delete"]), ["delete_"]);
        assert_eq!(tools(&["class"]), ["class_"]);
        assert_eq!(tools(&["eval"]), ["eval_"]);
        assert_eq!(tools(&["JSON"]), ["JSON"]);
        assert_eq!(namespaces(&["JSON"]), ["JSON_"]);
        assert_eq!(namespaces(&["Math"]), ["Math_"]);
        assert_eq!(namespaces(&["console"]), ["console_"]);
        assert_eq!(namespaces(&["ToolError"]), ["ToolError_"]);
        assert_eq!(namespaces(&["globalThis"]), ["globalThis_"]);
        assert_eq!(namespaces(&["import"]), ["import_"]);
        assert_eq!(namespaces(&["json"]), ["json"]);
    }

    #[test]
    fn collisions() {
        assert_eq!(tools(&["get-user", "get_user"]), ["get_user_2", "get_user"]);
        assert_eq!(tools(&["get_user", "get-user"]), ["get_user", "get_user_2"]);
        assert_eq!(tools(&["a.b", "a-b", "a_b"]), ["a_b_3", "a_b_2", "a_b"]);
        assert_eq!(tools(&["a-b", "a_b_2", "a.b"]), ["a_b", "a_b_2", "a_b_3"]);
        assert_eq!(tools(&["delete", "delete_"]), ["delete__2", "delete_"]);
        assert_eq!(tools(&["x", "x"]), ["x", "x_2"]);
        assert_eq!(namespaces(&["JSON", "JSON_"]), ["JSON__2", "JSON_"]);
        assert_eq!(namespaces(&["my server", "my-server"]), ["my_server", "my_server_2"]);
    }

    #[test]
    fn the_answer_does_not_depend_on_the_order() {
        let names = ["b-c", "a.b", "b_c", "a-b", "2x", "_2x"];
        let forward: std::collections::BTreeMap<_, _> = names.iter().zip(tools(&names)).collect();
        let mut reversed = names;
        reversed.reverse();
        let backward: std::collections::BTreeMap<_, _> = reversed.iter().zip(tools(&reversed)).collect();
        assert_eq!(forward, backward);
    }
}
