//! The question `codemode demo` answers: "which EU customers spent more than
//! 5,000 last month, by product category". Computed here twice, straight from
//! the dataset and through the tools the way a program would, and pinned, so
//! the demo's stated answer cannot drift from the data.

use std::collections::BTreeMap;

use codemode_demo::{
    dataset::{Region, dataset},
    tools::call,
};
use serde_json::{Value, json};

/// Customer id -> (total, category -> spend).
type Answer = BTreeMap<String, (u64, BTreeMap<String, u64>)>;

const THRESHOLD: u64 = 5000;

/// From the raw data: EU customers' May 2025 orders ("last month" from
/// 2025-06-15), summed per customer and per category.
fn answer_from_data() -> Answer {
    let data = dataset();
    let mut spend = Answer::new();
    for order in data.orders.iter().filter(|o| o.date.to_string().starts_with("2025-05-")) {
        let customer = data.customers.iter().find(|c| c.id == order.customer_id).unwrap();
        if customer.region != Region::Eu {
            continue;
        }
        let category = data.products.iter().find(|p| p.id == order.product_id).unwrap().category;
        let (total, by_category) = spend.entry(customer.id.clone()).or_default();
        *total += order.amount;
        *by_category.entry(category.as_str().to_owned()).or_default() += order.amount;
    }
    spend.retain(|_, (total, _)| *total > THRESHOLD);
    spend
}

/// Through the tools, as the demo program does it.
fn answer_from_tools() -> Answer {
    let today = call("get_today", Value::Null).unwrap();
    assert_eq!(today["today"], "2025-06-15");
    let may = json!({ "region": "EU", "from": "2025-05-01", "to": "2025-05-31" });
    let mut per_customer = may.clone();
    per_customer["group_by"] = json!(["customer_id"]);
    let mut per_category = may;
    per_category["group_by"] = json!(["customer_id", "category"]);
    per_category["limit"] = json!(1000);

    let mut answer = Answer::new();
    for group in call("aggregate_orders", per_customer).unwrap()["items"].as_array().unwrap() {
        let sum = group["sum"].as_u64().unwrap();
        if sum > THRESHOLD {
            answer.insert(group["key"]["customer_id"].as_str().unwrap().to_owned(), (sum, BTreeMap::new()));
        }
    }
    for group in call("aggregate_orders", per_category).unwrap()["items"].as_array().unwrap() {
        if let Some((_, by_category)) = answer.get_mut(group["key"]["customer_id"].as_str().unwrap()) {
            by_category.insert(group["key"]["category"].as_str().unwrap().to_owned(), group["sum"].as_u64().unwrap());
        }
    }
    answer
}

#[test]
fn the_demo_question_has_a_non_trivial_answer() {
    let answer = answer_from_data();
    assert!(answer.len() >= 2, "{answer:?}");
    for (customer, (total, by_category)) in &answer {
        assert!(by_category.len() >= 2, "{customer} spent in several categories");
        assert_eq!(by_category.values().sum::<u64>(), *total);
    }
    assert_eq!(answer_from_tools(), answer);
}

#[test]
fn the_demo_answer_is_pinned() {
    let pinned: Answer = [
        ("c035", 6930, &[("electronics", 2030), ("sports", 4900)][..]),
        (
            "c042",
            6480,
            &[("apparel", 110), ("electronics", 2200), ("kitchen", 210), ("office", 360), ("software", 3600)],
        ),
        (
            "c043",
            5685,
            &[
                ("apparel", 830),
                ("electronics", 630),
                ("furniture", 2160),
                ("kitchen", 35),
                ("office", 960),
                ("sports", 1070),
            ],
        ),
    ]
    .into_iter()
    .map(|(id, total, categories)| {
        let categories = categories.iter().map(|&(c, s)| (c.to_owned(), s)).collect();
        (id.to_owned(), (total, categories))
    })
    .collect();
    assert_eq!(answer_from_data(), pinned);
}
