//! The tools through their in-process entry point, [`codemode_demo::tools::call`]:
//! filters, sorting, paging and aggregation against expectations computed
//! straight from the dataset, plus the errors bad arguments must produce.

use std::collections::{BTreeMap, BTreeSet};

use codemode_demo::{
    dataset::{Category, Region, dataset},
    date::Date,
    tools::{ToolError, call, tool_list},
};
use serde_json::{Value, json};

fn ok(tool: &str, args: Value) -> Value {
    call(tool, args).unwrap_or_else(|error| panic!("{tool} failed: {error}"))
}

fn invalid(tool: &str, args: Value) -> String {
    match call(tool, args) {
        Err(ToolError::InvalidArguments(message)) => message,
        other => panic!("{tool} should reject its arguments, got {other:?}"),
    }
}

fn column<'a>(page: &'a Value, field: &str) -> Vec<&'a Value> {
    page["items"].as_array().unwrap().iter().map(|item| &item[field]).collect()
}

fn strings(values: Vec<&Value>) -> Vec<&str> {
    values.into_iter().map(|v| v.as_str().unwrap()).collect()
}

#[test]
fn every_tool_has_docs_and_both_schemas() {
    let tools = tool_list();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["get_today", "list_customers", "list_products", "list_orders", "aggregate_orders"]);
    for tool in &tools {
        assert!(tool.title.is_some() && tool.description.is_some(), "{}", tool.name);
        assert_eq!(tool.input_schema["type"], "object");
        assert_eq!(tool.input_schema["additionalProperties"], false);
        // `call` relies on every argument being optional (see `parse`).
        assert!(tool.input_schema.get("required").is_none(), "{}", tool.name);
        let output = tool.output_schema.as_ref().expect("an output schema");
        assert_eq!(output["type"], "object", "{}", tool.name);
    }
}

#[test]
fn list_items_carry_exactly_the_fields_their_schema_declares() {
    let tools = tool_list();
    for (tool, record) in [("list_customers", "Customer"), ("list_products", "Product"), ("list_orders", "Order")] {
        let schema = tools.iter().find(|t| t.name == tool).unwrap().output_schema.clone().unwrap();
        let declared: BTreeSet<_> =
            schema["$defs"][record]["properties"].as_object().unwrap().keys().cloned().collect();
        let page = ok(tool, json!({ "limit": 1 }));
        let returned: BTreeSet<_> = page["items"][0].as_object().unwrap().keys().cloned().collect();
        assert_eq!(returned, declared, "{tool}");
    }
    // And the values are the records' own serialisation.
    let first = ok("list_orders", json!({ "limit": 1 }));
    assert_eq!(first["items"][0], serde_json::to_value(&dataset().orders[0]).unwrap());
}

#[test]
fn get_today_reports_the_reference_date_and_order_span() {
    let today = ok("get_today", Value::Null);
    assert_eq!(
        today,
        json!({ "today": "2025-06-15", "first_order_date": "2024-06-15", "last_order_date": "2025-06-14" })
    );
}

#[test]
fn list_customers_filters_by_region_country_and_ids() {
    let data = dataset();
    let eu: Vec<_> = data.customers.iter().filter(|c| c.region == Region::Eu).map(|c| c.id.as_str()).collect();
    let page = ok("list_customers", json!({ "region": "EU" }));
    assert_eq!(strings(column(&page, "id")), eu);
    assert_eq!(page["total"], eu.len());

    let country = &data.customers[0].country;
    let expected: Vec<_> = data.customers.iter().filter(|c| &c.country == country).map(|c| c.id.as_str()).collect();
    let page = ok("list_customers", json!({ "country": country.to_uppercase() }));
    assert_eq!(strings(column(&page, "id")), expected);

    let page = ok("list_customers", json!({ "ids": ["c010", "c002", "c999"] }));
    assert_eq!(strings(column(&page, "id")), ["c002", "c010"]);
}

#[test]
fn list_customers_selects_sorts_and_pages() {
    let data = dataset();
    let page =
        ok("list_customers", json!({ "select": ["name", "id"], "sort_by": "name", "order": "desc", "limit": 5 }));
    let mut names: Vec<_> = data.customers.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(strings(column(&page, "name")), names[..5]);
    for item in page["items"].as_array().unwrap() {
        let keys: Vec<_> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "id"], "only the selected fields, in the order asked");
    }
    assert_eq!((page["total"].clone(), page["next_offset"].clone()), (json!(50), json!(5)));

    let last = ok("list_customers", json!({ "limit": 7, "offset": 45 }));
    assert_eq!(strings(column(&last, "id")), ["c046", "c047", "c048", "c049", "c050"]);
    assert_eq!(last["next_offset"], Value::Null);
    let beyond = ok("list_customers", json!({ "offset": 60 }));
    assert_eq!((beyond["items"].clone(), beyond["total"].clone()), (json!([]), json!(50)));

    let newest_first = ok("list_customers", json!({ "order": "desc", "limit": 2, "select": ["id"] }));
    assert_eq!(strings(column(&newest_first, "id")), ["c050", "c049"]);
}

#[test]
fn list_products_filters_by_category_and_price_and_sorts_by_price() {
    let data = dataset();
    let page = ok("list_products", json!({ "category": "electronics", "select": ["id"] }));
    let expected: Vec<_> =
        data.products.iter().filter(|p| p.category == Category::Electronics).map(|p| p.id.as_str()).collect();
    assert_eq!(strings(column(&page, "id")), expected);

    let page = ok("list_products", json!({ "min_price": 100, "max_price": 300, "sort_by": "price", "order": "desc" }));
    let mut expected: Vec<_> = data.products.iter().filter(|p| (100..=300).contains(&p.price)).collect();
    // Descending by price; equal prices keep id order.
    expected.sort_by(|a, b| b.price.cmp(&a.price).then(a.id.cmp(&b.id)));
    let expected: Vec<_> = expected.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(strings(column(&page, "id")), expected);
}

#[test]
fn list_orders_pages_by_default_and_can_read_everything() {
    let first = ok("list_orders", json!({}));
    assert_eq!(first["items"].as_array().unwrap().len(), 100);
    assert_eq!((first["total"].clone(), first["next_offset"].clone()), (json!(2000), json!(100)));

    let mut seen = Vec::new();
    let mut offset = Some(0);
    while let Some(at) = offset {
        let page = ok("list_orders", json!({ "select": ["id"], "limit": 1000, "offset": at }));
        seen.extend(strings(column(&page, "id")).into_iter().map(str::to_owned));
        offset = page["next_offset"].as_u64();
    }
    let expected: Vec<_> = dataset().orders.iter().map(|o| o.id.clone()).collect();
    assert_eq!(seen, expected);
}

#[test]
fn list_orders_combines_filters() {
    let data = dataset();
    let (from, to) = (Date::new(2025, 1, 10).unwrap(), Date::new(2025, 3, 31).unwrap());
    let expected: Vec<_> = data
        .orders
        .iter()
        .filter(|o| o.date >= from && o.date <= to && o.amount >= 200)
        .filter(|o| data.customers.iter().any(|c| c.id == o.customer_id && c.region == Region::Us))
        .filter(|o| data.products.iter().any(|p| p.id == o.product_id && p.category == Category::Electronics))
        .map(|o| o.id.as_str())
        .collect();
    assert!(expected.len() > 3, "the case should select something");
    let page = ok(
        "list_orders",
        json!({ "from": "2025-01-10", "to": "2025-03-31", "min_amount": 200, "region": "US", "category": "electronics", "limit": 1000 }),
    );
    assert_eq!(strings(column(&page, "id")), expected);

    let some = &data.orders[500];
    let page = ok(
        "list_orders",
        json!({ "customer_ids": [some.customer_id], "product_ids": [some.product_id], "max_amount": some.amount }),
    );
    let expected: Vec<_> = data
        .orders
        .iter()
        .filter(|o| o.customer_id == some.customer_id && o.product_id == some.product_id && o.amount <= some.amount)
        .map(|o| o.id.as_str())
        .collect();
    assert!(expected.contains(&some.id.as_str()));
    assert_eq!(strings(column(&page, "id")), expected);
}

#[test]
fn list_orders_date_bounds_are_inclusive() {
    let data = dataset();
    let day = data.orders[1000].date;
    let on_day: Vec<_> = data.orders.iter().filter(|o| o.date == day).map(|o| o.id.as_str()).collect();
    let page = ok("list_orders", json!({ "from": day.to_string(), "to": day.to_string() }));
    assert_eq!(strings(column(&page, "id")), on_day);
}

#[test]
fn list_orders_sorts_by_amount_with_ties_in_id_order() {
    let page =
        ok("list_orders", json!({ "sort_by": "amount", "order": "desc", "limit": 1000, "select": ["id", "amount"] }));
    let items = page["items"].as_array().unwrap();
    let max = dataset().orders.iter().map(|o| o.amount).max().unwrap();
    assert_eq!(items[0]["amount"], max);
    for pair in items.windows(2) {
        let (a, b) = (pair[0]["amount"].as_u64().unwrap(), pair[1]["amount"].as_u64().unwrap());
        assert!(a > b || (a == b && pair[0]["id"].as_str() < pair[1]["id"].as_str()), "{pair:?}");
    }
}

#[test]
fn aggregate_orders_by_month_matches_a_direct_count() {
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for order in &dataset().orders {
        let entry = expected.entry(order.date.to_string()[..7].to_owned()).or_default();
        entry.0 += 1;
        entry.1 += order.amount;
    }
    let page = ok("aggregate_orders", json!({ "group_by": ["month"] }));
    let groups = page["items"].as_array().unwrap();
    assert_eq!(groups.len(), 13);
    for (group, (month, (count, sum))) in groups.iter().zip(&expected) {
        assert_eq!(group["key"], json!({ "month": month }));
        assert_eq!((group["count"].as_u64().unwrap(), group["sum"].as_u64().unwrap()), (*count, *sum));
        let avg = *sum as f64 / *count as f64;
        assert!((group["avg"].as_f64().unwrap() - avg).abs() <= 0.005);
    }
}

#[test]
fn aggregate_orders_groups_by_several_dimensions_and_sorts_by_metric() {
    let data = dataset();
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for order in data.orders.iter().filter(|o| o.date.to_string().starts_with("2025-04")) {
        let customer = data.customers.iter().find(|c| c.id == order.customer_id).unwrap();
        let product = data.products.iter().find(|p| p.id == order.product_id).unwrap();
        if customer.region == Region::Latam {
            *expected.entry((customer.id.clone(), product.category.as_str().to_owned())).or_default() += order.amount;
        }
    }
    let page = ok(
        "aggregate_orders",
        json!({ "from": "2025-04-01", "to": "2025-04-30", "region": "LATAM", "group_by": ["customer_id", "category"], "sort_by": "sum", "order": "desc", "limit": 1000 }),
    );
    let got: BTreeMap<(String, String), u64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let key = (
                g["key"]["customer_id"].as_str().unwrap().to_owned(),
                g["key"]["category"].as_str().unwrap().to_owned(),
            );
            (key, g["sum"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(got, expected);
    let sums: Vec<_> = column(&page, "sum").into_iter().map(|s| s.as_u64().unwrap()).collect();
    assert!(sums.windows(2).all(|pair| pair[0] >= pair[1]), "sorted by sum, descending");
}

#[test]
fn aggregate_orders_without_group_by_is_one_total() {
    let data = dataset();
    let page = ok("aggregate_orders", json!({ "category": "books" }));
    let books: Vec<_> = data
        .orders
        .iter()
        .filter(|o| data.products.iter().any(|p| p.id == o.product_id && p.category == Category::Books))
        .collect();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["key"], json!({}));
    assert_eq!(page["items"][0]["count"], books.len());
    assert_eq!(page["items"][0]["sum"], books.iter().map(|o| o.amount).sum::<u64>());

    let nothing = ok("aggregate_orders", json!({ "customer_ids": [] }));
    assert_eq!((nothing["items"].clone(), nothing["total"].clone()), (json!([]), json!(0)));
}

#[test]
fn bad_arguments_are_tool_errors_that_name_the_problem() {
    let cases = [
        ("list_customers", json!({ "select": ["id", "nme"] }), "nme"),
        ("list_customers", json!({ "regoin": "EU" }), "unknown argument `regoin`"),
        ("list_customers", json!({ "region": "Europe" }), "`region`"),
        ("list_products", json!({ "limit": 0 }), "`limit` must be between 1 and 1000"),
        ("list_orders", json!({ "limit": 1001 }), "`limit` must be between 1 and 1000, got 1001"),
        ("list_orders", json!({ "offset": -1 }), "`offset`"),
        ("list_orders", json!({ "from": "2025-02-30" }), "invalid date \"2025-02-30\""),
        ("list_orders", json!({ "to": "May 2025" }), "`to`"),
        ("list_orders", json!({ "from": "2025-06-01", "to": "2025-05-01" }), "is after"),
        ("list_orders", json!({ "sort_by": "price" }), "`sort_by`"),
        ("aggregate_orders", json!({ "group_by": "month" }), "`group_by`"),
        ("aggregate_orders", json!({ "group_by": ["year"] }), "year"),
        ("get_today", json!({ "tz": "UTC" }), "get_today takes no arguments"),
        ("list_orders", json!(["EU"]), "must be a JSON object"),
    ];
    for (tool, args, needle) in cases {
        let message = invalid(tool, args.clone());
        assert!(message.contains(needle), "{tool} {args}: {message:?} should mention {needle:?}");
    }
}

#[test]
fn an_unknown_tool_is_its_own_error() {
    assert_eq!(call("drop_tables", json!({})), Err(ToolError::UnknownTool("drop_tables".into())));
}
