import Foundation
import Testing
@testable import HeraldCore

/// Rendering every MessageFormat construct with CLDR data.
@Suite struct MessageRendererTests {
    func render(_ locale: String, _ pattern: String, _ arguments: [String: MessageArgument]) throws -> String {
        try MessageRenderer(locale: locale).render(try MessageFormat(parsing: pattern), arguments: arguments)
    }

    static func number(_ text: String) -> MessageArgument {
        .number(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0, literal: text)
    }

    static let allCategories = "{n, plural, zero {Z#} one {O#} two {T#} few {F#} many {M#} other {X#}}"

    @Test(arguments: [
        ("en", "1", "O1"), ("en", "2", "X2"), ("en", "1.0", "X1"),  // 1.0 has a visible fraction digit: other
        ("ru", "1", "O1"), ("ru", "3", "F3"), ("ru", "5", "M5"), ("ru", "11", "M11"), ("ru", "21", "O21"), ("ru", "1.5", "X1,5"),
        ("hi", "0", "O0"), ("hi", "1", "O1"), ("hi", "2", "X2"),
        ("pt-BR", "0", "O0"), ("pt-PT", "0", "X0"), ("pt-BR", "2", "X2"),
        ("id", "1", "X1"), ("tr", "1", "O1"), ("de", "1", "O1"), ("es", "1", "O1"),
        ("bn", "0", "O০"),  // CLDR: Bengali uses Bengali digits by default
    ])
    func pluralPicksTheCLDRCategory(locale: String, number: String, expected: String) throws {
        #expect(try render(locale, Self.allCategories, ["n": Self.number(number)]) == expected)
    }

    /// Arabic has all six categories; numbers inside right-to-left text are isolated.
    @Test(arguments: [("0", "Z"), ("1", "O"), ("2", "T"), ("3", "F"), ("10", "F"), ("11", "M"), ("99", "M"), ("100", "X"), ("102", "X"), ("103", "F")])
    func arabicHasSixForms(number: String, category: String) throws {
        #expect(try render("ar", Self.allCategories, ["n": Self.number(number)]) == "\(category)\u{2068}\(number)\u{2069}")
    }

    @Test func exactCasesComeFirstAndOffsetShiftsTheCount() throws {
        let pattern = "{n, plural, offset:1 =0 {nobody} =1 {only {who}} one {{who} and # other} other {{who} and # others}}"
        #expect(try render("en", pattern, ["n": Self.number("0"), "who": .text("Ana")]) == "nobody")
        #expect(try render("en", pattern, ["n": Self.number("1"), "who": .text("Ana")]) == "only Ana")
        #expect(try render("en", pattern, ["n": Self.number("2"), "who": .text("Ana")]) == "Ana and 1 other")
        #expect(try render("en", pattern, ["n": Self.number("3"), "who": .text("Ana")]) == "Ana and 2 others")
    }

    @Test(arguments: [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (111, "111th")])
    func ordinals(number: Int, expected: String) throws {
        let pattern = "{n, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}"
        #expect(try render("en", pattern, ["n": Self.number(String(number))]) == expected)
    }

    @Test func selectFallsBackToOther() throws {
        let pattern = "{g, select, female {She} male {He} other {They}} paid"
        #expect(try render("en", pattern, ["g": .text("female")]) == "She paid")
        #expect(try render("en", pattern, ["g": .text("unknown")]) == "They paid")
    }

    @Test func nestedPluralInsideSelect() throws {
        let pattern = "{g, select, female {{n, plural, one {She has # seat} other {She has # seats}}} other {{n, plural, one {# seat} other {# seats}}}}"
        #expect(try render("en", pattern, ["g": .text("female"), "n": Self.number("2")]) == "She has 2 seats")
        #expect(try render("en", pattern, ["g": .text("x"), "n": Self.number("1")]) == "1 seat")
    }

    @Test func apostrophesQuoteAsICUDoes() throws {
        #expect(try render("en", "I''m '{'literal'}' {x}, it's fine", ["x": .text("ok")]) == "I'm {literal} ok, it's fine")
    }

    @Test func numberStyles() throws {
        let arguments: [String: MessageArgument] = ["p": Self.number("0.256"), "n": Self.number("1234.567"), "m": .money(5, currency: "USD")]
        #expect(try render("en", "{p, number, percent} {n, number, integer} {n, number} {m, number, currency} {m}", arguments)
            == "26% 1,235 1,234.567 $5.00 $5.00")
        #expect(try render("de", "{n, number}", arguments) == "1.234,567")
        #expect(try render("en-IN", "{n, number}", ["n": Self.number("1234567.5")]) == "12,34,567.5")
    }

    @Test func moneyFollowsTheLocale() throws {
        #expect(try render("en-IN", "{m}", ["m": .money(Decimal(string: "1234567.89") ?? 0, currency: "INR")]) == "₹12,34,567.89")
        #expect(try render("pt-BR", "{m}", ["m": .money(Decimal(string: "1234.56") ?? 0, currency: "BRL")]) == "R$\u{00A0}1.234,56")
    }

    @Test func datesAndTimesInTheRecipientsZone() throws {
        let instant = Date(timeIntervalSince1970: 1_741_958_700)  // 2025-03-14T13:25:00Z
        let kolkata = ["d": MessageArgument.instant(instant, timeZone: TimeZone(identifier: "Asia/Kolkata") ?? .gmt)]
        #expect(try render("en", "{d, date, short}|{d, date, medium}|{d, date, long}|{d, date, full}", kolkata)
            == "3/14/25|Mar 14, 2025|March 14, 2025|Friday, March 14, 2025")
        #expect(try render("en", "{d, time, short}|{d}", kolkata) == "6:55\u{202F}PM|Mar 14, 2025, 6:55\u{202F}PM")
        let berlin = ["d": MessageArgument.instant(instant, timeZone: TimeZone(identifier: "Europe/Berlin") ?? .gmt)]
        #expect(try render("de", "{d, date, short}|{d, date, long}|{d, time, short}", berlin) == "14.03.25|14. März 2025|14:25")
    }

    @Test func rightToLeftTextIsolatesEveryParam() throws {
        let text = try render("ar", "تم خصم {amount} من بطاقتك {card}", ["amount": .money(Decimal(string: "1234.5") ?? 0, currency: "SAR"), "card": .text("4821")])
        #expect(text.hasPrefix("تم خصم \u{2068}"))
        #expect(text.hasSuffix("بطاقتك \u{2068}4821\u{2069}"))
        #expect(text.unicodeScalars.filter { $0 == "\u{2068}" }.count == 2)
        #expect(text.unicodeScalars.filter { $0 == "\u{2069}" }.count == 2)
        // Left-to-right locales are left alone.
        #expect(try render("en", "{card}", ["card": .text("4821")]) == "4821")
        #expect(MessageRenderer.isRightToLeft("he-IL") && MessageRenderer.isRightToLeft("ur") && MessageRenderer.isRightToLeft("fa"))
        #expect(!MessageRenderer.isRightToLeft("az-Latn") && !MessageRenderer.isRightToLeft("hi"))
    }

    @Test func valuesThatCannotRenderAreErrorsNamingTheArgument() {
        #expect(throws: RenderError(argument: "x", message: "no value")) { try render("en", "{x}", [:]) }
        #expect(throws: RenderError(argument: "x", message: "'abc' is not a number")) {
            try render("en", "{x, plural, one {#} other {#}}", ["x": .text("abc")])
        }
        #expect(throws: RenderError(argument: "x", message: "a date or time needs a datetime param, not text")) {
            try render("en", "{x, date}", ["x": .text("abc")])
        }
    }
}

@Suite struct MessagePlannerTests {
    @Test(arguments: [("en-IN", "en", "en-IN"), ("hi_IN", "hi", "hi-IN"), ("id-ID", "en", "en"), (nil, "pt-BR", "pt-BR"), ("pt-PT", "pt-BR", "pt-PT")])
    func numbersFollowTheReaderWhenTheLanguageMatches(recipient: String?, text: String, expected: String) {
        #expect(MessagePlanner.formattingLocale(recipient: recipient, text: text) == expected)
    }
}
