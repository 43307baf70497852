import Foundation
import Synchronization

/// The ICU date formatters behind ``LocaleFormatter``, made once per (locale, length, time zone)
/// and shared by every thread.
///
/// A `DateFormatter` costs tens of microseconds to set up (it opens an ICU `UDateFormat`) and a few
/// to use, so it is cached. `DateFormatter` is thread-safe (it guards its state with a lock), so one
/// instance can serve concurrent renders. Number and currency styles are not cached here: they are
/// plain values, and Foundation already caches the ICU number formatters behind them.
///
/// Keys come from recipients and events, so the cache is bounded: past ``limit`` entries it starts
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

    private let dateFormatters = Mutex<[Key: DateFormatter]>([:])
    private let glues = Mutex<[String: DateTimeGlue]>([:])

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

    func dateTimeGlue(for formatter: LocaleFormatter) -> DateTimeGlue {
        if let corrected = CLDRCorrections.dateTimeGlue(for: formatter.identifier) { return corrected }
        if let cached = glues.withLock({ $0[formatter.icuIdentifier] }) { return cached }
        let glue = Self.foundationGlue(for: formatter.locale)
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
