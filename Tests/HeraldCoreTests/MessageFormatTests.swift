import Testing
@testable import HeraldCore

private typealias Part = MessageFormat.Part
private typealias PluralCase = MessageFormat.PluralCase
private typealias SelectCase = MessageFormat.SelectCase

private func text(_ value: String) -> Part { .text(value) }
private func arg(_ name: String, _ format: MessageFormat.ArgumentFormat = .plain) -> Part {
    .argument(name: name, format: format)
}
private func one(_ message: Part...) -> PluralCase { PluralCase(.category(.one), message) }
private func other(_ message: Part...) -> PluralCase { PluralCase(.category(.other), message) }
private func exact(_ value: Double, _ message: Part...) -> PluralCase { PluralCase(.exact(value), message) }
private func when(_ keyword: String, _ message: Part...) -> SelectCase { SelectCase(keyword, message) }

@Suite struct MessageFormatTests {
    // MARK: - Valid patterns

    static let validPatterns: [(String, [MessageFormat.Part])] = [
        ("", []),
        ("Hello", [text("Hello")]),
        ("Hello {name}!", [text("Hello "), arg("name"), text("!")]),
        ("{ name }", [arg("name")]),
        ("{0} and {1}", [arg("0"), text(" and "), arg("1")]),
        ("{first_name} {名前} {1abc}", [arg("first_name"), text(" "), arg("名前"), text(" "), arg("1abc")]),
        ("Order #{id}", [text("Order #"), arg("id")]),
        ("{n, number}", [arg("n", .number(style: nil))]),
        ("{n,number,integer}", [arg("n", .number(style: "integer"))]),
        ("{n, number, percent}", [arg("n", .number(style: "percent"))]),
        ("{n, number, currency }", [arg("n", .number(style: "currency"))]),
        ("{n, NUMBER, Integer}", [arg("n", .number(style: "integer"))]),
        ("{n, number, ::currency/EUR .00}", [arg("n", .number(style: "::currency/EUR .00"))]),
        ("{n, number, }", [arg("n", .number(style: nil))]),
        ("{d, date}", [arg("d", .date(style: nil))]),
        ("{d, date, short}", [arg("d", .date(style: "short"))]),
        ("{d, date, ::yMMMd}", [arg("d", .date(style: "::yMMMd"))]),
        ("{t, time, full}", [arg("t", .time(style: "full"))]),
        ("{t, time, medium} on {d, date, long}",
         [arg("t", .time(style: "medium")), text(" on "), arg("d", .date(style: "long"))]),
        ("{n, plural, one {# item} other {# items}}",
         [arg("n", .plural(offset: 0, cases: [one(.pound, text(" item")), other(.pound, text(" items"))]))]),
        ("{n,plural,one{a}other{b}}", [arg("n", .plural(offset: 0, cases: [one(text("a")), other(text("b"))]))]),
        ("{n, plural, other { # }}", [arg("n", .plural(offset: 0, cases: [other(text(" "), .pound, text(" "))]))]),
        ("{n, plural, other {}}", [arg("n", .plural(offset: 0, cases: [other()]))]),
        ("{n, plural, offset:1 =0 {nobody} =1 {{name}} one {{name} and # other} other {{name} and # others}}",
         [arg("n", .plural(offset: 1, cases: [
             exact(0, text("nobody")),
             exact(1, arg("name")),
             one(arg("name"), text(" and "), .pound, text(" other")),
             other(arg("name"), text(" and "), .pound, text(" others")),
         ]))]),
        ("{n, plural, offset: 2 =1.5 {a} =-1 {b} other {#}}",
         [arg("n", .plural(offset: 2, cases: [exact(1.5, text("a")), exact(-1, text("b")), other(.pound)]))]),
        ("{n, PLURAL, zero {z} two {t} few {f} many {m} other {o}}",
         [arg("n", .plural(offset: 0, cases: [
             PluralCase(.category(.zero), [text("z")]), PluralCase(.category(.two), [text("t")]),
             PluralCase(.category(.few), [text("f")]), PluralCase(.category(.many), [text("m")]),
             other(text("o")),
         ]))]),
        ("{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}",
         [arg("n", .selectOrdinal(offset: 0, cases: [
             one(.pound, text("st")), PluralCase(.category(.two), [.pound, text("nd")]),
             PluralCase(.category(.few), [.pound, text("rd")]), other(.pound, text("th")),
         ]))]),
        ("{g, select, female {she} male {he} other {they}}",
         [arg("g", .select(cases: [when("female", text("she")), when("male", text("he")), when("other", text("they"))]))]),
        // A plural nested in a select, and a select nested in a plural.
        ("{g, select, female {{n, plural, one {her # cat} other {her # cats}}} other {{n, plural, one {their # cat} other {their # cats}}}}",
         [arg("g", .select(cases: [
             when("female", arg("n", .plural(offset: 0, cases: [
                 one(text("her "), .pound, text(" cat")), other(text("her "), .pound, text(" cats")),
             ]))),
             when("other", arg("n", .plural(offset: 0, cases: [
                 one(text("their "), .pound, text(" cat")), other(text("their "), .pound, text(" cats")),
             ]))),
         ]))]),
        // As in ICU, '#' is the number only directly inside a plural case, not in a select nested in one.
        ("{n, plural, other {{g, select, other {# x}}}}",
         [arg("n", .plural(offset: 0, cases: [other(arg("g", .select(cases: [when("other", text("# x"))])))]))]),
        ("{n, plural, other {{n, number} #}}",
         [arg("n", .plural(offset: 0, cases: [other(arg("n", .number(style: nil)), text(" "), .pound)]))]),
    ]

    @Test(arguments: validPatterns)
    func parsesValidPattern(pattern: String, parts: [MessageFormat.Part]) throws {
        #expect(try MessageFormat(parsing: pattern).parts == parts)
    }

    // MARK: - Apostrophes (ICU DOUBLE_OPTIONAL)

    static let apostrophePatterns: [(String, [MessageFormat.Part])] = [
        ("I''m", [text("I'm")]),
        ("''", [text("'")]),
        ("'", [text("'")]),
        ("x'", [text("x'")]),
        ("it's {n}", [text("it's "), arg("n")]),
        ("don't", [text("don't")]),
        ("'a'", [text("'a'")]),
        ("'{literal}'", [text("{literal}")]),
        ("I see '{many}'", [text("I see {many}")]),
        ("I said '{''Wow!''}'", [text("I said {'Wow!'}")]),
        ("'{''}'", [text("{'}")]),
        ("a '}' b", [text("a } b")]),
        ("'{'{n}'}'", [text("{"), arg("n"), text("}")]),
        // '#' and '|' are only special where ICU says so: '#' in plural cases, '|' in choice (unsupported).
        ("'#'", [text("'#'")]),
        ("'|'", [text("'|'")]),
        ("{n, plural, other {'#' is #}}", [arg("n", .plural(offset: 0, cases: [other(text("# is "), .pound)]))]),
        ("{n, plural, other {it''s #}}", [arg("n", .plural(offset: 0, cases: [other(text("it's "), .pound)]))]),
        ("{n, plural, other {it's #}}", [arg("n", .plural(offset: 0, cases: [other(text("it's "), .pound)]))]),
        ("{g, select, other {'#' x}}", [arg("g", .select(cases: [when("other", text("'#' x"))]))]),
        ("{g, select, other {'{x}'}}", [arg("g", .select(cases: [when("other", text("{x}"))]))]),
        // An unterminated quote is not an error in ICU: the quoted text runs to the end.
        ("'{unterminated", [text("{unterminated")]),
        ("a '{b} {c}", [text("a {b} {c}")]),
        // Apostrophes in a style are kept, as ICU keeps them.
        ("{n, number, ::currency/EUR}", [arg("n", .number(style: "::currency/EUR"))]),
    ]

    @Test(arguments: apostrophePatterns)
    func parsesApostrophes(pattern: String, parts: [MessageFormat.Part]) throws {
        #expect(try MessageFormat(parsing: pattern).parts == parts)
    }

    // MARK: - Arguments

    @Test func collectsArgumentsInOrderWithTheirKinds() throws {
        let format = try MessageFormat(
            parsing: "{a} {b, number} {c, plural, one {{d, date}} other {{e, select, x {{f, time}} other {{a}}}}} {g, selectordinal, other {#}}")
        #expect(format.argumentNames == ["a", "b", "c", "d", "e", "f", "g"])
        #expect(format.arguments == [
            .init(name: "a", kind: .plain),
            .init(name: "b", kind: .number),
            .init(name: "c", kind: .plural),
            .init(name: "d", kind: .date),
            .init(name: "e", kind: .select),
            .init(name: "f", kind: .time),
            .init(name: "a", kind: .plain),
            .init(name: "g", kind: .selectOrdinal),
        ])
    }

    @Test func patternWithoutArgumentsHasNone() throws {
        let format = try MessageFormat(parsing: "Just text, '{quoted}' and #")
        #expect(format.argumentNames.isEmpty)
        #expect(format.arguments.isEmpty)
    }

    @Test func nestingUpToTheLimitParses() throws {
        let depth = MessageFormat.maxNesting
        let pattern = String(repeating: "{a, select, other {", count: depth) + "x" + String(repeating: "}}", count: depth)
        #expect(try MessageFormat(parsing: pattern).argumentNames == ["a"])
    }

    // MARK: - Errors

    static let errors: [(String, Int, String)] = [
        // Braces
        ("{name", 0, "unmatched '{': the argument 'name' is never closed"),
        ("{", 0, "unmatched '{': the argument is never closed"),
        ("Hi {name", 3, "unmatched '{'"),
        ("{n, number, integer", 0, "unmatched '{': the number argument 'n' is never closed"),
        ("{n, plural, other {x}", 0, "unmatched '{': the plural argument 'n' is never closed"),
        ("{n, plural, other {x", 18, "unmatched '{': this case's message is never closed"),
        ("{n, plural, other {#}} {", 23, "unmatched '{'"),
        ("a}b", 1, "unmatched '}' at character 2"),
        ("{name}}", 6, "unmatched '}'"),
        ("{n, select, other {a}} }", 23, "unmatched '}'"),
        // Names
        ("{}", 1, "empty argument name at character 2"),
        ("{ , number}", 2, "empty argument name"),
        ("{-x}", 1, "'-' cannot start an argument name"),
        ("{first name}", 7, "expected ',' or '}' after the argument name 'first', found 'n'"),
        ("{first-name}", 6, "expected ',' or '}' after the argument name 'first', found '-'"),
        ("{01}", 1, "argument number '01' has a leading zero"),
        ("{99999}", 1, "argument number 99999 is too large"),
        // Types and styles
        ("{n, nubmer}", 4, "unknown argument type 'nubmer'"),
        ("{n, choice, 0#a|1#b}", 4, "unknown argument type 'choice'"),
        ("{n, spellout}", 4, "unknown argument type 'spellout'"),
        ("{n,}", 3, "expected an argument type after ',', found '}'"),
        ("{n, 5}", 4, "expected an argument type after ',', found '5'"),
        ("{n, number integer}", 11, "expected ',' or '}' after the argument type 'number', found 'i'"),
        ("{n, plural}", 10, "a plural argument needs cases after another ','"),
        ("{g, select }", 11, "a select argument needs cases after another ','"),
        ("{n, number, percnt}", 12, "unknown number style 'percnt'"),
        ("{n, number, #,##0.00}", 12, "unknown number style '#,##0.00'"),
        ("{d, date, shrt}", 10, "unknown date style 'shrt'"),
        ("{n, number, 'abc}", 12, "the quoted text in this number style is never closed"),
        // Cases
        ("{n, plural, one {a}}", 19, "the plural argument 'n' has no 'other' case"),
        ("{g, select, a {x}}", 17, "the select argument 'g' has no 'other' case"),
        ("{n, selectordinal, one {#st}}", 28, "the selectordinal argument 'n' has no 'other' case"),
        ("{n, plural, one {a} one {b} other {c}}", 20, "duplicate case 'one' in the plural argument 'n'"),
        ("{n, plural, =1 {a} =1.0 {b} other {c}}", 19, "duplicate case '=1.0' in the plural argument 'n'"),
        ("{g, select, a {x} a {y} other {z}}", 18, "duplicate case 'a' in the select argument 'g'"),
        ("{n, plural, ones {a} other {b}}", 12, "'ones' is not a plural category"),
        ("{n, plural, One {a} other {b}}", 12, "'One' is not a plural category"),
        ("{n, selectordinal, first {a} other {b}}", 19, "'first' is not a plural category"),
        ("{n, plural, one a}", 16, "expected '{' after the case 'one', found 'a'"),
        ("{n, plural, one", 15, "expected '{' after the case 'one', found the end of the pattern"),
        ("{g, select, other}", 17, "expected '{' after the case 'other', found '}'"),
        ("{n, plural, = {a} other {b}}", 13, "expected a number after '=', found a space"),
        ("{n, plural, =x {a} other {b}}", 13, "expected a number after '=', found 'x'"),
        ("{n, plural, =1e {a} other {b}}", 13, "'1e' is not a number"),
        ("{n, plural, =1e999 {a} other {b}}", 13, "'1e999' is not a number"),
        ("{g, select, =1 {a} other {b}}", 12, "expected a case keyword, found '='"),
        // Offsets
        ("{n, plural, offset:x other {b}}", 19, "expected a number after 'offset:', found 'x'"),
        ("{n, plural, offset:1..2 other {b}}", 19, "'1..2' is not a number"),
        ("{n, plural, one {a} offset:1 other {b}}", 20, "offset: must come before the first case"),
        ("{n, plural, offset:1 offset:2 other {b}}", 21, "the offset is given twice"),
        ("{n, plural, offset :1 other {b}}", 12, "'offset' is not a plural category"),
        // Quotes that run to the end leave braces open: the apostrophe is the culprit.
        ("{n, plural, other {'#}}", 19, "the apostrophe at character 20 starts quoted text that runs to the end of the pattern, so the '{' at character 19 is never closed"),
        // Outside a plural case '# is text, so the second apostrophe quotes the closing brace, as in ICU.
        ("{g, select, other {'#'}}", 21, "the apostrophe at character 22 starts quoted text"),
        // Offsets count characters, not scalars or bytes.
        ("👍🏽 {n, nubmer}", 6, "unknown argument type 'nubmer' at character 7"),
    ]

    @Test(arguments: errors)
    func reportsError(pattern: String, offset: Int, message: String) {
        #expect {
            _ = try MessageFormat(parsing: pattern)
        } throws: { error in
            guard let error = error as? MessageFormatError else { return false }
            #expect(error.offset == offset, "\(error.message)")
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.message.contains("at character \(offset + 1)"), "\(error.message)")
            #expect(!error.hint.isEmpty)
            return true
        }
    }

    @Test(arguments: [
        ("{n, nubmer}", "did you mean 'number'?"),
        ("{n, selectordinl, other {x}}", "did you mean 'selectordinal'?"),
        ("{n, ordinal}", "use selectordinal"),
        ("{n, choice, 0#a}", "use plural"),
        ("{n, number, percnt}", "did you mean 'percent'?"),
        ("{d, time, shrot}", "did you mean 'short'?"),
        ("{n, plural, ones {a} other {b}}", "did you mean 'one'?"),
        ("{n, plural, one {a}}", "add other {…}"),
        ("{n, plural, offset :1 other {b}}", "offset:N with no space"),
        ("a}b", "write '}'"),
    ])
    func errorHintSuggestsTheFix(pattern: String, hint: String) {
        let error = #expect(throws: MessageFormatError.self) { try MessageFormat(parsing: pattern) }
        #expect(error?.hint.contains(hint) == true, "\(error?.hint ?? "no error")")
    }

    @Test func nestingPastTheLimitIsRefused() {
        let depth = MessageFormat.maxNesting + 1
        let prefix = "{a, select, other {"
        let pattern = String(repeating: prefix, count: depth) + "x" + String(repeating: "}}", count: depth)
        let error = #expect(throws: MessageFormatError.self) { try MessageFormat(parsing: pattern) }
        #expect(error?.offset == (depth - 1) * prefix.count + prefix.count - 1)
    }
}
