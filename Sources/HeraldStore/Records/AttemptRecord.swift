import Foundation

/// One attempt to deliver over one channel, as recorded in a delivery's history.
public struct AttemptRecord: Sendable, Hashable {
    public var deliveryID: String
    /// The endpoint it was made on.
    public var channel: String
    /// Its number on that channel, from 1.
    public var number: Int
    public var startedAt: Date
    /// How long it took (stored to the microsecond).
    public var duration: Duration
    /// `delivered`, `retryable`, `permanent` or `skipped` (not tried: circuit open, rate limit).
    public var outcome: String
    /// The provider's message id when it took the message.
    public var providerID: String?
    /// A short machine-readable code: an HTTP status, `timeout`, a provider's error code.
    public var errorCode: String?
    /// What went wrong, in words.
    public var errorMessage: String?
    /// The node that made it (`--node`, or host name and pid).
    public var node: String?

    public init(
        deliveryID: String, channel: String, number: Int, startedAt: Date, duration: Duration, outcome: String,
        providerID: String? = nil, errorCode: String? = nil, errorMessage: String? = nil, node: String? = nil
    ) {
        self.node = node
        self.deliveryID = deliveryID
        self.channel = channel
        self.number = number
        self.startedAt = startedAt
        self.duration = duration
        self.outcome = outcome
        self.providerID = providerID
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

extension AttemptRecord {
    /// A failed attempt's error as kept on the delivery: `code: message`, or either alone.
    var lastError: String? {
        switch (errorCode, errorMessage) {
        case (let code?, let message?): "\(code): \(message)"
        case (let code?, nil): code
        case (nil, let message?): message
        case (nil, nil): nil
        }
    }
}
