//! Streamable HTTP servers: the SDK's reqwest-based client transport, with
//! the entry's `headers` on every request.
//!
//! Header values are credentials: they are marked sensitive (so `http`'s
//! `Debug` hides them) and no error built here quotes one; a header that
//! cannot be sent is named, its value never shown. Redirects follow the
//! SDK's default policy (same-origin 307/308 only), so headers are never
//! replayed to another origin.

use std::collections::HashMap;

use http::{HeaderName, HeaderValue};
use rmcp::RoleClient;
use rmcp::transport::Transport;
use rmcp::transport::streamable_http_client::{StreamableHttpClientTransport, StreamableHttpClientTransportConfig};

/// The client transport for `url`, or a message naming the header that is
/// not valid HTTP.
pub(super) fn transport(url: &str, headers: &[(String, String)]) -> Result<impl Transport<RoleClient> + use<>, String> {
    let mut map = HashMap::with_capacity(headers.len());
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header {name:?} does not have a valid HTTP header name"))?;
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header {name:?} is not a valid HTTP header value"))?;
        value.set_sensitive(true);
        map.insert(header, value);
    }
    let config = StreamableHttpClientTransportConfig::with_uri(url).custom_headers(map);
    Ok(StreamableHttpClientTransport::from_config(config))
}
