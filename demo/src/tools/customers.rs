//! `list_customers`: the customers, filtered by region, country or id.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    DemoTool, ToolError,
    query::{Cell, Page, Projected, ViewArgs, record_fields},
};
use crate::dataset::{Customer, Dataset, Region};

record_fields! {
    Customer => enum CustomerField {
        Id = "id" => |c| Cell::Text(&c.id),
        Name = "name" => |c| Cell::Text(&c.name),
        Email = "email" => |c| Cell::Text(&c.email),
        Region = "region" => |c| Cell::Text(c.region.as_str()),
        Country = "country" => |c| Cell::Text(&c.country),
    }
}

/// Arguments of `list_customers`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ListCustomersArgs {
    /// Only customers in this region.
    region: Option<Region>,
    /// Only customers in this country (English name, any case, e.g. "germany").
    country: Option<String>,
    /// Only customers with these ids (e.g. ["c001", "c002"]).
    ids: Option<Vec<String>>,
    #[serde(flatten)]
    view: ViewArgs<CustomerField>,
}

/// The `list_customers` tool.
pub(crate) struct ListCustomers;

impl DemoTool for ListCustomers {
    const NAME: &'static str = "list_customers";
    const TITLE: &'static str = "List customers";
    const DESCRIPTION: &'static str = "List the shop's customers (companies), optionally filtered by region, \
        country or id, with the chosen fields, sorted and paginated. There are 50 customers, ids c001 to c050.";
    type Args = ListCustomersArgs;
    type Output = Page<Projected<Customer>>;

    fn run(data: &Dataset, args: ListCustomersArgs) -> Result<Self::Output, ToolError> {
        let rows = data
            .customers
            .iter()
            .filter(|c| args.region.is_none_or(|region| c.region == region))
            .filter(|c| args.country.as_ref().is_none_or(|country| c.country.eq_ignore_ascii_case(country)))
            .filter(|c| args.ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
            .collect();
        args.view.apply(rows)
    }
}
