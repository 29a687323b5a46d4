//! `aggregate_orders`: count, total and average order amount per group of
//! orders, grouped by customer, region, category, product and/or month.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    DemoTool, ToolError,
    orders::OrderFilter,
    query::{Page, PageArgs, SortArgs},
};
use crate::dataset::{Category, Dataset, Order, Region};

/// A dimension to group orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GroupBy {
    CustomerId,
    Region,
    Category,
    ProductId,
    Month,
}

/// What `sort_by` can name in `aggregate_orders`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum GroupField {
    Key,
    Count,
    Sum,
    Avg,
}

/// Arguments of `aggregate_orders`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct AggregateOrdersArgs {
    #[serde(flatten)]
    filter: OrderFilter,
    /// Dimensions to group by, e.g. ["customer_id", "category"]; `month` is the order's YYYY-MM. Default: no grouping (one group of all matching orders, or none if no order matches).
    #[serde(default)]
    group_by: Vec<GroupBy>,
    #[serde(flatten)]
    sort: SortArgs<GroupField>,
    #[serde(flatten)]
    page: PageArgs,
}

/// The values that identify a group: one per `group_by` dimension.
#[derive(Debug, Default, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub(crate) struct GroupKey {
    /// Customer id, when grouping by `customer_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    /// Customer region, when grouping by `region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    /// Product category, when grouping by `category`.
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<Category>,
    /// Product id, when grouping by `product_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    product_id: Option<String>,
    /// Month as YYYY-MM, when grouping by `month`.
    #[serde(skip_serializing_if = "Option::is_none")]
    month: Option<String>,
}

impl GroupKey {
    fn of(order: &Order, dims: &[GroupBy], data: &Dataset) -> Self {
        let mut key = Self::default();
        for dim in dims {
            match dim {
                GroupBy::CustomerId => key.customer_id = Some(order.customer_id.clone()),
                GroupBy::Region => key.region = data.customer(&order.customer_id).map(|c| c.region),
                GroupBy::Category => key.category = data.product(&order.product_id).map(|p| p.category),
                GroupBy::ProductId => key.product_id = Some(order.product_id.clone()),
                GroupBy::Month => key.month = Some(order.date.month_key()),
            }
        }
        key
    }
}

/// One group of orders and its metrics.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Group {
    /// The group's values of the `group_by` dimensions.
    key: GroupKey,
    /// Number of orders in the group.
    count: u64,
    /// Total amount of the group's orders.
    sum: u64,
    /// Average order amount, rounded to cents.
    avg: f64,
}

/// The `aggregate_orders` tool.
pub(crate) struct AggregateOrders;

impl DemoTool for AggregateOrders {
    const NAME: &'static str = "aggregate_orders";
    const TITLE: &'static str = "Aggregate orders";
    const DESCRIPTION: &'static str = "Group the orders that match the filters (the same filters as \
        list_orders) by customer_id, region, category, product_id and/or month, and return per group the \
        number of orders (count), their total amount (sum) and the average amount (avg). Groups are sorted \
        by key unless sort_by says otherwise, and paginated like list_orders. Today is {today}; months are \
        YYYY-MM.";
    type Args = AggregateOrdersArgs;
    type Output = Page<Group>;

    fn run(data: &Dataset, args: AggregateOrdersArgs) -> Result<Self::Output, ToolError> {
        let mut totals: BTreeMap<GroupKey, (u64, u64)> = BTreeMap::new();
        for order in args.filter.apply(data)? {
            let (count, sum) = totals.entry(GroupKey::of(order, &args.group_by, data)).or_default();
            *count += 1;
            *sum += order.amount;
        }
        let mut groups: Vec<Group> = totals
            .into_iter()
            .map(|(key, (count, sum))| Group {
                key,
                count,
                sum,
                avg: (sum as f64 / count as f64 * 100.0).round() / 100.0,
            })
            .collect();
        args.sort.sort(&mut groups, |field, a, b| match field {
            GroupField::Key => a.key.cmp(&b.key),
            GroupField::Count => a.count.cmp(&b.count),
            GroupField::Sum => a.sum.cmp(&b.sum),
            GroupField::Avg => a.avg.total_cmp(&b.avg),
        });
        args.page.page(groups)
    }
}
