//! What the fuzz targets share: whether text parses as TypeScript
//! declarations, by oxc (the parser codemode strips types with).

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;

/// The syntax errors of `declarations` as a TypeScript declaration file.
pub fn declaration_errors(declarations: &str) -> Vec<String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, declarations, SourceType::d_ts()).parse();
    parsed.diagnostics.errors().map(|error| error.to_string()).collect()
}
