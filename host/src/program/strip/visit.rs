//! The walk over the parsed program that decides what is type-only: each
//! `visit_*` method blanks a TypeScript construct (or refuses one that has
//! runtime meaning) and leaves the JavaScript around it untouched.

use oxc_allocator::Vec as ArenaVec;
use oxc_ast::ast::*;
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;

use super::blank::{Blanker, Head};

impl<'a> Visit<'a> for Blanker<'_> {
    fn visit_statements(&mut self, it: &ArenaVec<'a, Statement<'a>>) {
        if it.len() > 1 {
            self.lists.push((false, it.iter().map(|s| (s.span().start, s.span().end)).collect()));
        }
        for statement in it {
            self.listed = true;
            self.visit_statement(statement);
        }
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        let listed = std::mem::take(&mut self.listed);
        if self.statement_is_type(it) {
            let (start, end) = (it.span().start, it.span().end);
            self.blank(start, end);
            // The body of an `if`, a loop or a label stays a statement, or
            // the next one would become the body.
            if let Some(at) = self.plain_byte(start, end).filter(|_| !listed) {
                self.puts.insert(at, b';');
            }
            return;
        }
        self.exports(it);
        walk::walk_statement(self, it);
    }

    fn visit_import_specifier(&mut self, it: &ImportSpecifier<'a>) {
        if it.import_kind.is_type() {
            self.blank_with_comma(it.span.start, it.span.end);
        }
    }

    fn visit_export_specifier(&mut self, it: &ExportSpecifier<'a>) {
        if it.export_kind.is_type() {
            self.blank_with_comma(it.span.start, it.span.end);
        }
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let head = it.decorators.last().map_or(it.span.start, |d| d.span.end);
        if it.r#abstract {
            let rest = self.text.get(head as usize..).unwrap_or_default();
            let class_keyword = rest.find("class").map_or(head, |i| head + i as u32);
            self.blank_modifiers(head, class_keyword);
        }
        if let (Some(first), Some(last)) = (it.implements.first(), it.implements.last()) {
            let after = [
                it.id.as_ref().map(|id| id.span.end),
                it.type_parameters.as_ref().map(|t| t.span.end),
                it.heritage.as_ref().map(|h| h.expression.span().end),
                it.heritage.as_ref().and_then(|h| h.type_arguments.as_ref()).map(|t| t.span.end),
            ];
            let mut at = after.into_iter().flatten().max().unwrap_or(head);
            let mut keyword = first.span.start;
            while let Some((start, end)) = self.next_word(at).filter(|w| w.0 < first.span.start) {
                if self.text.get(start as usize..end as usize) == Some("implements") {
                    keyword = start;
                    break;
                }
                at = end;
            }
            self.blank(keyword, last.span.end);
        }
        walk::walk_class(self, it);
    }

    fn visit_class_body(&mut self, it: &ClassBody<'a>) {
        if it.body.len() > 1 {
            self.lists.push((true, it.body.iter().map(|m| (m.span().start, m.span().end)).collect()));
        }
        walk::walk_class_body(self, it);
    }

    fn visit_class_element(&mut self, it: &ClassElement<'a>) {
        let span = it.span();
        let (decorators, key) = match it {
            ClassElement::TSIndexSignature(_) => return self.blank(span.start, span.end),
            ClassElement::MethodDefinition(m) if m.r#type.is_abstract() || m.value.body.is_none() => {
                return self.blank(span.start, span.end);
            }
            ClassElement::PropertyDefinition(p) if p.declare || p.r#type.is_abstract() => {
                return self.blank(span.start, span.end);
            }
            ClassElement::AccessorProperty(a) if a.r#type.is_abstract() => return self.blank(span.start, span.end),
            ClassElement::MethodDefinition(m) => {
                if m.optional {
                    self.blank_marker(m.key.span().end, m.computed, b'?');
                }
                (&m.decorators, m.key.span().start)
            }
            ClassElement::PropertyDefinition(p) => {
                if p.optional || p.definite {
                    self.blank_marker(p.key.span().end, p.computed, if p.optional { b'?' } else { b'!' });
                }
                (&p.decorators, p.key.span().start)
            }
            ClassElement::AccessorProperty(a) => {
                if a.definite {
                    self.blank_marker(a.key.span().end, a.computed, b'!');
                }
                (&a.decorators, a.key.span().start)
            }
            ClassElement::StaticBlock(_) => return walk::walk_class_element(self, it),
        };
        self.blank_modifiers(decorators.last().map_or(span.start, |d| d.span.end), key);
        walk::walk_class_element(self, it);
    }

    fn visit_ts_class_implements(&mut self, _: &TSClassImplements<'a>) {}

    fn visit_formal_parameter(&mut self, it: &FormalParameter<'a>) {
        // JavaScript's decorators stop at class members: one on a parameter
        // is TypeScript's experimental kind, which calls the decorator.
        if let Some(decorator) = it.decorators.first() {
            self.fail(
                decorator.span.start,
                "a parameter decorator (`constructor(@inject x)`)",
                "call what the decorator does on the parameter in the function's body",
            );
        }
        if it.accessibility.is_some() || it.readonly || it.r#override {
            self.fail(
                it.span.start,
                "a parameter property (`constructor(private x: T)`)",
                "declare the field in the class body and assign it in the constructor",
            );
        }
        if it.optional {
            self.blank_marker(it.pattern.span().end, false, b'?');
        }
        walk::walk_formal_parameter(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if it.definite {
            self.blank_marker(it.id.span().end, false, b'!');
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_ts_this_parameter(&mut self, it: &TSThisParameter<'a>) {
        self.blank_with_comma(it.span.start, it.span.end);
    }

    fn visit_expression_statement(&mut self, it: &ExpressionStatement<'a>) {
        self.heads.insert(it.span.start, Head::Statement);
        walk::walk_expression_statement(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        if let Some(expression) = it.declaration.as_expression() {
            self.heads.insert(expression.span().start, Head::ExportDefault);
        }
        walk::walk_export_default_declaration(self, it);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        if let Some(body) = it.body.as_expression() {
            self.heads.insert(body.span().start, Head::ArrowBody);
        }
        walk::walk_arrow_function_expression(self, it);
        // `=>` may not start a line: a return type spanning lines would leave it
        // alone there, so move the `)` of the parameters to the end of the type.
        if let Some(returns) = &it.return_type {
            let close = it.params.span.end.saturating_sub(1);
            if self.byte(close) == b')' && self.breaks_line(close, returns.span.end) {
                self.blank(close, returns.span.end);
                self.puts.insert(returns.span.end - 1, b')');
            }
        }
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        if let Some(argument) = &it.argument {
            self.restricted.push((it.span.start + "return".len() as u32, argument.span().start, true));
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_throw_statement(&mut self, it: &ThrowStatement<'a>) {
        self.restricted.push((it.span.start + "throw".len() as u32, it.argument.span().start, true));
        walk::walk_throw_statement(self, it);
    }

    fn visit_yield_expression(&mut self, it: &YieldExpression<'a>) {
        if let (Some(argument), false) = (&it.argument, it.delegate) {
            self.restricted.push((it.span.start + "yield".len() as u32, argument.span().start, false));
        }
        walk::walk_yield_expression(self, it);
    }

    fn visit_ts_type_annotation(&mut self, it: &TSTypeAnnotation<'a>) {
        self.blank(it.span.start, it.span.end);
    }

    fn visit_ts_type_parameter_declaration(&mut self, it: &TSTypeParameterDeclaration<'a>) {
        self.blank(it.span.start, it.span.end);
    }

    fn visit_ts_type_parameter_instantiation(&mut self, it: &TSTypeParameterInstantiation<'a>) {
        self.blank(it.span.start, it.span.end);
    }

    fn visit_ts_type(&mut self, _: &TSType<'a>) {}

    fn visit_ts_as_expression(&mut self, it: &TSAsExpression<'a>) {
        self.blank_after(&it.expression, it.span.end);
    }

    fn visit_ts_satisfies_expression(&mut self, it: &TSSatisfiesExpression<'a>) {
        self.blank_after(&it.expression, it.span.end);
    }

    fn visit_ts_non_null_expression(&mut self, it: &TSNonNullExpression<'a>) {
        self.blank_after(&it.expression, it.span.end);
    }

    fn visit_ts_instantiation_expression(&mut self, it: &TSInstantiationExpression<'a>) {
        self.blank_after(&it.expression, it.span.end);
    }

    fn visit_ts_type_assertion(&mut self, it: &TSTypeAssertion<'a>) {
        let inner = it.expression.span().start;
        self.blank(it.span.start, inner);
        match self.heads.get(&it.span.start).copied() {
            Some(Head::Statement) => self.lead_with_comma(it.span.start, inner),
            Some(head) if matches!(it.expression, Expression::TSTypeAssertion(_)) => {
                self.heads.insert(inner, head);
            }
            Some(Head::ArrowBody) if self.byte(inner) == b'{' => {
                let message = "once its type is stripped, this object literal would become the arrow \
                               function's block, which returns nothing; write `({ ... }) as T`";
                self.refuse(it.span.start, message.into());
            }
            // A bare function or class only becomes the declaration it reads as.
            Some(Head::ExportDefault)
                if self.starts_declaration(inner)
                    && !matches!(it.expression, Expression::FunctionExpression(_) | Expression::ClassExpression(_)) =>
            {
                let message = "once its type is stripped, `export default` would read this function or class as \
                               a declaration and what follows it as another statement; write \
                               `export default (... as T)`";
                self.refuse(it.span.start, message.into());
            }
            _ => {}
        }
        self.visit_expression(&it.expression);
    }
}

impl<'a> Blanker<'_> {
    /// Visits `expression` and blanks what follows it up to `end` (`as T`,
    /// `!`, `<T>`). A name `let` stays one only while something follows it:
    /// once blank, `let<T>\nx = 1` would declare `x`.
    fn blank_after(&mut self, expression: &Expression<'a>, end: u32) {
        if let Expression::Identifier(name) = expression
            && name.name == "let"
        {
            let message = "`let` is used as a name here, and once the type after it is stripped, JavaScript could \
                           read a `let` declaration; use another name";
            self.refuse(name.span.start, message.into());
        }
        self.visit_expression(expression);
        self.blank(expression.span().end, end);
    }
}
