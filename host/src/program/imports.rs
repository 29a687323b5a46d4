//! Imports, refused before running with a message that says what to do
//! instead: a program has nothing to import, since the tools are globals
//! already, and so are the built-ins a program needs. Models add imports out
//! of habit (`import { z } from "zod"`, `const fs = require("fs")`); without
//! this they would get an engine error about a module that cannot load, or
//! a `return` that is not in a function, at the wrong line.
//!
//! Refused: a static `import` of values (type-only imports are erased with
//! the other types), `export ... from`, a dynamic `import()`, and a
//! `require("...")` call when the program does not define `require` itself.

use oxc_ast::ast::{
    Argument, BindingIdentifier, CallExpression, ExportAllDeclaration, ExportFromDeclaration, Expression,
    ImportDeclaration, ImportDeclarationSpecifier, ImportExpression, ImportOrExportKind,
};
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};

use super::check::Api;
use super::parse::{Parsed, SyntaxError};

/// The first import of the program, as the error that refuses it.
pub fn find(parsed: &Parsed<'_, '_>, api: &Api) -> Option<SyntaxError> {
    let mut imports = Imports { found: None, requires: Vec::new(), require_bound: false };
    imports.visit_program(parsed.program);
    let require = imports.requires.first().cloned().filter(|_| !imports.require_bound);
    let (at, module) = imports.found.into_iter().chain(require).min_by_key(|(span, _)| span.start)?;
    Some(parsed.error_at(at.start, message(api, module.as_deref())))
}

/// What an import of `module` (when it is a literal) gets told.
fn message(api: &Api, module: Option<&str>) -> String {
    let namespaces = api.namespace_names();
    let tools = match namespaces.as_slice() {
        [] => "There are no tools in this run".to_owned(),
        [one, ..] => {
            let shown: Vec<&str> = namespaces.iter().take(8).copied().collect();
            let more = if namespaces.len() > shown.len() { ", ..." } else { "" };
            format!(
                "The tools are globals already ({}{more}): call them as `await {one}.tool({{...}})`",
                shown.join(", ")
            )
        }
    };
    let what = module.map_or_else(|| "a module".to_owned(), |module| format!("{module:?}"));
    let globals = crate::declarations::PRELUDE_GLOBALS.join(", ");
    format!(
        "imports are not available: a program cannot import {what}, or anything else. {tools}. Besides the \
         JavaScript built-ins, the globals are {globals}. Remove the import."
    )
}

/// Finds import declarations, dynamic imports and `require` calls.
/// Each with the module named, when it is a string literal.
struct Imports {
    found: Option<(Span, Option<String>)>,
    requires: Vec<(Span, Option<String>)>,
    require_bound: bool,
}

impl Imports {
    fn found(&mut self, span: Span, module: Option<&str>) {
        if self.found.as_ref().is_none_or(|(found, _)| span.start < found.start) {
            self.found = Some((span, module.map(str::to_owned)));
        }
    }
}

impl<'a> Visit<'a> for Imports {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let type_only = it.import_kind == ImportOrExportKind::Type
            || it.specifiers.as_ref().is_some_and(|specifiers| {
                !specifiers.is_empty()
                    && specifiers.iter().all(|specifier| {
                        matches!(specifier, ImportDeclarationSpecifier::ImportSpecifier(s) if s.import_kind == ImportOrExportKind::Type)
                    })
            });
        if !type_only {
            self.found(it.span, Some(&it.source.value));
        }
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        if it.export_kind != ImportOrExportKind::Type {
            self.found(it.span, Some(&it.source.value));
        }
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        if it.export_kind != ImportOrExportKind::Type {
            self.found(it.span, Some(&it.source.value));
        }
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        let module = match it.source.without_parentheses() {
            Expression::StringLiteral(literal) => Some(literal.value.as_str()),
            _ => None,
        };
        self.found(it.span, module);
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Expression::Identifier(callee) = it.callee.without_parentheses()
            && callee.name == "require"
            && let [Argument::StringLiteral(module)] = it.arguments.as_slice()
        {
            self.requires.push((it.span(), Some(module.value.to_string())));
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        self.require_bound |= it.name == "require";
    }
}
