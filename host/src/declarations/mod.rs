//! JSON Schema -> TypeScript declarations for the tools the model programs
//! against: one `declare namespace` per upstream server, one `function` per
//! tool, JSDoc for what types cannot say, plus the [`PRELUDE`] every program
//! may rely on. Pure text generation: this module never validates arguments,
//! never talks to servers and never chooses names (the catalog does).
//!
//! Generated text is deterministic: properties come in the order of the
//! schema's `serde_json` map (sorted by key unless serde_json's
//! `preserve_order` feature is on, in which case it is the schema's order).

pub mod brief;
mod jsdoc;
mod names;
mod object;
mod refs;
mod render;
mod tool;

#[cfg(test)]
mod tests;

use serde_json::Value;

use self::refs::Refs;
use self::render::Renderer;

/// The globals a program has besides the tools and the ECMAScript
/// built-ins, each declared by the [`PRELUDE`] (a test holds the two to each
/// other, another that each exists in the sandbox): what a refused import
/// is told it has instead.
pub const PRELUDE_GLOBALS: &[&str] = &[
    "console",
    "setTimeout",
    "setInterval",
    "clearTimeout",
    "clearInterval",
    "queueMicrotask",
    "structuredClone",
    "URL",
    "URLSearchParams",
    "TextEncoder",
    "TextDecoder",
    "atob",
    "btoa",
    "crypto",
    "performance",
    "llm",
    "ToolError",
];

/// Declarations every program can rely on, whatever servers are configured:
/// the error tool calls reject with, the `console` the sandbox provides, and
/// the web globals it has besides the ECMAScript built-ins (timers, `URL`,
/// `TextEncoder`, `structuredClone`, `atob`, `crypto`, `performance`), and
/// `llm.ask`: [`PRELUDE_GLOBALS`]. Written for a standard library without
/// the DOM (e.g. `--lib es2022`), which would declare its own `console`.
pub const PRELUDE: &str = r#"/** The error a tool call rejects with. */
declare class ToolError extends Error {
  /** What went wrong. */
  code: "unknown_tool" | "invalid_arguments" | "tool_failed" | "timeout" | "quota_exceeded" | "unavailable" | "declined" | "approval_required";
  /** The namespace of the tool's server, or null when the error is not tied to one. */
  server: string | null;
  /** The tool that was called. */
  tool: string;
  /** Whatever else is known: validation errors, the server's error content. */
  details: unknown;
}

/**
 * Output captured alongside the program's result.
 * A tool without an output schema returns the type learned from its results
 * so far (said in its `@returns`), else `Promise<unknown>`: a single JSON
 * text block arrives as its parsed value, other text as a string.
 */
declare const console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};

/**
 * Timers run while the program waits (`await new Promise((r) => setTimeout(r, 100))`);
 * the delay is wall time within the run's deadline. Timers still pending
 * when the program returns are dropped.
 */
declare function setTimeout<A extends unknown[]>(callback: (...args: A) => void, delay?: number, ...args: A): number;
declare function setInterval<A extends unknown[]>(callback: (...args: A) => void, delay?: number, ...args: A): number;
declare function clearTimeout(id?: number): void;
declare function clearInterval(id?: number): void;
declare function queueMicrotask(callback: () => void): void;

/** A deep copy of plain data: objects, arrays, Map, Set, Date, RegExp, typed arrays, errors, cycles. */
declare function structuredClone<T>(value: T, options?: { transfer?: ArrayBuffer[] }): T;

/** WHATWG URLs: parsing, resolving against a base, components, search params. */
declare class URL {
  constructor(url: string | URL, base?: string | URL);
  static canParse(url: string | URL, base?: string | URL): boolean;
  static parse(url: string | URL, base?: string | URL): URL | null;
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  readonly searchParams: URLSearchParams;
  hash: string;
  toString(): string;
  toJSON(): string;
}

declare class URLSearchParams {
  constructor(init?: string | Record<string, string> | [string, string][] | URLSearchParams);
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void): void;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}

/** UTF-8 encoding. */
declare class TextEncoder {
  readonly encoding: "utf-8";
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

/** Decoding UTF-8, UTF-16 and windows-1252 (`latin1`) bytes. */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

/** Base64: `btoa` encodes a string of Latin-1 characters (bytes), `atob` decodes to one. */
declare function btoa(data: string): string;
declare function atob(data: string): string;

/** Random values: unpredictable to the program, not for cryptographic keys. */
declare const crypto: {
  randomUUID(): string;
  getRandomValues<T extends Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array>(array: T): T;
};

/** Milliseconds since the program started. */
declare const performance: { now(): number; readonly timeOrigin: number };

/** The model of the MCP client that runs this program, in the middle of it. */
declare namespace llm {
  /**
   * Asks the client's model (MCP sampling) and resolves to its answer's text.
   * At most 10 questions per execution by default; rejects with `ToolError`
   * code `unavailable` when the client cannot sample.
   */
  function ask(prompt: string, options?: { system?: string; maxTokens?: number }): Promise<string>;
}
"#;

/// One tool as the declarations need it.
#[derive(Clone, Copy, Debug)]
pub struct ToolDecl<'a> {
    /// The tool's JavaScript function name (already a valid identifier, chosen by the catalog).
    pub name: &'a str,
    /// The tool's name as the server knows it (shown in the JSDoc when it differs from `name`).
    pub original_name: &'a str,
    /// The tool's human-readable title, if the server gives one.
    pub title: Option<&'a str>,
    /// The tool's description, if the server gives one.
    pub description: Option<&'a str>,
    /// The JSON Schema of the tool's arguments.
    pub input_schema: &'a Value,
    /// The JSON Schema of the tool's structured result, if the server gives one.
    pub output_schema: Option<&'a Value>,
    /// Without `output_schema`: a result type learned from the tool's
    /// results (a JSON Schema), and how many results it was learned from.
    pub learned_output: Option<(&'a Value, u32)>,
    /// Whether `output_schema` was left out of a brief declaration for its
    /// size ([`brief`]): the result is then `unknown` with a comment saying
    /// where its type is.
    pub result_left_out: bool,
    /// Whether each call waits for a person's approval (the server's
    /// `approve` setting): the JSDoc says so, and how a refusal rejects.
    pub asks_approval: bool,
}

/// Declarations for one namespace (one upstream server): `declare namespace NAME { ... }`
/// with one `function tool(args: ...): Promise<...>` per tool, plus the named types
/// ($defs/definitions) they reference, emitted inside the namespace with names that
/// cannot collide across tools (each tool's types live in a namespace named after the tool).
pub fn namespace_declarations(namespace: &str, description: Option<&str>, tools: &[ToolDecl<'_>]) -> String {
    let mut out = String::new();
    jsdoc::write(&mut out, &description.map(jsdoc::text_lines).unwrap_or_default(), 0);
    out.push_str(&format!("declare namespace {namespace} {{\n"));
    for (i, tool) in tools.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        tool::write_tool(&mut out, tool, 1);
    }
    out.push_str("}\n");
    out
}

/// The declaration of a single tool (for search results), self-contained: any named types it needs
/// are emitted with it, and it is valid TypeScript on its own when wrapped in its namespace.
/// It comes wrapped already: the namespace's declarations with this one tool, so the
/// model also sees how to call it (`namespace.tool(...)`).
pub fn tool_declaration(namespace: &str, tool: &ToolDecl<'_>) -> String {
    namespace_declarations(namespace, None, std::slice::from_ref(tool))
}

/// How many `$ref`s deep [`expected_type`] spells a type out.
const REF_DEPTH: usize = 3;

/// The type `schema`, a part of the document `root`, expects, for messages
/// (`expected "EU" | "US"`): local `$ref`s are spelled out a few levels
/// deep rather than shown as bare names.
pub fn expected_type(root: &Value, schema: &Value) -> String {
    type_expression(&inline_refs(root, schema, REF_DEPTH))
}

/// `schema` with its local `$ref`s (`#/...` into `root`) replaced by what
/// they point to, `depth` levels deep, so that an expected type reads
/// `"EU" | "US"` rather than the bare name `Region`. Deeper (and recursive)
/// references stay references, shown by name.
fn inline_refs(root: &Value, schema: &Value, depth: usize) -> Value {
    match schema {
        Value::Object(map) if depth > 0 => {
            let target = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#'));
            match target.and_then(|pointer| root.pointer(pointer)) {
                Some(target) if map.len() == 1 => inline_refs(root, target, depth - 1),
                _ => Value::Object(
                    map.iter().map(|(key, value)| (key.clone(), inline_refs(root, value, depth))).collect(),
                ),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| inline_refs(root, item, depth)).collect()),
        other => other.clone(),
    }
}

/// The TypeScript type expression of a schema (for error messages like "expected `{ city: string }`").
/// Short form: nested objects are inlined, named $refs by their name.
pub fn type_expression(schema: &Value) -> String {
    let mut renderer = Renderer::new(Refs::new(vec![(schema, "Root")]), false);
    renderer.render(schema, 0, 0).text
}
