//! `console.log/info/warn/error/debug`: each call becomes one `log` event,
//! written at once so the host can stream it.

use crate::inspect::{Intrinsics, render_args};
use crate::output;
use rquickjs::function::Rest;
use rquickjs::{Ctx, Function, Object, Value};
use std::cell::Cell;
use std::rc::Rc;

const LEVELS: [&str; 5] = ["log", "info", "warn", "error", "debug"];

/// Installs the `console` global. Messages longer than `budget` bytes (set
/// per execution) are cut; the host bounds the total.
pub fn install<'js>(ctx: &Ctx<'js>, js: &Intrinsics<'js>, budget: Rc<Cell<usize>>) -> rquickjs::Result<()> {
    let console = Object::new(ctx.clone())?;
    for level in LEVELS {
        let js = js.clone();
        let budget = budget.clone();
        let log = Function::new(ctx.clone(), move |args: Rest<Value<'js>>| {
            output::log(level, &render_args(&js, &args.0, budget.get()));
        })?
        .with_name(level)?;
        console.set(level, log)?;
    }
    ctx.globals().set("console", console)
}
