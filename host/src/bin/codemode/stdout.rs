//! The command line's stdout, where results go: every print of the binary
//! goes through [`print`] (as `out!` and `outln!`). A reader that leaves
//! early (`codemode demo | head -1`) is no failure of the command: like
//! ripgrep and other Unix tools, it then stops quietly with exit code 0
//! ([`ReaderGone`], which `main` turns into that). Any other write error is
//! a setup error.

use std::fmt;
use std::io::{self, Write};

/// The reader of stdout closed it before everything was written.
#[derive(Debug)]
pub struct ReaderGone;

impl fmt::Display for ReaderGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the reader of stdout closed it")
    }
}

impl std::error::Error for ReaderGone {}

/// Writes `text` to stdout and flushes it, so that a failure surfaces here.
pub fn print(text: fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ReaderGone.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to stdout")),
    }
}

/// `print!` through [`print`]: `out!("{x}")?`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout::print(format_args!($($arg)*))
    };
}

/// `println!` through [`print`]: `outln!("{x}")?`.
macro_rules! outln {
    () => {
        $crate::stdout::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::stdout::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
