import Foundation

/// Hours of the night when non-urgent messages wait (`protection: quiet_hours: {from: "22:00", to: "07:00"}`),
/// in the recipient's time zone.
///
/// A quiet period starts at the first instant the local clock shows `from` (or later) and ends at
/// the first instant it shows `to` (or later), on the same local day, or on the next when `to` is
/// not after `from` (a window across midnight). Around a change of clocks:
///
/// | Case | Example (America/New_York) | Herald's choice |
/// |---|---|---|
/// | `to` does not exist that day (clocks go forward) | `to: "02:30"` on 9 March 2025 | the moment the clocks jump (03:00 EDT) |
/// | `to` happens twice (clocks go back) | `to: "01:30"` on 2 November 2025 | the first 01:30 (EDT); the repeated hour is not quiet again |
///
/// Pure: `nextAllowed(at:timeZone:)` is given the instant; it reads no clock.
public struct QuietHours: Sendable, Hashable {
    /// A wall-clock time, `HH:MM`.
    public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var hour: Int
        public var minute: Int

        /// nil unless 0 ≤ hour ≤ 23 and 0 ≤ minute ≤ 59.
        public init?(hour: Int, minute: Int) {
            guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            self.hour = hour
            self.minute = minute
        }

        /// `"22:00"`, `"7:30"`; nil for anything else.
        public init?(parsing text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
                  parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
            self.init(hour: hour, minute: minute)
        }

        var secondsIntoDay: Int { hour * 3600 + minute * 60 }

        public var description: String {
            (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
        }

        public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.secondsIntoDay < rhs.secondsIntoDay }
    }

    public var from: TimeOfDay
    public var to: TimeOfDay

    /// `from` and `to` should differ (herald.yaml refuses a window of no length); when equal, no time is quiet.
    public init(from: TimeOfDay, to: TimeOfDay) {
        self.from = from
        self.to = to
    }

    /// Whether the window crosses midnight (`22:00`–`07:00`).
    public var crossesMidnight: Bool { to < from }

    /// `instant` itself when it is outside quiet hours in `timeZone`, else the end of the quiet
    /// period it falls in.
    public func nextAllowed(at instant: Date, timeZone: TimeZone) -> Date {
        guard from != to else { return instant }
        let wall = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        let day = Int((wall / 86_400).rounded(.down))
        // The period that started yesterday may still run (across midnight); then today's.
        for startDay in [day - 1, day] {
            let start = Self.firstInstant(atOrAfterWall: Double(startDay * 86_400 + from.secondsIntoDay), in: timeZone)
            let endDay = crossesMidnight ? startDay + 1 : startDay
            let end = Self.firstInstant(atOrAfterWall: Double(endDay * 86_400 + to.secondsIntoDay), in: timeZone)
            if start <= instant && instant < end { return end }
        }
        return instant
    }

    /// Whether `instant` is inside quiet hours.
    public func isQuiet(at instant: Date, timeZone: TimeZone) -> Bool {
        nextAllowed(at: instant, timeZone: timeZone) != instant
    }

    /// The first instant at which the local clock of `zone` shows `wall` (seconds since 1970-01-01
    /// 00:00 local) or later: the earlier one when that time happens twice, the moment of the jump
    /// when it does not happen at all.
    static func firstInstant(atOrAfterWall wall: Double, in zone: TimeZone) -> Date {
        // The offsets in force a day either side cover any single change of clocks.
        let before = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - 86_400)))
        let after = Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall + 86_400)))
        let candidates = [wall - before, wall - after].filter { Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0))) == wall - $0 }
        if let earliest = candidates.min() { return Date(timeIntervalSince1970: earliest) }
        // A gap: the clocks jumped over `wall`. Find the jump between the two readings, to the second.
        var low = min(wall - before, wall - after), high = max(wall - before, wall - after)
        while high - low > 1 {
            let middle = ((low + high) / 2).rounded(.down)
            if Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: middle))) == before { low = middle } else { high = middle }
        }
        return Date(timeIntervalSince1970: high)
    }
}
