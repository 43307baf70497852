import Foundation

extension LocaleFormatter {
    /// CLDR's four date and time lengths, as in `{when, date, long}` and `{when, time, short}`.
    ///
    /// These are CLDR's `dateFormatLength`/`timeFormatLength` patterns (what ICU's `DateFormat`
    /// styles give), not `Date.FormatStyle`'s skeleton-based `.numeric`/`.abbreviated`, which differ:
    /// `en` short is `1/15/25` in CLDR but `1/15/2025` from `.numeric`.
    public enum DateTimeStyle: Sendable {
        /// `1/15/25`, `15/01/2025`, `15.01.25`.
        case short
        /// `Jan 15, 2025`, `15 de jan. de 2025`, `15.01.2025`.
        case medium
        /// `January 15, 2025`; times add a short zone name (`GMT+1`, `EST`, `MEZ`).
        case long
        /// `Wednesday, January 15, 2025`; times add the long zone name (`Central European Standard Time`).
        case full
    }

    /// The calendar date of `instant` in `timeZone`, in the locale's pattern for `style` and its
    /// default calendar (Gregorian for most locales; ICU picks others, e.g. Islamic for `ar-SA`).
    public func date(_ instant: Date, style: DateTimeStyle, timeZone: TimeZone) -> String {
        formatted(instant, kind: .date(style), timeZone: timeZone)
    }

    /// The wall-clock time of `instant` in `timeZone` (with its DST rules), in the locale's pattern
    /// for `style`: 12-hour (`2:30 PM`, `2:30 pm`) or 24-hour (`14:30`, `14.30`) as CLDR says.
    public func time(_ instant: Date, style: DateTimeStyle, timeZone: TimeZone) -> String {
        formatted(instant, kind: .time(style), timeZone: timeZone)
    }

    /// The compiled pattern when there is one and it takes this instant, else ICU.
    private func formatted(_ instant: Date, kind: FormatterCache.Kind, timeZone: TimeZone) -> String {
        if let pattern = FormatterCache.shared.datePattern(for: self, kind: kind, timeZone: timeZone),
            let formatted = pattern.format(instant)
        {
            return formatted
        }
        return icuFormatted(instant, kind: kind, timeZone: timeZone)
    }

    /// ``date(_:style:timeZone:)`` and ``time(_:style:timeZone:)`` through ICU: the reference the
    /// fast path is learned from and checked against.
    func icuFormatted(_ instant: Date, kind: FormatterCache.Kind, timeZone: TimeZone) -> String {
        FormatterCache.shared.dateFormatter(for: self, kind: kind, timeZone: timeZone).string(from: instant)
    }

    /// The default rendering of a datetime param shown with `{name}`: medium date and short time,
    /// joined with CLDR's medium `dateTimeFormat` (`Jan 15, 2025, 2:30 PM`; `15.01.2025, 14:30`;
    /// `15 Oca 2025 14:30`).
    public func dateTime(_ instant: Date, timeZone: TimeZone) -> String {
        if let pattern = FormatterCache.shared.dateTimePattern(for: self, timeZone: timeZone),
            let formatted = pattern.format(instant)
        {
            return formatted
        }
        let date = date(instant, style: .medium, timeZone: timeZone)
        let time = time(instant, style: .short, timeZone: timeZone)
        return joined(date: date, time: time)
    }

    /// ``dateTime(_:timeZone:)`` through ICU only.
    func icuDateTime(_ instant: Date, timeZone: TimeZone) -> String {
        joined(
            date: icuFormatted(instant, kind: .date(.medium), timeZone: timeZone),
            time: icuFormatted(instant, kind: .time(.short), timeZone: timeZone)
        )
    }

    private func joined(date: String, time: String) -> String {
        let glue = FormatterCache.shared.dateTimeGlue(for: self)
        return glue.dateFirst ? date + glue.separator + time : time + glue.separator + date
    }
}

/// How a locale joins a date and a time: CLDR's `dateTimeFormat` (`{1}, {0}`) read into its order
/// and the literal text between the two.
struct DateTimeGlue: Sendable, Hashable {
    var dateFirst: Bool
    var separator: String

    /// Reads a CLDR `dateTimeFormat` such as `{1}, {0}`, `{1} 'at' {0}` or `{0} {1}`; nil when it
    /// does not have the shape placeholder, literal, placeholder.
    init?(pattern: String) {
        guard pattern.count >= 6 else { return nil }
        if pattern.hasPrefix("{1}"), pattern.hasSuffix("{0}") {
            dateFirst = true
        } else if pattern.hasPrefix("{0}"), pattern.hasSuffix("{1}") {
            dateFirst = false
        } else {
            return nil
        }
        let middle = pattern.dropFirst(3).dropLast(3)
        guard !middle.contains("{") else { return nil }
        separator = DateTimeGlue.unquoted(middle)
    }

    init(dateFirst: Bool, separator: String) {
        self.dateFirst = dateFirst
        self.separator = separator
    }

    /// The text an LDML pattern literal stands for: `'at'` → `at`, `''` → `'`. Glue patterns hold
    /// no pattern letters outside quotes, so dropping the quotes is enough.
    static func unquoted(_ literal: Substring) -> String {
        var result = ""
        var characters = literal.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "'" {
                if pending == "'" {
                    result.append("'")
                    pending = characters.next()
                }
            } else {
                result.append(character)
            }
        }
        return result
    }
}
