//! The vendored QuickJS-ng's changes (third_party/README.md) keep every
//! observable behaviour: the promise combinators (`Promise.all`,
//! `allSettled`, `any`, `race`), which react to built-in promises without
//! the derived promise `then` would make, and new functions, whose `length`
//! and `name` are added without the generic property definition. Each
//! expected value is what V8 (Node 20) gives for the same program.

use crate::support::value;

/// what the case checks, program, expected value as JSON
type Case = (&'static str, &'static str, &'static str);

/// Runs each case's program after `prelude` and compares its value.
async fn check(prelude: &str, cases: &[Case]) {
    for &(what, source, expected) in cases {
        let expected: serde_json::Value = serde_json::from_str(expected).expect("the expected value is JSON");
        assert_eq!(value(&format!("{prelude}\n{source}")).await, expected, "{what}");
    }
}

const COMBINATORS: &[Case] = &[
    (
        "combinators settle at the same microtask as in the spec",
        r#"const log = [];
        const chain = () => Promise.resolve().then(() => log.push('t1')).then(() => log.push('t2'))
          .then(() => log.push('t3')).then(() => log.push('t4'));
        chain();
        Promise.all([Promise.resolve(1), 2]).then((v) => log.push('all:' + v));
        Promise.allSettled([Promise.reject(1), 2]).then((v) => log.push('allSettled:' + v.map((r) => r.status)));
        Promise.any([Promise.reject(1), Promise.resolve(2)]).then((v) => log.push('any:' + v));
        Promise.race([new Promise(() => {}), Promise.resolve(3)]).then((v) => log.push('race:' + v));
        Promise.all([Promise.reject(new Error('no')), 1]).catch((e) => log.push('allRejected:' + e.message));
        Promise.any([Promise.reject(1), Promise.reject(2)])
          .catch((e) => log.push('anyRejected:' + e.constructor.name + ':' + e.errors));
        for (let i = 0; i < 20; i++) await null;
        return log;"#,
        r#"["t1","t2","all:1,2","allSettled:rejected,fulfilled","any:2","race:3","allRejected:no",
            "anyRejected:AggregateError:1,2","t3","t4"]"#,
    ),
    (
        "a Symbol.species of Promise's own still gets its derived promises",
        r#"let made = 0;
        class Counted extends Promise { constructor(executor) { made++; super(executor); } }
        const saved = Object.getOwnPropertyDescriptor(Promise, Symbol.species);
        Object.defineProperty(Promise, Symbol.species, { configurable: true, get() { return Counted; } });
        const v = await Promise.all([Promise.resolve(1), Promise.resolve(2), 3]);
        const r = await Promise.race([Promise.resolve(4)]);
        Object.defineProperty(Promise, Symbol.species, saved);
        return [v, r, made];"#,
        "[[1,2,3],4,4]",
    ),
    (
        "a subclass's combinators construct the subclass as the spec says",
        r#"let made = 0;
        class Sub extends Promise { constructor(executor) { made++; super(executor); } }
        const all = Sub.all([1, Promise.resolve(2)]);
        const settled = Sub.allSettled([1]);
        return [all instanceof Sub, settled instanceof Sub, await all, made];"#,
        "[true,true,[1,2],9]",
    ),
    (
        "an element's `constructor` is read twice, by resolve and by then",
        r#"let reads = 0;
        const p = Promise.resolve('x');
        Object.defineProperty(p, 'constructor', { get() { reads++; return Promise; } });
        const v = await Promise.all([p]);
        const afterAll = reads;
        await Promise.race([p]);
        return [v, afterAll, reads];"#,
        r#"[["x"],2,4]"#,
    ),
    (
        "a replaced Promise.prototype.then is called for every element",
        r#"const original = Promise.prototype.then;
        let calls = 0;
        Promise.prototype.then = function (f, r) { calls++; return original.call(this, f, r); };
        const v = await Promise.all([1, Promise.resolve(2)]);
        const any = await Promise.any([Promise.reject(0), 5]);
        Promise.prototype.then = original;
        return [v, any, calls];"#,
        "[[1,2],5,4]",
    ),
    (
        "an element's own `then` is called with the combinator's functions",
        r#"const p = Promise.resolve(1);
        const seen = [];
        p.then = function (f, r) {
          seen.push(typeof f, typeof r);
          return Promise.prototype.then.call(this, (v) => f(v * 10), r);
        };
        return [await Promise.all([p, 2]), await Promise.race([p]), seen];"#,
        r#"[[10,2],10,["function","function","function","function"]]"#,
    ),
    (
        "a `then` getter that throws rejects the combinator",
        r#"const p = Promise.resolve(1);
        Object.defineProperty(p, 'then', { get() { throw new Error('no then'); } });
        try { await Promise.all([p]); return 'resolved'; } catch (e) { return e.message; }"#,
        r#""no then""#,
    ),
    (
        "a Symbol.species getter that throws rejects every combinator",
        r#"const saved = Object.getOwnPropertyDescriptor(Promise, Symbol.species);
        Object.defineProperty(Promise, Symbol.species, { configurable: true, get() { throw new Error('no species'); } });
        const results = [];
        for (const combinator of ['all', 'allSettled', 'any', 'race']) {
          try { await Promise[combinator]([Promise.resolve(0)]); results.push('resolved'); }
          catch (e) { results.push(e.message); }
        }
        Object.defineProperty(Promise, Symbol.species, saved);
        return results;"#,
        r#"["no species","no species","no species","no species"]"#,
    ),
];

#[tokio::test]
async fn combinators_behave_as_the_spec_says() {
    check("", COMBINATORS).await;
}

/// Own properties of a function, each as `key:value:writable,enumerable,configurable`.
const DESCRIBE: &str = "const describe = (f) => Object.getOwnPropertyNames(f).map((k) => {
      const d = Object.getOwnPropertyDescriptor(f, k);
      return `${k}:${typeof d.value === 'object' ? 'object' : String(d.value)}:${d.writable},${d.enumerable},${d.configurable}`;
    });";

const FUNCTIONS: &[Case] = &[
    (
        "closures, methods, classes and generators",
        r#"const arrow = (a, b) => a;
        class K { constructor(a) {} m(b, c) {} }
        return [describe(arrow), describe(async function load(x, y, z) {}), describe(K), describe(K.prototype.m),
          describe(async () => {}), describe(function* gen(q) {})];"#,
        r#"[["length:2:false,false,true","name:arrow:false,false,true"],
            ["length:3:false,false,true","name:load:false,false,true"],
            ["length:1:false,false,true","name:K:false,false,true","prototype:object:false,false,false"],
            ["length:2:false,false,true","name:m:false,false,true"],
            ["length:0:false,false,true","name::false,false,true"],
            ["length:1:false,false,true","name:gen:false,false,true","prototype:object:true,false,false"]]"#,
    ),
    (
        "built-in, bound and promise resolving functions",
        r#"let resolve;
        new Promise((r) => { resolve = r; });
        return [describe(Math.max), describe(((a, b) => a).bind(null, 1)), describe(resolve)];"#,
        r#"[["length:2:false,false,true","name:max:false,false,true"],
            ["length:1:false,false,true","name:bound :false,false,true"],
            ["length:1:false,false,true","name::false,false,true"]]"#,
    ),
    (
        "the properties stay configurable",
        r#"const f = () => {};
        delete f.name;
        Object.defineProperty(f, 'length', { value: 9 });
        return [describe(f), f.name, f.length];"#,
        r#"[["length:9:false,false,true"],"",9]"#,
    ),
];

#[tokio::test]
async fn new_functions_have_length_and_name_as_the_spec_says() {
    check(DESCRIBE, FUNCTIONS).await;
}

/// `JSON.stringify` skips its search for cycles while no object is on its
/// stack twice over (it used to search every level above each one).
const JSON_CYCLES: &[Case] = &[
    (
        "a cycle is still found",
        "const a = { n: 1 }; a.b = { c: [a] };\ntry { JSON.stringify(a); } catch (e) { return e.constructor.name; }",
        r#""TypeError""#,
    ),
    (
        "the same object twice, side by side, is no cycle",
        "const s = { v: 1 };\nreturn JSON.stringify({ a: s, b: [s, s] });",
        r#""{\"a\":{\"v\":1},\"b\":[{\"v\":1},{\"v\":1}]}""#,
    ),
    (
        "a toJSON that stringifies an object of the outer call",
        "const s = { v: 1 };\nconst o = { s, t: { toJSON() { return JSON.stringify(s); } } };\nreturn JSON.stringify(o);",
        r#""{\"s\":{\"v\":1},\"t\":\"{\\\"v\\\":1}\"}""#,
    ),
    (
        "a cycle found after an earlier stringify threw",
        "let v = {};\nfor (let i = 0; i < 100000; i++) v = { v };\nconst top = { v };\ntry { JSON.stringify(top); } catch {}\ntop.v = top;\ntry { JSON.stringify(top); } catch (e) { return e.constructor.name; }",
        r#""TypeError""#,
    ),
];

#[tokio::test]
async fn json_stringify_finds_cycles_as_the_spec_says() {
    check("", JSON_CYCLES).await;
}
