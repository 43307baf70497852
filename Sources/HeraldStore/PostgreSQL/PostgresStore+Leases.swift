import Foundation
import PostgresNIO

extension PostgresStore {
    public func claim(limit: Int, now: Date, lease: Duration, owner: String) async throws(OutboxError) -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let nowMS = StoredTime.milliseconds(now)
        let until = StoredTime.milliseconds(now, plus: lease)
        // SKIP LOCKED: nodes claiming at once take different rows instead of waiting for each other.
        let claimed = try await connection("claiming deliveries for \(owner)", counted: true) { [self] connection in
            let rows = try await connection.query("""
                UPDATE deliveries d SET lease_owner = \(owner), lease_until = \(until), lease_token = d.lease_token + 1
                FROM (SELECT id FROM deliveries
                      WHERE status = 'pending' AND due_at <= \(nowMS) AND (lease_until IS NULL OR lease_until <= \(nowMS))
                      ORDER BY priority, due_at, id LIMIT \(limit)
                      FOR UPDATE SKIP LOCKED) due
                WHERE d.id = due.id
                RETURNING \(unescaped: Self.qualified(PostgresRows.deliveryColumns, "d"))
                """, logger: logger)
            var claimed: [ClaimedDelivery] = []
            for try await row in rows { claimed.append(try PostgresRows.claimed(row)) }
            return claimed
        }
        return claimed.sorted { ($0.priority, $0.dueAt, $0.id) < ($1.priority, $1.dueAt, $1.id) }
    }

    public func record(_ attempt: AttemptRecord, next: NextStep, lease: Lease) async throws(OutboxError) -> Bool {
        let id = attempt.deliveryID
        return try await connection("recording an attempt of delivery \(id)", counted: true) { [self] connection in
            if case .nextChannel(let index, _) = next {
                // The one step that needs the row first: the channel it names must exist.
                var channels: String?
                for try await text in try await connection.query("SELECT channels FROM deliveries WHERE id = \(id)", logger: logger)
                    .decode(String.self) { channels = text }
                guard let channels else { return false }
                let names = try StoredRows.names(channels, column: "channels", in: "delivery \(id)")
                guard names.indices.contains(index) else {
                    throw StoreFailure.invalidInput("delivery \(id) has \(names.count) channels: there is no channel at index \(index)")
                }
            }
            let finishedAt = StoredTime.milliseconds(attempt.startedAt, plus: attempt.duration)
            let lastError = attempt.lastError
            var binds = PostgresBindings()
            func bind<T: PostgresDynamicTypeEncodable>(_ value: T?) -> String {
                binds.append(value)
                return "$\(binds.count)"
            }
            let released = "lease_owner = NULL, lease_until = NULL, updated_at = \(bind(finishedAt)), total_attempts = total_attempts + 1"
            let set: String
            switch next {
            case .delivered(let channel, let providerID):
                set = "\(released), attempts_on_channel = attempts_on_channel + 1, status = 'delivered', delivered_channel = \(bind(channel)), provider_id = \(bind(providerID))"
            case .retry(let at):
                set = "\(released), attempts_on_channel = attempts_on_channel + 1, due_at = \(bind(StoredTime.milliseconds(at))), last_error = COALESCE(\(bind(lastError))::text, last_error)"
            case .nextChannel(let index, let at):
                set = "\(released), attempts_on_channel = 0, channel_index = \(bind(index)), due_at = \(bind(StoredTime.milliseconds(at))), last_error = COALESCE(\(bind(lastError))::text, last_error)"
            case .dead(let reason):
                set = "\(released), attempts_on_channel = attempts_on_channel + 1, status = 'dead', dead_reason = \(bind(reason)), last_error = COALESCE(\(bind(lastError))::text, last_error)"
            case .expired(let reason), .suppressed(let reason):
                let status = if case .expired = next { DeliveryStatus.expired } else { DeliveryStatus.suppressed }
                set = "lease_owner = NULL, lease_until = NULL, updated_at = \(bind(finishedAt)), total_attempts = total_attempts + 1, status = \(bind(status.rawValue)), dead_reason = \(bind(reason))"
            }
            // The update applies only while this lease (owner and token) holds the pending delivery;
            // the attempt is inserted only when it did, in the same statement.
            let sql = """
                WITH held AS (
                    UPDATE deliveries SET \(set)
                    WHERE id = \(bind(id)) AND status = 'pending' AND lease_owner = \(bind(lease.owner)) AND lease_token = \(bind(lease.token))
                    RETURNING id)
                INSERT INTO attempts (\(PostgresRows.attemptColumns))
                SELECT id, \(bind(attempt.channel)), \(bind(attempt.number)), \(bind(StoredTime.milliseconds(attempt.startedAt))),
                       \(bind(StoredTime.microseconds(attempt.duration))), \(bind(attempt.outcome)), \(bind(attempt.providerID))::text,
                       \(bind(attempt.errorCode))::text, \(bind(attempt.errorMessage))::text, \(bind(attempt.node))::text, \(bind(lease.token))
                FROM held
                RETURNING 1
                """
            var recorded = false
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode(Int.self) {
                recorded = true
            }
            return recorded
        }
    }

    public func postpone(deliveryID: String, lease: Lease, until: Date, note: String, now: Date) async throws(OutboxError) -> Bool {
        try await connection("postponing delivery \(deliveryID)", counted: true) { [self] connection in
            let rows = try await connection.query("""
                UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, due_at = \(StoredTime.milliseconds(until)),
                    last_error = \(note), updated_at = \(StoredTime.milliseconds(now))
                WHERE id = \(deliveryID) AND status = 'pending' AND lease_owner = \(lease.owner) AND lease_token = \(lease.token)
                RETURNING 1
                """, logger: logger)
            var changed = false
            for try await _ in rows.decode(Int.self) { changed = true }
            return changed
        }
    }

    public func requeue(deliveryID: String, now: Date) async throws(OutboxError) -> Bool {
        let nowMS = StoredTime.milliseconds(now)
        return try await connection("requeueing delivery \(deliveryID)", counted: true) { [self] connection in
            let rows = try await connection.query("""
                UPDATE deliveries SET status = 'pending', due_at = \(nowMS), updated_at = \(nowMS), expires_at = NULL,
                    channel_index = 0, attempts_on_channel = 0, total_attempts = 0,
                    dead_reason = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = \(deliveryID) AND status = 'dead'
                RETURNING 1
                """, logger: logger)
            var changed = false
            for try await _ in rows.decode(Int.self) { changed = true }
            return changed
        }
    }

    public func prune(deliveredBefore date: Date, limit: Int) async throws(OutboxError) -> Int {
        let before = StoredTime.milliseconds(date)
        return try await connection("pruning events delivered before \(date)", counted: true) { [self] connection in
            let rows = try await connection.query("""
                DELETE FROM events WHERE id IN (
                    SELECT id FROM events
                    WHERE received_at < \(before)
                      AND NOT EXISTS (
                          SELECT 1 FROM deliveries
                          WHERE deliveries.event_id = events.id AND (status <> 'delivered' OR updated_at >= \(before)))
                    LIMIT \(max(1, limit))
                    FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, logger: logger)
            var removed = 0
            for try await _ in rows.decode(Int.self) { removed += 1 }
            return removed
        }
    }

    public func heartbeat(node: String, now: Date, window: Duration) async throws(OutboxError) -> [String] {
        let nowMS = StoredTime.milliseconds(now)
        let since = nowMS - StoredTime.milliseconds(window)
        return try await connection("recording node \(node)'s heartbeat") { [self] connection in
            try await connection.query("""
                INSERT INTO nodes (name, seen_at) VALUES (\(node), \(nowMS))
                ON CONFLICT (name) DO UPDATE SET seen_at = GREATEST(nodes.seen_at, excluded.seen_at)
                """, logger: logger)
            var names: [String] = []
            for try await name in try await connection.query("SELECT name FROM nodes WHERE seen_at >= \(since) ORDER BY name", logger: logger)
                .decode(String.self) { names.append(name) }
            return names
        }
    }

    /// `a, b` → `d.a, d.b`: a column list qualified by a table alias.
    static func qualified(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
    }
}
