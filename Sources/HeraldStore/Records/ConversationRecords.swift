import Foundation

/// A provider's status for a delivered message (WhatsApp `statuses[]`, Twilio `MessageStatus`).
public struct StatusRecord: Sendable, Hashable {
    public var providerID: String
    public var status: String
    /// When the provider says it happened.
    public var at: Date
    public var receivedAt: Date
    /// Whether it moved the delivery's status (statuses only move forward).
    public var applied: Bool
    public var errorCode: String?
    public var errorMessage: String?

    public init(providerID: String, status: String, at: Date, receivedAt: Date, applied: Bool = false,
                errorCode: String? = nil, errorMessage: String? = nil) {
        self.providerID = providerID
        self.status = status
        self.at = at
        self.receivedAt = receivedAt
        self.applied = applied
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// What recording a status did.
public enum StatusOutcome: Sendable, Hashable {
    /// No delivery has this provider message id (not ours, or pruned).
    case unknownMessage
    /// This status of this message was recorded before (providers post at least once).
    case duplicate(deliveryID: String)
    /// Recorded in the history, but the delivery already had a later status.
    case ignored(deliveryID: String, current: String)
    /// Recorded and now the delivery's status; `previous` is what it had.
    case applied(deliveryID: String, previous: String?)
}

/// A customer's reply, tied to the delivery it answers when Herald could tell.
public struct ReplyRecord: Sendable, Hashable {
    /// The provider's id of the reply (a wamid, an SM… sid): each reply is stored once.
    public var providerMessageID: String
    public var deliveryID: String?
    /// The channel it came on (the endpoint's name).
    public var channel: String
    public var from: String
    /// `button`, `keyword`, `free_text`, `unknown_button`, `expired`, `opt_out`.
    public var kind: String
    public var button: String?
    public var text: String?
    public var receivedAt: Date
    /// The delivery that carries the reply to the business (`on_reply`), when there is one.
    public var callbackDeliveryID: String?

    public init(providerMessageID: String, deliveryID: String?, channel: String, from: String, kind: String, button: String? = nil,
                text: String? = nil, receivedAt: Date, callbackDeliveryID: String? = nil) {
        self.providerMessageID = providerMessageID
        self.deliveryID = deliveryID
        self.channel = channel
        self.from = from
        self.kind = kind
        self.button = button
        self.text = text
        self.receivedAt = receivedAt
        self.callbackDeliveryID = callbackDeliveryID
    }
}

/// A recipient who opted out of a category of messages.
public struct Suppression: Sendable, Hashable {
    public var address: String
    public var category: String
    public var reason: String
    public var createdAt: Date

    public init(address: String, category: String, reason: String, createdAt: Date) {
        self.address = address
        self.category = category
        self.reason = reason
        self.createdAt = createdAt
    }
}
