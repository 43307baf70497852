import Foundation
import Logging
import PostgresNIO

/// Bulk import of an outbox's contents (``OutboxSnapshot``) for `herald migrate --from`: each page
/// is one transaction of a few multi-row `INSERT … SELECT … FROM unnest(…)` statements.
///
/// ## Running it again
/// Every import may run twice, or after one that was interrupted, and copies nothing twice. An
/// event and all its rows (deliveries, attempts, statuses, replies) go in together: an event
/// whose id or idempotency key is stored already is skipped whole, so its attempts — which have
/// no natural key — are never doubled. Opt-outs, dedupe keys and replies are kept once by their
/// natural keys (`ON CONFLICT DO NOTHING`): a row the database holds already stays as it is.
extension PostgresStore {
    /// Copies everything `source` holds — events with their deliveries, attempts, statuses and
    /// replies, the replies tied to no delivery, opt-outs and dedupe keys — in transactions of
    /// `pageSize` events (or rows), calling `progress` with the running totals after each page of
    /// events. Leases are not copied (``SnapshotDelivery``); neither are the old node's heartbeats.
    public func importOutbox(from source: SQLiteStore, pageSize: Int = OutboxSnapshot.defaultPageSize,
                             progress: (ImportSummary) -> Void = { _ in }) async throws(OutboxError) -> ImportSummary {
        let size = max(1, pageSize)
        var summary = ImportSummary()
        try await Self.pages(size: size, read: { (cursor: SnapshotEvent?, limit) throws(OutboxError) in
            try await source.exportEvents(after: cursor?.id, limit: limit)
        }, write: { page throws(OutboxError) in
            summary.add(try await importEvents(page))
            progress(summary)
        })
        try await Self.pages(size: size, read: { (cursor: ReplyRecord?, limit) throws(OutboxError) in
            try await source.exportUnattachedReplies(after: cursor?.providerMessageID, limit: limit)
        }, write: { page throws(OutboxError) in
            summary.replies = summary.replies + (try await importReplies(page))
        })
        try await Self.pages(size: size, read: { (cursor: Suppression?, limit) throws(OutboxError) in
            try await source.exportSuppressions(after: cursor, limit: limit)
        }, write: { page throws(OutboxError) in
            summary.optOuts = summary.optOuts + (try await importSuppressions(page))
        })
        try await Self.pages(size: size, read: { (cursor: DedupeKeyRecord?, limit) throws(OutboxError) in
            try await source.exportDedupeKeys(after: cursor, limit: limit)
        }, write: { page throws(OutboxError) in
            summary.dedupeKeys = summary.dedupeKeys + (try await importDedupeKeys(page))
        })
        return summary
    }

    /// Stores `events`, each with all its rows, in one transaction, skipping (whole) each event
    /// whose id or idempotency key is stored already. Deliveries keep their planned order, every
    /// column and their fencing token; they are stored without a lease.
    ///
    /// - Throws: ``OutboxError/Code/invalidInput``, storing nothing of the page, when a delivery id
    ///   of a new event is stored already under another event: the database holds other data
    ///   under that id, and someone must decide which is right.
    public func importEvents(_ events: [SnapshotEvent]) async throws(OutboxError) -> ImportSummary {
        guard let first = events.first, let last = events.last else { return ImportSummary() }
        let logger = logger
        return try await transaction("importing events \(first.id) to \(last.id)") { connection in
            var summary = ImportSummary()
            var columns = UnnestColumns()
            columns.text(events.map(\.event.id))
            columns.int64(events.map { StoredTime.milliseconds($0.event.receivedAt) })
            columns.bytes(events.map(\.event.body))
            columns.text(try events.map { try StoredRows.text(of: $0.event.matchedRules) })
            columns.text(events.map(\.event.idempotencyKey))
            let inserted = Set(try await Self.returnedKeys(
                "INSERT INTO events (id, received_at, body, matched_rules, idempotency_key) \(columns.select) ON CONFLICT DO NOTHING RETURNING id",
                columns, on: connection, logger: logger))
            let fresh = events.filter { inserted.contains($0.id) }
            for event in events where !inserted.contains(event.id) {
                summary.events.skipped += 1
                summary.deliveries.skipped += event.deliveries.count
                for delivery in event.deliveries {
                    summary.attempts.skipped += delivery.attempts.count
                    summary.statuses.skipped += delivery.statuses.count
                    summary.replies.skipped += delivery.replies.count
                }
            }
            summary.events.copied = fresh.count
            let deliveries = fresh.flatMap { event in event.deliveries.map { (eventID: event.id, delivery: $0) } }
            guard !deliveries.isEmpty else { return summary }

            try await Self.insertDeliveries(deliveries, on: connection, logger: logger)
            for (_, delivery) in deliveries { summary.deliveriesByStatus[delivery.record.status, default: 0] += 1 }
            summary.deliveries.copied = deliveries.count

            let attempts = deliveries.flatMap { $0.1.attempts }
            if !attempts.isEmpty {
                var columns = UnnestColumns()
                columns.text(attempts.map(\.record.deliveryID))
                columns.attempts(attempts.map(\.record))
                columns.int64(attempts.map(\.leaseToken))
                // Delivery by delivery, each one's oldest first: the new ids keep that order.
                try await connection.query(PostgresQuery(
                    unsafeSQL: "INSERT INTO attempts (\(StoredRows.attemptColumns)) \(columns.select)", binds: columns.binds), logger: logger)
                summary.attempts.copied = attempts.count
            }

            let statuses = deliveries.flatMap { _, delivery in delivery.statuses.map { (delivery.record.id, $0) } }
            if !statuses.isEmpty {
                var columns = UnnestColumns()
                columns.text(statuses.map(\.0))
                columns.text(statuses.map(\.1.providerID))
                columns.text(statuses.map(\.1.status))
                columns.int64(statuses.map { StoredTime.milliseconds($0.1.at) })
                columns.int64(statuses.map { StoredTime.milliseconds($0.1.receivedAt) })
                columns.bool(statuses.map(\.1.applied))
                columns.text(statuses.map(\.1.errorCode))
                columns.text(statuses.map(\.1.errorMessage))
                let copied = try await Self.returnedKeys("""
                    INSERT INTO statuses (delivery_id, provider_id, status, at, received_at, applied, error_code, error_message)
                    \(columns.select) ON CONFLICT (provider_id, status) DO NOTHING RETURNING provider_id || ' ' || status
                    """, columns, on: connection, logger: logger).count
                summary.statuses = ImportTally(copied: copied, skipped: statuses.count - copied)
            }

            let replies = deliveries.flatMap(\.1.replies)
            let copied = try await Self.insertReplies(replies, on: connection, logger: logger)
            summary.replies = summary.replies + ImportTally(copied: copied, skipped: replies.count - copied)
            return summary
        }
    }

    /// Stores replies (those tied to no delivery, or to deliveries stored already) in one
    /// transaction, each once by its provider message id.
    public func importReplies(_ replies: [ReplyRecord]) async throws(OutboxError) -> ImportTally {
        guard !replies.isEmpty else { return ImportTally() }
        let logger = logger
        let copied = try await transaction("importing \(replies.count) replies") { connection in
            try await Self.insertReplies(replies, on: connection, logger: logger)
        }
        return ImportTally(copied: copied, skipped: replies.count - copied)
    }

    /// Stores opt-outs in one transaction; one the database holds already (same address and
    /// category) is kept as it is and counted as skipped.
    public func importSuppressions(_ suppressions: [Suppression]) async throws(OutboxError) -> ImportTally {
        var columns = UnnestColumns()
        columns.text(suppressions.map(\.address))
        columns.text(suppressions.map(\.category))
        columns.text(suppressions.map(\.reason))
        columns.int64(suppressions.map { StoredTime.milliseconds($0.createdAt) })
        return try await insertAll(suppressions.count, "opt-outs", columns, """
            INSERT INTO suppressions (address, category, reason, created_at) \(columns.select)
            ON CONFLICT (address, category) DO NOTHING RETURNING address || ' ' || category
            """)
    }

    /// Stores dedupe keys in one transaction; a key the database holds already (same rule and
    /// key) is kept as it is and counted as skipped.
    public func importDedupeKeys(_ keys: [DedupeKeyRecord]) async throws(OutboxError) -> ImportTally {
        var columns = UnnestColumns()
        columns.text(keys.map(\.rule))
        columns.text(keys.map(\.key))
        columns.text(keys.map(\.eventID))
        columns.int64(keys.map { StoredTime.milliseconds($0.expiresAt) })
        return try await insertAll(keys.count, "dedupe keys", columns, """
            INSERT INTO dedupe_keys (rule, key, event_id, expires_at) \(columns.select)
            ON CONFLICT (rule, key) DO NOTHING RETURNING rule || ' ' || key
            """)
    }

    // MARK: - Statements

    /// Runs an insert of `count` rows that returns one value per row it stored, in one transaction.
    private func insertAll(_ count: Int, _ what: String, _ columns: UnnestColumns, _ sql: String) async throws(OutboxError) -> ImportTally {
        guard count > 0 else { return ImportTally() }
        let logger = logger
        let copied = try await transaction("importing \(count) \(what)") { connection in
            try await Self.returnedKeys(sql, columns, on: connection, logger: logger).count
        }
        return ImportTally(copied: copied, skipped: count - copied)
    }

    /// Every column of each delivery but its lease, in the order given (which `seq` keeps as the
    /// planned order). All of them are new: a delivery id stored already fails the page.
    private static func insertDeliveries(_ deliveries: [(eventID: String, delivery: SnapshotDelivery)],
                                         on connection: PostgresConnection, logger: Logger) async throws {
        let records = deliveries.map(\.delivery.record)
        var columns = UnnestColumns()
        columns.text(records.map(\.id))
        columns.text(deliveries.map(\.eventID))
        columns.text(records.map(\.rule))
        columns.int64(records.map { $0.element.map(Int64.init) })
        columns.text(try records.map { try StoredRows.text(of: $0.channels) })
        columns.bytes(records.map(\.message))
        columns.text(records.map(\.status.rawValue))
        columns.int64(records.map { Int64($0.channelIndex) })
        columns.int64(records.map { Int64($0.attemptsOnChannel) })
        columns.int64(records.map { Int64($0.totalAttempts) })
        columns.int64(records.map { StoredTime.milliseconds($0.createdAt) })
        columns.int64(records.map { StoredTime.milliseconds($0.dueAt) })
        columns.int64(records.map { $0.expiresAt.map(StoredTime.milliseconds) })
        columns.int64(records.map { StoredTime.milliseconds($0.updatedAt) })
        columns.int64(deliveries.map(\.delivery.leaseToken))
        columns.text(records.map(\.providerID))
        columns.text(records.map(\.deliveredChannel))
        columns.text(records.map(\.lastError))
        columns.text(records.map(\.deadReason))
        columns.int64(records.map { Int64($0.priority) })
        columns.text(records.map(\.recipient))
        columns.text(records.map(\.providerStatus))
        columns.int64(deliveries.map { $0.delivery.providerStatusAt.map(StoredTime.milliseconds) })
        let stored = Set(try await returnedKeys("""
            INSERT INTO deliveries (id, event_id, rule, element, channels, message, status, channel_index, attempts_on_channel,
                                    total_attempts, created_at, due_at, expires_at, updated_at, lease_token, provider_id,
                                    delivered_channel, last_error, dead_reason, priority, recipient, provider_status, provider_status_at)
            \(columns.select)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, columns, on: connection, logger: logger))
        if let (eventID, clash) = deliveries.first(where: { !stored.contains($0.delivery.record.id) }) {
            throw StoreFailure.invalidInput(
                "delivery '\(clash.record.id)' of event '\(eventID)' is already stored under another event; "
                    + "the database holds other data under that id: remove one of the two before copying again")
        }
    }

    private static func insertReplies(_ replies: [ReplyRecord], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard !replies.isEmpty else { return 0 }
        var columns = UnnestColumns()
        columns.text(replies.map(\.providerMessageID))
        columns.text(replies.map(\.deliveryID))
        columns.text(replies.map(\.channel))
        columns.text(replies.map(\.from))
        columns.text(replies.map(\.kind))
        columns.text(replies.map(\.button))
        columns.text(replies.map(\.text))
        columns.int64(replies.map { StoredTime.milliseconds($0.receivedAt) })
        columns.text(replies.map(\.callbackDeliveryID))
        return try await returnedKeys("""
            INSERT INTO replies (provider_message_id, delivery_id, channel, from_address, kind, button, text, received_at, callback_delivery_id)
            \(columns.select) ON CONFLICT (provider_message_id) DO NOTHING RETURNING provider_message_id
            """, columns, on: connection, logger: logger).count
    }

    /// Runs `sql` (an insert from `columns` returning one text per stored row) and returns those texts.
    private static func returnedKeys(_ sql: String, _ columns: UnnestColumns, on connection: PostgresConnection,
                                     logger: Logger) async throws -> [String] {
        var keys: [String] = []
        for try await key in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: columns.binds), logger: logger)
            .decode(String.self) {
            keys.append(key)
        }
        return keys
    }

    /// Reads pages of `size` with `read` (given the last row of the previous page, nil at first)
    /// and hands each to `write`, until a page comes back short.
    private static func pages<Row>(size: Int, read: (Row?, Int) async throws(OutboxError) -> [Row],
                                   write: ([Row]) async throws(OutboxError) -> Void) async throws(OutboxError) {
        var cursor: Row?
        while true {
            let page = try await read(cursor, size)
            guard let last = page.last else { return }
            try await write(page)
            if page.count < size { return }
            cursor = last
        }
    }
}
