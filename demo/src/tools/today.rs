//! `get_today`: the dataset's fixed reference date, so programs can work out
//! "last month" without reading a real clock.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DemoTool, ToolError};
use crate::{
    dataset::{Dataset, TODAY},
    date::Date,
};

/// `get_today` takes no arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct NoArgs {}

/// The reference date and the span of the order history.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Today {
    /// The dataset's "today" (YYYY-MM-DD); periods such as "last month" are relative to it, not to the real date.
    today: Date,
    /// Date of the oldest order.
    first_order_date: Option<Date>,
    /// Date of the newest order.
    last_order_date: Option<Date>,
}

/// The `get_today` tool.
pub(crate) struct GetToday;

impl DemoTool for GetToday {
    const NAME: &'static str = "get_today";
    const TITLE: &'static str = "Get today's date";
    const DESCRIPTION: &'static str = "Return the dataset's fixed reference date ({today}) and the date range \
        the orders cover. Use it, not the real clock, to resolve relative periods such as \"last month\".";
    type Args = NoArgs;
    type Output = Today;

    fn run(data: &Dataset, NoArgs {}: NoArgs) -> Result<Today, ToolError> {
        Ok(Today {
            today: TODAY,
            first_order_date: data.orders.first().map(|o| o.date),
            last_order_date: data.orders.last().map(|o| o.date),
        })
    }
}
