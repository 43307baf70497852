import Foundation

/// A delivery a worker has leased by ``Outbox/claim(limit:now:lease:owner:)``: everything it
/// needs to make the next attempt, and the lease it holds it under.
public struct ClaimedDelivery: Sendable, Hashable {
    public var id: String
    /// The worker's hold on it: what ``Outbox/record(_:next:lease:)`` must present.
    public var lease: Lease
    public var eventID: String
    public var rule: String
    public var element: Int?
    /// The channels in order; ``channelIndex`` is the current one.
    public var channels: [String]
    /// The planned message, as stored.
    public var message: [UInt8]
    /// Which of ``channels`` to attempt now.
    public var channelIndex: Int
    /// Attempts already made on the current channel.
    public var attemptsOnChannel: Int
    /// Attempts already made on all channels (since the last requeue).
    public var totalAttempts: Int
    /// When the event was accepted.
    public var createdAt: Date
    public var dueAt: Date
    public var expiresAt: Date?
    /// 0 for urgent, 1 for the others.
    public var priority: Int = 1
    public var recipient: String?

    /// The current channel, or nil if the index is past the channels (never, for stored data).
    public var currentChannel: String? {
        channels.indices.contains(channelIndex) ? channels[channelIndex] : nil
    }

    public init(
        id: String, eventID: String, rule: String, element: Int?, channels: [String], message: [UInt8],
        channelIndex: Int, attemptsOnChannel: Int, totalAttempts: Int, createdAt: Date, dueAt: Date, expiresAt: Date?,
        priority: Int = 1, recipient: String? = nil, lease: Lease
    ) {
        self.lease = lease
        self.priority = priority
        self.recipient = recipient
        self.id = id
        self.eventID = eventID
        self.rule = rule
        self.element = element
        self.channels = channels
        self.message = message
        self.channelIndex = channelIndex
        self.attemptsOnChannel = attemptsOnChannel
        self.totalAttempts = totalAttempts
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.expiresAt = expiresAt
    }
}
