//! `list_orders`, and the order filters it shares with `aggregate_orders`.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    DemoTool, ToolError,
    query::{Cell, Page, Projected, ViewArgs, record_fields},
};
use crate::{
    dataset::{Category, Dataset, Order, Region},
    date::Date,
};

record_fields! {
    Order => enum OrderField {
        Id = "id" => |o| Cell::Text(&o.id),
        Date = "date" => |o| Cell::Date(o.date),
        CustomerId = "customer_id" => |o| Cell::Text(&o.customer_id),
        ProductId = "product_id" => |o| Cell::Text(&o.product_id),
        Quantity = "quantity" => |o| Cell::Number(o.quantity),
        Amount = "amount" => |o| Cell::Number(o.amount),
    }
}

/// Which orders a query covers; every filter given must hold.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct OrderFilter {
    /// Only orders by these customers (e.g. ["c001", "c002"]).
    customer_ids: Option<Vec<String>>,
    /// Only orders of these products (e.g. ["p001", "p002"]).
    product_ids: Option<Vec<String>>,
    /// Only orders of products in this category.
    category: Option<Category>,
    /// Only orders by customers in this region.
    region: Option<Region>,
    /// Only orders placed on or after this day (YYYY-MM-DD, inclusive).
    from: Option<Date>,
    /// Only orders placed on or before this day (YYYY-MM-DD, inclusive).
    to: Option<Date>,
    /// Only orders with an amount of at least this.
    min_amount: Option<f64>,
    /// Only orders with an amount of at most this.
    max_amount: Option<f64>,
}

impl OrderFilter {
    /// The orders that pass, oldest first.
    pub(crate) fn apply<'d>(&self, data: &'d Dataset) -> Result<Vec<&'d Order>, ToolError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(ToolError::InvalidArguments(format!(
                "`from` ({from}) is after `to` ({to}); both are inclusive"
            )));
        }
        let category_of = |o: &Order| data.product(&o.product_id).map(|p| p.category);
        let region_of = |o: &Order| data.customer(&o.customer_id).map(|c| c.region);
        Ok(data
            .orders
            .iter()
            .filter(|o| self.customer_ids.as_ref().is_none_or(|ids| ids.contains(&o.customer_id)))
            .filter(|o| self.product_ids.as_ref().is_none_or(|ids| ids.contains(&o.product_id)))
            .filter(|o| self.from.is_none_or(|from| o.date >= from))
            .filter(|o| self.to.is_none_or(|to| o.date <= to))
            .filter(|o| self.min_amount.is_none_or(|min| o.amount as f64 >= min))
            .filter(|o| self.max_amount.is_none_or(|max| o.amount as f64 <= max))
            .filter(|o| self.category.is_none_or(|category| category_of(o) == Some(category)))
            .filter(|o| self.region.is_none_or(|region| region_of(o) == Some(region)))
            .collect())
    }
}

/// Arguments of `list_orders`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ListOrdersArgs {
    #[serde(flatten)]
    filter: OrderFilter,
    #[serde(flatten)]
    view: ViewArgs<OrderField>,
}

/// The `list_orders` tool.
pub(crate) struct ListOrders;

impl DemoTool for ListOrders {
    const NAME: &'static str = "list_orders";
    const TITLE: &'static str = "List orders";
    const DESCRIPTION: &'static str = "List individual orders, optionally filtered by customer, product, \
        category, customer region, date range and amount, with the chosen fields, sorted and paginated \
        (default 100 per page, at most 1000). Orders cover the 365 days before today ({today}); amounts \
        are price * quantity in whole currency units. For totals per customer, category or month, \
        aggregate_orders is faster than paging through orders.";
    type Args = ListOrdersArgs;
    type Output = Page<Projected<Order>>;

    fn run(data: &Dataset, args: ListOrdersArgs) -> Result<Self::Output, ToolError> {
        args.view.apply(args.filter.apply(data)?)
    }
}
