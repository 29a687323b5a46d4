//! JSON Schema to TypeScript (`codemode::declarations`): any JSON as a
//! tool's input and output schema (declared, or learned from results)
//! renders without panicking into declarations that parse as TypeScript,
//! and its short type expression parses as a type.

#![no_main]

use codemode::declarations::{ToolDecl, namespace_declarations, type_expression};
use codemode_fuzz::declaration_errors;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(schema) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let declared = ToolDecl {
        name: "declared",
        original_name: "declared",
        title: None,
        description: None,
        input_schema: &schema,
        output_schema: Some(&schema),
        learned_output: None,
        result_left_out: false,
        asks_approval: false,
    };
    let learned = ToolDecl { name: "learned", output_schema: None, learned_output: Some((&schema, 3)), ..declared };
    let declarations = namespace_declarations("ns", None, &[declared, learned]);
    let errors = declaration_errors(&declarations);
    assert!(errors.is_empty(), "{errors:?}\n{declarations}");
    let alias = format!("type T = {};\n", type_expression(&schema));
    let errors = declaration_errors(&alias);
    assert!(errors.is_empty(), "{errors:?}\n{alias}");
});
