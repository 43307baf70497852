import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    public func accept(_ acceptances: [Acceptance], leasing lease: AcceptLease?) async throws(OutboxError)
        -> (results: [AcceptResult], leased: [ClaimedDelivery])
    {
        guard !acceptances.isEmpty else { return ([], []) }
        let operation = "accepting \(acceptances.count == 1 ? "1 event" : "\(acceptances.count) events")"
        try checkOpen(operation)
        for acceptance in acceptances {
            for delivery in acceptance.deliveries where delivery.channels.isEmpty {
                throw OutboxError(code: .invalidInput, path: location, operation: "accepting event \(acceptance.event.id)",
                                  reason: "delivery \(delivery.id) has no channel")
            }
        }
        do {
            return try await accepts.submit(AcceptBatch(acceptances: acceptances, lease: lease), size: acceptances.count, to: self)
        } catch {
            throw Self.error(error, location: location, operation: operation)
        }
    }

    /// Stores a group of batches in one transaction; one outcome per batch, in order.
    func storeGroup(_ batches: [AcceptBatch]) async throws(OutboxError) -> [AcceptBatch.Outcome] {
        let count = batches.reduce(0) { $0 + $1.acceptances.count }
        // Counted by the committer, per group.
        return try await transaction("accepting \(count == 1 ? "1 event" : "\(count) events")", counted: false) { [self] connection in
            var group = AcceptGroup(batches: batches)
            return try await group.store(on: connection, logger: self.logger)
        }
    }
}

/// One caller's acceptances, with the lease it asks for.
struct AcceptBatch: Sendable {
    typealias Outcome = (results: [AcceptResult], leased: [ClaimedDelivery])
    var acceptances: [Acceptance]
    var lease: AcceptLease?
}

/// One group's events and deliveries on their way into the database, and what became of each.
private struct AcceptGroup {
    struct Position: Hashable {
        var batch: Int
        var index: Int
    }

    let batches: [AcceptBatch]

    /// Each event's result; nil while it is still to be stored.
    private var results: [Position: AcceptResult] = [:]

    init(batches: [AcceptBatch]) {
        self.batches = batches
    }

    private var positions: [Position] {
        batches.indices.flatMap { batch in batches[batch].acceptances.indices.map { Position(batch: batch, index: $0) } }
    }

    private func acceptance(_ position: Position) -> Acceptance {
        batches[position.batch].acceptances[position.index]
    }

    mutating func store(on connection: PostgresConnection, logger: Logger) async throws -> [AcceptBatch.Outcome] {
        // 1. The first of each id and idempotency key in the group goes to the database; later
        //    ones are duplicates of whatever the first turns out to be.
        var firstByID: [String: Position] = [:]
        var firstByKey: [String: Position] = [:]
        var candidates: [Position] = []
        var repeats: [(Position, Position)] = []
        for position in positions {
            let event = acceptance(position).event
            if let first = firstByID[event.id] ?? event.idempotencyKey.flatMap({ firstByKey[$0] }) {
                repeats.append((position, first))
                continue
            }
            firstByID[event.id] = position
            if let key = event.idempotencyKey { firstByKey[key] = position }
            candidates.append(position)
        }

        // 2. Insert the events; a conflict (another node's, or an earlier request's) inserts nothing.
        var inserted: Set<String> = []
        if !candidates.isEmpty {
            let insert = InsertReturningID<EventsInsert>(
                columns: try EventsInsert.columns(candidates.map { acceptance($0).event }))
            for try await id in try await connection.execute(insert, logger: logger) { inserted.insert(id) }
        }

        // 3. The events that were stored before: each is a duplicate of its first.
        let stored = candidates.filter { !inserted.contains(acceptance($0).event.id) }
        if !stored.isEmpty {
            let ids = stored.map { acceptance($0).event.id }
            let keys = stored.compactMap { acceptance($0).event.idempotencyKey }
            var byID: [String: AcceptResult] = [:]
            var byKey: [String: AcceptResult] = [:]
            let rows = try await connection.query("""
                SELECT id, idempotency_key, received_at, (SELECT count(*) FROM deliveries WHERE event_id = events.id) AS deliveries
                FROM events WHERE id = ANY(\(ids)) OR idempotency_key = ANY(\(keys))
                """, logger: logger)
            for try await (id, key, receivedAt, deliveries) in rows.decode((String, String?, Int64, Int64).self) {
                let result = AcceptResult.duplicate(of: id, firstReceivedAt: StoredTime.date(milliseconds: receivedAt), deliveries: Int(deliveries))
                byID[id] = result
                if let key { byKey[key] = result }
            }
            for position in stored {
                let event = acceptance(position).event
                guard let result = byID[event.id] ?? event.idempotencyKey.flatMap({ byKey[$0] }) else {
                    // Inserted by nobody and found nowhere: only a concurrent delete (a prune) does that.
                    throw StoreFailure.invalidInput("event \(event.id) conflicted with an event that is no longer stored; send it again")
                }
                results[position] = result
            }
        }
        let fresh = candidates.filter { inserted.contains(acceptance($0).event.id) }
        for position in fresh { results[position] = .accepted }
        for (position, first) in repeats {
            if case .duplicate(let of, let at, let deliveries)? = results[first] {
                results[position] = .duplicate(of: of, firstReceivedAt: at, deliveries: deliveries)
            } else {
                let original = acceptance(first)
                results[position] = .duplicate(of: original.event.id, firstReceivedAt: StoredTime.date(milliseconds: StoredTime.milliseconds(original.event.receivedAt)),
                                               deliveries: original.deliveries.count)
            }
        }

        // 4. Opt-outs and dedupe keys decide which fresh deliveries are stored suppressed.
        var suppressed: [String: String] = [:]
        let deliveries = fresh.flatMap { position in acceptance(position).deliveries.map { (position, $0) } }
        for (_, delivery) in deliveries {
            if let reason = delivery.suppressedReason { suppressed[delivery.id] = reason }
        }
        let optOutChecks = deliveries.filter { suppressed[$0.1.id] == nil && $0.1.optOutCategory != nil && $0.1.recipient != nil }
        if !optOutChecks.isEmpty {
            var reasons: [String: String] = [:]
            let addresses = optOutChecks.compactMap { $0.1.recipient }
            let categories = optOutChecks.compactMap { $0.1.optOutCategory }
            let rows = try await connection.query("""
                SELECT s.address, s.category, s.reason FROM suppressions s
                JOIN unnest(\(addresses)::text[], \(categories)::text[]) AS wanted(address, category)
                  ON s.address = wanted.address AND s.category = wanted.category
                """, logger: logger)
            for try await (address, category, reason) in rows.decode((String, String, String).self) {
                reasons[address + "\u{1}" + category] = reason
            }
            for (_, delivery) in optOutChecks {
                guard let recipient = delivery.recipient, let category = delivery.optOutCategory,
                      let reason = reasons[recipient + "\u{1}" + category] else { continue }
                suppressed[delivery.id] = NewDelivery.optedOutReason(category: category, reason: reason)
            }
        }
        try await claimDedupeKeys(deliveries, suppressed: &suppressed, on: connection, logger: logger)

        // 5. The deliveries, leased as far as each batch asked.
        var leased = Array(repeating: [ClaimedDelivery](), count: batches.count)
        var remaining = batches.map { $0.lease?.limit ?? 0 }
        if !deliveries.isEmpty {
            var leases: [Lease?] = []
            for (position, delivery) in deliveries {
                let event = acceptance(position).event
                let receivedAt = StoredTime.milliseconds(event.receivedAt)
                guard suppressed[delivery.id] == nil, StoredTime.milliseconds(delivery.dueAt) <= receivedAt,
                      remaining[position.batch] > 0, let lease = batches[position.batch].lease else {
                    leases.append(nil)
                    continue
                }
                remaining[position.batch] -= 1
                let held = Lease(owner: lease.owner, token: 1, until: StoredTime.date(milliseconds: StoredTime.milliseconds(lease.until)))
                leases.append(held)
                leased[position.batch].append(ClaimedDelivery(
                    id: delivery.id, eventID: event.id, rule: delivery.rule, element: delivery.element, channels: delivery.channels,
                    message: delivery.message, channelIndex: 0, attemptsOnChannel: 0, totalAttempts: 0,
                    createdAt: StoredTime.date(milliseconds: receivedAt), dueAt: StoredTime.date(milliseconds: StoredTime.milliseconds(delivery.dueAt)),
                    expiresAt: delivery.expiresAt.map { StoredTime.date(milliseconds: StoredTime.milliseconds($0)) },
                    priority: delivery.priority, recipient: delivery.recipient, lease: held))
            }
            let rows = deliveries.indices.map { index in
                let (position, delivery) = deliveries[index]
                let receivedAt = StoredTime.milliseconds(acceptance(position).event.receivedAt)
                return DeliveriesInsert.Row(
                    delivery: delivery, eventID: acceptance(position).event.id, receivedAt: receivedAt,
                    suppressed: suppressed[delivery.id], lease: leases[index])
            }
            let insert = InsertReturningID<DeliveriesInsert>(columns: try DeliveriesInsert.columns(rows))
            var stored: Set<String> = []
            for try await id in try await connection.execute(insert, logger: logger) { stored.insert(id) }
            // A delivery id already taken (by another event, or twice in the group): the whole
            // transaction rolls back, naming the event whose delivery it was.
            if let (position, clash) = deliveries.first(where: { !stored.contains($0.1.id) }) {
                throw StoreFailure.duplicateDelivery(event: acceptance(position).event.id, delivery: clash.id)
            }
        }

        return batches.indices.map { batch in
            let results = batches[batch].acceptances.indices.map { index in
                self.results[Position(batch: batch, index: index)] ?? .accepted
            }
            return (results, leased[batch])
        }
    }

    /// Claims each rule's business key for its window, cluster-wide: the upsert takes a key only
    /// where none is held or the holder's window ended; a key held by another event (in this group
    /// or committed by any node) suppresses the delivery, naming the holder.
    private func claimDedupeKeys(_ deliveries: [(Position, NewDelivery)], suppressed: inout [String: String],
                                 on connection: PostgresConnection, logger: Logger) async throws {
        var wanted: [(position: Position, delivery: NewDelivery, dedupe: NewDelivery.Dedupe)] = []
        var firstInGroup: [String: String] = [:]
        for (position, delivery) in deliveries where suppressed[delivery.id] == nil {
            guard let dedupe = delivery.dedupe else { continue }
            let name = delivery.rule + "\u{1}" + dedupe.key
            if let holder = firstInGroup[name] {
                suppressed[delivery.id] = NewDelivery.duplicateReason(holder: holder, rule: delivery.rule, key: dedupe.key)
                continue
            }
            firstInGroup[name] = acceptance(position).event.id
            wanted.append((position, delivery, dedupe))
        }
        guard !wanted.isEmpty else { return }
        var columns = UnnestColumns()
        columns.text(wanted.map(\.delivery.rule))
        columns.text(wanted.map(\.dedupe.key))
        columns.text(wanted.map { acceptance($0.position).event.id })
        columns.int64(wanted.map { StoredTime.milliseconds(acceptance($0.position).event.receivedAt) + StoredTime.milliseconds($0.dedupe.window) })
        columns.int64(wanted.map { StoredTime.milliseconds(acceptance($0.position).event.receivedAt) })
        let sql = """
            WITH wanted (rule, key, event_id, expires_at, at) AS (\(columns.select))
            INSERT INTO dedupe_keys (rule, key, event_id, expires_at)
            SELECT rule, key, event_id, expires_at FROM wanted
            ON CONFLICT (rule, key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
            WHERE dedupe_keys.expires_at <= (SELECT at FROM wanted WHERE wanted.rule = excluded.rule AND wanted.key = excluded.key)
            RETURNING rule, key
            """
        var taken: Set<String> = []
        for try await (rule, key) in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: columns.binds), logger: logger)
            .decode((String, String).self) {
            taken.insert(rule + "\u{1}" + key)
        }
        let refused = wanted.filter { !taken.contains($0.delivery.rule + "\u{1}" + $0.dedupe.key) }
        guard !refused.isEmpty else { return }
        var holders: [String: String] = [:]
        let rows = try await connection.query("""
            SELECT d.rule, d.key, d.event_id FROM dedupe_keys d
            JOIN unnest(\(refused.map(\.delivery.rule))::text[], \(refused.map(\.dedupe.key))::text[]) AS w(rule, key)
              ON d.rule = w.rule AND d.key = w.key
            """, logger: logger)
        for try await (rule, key, holder) in rows.decode((String, String, String).self) {
            holders[rule + "\u{1}" + key] = holder
        }
        for item in refused {
            let holder = holders[item.delivery.rule + "\u{1}" + item.dedupe.key] ?? "?"
            suppressed[item.delivery.id] = NewDelivery.duplicateReason(holder: holder, rule: item.delivery.rule, key: item.dedupe.key)
        }
    }
}

/// The text of a statement prepared once per connection, built from the shape of its columns.
protocol PreparedSQL {
    static var sql: String { get }
}

/// A multi-row insert that returns the ids it inserted, prepared once per connection.
struct InsertReturningID<Shape: PreparedSQL>: PostgresPreparedStatement {
    static var sql: String { Shape.sql }

    var columns: UnnestColumns

    func makeBindings() -> PostgresBindings { columns.binds }

    func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
}

/// The events of a group; a conflict on the id or the idempotency key inserts nothing.
enum EventsInsert: PreparedSQL {
    static let sql = (try? columns([])).map {
        "INSERT INTO events (id, received_at, body, matched_rules, idempotency_key) \($0.select) ON CONFLICT DO NOTHING RETURNING id"
    } ?? ""

    static func columns(_ events: [NewEvent]) throws -> UnnestColumns {
        var columns = UnnestColumns()
        columns.text(events.map(\.id))
        columns.int64(events.map { StoredTime.milliseconds($0.receivedAt) })
        columns.bytes(events.map(\.body))
        columns.text(try events.map { try StoredRows.text(of: $0.matchedRules) })
        columns.text(events.map(\.idempotencyKey))
        return columns
    }
}

/// The deliveries of a group's new events; an id already stored inserts nothing (and is not returned).
enum DeliveriesInsert: PreparedSQL {
    struct Row {
        var delivery: NewDelivery
        var eventID: String
        var receivedAt: Int64
        var suppressed: String?
        var lease: Lease?
    }

    static let sql = (try? columns([])).map {
        """
        INSERT INTO deliveries (id, event_id, rule, element, channels, message, status, created_at, due_at, expires_at,
                                updated_at, priority, recipient, dead_reason, lease_owner, lease_until, lease_token)
        \($0.select)
        ON CONFLICT (id) DO NOTHING
        RETURNING id
        """
    } ?? ""

    static func columns(_ rows: [Row]) throws -> UnnestColumns {
        var columns = UnnestColumns()
        columns.text(rows.map(\.delivery.id))
        columns.text(rows.map(\.eventID))
        columns.text(rows.map(\.delivery.rule))
        columns.int64(rows.map { $0.delivery.element.map(Int64.init) })
        columns.text(try rows.map { try StoredRows.text(of: $0.delivery.channels) })
        columns.bytes(rows.map(\.delivery.message))
        columns.text(rows.map { $0.suppressed == nil ? DeliveryStatus.pending.rawValue : DeliveryStatus.suppressed.rawValue })
        columns.int64(rows.map(\.receivedAt))
        columns.int64(rows.map { StoredTime.milliseconds($0.delivery.dueAt) })
        columns.int64(rows.map { $0.delivery.expiresAt.map(StoredTime.milliseconds) })
        columns.int64(rows.map(\.receivedAt))
        columns.int64(rows.map { Int64($0.delivery.priority) })
        columns.text(rows.map(\.delivery.recipient))
        columns.text(rows.map(\.suppressed))
        columns.text(rows.map { $0.lease?.owner })
        columns.int64(rows.map { $0.lease.map { StoredTime.milliseconds($0.until) } })
        columns.int64(rows.map { $0.lease == nil ? 0 : 1 })
        return columns
    }
}
