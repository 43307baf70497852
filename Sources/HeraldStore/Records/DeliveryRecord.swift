import Foundation

/// A stored delivery with its whole history, as the API and `herald deliveries` show it.
public struct DeliveryRecord: Sendable, Hashable {
    public var id: String
    public var eventID: String
    public var rule: String
    public var element: Int?
    public var channels: [String]
    /// The planned message, as stored.
    public var message: [UInt8]
    public var status: DeliveryStatus
    public var channelIndex: Int
    /// `channels[channelIndex]`.
    public var currentChannel: String?
    public var attemptsOnChannel: Int
    /// Attempts counted since it was accepted or last requeued (``attempts`` keeps them all).
    public var totalAttempts: Int
    /// When the next attempt is due (for a pending delivery).
    public var dueAt: Date
    public var expiresAt: Date?
    public var createdAt: Date
    /// When it was last changed: accepted, attempted, requeued.
    public var updatedAt: Date
    /// The provider's message id, once delivered.
    public var providerID: String?
    /// The channel that took it, once delivered.
    public var deliveredChannel: String?
    /// The last failed attempt's error: `code: message`.
    public var lastError: String?
    /// Why it is dead, while it is.
    public var deadReason: String?
    /// Every attempt, oldest first.
    public var attempts: [AttemptRecord]
    /// 0 for urgent, 1 for the others.
    public var priority: Int
    public var recipient: String?
    /// The provider's latest status for the message (sent, delivered, read, failed), when it sent one.
    public var providerStatus: String?
    /// The worker's hold on it while one attempts it (owner, fencing token, until when); nil when free.
    public var lease: Lease?

    public init(
        id: String, eventID: String, rule: String, element: Int?, channels: [String], message: [UInt8],
        status: DeliveryStatus, channelIndex: Int, attemptsOnChannel: Int, totalAttempts: Int,
        dueAt: Date, expiresAt: Date?, createdAt: Date, updatedAt: Date,
        providerID: String?, deliveredChannel: String?, lastError: String?, deadReason: String?,
        attempts: [AttemptRecord], priority: Int = 1, recipient: String? = nil, providerStatus: String? = nil, lease: Lease? = nil
    ) {
        self.lease = lease
        self.priority = priority
        self.recipient = recipient
        self.providerStatus = providerStatus
        self.id = id
        self.eventID = eventID
        self.rule = rule
        self.element = element
        self.channels = channels
        self.message = message
        self.status = status
        self.channelIndex = channelIndex
        self.currentChannel = channels.indices.contains(channelIndex) ? channels[channelIndex] : nil
        self.attemptsOnChannel = attemptsOnChannel
        self.totalAttempts = totalAttempts
        self.dueAt = dueAt
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.providerID = providerID
        self.deliveredChannel = deliveredChannel
        self.lastError = lastError
        self.deadReason = deadReason
        self.attempts = attempts
    }
}
