import Foundation
import GRDB

extension SQLiteStore {
    /// The event with `id`, its deliveries in the order they were planned, each with its attempts
    /// oldest first; nil if no such event is stored.
    public func event(id: String) async throws(OutboxError) -> EventRecord? {
        try await reading("reading event \(id)") { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT id, received_at, body, matched_rules, idempotency_key FROM events WHERE id = ?
                    """),
                arguments: [id])
            else { return nil }
            let what = "event \(id)"
            // rowid: the order the deliveries were inserted, which is the order they were planned.
            let deliveries = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(StoredRows.deliveryColumns) FROM deliveries WHERE event_id = ? ORDER BY rowid
                    """),
                arguments: [id]
            ).map { try StoredRows.withAttempts(StoredRows.delivery($0), in: db) }
            return EventRecord(
                id: id,
                receivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: what)),
                body: try row.bytes("body", in: what),
                matchedRules: try StoredRows.names(row.value("matched_rules", in: what), column: "matched_rules", in: what),
                idempotencyKey: try row.value("idempotency_key", in: what),
                deliveries: deliveries
            )
        }
    }

    /// Up to `limit` deliveries with `status` (any status if nil), with their attempts, ordered by
    /// delivery id. For the next page pass the last id returned as `cursor`: the order is stable,
    /// and deliveries that change status between pages are neither repeated nor shifted.
    public func deliveries(status: DeliveryStatus?, limit: Int, after cursor: String?) async throws(OutboxError) -> [DeliveryRecord] {
        guard limit > 0 else { return [] }
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let cursor {
            conditions.append("id > ?")
            arguments += [cursor]
        }
        arguments += [limit]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(StoredRows.deliveryColumns) FROM deliveries \(filter) ORDER BY id LIMIT ?"
        let finalArguments = arguments
        return try await reading("listing \(status?.rawValue ?? "all") deliveries") { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: finalArguments)
                .map { try StoredRows.withAttempts(StoredRows.delivery($0), in: db) }
        }
    }

    /// How many deliveries are pending (and of them due by `now`) and dead, the earliest pending
    /// due time, and how long the longest-waiting due delivery has waited.
    public func depth(now: Date) async throws(OutboxError) -> OutboxDepth {
        let nowMS = StoredTime.milliseconds(now)
        return try await reading("measuring the outbox's depth") { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT
                        (SELECT COUNT(*) FROM deliveries WHERE status = 'pending') AS pending,
                        (SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND due_at <= ?) AS due,
                        (SELECT COUNT(*) FROM deliveries WHERE status = 'dead') AS dead,
                        (SELECT MIN(due_at) FROM deliveries WHERE status = 'pending') AS oldest
                    """),
                arguments: [nowMS])
            else {
                throw StoreFailure.corrupt("the depth query returned no row")
            }
            let oldest: Int64? = try row.value("oldest", in: "the depth query")
            let lag = oldest.map { max(0, nowMS - $0) } ?? 0
            return OutboxDepth(
                pending: try row.value("pending", in: "the depth query"),
                due: try row.value("due", in: "the depth query"),
                dead: try row.value("dead", in: "the depth query"),
                oldestPendingDueAt: oldest.map(StoredTime.date(milliseconds:)),
                lag: .milliseconds(lag)
            )
        }
    }
}
