import Foundation
import Testing

@testable import HeraldCore

/// A JSON value from an event and the instant it denotes (seconds since 1970), or nil.
struct InstantCase: Sendable, CustomTestStringConvertible {
    let name: String
    let value: JSONValue
    let expected: Double?

    init(_ name: String, _ value: JSONValue, _ expected: Double?) {
        self.name = name
        self.value = value
        self.expected = expected
    }

    var testDescription: String { name }
}

@Suite("Instant")
struct InstantTests {
    /// 2025-01-15T12:30:00Z
    static let reference: Double = 1_736_944_200

    static let rfc3339: [InstantCase] = [
        .init("Z", "2025-01-15T12:30:00Z", reference),
        .init("lowercase t and z", "2025-01-15t12:30:00z", reference),
        .init("space separator (RFC 3339 §5.6)", "2025-01-15 12:30:00Z", reference),
        .init("+05:30 (India)", "2025-01-15T18:00:00+05:30", reference),
        .init("+05:45 (Nepal)", "2025-01-15T18:15:00+05:45", reference),
        .init("-03:00 (Brazil)", "2025-01-15T09:30:00-03:00", reference),
        .init("-00:00 (unknown local offset)", "2025-01-15T12:30:00-00:00", reference),
        .init("+14:00 crosses the date line", "2025-01-16T02:30:00+14:00", reference),
        .init("one fraction digit", "2025-01-15T12:30:00.5Z", reference + 0.5),
        .init("milliseconds with offset", "2025-01-15T18:00:00.250+05:30", reference + 0.25),
        .init("nanoseconds", "2025-01-15T12:30:00.000000001Z", reference + 0.000_000_001),
        .init("digits past nanoseconds are dropped", "2025-01-15T12:30:00.1234567891234Z", reference + 0.123_456_789),
        .init("the epoch", "1970-01-01T00:00:00Z", 0),
        .init("before the epoch", "1969-12-31T23:59:59Z", -1),
        .init("leap day", "2024-02-29T00:00:00Z", 1_709_164_800),
        .init("leap day of a 400-year", "2000-02-29T00:00:00Z", 951_782_400),
        .init("leap second reads as the next second", "2016-12-31T23:59:60Z", 1_483_228_800),
        .init("first representable", "0001-01-01T00:00:00Z", -62_135_596_800),
        .init("last representable", "9999-12-31T23:59:59Z", 253_402_300_799),
    ]

    static let epochs: [InstantCase] = [
        .init("seconds", .number(JSONNumber(1_736_944_200)), reference),
        .init("fractional seconds", .number(JSONNumber(1_736_944_200.5)), reference + 0.5),
        .init("milliseconds", .number(JSONNumber(1_736_944_200_000)), reference),
        .init("milliseconds with a remainder", .number(JSONNumber(1_736_944_200_123)), reference + 0.123),
        .init("exponent literal", .number(JSONNumber(1.7369442e9, literal: "1.7369442e9")), reference),
        .init("zero", .number(JSONNumber(0)), 0),
        .init("negative seconds", .number(JSONNumber(-1)), -1),
        .init("negative milliseconds (1914)", .number(JSONNumber(-1_736_944_200_000)), -reference),
        // The threshold: 1e11 − 1 is seconds (year 5138), 1e11 is milliseconds (1973-03-03T09:46:40Z).
        .init("just below 1e11 is seconds", .number(JSONNumber(99_999_999_999)), 99_999_999_999),
        .init("1e11 is milliseconds", .number(JSONNumber(100_000_000_000)), 100_000_000),
    ]

    static let invalid: [InstantCase] = [
        .init("date only", "2025-01-15", nil),
        .init("time only", "12:30:00Z", nil),
        .init("no offset (local time of an unknown zone)", "2025-01-15T12:30:00", nil),
        .init("no seconds", "2025-01-15T12:30Z", nil),
        .init("not a leap year", "2025-02-29T00:00:00Z", nil),
        .init("1900 is not a leap year", "1900-02-29T00:00:00Z", nil),
        .init("month 13", "2025-13-01T00:00:00Z", nil),
        .init("month 0", "2025-00-10T00:00:00Z", nil),
        .init("day 32", "2025-01-32T00:00:00Z", nil),
        .init("April 31", "2025-04-31T00:00:00Z", nil),
        .init("hour 24", "2025-01-15T24:00:00Z", nil),
        .init("minute 60", "2025-01-15T12:60:00Z", nil),
        .init("second 61", "2025-01-15T12:30:61Z", nil),
        .init("offset hour 24", "2025-01-15T12:30:00+24:00", nil),
        .init("offset minute 60", "2025-01-15T12:30:00+05:60", nil),
        .init("offset without colon", "2025-01-15T12:30:00+0530", nil),
        .init("offset with seconds", "2025-01-15T12:30:00+05:30:00", nil),
        .init("empty fraction", "2025-01-15T12:30:00.Z", nil),
        .init("comma fraction", "2025-01-15T12:30:00,5Z", nil),
        .init("one-digit month", "2025-1-15T12:30:00Z", nil),
        .init("leading space", " 2025-01-15T12:30:00Z", nil),
        .init("trailing space", "2025-01-15T12:30:00Z ", nil),
        .init("full-width digits", "２０２５-01-15T12:30:00Z", nil),
        .init("year 0", "0000-01-01T00:00:00Z", nil),
        .init("epoch seconds as a string", "1736944200", nil),
        .init("empty string", "", nil),
        .init("not a date", "tomorrow", nil),
        .init("null", .null, nil),
        .init("boolean", true, nil),
        .init("array", ["2025-01-15T12:30:00Z"], nil),
        .init("object", ["at": "2025-01-15T12:30:00Z"], nil),
        .init("NaN", .number(JSONNumber(Double.nan, literal: "NaN")), nil),
        .init("infinity", .number(JSONNumber(Double.infinity, literal: "1e999")), nil),
        .init("beyond year 9999 in milliseconds", .number(JSONNumber(1e300, literal: "1e300")), nil),
    ]

    @Test("RFC 3339 strings", arguments: rfc3339)
    func rfc3339String(_ c: InstantCase) throws {
        let parsed = try #require(Instant.parse(c.value))
        let expected = try #require(c.expected)
        #expect(abs(parsed.timeIntervalSince1970 - expected) < 1e-6, "\(parsed.timeIntervalSince1970) ≠ \(expected)")
    }

    @Test("epoch numbers: seconds below 1e11, milliseconds from 1e11", arguments: epochs)
    func epochNumber(_ c: InstantCase) throws {
        let parsed = try #require(Instant.parse(c.value))
        let expected = try #require(c.expected)
        #expect(abs(parsed.timeIntervalSince1970 - expected) < 1e-6, "\(parsed.timeIntervalSince1970) ≠ \(expected)")
    }

    @Test("values that denote no instant", arguments: invalid)
    func rejected(_ c: InstantCase) {
        #expect(Instant.parse(c.value) == nil)
    }

    @Test("a parsed instant renders in the recipient's zone")
    func parsedThenFormatted() throws {
        let instant = try #require(Instant.parse("2025-01-15T18:00:00+05:30"))
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(LocaleFormatter(locale: "de").dateTime(instant, timeZone: berlin) == "15.01.2025, 13:30")
    }

    /// From 1600 on: Foundation's calendar switches to Julian before 1582, RFC 3339 stays Gregorian.
    @Test("civil dates agree with Foundation's Gregorian calendar")
    func civilDays() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Etc/UTC"))
        for (year, month, day) in [(1600, 3, 1), (1969, 12, 31), (2000, 2, 29), (2100, 3, 1), (9999, 12, 31)] {
            let date = try #require(calendar.date(from: DateComponents(year: year, month: month, day: day)))
            let days = Instant.daysSinceEpoch(year: year, month: month, day: day)
            #expect(Double(days) * 86_400 == date.timeIntervalSince1970, "\(year)-\(month)-\(day)")
        }
    }
}
