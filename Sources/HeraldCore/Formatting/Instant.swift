import Foundation

/// Instants from events: RFC 3339 strings (with offset or Z, optional fractional seconds) and epoch numbers.
///
/// | Value | Read as |
/// |---|---|
/// | `"2025-01-15T12:30:00Z"`, `"…T18:00:00.250+05:30"` | RFC 3339 `date-time`: the offset (or `Z`) is required; `t`, `z` and a space instead of `T` are accepted (RFC 3339 §5.6); any number of fraction digits, kept to nanoseconds; second `60` (a leap second) reads as the next second |
/// | a number below 1e11 in magnitude: `1736944200`, `1736944200.5` | seconds since 1970-01-01T00:00:00Z |
/// | a number of 1e11 or more in magnitude: `1736944200000` | milliseconds since then |
///
/// The 1e11 threshold cannot mislead for real instants: 1e11 seconds is in the year 5138, while
/// 1e11 milliseconds is 1973-03-03, so every date from 1973 to 5138 has exactly one reading.
/// Everything else is nil: strings that are not RFC 3339 (including epoch numbers written as
/// strings, dates without a time, and times without an offset, whose instant is unknown),
/// impossible dates (`2025-02-29`), hours past 23 or offsets past 23:59, non-finite numbers,
/// instants after 9999-12-31T23:59:59Z or before 0001-01-01T00:00:00Z, booleans, null, arrays and objects.
public enum Instant {
    /// Epoch numbers at or above this magnitude are milliseconds; below it, seconds.
    public static let millisecondsThreshold: Double = 1e11

    /// The instant `value` denotes, or nil when it denotes none (see the table above).
    public static func parse(_ value: JSONValue) -> Date? {
        switch value {
        case .string(let text): parse(rfc3339: text)
        case .number(let number): fromEpoch(number.value)
        default: nil
        }
    }

    /// `date` as Herald writes instants (the API, `herald test --json`): RFC 3339 in UTC with
    /// milliseconds, `2026-11-25T18:07:46.123Z`.
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Seconds, or milliseconds when `|value| ≥ 1e11`, since 1970-01-01T00:00:00Z.
    static func fromEpoch(_ value: Double) -> Date? {
        guard value.isFinite else { return nil }
        let seconds = abs(value) >= millisecondsThreshold ? value / 1000 : value
        guard seconds >= earliestSeconds, seconds <= latestSeconds else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years RFC 3339 can write.
    static let earliestSeconds: Double = -62_135_596_800
    static let latestSeconds: Double = 253_402_300_799

    /// An RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    static func parse(rfc3339 text: String) -> Date? {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.number(digits: 4), reader.skip("-"),
            let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2),
            reader.skip("T") || reader.skip("t") || reader.skip(" "),
            let hour = reader.number(digits: 2), reader.skip(":"),
            let minute = reader.number(digits: 2), reader.skip(":"),
            let second = reader.number(digits: 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var nanoseconds = 0
        if reader.skip(".") {
            guard let fraction = reader.fraction() else { return nil }
            nanoseconds = fraction
        }

        let offsetSeconds: Int
        if reader.skip("Z") || reader.skip("z") {
            offsetSeconds = 0
        } else {
            let sign: Int
            if reader.skip("+") {
                sign = 1
            } else if reader.skip("-") {
                sign = -1
            } else {
                return nil
            }
            guard let offsetHours = reader.number(digits: 2), reader.skip(":"),
                let offsetMinutes = reader.number(digits: 2),
                offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        guard reader.atEnd, year >= 1 else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        guard Double(seconds) >= earliestSeconds, Double(seconds) <= latestSeconds + 1 else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1_000_000_000)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads fixed-width ASCII digits and single separators from UTF-8 bytes.
private struct DigitReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { position == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func number(digits: Int) -> Int? {
        guard position + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[position..<position + digits] {
            guard let digit = Self.digit(byte) else { return nil }
            value = value * 10 + digit
        }
        position += digits
        return value
    }

    /// One or more digits after the decimal point, as nanoseconds; digits past the ninth are read
    /// and dropped.
    mutating func fraction() -> Int? {
        var nanoseconds = 0
        var count = 0
        while position < bytes.count, let digit = Self.digit(bytes[position]) {
            if count < 9 { nanoseconds = nanoseconds * 10 + digit }
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 9) { nanoseconds *= 10 }
        return nanoseconds
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
