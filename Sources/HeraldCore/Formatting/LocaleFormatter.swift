import Foundation

/// Formats numbers, money, dates and times the way CLDR says for one locale. Sendable; cheap to reuse; thread-safe.
///
/// The data comes from the ICU that Foundation bundles (on Linux: swift-foundation-icu, ICU 76 with
/// CLDR 46), reached through Foundation's `FormatStyle`s and, for CLDR's date and time lengths,
/// `DateFormatter`. That ICU is Apple's fork, whose data differs from CLDR in a few places a bank
/// message shows; ``CLDRCorrections`` lists each difference this type puts right, with its source.
///
/// ```swift
/// let india = LocaleFormatter(locale: "en-IN")
/// india.money(1234567.89, currency: "INR")                     // "₹12,34,567.89"
/// LocaleFormatter(locale: "pt_BR").money(1234.56, currency: "BRL")  // "R$\u{00A0}1.234,56"
/// ```
///
/// Creating one is cheap (a canonical tag and a `Locale`); the formatters behind it are cached
/// process-wide, keyed by locale, style and time zone (see ``FormatterCache``), so a renderer can make
/// a `LocaleFormatter` per message.
///
/// ICU is the reference, not the hot path: for each key the format is learned from ICU once and
/// checked against it (``NumberPattern``, ``DatePattern``), then applied without ICU in a fraction of a
/// microsecond. Keys and values the learned formats cannot reproduce exactly (other
/// calendars, zone names, coefficients wider than 64 bits, …) go through ICU as before, so the output
/// is ICU's (with the corrections) either way.
public struct LocaleFormatter: Sendable {
    /// The requested tag in BCP 47 case (`pt_BR` → `pt-BR`), before any correction.
    let identifier: String
    /// The ICU form of `identifier` plus any ``CLDRCorrections`` numbering system
    /// (`bn` → `bn@numbers=beng`, `pt-BR` → `pt_BR`).
    let icuIdentifier: String
    let locale: Locale

    /// `locale` is a BCP 47 tag, in any case and with `-` or `_`: `pt-BR`, `pt_BR`, `pt-br`, `hi`,
    /// `ar`, `en-IN`, `bn-u-nu-latn`. Unknown tags fall back to ICU's root data rather than failing.
    public init(locale: String) {
        let canonical = LocaleNegotiation.canonical(locale.trimmingCharacters(in: .whitespaces))
        identifier = canonical
        // ICU's form (`bn@numbers=beng`), not BCP 47's (`bn-u-nu-beng`): swift-corelibs-foundation's
        // DateFormatter traps on some `-u-` tags (`bn-u-nu-beng`, `ar-u-nu-arab`) but takes these.
        icuIdentifier = Locale.identifier(.icu, from: CLDRCorrections.correctedTag(for: canonical))
        self.locale = Locale(identifier: icuIdentifier)
    }

    // MARK: Numbers

    /// How `{name, number, …}` shows a number; ICU MessageFormat's `number` styles.
    public enum NumberStyle: Sendable {
        /// CLDR's decimal pattern (`#,##0.###` or `#,##,##0.###`): grouping, at most three decimals.
        case plain
        /// Rounded to a whole number, half to even as ICU does (2.5 → 2, 3.5 → 4).
        case integer
        /// CLDR's percent pattern, no decimals: 0.256 → "26%". The value is a fraction (1 = 100 %).
        case percent
    }

    /// The number in the locale's digits, grouping (Indian lakh/crore for `en-IN`, `hi`, `bn`),
    /// decimal and group separators. Rounds half to even, as ICU does.
    public func number(_ value: Decimal, style: NumberStyle = .plain) -> String {
        if let pattern = FormatterCache.shared.numberPattern(for: self, kind: .number(style)),
            let formatted = pattern.format(value)
        {
            return formatted
        }
        return icuNumber(value, style: style)
    }

    /// ``number(_:style:)`` through ICU: the reference the fast path is learned from and checked against.
    func icuNumber(_ value: Decimal, style: NumberStyle) -> String {
        switch style {
        case .plain:
            // ICU's number skeletons default to six decimals; CLDR's decimal pattern allows three.
            return value.formatted(
                Decimal.FormatStyle(locale: locale)
                    .precision(.fractionLength(0...3))
                    .rounded(rule: .toNearestOrEven)
            )
        case .integer:
            return value.formatted(
                Decimal.FormatStyle(locale: locale)
                    .precision(.fractionLength(0))
                    .rounded(rule: .toNearestOrEven)
            )
        case .percent:
            // CLDR percent patterns (`#,##0%`) have no fraction digits; Foundation's default keeps them.
            return value.formatted(
                Decimal.FormatStyle.Percent(locale: locale)
                    .precision(.fractionLength(0))
                    .rounded(rule: .toNearestOrEven)
            )
        }
    }

    // MARK: Money

    /// The amount in the locale's currency format for `currency` (an ISO 4217 code, any case):
    /// CLDR symbol and placement, no-break spaces where CLDR puts them, and the currency's minor
    /// units from ICU's data (JPY 0, INR 2, KWD 3; IDR 0 — see ``CLDRCorrections``), rounding half
    /// to even. A code that is not three ASCII letters is not guessed at: the plain number is shown,
    /// followed by the code as given (`1,234.5 US$`), or alone when the code is empty.
    public func money(_ amount: Decimal, currency: String) -> String {
        guard let code = Self.currencyCode(currency) else { return Self.notCurrency(number(amount), currency: currency) }
        if let pattern = FormatterCache.shared.numberPattern(for: self, kind: .currency(code)),
            let formatted = pattern.format(amount)
        {
            return formatted
        }
        return icuMoney(amount, currency: currency)
    }

    private static func notCurrency(_ plain: String, currency: String) -> String {
        currency.isEmpty ? plain : plain + "\u{00A0}" + currency
    }

    /// The upper-case ISO 4217 code, or nil when `currency` is not three ASCII letters.
    private static func currencyCode(_ currency: String) -> String? {
        func isCode(_ text: String) -> Bool {
            text.utf8.count == 3 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        }
        // Most codes arrive upper-case; `uppercased()` is only for the rest (it can also make three
        // letters of fewer: `ßa` → `SSA`).
        if isCode(currency) { return currency }
        let code = currency.uppercased()
        return isCode(code) ? code : nil
    }

    /// ``money(_:currency:)`` through ICU: the reference the fast path is learned from and checked against.
    func icuMoney(_ amount: Decimal, currency: String) -> String {
        guard let code = Self.currencyCode(currency) else {
            return Self.notCurrency(icuNumber(amount, style: .plain), currency: currency)
        }
        let formatted = amount.formatted(
            Decimal.FormatStyle.Currency(code: code, locale: locale).rounded(rule: .toNearestOrEven)
        )
        return CLDRCorrections.applyingCurrencySpacing(to: formatted)
    }
}
