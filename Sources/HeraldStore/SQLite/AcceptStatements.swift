import Foundation
import GRDB

/// The SQL of accepting one event with its deliveries, inside a transaction the caller holds.
enum AcceptStatements {
    /// Deliveries to lease as they are stored (``AcceptLease``), and those leased so far.
    struct Leasing {
        var owner: String
        var until: Int64
        var remaining: Int
        var leased: [ClaimedDelivery] = []
    }

    /// Stores the event and its deliveries, or finds the event it duplicates (same id first, then
    /// same idempotency key) and stores nothing. Pending deliveries due by the event's arrival are
    /// leased while `leasing` has room.
    static func store(_ acceptance: Acceptance, leasing: inout Leasing?, in db: Database) throws -> AcceptResult {
        let event = acceptance.event
        if let first = try firstEvent(id: event.id, idempotencyKey: event.idempotencyKey, in: db) {
            return first
        }
        for delivery in acceptance.deliveries where delivery.channels.isEmpty {
            throw StoreFailure.invalidInput("delivery \(delivery.id) has no channel")
        }

        let receivedAt = StoredTime.milliseconds(event.receivedAt)
        try db.cachedStatement(sql: """
            INSERT INTO events (id, received_at, body, matched_rules, idempotency_key)
            VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [
                event.id, receivedAt, Data(event.body), try StoredRows.text(of: event.matchedRules), event.idempotencyKey,
            ])

        let insertDelivery = try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, event_id, rule, element, channels, message, status, created_at, due_at, expires_at,
                                    updated_at, priority, recipient, dead_reason, lease_owner, lease_until, lease_token)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for delivery in acceptance.deliveries {
            var suppressed = delivery.suppressedReason
            if suppressed == nil, let category = delivery.optOutCategory, let recipient = delivery.recipient,
               let reason = try String.fetchOne(
                   db.cachedStatement(sql: "SELECT reason FROM suppressions WHERE address = ? AND category = ?"),
                   arguments: [recipient, category]) {
                suppressed = NewDelivery.optedOutReason(category: category, reason: reason)
            }
            if suppressed == nil, let dedupe = delivery.dedupe {
                suppressed = try claim(dedupe, rule: delivery.rule, event: event.id, at: receivedAt, in: db)
            }
            let dueAt = StoredTime.milliseconds(delivery.dueAt)
            let lease = suppressed == nil && dueAt <= receivedAt && (leasing?.remaining ?? 0) > 0 ? leasing : nil
            try insertDelivery.execute(arguments: [
                delivery.id, event.id, delivery.rule, delivery.element, try StoredRows.text(of: delivery.channels),
                Data(delivery.message), suppressed == nil ? DeliveryStatus.pending.rawValue : DeliveryStatus.suppressed.rawValue,
                receivedAt, dueAt, delivery.expiresAt.map(StoredTime.milliseconds), receivedAt,
                delivery.priority, delivery.recipient, suppressed, lease?.owner, lease?.until, lease == nil ? 0 : 1,
            ])
            if let lease {
                leasing?.remaining -= 1
                leasing?.leased.append(ClaimedDelivery(
                    id: delivery.id, eventID: event.id, rule: delivery.rule, element: delivery.element, channels: delivery.channels,
                    message: delivery.message, channelIndex: 0, attemptsOnChannel: 0, totalAttempts: 0,
                    createdAt: StoredTime.date(milliseconds: receivedAt), dueAt: StoredTime.date(milliseconds: dueAt),
                    expiresAt: delivery.expiresAt.map { StoredTime.date(milliseconds: StoredTime.milliseconds($0)) },
                    priority: delivery.priority, recipient: delivery.recipient,
                    lease: Lease(owner: lease.owner, token: 1, until: StoredTime.date(milliseconds: lease.until))))
            }
        }
        return .accepted
    }

    /// Claims a rule's business key for `window`; when another event holds it still, returns why
    /// this delivery is suppressed instead.
    private static func claim(_ dedupe: NewDelivery.Dedupe, rule: String, event: String, at now: Int64, in db: Database) throws -> String? {
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT event_id, expires_at FROM dedupe_keys WHERE rule = ? AND key = ?"),
            arguments: [rule, dedupe.key]) {
            let holder: String = try row.value("event_id", in: "dedupe key \(dedupe.key)")
            let until: Int64 = try row.value("expires_at", in: "dedupe key \(dedupe.key)")
            if until > now {
                return NewDelivery.duplicateReason(holder: holder, rule: rule, key: dedupe.key)
            }
        }
        try db.cachedStatement(sql: """
            INSERT INTO dedupe_keys (rule, key, event_id, expires_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (rule, key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
            """).execute(arguments: [rule, dedupe.key, event, now + StoredTime.milliseconds(dedupe.window)])
        return nil
    }

    private static func firstEvent(id: String, idempotencyKey: String?, in db: Database) throws -> AcceptResult? {
        let select = """
            SELECT id, received_at, (SELECT COUNT(*) FROM deliveries WHERE event_id = events.id) AS deliveries
            FROM events
            """
        var row = try Row.fetchOne(db.cachedStatement(sql: select + " WHERE id = ?"), arguments: [id])
        if row == nil, let idempotencyKey {
            row = try Row.fetchOne(db.cachedStatement(sql: select + " WHERE idempotency_key = ?"), arguments: [idempotencyKey])
        }
        guard let row else { return nil }
        let firstID: String = try row.value("id", in: "an event")
        return .duplicate(
            of: firstID,
            firstReceivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: "event \(firstID)")),
            deliveries: try row.value("deliveries", in: "event \(firstID)")
        )
    }
}
