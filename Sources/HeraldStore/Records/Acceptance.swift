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

/// Asks ``Outbox/accept(_:leasing:)`` to lease the deliveries it stores as pending and due to
/// `owner` at once, as ``Outbox/claim(limit:now:lease:owner:)`` would: the caller attempts them
/// straight away instead of claiming them in another transaction. A caller that crashes holding
/// them lets the lease run out, and they are claimed again.
public struct AcceptLease: Sendable, Hashable {
    public var owner: String
    public var until: Date
    /// The most deliveries to lease (free workers); the rest wait in the outbox for a claim.
    public var limit: Int

    public init(owner: String, until: Date, limit: Int) {
        self.owner = owner
        self.until = until
        self.limit = limit
    }
}
