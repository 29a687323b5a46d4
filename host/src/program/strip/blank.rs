//! The blanking buffer: the byte ranges to overwrite with spaces, the few
//! ASCII bytes written inside them, and the rules that keep statements,
//! class members and restricted productions (`return`, `throw`, `yield`)
//! apart once their types are gone. [`visit`](super::visit) decides what to
//! blank; this module only records and writes it.

use std::collections::{BTreeMap, HashMap, HashSet};

use oxc_ast::ast::*;
use oxc_span::GetSpan;

use super::Failure;

/// A place where the first token decides what follows: after a blank `<T>`
/// there, a `{` would start a block instead of an object (and, starting a
/// statement, `function`, `class` or `let [` a declaration; after `export
/// default`, `function` or `class`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Head {
    /// The start of an expression statement.
    Statement,
    /// The start of an arrow function's expression body.
    ArrowBody,
    /// The start of the expression `export default` exports.
    ExportDefault,
}

/// Collects the byte ranges to blank while walking the AST, then writes them.
pub(super) struct Blanker<'t> {
    pub(super) text: &'t str,
    /// Comment spans, in order.
    pub(super) comments: Vec<(u32, u32)>,
    /// Ranges to overwrite with spaces, in no particular order.
    pub(super) blanks: Vec<(u32, u32)>,
    /// ASCII bytes to write inside blanked ranges.
    pub(super) puts: BTreeMap<u32, u8>,
    /// Sibling statements (`false`) and class members (`true`), per list.
    pub(super) lists: Vec<(bool, Vec<(u32, u32)>)>,
    /// `return`, `throw` and `yield` whose argument must start on their line:
    /// end of the keyword, start of the argument, whether `0,` may be put there.
    pub(super) restricted: Vec<(u32, u32, bool)>,
    /// Whether the statement about to be visited is one of a list (not the
    /// body of an `if`, a loop or a label).
    pub(super) listed: bool,
    /// The names exported by what stays JavaScript, seen so far.
    pub(super) exports: HashSet<String>,
    /// Where an expression statement, an arrow function's expression body or
    /// what `export default` exports starts (and so does every expression
    /// leftmost in it).
    pub(super) heads: HashMap<u32, Head>,
    /// The first construct that cannot be erased.
    pub(super) error: Option<Failure>,
}

impl<'t> Blanker<'t> {
    pub(super) fn new(text: &'t str, comments: Vec<(u32, u32)>) -> Self {
        Self {
            text,
            comments,
            blanks: Vec::new(),
            puts: BTreeMap::new(),
            lists: Vec::new(),
            restricted: Vec::new(),
            listed: false,
            exports: HashSet::new(),
            heads: HashMap::new(),
            error: None,
        }
    }

    pub(super) fn byte(&self, at: u32) -> u8 {
        self.text.as_bytes().get(at as usize).copied().unwrap_or(0)
    }

    pub(super) fn blank(&mut self, start: u32, end: u32) {
        if start < end {
            self.blanks.push((start, end));
        }
    }

    /// Records a construct that cannot be erased; returns `true` so the caller
    /// blanks it and does not look inside (one error is reported, the first).
    pub(super) fn fail(&mut self, at: u32, what: &str, instead: &str) -> bool {
        self.refuse(
            at,
            format!(
                "{what} is not erasable TypeScript: it has runtime behavior, and only syntax that can be deleted \
                 without changing the JavaScript is supported; {instead}"
            ),
        );
        true
    }

    /// Records why the program is refused, unless an earlier reason was.
    pub(super) fn refuse(&mut self, at: u32, message: String) {
        self.error.get_or_insert((at, message));
    }

    /// The first offset at or after `at` that is not whitespace or a comment.
    pub(super) fn skip_trivia(&self, mut at: u32) -> u32 {
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
    pub(super) fn next_word(&self, at: u32) -> Option<(u32, u32)> {
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
    pub(super) fn blank_marker(&mut self, end: u32, computed: bool, marker: u8) {
        let mut at = self.skip_trivia(end);
        if computed && self.byte(at) == b']' {
            at = self.skip_trivia(at + 1);
        }
        if self.byte(at) == marker {
            self.blank(at, at + 1);
        }
    }

    /// Blanks a node and the comma after it, if any.
    pub(super) fn blank_with_comma(&mut self, start: u32, end: u32) {
        let after = self.skip_trivia(end);
        self.blank(start, if self.byte(after) == b',' { after + 1 } else { end });
    }

    /// Blanks TypeScript-only modifier keywords between `at` and `limit`.
    pub(super) fn blank_modifiers(&mut self, mut at: u32, limit: u32) {
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
    pub(super) fn declaration_is_type(&mut self, declaration: &Declaration<'_>) -> bool {
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
    pub(super) fn statement_is_type(&mut self, it: &Statement<'_>) -> bool {
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

    /// Records what a statement that stays JavaScript exports; a name
    /// exported twice is the syntax error JavaScript makes it, which
    /// TypeScript leaves to its checker (so the engine would be the one to
    /// say, as a redefinition).
    pub(super) fn exports(&mut self, it: &Statement<'_>) {
        let values = |s: &'_ [ExportSpecifier<'_>]| {
            s.iter()
                .filter(|s| !s.export_kind.is_type())
                .map(|s| (s.exported.name().to_string(), s.exported.span().start))
                .collect::<Vec<_>>()
        };
        let names: Vec<(String, u32)> = match it {
            Statement::ExportDefaultDeclaration(d) => vec![("default".into(), d.span.start)],
            Statement::ExportDeclaration(d) => match &d.declaration {
                Declaration::VariableDeclaration(v) => v
                    .declarations
                    .iter()
                    .flat_map(|d| d.id.get_binding_identifiers())
                    .map(|id| (id.name.to_string(), id.span.start))
                    .collect(),
                other => other.id().map(|id| (id.name.to_string(), id.span.start)).into_iter().collect(),
            },
            Statement::ExportNamedDeclaration(d) => values(&d.specifiers),
            Statement::ExportFromDeclaration(d) => values(&d.specifiers),
            Statement::ExportAllDeclaration(d) => {
                d.exported.iter().map(|e| (e.name().to_string(), e.span().start)).collect()
            }
            _ => Vec::new(),
        };
        for (name, at) in names {
            if self.exports.contains(&name) {
                let message = if name == "default" {
                    "A module cannot have multiple default exports".to_owned()
                } else {
                    format!("Duplicated export '{name}'")
                };
                self.refuse(at, message);
            }
            self.exports.insert(name);
        }
    }

    /// Writes the output, or `None` if nothing was blanked.
    pub(super) fn finish(mut self) -> Result<Option<Vec<u8>>, Failure> {
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
    pub(super) fn separate(&mut self, blanks: &[(u32, u32)], skips: &[(u32, u32)]) {
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
    pub(super) fn keep_on_line(&mut self, blanks: &[(u32, u32)], skips: &[(u32, u32)]) -> Result<(), Failure> {
        for (keyword_end, start, comma) in std::mem::take(&mut self.restricted) {
            let blank = blanks.get(blanks.partition_point(|b| b.1 <= start)).filter(|b| b.0 <= start);
            let Some(&(_, blank_end)) = blank else { continue };
            let next = self.forward(start, skips);
            if !self.breaks_line(keyword_end, next) {
                continue;
            }
            // `0` must not touch the keyword (`return<T>`) nor leave its line.
            let zero = if start == keyword_end { self.plain_byte(start + 1, blank_end) } else { Some(start) };
            let zero = zero.filter(|&z| !self.breaks_line(keyword_end, z));
            if !(comma && self.put_zero_comma(zero, blank_end)) {
                return Err((
                    start,
                    "once its type is stripped, this value would start on a later line than its `return`, \
                     `throw` or `yield`, which would then end the statement; write `(x as T)` or start the value \
                     on that line"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// Writes `0` at `zero` and `,` at the next byte before `end` that
    /// blanking turns into a space; `false` if there is no room.
    fn put_zero_comma(&mut self, zero: Option<u32>, end: u32) -> bool {
        let Some((zero, comma)) = zero.and_then(|z| Some((z, self.plain_byte(z + 1, end)?))) else { return false };
        self.puts.insert(zero, b'0');
        self.puts.insert(comma, b',');
        true
    }

    /// A cast `<T>` from `start` to `end` that starts an expression statement
    /// becomes `0,`, so what follows it stays an expression (`<T>{}.x = 1`
    /// would otherwise start with a block); `0` must not touch a keyword
    /// before it (`else<T>{}`).
    pub(super) fn lead_with_comma(&mut self, start: u32, end: u32) {
        let before = start.checked_sub(1).map(|at| self.byte(at));
        let touches = before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'));
        let zero = if touches { self.plain_byte(start + 1, end) } else { Some(start) };
        if !self.put_zero_comma(zero, end) {
            self.refuse(start, "this cast cannot be stripped where it starts a statement; write `(x as T)`".into());
        }
    }

    /// Whether a function or class declaration could start at `at`
    /// (`function`, `class`, `async function`).
    pub(super) fn starts_declaration(&self, at: u32) -> bool {
        let word = |(start, end): (u32, u32)| self.text.get(start as usize..end as usize).unwrap_or_default();
        match self.next_word(at) {
            Some(w) if matches!(word(w), "function" | "class") => true,
            Some(w) if word(w) == "async" => self.next_word(w.1).is_some_and(|n| word(n) == "function"),
            _ => false,
        }
    }

    /// The first offset at or after `at` that survives as a token: past
    /// whitespace, comments and blanked ranges.
    pub(super) fn forward(&self, mut at: u32, skips: &[(u32, u32)]) -> u32 {
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
    pub(super) fn backward(&self, mut at: u32, skips: &[(u32, u32)]) -> Option<u32> {
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
    pub(super) fn plain_byte(&self, start: u32, end: u32) -> Option<u32> {
        (start..end).find(|&i| !matches!(self.byte(i), b'\n' | b'\r'))
    }

    /// Whether `start..end` holds a JavaScript line terminator.
    pub(super) fn breaks_line(&self, start: u32, end: u32) -> bool {
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
