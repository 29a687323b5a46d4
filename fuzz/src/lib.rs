//! What the fuzz targets share: whether text parses as TypeScript
//! declarations, or as JavaScript in one of the guest's forms, by oxc (the
//! parser codemode strips types with).

use oxc_allocator::Allocator;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;

/// The syntax errors of `declarations` as a TypeScript declaration file.
pub fn declaration_errors(declarations: &str) -> Vec<String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, declarations, SourceType::d_ts()).parse();
    parsed.diagnostics.errors().map(|error| error.to_string()).collect()
}

/// Whether `js` parses as JavaScript in one of the guest's forms.
pub fn parses_as_javascript(js: &str) -> bool {
    form_errors(js).any(|errors| errors.is_empty())
}

/// The syntax errors of `js` in each form the guest may run it in, one form
/// at a time, written as the guest writes them (`guest/src/program.rs`): a
/// module if a line starts with `import` or `export` (with top-level
/// `return`, which the host allows), else each text the expression form
/// tries, then the body in an async arrow of a sloppy script (where `<!--`
/// starts a comment, as it does for the guest but not in a module).
fn form_errors(js: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    let script = || SourceType::cjs().with_script(true);
    let forms: Vec<(String, SourceType, ParseOptions)> = if codemode::program::is_module(js) {
        let body = ParseOptions { allow_return_outside_function: true, ..ParseOptions::default() };
        vec![(js.to_owned(), SourceType::mjs(), body)]
    } else {
        let expressions = codemode::program::expression_sources(js)
            .into_iter()
            .map(|expression| (format!("(\n{expression}\n)"), script(), ParseOptions::default()));
        expressions.chain([(format!("(async () => {{\n{js}\n}})"), script(), ParseOptions::default())]).collect()
    };
    forms.into_iter().map(|(text, source_type, options)| {
        let allocator = Allocator::default();
        let parsed = Parser::new(&allocator, &text, source_type).with_options(options).parse();
        parsed.diagnostics.errors().map(|error| error.to_string()).collect()
    })
}

/// Whether `source`, read as JavaScript, has an error that oxc's TypeScript
/// parser lets through, so a program may hold it before stripping: a
/// character or escape no token can hold (`\<`), which the TypeScript parser
/// can lose when it met the token just before a speculative parse (`\<b<<c`
/// parses clean as TypeScript), and a function declaration without a name
/// but with type parameters (`function <T>(v: T) {}`: oxc asks for the name
/// only when `(` or a keyword follows `function`). The engine reports either
/// as a syntax error; stripping only writes spaces, so it makes neither.
/// (A name exported twice, which TypeScript also leaves to its checker,
/// codemode refuses itself.)
pub fn has_error_typescript_lets_through(source: &str) -> bool {
    const MISSED: [&str; 4] = [
        "Invalid Unicode escape sequence",
        "Invalid Character",
        "Invalid characters after number",
        "Expected function name",
    ];
    // In whichever form the guest may run it.
    form_errors(source).any(|errors| errors.iter().any(|error| MISSED.iter().any(|missed| error.starts_with(missed))))
}
