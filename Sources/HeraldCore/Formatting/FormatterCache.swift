import Foundation
import Synchronization

/// The formatters behind ``LocaleFormatter``, made once per key and shared by every thread: ICU
/// `DateFormatter`s per (locale, length, time zone), and the compiled fast formats learned from ICU
/// (``NumberPattern`` per locale and number style or currency, ``DatePattern`` per date formatter key).
///
/// A `DateFormatter` costs tens of microseconds to set up (it opens an ICU `UDateFormat`) and a few
/// to use, so it is cached. `DateFormatter` is thread-safe (it guards its state with a lock), so one
/// instance can serve concurrent renders. A compiled pattern costs a few hundred ICU calls to learn
/// and check (well under a millisecond per key) and then formats without ICU; a key whose format
/// cannot be reproduced is remembered as ``Compiled/icu`` so it is not tried again.
///
/// Locks are held only to read or insert a dictionary entry; everything slow happens outside them
/// (two threads may both build the same entry; one of the two is kept, and they are equal).
///
/// Keys come from recipients and events, so each cache is bounded: past ``limit`` entries it starts
/// over, which costs only the set-up again.
final class FormatterCache: Sendable {
    static let shared = FormatterCache()
    static let limit = 512

    enum Kind: Hashable, Sendable {
        case date(LocaleFormatter.DateTimeStyle)
        case time(LocaleFormatter.DateTimeStyle)
    }

    private struct Key: Hashable, Sendable {
        var locale: String
        var kind: Kind
        var timeZone: String
    }

    /// What a key compiled to: a fast pattern, or ICU when the format could not be reproduced.
    enum Compiled<Pattern: Sendable>: Sendable {
        case fast(Pattern)
        case icu

        var pattern: Pattern? {
            if case .fast(let pattern) = self { pattern } else { nil }
        }
    }

    enum NumberKind: Hashable, Sendable {
        case number(LocaleFormatter.NumberStyle)
        /// An upper-case ISO 4217 code.
        case currency(String)
    }

    private struct NumberKey: Hashable, Sendable {
        var locale: String
        var kind: NumberKind
    }

    private let dateFormatters = Mutex<[Key: DateFormatter]>([:])
    private let glues = Mutex<[String: DateTimeGlue]>([:])
    private let numberPatterns = Mutex<[NumberKey: Compiled<NumberPattern>]>([:])
    private let datePatterns = Mutex<[Key: Compiled<DatePattern>]>([:])

    /// The compiled format for a number style or currency, nil when that key uses ICU.
    func numberPattern(for formatter: LocaleFormatter, kind: NumberKind) -> NumberPattern? {
        let key = NumberKey(locale: formatter.icuIdentifier, kind: kind)
        if let cached = numberPatterns.withLock({ $0[key] }) { return cached.pattern }
        let made: Compiled<NumberPattern> = switch kind {
        case .number(let style):
            NumberPattern.compile(scale: style == .percent ? 2 : 0) { formatter.icuNumber($0, style: style) }
                .map(Compiled.fast) ?? .icu
        case .currency(let code):
            NumberPattern.compile(scale: 0) { formatter.icuMoney($0, currency: code) }.map(Compiled.fast) ?? .icu
        }
        return numberPatterns.withLock { cache in
            if let existing = cache[key] { return existing.pattern }
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[key] = made
            return made.pattern
        }
    }

    private struct DateTimeKey: Hashable, Sendable {
        var locale: String
        var timeZone: String
    }

    private let dateTimePatterns = Mutex<[DateTimeKey: Compiled<DatePattern>]>([:])

    /// Medium date and short time joined by the locale's glue, compiled; nil when either part uses
    /// ICU or the joined pattern differs from the ICU parts joined on a probe.
    func dateTimePattern(for formatter: LocaleFormatter, timeZone: TimeZone) -> DatePattern? {
        let key = DateTimeKey(locale: formatter.icuIdentifier, timeZone: timeZone.identifier)
        if let cached = dateTimePatterns.withLock({ $0[key] }) { return cached.pattern }
        var made = Compiled<DatePattern>.icu
        if let date = datePattern(for: formatter, kind: .date(.medium), timeZone: timeZone),
            let time = datePattern(for: formatter, kind: .time(.short), timeZone: timeZone),
            let joined = DatePattern.joining(date: date, time: time, glue: dateTimeGlue(for: formatter)),
            DatePattern.probes(for: timeZone).allSatisfy({ instant in
                joined.format(instant).map { $0.utf8.elementsEqual(formatter.icuDateTime(instant, timeZone: timeZone).utf8) } ?? true
            })
        {
            made = .fast(joined)
        }
        return dateTimePatterns.withLock { cache in
            if let existing = cache[key] { return existing.pattern }
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[key] = made
            return made.pattern
        }
    }

    /// The compiled date or time pattern for a key, nil when that key uses ICU.
    func datePattern(for formatter: LocaleFormatter, kind: Kind, timeZone: TimeZone) -> DatePattern? {
        let key = Key(locale: formatter.icuIdentifier, kind: kind, timeZone: timeZone.identifier)
        if let cached = datePatterns.withLock({ $0[key] }) { return cached.pattern }
        let icu = dateFormatter(for: formatter, kind: kind, timeZone: timeZone)
        let made = DatePattern.compile(from: icu, timeZone: timeZone).map(Compiled.fast) ?? .icu
        return datePatterns.withLock { cache in
            if let existing = cache[key] { return existing.pattern }
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[key] = made
            return made.pattern
        }
    }

    func dateFormatter(for formatter: LocaleFormatter, kind: Kind, timeZone: TimeZone) -> DateFormatter {
        let key = Key(locale: formatter.icuIdentifier, kind: kind, timeZone: timeZone.identifier)
        if let cached = dateFormatters.withLock({ $0[key] }) { return cached }
        // Made outside the lock: setting up ICU is the slow part, and a duplicate is harmless.
        let made = Self.makeDateFormatter(for: formatter, kind: kind, timeZone: timeZone)
        return dateFormatters.withLock { cache in
            if let existing = cache[key] { return existing }
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[key] = made
            return made
        }
    }

    /// CLDR's corrected glue where there is one, else Foundation's; cached by the ICU identifier
    /// (which keeps the language the corrections are keyed by).
    func dateTimeGlue(for formatter: LocaleFormatter) -> DateTimeGlue {
        if let cached = glues.withLock({ $0[formatter.icuIdentifier] }) { return cached }
        let glue = CLDRCorrections.dateTimeGlue(for: formatter.identifier) ?? Self.foundationGlue(for: formatter.locale)
        glues.withLock { cache in
            if cache.count >= Self.limit { cache.removeAll(keepingCapacity: true) }
            cache[formatter.icuIdentifier] = glue
        }
        return glue
    }

    private static func makeDateFormatter(for formatter: LocaleFormatter, kind: Kind, timeZone: TimeZone) -> DateFormatter {
        let made = DateFormatter()
        made.locale = formatter.locale
        made.timeZone = timeZone
        let corrected = formatter.locale.calendar.identifier == .gregorian
            ? CLDRCorrections.patterns(for: formatter.identifier) : nil
        switch kind {
        case .date(let style):
            made.timeStyle = .none
            made.dateStyle = style.foundationStyle
            if let pattern = corrected?.date[style] { made.dateFormat = pattern }
        case .time(let style):
            made.dateStyle = .none
            made.timeStyle = style.foundationStyle
            if let pattern = corrected?.time[style] { made.dateFormat = pattern }
        }
        if let amSymbol = corrected?.amSymbol { made.amSymbol = amSymbol }
        if let pmSymbol = corrected?.pmSymbol { made.pmSymbol = pmSymbol }
        if let months = corrected?.months { made.monthSymbols = months }
        if let shortMonths = corrected?.shortMonths { made.shortMonthSymbols = shortMonths }
        return made
    }

    /// The glue in Foundation's own medium date + short time pattern: that pattern is the date
    /// pattern, CLDR's `dateTimeFormat` literal, and the time pattern (or the other way round).
    private static func foundationGlue(for locale: Locale) -> DateTimeGlue {
        func pattern(date: DateFormatter.Style, time: DateFormatter.Style) -> String {
            let formatter = DateFormatter()
            formatter.locale = locale
            formatter.dateStyle = date
            formatter.timeStyle = time
            return formatter.dateFormat
        }
        let date = pattern(date: .medium, time: .none)
        let time = pattern(date: .none, time: .short)
        let combined = pattern(date: .medium, time: .short)
        if combined.count > date.count + time.count {
            if combined.hasPrefix(date), combined.hasSuffix(time),
                let glue = DateTimeGlue(pattern: "{1}" + combined.dropFirst(date.count).dropLast(time.count) + "{0}")
            {
                return glue
            }
            if combined.hasPrefix(time), combined.hasSuffix(date),
                let glue = DateTimeGlue(pattern: "{0}" + combined.dropFirst(time.count).dropLast(date.count) + "{1}")
            {
                return glue
            }
        }
        // CLDR root's `{1} {0}`.
        return DateTimeGlue(dateFirst: true, separator: " ")
    }
}

extension LocaleFormatter.DateTimeStyle {
    var foundationStyle: DateFormatter.Style {
        switch self {
        case .short: .short
        case .medium: .medium
        case .long: .long
        case .full: .full
        }
    }
}
