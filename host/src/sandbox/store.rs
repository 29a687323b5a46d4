//! What a sandbox's store holds: its WASI context (stdout/stderr only), its
//! tool bridge, and the memory limiter that also measures peak memory.

use super::bridge::Bridge;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The data of one execution's store.
pub struct State {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub memory: MemoryLimiter,
    pub bridge: Bridge,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Caps linear memory and remembers its high-water mark.
///
/// Growth past the cap is refused (`memory.grow` returns -1) rather than
/// trapped: the JavaScript engine, whose own heap limit sits below the cap,
/// then reports a clean out-of-memory error; anything else that fails to
/// allocate aborts, and `hit` tells the host why.
pub struct MemoryLimiter {
    limit: usize,
    /// The largest linear memory the sandbox had, in bytes.
    pub peak: usize,
    /// Whether growth past the cap was attempted.
    pub hit: bool,
}

impl MemoryLimiter {
    /// A limiter allowing `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self { limit, peak: 0, hit: false }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.peak = self.peak.max(current);
        if desired > self.limit {
            self.hit = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 16)
    }
}
