//! JSON-RPC pre-validation of the HTTP edge (`codemode::server::http`): no
//! body panics; what passes is a message rmcp reads (a request when an id
//! is returned); what is refused gets a 400 with a JSON-RPC code and a
//! bounded message, however large the body.

#![no_main]

use codemode::server::http::validate_jsonrpc_for_fuzzing;
use libfuzzer_sys::fuzz_target;
use rmcp::model::ClientJsonRpcMessage;

fuzz_target!(|body: &[u8]| {
    match validate_jsonrpc_for_fuzzing(body) {
        Ok(id) => {
            let message: ClientJsonRpcMessage = serde_json::from_slice(body).expect("rmcp reads what passed");
            assert_eq!(id.is_some(), matches!(message, ClientJsonRpcMessage::Request(_)), "{message:?}");
        }
        Err((status, code, message)) => {
            assert_eq!(status, 400);
            assert!([-32700, -32600, -32602].contains(&code), "{code}");
            assert!(!message.is_empty() && message.len() <= 256, "{message}");
        }
    }
});
