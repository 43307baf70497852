import Foundation

/// A stored event with its deliveries, in the order they were planned.
public struct EventRecord: Sendable, Hashable {
    public var id: String
    public var receivedAt: Date
    /// The event's JSON exactly as received.
    public var body: [UInt8]
    public var matchedRules: [String]
    public var idempotencyKey: String?
    public var deliveries: [DeliveryRecord]

    public init(
        id: String, receivedAt: Date, body: [UInt8], matchedRules: [String], idempotencyKey: String?,
        deliveries: [DeliveryRecord]
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.body = body
        self.matchedRules = matchedRules
        self.idempotencyKey = idempotencyKey
        self.deliveries = deliveries
    }
}
