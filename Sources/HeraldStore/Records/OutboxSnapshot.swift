import Foundation

/// An outbox's contents as plain values, page by page: what ``SQLiteStore`` exports and
/// ``PostgresStore`` imports when `herald migrate --from` moves a single node's outbox into a
/// cluster's database. Every stored column travels except the leases (see ``SnapshotDelivery``).
public enum OutboxSnapshot {
    /// How many events one page (and one import transaction) holds by default.
    public static let defaultPageSize = 1000
}

/// A stored event with every row that hangs off it: its deliveries in planned order, and each
/// delivery's attempts, provider statuses and replies. Imported whole or not at all.
public struct SnapshotEvent: Sendable, Hashable {
    /// The event as it was accepted: id, received time, body, matched rules, idempotency key.
    public var event: NewEvent
    /// In the order they were planned (and, for reply callbacks, added).
    public var deliveries: [SnapshotDelivery]

    public var id: String { event.id }

    public init(event: NewEvent, deliveries: [SnapshotDelivery]) {
        self.event = event
        self.deliveries = deliveries
    }
}

/// A stored delivery with its history, as a snapshot carries it.
///
/// The lease is left behind on purpose: the node that held it is stopped before its outbox is
/// copied, so an attempt it had in flight either happened or not, and the delivery — still
/// pending — is claimed afresh by the new nodes (at least once). The fencing token is kept, so
/// tokens keep growing across the move.
public struct SnapshotDelivery: Sendable, Hashable {
    /// Every column a ``DeliveryRecord`` shows; its ``DeliveryRecord/lease`` is nil and its
    /// ``DeliveryRecord/attempts`` empty (``attempts`` carries them, with their lease tokens).
    public var record: DeliveryRecord
    /// When the provider's latest status (``DeliveryRecord/providerStatus``) happened.
    public var providerStatusAt: Date?
    /// The fencing token of the delivery's last claim (0 if never claimed).
    public var leaseToken: Int64
    /// Every attempt, oldest first.
    public var attempts: [SnapshotAttempt]
    /// Every provider status, oldest first.
    public var statuses: [StatusRecord]
    /// Every reply to it, oldest first.
    public var replies: [ReplyRecord]

    public init(record: DeliveryRecord, providerStatusAt: Date?, leaseToken: Int64, attempts: [SnapshotAttempt],
                statuses: [StatusRecord], replies: [ReplyRecord]) {
        self.record = record
        self.providerStatusAt = providerStatusAt
        self.leaseToken = leaseToken
        self.attempts = attempts
        self.statuses = statuses
        self.replies = replies
    }
}

/// A recorded attempt with the fencing token of the lease it was made under.
public struct SnapshotAttempt: Sendable, Hashable {
    public var record: AttemptRecord
    /// Nil for attempts recorded before Herald kept tokens.
    public var leaseToken: Int64?

    public init(record: AttemptRecord, leaseToken: Int64?) {
        self.record = record
        self.leaseToken = leaseToken
    }
}

/// A business key a rule's dedupe window holds: while it lasts, another event of the rule with
/// the same key is stored suppressed.
public struct DedupeKeyRecord: Sendable, Hashable {
    public var rule: String
    public var key: String
    /// The event that holds it.
    public var eventID: String
    /// When the window ends.
    public var expiresAt: Date

    public init(rule: String, key: String, eventID: String, expiresAt: Date) {
        self.rule = rule
        self.key = key
        self.eventID = eventID
        self.expiresAt = expiresAt
    }
}

/// How many rows of one kind an import wrote, and how many it left because the target held
/// them already (a second run, or a run after an interrupted one).
public struct ImportTally: Sendable, Hashable {
    public var copied: Int
    public var skipped: Int

    public init(copied: Int = 0, skipped: Int = 0) {
        self.copied = copied
        self.skipped = skipped
    }

    static func + (lhs: ImportTally, rhs: ImportTally) -> ImportTally {
        ImportTally(copied: lhs.copied + rhs.copied, skipped: lhs.skipped + rhs.skipped)
    }
}

/// What an import copied and skipped, kind by kind. Rows of a skipped event (attempts, statuses,
/// replies) count as skipped with it.
public struct ImportSummary: Sendable, Hashable {
    public var events = ImportTally()
    public var deliveries = ImportTally()
    /// The copied deliveries by status.
    public var deliveriesByStatus: [DeliveryStatus: Int] = [:]
    public var attempts = ImportTally()
    public var statuses = ImportTally()
    public var replies = ImportTally()
    public var optOuts = ImportTally()
    public var dedupeKeys = ImportTally()

    public init() {}

    /// Adds `other`'s counts to these.
    public mutating func add(_ other: ImportSummary) {
        events = events + other.events
        deliveries = deliveries + other.deliveries
        deliveriesByStatus.merge(other.deliveriesByStatus, uniquingKeysWith: +)
        attempts = attempts + other.attempts
        statuses = statuses + other.statuses
        replies = replies + other.replies
        optOuts = optOuts + other.optOuts
        dedupeKeys = dedupeKeys + other.dedupeKeys
    }
}
