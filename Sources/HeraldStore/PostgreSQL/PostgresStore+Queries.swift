import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore {
    public func event(id: String) async throws(OutboxError) -> EventRecord? {
        try await connection("reading event \(id)") { [self] connection in
            var found: (Int64, ByteBuffer, String, String?)?
            for try await row in try await connection.query(
                "SELECT received_at, body, matched_rules, idempotency_key FROM events WHERE id = \(id)", logger: self.logger
            ).decode((Int64, ByteBuffer, String, String?).self) {
                found = row
            }
            guard let (receivedAt, body, rules, key) = found else { return nil }
            let deliveries = try await Self.deliveries(
                PostgresQuery(unsafeSQL: "SELECT \(StoredRows.deliveryColumns) FROM deliveries WHERE event_id = $1 ORDER BY seq",
                              binds: Self.bindings(id)), on: connection, logger: self.logger)
            return EventRecord(
                id: id, receivedAt: StoredTime.date(milliseconds: receivedAt), body: Array(body.readableBytesView),
                matchedRules: try StoredRows.names(rules, column: "matched_rules", in: "event \(id)"), idempotencyKey: key,
                deliveries: deliveries)
        }
    }

    public func deliveries(status: DeliveryStatus?, limit: Int, after cursor: String?) async throws(OutboxError) -> [DeliveryRecord] {
        guard limit > 0 else { return [] }
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let status {
            binds.append(status.rawValue)
            conditions.append("status = $\(binds.count)")
        }
        if let cursor {
            binds.append(cursor)
            conditions.append("id > $\(binds.count)")
        }
        binds.append(limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let query = PostgresQuery(unsafeSQL: "SELECT \(StoredRows.deliveryColumns) FROM deliveries \(filter) ORDER BY id LIMIT $\(binds.count)",
                                  binds: binds)
        return try await connection("listing \(status?.rawValue ?? "all") deliveries") { connection in
            try await Self.deliveries(query, on: connection, logger: self.logger)
        }
    }

    public func depth(now: Date) async throws(OutboxError) -> OutboxDepth {
        let nowMS = StoredTime.milliseconds(now)
        return try await connection("measuring the outbox's depth") { [self] connection in
            var depth = OutboxDepth(pending: 0, due: 0, dead: 0, oldestPendingDueAt: nil, lag: .zero)
            for try await (pending, due, dead, oldest) in try await connection.query("""
                SELECT
                    (SELECT count(*) FROM deliveries WHERE status = 'pending'),
                    (SELECT count(*) FROM deliveries WHERE status = 'pending' AND due_at <= \(nowMS)),
                    (SELECT count(*) FROM deliveries WHERE status = 'dead'),
                    (SELECT min(due_at) FROM deliveries WHERE status = 'pending')
                """, logger: self.logger).decode((Int64, Int64, Int64, Int64?).self) {
                depth = OutboxDepth(pending: Int(pending), due: Int(due), dead: Int(dead),
                                    oldestPendingDueAt: oldest.map(StoredTime.date(milliseconds:)),
                                    lag: .milliseconds(oldest.map { max(0, nowMS - $0) } ?? 0))
            }
            return depth
        }
    }

    public func delivery(id: String) async throws(OutboxError) -> DeliveryRecord? {
        try await connection("reading delivery \(id)") { [self] connection in
            try await Self.deliveries(
                PostgresQuery(unsafeSQL: "SELECT \(StoredRows.deliveryColumns) FROM deliveries WHERE id = $1", binds: Self.bindings(id)),
                on: connection, logger: self.logger).first
        }
    }

    public func delivery(providerID: String) async throws(OutboxError) -> DeliveryRecord? {
        try await connection("finding the delivery of provider message \(providerID)") { [self] connection in
            var found: DeliveryRecord?
            for try await row in try await connection.query(
                "SELECT \(unescaped: StoredRows.deliveryColumns) FROM deliveries WHERE provider_id = \(providerID) LIMIT 1", logger: self.logger) {
                found = try StoredRows.delivery(row.makeRandomAccess())
            }
            return found
        }
    }

    /// The deliveries `query` selects (``PostgresRows/deliveryColumns``), each with its attempts.
    static func deliveries(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [DeliveryRecord] {
        var deliveries: [DeliveryRecord] = []
        for try await row in try await connection.query(query, logger: logger) {
            deliveries.append(try StoredRows.delivery(row.makeRandomAccess()))
        }
        guard !deliveries.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for (position, delivery) in deliveries.enumerated() { index[delivery.id] = position }
        let ids = deliveries.map(\.id)
        for try await row in try await connection.query(
            "SELECT \(unescaped: StoredRows.attemptColumns) FROM attempts WHERE delivery_id = ANY(\(ids)) ORDER BY id", logger: logger) {
            let attempt = try StoredRows.attempt(row.makeRandomAccess())
            if let position = index[attempt.deliveryID] { deliveries[position].attempts.append(attempt) }
        }
        return deliveries
    }

    static func bindings(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}
