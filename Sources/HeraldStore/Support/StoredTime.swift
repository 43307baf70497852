import Foundation

/// How times are stored: a `Date` as whole milliseconds since 1970-01-01T00:00:00Z (an SQLite
/// INTEGER, so `due_at <= ?` compares numbers and the indexes sort by time), a `Duration` as whole
/// milliseconds (leases) or microseconds (attempt durations). Values out of `Int64`'s range
/// saturate rather than trap.
enum StoredTime {
    static func milliseconds(_ date: Date) -> Int64 {
        saturating(date.timeIntervalSince1970 * 1000)
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        scaled(duration, unitsPerSecond: 1000)
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        scaled(duration, unitsPerSecond: 1_000_000)
    }

    static func duration(microseconds: Int64) -> Duration {
        .microseconds(microseconds)
    }

    /// `date + duration`, in stored milliseconds.
    static func milliseconds(_ date: Date, plus duration: Duration) -> Int64 {
        let (sum, overflow) = milliseconds(date).addingReportingOverflow(milliseconds(duration))
        guard !overflow else { return duration < .zero ? .min : .max }
        return sum
    }

    private static func scaled(_ duration: Duration, unitsPerSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: unitsPerSecond)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let fraction = attoseconds / (1_000_000_000_000_000_000 / unitsPerSecond)
        let (total, overflow2) = whole.addingReportingOverflow(fraction)
        guard !overflow2 else { return seconds < 0 ? .min : .max }
        return total
    }

    private static func saturating(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        let rounded = value.rounded()
        // 2^63 is exactly representable; anything at or past it saturates.
        if rounded >= 9_223_372_036_854_775_807.0 { return .max }
        if rounded <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(rounded)
    }
}
