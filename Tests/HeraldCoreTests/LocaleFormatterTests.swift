import Foundation
import Testing

@testable import HeraldCore

// Expected strings are CLDR's, written out with their invisible characters escaped: U+00A0 no-break
// space, U+202F narrow no-break space, U+200E/U+200F left-to-right/right-to-left marks, U+061C Arabic
// letter mark. Where Foundation's bundled ICU differs from CLDR, `LocaleFormatter` corrects it and the
// test shows the CLDR form (see `CLDRCorrections` for each difference and its source).

/// Shared by the formatting tests (a namespace, so names cannot collide with other test files).
enum FormattingFixture {
    static func zone(_ identifier: String) throws -> TimeZone {
        try #require(TimeZone(identifier: identifier), "unknown zone \(identifier)")
    }

    static func decimal(_ text: String) throws -> Decimal {
        try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), "not a decimal: \(text)")
    }
}

/// The same UTC instant, 12:30Z, in winter and in summer: it shows DST or its absence.
enum FormattingSeason: String, Sendable {
    /// 2025-01-15T12:30:00Z
    case winter
    /// 2025-07-15T12:30:00Z
    case summer

    var instant: Date {
        switch self {
        case .winter: Date(timeIntervalSince1970: 1_736_944_200)
        case .summer: Date(timeIntervalSince1970: 1_752_582_600)
        }
    }
}

// MARK: - Money

struct LocaleFormatterMoneyCase: Sendable, CustomTestStringConvertible {
    let locale: String
    let currency: String
    let amount: String
    let expected: String

    init(_ locale: String, _ currency: String, _ amount: String, _ expected: String) {
        self.locale = locale
        self.currency = currency
        self.amount = amount
        self.expected = expected
    }

    var testDescription: String { "\(locale) \(currency) \(amount)" }
}

@Suite("LocaleFormatter money")
struct LocaleFormatterMoneyTests {
    static let cases: [LocaleFormatterMoneyCase] = [
        .init("en", "USD", "1234.5", "$1,234.50"),
        .init("en", "USD", "-1234.5", "-$1,234.50"),
        .init("en", "usd", "1234.5", "$1,234.50"),
        // Indian grouping: lakh and crore.
        .init("en-IN", "INR", "1234567.89", "₹12,34,567.89"),
        .init("en-IN", "INR", "123456789", "₹12,34,56,789.00"),
        .init("hi", "INR", "1234567.89", "₹12,34,567.89"),
        // The symbol before the number, then a no-break space.
        .init("pt-BR", "BRL", "1234.56", "R$\u{00A0}1.234,56"),
        .init("pt_BR", "BRL", "1234.56", "R$\u{00A0}1.234,56"),
        .init("pt-br", "BRL", "1234.56", "R$\u{00A0}1.234,56"),
        // IDR without decimals (see CLDRCorrections), and CLDR's currency spacing after "Rp".
        .init("id", "IDR", "1234567.89", "Rp\u{00A0}1.234.568"),
        .init("id", "IDR", "-1234567", "-Rp\u{00A0}1.234.567"),
        .init("ms", "IDR", "1234567", "IDR\u{00A0}1,234,567"),
        // Spanish groups four-digit numbers only from 10 000 (CLDR minimumGroupingDigits 2).
        .init("es", "EUR", "1234.56", "1234,56\u{00A0}€"),
        .init("es", "EUR", "12345.67", "12.345,67\u{00A0}€"),
        // Arabic: Latin digits for `ar` (CLDR 46), Arabic-Indic for `ar-EG`, right-to-left marks.
        .init("ar", "SAR", "1234.56", "\u{200F}1,234.56\u{00A0}ر.س.\u{200F}"),
        .init("ar-EG", "EGP", "1234.56", "\u{200F}١٬٢٣٤٫٥٦\u{00A0}ج.م.\u{200F}"),
        // Bengali digits (CLDR's default for bn; see CLDRCorrections), symbol after the number.
        .init("bn", "BDT", "1234567.89", "১২,৩৪,৫৬৭.৮৯৳"),
        .init("bn-u-nu-latn", "BDT", "1234567.89", "12,34,567.89৳"),
        .init("tr", "TRY", "1234.56", "₺1.234,56"),
        .init("ru", "RUB", "1234.56", "1\u{00A0}234,56\u{00A0}₽"),
        .init("de", "EUR", "1234.56", "1.234,56\u{00A0}€"),
        // Minor units per currency; rounding half to even, as ICU does.
        .init("en", "JPY", "1234.56", "¥1,235"),
        .init("de", "JPY", "1234.5", "1.234\u{00A0}¥"),
        .init("en", "KWD", "1234.5678", "KWD\u{00A0}1,234.568"),
        .init("ar-KW", "KWD", "1234.5678", "\u{200F}١٬٢٣٤٫٥٦٨\u{00A0}د.ك.\u{200F}"),
        .init("en", "USD", "0.125", "$0.12"),
        .init("en", "USD", "0.135", "$0.14"),
        // Not an ISO 4217 code: the number, then the code as given.
        .init("en", "US$", "5", "5\u{00A0}US$"),
        .init("en", "", "5", "5"),
    ]

    @Test(arguments: cases)
    func money(_ c: LocaleFormatterMoneyCase) throws {
        #expect(LocaleFormatter(locale: c.locale).money(try FormattingFixture.decimal(c.amount), currency: c.currency) == c.expected)
    }
}

// MARK: - Numbers

struct LocaleFormatterNumberCase: Sendable, CustomTestStringConvertible {
    let locale: String
    let value: String
    let style: LocaleFormatter.NumberStyle
    let expected: String

    init(_ locale: String, _ value: String, _ style: LocaleFormatter.NumberStyle, _ expected: String) {
        self.locale = locale
        self.value = value
        self.style = style
        self.expected = expected
    }

    var testDescription: String { "\(locale) \(value) \(style)" }
}

struct LocaleFormatterDigitsCase: Sendable, CustomTestStringConvertible {
    let locale: String
    let expected: String

    init(_ locale: String, _ expected: String) {
        self.locale = locale
        self.expected = expected
    }

    var testDescription: String { locale }
}

@Suite("LocaleFormatter numbers")
struct LocaleFormatterNumberTests {
    /// 1234567.891 plain, 1234 plain, -0.5 plain, 0.256 as a percent, 1234567.5 as an integer.
    static let cases: [LocaleFormatterNumberCase] = [
        .init("en", "1234567.891", .plain, "1,234,567.891"),
        .init("en", "1234", .plain, "1,234"),
        .init("en", "-0.5", .plain, "-0.5"),
        .init("en", "0.256", .percent, "26%"),
        .init("en", "1234567.5", .integer, "1,234,568"),
        .init("en-IN", "1234567.891", .plain, "12,34,567.891"),
        .init("en-IN", "1234", .plain, "1,234"),
        .init("en-IN", "-0.5", .plain, "-0.5"),
        .init("en-IN", "0.256", .percent, "26%"),
        .init("en-IN", "1234567.5", .integer, "12,34,568"),
        .init("hi", "1234567.891", .plain, "12,34,567.891"),
        .init("hi", "1234", .plain, "1,234"),
        .init("hi", "-0.5", .plain, "-0.5"),
        .init("hi", "0.256", .percent, "26%"),
        .init("hi", "1234567.5", .integer, "12,34,568"),
        .init("pt-BR", "1234567.891", .plain, "1.234.567,891"),
        .init("pt-BR", "1234", .plain, "1.234"),
        .init("pt-BR", "-0.5", .plain, "-0,5"),
        .init("pt-BR", "0.256", .percent, "26%"),
        .init("pt-BR", "1234567.5", .integer, "1.234.568"),
        .init("id", "1234567.891", .plain, "1.234.567,891"),
        .init("id", "1234", .plain, "1.234"),
        .init("id", "-0.5", .plain, "-0,5"),
        .init("id", "0.256", .percent, "26%"),
        .init("id", "1234567.5", .integer, "1.234.568"),
        .init("es", "1234567.891", .plain, "1.234.567,891"),
        .init("es", "1234", .plain, "1234"),
        .init("es", "-0.5", .plain, "-0,5"),
        .init("es", "0.256", .percent, "26\u{00A0}%"),
        .init("es", "1234567.5", .integer, "1.234.568"),
        .init("ar", "1234567.891", .plain, "1,234,567.891"),
        .init("ar", "1234", .plain, "1,234"),
        .init("ar", "-0.5", .plain, "\u{200E}-0.5"),
        .init("ar", "0.256", .percent, "26\u{200E}%\u{200E}"),
        .init("ar", "1234567.5", .integer, "1,234,568"),
        .init("ar-EG", "1234567.891", .plain, "١٬٢٣٤٬٥٦٧٫٨٩١"),
        .init("ar-EG", "1234", .plain, "١٬٢٣٤"),
        .init("ar-EG", "-0.5", .plain, "\u{061C}-٠٫٥"),
        .init("ar-EG", "0.256", .percent, "٢٦٪\u{061C}"),
        .init("ar-EG", "1234567.5", .integer, "١٬٢٣٤٬٥٦٨"),
        .init("bn", "1234567.891", .plain, "১২,৩৪,৫৬৭.৮৯১"),
        .init("bn", "1234", .plain, "১,২৩৪"),
        .init("bn", "-0.5", .plain, "-০.৫"),
        .init("bn", "0.256", .percent, "২৬%"),
        .init("bn", "1234567.5", .integer, "১২,৩৪,৫৬৮"),
        .init("tr", "1234567.891", .plain, "1.234.567,891"),
        .init("tr", "1234", .plain, "1.234"),
        .init("tr", "-0.5", .plain, "-0,5"),
        .init("tr", "0.256", .percent, "%26"),
        .init("tr", "1234567.5", .integer, "1.234.568"),
        .init("ru", "1234567.891", .plain, "1\u{00A0}234\u{00A0}567,891"),
        .init("ru", "1234", .plain, "1\u{00A0}234"),
        .init("ru", "-0.5", .plain, "-0,5"),
        .init("ru", "0.256", .percent, "26\u{00A0}%"),
        .init("ru", "1234567.5", .integer, "1\u{00A0}234\u{00A0}568"),
        .init("de", "1234567.891", .plain, "1.234.567,891"),
        .init("de", "1234", .plain, "1.234"),
        .init("de", "-0.5", .plain, "-0,5"),
        .init("de", "0.256", .percent, "26\u{00A0}%"),
        .init("de", "1234567.5", .integer, "1.234.568"),
        // At most three decimals (CLDR's `#,##0.###`), half to even.
        .init("en", "1.23456", .plain, "1.235"),
        .init("en", "1.0005", .plain, "1"),
        .init("en", "1.0015", .plain, "1.002"),
        .init("en", "1000000000000", .plain, "1,000,000,000,000"),
        .init("en-IN", "1000000000000", .plain, "10,00,00,00,00,000"),
        // Integer rounds half to even, like ICU MessageFormat's `integer`.
        .init("en", "2.5", .integer, "2"),
        .init("en", "3.5", .integer, "4"),
        .init("en", "-2.5", .integer, "-2"),
        .init("en", "2.51", .integer, "3"),
        // Percent: the value is a fraction; no decimals, as CLDR's `#,##0%`.
        .init("en", "1", .percent, "100%"),
        .init("en", "1.005", .percent, "100%"),
        .init("en", "0.125", .percent, "12%"),
        .init("en", "-0.5", .percent, "-50%"),
    ]

    @Test(arguments: cases)
    func number(_ c: LocaleFormatterNumberCase) throws {
        #expect(LocaleFormatter(locale: c.locale).number(try FormattingFixture.decimal(c.value), style: c.style) == c.expected)
    }

    /// The digits each locale gets by default: what ICU gives (CLDR 46 moved `ar` to Latin digits,
    /// `ar-EG`/`ar-SA` keep Arabic-Indic), with the CLDR defaults restored where Foundation's data
    /// differs (`bn` beng, `mr` deva, `ur-IN` arabext), and `-u-nu-` honoured.
    static let digits: [LocaleFormatterDigitsCase] = [
        .init("en", "1,234,567"),
        .init("ar", "1,234,567"),
        .init("ar-AE", "1,234,567"),
        .init("ar-EG", "١٬٢٣٤٬٥٦٧"),
        .init("ar-SA", "١٬٢٣٤٬٥٦٧"),
        .init("bn", "১২,৩৪,৫৬৭"),
        .init("bn-IN", "১২,৩৪,৫৬৭"),
        .init("bn-u-nu-latn", "12,34,567"),
        .init("hi", "12,34,567"),
        .init("hi-u-nu-deva", "१२,३४,५६७"),
        .init("mr", "१२,३४,५६७"),
        .init("ne", "१२,३४,५६७"),
        .init("ur", "12,34,567"),
        .init("ur-IN", "۱۲٬۳۴٬۵۶۷"),
        .init("fa", "۱٬۲۳۴٬۵۶۷"),
        .init("my", "၁,၂၃၄,၅၆၇"),
        .init("th", "1,234,567"),
    ]

    @Test("default numbering system per locale", arguments: digits)
    func numberingSystem(_ c: LocaleFormatterDigitsCase) {
        #expect(LocaleFormatter(locale: c.locale).number(1_234_567) == c.expected)
    }

    @Test("locale tags in any case and with either separator")
    func tagSpellings() throws {
        let amount = try FormattingFixture.decimal("1234567.891")
        let expected = "1.234.567,891"
        for tag in ["pt-BR", "pt_BR", "pt-br", "PT_br", " pt-BR "] {
            #expect(LocaleFormatter(locale: tag).number(amount) == expected, "\(tag)")
        }
    }
}

// MARK: - Dates and times

struct LocaleFormatterDateCase: Sendable, CustomTestStringConvertible {
    let locale: String
    let style: LocaleFormatter.DateTimeStyle
    let expected: String

    init(_ locale: String, _ style: LocaleFormatter.DateTimeStyle, _ expected: String) {
        self.locale = locale
        self.style = style
        self.expected = expected
    }

    var testDescription: String { "\(locale) \(style)" }
}

struct LocaleFormatterTimeCase: Sendable, CustomTestStringConvertible {
    let locale: String
    let zone: String
    let season: FormattingSeason
    let style: LocaleFormatter.DateTimeStyle
    let expected: String

    init(_ locale: String, _ zone: String, _ season: FormattingSeason, _ style: LocaleFormatter.DateTimeStyle, _ expected: String) {
        self.locale = locale
        self.zone = zone
        self.season = season
        self.style = style
        self.expected = expected
    }

    var testDescription: String { "\(locale) \(zone) \(season) \(style)" }
}

struct LocaleFormatterDateTimeCase: Sendable, CustomTestStringConvertible {
    let locale: String
    let zone: String
    let season: FormattingSeason
    let expected: String

    init(_ locale: String, _ zone: String, _ season: FormattingSeason, _ expected: String) {
        self.locale = locale
        self.zone = zone
        self.season = season
        self.expected = expected
    }

    var testDescription: String { "\(locale) \(zone) \(season)" }
}

@Suite("LocaleFormatter dates and times")
struct LocaleFormatterDateTests {
    /// 2025-01-15T12:30:00Z in Europe/Berlin (13:30, the same day) in CLDR's four date lengths.
    static let dates: [LocaleFormatterDateCase] = [
        .init("en", .short, "1/15/25"),
        .init("en", .medium, "Jan 15, 2025"),
        .init("en", .long, "January 15, 2025"),
        .init("en", .full, "Wednesday, January 15, 2025"),
        .init("pt-BR", .short, "15/01/2025"),
        .init("pt-BR", .medium, "15 de jan. de 2025"),
        .init("pt-BR", .long, "15 de janeiro de 2025"),
        .init("pt-BR", .full, "quarta-feira, 15 de janeiro de 2025"),
        .init("hi", .short, "15/1/25"),
        .init("hi", .medium, "15 जन॰ 2025"),
        .init("hi", .long, "15 जनवरी 2025"),
        .init("hi", .full, "बुधवार, 15 जनवरी 2025"),
        .init("de", .short, "15.01.25"),
        .init("de", .medium, "15.01.2025"),
        .init("de", .long, "15. Januar 2025"),
        .init("de", .full, "Mittwoch, 15. Januar 2025"),
        .init("ar", .short, "15\u{200F}/1\u{200F}/2025"),
        .init("ar", .medium, "15\u{200F}/01\u{200F}/2025"),
        .init("ar", .long, "15 يناير 2025"),
        .init("ar", .full, "الأربعاء، 15 يناير 2025"),
        .init("id", .short, "15/01/25"),
        .init("id", .medium, "15 Jan 2025"),
        .init("id", .long, "15 Januari 2025"),
        .init("id", .full, "Rabu, 15 Januari 2025"),
        .init("es", .short, "15/1/25"),
        .init("es", .medium, "15 ene 2025"),
        .init("es", .long, "15 de enero de 2025"),
        .init("es", .full, "miércoles, 15 de enero de 2025"),
        .init("bn", .short, "১৫/১/২৫"),
        .init("bn", .medium, "১৫ জানু, ২০২৫"),
        .init("bn", .long, "১৫ জানুয়ারী, ২০২৫"),
        .init("bn", .full, "বুধবার, ১৫ জানুয়ারী, ২০২৫"),
        .init("tr", .short, "15.01.2025"),
        .init("tr", .medium, "15 Oca 2025"),
        .init("tr", .long, "15 Ocak 2025"),
        .init("tr", .full, "15 Ocak 2025 Çarşamba"),
        .init("ru", .short, "15.01.2025"),
        .init("ru", .medium, "15 янв. 2025\u{202F}г."),
        .init("ru", .long, "15 января 2025\u{202F}г."),
        .init("ru", .full, "среда, 15 января 2025\u{202F}г."),
    ]

    @Test(arguments: dates)
    func date(_ c: LocaleFormatterDateCase) throws {
        let formatter = LocaleFormatter(locale: c.locale)
        #expect(formatter.date(FormattingSeason.winter.instant, style: c.style, timeZone: try FormattingFixture.zone("Europe/Berlin")) == c.expected)
    }

    /// 12:30Z in winter and summer: Berlin is 13:30 CET then 14:30 CEST; New York 07:30 EST then
    /// 08:30 EDT; São Paulo 09:30 both times (no DST since 2019). 12-hour clocks for en, hi, ar;
    /// 24-hour for pt-BR and de.
    static let times: [LocaleFormatterTimeCase] = [
        .init("en", "Europe/Berlin", .winter, .short, "1:30\u{202F}PM"),
        .init("en", "Europe/Berlin", .winter, .medium, "1:30:00\u{202F}PM"),
        .init("en", "Europe/Berlin", .winter, .long, "1:30:00\u{202F}PM GMT+1"),
        .init("en", "Europe/Berlin", .winter, .full, "1:30:00\u{202F}PM Central European Standard Time"),
        .init("en", "Europe/Berlin", .summer, .short, "2:30\u{202F}PM"),
        .init("en", "Europe/Berlin", .summer, .medium, "2:30:00\u{202F}PM"),
        .init("en", "Europe/Berlin", .summer, .long, "2:30:00\u{202F}PM GMT+2"),
        .init("en", "Europe/Berlin", .summer, .full, "2:30:00\u{202F}PM Central European Summer Time"),
        .init("en", "America/New_York", .winter, .short, "7:30\u{202F}AM"),
        .init("en", "America/New_York", .winter, .long, "7:30:00\u{202F}AM EST"),
        .init("en", "America/New_York", .summer, .short, "8:30\u{202F}AM"),
        .init("en", "America/New_York", .summer, .long, "8:30:00\u{202F}AM EDT"),
        .init("en", "America/Sao_Paulo", .winter, .short, "9:30\u{202F}AM"),
        .init("en", "America/Sao_Paulo", .winter, .long, "9:30:00\u{202F}AM GMT-3"),
        .init("en", "America/Sao_Paulo", .summer, .short, "9:30\u{202F}AM"),
        .init("en", "America/Sao_Paulo", .summer, .long, "9:30:00\u{202F}AM GMT-3"),
        .init("pt-BR", "Europe/Berlin", .winter, .short, "13:30"),
        .init("pt-BR", "Europe/Berlin", .winter, .medium, "13:30:00"),
        .init("pt-BR", "Europe/Berlin", .winter, .long, "13:30:00 GMT+1"),
        .init("pt-BR", "Europe/Berlin", .winter, .full, "13:30:00 Horário Padrão da Europa Central"),
        .init("pt-BR", "Europe/Berlin", .summer, .short, "14:30"),
        .init("pt-BR", "Europe/Berlin", .summer, .medium, "14:30:00"),
        .init("pt-BR", "Europe/Berlin", .summer, .long, "14:30:00 GMT+2"),
        .init("pt-BR", "Europe/Berlin", .summer, .full, "14:30:00 Horário de Verão da Europa Central"),
        .init("pt-BR", "America/New_York", .winter, .short, "07:30"),
        .init("pt-BR", "America/New_York", .winter, .long, "07:30:00 GMT-5"),
        .init("pt-BR", "America/New_York", .summer, .short, "08:30"),
        .init("pt-BR", "America/New_York", .summer, .long, "08:30:00 GMT-4"),
        .init("pt-BR", "America/Sao_Paulo", .winter, .short, "09:30"),
        .init("pt-BR", "America/Sao_Paulo", .winter, .long, "09:30:00 BRT"),
        .init("pt-BR", "America/Sao_Paulo", .summer, .short, "09:30"),
        .init("pt-BR", "America/Sao_Paulo", .summer, .long, "09:30:00 BRT"),
        .init("hi", "Europe/Berlin", .winter, .short, "1:30 pm"),
        .init("hi", "Europe/Berlin", .winter, .medium, "1:30:00 pm"),
        .init("hi", "Europe/Berlin", .winter, .long, "1:30:00 pm GMT+1"),
        .init("hi", "Europe/Berlin", .winter, .full, "1:30:00 pm मध्य यूरोपीय मानक समय"),
        .init("hi", "Europe/Berlin", .summer, .short, "2:30 pm"),
        .init("hi", "Europe/Berlin", .summer, .medium, "2:30:00 pm"),
        .init("hi", "Europe/Berlin", .summer, .long, "2:30:00 pm GMT+2"),
        .init("hi", "Europe/Berlin", .summer, .full, "2:30:00 pm मध्\u{200D}य यूरोपीय ग्रीष्\u{200D}मकालीन समय"),
        .init("hi", "America/New_York", .winter, .short, "7:30 am"),
        .init("hi", "America/New_York", .winter, .long, "7:30:00 am GMT-5"),
        .init("hi", "America/New_York", .summer, .short, "8:30 am"),
        .init("hi", "America/New_York", .summer, .long, "8:30:00 am GMT-4"),
        .init("hi", "America/Sao_Paulo", .winter, .short, "9:30 am"),
        .init("hi", "America/Sao_Paulo", .winter, .long, "9:30:00 am GMT-3"),
        .init("hi", "America/Sao_Paulo", .summer, .short, "9:30 am"),
        .init("hi", "America/Sao_Paulo", .summer, .long, "9:30:00 am GMT-3"),
        .init("de", "Europe/Berlin", .winter, .short, "13:30"),
        .init("de", "Europe/Berlin", .winter, .medium, "13:30:00"),
        .init("de", "Europe/Berlin", .winter, .long, "13:30:00 MEZ"),
        .init("de", "Europe/Berlin", .winter, .full, "13:30:00 Mitteleuropäische Normalzeit"),
        .init("de", "Europe/Berlin", .summer, .short, "14:30"),
        .init("de", "Europe/Berlin", .summer, .medium, "14:30:00"),
        .init("de", "Europe/Berlin", .summer, .long, "14:30:00 MESZ"),
        .init("de", "Europe/Berlin", .summer, .full, "14:30:00 Mitteleuropäische Sommerzeit"),
        .init("de", "America/New_York", .winter, .short, "07:30"),
        .init("de", "America/New_York", .winter, .long, "07:30:00 GMT-5"),
        .init("de", "America/New_York", .summer, .short, "08:30"),
        .init("de", "America/New_York", .summer, .long, "08:30:00 GMT-4"),
        .init("de", "America/Sao_Paulo", .winter, .short, "09:30"),
        .init("de", "America/Sao_Paulo", .winter, .long, "09:30:00 GMT-3"),
        .init("de", "America/Sao_Paulo", .summer, .short, "09:30"),
        .init("de", "America/Sao_Paulo", .summer, .long, "09:30:00 GMT-3"),
        .init("ar", "Europe/Berlin", .winter, .short, "1:30\u{00A0}م"),
        .init("ar", "Europe/Berlin", .winter, .medium, "1:30:00\u{00A0}م"),
        .init("ar", "Europe/Berlin", .winter, .long, "1:30:00\u{00A0}م غرينتش+1"),
        .init("ar", "Europe/Berlin", .winter, .full, "1:30:00\u{00A0}م توقيت وسط أوروبا الرسمي"),
        .init("ar", "Europe/Berlin", .summer, .short, "2:30\u{00A0}م"),
        .init("ar", "Europe/Berlin", .summer, .medium, "2:30:00\u{00A0}م"),
        .init("ar", "Europe/Berlin", .summer, .long, "2:30:00\u{00A0}م غرينتش+2"),
        .init("ar", "Europe/Berlin", .summer, .full, "2:30:00\u{00A0}م توقيت وسط أوروبا الصيفي"),
        .init("ar", "America/New_York", .winter, .short, "7:30\u{00A0}ص"),
        .init("ar", "America/New_York", .winter, .long, "7:30:00\u{00A0}ص غرينتش-5"),
        .init("ar", "America/New_York", .summer, .short, "8:30\u{00A0}ص"),
        .init("ar", "America/New_York", .summer, .long, "8:30:00\u{00A0}ص غرينتش-4"),
        .init("ar", "America/Sao_Paulo", .winter, .short, "9:30\u{00A0}ص"),
        .init("ar", "America/Sao_Paulo", .winter, .long, "9:30:00\u{00A0}ص غرينتش-3"),
        .init("ar", "America/Sao_Paulo", .summer, .short, "9:30\u{00A0}ص"),
        .init("ar", "America/Sao_Paulo", .summer, .long, "9:30:00\u{00A0}ص غرينتش-3"),
        // Half-hour and quarter-hour offsets.
        .init("en", "Asia/Kolkata", .winter, .short, "6:00\u{202F}PM"),
        .init("en", "Asia/Kolkata", .winter, .full, "6:00:00\u{202F}PM India Standard Time"),
        .init("hi", "Asia/Kolkata", .winter, .long, "6:00:00 pm IST"),
        .init("en", "Asia/Kathmandu", .winter, .short, "6:15\u{202F}PM"),
        .init("de", "Asia/Kathmandu", .winter, .long, "18:15:00 GMT+5:45"),
        // 24-hour clocks elsewhere, with the locale's separator.
        .init("id", "Europe/Berlin", .winter, .short, "13.30"),
        .init("es", "Europe/Berlin", .winter, .short, "13:30"),
        .init("tr", "Europe/Berlin", .winter, .short, "13:30"),
        .init("ru", "Europe/Berlin", .winter, .short, "13:30"),
        .init("bn", "Europe/Berlin", .winter, .short, "১:৩০ PM"),
    ]

    @Test(arguments: times)
    func time(_ c: LocaleFormatterTimeCase) throws {
        let formatter = LocaleFormatter(locale: c.locale)
        #expect(formatter.time(c.season.instant, style: c.style, timeZone: try FormattingFixture.zone(c.zone)) == c.expected)
    }

    /// `{when}` for a datetime param: medium date, short time, CLDR's medium glue.
    static let dateTimes: [LocaleFormatterDateTimeCase] = [
        .init("en", "Europe/Berlin", .winter, "Jan 15, 2025, 1:30\u{202F}PM"),
        .init("en", "Europe/Berlin", .summer, "Jul 15, 2025, 2:30\u{202F}PM"),
        .init("en", "America/Sao_Paulo", .summer, "Jul 15, 2025, 9:30\u{202F}AM"),
        .init("en", "Asia/Kolkata", .winter, "Jan 15, 2025, 6:00\u{202F}PM"),
        .init("en", "Asia/Kathmandu", .winter, "Jan 15, 2025, 6:15\u{202F}PM"),
        .init("en-IN", "Europe/Berlin", .winter, "15 Jan 2025, 1:30\u{202F}PM"),
        .init("en-IN", "Europe/Berlin", .summer, "15 Jul 2025, 2:30\u{202F}PM"),
        .init("pt-BR", "Europe/Berlin", .winter, "15 de jan. de 2025, 13:30"),
        .init("pt-BR", "Europe/Berlin", .summer, "15 de jul. de 2025, 14:30"),
        .init("pt-BR", "America/Sao_Paulo", .summer, "15 de jul. de 2025, 09:30"),
        .init("pt-BR", "Asia/Kolkata", .winter, "15 de jan. de 2025, 18:00"),
        .init("pt-BR", "Asia/Kathmandu", .winter, "15 de jan. de 2025, 18:15"),
        .init("hi", "Europe/Berlin", .winter, "15 जन॰ 2025, 1:30 pm"),
        .init("hi", "Europe/Berlin", .summer, "15 जुल॰ 2025, 2:30 pm"),
        .init("hi", "America/Sao_Paulo", .summer, "15 जुल॰ 2025, 9:30 am"),
        .init("hi", "Asia/Kolkata", .winter, "15 जन॰ 2025, 6:00 pm"),
        .init("hi", "Asia/Kathmandu", .winter, "15 जन॰ 2025, 6:15 pm"),
        .init("de", "Europe/Berlin", .winter, "15.01.2025, 13:30"),
        .init("de", "Europe/Berlin", .summer, "15.07.2025, 14:30"),
        .init("ar", "Europe/Berlin", .winter, "15\u{200F}/01\u{200F}/2025، 1:30\u{00A0}م"),
        .init("ar", "Europe/Berlin", .summer, "15\u{200F}/07\u{200F}/2025، 2:30\u{00A0}م"),
        .init("ar-EG", "Europe/Berlin", .winter, "١٥\u{200F}/٠١\u{200F}/٢٠٢٥، ١:٣٠\u{00A0}م"),
        .init("ar-EG", "Europe/Berlin", .summer, "١٥\u{200F}/٠٧\u{200F}/٢٠٢٥، ٢:٣٠\u{00A0}م"),
        .init("id", "Europe/Berlin", .winter, "15 Jan 2025, 13.30"),
        .init("id", "Europe/Berlin", .summer, "15 Jul 2025, 14.30"),
        .init("es", "Europe/Berlin", .winter, "15 ene 2025, 13:30"),
        .init("es", "Europe/Berlin", .summer, "15 jul 2025, 14:30"),
        .init("bn", "Europe/Berlin", .winter, "১৫ জানু, ২০২৫, ১:৩০ PM"),
        .init("bn", "Europe/Berlin", .summer, "১৫ জুল, ২০২৫, ২:৩০ PM"),
        .init("tr", "Europe/Berlin", .winter, "15 Oca 2025 13:30"),
        .init("tr", "Europe/Berlin", .summer, "15 Tem 2025 14:30"),
        .init("ru", "Europe/Berlin", .winter, "15 янв. 2025\u{202F}г., 13:30"),
        .init("ru", "Europe/Berlin", .summer, "15 июл. 2025\u{202F}г., 14:30"),
    ]

    @Test(arguments: dateTimes)
    func dateTime(_ c: LocaleFormatterDateTimeCase) throws {
        let formatter = LocaleFormatter(locale: c.locale)
        #expect(formatter.dateTime(c.season.instant, timeZone: try FormattingFixture.zone(c.zone)) == c.expected)
    }

    @Test("the wall clock jumps at the DST transitions, the instant does not")
    func dstTransitions() throws {
        let berlin = try FormattingFixture.zone("Europe/Berlin")
        let german = LocaleFormatter(locale: "de")
        // 2025-03-30: 02:00 CET becomes 03:00 CEST (01:00Z).
        #expect(german.time(Date(timeIntervalSince1970: 1_743_296_399), style: .long, timeZone: berlin) == "01:59:59 MEZ")
        #expect(german.time(Date(timeIntervalSince1970: 1_743_296_400), style: .long, timeZone: berlin) == "03:00:00 MESZ")
        // 2025-10-26: 03:00 CEST becomes 02:00 CET (01:00Z); 02:xx happens twice.
        #expect(german.time(Date(timeIntervalSince1970: 1_761_440_399), style: .long, timeZone: berlin) == "02:59:59 MESZ")
        #expect(german.time(Date(timeIntervalSince1970: 1_761_440_400), style: .long, timeZone: berlin) == "02:00:00 MEZ")
    }

    @Test("the date is the one in the recipient's zone")
    func dateCrossesMidnight() throws {
        // 2025-01-15T23:30:00Z is already 16 January in India.
        let lateUTC = Date(timeIntervalSince1970: 1_736_983_800)
        #expect(LocaleFormatter(locale: "en").dateTime(lateUTC, timeZone: try FormattingFixture.zone("Asia/Kolkata")) == "Jan 16, 2025, 5:00\u{202F}AM")
        #expect(LocaleFormatter(locale: "en").dateTime(lateUTC, timeZone: try FormattingFixture.zone("America/Sao_Paulo")) == "Jan 15, 2025, 8:30\u{202F}PM")
    }

    @Test("CLDR month names where Foundation's differ")
    func monthNames() throws {
        let berlin = try FormattingFixture.zone("Europe/Berlin")
        // 2025-10-15T12:30:00Z
        let october = Date(timeIntervalSince1970: 1_760_531_400)
        #expect(LocaleFormatter(locale: "hi").date(october, style: .medium, timeZone: berlin) == "15 अक्टू॰ 2025")
        #expect(LocaleFormatter(locale: "hi").date(october, style: .long, timeZone: berlin) == "15 अक्टूबर 2025")
        #expect(LocaleFormatter(locale: "ru").date(FormattingSeason.summer.instant, style: .medium, timeZone: berlin) == "15 июл. 2025\u{202F}г.")
        // 2025-03-15T12:30:00Z
        let march = Date(timeIntervalSince1970: 1_742_041_800)
        #expect(LocaleFormatter(locale: "ru").date(march, style: .medium, timeZone: berlin) == "15 мар. 2025\u{202F}г.")
    }

    @Test("each locale's default calendar: Islamic (Umm al-Qura) for ar-SA, as ICU chooses")
    func defaultCalendar() throws {
        let text = LocaleFormatter(locale: "ar-SA").date(FormattingSeason.winter.instant, style: .long, timeZone: try FormattingFixture.zone("Asia/Riyadh"))
        // 15 Rajab 1446 AH.
        #expect(text.contains("رجب"))
        #expect(text.contains("١٤٤٦"))
    }

    /// Foundation turns `TimeZone(identifier: "UTC")` into GMT, so long and full times name GMT;
    /// `Etc/UTC` keeps CLDR's UTC names. Recorded so the renderer picks `Etc/UTC` for its default.
    @Test("UTC zone names depend on the identifier Foundation keeps")
    func utcNames() throws {
        let english = LocaleFormatter(locale: "en")
        #expect(english.time(FormattingSeason.winter.instant, style: .full, timeZone: try FormattingFixture.zone("Etc/UTC")) == "12:30:00\u{202F}PM Coordinated Universal Time")
        #expect(english.time(FormattingSeason.winter.instant, style: .long, timeZone: try FormattingFixture.zone("Etc/UTC")) == "12:30:00\u{202F}PM UTC")
        #expect(english.time(FormattingSeason.winter.instant, style: .long, timeZone: try FormattingFixture.zone("UTC")) == "12:30:00\u{202F}PM GMT")
    }

    @Test("formatters are shared safely across concurrent renders")
    func concurrentUse() async throws {
        let berlin = try FormattingFixture.zone("Europe/Berlin")
        let locales = ["en", "de", "hi", "ar-EG", "pt-BR", "bn", "ru", "id"]
        let expected = locales.map { LocaleFormatter(locale: $0).dateTime(FormattingSeason.winter.instant, timeZone: berlin) }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<100 {
                        let index = (task + round) % locales.count
                        let formatter = LocaleFormatter(locale: locales[index])
                        if formatter.dateTime(FormattingSeason.winter.instant, timeZone: berlin) != expected[index] { wrong += 1 }
                        _ = formatter.money(1234.5, currency: "EUR")
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}

// MARK: - The corrections themselves

@Suite("CLDR corrections")
struct CLDRCorrectionsTests {
    @Test("currency spacing inserts U+00A0 only where a letter touches a digit")
    func currencySpacing() {
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "Rp1.234") == "Rp\u{00A0}1.234")
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "-Rp1.234") == "-Rp\u{00A0}1.234")
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "1.234Kč") == "1.234\u{00A0}Kč")
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "$1,234.50") == "$1,234.50")
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "R$\u{00A0}1.234,56") == "R$\u{00A0}1.234,56")
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "১২,৩৪,৫৬৭.৮৯৳") == "১২,৩৪,৫৬৭.৮৯৳")
        #expect(CLDRCorrections.applyingCurrencySpacing(to: "₹12,34,567.89") == "₹12,34,567.89")
    }

    @Test("numbering systems are added only where Foundation's default differs and none was asked for")
    func numberingSystemTags() {
        #expect(CLDRCorrections.correctedTag(for: "bn") == "bn-u-nu-beng")
        #expect(CLDRCorrections.correctedTag(for: "bn-IN") == "bn-IN-u-nu-beng")
        #expect(CLDRCorrections.correctedTag(for: "bn-u-nu-latn") == "bn-u-nu-latn")
        #expect(CLDRCorrections.correctedTag(for: "mr") == "mr-u-nu-deva")
        #expect(CLDRCorrections.correctedTag(for: "ur-IN") == "ur-IN-u-nu-arabext")
        #expect(CLDRCorrections.correctedTag(for: "ur") == "ur")
        #expect(CLDRCorrections.correctedTag(for: "en-IN") == "en-IN")
    }

    @Test("date-time glue patterns")
    func glue() {
        #expect(DateTimeGlue(pattern: "{1}, {0}") == DateTimeGlue(dateFirst: true, separator: ", "))
        #expect(DateTimeGlue(pattern: "{1} 'at' {0}") == DateTimeGlue(dateFirst: true, separator: " at "))
        #expect(DateTimeGlue(pattern: "{0} {1}") == DateTimeGlue(dateFirst: false, separator: " "))
        #expect(DateTimeGlue(pattern: "{1} 'o''clock' {0}") == DateTimeGlue(dateFirst: true, separator: " o'clock "))
        #expect(DateTimeGlue(pattern: "{1}") == nil)
        #expect(DateTimeGlue(pattern: "{1} {2} {0}") == nil)
    }
}
