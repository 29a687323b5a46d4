use super::*;
use crate::program::parse::MAX_SOURCE;
use oxc_allocator::Allocator;
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;

/// Strips `source`, expecting success.
fn strip_ok(source: &str) -> Cow<'_, str> {
    strip_types(source).unwrap_or_else(|e| panic!("{source:?}: {e}"))
}

/// Checks each `(TypeScript, JavaScript)` pair, and that the output is valid
/// JavaScript with every token where it was.
fn cases(table: &[(&str, &str)]) {
    for &(source, expected) in table {
        let stripped = strip_ok(source);
        assert_eq!(stripped, expected, "stripping {source:?}");
        assert_same_positions(source, &stripped);
        assert!(parses_as_javascript(&stripped), "not JavaScript: {stripped:?}");
        assert_eq!(matches!(stripped, Cow::Borrowed(_)), source == expected, "borrowed iff unchanged: {source:?}");
    }
}

/// Same length, line breaks in place, and only blanks or separators written.
fn assert_same_positions(source: &str, stripped: &str) {
    assert_eq!(source.len(), stripped.len(), "{source:?} -> {stripped:?}");
    for (i, (a, b)) in source.bytes().zip(stripped.bytes()).enumerate() {
        let ok = a == b || (!matches!(a, b'\n' | b'\r') && matches!(b, b' ' | b';' | b')' | b'0' | b','));
        assert!(ok, "byte {i} of {source:?} -> {stripped:?}");
    }
}

/// Whether `js` parses as JavaScript in one of the guest's forms.
fn parses_as_javascript(js: &str) -> bool {
    let allocator = Allocator::default();
    let body = ParseOptions { allow_return_outside_function: true, ..ParseOptions::default() };
    let as_body = Parser::new(&allocator, js, SourceType::mjs()).with_options(body).parse();
    let wrapped = format!("(\n{js}\n)");
    let as_expression = Parser::new(&allocator, &wrapped, SourceType::cjs().with_script(true)).parse();
    as_body.diagnostics.errors().next().is_none() || as_expression.diagnostics.errors().next().is_none()
}

/// Expects an error at `line`:`column` whose message contains `needle`.
fn error(source: &str, line: u32, column: u32, needle: &str) {
    let e = strip_types(source).expect_err(source);
    assert_eq!((e.line, e.column), (line, column), "{source:?}: {e}");
    assert!(e.message.contains(needle), "{source:?}: {e}");
}

/// Type annotations on variables, parameters, returns, fields and catch clauses.
#[test]
fn annotations() {
    cases(&[
        ("let x: number = 1", "let x         = 1"),
        ("const [a, b]: [number, string] = t, c: C = d", "const [a, b]                   = t, c    = d"),
        ("function f(a: number, b?: string): void {}", "function f(a        , b         )       {}"),
        ("const f = (a: number = 1): string => String(a)", "const f = (a         = 1)         => String(a)"),
        ("class A { x: number = 1; static y: string }", "class A { x         = 1; static y         }"),
        ("try {} catch (e: unknown) {}", "try {} catch (e         ) {}"),
        ("function f(...rest: number[]) {}", "function f(...rest          ) {}"),
        ("const o = { m(a: T): U { return a } }", "const o = { m(a   )    { return a } }"),
        (
            "class A { get x(): number { return 1 } set x(v: number) {} }",
            "class A { get x()         { return 1 } set x(v        ) {} }",
        ),
        ("function isA(x): x is A { return true }", "function isA(x)         { return true }"),
        ("function f({ a }: T = {}) {}", "function f({ a }    = {}) {}"),
        ("let s: \"é\" = \"é\"", "let s       = \"é\""),
    ]);
}

/// Optional `?`, definite `!` and non-null `!` marks.
#[test]
fn markers() {
    cases(&[
        ("function f(a?, b?: number) {}", "function f(a , b         ) {}"),
        ("function f([a]?: T) {}", "function f([a]    ) {}"),
        ("let x!: number", "let x         "),
        ("class A { a?: number; b!: string; m?() {} }", "class A { a         ; b         ; m () {} }"),
        ("class A { [k]?: number; ['m']?() {} }", "class A { [k]         ; ['m'] () {} }"),
        ("x!", "x "),
        ("x!.y", "x .y"),
        ("a!?.b", "a ?.b"),
        ("x!!", "x  "),
        ("a! = 1", "a  = 1"),
    ]);
}

/// Interfaces, type aliases, `declare` statements and type-only namespaces.
#[test]
fn declarations() {
    cases(&[
        ("interface A { x: number }", "                         "),
        ("type A<T> = T[]", "               "),
        ("export interface A {}", "                     "),
        ("export type A = 1", "                 "),
        ("export default interface A {}", "                             "),
        ("declare const x: number", "                       "),
        ("declare function f(): void", "                          "),
        ("declare class A {}", "                  "),
        ("declare enum E { A }", "                    "),
        ("declare namespace N { const x: number }", "                                       "),
        ("declare module 'm' { export const x: number }", "                                             "),
        ("declare global { interface Window { a: 1 } }", "                                            "),
        ("export declare const x: number", "                              "),
        ("namespace N { export type A = 1 }", "                                 "),
        ("namespace N.M { export interface A {} }", "                                       "),
        ("module N { type A = 1 }", "                       "),
        ("export as namespace N", "                     "),
    ]);
}

/// Type-only imports and exports, whole or per specifier.
#[test]
fn modules() {
    cases(&[
        ("import type { A } from 'a'", "                          "),
        ("import type A from 'a'", "                      "),
        ("import type * as A from 'a'", "                           "),
        ("import { b, type A } from 'a'", "import { b,        } from 'a'"),
        ("import { type A, b } from 'a'", "import {         b } from 'a'"),
        ("import { type A, type B } from 'a'", "                                  "),
        ("import D, { type A } from 'a'", "import D, {        } from 'a'"),
        ("export type { A }", "                 "),
        ("export type { A } from 'a'", "                          "),
        ("export type * from 'a'", "                      "),
        ("export { type A, b }", "export {         b }"),
        ("export { b, type A as C } from 'a'", "export { b,             } from 'a'"),
        ("export { type A }", "                 "),
        ("import type X = require('x')", "                            "),
    ]);
}

/// Type parameters and arguments on functions, calls, classes, `new` and templates.
#[test]
fn generics() {
    cases(&[
        ("function f<T>(x: T): T { return x }", "function f   (x   )    { return x }"),
        ("f<string>('a')", "f        ('a')"),
        ("new Map<string, number>()", "new Map                ()"),
        ("new Set<string>", "new Set        "),
        ("class A<T> extends B<T> {}", "class A    extends B    {}"),
        ("const f = <T,>(x: T) => x", "const f =     (x   ) => x"),
        ("const g = f<string>", "const g = f        "),
        ("tag<T>`x`", "tag   `x`"),
        ("a?.b<T>()", "a?.b   ()"),
        ("f?.<T>()", "f?.   ()"),
        ("async <T>(x: T) => x", "async    (x   ) => x"),
        ("class A { m<T>(x: T) {} }", "class A { m   (x   ) {} }"),
    ]);
}

/// `as`, `satisfies` and `<T>x` casts.
#[test]
fn casts() {
    cases(&[
        ("x as T", "x     "),
        ("x satisfies T", "x            "),
        ("(x as any).y = 1", "(x       ).y = 1"),
        ("a = b as unknown as C", "a = b                "),
        ("<T>x", "   x"),
        ("<const>['a']", "       ['a']"),
        ("let v = <T>(x: T) => x", "let v =    (x   ) => x"),
        ("for (const x of y as T[]) {}", "for (const x of y       ) {}"),
        // Found by fuzzing: JavaScript that TypeScript would read as `a<b>` (an instantiation) then `/ re`.
        ("a<b><T>/re/", "a<b>   /re/"),
        ("const f = () => <T>x", "const f = () =>    x"),
        ("const f = () => <T>(<U>{})", "const f = () =>    (   {})"),
    ]);
}

/// A cast that starts a statement becomes `0,`: once blank, a `{`,
/// `function`, `class` or `let [` after it would start a block or a
/// declaration (found by fuzzing: `c: <T>{} <T`).
#[test]
fn a_cast_starting_a_statement_keeps_it_an_expression() {
    cases(&[
        ("c: <T>{} < T", "c: 0, {} < T"),
        ("<T>{}.x = 1;\nf()", "0, {}.x = 1;\nf()"),
        ("if (a) b; else<T>{}.c()", "if (a) b; else 0,{}.c()"),
        ("x;\n<T>function () {}", "x;\n0, function () {}"),
        ("x;\n<T>let[0] = 1", "x;\n0, let[0] = 1"),
        ("x;\n<A><B>{}.y", "x;\n0,    {}.y"),
        ("if (a) <T>(b)", "if (a) 0, (b)"),
    ]);
    // An object literal as an arrow function's body would become its block.
    error("const f = () => <T>{ a: 1 }", 1, 17, "would become the arrow function's block");
    error("const f = () => <T><U>{}", 1, 20, "would become the arrow function's block");
    error("const f = () => <T>{}.a || 1", 1, 17, "would become the arrow function's block");
    // After `export default`, a function or class with more after it would
    // end at its `}` (found by review).
    cases(&[
        ("export default <T>function () {}", "export default    function () {}"),
        ("export default <T>class {}", "export default    class {}"),
        ("export default <T>{ a: 1 }", "export default    { a: 1 }"),
        ("export default <T>async function () {}", "export default    async function () {}"),
    ]);
    error("export default <T>function (x) { return x }\n('arg')", 1, 16, "`export default` would read");
    error("export default <T>class { static x = 7 }.x", 1, 16, "`export default` would read");
    error("export default <A><B>async function () {}.call()", 1, 19, "`export default` would read");
}

/// `let` as a name followed by a type would become a declaration once the
/// type is blank (found by fuzzing: `d\nlet<T>`).
#[test]
fn let_as_a_name_before_a_type_is_refused() {
    error("d\nlet<T>\nx = 1", 2, 1, "`let` is used as a name");
    error("f(let!)", 1, 3, "`let` is used as a name");
    error("f(let as T)", 1, 3, "`let` is used as a name");
    cases(&[("(let)!\nx = 1", "(let) \nx = 1"), ("var let = 1; f(let)", "var let = 1; f(let)")]);
}

/// Class modifiers, `implements`, index signatures, `this` parameters and overloads.
#[test]
fn classes() {
    cases(&[
        (
            "abstract class A { abstract m(): void; abstract x: number }",
            "         class A {                                        }",
        ),
        ("export default abstract class {}", "export default          class {}"),
        ("@dec abstract class A {}", "@dec          class A {}"),
        (
            "class A { private x = 1; public static y = 2; protected readonly z = 3; override m() {} }",
            "class A {         x = 1;        static y = 2;                    z = 3;          m() {} }",
        ),
        ("class A { declare x: number }", "class A {                   }"),
        ("class A { private static async *m() {} }", "class A {         static async *m() {} }"),
        ("class A { readonly #x = 1 }", "class A {          #x = 1 }"),
        ("class A { public get x() { return 1 } }", "class A {        get x() { return 1 } }"),
        ("class A { private [k] = 1 }", "class A {         [k] = 1 }"),
        ("class A { @dec private x = 1 }", "class A { @dec         x = 1 }"),
        (
            "class A { accessor x: number = 1; abstract accessor y: number }",
            "class A { accessor x         = 1;                             }",
        ),
        ("class A implements B {}", "class A              {}"),
        ("class A extends B implements C, D<E> {}", "class A extends B                    {}"),
        ("const A = class implements B {}", "const A = class              {}"),
        ("class A<T> implements B<T> {}", "class A                    {}"),
        ("class A { [k: string]: unknown }", "class A {                      }"),
        ("class A { static [k: string]: unknown; x = 1 }", "class A {                              x = 1 }"),
        ("function f(this: W) {}", "function f(       ) {}"),
        ("const o = { m(this: O, a) {} }", "const o = { m(         a) {} }"),
        ("function f(a: string): void;\nfunction f(a: any) {}", "                            \nfunction f(a     ) {}"),
        ("export function f(): void;\nexport function f() {}", "                          \nexport function f() {}"),
        (
            "export default function f(): void;\nexport default function f() {}",
            "                                  \nexport default function f() {}",
        ),
        ("class A { m(): void;\n m() {} }", "class A {           \n m() {} }"),
        (
            "class A { constructor(a: string);\n constructor(a: any) {} }",
            "class A {                        \n constructor(a     ) {} }",
        ),
    ]);
}

/// Blanking must not join statements or members TypeScript kept apart, nor split a
/// `return` or an arrow from its value: `;`, `)` and `0,` keep the JavaScript meaning.
#[test]
fn asi() {
    cases(&[
        ("let x: T\n(foo)()", "let x;  \n(foo)()"),
        ("foo()\ntype A = 1\n(bar)()", "foo()\n;         \n(bar)()"),
        ("foo()\ninterface A {}\n[1].map(f)", "foo()\n;             \n[1].map(f)"),
        ("foo()\ndeclare const x: T\n`t`", "foo()\n;                 \n`t`"),
        ("type A = 1\n(foo)()", "          \n(foo)()"),
        ("foo();\ntype A = 1\n(bar)()", "foo();\n          \n(bar)()"),
        ("{ type A = 1\n(foo)() }", "{           \n(foo)() }"),
        ("x = y as T\n[1].forEach(f)", "x = y;    \n[1].forEach(f)"),
        ("let x = y as any as T\n`t`", "let x = y;           \n`t`"),
        ("x = y!\n(z)", "x = y \n(z)"),
        ("class A { a: T\n[k] = 1 }", "class A { a;  \n[k] = 1 }"),
        ("class A { a = 1\npublic [k] = 2 }", "class A { a = 1\n;      [k] = 2 }"),
        ("class A { get: T\nfoo() {} }", "class A { get;  \nfoo() {} }"),
        ("class A { a = 1\ndeclare b: T\n[k] = 2 }", "class A { a = 1\n;           \n[k] = 2 }"),
        ("const f = (a): Array<\n  number\n> => a", "const f = (a         \n        \n) => a"),
        ("const f = async (a)\n: T => a", "const f = async (a \n  ) => a"),
        ("return x as\n T", "return x   \n  "),
        ("return <T>\n x", "return 0, \n x"),
        ("throw <Error>\n e", "throw 0,     \n e"),
        ("return <T>\n(a: T) => a", "return 0, \n(a   ) => a"),
        ("return <A><B>\nx", "return 0,    \nx"),
        ("return<T>\nx", "return 0,\nx"),
        ("return (\n<T>x)", "return (\n   x)"),
    ]);
}

/// The program forms the guest runs, and sloppy JavaScript, pass through.
#[test]
fn forms() {
    cases(&[
        ("const x = await t.f(); return x", "const x = await t.f(); return x"),
        ("const x: number = await t.f(); return x", "const x         = await t.f(); return x"),
        (
            "async () => { const x: number = await t.f(); return x }",
            "async () => { const x         = await t.f(); return x }",
        ),
        (
            "export default async function() { const x: number = 1; return x }",
            "export default async function() { const x         = 1; return x }",
        ),
        ("async function (a: number) { return a }", "async function (a        ) { return a }"),
        ("async (a: number) => a; \n", "async (a        ) => a; \n"),
        ("cl< ssAaT> ", "cl         "),
        ("({ a: 1 } as Foo)", "({ a: 1 }       )"),
        ("{ a: 1, b: 2 }", "{ a: 1, b: 2 }"),
        ("with (o) { x }", "with (o) { x }"),
        ("var x = 010", "var x = 010"),
        ("function f(a, a) {}", "function f(a, a) {}"),
        ("x <!-- y", "x <!-- y"),
        ("import { a } from 'b'\nconst x: T = a", "import { a } from 'b'\nconst x    = a"),
        (
            "import type { A } from 'a'\nconst x: A = await f(); return x",
            "                          \nconst x    = await f(); return x",
        ),
    ]);
}
/// After blanking, the JavaScript has exactly the statements TypeScript saw.
#[test]
fn asi_keeps_statements_apart() {
    for (source, statements) in [
        ("foo()\ntype A = 1\n(bar)()", 2),
        ("let x: T\n(foo)()", 2),
        ("x = y as T\n[1].forEach(f)", 2),
        ("type A = 1\n(foo)()", 1),
        ("return <T>\n x", 1),
    ] {
        let stripped = strip_ok(source);
        let allocator = Allocator::default();
        let options = ParseOptions { allow_return_outside_function: true, ..ParseOptions::default() };
        let parsed = Parser::new(&allocator, &stripped, SourceType::mjs()).with_options(options).parse();
        assert_eq!(parsed.program.body.len(), statements, "{stripped:?}");
        if let Some(oxc_ast::ast::Statement::ReturnStatement(r)) = parsed.program.body.first() {
            assert!(r.argument.is_some(), "{stripped:?} returns nothing");
        }
    }
}

/// An expression program stays an expression (no `;` ahead of it), so the
/// guest still takes its value.
#[test]
fn expression_programs_stay_expressions() {
    for source in ["interface A {}\nasync () => 1", "async () => 1\ninterface A {}", "type A = 1\n(foo)()"] {
        let stripped = strip_ok(source);
        assert!(!stripped.contains(';'), "{stripped:?}");
    }
}

/// Syntax that TypeScript gives runtime meaning is refused, where it is.
#[test]
fn non_erasable_syntax_is_refused() {
    error("enum E { A }", 1, 1, "`enum` is not erasable TypeScript");
    error("let a = 1\n  const enum E { A }", 2, 3, "const object");
    error("export enum E { A }", 1, 8, "`enum`");
    error("namespace N { export const a = 1 }", 1, 1, "`namespace`");
    error("class A {\n  constructor(private x: number) {}\n}", 2, 15, "parameter property");
    error("class A { constructor(readonly x) {} }", 1, 23, "parameter property");
    error("class A { constructor(@inject y) {} }", 1, 23, "parameter decorator");
    error("class A { m(a, @d() b: number) {} }", 1, 16, "parameter decorator");
    error("import fs = require('fs')", 1, 1, "`import ... =`");
    error("export import x = N.y", 1, 8, "`import ... =`");
    error("export = x", 1, 1, "`export =`");
    error("function* g() { yield <T>\n x }", 1, 23, "`yield`");
    error("return<\nT>\nx", 1, 7, "later line");
    error("function f() { enum E { A } }", 1, 16, "`enum`");
}

/// A type-only statement that is the body of an `if`, a loop or a label
/// becomes an empty statement, so the next statement stays where it was.
#[test]
fn a_type_only_body_stays_a_statement() {
    cases(&[
        ("if (a) function f(a: string): void\nreturn 4", "if (a) ;                          \nreturn 4"),
        ("l: function id<T>(v: T): T", "l: ;                      "),
        ("while (a)\n  function g(): void\nx", "while (a)\n  ;                 \nx"),
        ("if (a) {} else function f(): void\nx", "if (a) {} else ;                 \nx"),
    ]);
}

/// Syntax errors carry oxc's message, at the line and byte column of the source.
#[test]
fn syntax_errors_point_at_the_source() {
    error("let x: = 1", 1, 8, "Unexpected token");
    error("const a = 1\nlet x: = 2", 2, 8, "Unexpected token");
    error("const a = 1\r\nlet x: = 2", 2, 8, "Unexpected token");
    error("const é = 'ü'; let x: = 1", 1, 25, "Unexpected token");
    error("const s = \"😀\"; let x: = 1", 1, 26, "Unexpected token");
    error("async function () { let x = ; }", 1, 29, "Unexpected token");
    error("module 'x' {}", 1, 8, "quoted names");
    error("const x = (1", 1, 13, "`)`");
    error("let x: = 1; 'unterminated", 1, 8, "Unexpected token");
    // What TypeScript leaves to its checker: a second default export, but
    // not an interface or an overload signature sharing the default.
    error("export default 1;\nexport default 2;", 2, 1, "multiple default exports");
    error("export default function f() {}\nexport default class A {}", 2, 1, "multiple default exports");
    assert_eq!(
        strip_ok("export default interface A {}\nexport default 1;"),
        "                             \nexport default 1;"
    );
    assert!(strip_types("export default function f(a: string): void;\nexport default function f(a) {}").is_ok());
    error("export const a: number = 1;\nexport { a };", 2, 10, "Duplicated export 'a'");
    error("export let { x, y: [a] }: T = o;\nexport function a() {}", 2, 17, "Duplicated export 'a'");
    error("const a = 1;\nexport { a as default };\nexport default a;", 3, 1, "multiple default exports");
    error("export * as ns from 'm';\nexport const ns = 1;", 2, 14, "Duplicated export 'ns'");
    assert!(strip_types("export type A = 1;\nexport const A = 1;\nexport { type A as B, A as C };").is_ok());
    assert!(strip_types("export function f(a: string): void;\nexport function f(a) {}").is_ok());
    let e = strip_types("let x: = 1").unwrap_err();
    assert_eq!(e.to_string(), format!("line 1, column 8: {}", e.message));
}

/// An unexpected token is named: a word whole, any other token by its first
/// character, the end of the input as such.
#[test]
fn unexpected_tokens_are_named() {
    let message = |source: &str| strip_types(source).unwrap_err().message;
    assert_eq!(message("let x = ;"), r#"Unexpected token ";""#);
    assert_eq!(message("let x: = 1"), r#"Unexpected token "=""#);
    assert_eq!(message("let x = if;"), r#"Unexpected token "if""#);
    assert_eq!(message("let é = ü.(;"), r#"Unexpected token "(""#);
    assert_eq!(message("let x ="), "Unexpected end of input");
}

/// Line endings, a byte order mark and multi-byte characters keep their places.
#[test]
fn unicode_and_line_endings() {
    cases(&[
        ("\u{feff}let x: number = 1", "\u{feff}let x         = 1"),
        ("a\r\nlet x: number\r\n(b)", "a\r\nlet x;       \r\n(b)"),
        ("let s: 'é\u{2028}😀' = '😀'", "let s              = '😀'"),
        ("let x: /* é */ T = 1 // ü", "let x             = 1 // ü"),
        ("const ü = 1 as Ü; ü", "const ü = 1      ; ü"),
    ]);
}

/// Plain JavaScript comes back borrowed.
#[test]
fn javascript_is_borrowed() {
    for source in ["", " ", "\n", "x", "const x = await t.f(); return x", "a < b > c", "f(a < b, c > d)", "x ? (y) : z"]
    {
        assert!(matches!(strip_ok(source), Cow::Borrowed(s) if s == source), "{source:?}");
    }
}

/// No input panics or overflows the stack; whatever comes back keeps positions.
#[test]
fn garbage_never_panics() {
    let mut inputs: Vec<String> = [
        "\0",
        "((((",
        "))))",
        "<<<<",
        ">>>>",
        "/*",
        "//",
        "`",
        "'",
        "\"",
        "`${",
        "@",
        "#!",
        "\u{feff}",
        "\u{2028}",
        "?.!:",
        "<T>",
        "x as",
        "type",
        "interface",
        "enum",
        "declare",
        "abstract",
        "class A implements",
        "let x!:",
        "function f(this",
        "import type",
        "export type {",
        "a\u{0}b: c",
        "😀: 😀",
        "<!--",
        "-->",
        "x => {",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let tokens = [
        "x",
        ":",
        "?",
        "!",
        "<",
        ">",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "=>",
        "as",
        "type",
        "interface",
        "class",
        "=",
        ";",
        ",",
        "\n",
        "return",
        "T",
        "'s'",
        "`t`",
        "/",
        "implements",
        "declare",
        "abstract",
        "private",
        "é",
        ".",
        "await",
        "async",
        "function",
        "import",
        "export",
        "enum",
        "namespace",
        "satisfies",
        "this",
        "readonly",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..1500 {
        let n = next() % 24;
        inputs.push((0..n).map(|_| tokens[(next() % tokens.len() as u64) as usize]).collect::<Vec<_>>().join(" "));
        let bytes: Vec<u8> = (0..next() % 40).map(|_| next() as u8).collect();
        inputs.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    for source in &inputs {
        match strip_types(source) {
            Ok(stripped) => assert_same_positions(source, &stripped),
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1 && !e.message.is_empty(), "{source:?}: {e:?}");
                assert!(e.line as usize <= source.lines().count().max(1) + 1, "{source:?}: {e:?}");
            }
        }
    }
}

/// A source that closes the expression form's parenthesis itself is not an
/// expression: `a), (b` would run as `(a), (b)`.
#[test]
fn the_expression_wrapper_cannot_be_closed_from_inside() {
    for source in ["a), (b", "o<U><T>Ane)//{ x:r }\nfunction id<T>(v: T", "1)\n;(2"] {
        assert!(strip_types(source).is_err(), "{source:?}");
    }
    assert_eq!(strip_ok("(a), (b)"), "(a), (b)");
}

/// A panic in oxc (here slicing past the end of an import name's escape)
/// is the program's syntax error, not the host's crash.
#[test]
fn a_parser_panic_is_an_internal_error() {
    let error = strip_types("import type { 'a\\\\u3a' } from 'x';").unwrap_err();
    assert_eq!((error.message.as_str(), error.line, error.column), ("internal error while parsing the program", 1, 1));
}

/// Deep nesting is parsed on a stack sized for it, and huge sources are refused.
#[test]
fn deep_nesting_and_size() {
    let deep = format!("x = {}1{}", "{a:".repeat(20_000), "}".repeat(20_000));
    assert!(matches!(strip_ok(&deep), Cow::Borrowed(_)));
    let deep = format!("let a: {}1{}", "{a:".repeat(20_000), "}".repeat(20_000));
    assert!(matches!(strip_ok(&deep), Cow::Owned(_)));
    // Parentheses and brackets are bounded before parsing (program/nesting.rs).
    for (open, close) in [("(", ")"), ("[", "]"), ("([", "])")] {
        let nested = format!("{}x{}", open.repeat(20_000), close.repeat(20_000));
        let e = strip_types(&nested).unwrap_err();
        assert!(e.message.contains("opens more than 10") && (e.line, e.column) == (1, 11), "{e:?}");
    }
    assert!(strip_types(&"(".repeat(100_000)).is_err());
    assert!(strip_types(&format!("let a: {}", "[".repeat(50_000))).is_err());
    assert_eq!(strip_ok(&format!("{}x as T", "!".repeat(100_000))).len(), 100_006);
    let e = strip_types(&"x".repeat(MAX_SOURCE + 1)).unwrap_err();
    assert!(e.message.contains("too large"), "{e}");
}
