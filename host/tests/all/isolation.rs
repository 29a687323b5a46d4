//! Nothing survives from one execution to the next.

use crate::support::value;
use serde_json::json;

#[tokio::test]
async fn globals_and_prototypes_do_not_leak_between_executions() {
    let first = "globalThis.marker = 'secret'; Object.prototype.polluted = 1; Math.max = () => 0; return 1";
    assert_eq!(value(first).await, json!(1));
    let second = "return [typeof marker, ({}).polluted === undefined, Math.max(1, 2)]";
    assert_eq!(value(second).await, json!(["undefined", true, 2]));
}

#[tokio::test]
async fn concurrent_executions_are_independent() {
    let runs = (0..8).map(|i| async move {
        value(&format!("globalThis.me = {i}; await Promise.resolve(); return globalThis.me")).await
    });
    let values = futures::future::join_all(runs).await;
    assert_eq!(values, (0..8).map(|i| json!(i)).collect::<Vec<_>>());
}
