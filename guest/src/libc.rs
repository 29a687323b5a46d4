//! Overrides of a few libc functions, so that the component imports only
//! what the sandbox allows (asserted by the host's `imports` test).
//!
//! Left alone, Rust's standard library and QuickJS would link in parts of
//! wasi-libc that import `wasi:cli/environment`, `exit`, `stdin` and the
//! `terminal-*` interfaces: `getenv` (the panic hook reads
//! `RUST_BACKTRACE`), and the POSIX layer under stdio (`write`, `writev`,
//! `isatty`, `lseek`, `close`), which goes through wasi-libc's descriptor
//! table, which opens all three stdio streams. Defining them here keeps
//! those archive members out of the link; stdio's `FILE`s still work, on
//! top of these. This is the crate's FFI edge, so it may use `unsafe`.
#![allow(unsafe_code)]

use core::ffi::{c_char, c_int, c_void};

/// The sandbox has no environment.
#[unsafe(no_mangle)]
pub extern "C" fn getenv(_name: *const c_char) -> *mut c_char {
    core::ptr::null_mut()
}

/// stdout and stderr go straight to their WASI streams; nothing else can
/// be written.
///
/// # Safety
/// `buf` must point to `len` readable bytes, as for POSIX `write`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn write(fd: c_int, buf: *const c_void, len: usize) -> isize {
    let stream = match fd {
        1 => wasip2::cli::stdout::get_stdout(),
        2 => wasip2::cli::stderr::get_stderr(),
        _ => return -1,
    };
    // SAFETY: the caller passes a buffer of `len` bytes, as POSIX requires.
    let bytes = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
    // `blocking-write-and-flush` takes at most 4096 bytes per call.
    for chunk in bytes.chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return -1;
        }
    }
    isize::try_from(len).unwrap_or(isize::MAX)
}

/// One buffer of a `writev`, as POSIX lays it out.
#[repr(C)]
pub struct IoVec {
    base: *const c_void,
    len: usize,
}

/// Gathers into [`write`].
///
/// # Safety
/// `iov` must point to `count` valid buffers, as for POSIX `writev`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn writev(fd: c_int, iov: *const IoVec, count: c_int) -> isize {
    let count = usize::try_from(count).unwrap_or(0);
    // SAFETY: the caller passes `count` buffers, as POSIX requires.
    let buffers = unsafe { core::slice::from_raw_parts(iov, count) };
    let mut total = 0isize;
    for buffer in buffers {
        // SAFETY: each buffer holds `len` readable bytes.
        let written = unsafe { write(fd, buffer.base, buffer.len) };
        if written < 0 {
            return written;
        }
        total = total.saturating_add(written);
    }
    total
}

/// No stream is a terminal.
#[unsafe(no_mangle)]
pub extern "C" fn __isatty(_fd: c_int) -> c_int {
    0
}

/// No stream is seekable.
#[unsafe(no_mangle)]
pub extern "C" fn __lseek(_fd: c_int, _offset: i64, _whence: c_int) -> i64 {
    -1
}

/// Nothing is ever opened, so there is nothing to close.
#[unsafe(no_mangle)]
pub extern "C" fn close(_fd: c_int) -> c_int {
    0
}
