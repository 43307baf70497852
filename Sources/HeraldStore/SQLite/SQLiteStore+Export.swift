import Foundation
import GRDB

/// Reading a whole outbox out, page by page, for `herald migrate --from` (``OutboxSnapshot``).
/// Pages are keyed by a cursor (the last id returned), so each is one short read and the file may
/// be any size.
extension SQLiteStore {
    /// Opens the outbox in an existing file, refusing — without creating or changing anything —
    /// a path where there is no file, a file that is not SQLite, or an SQLite database that is not
    /// a Herald outbox. An outbox written by an older Herald is brought up to date as ``init(path:configuration:)`` does.
    ///
    /// - Throws: ``OutboxError`` with code ``OutboxError/Code/cannotOpen`` and a reason that says which.
    public static func openExisting(path: String, configuration: SQLiteConfiguration = .init()) throws(OutboxError) -> SQLiteStore {
        func refusal(_ reason: String, _ error: (any Error)? = nil) -> OutboxError {
            OutboxError(code: .cannotOpen, path: path, operation: "opening the outbox to copy", reason: reason, underlying: error)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw refusal("there is no such file")
        }
        guard !isFolder.boolValue else { throw refusal("it is a folder, not an SQLite file") }
        let migrations: [String]
        do {
            // A plain connection, no migrator: looking must not turn a stranger's database into an outbox.
            let queue = try DatabaseQueue(path: path)
            migrations = try queue.read { db in
                guard try db.tableExists("grdb_migrations"), try db.tableExists("events") else { return [] }
                return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            try queue.close()
        } catch {
            throw refusal("it cannot be read as an SQLite database", error)
        }
        guard migrations.contains(OutboxSchema.firstMigration) else {
            throw refusal("it is an SQLite database but not a Herald outbox (it has no Herald tables)")
        }
        return try SQLiteStore(path: path, configuration: configuration)
    }

    /// Up to `limit` events after the event id `cursor` (from the first when nil), ordered by id,
    /// each with every row that hangs off it (``SnapshotEvent``). Pass the last id returned as the
    /// next cursor; an empty page is the end.
    public func exportEvents(after cursor: String?, limit: Int) async throws(OutboxError) -> [SnapshotEvent] {
        guard limit > 0 else { return [] }
        // The page's events, by the same condition in every statement below.
        let page = cursor == nil ? "SELECT id FROM events ORDER BY id LIMIT ?" : "SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?"
        let pageArguments: StatementArguments = cursor.map { [$0, limit] } ?? [limit]
        let ofPage = "delivery_id IN (SELECT id FROM deliveries WHERE event_id IN (\(page)))"
        return try await reading("exporting events after \(cursor ?? "the start")") { db in
            var statuses: [String: [StatusRecord]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT \(StoredRows.statusColumns) FROM statuses WHERE \(ofPage) ORDER BY id",
                                        arguments: pageArguments) {
                statuses[try row.value("delivery_id", in: "a status"), default: []].append(try StoredRows.status(row))
            }
            var replies: [String: [ReplyRecord]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT \(StoredRows.replyColumns) FROM replies WHERE \(ofPage) ORDER BY id",
                                        arguments: pageArguments) {
                let reply = try StoredRows.reply(row)
                if let deliveryID = reply.deliveryID { replies[deliveryID, default: []].append(reply) }
            }
            var attempts: [String: [SnapshotAttempt]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT \(StoredRows.attemptColumns) FROM attempts WHERE \(ofPage) ORDER BY id",
                                        arguments: pageArguments) {
                let attempt = try StoredRows.attempt(row)
                let token: Int64? = try row.value("lease_token", in: "an attempt of delivery \(attempt.deliveryID)")
                attempts[attempt.deliveryID, default: []].append(SnapshotAttempt(record: attempt, leaseToken: token))
            }
            var deliveries: [String: [SnapshotDelivery]] = [:]
            // rowid: the order the deliveries were inserted, which is the order they were planned.
            for row in try Row.fetchAll(db, sql: """
                SELECT \(StoredRows.deliveryColumns), provider_status_at FROM deliveries
                WHERE event_id IN (\(page)) ORDER BY rowid
                """, arguments: pageArguments) {
                var record = try StoredRows.delivery(row)
                let what = "delivery \(record.id)"
                let token: Int64 = try row.value("lease_token", in: what)
                let statusAt: Int64? = try row.value("provider_status_at", in: what)
                record.lease = nil
                deliveries[record.eventID, default: []].append(SnapshotDelivery(
                    record: record, providerStatusAt: statusAt.map(StoredTime.date(milliseconds:)), leaseToken: token,
                    attempts: attempts[record.id] ?? [], statuses: statuses[record.id] ?? [], replies: replies[record.id] ?? []))
            }
            return try Row.fetchAll(db, sql: """
                SELECT id, received_at, body, matched_rules, idempotency_key FROM events WHERE id IN (\(page)) ORDER BY id
                """, arguments: pageArguments).map { row in
                let id: String = try row.value("id", in: "an event")
                let what = "event \(id)"
                let event = NewEvent(
                    id: id, receivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: what)),
                    body: try row.bytes("body", in: what),
                    matchedRules: try StoredRows.names(row.value("matched_rules", in: what), column: "matched_rules", in: what),
                    idempotencyKey: try row.value("idempotency_key", in: what))
                return SnapshotEvent(event: event, deliveries: deliveries[id] ?? [])
            }
        }
    }

    /// Up to `limit` opt-outs after `cursor` (by address, then category), from the first when nil.
    public func exportSuppressions(after cursor: Suppression?, limit: Int) async throws(OutboxError) -> [Suppression] {
        let (condition, arguments) = Self.keyset("(address, category) > (?, ?)", cursor.map { [$0.address, $0.category] })
        return try await reading("exporting opt-outs") { db in
            try Row.fetchAll(db, sql: "SELECT \(StoredRows.suppressionColumns) FROM suppressions \(condition) ORDER BY address, category LIMIT ?",
                             arguments: arguments + [limit]).map(StoredRows.suppression)
        }
    }

    /// Up to `limit` dedupe keys after `cursor` (by rule, then key), from the first when nil;
    /// expired ones too (they block nothing, and the next accept of their rule and key replaces them).
    public func exportDedupeKeys(after cursor: DedupeKeyRecord?, limit: Int) async throws(OutboxError) -> [DedupeKeyRecord] {
        let (condition, arguments) = Self.keyset("(rule, key) > (?, ?)", cursor.map { [$0.rule, $0.key] })
        return try await reading("exporting dedupe keys") { db in
            try Row.fetchAll(db, sql: "SELECT rule, key, event_id, expires_at FROM dedupe_keys \(condition) ORDER BY rule, key LIMIT ?",
                             arguments: arguments + [limit]).map { row in
                let rule: String = try row.value("rule", in: "a dedupe key")
                return DedupeKeyRecord(rule: rule, key: try row.value("key", in: "a dedupe key of rule \(rule)"),
                                       eventID: try row.value("event_id", in: "a dedupe key of rule \(rule)"),
                                       expiresAt: StoredTime.date(milliseconds: try row.value("expires_at", in: "a dedupe key of rule \(rule)")))
            }
        }
    }

    /// Up to `limit` replies tied to no delivery (Herald could not tell what they answered), after
    /// the provider message id `cursor`; the others travel with their delivery in ``exportEvents(after:limit:)``.
    public func exportUnattachedReplies(after cursor: String?, limit: Int) async throws(OutboxError) -> [ReplyRecord] {
        let (condition, arguments) = Self.keyset("provider_message_id > ?", cursor.map { [$0] })
        let filter = condition.isEmpty ? "WHERE delivery_id IS NULL" : "\(condition) AND delivery_id IS NULL"
        return try await reading("exporting replies") { db in
            try Row.fetchAll(db, sql: "SELECT \(StoredRows.replyColumns) FROM replies \(filter) ORDER BY provider_message_id LIMIT ?",
                             arguments: arguments + [limit]).map(StoredRows.reply)
        }
    }

    /// A page's `WHERE` clause and its arguments: none from the first row, `condition` after a cursor.
    private static func keyset(_ condition: String, _ cursor: [String]?) -> (String, StatementArguments) {
        guard let cursor else { return ("", []) }
        return ("WHERE \(condition)", StatementArguments(cursor))
    }
}
