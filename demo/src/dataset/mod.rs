//! The demo's sample sales data: customers, products and a year of orders,
//! generated in code from a fixed seed and a fixed [`TODAY`].
//!
//! Nothing here reads a file, the clock or the OS's randomness, so every run
//! of every build sees the same data and examples can state their answers.
//! This module owns the data and its lookups only; querying it is
//! [`crate::tools`]'s job.

mod generate;
mod rng;

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::date::Date;

/// The dataset's fixed "today": orders cover the 365 days before it, and
/// "last month" means May 2025.
pub const TODAY: Date = Date::new(2025, 6, 15).expect("a valid date");

/// Where a customer is based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Region {
    /// Asia-Pacific.
    #[serde(rename = "APAC")]
    Apac,
    /// The European Union.
    #[serde(rename = "EU")]
    Eu,
    /// Latin America.
    #[serde(rename = "LATAM")]
    Latam,
    /// The United States.
    #[serde(rename = "US")]
    Us,
}

impl Region {
    /// The region as it appears in JSON, e.g. `"EU"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Apac => "APAC",
            Self::Eu => "EU",
            Self::Latam => "LATAM",
            Self::Us => "US",
        }
    }
}

/// What kind of thing a product is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Clothing and shoes.
    Apparel,
    /// Printed books.
    Books,
    /// Computers, screens and accessories.
    Electronics,
    /// Desks, chairs and storage.
    Furniture,
    /// Kitchen appliances and cookware.
    Kitchen,
    /// Office equipment and supplies.
    Office,
    /// Software licences and subscriptions.
    Software,
    /// Sports and fitness gear.
    Sports,
}

impl Category {
    /// The category as it appears in JSON, e.g. `"electronics"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Apparel => "apparel",
            Self::Books => "books",
            Self::Electronics => "electronics",
            Self::Furniture => "furniture",
            Self::Kitchen => "kitchen",
            Self::Office => "office",
            Self::Software => "software",
            Self::Sports => "sports",
        }
    }
}

/// A company that buys from the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Customer {
    /// Customer id, `c001` to `c050`.
    pub id: String,
    /// Company name.
    pub name: String,
    /// Purchasing contact address.
    pub email: String,
    /// Sales region.
    pub region: Region,
    /// Country, in English (e.g. `Germany`).
    pub country: String,
}

/// Something the shop sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Product {
    /// Product id, `p001` to `p030`.
    pub id: String,
    /// Product name.
    pub name: String,
    /// Product category.
    pub category: Category,
    /// Unit price in whole currency units.
    pub price: u64,
}

/// One purchase of one product by one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Order {
    /// Order id, `o0001` upwards in date order.
    pub id: String,
    /// Day the order was placed.
    pub date: Date,
    /// The buying customer's id.
    pub customer_id: String,
    /// The product's id.
    pub product_id: String,
    /// Units bought.
    pub quantity: u64,
    /// `price * quantity`, in whole currency units.
    pub amount: u64,
}

/// The whole sample dataset. Each list is sorted by id, which the lookups rely on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dataset {
    /// All customers.
    pub customers: Vec<Customer>,
    /// All products.
    pub products: Vec<Product>,
    /// All orders, oldest first.
    pub orders: Vec<Order>,
}

impl Dataset {
    /// Generates the dataset; the result is the same on every call.
    pub fn generate() -> Self {
        generate::generate()
    }

    /// The customer with this id.
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        let index = self.customers.binary_search_by(|c| c.id.as_str().cmp(id)).ok()?;
        Some(&self.customers[index])
    }

    /// The product with this id.
    pub fn product(&self, id: &str) -> Option<&Product> {
        let index = self.products.binary_search_by(|p| p.id.as_str().cmp(id)).ok()?;
        Some(&self.products[index])
    }
}

/// The dataset, generated on first use and shared afterwards.
pub fn dataset() -> &'static Dataset {
    static DATASET: LazyLock<Dataset> = LazyLock::new(Dataset::generate);
    &DATASET
}
