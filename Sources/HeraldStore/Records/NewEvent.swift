import Foundation

/// An event as the ingest API accepted it, before it is stored.
public struct NewEvent: Sendable, Hashable {
    /// The event's id, unique in the outbox (a second event with it is a duplicate).
    public var id: String
    /// When Herald received it; also the creation time of its deliveries.
    public var receivedAt: Date
    /// The event's JSON exactly as received.
    public var body: [UInt8]
    /// The names of the rules it matched, in rule order.
    public var matchedRules: [String]
    /// The sender's `Idempotency-Key`, if any: a second event with the same key is a duplicate
    /// of the first whatever its id.
    public var idempotencyKey: String?

    public init(id: String, receivedAt: Date, body: [UInt8], matchedRules: [String], idempotencyKey: String? = nil) {
        self.id = id
        self.receivedAt = receivedAt
        self.body = body
        self.matchedRules = matchedRules
        self.idempotencyKey = idempotencyKey
    }
}
