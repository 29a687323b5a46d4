//! How the sample dataset is made: fixed name and product tables, plus a
//! seeded generator for regions, customer activity, and orders.
//!
//! Changing the seed, a table or the order of draws changes the data, and with
//! it the answers that tests and examples state.

use super::{Category, Customer, Dataset, Order, Product, Region, TODAY, rng::SplitMix64};

const SEED: u64 = 0x00C0_DE00_2025_0615;
const CUSTOMER_COUNT: usize = 50;
const ORDER_COUNT: usize = 2000;
/// Orders fall on one of this many days before [`TODAY`].
const ORDER_DAYS: usize = 365;

const NAME_STEMS: [&str; 10] =
    ["Alder", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper"];
const NAME_KINDS: [&str; 5] = ["Labs", "Trading", "Systems", "Partners", "Works"];

/// Each region with its share of customers and its countries.
const REGIONS: [(Region, u32, &[&str]); 4] = [
    (Region::Eu, 35, &["Germany", "France", "Spain", "Italy", "Netherlands", "Sweden", "Poland", "Ireland"]),
    (Region::Us, 25, &["United States"]),
    (Region::Apac, 20, &["Japan", "Australia", "Singapore", "India", "South Korea"]),
    (Region::Latam, 20, &["Brazil", "Mexico", "Argentina", "Chile", "Colombia"]),
];

const PRODUCTS: [(&str, Category, u64); 30] = [
    ("Laptop Pro 14", Category::Electronics, 1450),
    ("Ultrabook 13", Category::Electronics, 1100),
    ("27-inch Monitor", Category::Electronics, 380),
    ("Noise-Cancelling Headphones", Category::Electronics, 290),
    ("USB-C Dock", Category::Electronics, 210),
    ("Mechanical Keyboard", Category::Electronics, 120),
    ("Standing Desk", Category::Furniture, 690),
    ("Ergonomic Chair", Category::Furniture, 540),
    ("Bookshelf", Category::Furniture, 180),
    ("Filing Cabinet", Category::Furniture, 230),
    ("Analytics Suite (annual)", Category::Software, 900),
    ("Design Studio Licence", Category::Software, 480),
    ("Antivirus 5-Seat", Category::Software, 150),
    ("Cloud Backup (annual)", Category::Software, 240),
    ("Printer Paper, 5 Reams", Category::Office, 28),
    ("Laser Printer", Category::Office, 320),
    ("Whiteboard", Category::Office, 95),
    ("Desk Organiser Set", Category::Office, 40),
    ("Data Science Handbook", Category::Books, 55),
    ("Management Classics Box Set", Category::Books, 120),
    ("Rust in Practice", Category::Books, 48),
    ("Company Hoodie", Category::Apparel, 45),
    ("Rain Jacket", Category::Apparel, 130),
    ("Running Shoes", Category::Apparel, 110),
    ("Espresso Machine", Category::Kitchen, 460),
    ("Water Filter Jug", Category::Kitchen, 35),
    ("Cookware Set", Category::Kitchen, 210),
    ("Road Bike", Category::Sports, 980),
    ("Yoga Mat", Category::Sports, 30),
    ("Fitness Tracker", Category::Sports, 150),
];

/// Relative weights of order quantities 1, 2, 3, ...: most orders are small.
const QUANTITY_WEIGHTS: [u32; 5] = [40, 25, 15, 12, 8];

pub(super) fn generate() -> Dataset {
    let mut rng = SplitMix64::new(SEED);
    let (customers, activity) = customers(&mut rng);
    let products = products();
    let orders = orders(&mut rng, &customers, &activity, &products);
    Dataset { customers, products, orders }
}

/// The customers, and how often each one orders relative to the others:
/// uneven activity is what makes some customers big spenders.
fn customers(rng: &mut SplitMix64) -> (Vec<Customer>, Vec<u32>) {
    let region_weights = REGIONS.map(|(_, weight, _)| weight);
    (0..CUSTOMER_COUNT)
        .map(|index| {
            // Stem varies fastest, so all 50 stem-kind pairs are distinct.
            let stem = NAME_STEMS[index % NAME_STEMS.len()];
            let kind = NAME_KINDS[index / NAME_STEMS.len()];
            let (region, _, countries) = REGIONS[rng.weighted(&region_weights)];
            let country = countries[rng.below(countries.len())];
            let activity = 1 + rng.below(6) as u32;
            let customer = Customer {
                id: format!("c{:03}", index + 1),
                name: format!("{stem} {kind}"),
                email: format!("purchasing@{}-{}.example", stem.to_lowercase(), kind.to_lowercase()),
                region,
                country: country.to_owned(),
            };
            (customer, activity)
        })
        .unzip()
}

fn products() -> Vec<Product> {
    PRODUCTS
        .iter()
        .enumerate()
        .map(|(index, &(name, category, price))| Product {
            id: format!("p{:03}", index + 1),
            name: name.to_owned(),
            category,
            price,
        })
        .collect()
}

fn orders(rng: &mut SplitMix64, customers: &[Customer], activity: &[u32], products: &[Product]) -> Vec<Order> {
    let mut drawn: Vec<_> = (0..ORDER_COUNT)
        .map(|_| {
            let days_back = 1 + rng.below(ORDER_DAYS) as u32;
            let customer = &customers[rng.weighted(activity)];
            let product = &products[rng.below(products.len())];
            let quantity = 1 + rng.weighted(&QUANTITY_WEIGHTS) as u64;
            (TODAY.minus_days(days_back), customer, product, quantity)
        })
        .collect();
    // Stable, so orders on the same day keep the order they were drawn in.
    drawn.sort_by_key(|&(date, ..)| date);
    drawn
        .into_iter()
        .enumerate()
        .map(|(index, (date, customer, product, quantity))| Order {
            id: format!("o{:04}", index + 1),
            date,
            customer_id: customer.id.clone(),
            product_id: product.id.clone(),
            quantity,
            amount: product.price * quantity,
        })
        .collect()
}
