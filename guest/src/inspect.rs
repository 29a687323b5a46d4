//! Renders JavaScript values as text for console output and error messages,
//! the way a developer expects to read them: strings raw at the top level,
//! everything else as JSON-like text (`{ id: 1, tags: [ "a" ] }`).
//!
//! It never calls the program's own `toString`, `toJSON` or `inspect`
//! methods, so a hostile value cannot make rendering loop or lie. Output is
//! bounded (items per container, depth, total characters).

use rquickjs::function::This;
use rquickjs::{Coerced, Ctx, Function, Object, Value};

/// Built-ins captured before the program runs, so that rendering uses the
/// originals whatever the program does to the globals.
#[derive(Clone)]
pub struct Intrinsics<'js> {
    get_own_property_descriptor: Function<'js>,
    /// `Error.prototype.stack` is an accessor in QuickJS-ng.
    stack_getter: Option<Function<'js>>,
    /// `String.prototype.toWellFormed`, for strings with lone surrogates.
    to_well_formed: Function<'js>,
}

impl<'js> Intrinsics<'js> {
    /// Captures the built-ins from a fresh context.
    pub fn capture(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        let object: Object = ctx.globals().get("Object")?;
        let get_own_property_descriptor: Function = object.get("getOwnPropertyDescriptor")?;
        let error_prototype: Object = ctx.globals().get::<_, Object>("Error")?.get("prototype")?;
        let stack: Value = get_own_property_descriptor.call((error_prototype, "stack"))?;
        let stack_getter = stack.as_object().and_then(|d| d.get::<_, Function>("get").ok());
        let string_prototype: Object = ctx.globals().get::<_, Object>("String")?.get("prototype")?;
        let to_well_formed = string_prototype.get("toWellFormed")?;
        Ok(Self { get_own_property_descriptor, stack_getter, to_well_formed })
    }

    /// A JavaScript string as Rust text. Lone UTF-16 surrogates, which Rust
    /// strings cannot hold, become U+FFFD instead of losing the string.
    pub fn string(&self, s: &rquickjs::String<'js>) -> String {
        if let Ok(text) = s.to_string() {
            return text;
        }
        let well_formed: rquickjs::Result<rquickjs::String> = self.to_well_formed.call((This(s.clone()),));
        match well_formed.and_then(|w| w.to_string()) {
            Ok(text) => text,
            Err(_) => {
                let _ = s.ctx().catch();
                String::new()
            }
        }
    }

    /// The stack trace of an error: a data property if the program set one,
    /// else the engine's own accessor, captured before the program ran.
    pub fn stack(&self, error: &Value<'js>) -> Option<String> {
        if let Some(stack) = self.own_string(error, "stack") {
            return Some(stack);
        }
        let stack: Value = match self.stack_getter.as_ref()?.call((This(error.clone()),)) {
            Ok(stack) => stack,
            Err(_) => {
                let _ = error.ctx().catch();
                return None;
            }
        };
        Some(self.string(stack.as_string()?))
    }

    /// A property, looked up the way the engine does but without running
    /// getters or proxy traps: only data properties count.
    pub fn own_value(&self, v: &Value<'js>, key: &str) -> Option<Value<'js>> {
        let mut obj = v.as_object()?.clone();
        for _ in 0..32 {
            match self.own_property(&obj, key) {
                Property::Data(value) => return Some(value),
                Property::Accessor | Property::Proxy => return None,
                Property::Missing => obj = obj.get_prototype()?,
            }
        }
        None
    }

    /// A string-valued property, read as [`Self::own_value`] does.
    pub fn own_string(&self, v: &Value<'js>, key: &str) -> Option<String> {
        Some(self.string(self.own_value(v, key)?.as_string()?))
    }

    /// An own property of `obj`, read without running program code.
    fn own_property(&self, obj: &Object<'js>, key: &str) -> Property<'js> {
        if obj.as_value().is_proxy() {
            return Property::Proxy;
        }
        let desc: Value = match self.get_own_property_descriptor.call((obj.clone(), key)) {
            Ok(desc) => desc,
            Err(_) => {
                let _ = obj.ctx().catch();
                return Property::Missing;
            }
        };
        let Some(desc) = desc.as_object() else { return Property::Missing };
        match desc.contains_key("value") {
            Ok(true) => desc.get("value").map_or(Property::Missing, Property::Data),
            _ => Property::Accessor,
        }
    }

    /// `Name: message` of an error object, from data properties only.
    pub fn error_text(&self, v: &Value<'js>) -> String {
        let name = self.own_string(v, "name").unwrap_or_else(|| "Error".into());
        match self.own_string(v, "message") {
            Some(m) if !m.is_empty() => format!("{name}: {m}"),
            _ => name,
        }
    }
}

const MAX_DEPTH: usize = 4;
const MAX_ITEMS: usize = 100;

/// An own property as seen without running program code.
enum Property<'js> {
    Missing,
    Data(Value<'js>),
    Accessor,
    Proxy,
}

/// Renders console arguments: joined by spaces, top-level strings raw.
pub fn render_args<'js>(js: &Intrinsics<'js>, args: &[Value<'js>], budget: usize) -> String {
    let mut out = Renderer { js, text: String::new(), budget, ancestors: Vec::new() };
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(" ");
        }
        match arg.as_string() {
            Some(s) => out.push(&js.string(s)),
            None => out.value(arg, 0),
        }
    }
    out.text
}

/// Renders one value (strings quoted), for messages about thrown values.
pub fn render<'js>(js: &Intrinsics<'js>, value: &Value<'js>, budget: usize) -> String {
    let mut out = Renderer { js, text: String::new(), budget, ancestors: Vec::new() };
    out.value(value, 0);
    out.text
}

struct Renderer<'a, 'js> {
    js: &'a Intrinsics<'js>,
    text: String,
    budget: usize,
    ancestors: Vec<Object<'js>>,
}

impl<'js> Renderer<'_, 'js> {
    fn full(&self) -> bool {
        self.text.len() >= self.budget
    }

    fn push(&mut self, s: &str) {
        if self.full() {
            return;
        }
        let room = self.budget - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
        } else {
            let cut = (0..=room).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
            self.text.push_str(&s[..cut]);
            self.text.push('…');
        }
    }

    fn value(&mut self, v: &Value<'js>, depth: usize) {
        if self.full() {
            return;
        }
        if let Some(s) = v.as_string() {
            let s = self.js.string(s);
            self.push(&serde_json::to_string(&s).unwrap_or_default());
        } else if v.is_undefined() {
            self.push("undefined");
        } else if v.is_number() || v.is_bool() || v.is_null() {
            // Primitive-to-string in the engine runs no program code.
            let s = v.get::<Coerced<String>>().map(|c| c.0).unwrap_or_default();
            self.push(&s);
        } else if v.is_big_int() {
            let s = v.get::<Coerced<String>>().map(|c| c.0).unwrap_or_default();
            self.push(&s);
            self.push("n");
        } else if v.is_symbol() {
            self.push("Symbol()");
        } else if v.is_function() {
            let name = self.js.own_string(v, "name").filter(|n| !n.is_empty());
            self.push(&format!("[Function: {}]", name.as_deref().unwrap_or("(anonymous)")));
        } else if v.is_error() {
            self.push(&self.js.error_text(v));
        } else if let Some(obj) = v.as_object() {
            self.object(obj, v.is_array(), depth);
        } else {
            self.push(v.type_name());
        }
    }

    fn object(&mut self, obj: &Object<'js>, is_array: bool, depth: usize) {
        if obj.as_value().is_proxy() {
            return self.push("[Proxy]");
        }
        if self.ancestors.iter().any(|a| a.as_value() == obj.as_value()) {
            return self.push("[Circular]");
        }
        if depth >= MAX_DEPTH {
            return self.push(if is_array { "[Array]" } else { "[Object]" });
        }
        let keys: Vec<String> = obj.keys::<String>().take(MAX_ITEMS + 1).filter_map(Result::ok).collect();
        if keys.is_empty() {
            return self.push(if is_array { "[]" } else { "{}" });
        }
        self.ancestors.push(obj.clone());
        self.push(if is_array { "[ " } else { "{ " });
        for (i, key) in keys.iter().take(MAX_ITEMS).enumerate() {
            if i > 0 {
                self.push(", ");
            }
            if !is_array {
                self.push(&render_key(key));
                self.push(": ");
            }
            match self.js.own_property(obj, key) {
                Property::Data(item) => self.value(&item, depth + 1),
                Property::Accessor => self.push("[Getter/Setter]"),
                Property::Proxy | Property::Missing => self.push("undefined"),
            }
        }
        if keys.len() > MAX_ITEMS {
            self.push(", …");
        }
        self.push(if is_array { " ]" } else { " }" });
        self.ancestors.pop();
    }
}

fn render_key(key: &str) -> String {
    let ident = key.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if ident { key.to_owned() } else { serde_json::to_string(key).unwrap_or_default() }
}
