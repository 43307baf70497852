import Foundation

/// How much work the outbox holds, for backpressure (refuse new events when the backlog is too
/// old) and for metrics.
public struct OutboxDepth: Sendable, Hashable {
    /// Deliveries still to be delivered, due or not, leased or not.
    public var pending: Int
    /// Those of them due by now: the backlog the workers have not caught up with.
    public var due: Int
    /// Dead-lettered deliveries waiting for someone to look at them.
    public var dead: Int
    /// The earliest due time among pending deliveries.
    public var oldestPendingDueAt: Date?
    /// How long the longest-waiting due delivery has waited past its due time; zero when none is due.
    public var lag: Duration

    public init(pending: Int, due: Int, dead: Int, oldestPendingDueAt: Date?, lag: Duration) {
        self.pending = pending
        self.due = due
        self.dead = dead
        self.oldestPendingDueAt = oldestPendingDueAt
        self.lag = lag
    }
}
