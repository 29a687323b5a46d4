//! Checking a program's tool calls against the tools' types before its
//! first instruction, so that a typo in the third call cannot leave the
//! first two done. A finding fails the execution with kind `type` and no
//! tool call is made.
//!
//! What is checked, for a call `ns.tool(...)` where `ns` is a tool namespace
//! the program does not bind or assign itself:
//!
//! - `tool` must be a tool of `ns` (the message suggests the closest name);
//! - when the argument is an object literal (or there is none), against the
//!   tool's `inputSchema`: a property the declared type does not have (its
//!   schema lists `properties` and allows no others), a required property
//!   missing (unless the literal spreads another object), and a literal value
//!   (string, number, boolean, `null`) of the wrong type or not among an
//!   enum's members.
//!
//! A call the program guards is left to the run-time check, since the
//! program expects it may fail: inside a `try` block with a `catch`, the
//! object of a `.catch(...)` (or of a `.then` with a rejection handler), an
//! element of `Promise.allSettled([...])`.
//!
//! What cannot be known without running the program is never rejected:
//! computed tool names, arguments built in variables or spread, calls through
//! aliases (`const d = demo; d.x()`), namespaces the program binds or assigns
//! anywhere (a shadowing `let demo` in one function leaves every `demo` call
//! unchecked: scopes are not resolved), values that are not literals, and every constraint beyond type
//! and enum membership (formats, ranges, patterns); the host validates each
//! call's arguments at run time as before. A program with `with` or `eval`,
//! which can change what a name means, is not checked at all.

mod schema;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use oxc_ast::ast::{
    Argument, AssignmentTargetPropertyIdentifier, BindingIdentifier, CallExpression, Expression, IdentifierReference,
    ObjectExpression, ObjectPropertyKind, PropertyKey, SimpleAssignmentTarget, TryStatement, WithStatement,
};
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};
use serde_json::{Value, json};

use super::parse::{Parsed, position};
use crate::envelope::{ProgramError, ProgramErrorKind};
use crate::tools::ToolSpec;
use schema::{ArgsSchema, Literal};

/// At most this many findings are reported.
const MAX_FINDINGS: usize = 5;

/// The tools a program may call, by namespace, as the check reads them;
/// built once per tool list. The default knows no tools and checks nothing.
#[derive(Debug, Default)]
pub struct Api {
    specs: Option<Arc<[ToolSpec]>>,
    /// Namespace -> tool name -> index into `specs`.
    namespaces: HashMap<String, HashMap<String, usize>>,
}

impl Api {
    /// The namespaced tools of `specs`. The namespace of a server that is
    /// unavailable (a spec with an empty name: see [`crate::catalog`]) is
    /// left out: nobody knows its tools, so its calls are left to run time,
    /// where they fail with `unavailable` or reach a server that has started.
    pub fn new(specs: Arc<[ToolSpec]>) -> Api {
        let mut namespaces: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (index, spec) in specs.iter().enumerate() {
            if let Some(namespace) = &spec.namespace
                && !spec.name.is_empty()
            {
                namespaces.entry(namespace.clone()).or_default().insert(spec.name.clone(), index);
            }
        }
        Api { specs: Some(specs), namespaces }
    }

    /// The namespaces' names, sorted.
    pub fn namespace_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.namespaces.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Whether this is the API of `specs` (the same list, not an equal one).
    pub fn is_of(&self, specs: &Arc<[ToolSpec]>) -> bool {
        self.specs.as_ref().is_some_and(|mine| Arc::ptr_eq(mine, specs))
    }

    fn spec(&self, namespace: &str, tool: &str) -> Option<&ToolSpec> {
        let index = *self.namespaces.get(namespace)?.get(tool)?;
        self.specs.as_ref()?.get(index)
    }
}

/// One thing wrong with a call: where (a byte offset into the source), what,
/// and the TypeScript type expected there, if one applies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    at: u32,
    message: String,
    expected: Option<String>,
}

/// The program's calls that do not fit `api` (none when it has no namespaces).
pub(crate) fn check(parsed: &Parsed<'_, '_>, api: &Api) -> Vec<Finding> {
    if api.namespaces.is_empty() {
        return Vec::new();
    }
    let mut scan = Scan { api, calls: false, dynamic: false, taken: HashSet::new() };
    scan.visit_program(parsed.program);
    if !scan.calls || scan.dynamic {
        return Vec::new();
    }
    let mut checker = Checker { api, taken: &scan.taken, findings: Vec::new(), guarded: 0, handled: Vec::new() };
    checker.visit_program(parsed.program);
    checker
        .findings
        .into_iter()
        .take(MAX_FINDINGS)
        .map(|finding| Finding { at: finding.at.saturating_sub(parsed.offset), ..finding })
        .collect()
}

/// The `type` error of `findings` in `source`, if there are any.
pub(crate) fn error(source: &str, findings: &[Finding]) -> Option<ProgramError> {
    let first = findings.first()?;
    let (line, column, _) = position(source, first.at);
    let mut error = ProgramError::new(ProgramErrorKind::Type, first.message.clone());
    if findings.len() > 1 {
        let others: Vec<&str> = findings[1..].iter().map(|f| f.message.as_str()).collect();
        error.message = format!("{}; and {}", first.message, others.join("; "));
    }
    (error.line, error.column) = (Some(line), Some(column));
    let described: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let (line, column, _) = position(source, finding.at);
            json!({ "line": line, "column": column, "message": finding.message, "expected": finding.expected })
        })
        .collect();
    error.details = Some(json!({ "findings": described }));
    Some(error)
}

/// The call of a namespace's member `call` makes, if it makes one:
/// `ns.tool(...)`, also `(ns.tool)(...)` and `ns?.tool(...)`: the
/// namespace, the tool's name and where it is written.
fn namespace_call<'c>(api: &Api, call: &'c CallExpression<'_>) -> Option<(&'c str, &'c str, Span)> {
    let Expression::StaticMemberExpression(member) = call.callee.without_parentheses() else { return None };
    let Expression::Identifier(namespace) = &member.object else { return None };
    let namespace = namespace.name.as_str();
    api.namespaces.contains_key(namespace).then(|| (namespace, member.property.name.as_str(), member.property.span))
}

/// The first walk: whether the program calls a namespace's member at all,
/// which namespaces it binds or assigns anywhere (those it may have
/// replaced, so they are not checked: scopes are not worth resolving for
/// that), and whether it uses what makes names unknowable (`with`, `eval`).
struct Scan<'a> {
    api: &'a Api,
    calls: bool,
    dynamic: bool,
    taken: HashSet<String>,
}

impl Scan<'_> {
    fn take(&mut self, name: &str) {
        if self.api.namespaces.contains_key(name) {
            self.taken.insert(name.to_owned());
        }
    }
}

impl<'p> Visit<'p> for Scan<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'p>) {
        self.calls |= namespace_call(self.api, it).is_some();
        walk::walk_call_expression(self, it);
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'p>) {
        self.dynamic |= it.name == "eval";
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'p>) {
        self.take(it.name.as_str());
    }

    fn visit_simple_assignment_target(&mut self, it: &SimpleAssignmentTarget<'p>) {
        if let SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = it {
            self.take(id.name.as_str());
        }
        walk::walk_simple_assignment_target(self, it);
    }

    fn visit_assignment_target_property_identifier(&mut self, it: &AssignmentTargetPropertyIdentifier<'p>) {
        self.take(it.binding.name.as_str());
        walk::walk_assignment_target_property_identifier(self, it);
    }

    fn visit_with_statement(&mut self, it: &WithStatement<'p>) {
        self.dynamic = true;
        walk::walk_with_statement(self, it);
    }
}

/// The second walk: checks each call of a namespace the program leaves
/// alone and does not guard.
struct Checker<'a> {
    api: &'a Api,
    taken: &'a HashSet<String>,
    findings: Vec<Finding>,
    /// How many `try` blocks with a `catch` enclose the walk.
    guarded: usize,
    /// A call whose rejection the program handles right there (the object of
    /// a `.catch(...)`, an element of `Promise.allSettled([...])`).
    handled: Vec<Span>,
}

impl<'p> Visit<'p> for Checker<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'p>) {
        self.note_handled(it);
        if self.guarded == 0
            && self.findings.len() < MAX_FINDINGS
            && !self.handled.contains(&it.span)
            && let Some((namespace, tool, site)) = namespace_call(self.api, it)
            && !self.taken.contains(namespace)
        {
            check_call(self.api, namespace, tool, site, it, &mut self.findings);
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'p>) {
        // A call the program guards is left to the run-time check: the
        // program expects that it may fail and handles it.
        let guards = usize::from(it.handler.is_some());
        self.guarded += guards;
        self.visit_block_statement(&it.block);
        self.guarded -= guards;
        if let Some(handler) = &it.handler {
            self.visit_catch_clause(handler);
        }
        if let Some(finalizer) = &it.finalizer {
            self.visit_block_statement(finalizer);
        }
    }
}

impl Checker<'_> {
    /// Notes the calls whose rejection `call` handles: `x.catch(f)`,
    /// `x.then(f, g)` and `Promise.allSettled([x, ...])`.
    fn note_handled(&mut self, call: &CallExpression<'_>) {
        let Expression::StaticMemberExpression(member) = call.callee.without_parentheses() else { return };
        let method = member.property.name.as_str();
        if method == "catch" || (method == "then" && call.arguments.len() >= 2) {
            if let Expression::CallExpression(handled) = member.object.without_parentheses() {
                self.handled.push(handled.span);
            }
        } else if method == "allSettled"
            && let Some(Argument::ArrayExpression(array)) = call.arguments.first()
        {
            for element in &array.elements {
                if let Some(Expression::CallExpression(handled)) =
                    element.as_expression().map(Expression::without_parentheses)
                {
                    self.handled.push(handled.span);
                }
            }
        }
    }
}

/// Checks one call of `namespace.tool` at `site` (the tool name's span).
fn check_call(
    api: &Api,
    namespace: &str,
    tool: &str,
    site: Span,
    call: &CallExpression<'_>,
    findings: &mut Vec<Finding>,
) {
    let Some(spec) = api.spec(namespace, tool) else {
        let names: Vec<&str> = api.namespaces[namespace].keys().map(String::as_str).collect();
        findings.push(Finding { at: site.start, message: unknown_tool(namespace, tool, &names), expected: None });
        return;
    };
    let Some(args) = ArgsSchema::of(&spec.input_schema) else { return };
    let qualified = Qualified(namespace, tool);
    match call.arguments.first() {
        None => {
            let missing = args.required();
            if !missing.is_empty() {
                let message = format!("{qualified} needs its arguments: {}", quoted(&missing));
                findings.push(Finding {
                    at: call.span.end.saturating_sub(1),
                    message,
                    expected: Some(args.expected()),
                });
            }
        }
        Some(Argument::ObjectExpression(object)) => check_object(&args, qualified, object, findings),
        Some(_) => {}
    }
}

/// `namespace.tool`, written only into a finding's message.
#[derive(Clone, Copy)]
struct Qualified<'a>(&'a str, &'a str);

impl std::fmt::Display for Qualified<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// Checks an object literal passed as `tool`'s arguments.
fn check_object(
    args: &ArgsSchema<'_>,
    tool: Qualified<'_>,
    object: &ObjectExpression<'_>,
    findings: &mut Vec<Finding>,
) {
    let mut spread = false;
    let mut present: Vec<Cow<'_, str>> = Vec::with_capacity(object.properties.len());
    for property in &object.properties {
        let ObjectPropertyKind::ObjectProperty(property) = property else {
            spread = true;
            continue;
        };
        let Some(key) = static_key(&property.key) else { continue };
        present.push(key.clone());
        let Some(schema) = args.property(&key) else {
            if args.closed() {
                let names = args.names();
                let mut message = format!("{tool} has no argument {key:?}");
                if let Some(near) = closest(&key, &names) {
                    message.push_str(&format!("; did you mean {near:?}?"));
                } else {
                    message.push_str(&format!("; it takes {}", quoted(&names)));
                }
                findings.push(Finding { at: property.key.span().start, message, expected: Some(args.expected()) });
            }
            continue;
        };
        let Some(literal) = Literal::of(&property.value) else { continue };
        if args.accepts(schema, &literal) == Some(false) {
            let expected = args.expected_at(schema);
            let message = format!("{tool}: argument {key:?} must be {expected}, not {}", literal.describe());
            findings.push(Finding { at: property.value.span().start, message, expected: Some(expected) });
        }
    }
    if !spread {
        let missing: Vec<&str> =
            args.required().into_iter().filter(|name| !present.iter().any(|p| p == name)).collect();
        if !missing.is_empty() {
            let message = format!("{tool} needs {}", quoted(&missing));
            findings.push(Finding { at: object.span.start, message, expected: Some(args.expected()) });
        }
    }
}

/// A property name known without running anything: `a`, `"a"`, `1`.
fn static_key<'k>(key: &'k PropertyKey<'_>) -> Option<Cow<'k, str>> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(Cow::Borrowed(id.name.as_str())),
        PropertyKey::StringLiteral(s) => Some(Cow::Borrowed(s.value.as_str())),
        PropertyKey::NumericLiteral(n) => Some(Cow::Owned(n.value.to_string())),
        _ => None,
    }
}

fn unknown_tool(namespace: &str, tool: &str, names: &[&str]) -> String {
    let mut message = format!("{namespace}.{tool} is not a tool");
    match closest(tool, names) {
        Some(near) => message.push_str(&format!("; did you mean {namespace}.{near}?")),
        None if names.len() <= 12 => {
            let mut names = names.to_vec();
            names.sort_unstable();
            message.push_str(&format!("; {namespace} has {}", names.join(", ")));
        }
        None => message.push_str(&format!("; search for the tools of {namespace}")),
    }
    message
}

/// The name in `names` closest to `name`, if it is close enough to be a
/// likely typo.
fn closest<'n>(name: &str, names: &[&'n str]) -> Option<&'n str> {
    let lower = name.to_lowercase();
    names
        .iter()
        .map(|candidate| (strsim::jaro_winkler(&lower, &candidate.to_lowercase()), *candidate))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|name| format!("{name:?}")).collect::<Vec<_>>().join(", ")
}
