/// Where a planned delivery stands in the outbox. Stored as its raw value.
public enum DeliveryStatus: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its next attempt, or being attempted under a worker's lease.
    case pending
    /// An endpoint took it.
    case delivered
    /// Its channels, retries or deadline ran out; kept with the reason until it is replayed.
    case dead
    /// Not sent, on purpose: the recipient opted out, or the same business key was sent within
    /// the rule's dedupe window. The reason says which.
    case suppressed
    /// Not delivered before the rule's `expires` ran out, so not sent late.
    case expired
}
