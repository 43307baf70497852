import Foundation

/// HTTP dates (RFC 9110 §5.6.7), for `Retry-After` and for writing `Date` headers.
///
/// | Form | Example | Read | Written |
/// |---|---|---|---|
/// | IMF-fixdate (preferred) | `Sun, 06 Nov 1994 08:49:37 GMT` | yes | yes |
/// | obsolete RFC 850 | `Sunday, 06-Nov-94 08:49:37 GMT` | yes: a two-digit year more than 50 years ahead of `now` is read as the century before (RFC 9110's rule) | no |
/// | obsolete asctime | `Sun Nov  6 08:49:37 1994` | yes | no |
///
/// Names are matched case-sensitively as the grammar writes them; the day name must be a day name
/// but need not agree with the date (senders get it wrong, and the date is what matters).
/// Anything else — other zones, impossible dates, trailing text — is nil.
public enum HTTPDate {
    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The instant an HTTP date names, or nil when `text` is not one. `now` only serves the
    /// two-digit years of the RFC 850 form.
    public static func parse(_ text: String, now: Date = Date(timeIntervalSince1970: 0)) -> Date? {
        let tokens = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch tokens.count {
        case 6: return imfFixdate(tokens)
        case 4: return rfc850(tokens, now: now)
        case 5: return asctime(tokens)
        default: return nil
        }
    }

    /// `date` as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (fractions of a second dropped).
    public static func format(_ date: Date) -> String {
        let (civil, weekday) = components(of: date)
        return "\(dayNames[weekday]), \(twoDigits(civil.day)) \(monthNames[civil.month - 1]) \(civil.year) "
            + "\(twoDigits(civil.hour)):\(twoDigits(civil.minute)):\(twoDigits(civil.second)) GMT"
    }

    // MARK: - Reading

    /// `Sun,` `06` `Nov` `1994` `08:49:37` `GMT`
    private static func imfFixdate(_ t: [String]) -> Date? {
        guard t[0].hasSuffix(","), dayNames.contains(String(t[0].dropLast())), t[5] == "GMT",
              t[1].utf8.count == 2, let day = digits(t[1]),
              let month = monthNames.firstIndex(of: t[2]),
              t[3].utf8.count == 4, let year = digits(t[3]) else { return nil }
        return instant(year: year, month: month + 1, day: day, time: t[4])
    }

    /// `Sunday,` `06-Nov-94` `08:49:37` `GMT`
    private static func rfc850(_ t: [String], now: Date) -> Date? {
        guard t[0].hasSuffix(","), longDayNames.contains(String(t[0].dropLast())), t[3] == "GMT" else { return nil }
        let parts = t[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0].utf8.count == 2, let day = digits(parts[0]),
              let month = monthNames.firstIndex(of: parts[1]),
              parts[2].utf8.count == 2, let shortYear = digits(parts[2]) else { return nil }
        // RFC 9110: a year that looks more than 50 years ahead is the most recent past year with those digits.
        let currentYear = components(of: now).civil.year
        var year = currentYear - currentYear % 100 + shortYear
        if year > currentYear + 50 { year -= 100 }
        return instant(year: year, month: month + 1, day: day, time: t[2])
    }

    /// `Sun` `Nov` `6` `08:49:37` `1994`
    private static func asctime(_ t: [String]) -> Date? {
        guard dayNames.contains(t[0]), let month = monthNames.firstIndex(of: t[1]),
              (1...2).contains(t[2].utf8.count), let day = digits(t[2]),
              t[4].utf8.count == 4, let year = digits(t[4]) else { return nil }
        return instant(year: year, month: month + 1, day: day, time: t[3])
    }

    private static func instant(year: Int, month: Int, day: Int, time: String) -> Date? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ $0.utf8.count == 2 }),
              let hour = digits(parts[0]), let minute = digits(parts[1]), let second = digits(parts[2]),
              hour <= 23, minute <= 59, second <= 60,
              year >= 1, day >= 1, day <= Instant.daysIn(month: month, year: year) else { return nil }
        let days = Instant.daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// ASCII digits only (no sign, no spaces), as a number.
    private static func digits(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    // MARK: - Writing

    struct Civil {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// UTC calendar fields of `date` and its weekday (0 = Monday), by Howard Hinnant's `civil_from_days`.
    static func components(of date: Date) -> (civil: Civil, weekday: Int) {
        let interval = date.timeIntervalSince1970
        let total = interval.isFinite ? Int(max(min(interval, 253_402_300_799), -62_135_596_800).rounded(.down)) : 0
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondsOfDay = total - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        let weekday = ((days % 7) + 7 + 3) % 7
        return (Civil(year: year, month: month, day: day, hour: secondsOfDay / 3600,
                      minute: secondsOfDay % 3600 / 60, second: secondsOfDay % 60), weekday)
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
