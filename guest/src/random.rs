//! `Math.random`, seeded per execution.
//!
//! QuickJS seeds its generator from the clock when a context is created,
//! which in a pre-initialized guest happened once, at build time: every
//! execution would replay the same sequence. This generator is the same
//! xorshift64* QuickJS uses, but its state is reseeded from the host's
//! `wasi:random/insecure-seed` at the start of each execution.

use rquickjs::{Ctx, Function, Object};
use std::cell::Cell;

thread_local! {
    static STATE: Cell<u64> = const { Cell::new(1) };
}

/// Replaces `Math.random` with this generator.
pub fn install(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let math: Object = ctx.globals().get("Math")?;
    math.set("random", Function::new(ctx.clone(), next)?.with_name("random")?)
}

/// Seeds the generator for a new execution; returns the host's seed, all
/// 128 bits of it, for the other things an execution draws (`crypto`).
pub fn reseed() -> [u8; 16] {
    let (low, high) = wasip2::random::insecure_seed::insecure_seed();
    // xorshift's state must not be zero.
    STATE.set((low ^ high.rotate_left(32)).max(1));
    let mut seed = [0; 16];
    seed[..8].copy_from_slice(&low.to_le_bytes());
    seed[8..].copy_from_slice(&high.to_le_bytes());
    seed
}

/// A double in [0, 1) from the top 53 bits of the next output.
fn next() -> f64 {
    let mut x = STATE.get();
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    STATE.set(x);
    (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
