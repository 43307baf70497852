import Foundation

/// What happens to a delivery after an attempt, recorded with it by
/// ``Outbox/record(_:next:owner:)``. Every step counts the attempt and releases the lease.
public enum NextStep: Sendable, Hashable {
    /// The endpoint took it: the delivery is done.
    case delivered(channel: String, providerID: String?)
    /// Try the same channel again at that time.
    case retry(at: Date)
    /// Move to the channel at `index` (in the delivery's channels) and try it at that time.
    case nextChannel(index: Int, at: Date)
    /// Give up: the delivery is dead-lettered with the reason until someone requeues it.
    case dead(reason: String)
    /// Not sent: the rule's `expires` ran out first. Recorded as expired with the reason.
    case expired(reason: String)
    /// Not sent: the recipient opted out (or is paced out for good) since the event was accepted.
    case suppressed(reason: String)
}
