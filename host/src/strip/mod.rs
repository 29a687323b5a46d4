//! TypeScript to JavaScript by blanking types, so that positions never move.
//!
//! [`strip_types`] parses the submitted source with oxc as TypeScript and
//! overwrites every type-only part with spaces: annotations, generics, `as` and
//! `satisfies` casts, `!` non-null marks, interfaces, type aliases, `declare`
//! statements, type-only imports and exports, overloads, `abstract` and access
//! modifiers, `implements` clauses and `this` parameters. Line breaks are kept
//! and every blanked byte becomes one space, so each remaining token stays at
//! the same line and byte offset: errors QuickJS reports about the output point
//! at the source as submitted, with no source map. (QuickJS counts columns in
//! UTF-8 bytes, so a multi-byte character inside a type becomes as many spaces as
//! it has bytes.) This is the approach of ts-blank-space and Node's
//! `--experimental-strip-types`.
//!
//! Edges:
//! - It never runs code, and never rewrites JavaScript: besides spaces it only
//!   writes, inside blanked regions, a `;` where blanking would otherwise join
//!   two statements or class members that TypeScript had kept apart, a `)` moved
//!   to the end of an arrow function's multi-line return type (`=>` may not start
//!   a line), and `0,` where a `return`/`throw` argument would otherwise start on
//!   a later line (`return <T>\n x`).
//! - Syntax that cannot be erased because it has runtime meaning (`enum`,
//!   `namespace` with values, parameter properties, `import x = require()`,
//!   `export =`) is refused with a [`StripError`] asking for erasable TypeScript.
//!   Decorators are JavaScript syntax and are left for the engine to judge.
//! - A source with no TypeScript syntax comes back borrowed and byte-identical.
//! - The forms the guest runs are all accepted: an expression (`async () => {}`,
//!   `async function () {}`, an object literal), a script body with top-level
//!   `await` and `return`, and an ES module (`export default async function(){}`).
//!   Like the guest, it first tries the source as a parenthesized expression
//!   (sloppy script), then as a body (parsed as a module allowing top-level
//!   `return`, which gives `await`). The parser does almost none of the
//!   strict-mode early checks (those live in oxc's semantic pass, not used), so
//!   sloppy code such as `with` passes; HTML-like comments (`<!--`) are the one
//!   sloppy form a body cannot use. There is no JSX, so `<T>x` is always a cast.
//! - The source is read as TypeScript reads it, also where that differs from
//!   JavaScript: `f(a < b, c > (d))` is a generic call to TypeScript, so it
//!   becomes `f(a          (d))`, as tsc would emit.
//! - Parsing and walking recurse as deep as the program nests, so they run on a
//!   thread whose stack is sized to the source, and sources over 1 MiB are
//!   refused: no input overflows the stack, and none panics.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use oxc_allocator::{Allocator, Vec as ArenaVec};
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_diagnostics::Diagnostics;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType};

#[cfg(test)]
mod tests;

/// Why a program could not be turned into JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripError {
    /// What is wrong, as one sentence or two.
    pub message: String,
    /// 1-based line in the submitted source.
    pub line: u32,
    /// 1-based column in the submitted source, counted in UTF-8 bytes as the
    /// JavaScript engine counts its own locations.
    pub column: u32,
}

impl fmt::Display for StripError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for StripError {}

/// Returns `source` with its TypeScript types replaced by spaces, or an error
/// for a syntax error or for TypeScript that cannot be erased. See the module
/// documentation for what is blanked and what is refused.
///
/// It blocks while a helper thread parses: well under a millisecond for the
/// programs models write.
pub fn strip_types(source: &str) -> Result<Cow<'_, str>, StripError> {
    if source.len() > MAX_SOURCE {
        return Err(StripError {
            message: format!(
                "the program is too large to parse: {} bytes, the limit is {MAX_SOURCE} bytes",
                source.len()
            ),
            line: 1,
            column: 1,
        });
    }
    // Brackets nest deepest per byte (up to ~1.8 KiB of stack each, measured on
    // `[[[[` in a type); any byte can open a shallower level (`!!!!`, `a=a=`, `x=>x=>`).
    let openers = source.bytes().filter(|b| matches!(b, b'(' | b'[' | b'{' | b'<')).count();
    let stack = STACK_BASE + openers * STACK_PER_OPENER + source.len() * STACK_PER_BYTE;
    let outcome = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().name("strip-types".into()).stack_size(stack);
        worker.spawn_scoped(scope, || strip(source)).map(|handle| handle.join().ok())
    });
    let internal = |message: &str| StripError { message: message.into(), line: 1, column: 1 };
    match outcome {
        Ok(Some(Ok(None))) => Ok(Cow::Borrowed(source)),
        Ok(Some(Ok(Some(stripped)))) => Ok(Cow::Owned(stripped)),
        Ok(Some(Err((offset, message)))) => Err(error_at(source, offset, message)),
        Ok(None) => Err(internal("internal error while stripping types")),
        Err(_) => Err(internal("not enough memory to parse the program")),
    }
}

/// Sources larger than this are refused before parsing: a megabyte of program
/// text is far beyond what a model writes, and it bounds the stack reserved below.
const MAX_SOURCE: usize = 1 << 20;
/// Stack of the parser thread: reserved in full, but only touched as used.
/// Measured worst cases, with about twice that as margin: 1.8 KiB per bracket,
/// 300 bytes per other byte.
const STACK_BASE: usize = 8 << 20;
const STACK_PER_OPENER: usize = 4 << 10;
const STACK_PER_BYTE: usize = 512;

/// An offset into the parsed text, and a message.
type Failure = (u32, String);

/// The forms tried, in order: the guest runs a module if a line starts with
/// `import` or `export`, otherwise an expression if it parses as one, otherwise a
/// body.
#[derive(Clone, Copy)]
enum Form {
    /// `(\n{source}\n)` as a sloppy script.
    Expression,
    /// The source as a module that may `return` at top level.
    Body,
}

/// What the expression form puts before the source.
const EXPRESSION_PREFIX: &str = "(\n";

/// Strips `source` on the current thread: `None` if it has no TypeScript syntax.
fn strip(source: &str) -> Result<Option<String>, Failure> {
    let forms = if is_module(source) { [Form::Body, Form::Expression] } else { [Form::Expression, Form::Body] };
    let mut furthest: Option<Failure> = None;
    for form in forms {
        let allocator = Allocator::default();
        let (text, offset, source_type, options) = match form {
            Form::Expression => (
                Cow::Owned(format!("{EXPRESSION_PREFIX}{source}\n)")),
                EXPRESSION_PREFIX.len() as u32,
                SourceType::ts().with_script(true),
                ParseOptions::default(),
            ),
            Form::Body => (
                Cow::Borrowed(source),
                0,
                SourceType::ts().with_module(true),
                ParseOptions { allow_return_outside_function: true, ..ParseOptions::default() },
            ),
        };
        let parsed = Parser::new(&allocator, &text, source_type).with_options(options).parse();
        if let Some((at, message)) = first_error(&parsed.diagnostics) {
            let at = at.saturating_sub(offset).min(source.len() as u32);
            // The form that got further is most likely the one meant; on a tie, the body's.
            if furthest.as_ref().is_none_or(|(seen, _)| at > *seen || (at == *seen && matches!(form, Form::Body))) {
                furthest = Some((at, message));
            }
            continue;
        }
        let comments = parsed.program.comments.iter().map(|c| (c.span.start, c.span.end)).collect();
        let mut blanker = Blanker::new(&text, comments);
        blanker.visit_program(&parsed.program);
        let shift = |(at, message): Failure| (at.saturating_sub(offset).min(source.len() as u32), message);
        let Some(bytes) = blanker.finish().map_err(shift)? else { return Ok(None) };
        let bytes = &bytes[offset as usize..offset as usize + source.len()];
        // Only whole characters are overwritten, and only with ASCII, so this is UTF-8.
        return Ok(Some(
            String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ));
    }
    Err(furthest.unwrap_or_else(|| (0, "the program could not be parsed".into())))
}

/// The error earliest in the source (oxc lists the lexer's first), with the
/// label and help oxc gives it.
fn first_error(diagnostics: &Diagnostics) -> Option<Failure> {
    let described = diagnostics.errors().map(|d| {
        let label = d.labels.iter().find(|l| l.primary()).or_else(|| d.labels.first());
        let mut message = d.message.to_string();
        if let Some(text) = label.and_then(|l| l.label()).filter(|t| !message.contains(t)) {
            message = format!("{message} ({text})");
        }
        if let Some(help) = &d.help {
            message = format!("{message}. {help}");
        }
        (label.map_or(0, |l| l.offset()), message)
    });
    described.min_by_key(|(at, _)| *at)
}

/// The guest's own test: a line starting with `import` or `export`.
fn is_module(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        ["import ", "import{", "export ", "export{"].iter().any(|p| line.starts_with(p))
    })
}

/// Line and byte column (both 1-based) of a byte offset in `source`.
fn error_at(source: &str, offset: u32, message: String) -> StripError {
    let mut offset = (offset as usize).min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let (mut line, mut column, mut previous) = (1u32, 1u32, '\0');
    for c in source[..offset].chars() {
        match c {
            '\n' if previous == '\r' => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => (line, column) = (line + 1, 1),
            _ => column += c.len_utf8() as u32,
        }
        previous = c;
    }
    StripError { message, line, column }
}

/// Collects the byte ranges to blank while walking the AST, then writes them.
struct Blanker<'t> {
    text: &'t str,
    /// Comment spans, in order.
    comments: Vec<(u32, u32)>,
    /// Ranges to overwrite with spaces, in no particular order.
    blanks: Vec<(u32, u32)>,
    /// ASCII bytes to write inside blanked ranges.
    puts: BTreeMap<u32, u8>,
    /// Sibling statements (`false`) and class members (`true`), per list.
    lists: Vec<(bool, Vec<(u32, u32)>)>,
    /// `return`, `throw` and `yield` whose argument must start on their line:
    /// end of the keyword, start of the argument, whether `0,` may be put there.
    restricted: Vec<(u32, u32, bool)>,
    /// The first construct that cannot be erased.
    error: Option<Failure>,
}

impl<'t> Blanker<'t> {
    fn new(text: &'t str, comments: Vec<(u32, u32)>) -> Self {
        Self {
            text,
            comments,
            blanks: Vec::new(),
            puts: BTreeMap::new(),
            lists: Vec::new(),
            restricted: Vec::new(),
            error: None,
        }
    }

    fn byte(&self, at: u32) -> u8 {
        self.text.as_bytes().get(at as usize).copied().unwrap_or(0)
    }

    fn blank(&mut self, start: u32, end: u32) {
        if start < end {
            self.blanks.push((start, end));
        }
    }

    /// Records a construct that cannot be erased; returns `true` so the caller
    /// blanks it and does not look inside (one error is reported, the first).
    fn fail(&mut self, at: u32, what: &str, instead: &str) -> bool {
        if self.error.is_none() {
            self.error = Some((
                at,
                format!(
                    "{what} is not erasable TypeScript: it has runtime behavior, and only syntax that can be deleted \
                     without changing the JavaScript is supported; {instead}"
                ),
            ));
        }
        true
    }

    /// The first offset at or after `at` that is not whitespace or a comment.
    fn skip_trivia(&self, mut at: u32) -> u32 {
        loop {
            if let Ok(i) = self.comments.binary_search_by_key(&at, |c| c.0) {
                at = self.comments[i].1;
                continue;
            }
            match self.text.get(at as usize..).and_then(|rest| rest.chars().next()) {
                Some(c) if c.is_whitespace() || c == '\u{feff}' => at += c.len_utf8() as u32,
                _ => return at,
            }
        }
    }

    /// The identifier-like word after `at` (trivia skipped), if one is there.
    fn next_word(&self, at: u32) -> Option<(u32, u32)> {
        let start = self.skip_trivia(at);
        let len = self
            .text
            .as_bytes()
            .get(start as usize..)?
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'$')
            .count();
        (len > 0).then_some((start, start + len as u32))
    }

    /// Blanks `marker` (`?` or `!`) if it follows `end` (after a `]` if `computed`).
    fn blank_marker(&mut self, end: u32, computed: bool, marker: u8) {
        let mut at = self.skip_trivia(end);
        if computed && self.byte(at) == b']' {
            at = self.skip_trivia(at + 1);
        }
        if self.byte(at) == marker {
            self.blank(at, at + 1);
        }
    }

    /// Blanks a node and the comma after it, if any.
    fn blank_with_comma(&mut self, start: u32, end: u32) {
        let after = self.skip_trivia(end);
        self.blank(start, if self.byte(after) == b',' { after + 1 } else { end });
    }

    /// Blanks TypeScript-only modifier keywords between `at` and `limit`.
    fn blank_modifiers(&mut self, mut at: u32, limit: u32) {
        while let Some((start, end)) = self.next_word(at).filter(|w| w.0 < limit) {
            let word = self.text.get(start as usize..end as usize);
            if matches!(
                word,
                Some("public" | "private" | "protected" | "readonly" | "override" | "abstract" | "declare")
            ) {
                self.blank(start, end);
            }
            at = end;
        }
    }

    /// Whether `declaration` is type-only (blank it), recording an error if it
    /// cannot be erased.
    fn declaration_is_type(&mut self, declaration: &Declaration<'_>) -> bool {
        match declaration {
            Declaration::VariableDeclaration(d) => d.declare,
            Declaration::FunctionDeclaration(f) => f.declare || f.body.is_none(),
            Declaration::ClassDeclaration(c) => c.declare,
            Declaration::TSTypeAliasDeclaration(_)
            | Declaration::TSInterfaceDeclaration(_)
            | Declaration::TSGlobalDeclaration(_) => true,
            Declaration::TSEnumDeclaration(e) => {
                e.declare
                    || self.fail(
                        e.span.start,
                        "`enum`",
                        "use a const object instead, e.g. `const Color = { Red: 0, Green: 1 } as const`",
                    )
            }
            Declaration::TSNamespaceDeclaration(n) => {
                n.declare
                    || namespace_is_type_only(n)
                    || self.fail(
                        n.span.start,
                        "a `namespace` or `module` with values",
                        "use a plain object or top-level declarations instead",
                    )
            }
            Declaration::TSExternalModuleDeclaration(m) => {
                m.declare
                    || self.fail(
                        m.span.start,
                        "a `module` declaration without `declare`",
                        "declare it with `declare module`",
                    )
            }
            Declaration::TSImportEqualsDeclaration(d) => {
                d.import_kind.is_type()
                    || self.fail(d.span.start, "`import ... =`", "use `import ... from` or a `const` instead")
            }
        }
    }

    /// Whether statement `it` is type-only (blank it whole).
    fn statement_is_type(&mut self, it: &Statement<'_>) -> bool {
        if let Some(declaration) = it.as_declaration() {
            return self.declaration_is_type(declaration);
        }
        let all_types = |s: &[ExportSpecifier<'_>]| !s.is_empty() && s.iter().all(|s| s.export_kind.is_type());
        match it {
            Statement::ImportDeclaration(d) => {
                d.import_kind.is_type()
                    || d.specifiers.as_ref().is_some_and(|s| {
                        !s.is_empty()
                        && s.iter().all(
                            |s| matches!(s, ImportDeclarationSpecifier::ImportSpecifier(s) if s.import_kind.is_type()),
                        )
                    })
            }
            Statement::ExportDeclaration(d) => self.declaration_is_type(&d.declaration),
            Statement::ExportNamedDeclaration(d) => d.export_kind.is_type() || all_types(&d.specifiers),
            Statement::ExportFromDeclaration(d) => d.export_kind.is_type() || all_types(&d.specifiers),
            Statement::ExportAllDeclaration(d) => d.export_kind.is_type(),
            Statement::ExportDefaultDeclaration(d) => match &d.declaration {
                ExportDefaultDeclarationKind::TSInterfaceDeclaration(_) => true,
                ExportDefaultDeclarationKind::FunctionDeclaration(f) => f.declare || f.body.is_none(),
                _ => false,
            },
            Statement::TSExportAssignment(d) => self.fail(d.span.start, "`export =`", "use `export default` instead"),
            Statement::TSNamespaceExportDeclaration(_) => true,
            _ => false,
        }
    }

    /// Writes the output, or `None` if nothing was blanked.
    fn finish(mut self) -> Result<Option<Vec<u8>>, Failure> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if self.blanks.is_empty() {
            return Ok(None);
        }
        let blanks = merge(std::mem::take(&mut self.blanks));
        let skips = merge(blanks.iter().chain(&self.comments).copied().collect());
        self.separate(&blanks, &skips);
        self.keep_on_line(&blanks, &skips)?;
        let mut out = self.text.as_bytes().to_vec();
        for &(start, end) in &blanks {
            // U+2028 and U+2029 become spaces too: QuickJS counts them as lines
            // outside strings and comments only, where types can't hold them.
            out[start as usize..end as usize]
                .iter_mut()
                .filter(|b| !matches!(b, b'\n' | b'\r'))
                .for_each(|b| *b = b' ');
        }
        for (&at, &byte) in &self.puts {
            out[at as usize] = byte;
        }
        Ok(Some(out))
    }

    /// Where blanking leaves two siblings of one list adjacent and the second
    /// could continue the first (`let x: T` then `(f)()` would become `let x (f)()`),
    /// writes a `;` in the blanked gap. Between statements only a next token that
    /// can continue an expression matters, so an expression program keeps its value;
    /// between class members a `;` is always harmless, and `get`, `static`, `[`...
    /// could all join.
    fn separate(&mut self, blanks: &[(u32, u32)], skips: &[(u32, u32)]) {
        for (members, list) in std::mem::take(&mut self.lists) {
            let Some(&(list_start, _)) = list.first() else { continue };
            for &(start, end) in &list[1..] {
                let next = self.forward(start, skips);
                if next >= end || (!members && !b"([`+-/".contains(&self.byte(next))) {
                    continue;
                }
                let Some(previous) = self.backward(next, skips).filter(|p| *p >= list_start) else { continue };
                if matches!(self.byte(previous), b';' | b'{') {
                    continue;
                }
                let gap = blanks.get(blanks.partition_point(|b| b.1 <= previous)).filter(|b| b.0 < next);
                if let Some(at) = gap.and_then(|&(s, e)| self.plain_byte(s.max(previous + 1), e)) {
                    self.puts.entry(at).or_insert(b';');
                }
            }
        }
    }

    /// `return <T>\n x` would return nothing once `<T>` is blank: writes `0,` over
    /// the cast so the argument still starts on the keyword's line (`yield`, whose
    /// argument is no sequence, is refused instead).
    fn keep_on_line(&mut self, blanks: &[(u32, u32)], skips: &[(u32, u32)]) -> Result<(), Failure> {
        for &(keyword_end, start, comma) in &self.restricted {
            let blank = blanks.get(blanks.partition_point(|b| b.1 <= start)).filter(|b| b.0 <= start);
            let Some(&(_, blank_end)) = blank else { continue };
            let next = self.forward(start, skips);
            if !self.breaks_line(keyword_end, next) {
                continue;
            }
            // `0` must not touch the keyword (`return<T>`) nor leave its line.
            let zero = if start == keyword_end { self.plain_byte(start + 1, blank_end) } else { Some(start) };
            let zero = zero.filter(|&z| !self.breaks_line(keyword_end, z));
            match zero.and_then(|z| Some((z, self.plain_byte(z + 1, blank_end)?))) {
                Some((zero, comma_at)) if comma => {
                    self.puts.insert(zero, b'0');
                    self.puts.insert(comma_at, b',');
                }
                _ => {
                    return Err((
                        start,
                        "once its type is stripped, this value would start on a later line than its `return`, \
                         `throw` or `yield`, which would then end the statement; write `(x as T)` or start the value \
                         on that line"
                            .into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The first offset at or after `at` that survives as a token: past
    /// whitespace, comments and blanked ranges.
    fn forward(&self, mut at: u32, skips: &[(u32, u32)]) -> u32 {
        loop {
            let i = skips.partition_point(|s| s.1 <= at);
            if skips.get(i).is_some_and(|s| s.0 <= at) {
                at = skips[i].1;
                continue;
            }
            match self.text.get(at as usize..).and_then(|rest| rest.chars().next()) {
                Some(c) if c.is_whitespace() || c == '\u{feff}' => at += c.len_utf8() as u32,
                _ => return at,
            }
        }
    }

    /// The start of the last character before `at` that survives as a token.
    fn backward(&self, mut at: u32, skips: &[(u32, u32)]) -> Option<u32> {
        loop {
            let i = skips.partition_point(|s| s.1 < at);
            if skips.get(i).is_some_and(|s| s.0 < at) {
                at = skips[i].0;
                continue;
            }
            let c = self.text.get(..at as usize)?.chars().next_back()?;
            at -= c.len_utf8() as u32;
            if !(c.is_whitespace() || c == '\u{feff}') {
                return Some(at);
            }
        }
    }

    /// The first offset in `start..end` that blanking turns into a space.
    fn plain_byte(&self, start: u32, end: u32) -> Option<u32> {
        (start..end).find(|&i| !matches!(self.byte(i), b'\n' | b'\r'))
    }

    /// Whether `start..end` holds a JavaScript line terminator.
    fn breaks_line(&self, start: u32, end: u32) -> bool {
        let text = self.text.get(start as usize..end as usize).unwrap_or_default();
        text.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
    }
}

/// Sorts ranges and merges those that overlap or touch.
fn merge(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// A namespace holding only types (TypeScript emits nothing for it).
fn namespace_is_type_only(namespace: &TSNamespaceDeclaration<'_>) -> bool {
    let is_type_only = |d: &Declaration<'_>| match d {
        Declaration::TSTypeAliasDeclaration(_) | Declaration::TSInterfaceDeclaration(_) => true,
        Declaration::TSNamespaceDeclaration(n) => n.declare || namespace_is_type_only(n),
        _ => false,
    };
    match &namespace.body {
        TSNamespaceDeclarationBody::TSNamespaceDeclaration(inner) => inner.declare || namespace_is_type_only(inner),
        TSNamespaceDeclarationBody::TSModuleBlock(block) => block.body.iter().all(|s| match s {
            Statement::EmptyStatement(_) => true,
            Statement::ExportDeclaration(d) => is_type_only(&d.declaration),
            _ => s.as_declaration().is_some_and(is_type_only),
        }),
    }
}

impl<'a> Visit<'a> for Blanker<'_> {
    fn visit_statements(&mut self, it: &ArenaVec<'a, Statement<'a>>) {
        if it.len() > 1 {
            self.lists.push((false, it.iter().map(|s| (s.span().start, s.span().end)).collect()));
        }
        walk::walk_statements(self, it);
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        if self.statement_is_type(it) {
            self.blank(it.span().start, it.span().end);
        } else {
            walk::walk_statement(self, it);
        }
    }

    fn visit_import_specifier(&mut self, it: &ImportSpecifier<'a>) {
        if it.import_kind.is_type() {
            self.blank_with_comma(it.span.start, it.span.end);
        }
    }

    fn visit_export_specifier(&mut self, it: &ExportSpecifier<'a>) {
        if it.export_kind.is_type() {
            self.blank_with_comma(it.span.start, it.span.end);
        }
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let head = it.decorators.last().map_or(it.span.start, |d| d.span.end);
        if it.r#abstract {
            let rest = self.text.get(head as usize..).unwrap_or_default();
            let class_keyword = rest.find("class").map_or(head, |i| head + i as u32);
            self.blank_modifiers(head, class_keyword);
        }
        if let (Some(first), Some(last)) = (it.implements.first(), it.implements.last()) {
            let after = [
                it.id.as_ref().map(|id| id.span.end),
                it.type_parameters.as_ref().map(|t| t.span.end),
                it.heritage.as_ref().map(|h| h.expression.span().end),
                it.heritage.as_ref().and_then(|h| h.type_arguments.as_ref()).map(|t| t.span.end),
            ];
            let mut at = after.into_iter().flatten().max().unwrap_or(head);
            let mut keyword = first.span.start;
            while let Some((start, end)) = self.next_word(at).filter(|w| w.0 < first.span.start) {
                if self.text.get(start as usize..end as usize) == Some("implements") {
                    keyword = start;
                    break;
                }
                at = end;
            }
            self.blank(keyword, last.span.end);
        }
        walk::walk_class(self, it);
    }

    fn visit_class_body(&mut self, it: &ClassBody<'a>) {
        if it.body.len() > 1 {
            self.lists.push((true, it.body.iter().map(|m| (m.span().start, m.span().end)).collect()));
        }
        walk::walk_class_body(self, it);
    }

    fn visit_class_element(&mut self, it: &ClassElement<'a>) {
        let span = it.span();
        let (decorators, key) = match it {
            ClassElement::TSIndexSignature(_) => return self.blank(span.start, span.end),
            ClassElement::MethodDefinition(m) if m.r#type.is_abstract() || m.value.body.is_none() => {
                return self.blank(span.start, span.end);
            }
            ClassElement::PropertyDefinition(p) if p.declare || p.r#type.is_abstract() => {
                return self.blank(span.start, span.end);
            }
            ClassElement::AccessorProperty(a) if a.r#type.is_abstract() => return self.blank(span.start, span.end),
            ClassElement::MethodDefinition(m) => {
                if m.optional {
                    self.blank_marker(m.key.span().end, m.computed, b'?');
                }
                (&m.decorators, m.key.span().start)
            }
            ClassElement::PropertyDefinition(p) => {
                if p.optional || p.definite {
                    self.blank_marker(p.key.span().end, p.computed, if p.optional { b'?' } else { b'!' });
                }
                (&p.decorators, p.key.span().start)
            }
            ClassElement::AccessorProperty(a) => {
                if a.definite {
                    self.blank_marker(a.key.span().end, a.computed, b'!');
                }
                (&a.decorators, a.key.span().start)
            }
            ClassElement::StaticBlock(_) => return walk::walk_class_element(self, it),
        };
        self.blank_modifiers(decorators.last().map_or(span.start, |d| d.span.end), key);
        walk::walk_class_element(self, it);
    }

    fn visit_ts_class_implements(&mut self, _: &TSClassImplements<'a>) {}

    fn visit_formal_parameter(&mut self, it: &FormalParameter<'a>) {
        if it.accessibility.is_some() || it.readonly || it.r#override {
            self.fail(
                it.span.start,
                "a parameter property (`constructor(private x: T)`)",
                "declare the field in the class body and assign it in the constructor",
            );
        }
        if it.optional {
            self.blank_marker(it.pattern.span().end, false, b'?');
        }
        walk::walk_formal_parameter(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if it.definite {
            self.blank_marker(it.id.span().end, false, b'!');
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_ts_this_parameter(&mut self, it: &TSThisParameter<'a>) {
        self.blank_with_comma(it.span.start, it.span.end);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        walk::walk_arrow_function_expression(self, it);
        // `=>` may not start a line: a return type spanning lines would leave it
        // alone there, so move the `)` of the parameters to the end of the type.
        if let Some(returns) = &it.return_type {
            let close = it.params.span.end.saturating_sub(1);
            if self.byte(close) == b')' && self.breaks_line(close, returns.span.end) {
                self.blank(close, returns.span.end);
                self.puts.insert(returns.span.end - 1, b')');
            }
        }
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let Some(argument) = &it.argument {
            self.restricted.push((it.span.start + "return".len() as u32, argument.span().start, true));
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_throw_statement(&mut self, it: &ThrowStatement<'a>) {
        self.restricted.push((it.span.start + "throw".len() as u32, it.argument.span().start, true));
        walk::walk_throw_statement(self, it);
    }

    fn visit_yield_expression(&mut self, it: &YieldExpression<'a>) {
        if let (Some(argument), false) = (&it.argument, it.delegate) {
            self.restricted.push((it.span.start + "yield".len() as u32, argument.span().start, false));
        }
        walk::walk_yield_expression(self, it);
    }

    fn visit_ts_type_annotation(&mut self, it: &TSTypeAnnotation<'a>) {
        self.blank(it.span.start, it.span.end);
    }

    fn visit_ts_type_parameter_declaration(&mut self, it: &TSTypeParameterDeclaration<'a>) {
        self.blank(it.span.start, it.span.end);
    }

    fn visit_ts_type_parameter_instantiation(&mut self, it: &TSTypeParameterInstantiation<'a>) {
        self.blank(it.span.start, it.span.end);
    }

    fn visit_ts_type(&mut self, _: &TSType<'a>) {}

    fn visit_ts_as_expression(&mut self, it: &TSAsExpression<'a>) {
        self.visit_expression(&it.expression);
        self.blank(it.expression.span().end, it.span.end);
    }

    fn visit_ts_satisfies_expression(&mut self, it: &TSSatisfiesExpression<'a>) {
        self.visit_expression(&it.expression);
        self.blank(it.expression.span().end, it.span.end);
    }

    fn visit_ts_non_null_expression(&mut self, it: &TSNonNullExpression<'a>) {
        self.visit_expression(&it.expression);
        self.blank(it.expression.span().end, it.span.end);
    }

    fn visit_ts_type_assertion(&mut self, it: &TSTypeAssertion<'a>) {
        self.blank(it.span.start, it.expression.span().start);
        self.visit_expression(&it.expression);
    }
}
