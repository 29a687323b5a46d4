//! What the list tools share once their filters have run: choosing fields
//! (`select`), ordering (`sort_by`, `order`) and paging (`limit`, `offset`).
//!
//! Filtering stays with each tool, because only the tool knows its record.
//! Records expose their fields through [`Record`] and [`Field`], declared
//! once per record with [`record_fields!`].

use std::{borrow::Cow, cmp::Ordering, marker::PhantomData};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ToolError;
use crate::date::Date;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// A field of a [`Record`] that `select` and `sort_by` can name.
pub(crate) trait Field: Copy + 'static {
    /// Every field, in output order.
    const ALL: &'static [Self];
    /// The field's name in JSON.
    fn name(self) -> &'static str;
}

/// A record a list tool returns.
pub(crate) trait Record {
    /// The record's fields.
    type Field: Field;
    /// The value of one field.
    fn cell(&self, field: Self::Field) -> Cell<'_>;
}

/// A field's value, comparable with the same field of another record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Number(u64),
    Date(Date),
}

impl Cell<'_> {
    fn to_json(self) -> Value {
        match self {
            Self::Text(text) => Value::from(text),
            Self::Number(number) => Value::from(number),
            Self::Date(date) => Value::from(date.to_string()),
        }
    }
}

/// Declares the field enum of a record and its [`Field`] and [`Record`]
/// impls from one list, so a field's JSON name, `select`/`sort_by` spelling
/// and value cannot drift apart.
macro_rules! record_fields {
    ($record:ty => enum $name:ident { $($variant:ident = $json:literal => |$r:ident| $cell:expr,)+ }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
        pub(crate) enum $name {
            $(#[serde(rename = $json)] $variant,)+
        }

        impl $crate::tools::query::Field for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $json,)+
                }
            }
        }

        impl $crate::tools::query::Record for $record {
            type Field = $name;

            fn cell(&self, field: $name) -> $crate::tools::query::Cell<'_> {
                match field {
                    $($name::$variant => { let $r = self; $cell })+
                }
            }
        }
    };
}
pub(crate) use record_fields;

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// `sort_by` and `order`, for any set of sortable fields `F`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct SortArgs<F> {
    /// Field to sort by. Without it, items keep their natural order (by id; groups by key). Ties keep that natural order too.
    pub(crate) sort_by: Option<F>,
    /// Sort direction: `asc` (default) or `desc`.
    #[serde(default)]
    pub(crate) order: SortOrder,
}

impl<F: Copy> SortArgs<F> {
    /// Sorts `rows`, already in natural order, with `compare` on `sort_by`.
    pub(crate) fn sort<T>(&self, rows: &mut [T], compare: impl Fn(F, &T, &T) -> Ordering) {
        match (self.sort_by, self.order) {
            (Some(field), SortOrder::Asc) => rows.sort_by(|a, b| compare(field, a, b)),
            (Some(field), SortOrder::Desc) => rows.sort_by(|a, b| compare(field, b, a)),
            (None, SortOrder::Desc) => rows.reverse(),
            (None, SortOrder::Asc) => {}
        }
    }
}

/// `limit` and `offset`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct PageArgs {
    /// Maximum number of items to return, 1 to 1000 (default 100).
    #[schemars(range(min = 1, max = 1000))]
    pub(crate) limit: Option<u32>,
    /// Number of items to skip (default 0). To read the next page, pass the previous answer's `next_offset`.
    pub(crate) offset: Option<u32>,
}

impl PageArgs {
    /// The page of `rows` these arguments ask for.
    pub(crate) fn page<T>(&self, rows: Vec<T>) -> Result<Page<T>, ToolError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ToolError::InvalidArguments(format!("`limit` must be between 1 and {MAX_LIMIT}, got {limit}")));
        }
        let total = rows.len();
        let offset = self.offset.unwrap_or(0) as usize;
        let items: Vec<T> = rows.into_iter().skip(offset).take(limit as usize).collect();
        let end = offset + items.len();
        Ok(Page { items, total, next_offset: (end < total).then_some(end) })
    }
}

/// One page of results.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Page<T> {
    /// The items on this page.
    pub(crate) items: Vec<T>,
    /// How many items match, over all pages.
    pub(crate) total: usize,
    /// The `offset` of the next page, or null if this is the last page.
    pub(crate) next_offset: Option<usize>,
}

/// `select`, sorting and paging: everything a list tool takes besides filters.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ViewArgs<F> {
    /// Fields to include in each item (default: all).
    pub(crate) select: Option<Vec<F>>,
    #[serde(flatten)]
    pub(crate) sort: SortArgs<F>,
    #[serde(flatten)]
    pub(crate) page: PageArgs,
}

impl<F: Field> ViewArgs<F> {
    /// Sorts, pages and projects the records that a tool's filters kept, given
    /// in natural order.
    pub(crate) fn apply<R: Record<Field = F>>(&self, mut rows: Vec<&R>) -> Result<Page<Projected<R>>, ToolError> {
        self.sort.sort(&mut rows, |field, a, b| a.cell(field).cmp(&b.cell(field)));
        let fields = self.select.as_deref().unwrap_or(F::ALL);
        let page = self.page.page(rows)?;
        Ok(Page {
            items: page.items.into_iter().map(|row| Projected::new(row, fields)).collect(),
            total: page.total,
            next_offset: page.next_offset,
        })
    }
}

/// A record reduced to the selected fields. Its schema is the record's with
/// no field required, since `select` may leave any of them out.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub(crate) struct Projected<R> {
    fields: Map<String, Value>,
    #[serde(skip)]
    record: PhantomData<R>,
}

impl<R: Record> Projected<R> {
    fn new(record: &R, fields: &[R::Field]) -> Self {
        let fields = fields.iter().map(|&field| (field.name().to_owned(), record.cell(field).to_json())).collect();
        Self { fields, record: PhantomData }
    }
}

impl<R: JsonSchema> JsonSchema for Projected<R> {
    fn schema_name() -> Cow<'static, str> {
        R::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = R::json_schema(generator);
        schema.remove("required");
        schema
    }
}
