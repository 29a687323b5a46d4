//! A calendar date (proleptic Gregorian, no time zone), as the dataset and the
//! tools' `from`/`to` arguments use it.
//!
//! Only what the demo needs: validation of `YYYY-MM-DD` text, day arithmetic
//! for generating orders, and the `YYYY-MM` month key for grouping. It crosses
//! JSON as the `YYYY-MM-DD` string in both directions.

use std::{borrow::Cow, fmt};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A valid calendar date; ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// The date `year-month-day`, or `None` if there is no such day.
    pub const fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        if year < 0 || year > 9999 || month < 1 || month > 12 {
            return None;
        }
        if day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || format!("invalid date {text:?}: expected a calendar date as YYYY-MM-DD");
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().map_err(|_| invalid());
        let year = i32::try_from(number(0..4)?).map_err(|_| invalid())?;
        Self::new(year, number(5..7)?, number(8..10)?).ok_or_else(invalid)
    }

    /// The month this date falls in, as `YYYY-MM`.
    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The date `days` days before this one.
    pub(crate) fn minus_days(self, days: u32) -> Self {
        from_day_number(day_number(self) - i64::from(days))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Date {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        })
    }
}

const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Day numbers relative to 0000-03-01 make the leap day the last day of the
// year, which is what keeps these two conversions branch-free (the
// "days from civil" algorithm of H. Hinnant).
fn day_number(date: Date) -> i64 {
    let (month, day) = (i64::from(date.month), i64::from(date.day));
    let year = i64::from(date.year) - i64::from(month <= 2);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    year * 365 + year / 4 - year / 100 + year / 400 + day_of_year
}

fn from_day_number(number: i64) -> Date {
    let era_year = (number - number / 1460 + number / 36524 - number / 146_096) / 365;
    let day_of_year = number - (365 * era_year + era_year / 4 - era_year / 100 + era_year / 400);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = (shifted_month + 2) % 12 + 1;
    let year = era_year + i64::from(month <= 2);
    Date {
        year: i32::try_from(year).expect("demo dates stay within years 0..=9999"),
        month: u32::try_from(month).expect("month is 1..=12"),
        day: u32::try_from(day).expect("day is 1..=31"),
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn parses_valid_and_rejects_invalid_dates() {
        assert_eq!(Date::parse("2024-02-29"), Ok(Date::new(2024, 2, 29).unwrap()));
        for bad in ["2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "20250101", "2025-01-01x", "+025-01-01", ""]
        {
            assert!(Date::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn subtracting_days_crosses_months_years_and_leap_days() {
        let today = Date::new(2025, 6, 15).unwrap();
        assert_eq!(today.minus_days(0), today);
        assert_eq!(today.minus_days(15).to_string(), "2025-05-31");
        assert_eq!(today.minus_days(365).to_string(), "2024-06-15");
        assert_eq!(Date::new(2024, 3, 1).unwrap().minus_days(1).to_string(), "2024-02-29");
        assert_eq!(Date::new(2025, 1, 1).unwrap().minus_days(1).to_string(), "2024-12-31");
    }

    #[test]
    fn round_trips_through_day_numbers() {
        let start = Date::new(2023, 1, 1).unwrap();
        let mut previous = start;
        for days in 1..=1200 {
            let date = start.minus_days(days);
            assert!(date < previous);
            assert_eq!(Date::parse(&date.to_string()), Ok(date));
            previous = date;
        }
        // 1200 strictly decreasing valid dates ending exactly 1200 days back
        // can only be every day in turn.
        assert_eq!(previous.to_string(), "2019-09-19");
    }
}
