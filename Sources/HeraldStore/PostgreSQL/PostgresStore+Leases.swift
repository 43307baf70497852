import Foundation
import PostgresNIO

extension PostgresStore {
    public func claim(limit: Int, now: Date, lease: Duration, owner: String) async throws(OutboxError) -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let nowMS = StoredTime.milliseconds(now)
        let until = StoredTime.milliseconds(now, plus: lease)
        // SKIP LOCKED: nodes claiming at once take different rows instead of waiting for each other.
        let statement = ClaimStatement(owner: owner, until: until, now: nowMS, limit: limit)
        let claimed = try await connection("claiming deliveries for \(owner)", counted: true) { connection in
            var claimed: [ClaimedDelivery] = []
            for try await delivery in try await connection.execute(statement, logger: self.logger) { claimed.append(delivery) }
            return claimed
        }
        return claimed.sorted { ($0.priority, $0.dueAt, $0.id) < ($1.priority, $1.dueAt, $1.id) }
    }

    public func record(_ attempt: AttemptRecord, next: NextStep, lease: Lease) async throws(OutboxError) -> Bool {
        let id = attempt.deliveryID
        if case .nextChannel = next {
            return try await recordMovingChannel(attempt, next: next, lease: lease)
        }
        try checkOpen("recording an attempt of delivery \(id)")
        do {
            return try await records.submit(RecordItem(attempt: attempt, next: next, lease: lease), to: self)
        } catch {
            throw Self.error(error, location: location, operation: "recording an attempt of delivery \(id)")
        }
    }

    /// Records a group of attempts in one statement: each applies only under its own lease, and
    /// its attempt row is inserted only when it did. One outcome per item, in order.
    func recordGroup(_ items: [RecordItem]) async throws(OutboxError) -> [Bool] {
        let statement = RecordGroupStatement(columns: RecordGroupStatement.columns(items))
        let recorded = try await connection("recording \(items.count == 1 ? "an attempt" : "\(items.count) attempts")") { connection in
            var recorded = Set<Int64>()
            for try await n in try await connection.execute(statement, logger: self.logger) { recorded.insert(n) }
            return recorded
        }
        return items.indices.map { recorded.contains(Int64($0)) }
    }

    /// A move to another channel: the one step that reads the row first, since the channel it
    /// names must exist.
    private func recordMovingChannel(_ attempt: AttemptRecord, next: NextStep, lease: Lease) async throws(OutboxError) -> Bool {
        let id = attempt.deliveryID
        return try await connection("recording an attempt of delivery \(id)", counted: true) { connection in
            if case .nextChannel(let index, _) = next {
                // The one step that needs the row first: the channel it names must exist.
                var channels: String?
                for try await text in try await connection.query("SELECT channels FROM deliveries WHERE id = \(id)", logger: self.logger)
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
                INSERT INTO attempts (\(StoredRows.attemptColumns))
                SELECT id, \(bind(attempt.channel)), \(bind(attempt.number)), \(bind(StoredTime.milliseconds(attempt.startedAt))),
                       \(bind(StoredTime.microseconds(attempt.duration))), \(bind(attempt.outcome)), \(bind(attempt.providerID))::text,
                       \(bind(attempt.errorCode))::text, \(bind(attempt.errorMessage))::text, \(bind(attempt.node))::text, \(bind(lease.token))
                FROM held
                RETURNING 1
                """
            var recorded = false
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).decode(Int.self) {
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
                """, logger: self.logger)
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
                """, logger: self.logger)
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
                """, logger: self.logger)
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
                """, logger: self.logger)
            var names: [String] = []
            for try await name in try await connection.query("SELECT name FROM nodes WHERE seen_at >= \(since) ORDER BY name", logger: self.logger)
                .decode(String.self) { names.append(name) }
            return names
        }
    }

    /// `a, b` → `d.a, d.b`: a column list qualified by a table alias.
    static func qualified(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
    }
}

/// One recorded attempt waiting for its group: what the batched statement needs of it.
struct RecordItem: Sendable {
    var attempt: AttemptRecord
    var next: NextStep
    var lease: Lease

    /// The step as the statement names it: the status it leads to, or `retry`.
    var kind: String {
        switch next {
        case .delivered: DeliveryStatus.delivered.rawValue
        case .retry, .nextChannel: "retry"
        case .dead: DeliveryStatus.dead.rawValue
        case .expired: DeliveryStatus.expired.rawValue
        case .suppressed: DeliveryStatus.suppressed.rawValue
        }
    }

    var channel: String? {
        if case .delivered(let channel, _) = next { channel } else { nil }
    }

    var providerID: String? {
        if case .delivered(_, let providerID) = next { providerID } else { nil }
    }

    var dueAt: Int64? {
        if case .retry(let at) = next { StoredTime.milliseconds(at) } else { nil }
    }

    var reason: String? {
        switch next {
        case .dead(let reason), .expired(let reason), .suppressed(let reason): reason
        case .delivered, .retry, .nextChannel: nil
        }
    }
}

/// A claim, prepared once per connection. SKIP LOCKED: nodes claiming at once take different rows
/// instead of waiting for each other.
struct ClaimStatement: PostgresPreparedStatement {
    static let sql = """
        UPDATE deliveries d SET lease_owner = $1, lease_until = $2, lease_token = d.lease_token + 1
        FROM (SELECT id FROM deliveries
              WHERE status = 'pending' AND due_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
              ORDER BY priority, due_at, id LIMIT $4
              FOR UPDATE SKIP LOCKED) due
        WHERE d.id = due.id
        RETURNING \(PostgresStore.qualified(StoredRows.deliveryColumns, "d"))
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .int8]

    var owner: String
    var until: Int64
    var now: Int64
    var limit: Int

    func makeBindings() -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(owner)
        binds.append(until)
        binds.append(now)
        binds.append(Int64(limit))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> ClaimedDelivery {
        try StoredRows.claimed(row)
    }
}

/// A group of recorded attempts in one statement, prepared once per connection: each delivery is
/// updated only under its own lease (owner and token), and an attempt row is inserted for each one
/// that was; returns the positions (`n`) of the items recorded.
struct RecordGroupStatement: PostgresPreparedStatement {
    static let sql = """
        WITH input (n, id, owner, token, kind, finished, channel, provider_id, due_at, last_error, reason,
                    a_channel, a_number, a_started, a_duration, a_outcome, a_provider, a_code, a_message, a_node) AS (\(columns([]).select)),
        held AS (
            UPDATE deliveries d SET
                lease_owner = NULL, lease_until = NULL, updated_at = i.finished, total_attempts = d.total_attempts + 1,
                attempts_on_channel = CASE WHEN i.kind IN ('expired', 'suppressed') THEN d.attempts_on_channel
                                           ELSE d.attempts_on_channel + 1 END,
                status = CASE WHEN i.kind = 'retry' THEN d.status ELSE i.kind END,
                delivered_channel = CASE WHEN i.kind = 'delivered' THEN i.channel ELSE d.delivered_channel END,
                provider_id = CASE WHEN i.kind = 'delivered' THEN i.provider_id ELSE d.provider_id END,
                due_at = CASE WHEN i.kind = 'retry' THEN i.due_at ELSE d.due_at END,
                last_error = CASE WHEN i.kind IN ('retry', 'dead') THEN COALESCE(i.last_error, d.last_error) ELSE d.last_error END,
                dead_reason = CASE WHEN i.kind IN ('dead', 'expired', 'suppressed') THEN i.reason ELSE d.dead_reason END
            FROM input i
            WHERE d.id = i.id AND d.status = 'pending' AND d.lease_owner = i.owner AND d.lease_token = i.token
            RETURNING i.n),
        inserted AS (
            INSERT INTO attempts (\(StoredRows.attemptColumns))
            SELECT i.id, i.a_channel, i.a_number, i.a_started, i.a_duration, i.a_outcome, i.a_provider, i.a_code, i.a_message,
                   i.a_node, i.token
            FROM input i JOIN held h ON h.n = i.n)
        SELECT n FROM held
        """

    var columns: UnnestColumns

    /// The items' columns, in the order ``sql`` reads them.
    static func columns(_ items: [RecordItem]) -> UnnestColumns {
        var columns = UnnestColumns()
        columns.int64(items.indices.map { Int64($0) })
        columns.text(items.map(\.attempt.deliveryID))
        columns.text(items.map(\.lease.owner))
        columns.int64(items.map(\.lease.token))
        columns.text(items.map(\.kind))
        columns.int64(items.map { StoredTime.milliseconds($0.attempt.startedAt, plus: $0.attempt.duration) })
        columns.text(items.map(\.channel))
        columns.text(items.map(\.providerID))
        columns.int64(items.map(\.dueAt))
        columns.text(items.map(\.attempt.lastError))
        columns.text(items.map(\.reason))
        columns.attempts(items.map(\.attempt))
        return columns
    }

    func makeBindings() -> PostgresBindings { columns.binds }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}
