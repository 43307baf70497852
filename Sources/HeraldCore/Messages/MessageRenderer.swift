import Foundation

/// A param's value, typed the way the rule declared it, ready to be formatted.
public enum MessageArgument: Sendable, Hashable {
    /// Shown verbatim (a name, a flight number, a last-4).
    case text(String)
    /// A number, with its literal so plural rules see its visible fraction digits (`1.50`).
    case number(Decimal, literal: String)
    /// An amount of money in an ISO 4217 currency.
    case money(Decimal, currency: String)
    /// An instant, shown in a time zone.
    case instant(Date, timeZone: TimeZone)
}

/// Why a message could not be rendered. Checked rules make these rare: they come from event values
/// (a missing param, text where a number belongs).
public struct RenderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var argument: String
    public var message: String

    public init(argument: String, message: String) {
        self.argument = argument
        self.message = message
    }

    public var description: String { "{\(argument)}: \(message)" }
}

/// Renders a parsed message in one locale: CLDR numbers, money, dates, plural and ordinal categories.
/// Pure and reusable across messages of the same locale.
public struct MessageRenderer: Sendable {
    public let locale: String
    private let formatter: LocaleFormatter
    private let cardinal: PluralRules
    private let ordinal: PluralRules
    /// Right-to-left locales wrap every formatted argument in Unicode bidi isolates.
    public let isRightToLeft: Bool

    public init(locale: String) {
        self.locale = locale
        self.formatter = LocaleFormatter(locale: locale)
        self.cardinal = PluralRules.rules(for: locale, kind: .cardinal)
        self.ordinal = PluralRules.rules(for: locale, kind: .ordinal)
        self.isRightToLeft = MessageRenderer.isRightToLeft(locale)
    }

    /// Languages written right to left (CLDR's character order for their default script).
    static let rightToLeftLanguages: Set<String> = ["ar", "he", "iw", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "syr"]

    public static func isRightToLeft(_ locale: String) -> Bool {
        let subtags = LocaleNegotiation.canonical(locale).split(separator: "-")
        guard let language = subtags.first else { return false }
        // An explicit Latin script (`az-Latn`) or Arabic script (`pa-Arab`) decides.
        if subtags.contains("Latn") || subtags.contains("Cyrl") || subtags.contains("Deva") { return false }
        if subtags.contains("Arab") || subtags.contains("Hebr") { return true }
        return rightToLeftLanguages.contains(String(language))
    }

    public func render(_ message: MessageFormat, arguments: [String: MessageArgument]) throws(RenderError) -> String {
        var out = ""
        // One allocation for most messages instead of one per doubling.
        out.reserveCapacity(256)
        try render(message.parts, arguments: arguments, pound: nil, into: &out)
        return out
    }

    /// `pound`: the number `#` stands for inside a plural case, already offset.
    private func render(_ parts: [MessageFormat.Part], arguments: [String: MessageArgument], pound: Decimal?,
                        into out: inout String) throws(RenderError) {
        for part in parts {
            switch part {
            case .text(let text):
                out += text
            case .pound:
                if let pound { isolate(formatter.number(pound), into: &out) } else { out += "#" }
            case .argument(let name, let format):
                guard let value = arguments[name] else {
                    throw RenderError(argument: name, message: "no value")
                }
                try render(name: name, value: value, format: format, arguments: arguments, into: &out)
            }
        }
    }

    private func render(name: String, value: MessageArgument, format: MessageFormat.ArgumentFormat,
                        arguments: [String: MessageArgument], into out: inout String) throws(RenderError) {
        switch format {
        case .plain:
            isolate(plain(value), into: &out)
        case .number(let style):
            isolate(try number(name: name, value: value, style: style), into: &out)
        case .date(let style), .time(let style):
            guard case .instant(let date, let zone) = value else {
                throw RenderError(argument: name, message: "a date or time needs a datetime param, not \(value.kindName)")
            }
            let dateStyle = MessageRenderer.dateTimeStyle(style)
            if case .date = format {
                isolate(formatter.date(date, style: dateStyle, timeZone: zone), into: &out)
            } else {
                isolate(formatter.time(date, style: dateStyle, timeZone: zone), into: &out)
            }
        case .plural(let offset, let cases), .selectOrdinal(let offset, let cases):
            let (amount, literal) = try numeric(name: name, value: value)
            let rules: PluralRules = if case .plural = format { cardinal } else { ordinal }
            let adjusted = offset == 0 ? amount : amount - Decimal(offset)
            let operandsText = offset == 0 ? literal : "\(adjusted)"
            let operands = PluralOperands(decimal: operandsText) ?? PluralOperands(NSDecimalNumber(decimal: adjusted).doubleValue)
            let category = rules.category(for: operands)
            // Only for `=n` cases: NSDecimalNumber allocates.
            let exact = cases.contains { if case .exact = $0.selector { true } else { false } }
                ? NSDecimalNumber(decimal: amount).doubleValue : nil
            let chosen = cases.first { if case .exact(let n) = $0.selector { return n == exact } else { return false } }
                ?? cases.first { $0.selector == .category(category) }
                ?? cases.first { $0.selector == .category(.other) }
            guard let chosen else { throw RenderError(argument: name, message: "no case for \(category.rawValue)") }
            try render(chosen.message, arguments: arguments, pound: adjusted, into: &out)
        case .select(let cases):
            let keyword: String
            switch value {
            case .text(let text): keyword = text
            case .number(_, let literal): keyword = literal
            default: throw RenderError(argument: name, message: "select needs text, not \(value.kindName)")
            }
            let chosen = cases.first { $0.keyword == keyword } ?? cases.first { $0.keyword == "other" }
            guard let chosen else { throw RenderError(argument: name, message: "no case for '\(keyword)'") }
            try render(chosen.message, arguments: arguments, pound: nil, into: &out)
        }
    }

    /// `{name}`: text verbatim, numbers and money in the locale's format, instants as date and time.
    private func plain(_ value: MessageArgument) -> String {
        switch value {
        case .text(let text): text
        case .number(let number, _): formatter.number(number)
        case .money(let amount, let currency): formatter.money(amount, currency: currency)
        case .instant(let date, let zone): formatter.dateTime(date, timeZone: zone)
        }
    }

    private func number(name: String, value: MessageArgument, style: String?) throws(RenderError) -> String {
        if case .money(let amount, let currency) = value, style == "currency" || style == nil {
            return formatter.money(amount, currency: currency)
        }
        let (amount, _) = try numeric(name: name, value: value)
        switch style {
        case "integer": return formatter.number(amount, style: .integer)
        case "percent": return formatter.number(amount, style: .percent)
        case "currency": throw RenderError(argument: name, message: "currency style needs a money param")
        default: return formatter.number(amount)
        }
    }

    private func numeric(name: String, value: MessageArgument) throws(RenderError) -> (Decimal, String) {
        switch value {
        case .number(let number, let literal): return (number, literal)
        case .money(let amount, _): return (amount, "\(amount)")
        case .text(let text):
            if let number = MessageArgument.decimal(text) { return (number, text) }
            throw RenderError(argument: name, message: "'\(text)' is not a number")
        case .instant: throw RenderError(argument: name, message: "a datetime is not a number")
        }
    }

    static func dateTimeStyle(_ style: String?) -> LocaleFormatter.DateTimeStyle {
        switch style {
        case "short": .short
        case "long": .long
        case "full": .full
        default: .medium  // ICU's default for {d, date} and {d, time}
        }
    }

    /// First-strong isolate … pop directional isolate: a number or Latin name inside Arabic text
    /// keeps its own direction and does not reorder the words around it.
    private func isolate(_ text: String, into out: inout String) {
        if isRightToLeft {
            out += "\u{2068}"
            out += text
            out += "\u{2069}"
        } else {
            out += text
        }
    }
}

extension MessageArgument {
    var kindName: String {
        switch self {
        case .text: "text"
        case .number: "a number"
        case .money: "money"
        case .instant: "a datetime"
        }
    }

    /// A decimal from JSON-number-like text (`48000.50`, `-3`, `1e3`), without locale.
    static func decimal(_ text: String) -> Decimal? {
        guard let first = text.first, first == "-" || first.isNumber,
              text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}
