import Foundation
import GRDB

extension SQLiteStore {
    /// Leases up to `limit` deliveries to `owner`: pending ones that are due (`dueAt <= now`) and
    /// not leased, or whose lease ran out; urgent ones first (priority 0), then oldest due first
    /// (then by id).
    ///
    /// Each is leased until `now + lease`; until then no other claim returns it. A worker that
    /// crashes holding a lease simply lets it run out, and the delivery is claimed again.
    /// `owner` should be unique per worker and process run (include a random part), since a
    /// lease is recognized by it alone.
    public func claim(limit: Int, now: Date, lease: Duration, owner: String) async throws(OutboxError) -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let nowMS = StoredTime.milliseconds(now)
        let until = StoredTime.milliseconds(now, plus: lease)
        return try await writingInGroup("claiming deliveries for \(owner)") { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(StoredRows.deliveryColumns) FROM deliveries
                    WHERE status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                    ORDER BY priority, due_at, id
                    LIMIT ?
                    """),
                arguments: [nowMS, nowMS, limit]
            )
            let statement = try db.cachedStatement(
                sql: "UPDATE deliveries SET lease_owner = ?, lease_until = ?, lease_token = ? WHERE id = ?")
            return try rows.map { row in
                // One writer: the token read is the token held, and the next one is ours.
                let token: Int64 = try row.value("lease_token", in: "a delivery")
                let lease = Lease(owner: owner, token: token + 1, until: StoredTime.date(milliseconds: until))
                let delivery = try StoredRows.claimed(row, lease: lease)
                try statement.execute(arguments: [owner, until, lease.token, delivery.id])
                return delivery
            }
        }
    }

    /// Records `attempt` and what happens next, in one transaction, if `owner` still holds the
    /// delivery's lease.
    ///
    /// - ``NextStep/retry(at:)``: same channel, due at that time; one more attempt on the channel.
    /// - ``NextStep/nextChannel(index:at:)``: that channel, due at that time, no attempt on it yet.
    /// - ``NextStep/delivered(channel:providerID:)``: delivered, with the channel and provider id.
    /// - ``NextStep/dead(reason:)``: dead-lettered with the reason.
    ///
    /// Every step counts the attempt in the total, keeps a failed attempt's error as the last
    /// error, stamps the delivery updated at the attempt's end and releases the lease.
    ///
    /// A lease that ran out still counts as long as no other worker claimed the delivery since:
    /// the attempt happened, and forgetting a delivered one would send the message again.
    /// The write is not cancelled with the caller's task, for the same reason.
    ///
    /// - Returns: false, recording nothing, when the delivery is unknown, no longer pending, or
    ///   leased by someone else.
    /// - Throws: ``OutboxError``; with ``OutboxError/Code/invalidInput`` when `next` names a
    ///   channel index the delivery does not have.
    public func record(_ attempt: AttemptRecord, next: NextStep, lease: Lease) async throws(OutboxError) -> Bool {
        // The group's transaction runs in the committer's own task, whatever becomes of the caller's.
        try await writingInGroup("recording an attempt of delivery \(attempt.deliveryID)") { db in
            try Self.store(attempt, next: next, lease: lease, in: db)
        }
    }

    private static func store(_ attempt: AttemptRecord, next: NextStep, lease: Lease, in db: Database) throws -> Bool {
        let owner = lease.owner
        let id = attempt.deliveryID
        if case .nextChannel(let index, _) = next {
            // The one step that needs the row first: the channel it names must exist.
            guard let text = try String.fetchOne(
                db.cachedStatement(sql: "SELECT channels FROM deliveries WHERE id = ?"), arguments: [id])
            else { return false }
            let channels = try StoredRows.names(text, column: "channels", in: "delivery \(id)")
            guard channels.indices.contains(index) else {
                throw StoreFailure.invalidInput(
                    "delivery \(id) has \(channels.count) channels: there is no channel at index \(index)")
            }
        }

        // The update only applies while `owner` holds the pending delivery; when it did not, nothing
        // is stored (not even the attempt), without a read first.
        let finishedAt = StoredTime.milliseconds(attempt.startedAt, plus: attempt.duration)
        let lastError = attempt.lastError
        let released = "lease_owner = NULL, lease_until = NULL, updated_at = ?, total_attempts = total_attempts + 1"
        let held = "WHERE id = ? AND status = 'pending' AND lease_owner = ? AND lease_token = ?"
        switch next {
        case .delivered(let channel, let providerID):
            try db.cachedStatement(sql: """
                UPDATE deliveries SET \(released), attempts_on_channel = attempts_on_channel + 1,
                    status = 'delivered', delivered_channel = ?, provider_id = ?
                \(held)
                """).execute(arguments: [finishedAt, channel, providerID, id, owner, lease.token])
        case .retry(let at):
            try db.cachedStatement(sql: """
                UPDATE deliveries SET \(released), attempts_on_channel = attempts_on_channel + 1,
                    due_at = ?, last_error = COALESCE(?, last_error)
                \(held)
                """).execute(arguments: [finishedAt, StoredTime.milliseconds(at), lastError, id, owner, lease.token])
        case .nextChannel(let index, let at):
            try db.cachedStatement(sql: """
                UPDATE deliveries SET \(released), attempts_on_channel = 0, channel_index = ?,
                    due_at = ?, last_error = COALESCE(?, last_error)
                \(held)
                """).execute(arguments: [finishedAt, index, StoredTime.milliseconds(at), lastError, id, owner, lease.token])
        case .dead(let reason):
            try db.cachedStatement(sql: """
                UPDATE deliveries SET \(released), attempts_on_channel = attempts_on_channel + 1,
                    status = 'dead', dead_reason = ?, last_error = COALESCE(?, last_error)
                \(held)
                """).execute(arguments: [finishedAt, reason, lastError, id, owner, lease.token])
        case .expired(let reason), .suppressed(let reason):
            let status = if case .expired = next { DeliveryStatus.expired } else { DeliveryStatus.suppressed }
            try db.cachedStatement(sql: """
                UPDATE deliveries SET \(released), status = ?, dead_reason = ?
                \(held)
                """).execute(arguments: [finishedAt, status.rawValue, reason, id, owner, lease.token])
        }
        guard db.changesCount > 0 else { return false }

        try db.cachedStatement(sql: """
            INSERT INTO attempts (\(StoredRows.attemptColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                id, attempt.channel, attempt.number, StoredTime.milliseconds(attempt.startedAt),
                StoredTime.microseconds(attempt.duration), attempt.outcome, attempt.providerID,
                attempt.errorCode, attempt.errorMessage, attempt.node, lease.token,
            ])
        return true
    }

    /// Puts a claimed delivery back, unattempted, due at `until` (quiet hours, pacing), if `owner`
    /// still holds it; `note` becomes its last error so the wait is visible.
    public func postpone(deliveryID: String, lease: Lease, until: Date, note: String, now: Date) async throws(OutboxError) -> Bool {
        try await writingInGroup("postponing delivery \(deliveryID)") { db in
            try db.cachedStatement(sql: """
                UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, due_at = ?, last_error = ?, updated_at = ?
                WHERE id = ? AND status = 'pending' AND lease_owner = ? AND lease_token = ?
                """).execute(arguments: [StoredTime.milliseconds(until), note, StoredTime.milliseconds(now), deliveryID,
                                         lease.owner, lease.token])
            return db.changesCount > 0
        }
    }
}
