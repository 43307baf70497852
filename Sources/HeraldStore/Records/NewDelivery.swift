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
    /// 0 for urgent messages (claimed ahead of the rest), 1 for the others.
    public var priority: Int
    /// The recipient's address, for pacing, opt-outs and matching an SMS reply to its question.
    public var recipient: String?
    /// When set, the delivery is stored as suppressed with this reason and never sent (an opt-out).
    public var suppressedReason: String?
    /// When set, the delivery is stored as suppressed if the recipient opted out of this category
    /// (checked in the accept's own transaction).
    public var optOutCategory: String?
    /// When set, the delivery is sent only if no other event of the same rule claimed the same
    /// business key within the window; otherwise it is stored as suppressed.
    public var dedupe: Dedupe?

    /// A business key (a transaction id, a flight and its revision) and how long it blocks repeats.
    public struct Dedupe: Sendable, Hashable {
        public var key: String
        public var window: Duration

        public init(key: String, window: Duration) {
            self.key = key
            self.window = window
        }
    }

    public init(
        id: String, rule: String, element: Int? = nil, channels: [String], message: [UInt8],
        dueAt: Date, expiresAt: Date? = nil, priority: Int = 1, recipient: String? = nil,
        suppressedReason: String? = nil, dedupe: Dedupe? = nil, optOutCategory: String? = nil
    ) {
        self.optOutCategory = optOutCategory
        self.priority = priority
        self.recipient = recipient
        self.suppressedReason = suppressedReason
        self.dedupe = dedupe
        self.id = id
        self.rule = rule
        self.element = element
        self.channels = channels
        self.message = message
        self.dueAt = dueAt
        self.expiresAt = expiresAt
    }
}

extension NewDelivery {
    /// Why a delivery is stored suppressed because its recipient opted out (both stores say it alike).
    static func optedOutReason(category: String, reason: String) -> String {
        "recipient opted out of \(category) messages: \(reason)"
    }

    /// Why a delivery is stored suppressed because another event holds its rule's business key.
    static func duplicateReason(holder: String, rule: String, key: String) -> String {
        "duplicate of event '\(holder)': rule \(rule) already sent for key '\(key)' within its dedupe window"
    }
}
