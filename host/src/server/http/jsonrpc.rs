//! The JSON-RPC side of the HTTP edge: a request body is checked to be one
//! JSON-RPC 2.0 message rmcp can read before rmcp sees it, and every refusal
//! (ours, or rmcp's plain-text ones) is answered as a JSON-RPC error object.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::{BodyExt, Full};
use rmcp::model::{ClientJsonRpcMessage, RequestId};
use serde_json::{Value, json};

use super::{MAX_ID_BYTES, ResponseBody};

/// The longest serde message quoted back in an error, in bytes (serde quotes
/// offending values, which may be as large as the body).
const MAX_DETAIL_BYTES: usize = 200;

/// JSON-RPC codes used here.
pub(super) const PARSE_ERROR: i64 = -32700;
pub(super) const INVALID_REQUEST: i64 = -32600;
pub(super) const INVALID_PARAMS: i64 = -32602;
/// Implementation-defined server error: HTTP-level rejections.
pub(super) const SERVER_ERROR: i64 = -32000;

/// Checks that `body` is one JSON-RPC 2.0 message rmcp can read, so that
/// every malformed request gets a JSON-RPC error (rmcp would answer 415 in
/// plain text), and returns the id of a request (`None` for a notification
/// or a response). The bytes are handed on unchanged.
pub(super) fn validate_jsonrpc(body: &[u8]) -> Result<Option<RequestId>, Rejection> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| Rejection::rpc(PARSE_ERROR, format!("Parse error: {}", detail(&error)), None))?;
    let invalid = |message: &str, id: Option<&RequestId>| {
        Rejection::rpc(INVALID_REQUEST, format!("Invalid Request: {message}"), id.cloned())
    };
    let object = match &value {
        Value::Object(object) => object,
        Value::Array(items) if items.is_empty() => return Err(invalid("empty batch", None)),
        Value::Array(_) => return Err(invalid("JSON-RPC batches are not supported", None)),
        _ => return Err(invalid("a message must be a JSON object", None)),
    };
    let id = match object.get("id") {
        None => None,
        Some(Value::String(id)) if id.len() > MAX_ID_BYTES => {
            return Err(invalid(&format!("id longer than {MAX_ID_BYTES} bytes"), None));
        }
        Some(id) => match serde_json::from_value::<RequestId>(id.clone()) {
            Ok(id) => Some(id),
            Err(_) => return Err(invalid("id must be a string or an integer", None)),
        },
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid("\"jsonrpc\" must be \"2.0\"", id.as_ref()));
    }
    let has = |key| object.contains_key(key);
    match object.get("method") {
        Some(Value::String(_)) if has("result") || has("error") => {
            return Err(invalid("a request cannot carry \"result\" or \"error\"", id.as_ref()));
        }
        Some(Value::String(_)) => {
            if let Some(params) = object.get("params")
                && !params.is_object()
                && !params.is_array()
            {
                return Err(invalid("\"params\" must be an object", id.as_ref()));
            }
        }
        Some(_) => return Err(invalid("\"method\" must be a string", id.as_ref())),
        None if id.is_none() => return Err(invalid("a message needs \"method\" or \"id\"", None)),
        None if has("result") == has("error") => {
            return Err(invalid("a response carries exactly one of \"result\" and \"error\"", id.as_ref()));
        }
        None => {}
    }
    // The shape is right; what is left is whether rmcp can read the method's
    // parameters. Parse exactly as rmcp will.
    match serde_json::from_slice::<ClientJsonRpcMessage>(body) {
        Ok(_) => Ok(id.filter(|_| has("method"))),
        Err(error) if has("method") => {
            Err(Rejection::rpc(INVALID_PARAMS, format!("Invalid params: {}", detail(&error)), id))
        }
        Err(error) => Err(Rejection::rpc(INVALID_REQUEST, format!("Invalid Request: {}", detail(&error)), None)),
    }
}

/// A serde error's message, cut to [`MAX_DETAIL_BYTES`] (serde may quote a
/// whole offending value).
fn detail(error: &serde_json::Error) -> String {
    let mut text = error.to_string();
    if text.len() > MAX_DETAIL_BYTES {
        let mut end = MAX_DETAIL_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
}

/// Rewrites rmcp's plain-text error answers (4xx and 5xx without a JSON
/// body) into the JSON-RPC error shape, keeping status and other headers.
pub(super) async fn jsonrpc_error_body(response: Response<ResponseBody>) -> Response<ResponseBody> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if response.status().as_u16() < 400 || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // rmcp's error bodies are short in-memory texts; the cap only guards
    // against a future streamed one.
    let text = match http_body_util::Limited::new(body, 4096).collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
        Err(_) => parts.status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let code = if parts.status == StatusCode::BAD_REQUEST { INVALID_REQUEST } else { SERVER_ERROR };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, error_body(code, &text, None))
}

/// A refused request, answered with a JSON-RPC error object.
#[derive(Debug)]
pub(super) struct Rejection {
    pub(super) status: StatusCode,
    pub(super) code: i64,
    pub(super) message: String,
    pub(super) id: Option<RequestId>,
    /// Close the connection after answering (the body may be unread).
    pub(super) close: bool,
    /// Extra header: `WWW-Authenticate` for 401.
    pub(super) authenticate: bool,
}

impl Rejection {
    /// An HTTP-level refusal (`-32000`).
    pub(super) fn http(status: StatusCode, message: &str) -> Self {
        Self { status, code: SERVER_ERROR, message: message.to_owned(), id: None, close: false, authenticate: false }
    }

    /// A malformed JSON-RPC message (HTTP 400).
    pub(super) fn rpc(code: i64, message: String, id: Option<RequestId>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code, message, id, close: false, authenticate: false }
    }

    pub(super) fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    pub(super) fn into_response(self) -> Response<ResponseBody> {
        let mut response = Response::new(error_body(self.code, &self.message, self.id));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if self.authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"codemode\""));
        }
        response
    }
}

/// `{"jsonrpc":"2.0","id":ID,"error":{"code":CODE,"message":MESSAGE}}`.
fn error_body(code: i64, message: &str, id: Option<RequestId>) -> ResponseBody {
    let id = id.map_or(Value::Null, RequestId::into_json_value);
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    Full::new(Bytes::from(body.to_string())).boxed()
}
