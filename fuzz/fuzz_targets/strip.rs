//! TypeScript stripping (`codemode::program::strip`): no input panics
//! (but for oxc's own bugs, which codemode answers as an internal error);
//! what comes back keeps every byte position (types become spaces and a few
//! punctuation marks, line breaks stay), parses as JavaScript when anything
//! was stripped, and stays JavaScript when stripped again; an error points
//! inside the source.

#![no_main]

use codemode::program::strip::strip_types;
use codemode_fuzz::{has_error_typescript_lets_through, parses_as_javascript};
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    /// The file of the last panic on this thread.
    static PANICKED_IN: RefCell<Option<String>> = const { RefCell::new(None) };
}

fuzz_target!(|source: &str| {
    // codemode catches a panic of the parser and answers "internal error";
    // libFuzzer's hook would abort on it first. Panics are recorded instead,
    // and only oxc's own (upstream bugs codemode cannot fix, such as
    // `import { '\\u3a' }` slicing past a string's end) are let through.
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|at| at.file().to_owned()).unwrap_or_default();
            if !file.contains("/oxc_") {
                abort(info);
            }
            PANICKED_IN.with(|last| *last.borrow_mut() = Some(file));
        }));
    });
    PANICKED_IN.with(|last| last.borrow_mut().take());
    match strip_types(source) {
        Ok(javascript) => {
            assert_eq!(source.len(), javascript.len(), "{source:?} -> {javascript:?}");
            let kept = |(a, b): (u8, u8)| a == b || (!matches!(a, b'\n' | b'\r') && b" ;)0,".contains(&b));
            assert!(source.bytes().zip(javascript.bytes()).all(kept), "{source:?} -> {javascript:?}");
            // Only what stripping changed is its to answer for: oxc's TypeScript
            // parser lets through a few sources that are not JavaScript either
            // (`a\n\\<b<<c`, `function <T>() {}`), and the engine reports
            // those as syntax errors.
            let javascript_or_lost = |js: &str| parses_as_javascript(js) || has_error_typescript_lets_through(js);
            let unchanged = matches!(javascript, std::borrow::Cow::Borrowed(_));
            assert!(unchanged || javascript_or_lost(&javascript), "{source:?} -> {javascript:?}");
            // Stripped again, it may change where TypeScript reads that
            // JavaScript differently (`A<T>\n x` compares in JavaScript and is an
            // instantiation expression in TypeScript), but stays JavaScript.
            let again = strip_types(&javascript);
            let broken = matches!(again.as_deref(), Ok(again) if again != &*javascript && !javascript_or_lost(again));
            assert!(!broken, "{source:?} -> {javascript:?} -> {again:?}");
        }
        Err(error) if error.message == "internal error while parsing the program" => {
            let file = PANICKED_IN.with(|last| last.borrow_mut().take());
            assert!(file.is_some_and(|file| file.contains("/oxc_")), "{source:?}: {error:?} without a panic in oxc");
        }
        Err(error) => {
            assert!(error.line >= 1 && error.column >= 1 && !error.message.is_empty(), "{source:?}: {error:?}");
            // JavaScript's line terminators: a lone `\r` ends a line too.
            let lines = source.replace("\r\n", "\n").matches(['\n', '\r', '\u{2028}', '\u{2029}']).count() + 1;
            assert!(error.line as usize <= lines, "{source:?}: {error:?}");
        }
    }
});
