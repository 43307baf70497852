import Foundation

/// One planned message of an accepted event, before it is stored: what to send, over which
/// channels in order, and from when until when.
public struct NewDelivery: Sendable, Hashable {
    /// Unique in the outbox, derived from the event: `evt-1/card-fraud-check`, `evt-1/flight-delay/2`.
    public var id: String
    /// The rule that planned it.
    public var rule: String
    /// For a rule that fans out over an array in the event, the element's index.
    public var element: Int?
    /// The channels (endpoint names) to try in order; at least one.
    public var channels: [String]
    /// The planned message as opaque JSON; the outbox stores and returns it untouched.
    public var message: [UInt8]
    /// The earliest time of the first attempt.
    public var dueAt: Date
    /// After this, the message is no use any more (a boarding gate that closed).
    public var expiresAt: Date?

    public init(
        id: String, rule: String, element: Int? = nil, channels: [String], message: [UInt8],
        dueAt: Date, expiresAt: Date? = nil
    ) {
        self.id = id
        self.rule = rule
        self.element = element
        self.channels = channels
        self.message = message
        self.dueAt = dueAt
        self.expiresAt = expiresAt
    }
}
