//! `list_products`: the product catalogue, filtered by category, price or id.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    DemoTool, ToolError,
    query::{Cell, Page, Projected, ViewArgs, record_fields},
};
use crate::dataset::{Category, Dataset, Product};

record_fields! {
    Product => enum ProductField {
        Id = "id" => |p| Cell::Text(&p.id),
        Name = "name" => |p| Cell::Text(&p.name),
        Category = "category" => |p| Cell::Text(p.category.as_str()),
        Price = "price" => |p| Cell::Number(p.price),
    }
}

/// Arguments of `list_products`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ListProductsArgs {
    /// Only products in this category.
    category: Option<Category>,
    /// Only products with these ids (e.g. ["p001", "p002"]).
    ids: Option<Vec<String>>,
    /// Only products with a unit price of at least this.
    min_price: Option<f64>,
    /// Only products with a unit price of at most this.
    max_price: Option<f64>,
    #[serde(flatten)]
    view: ViewArgs<ProductField>,
}

/// The `list_products` tool.
pub(crate) struct ListProducts;

impl DemoTool for ListProducts {
    const NAME: &'static str = "list_products";
    const TITLE: &'static str = "List products";
    const DESCRIPTION: &'static str = "List the products the shop sells, optionally filtered by category, \
        unit price or id, with the chosen fields, sorted and paginated. There are 30 products, ids p001 to p030, \
        in 8 categories; prices are whole currency units.";
    type Args = ListProductsArgs;
    type Output = Page<Projected<Product>>;

    fn run(data: &Dataset, args: ListProductsArgs) -> Result<Self::Output, ToolError> {
        let rows = data
            .products
            .iter()
            .filter(|p| args.category.is_none_or(|category| p.category == category))
            .filter(|p| args.ids.as_ref().is_none_or(|ids| ids.contains(&p.id)))
            .filter(|p| args.min_price.is_none_or(|min| p.price as f64 >= min))
            .filter(|p| args.max_price.is_none_or(|max| p.price as f64 <= max))
            .collect();
        args.view.apply(rows)
    }
}
