import Foundation

/// At most `limit` messages per recipient in any `per`-long window (`protection: pacing: 5/h`),
/// across rules. Urgent rules are not paced, and their messages do not count.
///
/// A sliding window: a message sent at `t` occupies a slot until `t + per`.
///
/// | limit | per | sent at | now | decision |
/// |---|---|---|---|---|
/// | 5 | 1h | 4 times in the last hour | any | send now |
/// | 5 | 1h | 10:00, 10:10, 10:20, 10:30, 10:40 | 10:45 | wait until 11:00 |
/// | 5 | 1h | 09:30, 10:00, 10:10, 10:20, 10:30, 10:40 | 10:45 | wait until 11:00 (09:30 has left the window) |
public struct Pacing: Sendable, Hashable {
    public var limit: Int
    public var per: Duration

    /// `limit` is at least 1 (herald.yaml refuses less); `per` is an hour or a day in herald.yaml.
    public init(limit: Int, per: Duration) {
        self.limit = max(1, limit)
        self.per = per
    }

    /// nil when a message may go now; else the earliest time a slot frees.
    /// - Parameter sentTimes: when the recipient's earlier (non-urgent) messages were sent, in any
    ///   order; times older than the window are ignored.
    public func decide(sentTimes: [Date], now: Date) -> Date? {
        let window = per.inSeconds
        let recent = sentTimes.filter { $0.timeIntervalSince(now) > -window }.sorted()
        guard recent.count >= limit else { return nil }
        // The slot that frees first is the one whose leaving brings the count below the limit.
        return recent[recent.count - limit].addingTimeInterval(window)
    }
}
