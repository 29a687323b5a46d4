//! The program forms models write, each giving its value.

use crate::support::value;
use serde_json::json;

#[tokio::test]
async fn script_body_with_await_and_return() {
    assert_eq!(value("const x = await Promise.resolve(20);\nreturn x + 1;").await, json!(21));
}

#[tokio::test]
async fn async_arrow() {
    assert_eq!(value("async () => {\n  return [1, 2, 3].map((n) => n * 2);\n}").await, json!([2, 4, 6]));
}

#[tokio::test]
async fn async_function_expression() {
    assert_eq!(value("async function main() { return { ok: 'yes' }; }").await, json!({ "ok": "yes" }));
}

#[tokio::test]
async fn module_with_default_exported_function() {
    let source = "const base = 40;\nexport default async function () {\n  return base + 2;\n}";
    assert_eq!(value(source).await, json!(42));
}

#[tokio::test]
async fn module_with_default_exported_value_and_top_level_await() {
    assert_eq!(value("const v = await Promise.resolve('m');\nexport default v;").await, json!("m"));
}

#[tokio::test]
async fn single_expression() {
    assert_eq!(value("6 * 7").await, json!(42));
}

#[tokio::test]
async fn no_return_is_null() {
    assert_eq!(value("const x = 1;").await, json!(null));
}

#[tokio::test]
async fn imports_are_refused() {
    let envelope = crate::support::run("import fs from 'fs';\nexport default () => fs;").await;
    let (_, message) = crate::support::failure(&envelope);
    assert!(message.contains("fs"), "{message}");
}

#[tokio::test]
async fn key_order_of_the_value_is_kept() {
    let v = value("return { zebra: 1, apple: 2, mango: 3 }").await;
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["zebra", "apple", "mango"]);
}
