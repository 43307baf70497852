import Foundation
import GRDB

/// The SQL of accepting one event with its deliveries, inside a transaction the caller holds.
enum AcceptStatements {
    /// Stores the event and its deliveries, or finds the event it duplicates (same id first, then
    /// same idempotency key) and stores nothing.
    static func store(_ acceptance: Acceptance, in db: Database) throws -> AcceptResult {
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
            INSERT INTO deliveries (id, event_id, rule, element, channels, message, status, created_at, due_at, expires_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
            """)
        for delivery in acceptance.deliveries {
            try insertDelivery.execute(arguments: [
                delivery.id, event.id, delivery.rule, delivery.element, try StoredRows.text(of: delivery.channels),
                Data(delivery.message), receivedAt, StoredTime.milliseconds(delivery.dueAt),
                delivery.expiresAt.map(StoredTime.milliseconds), receivedAt,
            ])
        }
        return .accepted
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
