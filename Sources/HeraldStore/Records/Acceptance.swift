import Foundation

/// An event and the deliveries planned for it, stored together or not at all.
public struct Acceptance: Sendable, Hashable {
    public var event: NewEvent
    public var deliveries: [NewDelivery]

    public init(event: NewEvent, deliveries: [NewDelivery]) {
        self.event = event
        self.deliveries = deliveries
    }
}

/// What ``Outbox/accept(_:)`` did with one acceptance.
public enum AcceptResult: Sendable, Hashable {
    /// Stored: from now on each of its deliveries is delivered or dead-lettered.
    case accepted
    /// Not stored because an event with the same id (or the same idempotency key) already is:
    /// that first event's id, when it was received and how many deliveries it planned.
    case duplicate(of: String, firstReceivedAt: Date, deliveries: Int)
}
