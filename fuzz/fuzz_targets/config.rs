//! Config parsing (`codemode::config`): no input panics, and no error ever
//! carries the value of a variable (every `${NAME}` expands to a planted
//! secret), whatever the file.

#![no_main]

use codemode::config::Config;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "pl4nted-S3CRET";

fn env(name: &str) -> Option<String> {
    match name {
        "UNSET" => None,
        "EMPTY" => Some(String::new()),
        _ => Some(SECRET.to_owned()),
    }
}

fuzz_target!(|text: &str| {
    match Config::from_json_str(text, &env) {
        Ok(config) => {
            for warning in &config.warnings {
                assert!(!warning.to_string().is_empty());
            }
        }
        Err(error) if !text.contains(SECRET) => {
            let (display, debug) = (error.to_string(), format!("{error:?}"));
            assert!(!display.contains(SECRET) && !debug.contains(SECRET), "{text:?}: {display} / {debug}");
        }
        Err(_) => {}
    }
});
