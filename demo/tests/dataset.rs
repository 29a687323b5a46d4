//! The generated dataset: deterministic, of the documented size and shape,
//! and internally consistent.

use std::collections::{BTreeMap, BTreeSet};

use codemode_demo::{
    dataset::{Dataset, Region, TODAY, dataset},
    date::Date,
};

#[test]
fn generation_is_deterministic() {
    let first = serde_json::to_vec(&Dataset::generate()).unwrap();
    let second = serde_json::to_vec(&Dataset::generate()).unwrap();
    assert_eq!(first, second);
    assert_eq!(first, serde_json::to_vec(dataset()).unwrap());
}

#[test]
fn has_the_documented_size() {
    let data = dataset();
    assert_eq!(TODAY.to_string(), "2025-06-15");
    assert_eq!(data.customers.len(), 50);
    assert_eq!(data.products.len(), 30);
    assert_eq!(data.orders.len(), 2000);
    let categories: BTreeSet<_> = data.products.iter().map(|p| p.category).collect();
    assert_eq!(categories.len(), 8);
}

#[test]
fn pinned_figures_have_not_moved() {
    // Examples and docs quote answers computed from this data; these figures
    // change whenever the data does, which should be a deliberate change.
    let data = dataset();
    let mut per_region = BTreeMap::new();
    for customer in &data.customers {
        *per_region.entry(customer.region).or_insert(0) += 1;
    }
    assert_eq!(
        per_region,
        BTreeMap::from([(Region::Apac, 7), (Region::Eu, 19), (Region::Latam, 10), (Region::Us, 14)])
    );
    let total: u64 = data.orders.iter().map(|o| o.amount).sum();
    assert_eq!(total, 1_455_601);
}

#[test]
fn ids_are_sequential_and_unique() {
    let data = dataset();
    for (index, customer) in data.customers.iter().enumerate() {
        assert_eq!(customer.id, format!("c{:03}", index + 1));
    }
    for (index, product) in data.products.iter().enumerate() {
        assert_eq!(product.id, format!("p{:03}", index + 1));
    }
    for (index, order) in data.orders.iter().enumerate() {
        assert_eq!(order.id, format!("o{:04}", index + 1));
    }
    let names: BTreeSet<_> = data.customers.iter().map(|c| &c.name).collect();
    let emails: BTreeSet<_> = data.customers.iter().map(|c| &c.email).collect();
    assert_eq!((names.len(), emails.len()), (50, 50));
}

#[test]
fn orders_are_consistent_and_cover_the_year_before_today() {
    let data = dataset();
    let first_day = Date::new(2024, 6, 15).unwrap();
    let last_day = Date::new(2025, 6, 14).unwrap();
    for pair in data.orders.windows(2) {
        assert!(pair[0].date <= pair[1].date, "orders are oldest first");
    }
    for order in &data.orders {
        assert!((first_day..=last_day).contains(&order.date), "{order:?}");
        let product = data.product(&order.product_id).expect("order names a real product");
        assert!(data.customer(&order.customer_id).is_some(), "order names a real customer");
        assert!(order.quantity >= 1);
        assert_eq!(order.amount, product.price * order.quantity);
    }
    let months: BTreeSet<_> = data.orders.iter().map(|o| o.date.month_key()).collect();
    assert_eq!(months.len(), 13, "June 2024 to June 2025");
}

#[test]
fn lookups_find_by_id() {
    let data = dataset();
    assert_eq!(data.customer("c017").map(|c| c.id.as_str()), Some("c017"));
    assert_eq!(data.product("p030").map(|p| p.id.as_str()), Some("p030"));
    assert!(data.customer("c051").is_none());
    assert!(data.product("x").is_none());
}
