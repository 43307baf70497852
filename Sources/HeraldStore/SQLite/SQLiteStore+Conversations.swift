import Foundation
import GRDB

extension SQLiteStore {
    // MARK: Provider statuses

    /// The delivery with `id`, with its attempts; nil if none.
    public func delivery(id: String) async throws(OutboxError) -> DeliveryRecord? {
        try await reading("reading delivery \(id)") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(StoredRows.deliveryColumns) FROM deliveries WHERE id = ?"), arguments: [id])
                .map { try StoredRows.withAttempts(StoredRows.delivery($0), in: db) }
        }
    }

    /// The delivery a provider message id belongs to (its id and the event's), if any.
    public func delivery(providerID: String) async throws(OutboxError) -> DeliveryRecord? {
        try await reading("finding the delivery of provider message \(providerID)") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(StoredRows.deliveryColumns) FROM deliveries WHERE provider_id = ?"),
                             arguments: [providerID]).map { try StoredRows.delivery($0) }
        }
    }

    /// Records a provider status once, and makes it the delivery's status when `shouldApply`
    /// (given the current status, or nil, and the new one) says it moves forward.
    ///
    /// `deliveryID` (Twilio's status callbacks carry it) finds the delivery when the status
    /// arrives before the provider's answer to the send was recorded.
    public func record(status: StatusRecord, deliveryID: String?,
                       shouldApply: @escaping @Sendable (String?, String) -> Bool) async throws(OutboxError) -> StatusOutcome {
        try await writing("recording status \(status.status) of provider message \(status.providerID)") { db in
            var found = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, provider_status FROM deliveries WHERE provider_id = ?"), arguments: [status.providerID])
            if found == nil, let deliveryID {
                found = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, provider_status FROM deliveries WHERE id = ?"), arguments: [deliveryID])
            }
            guard let row = found else { return .unknownMessage }
            let id: String = try row.value("id", in: "a delivery")
            let current: String? = try row.value("provider_status", in: "delivery \(id)")
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM statuses WHERE provider_id = ? AND status = ?"),
                                 arguments: [status.providerID, status.status]) == true {
                return .duplicate(deliveryID: id)
            }
            let apply = shouldApply(current, status.status)
            try db.cachedStatement(sql: """
                INSERT INTO statuses (delivery_id, provider_id, status, at, received_at, applied, error_code, error_message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, status.providerID, status.status, StoredTime.milliseconds(status.at),
                                         StoredTime.milliseconds(status.receivedAt), apply ? 1 : 0, status.errorCode, status.errorMessage])
            guard apply else { return .ignored(deliveryID: id, current: current ?? "-") }
            try db.cachedStatement(sql: "UPDATE deliveries SET provider_status = ?, provider_status_at = ? WHERE id = ?")
                .execute(arguments: [status.status, StoredTime.milliseconds(status.at), id])
            return .applied(deliveryID: id, previous: current)
        }
    }

    /// After the provider reported a delivered message failed (WhatsApp `failed`, Twilio
    /// `undelivered`): the delivery goes back to pending on channel `index`, due now, with `reason`
    /// as its last error. Returns false when it is not delivered or has no such channel.
    public func failOver(deliveryID: String, toChannel index: Int, reason: String, now: Date) async throws(OutboxError) -> Bool {
        try await writing("failing delivery \(deliveryID) over to channel \(index + 1)") { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT status, channels FROM deliveries WHERE id = ?"), arguments: [deliveryID])
            else { return false }
            let status: String = try row.value("status", in: "delivery \(deliveryID)")
            let channels = try StoredRows.names(row.value("channels", in: "delivery \(deliveryID)"), column: "channels", in: "delivery \(deliveryID)")
            guard status == DeliveryStatus.delivered.rawValue, channels.indices.contains(index) else { return false }
            let nowMS = StoredTime.milliseconds(now)
            try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'pending', channel_index = ?, attempts_on_channel = 0, due_at = ?, updated_at = ?,
                    last_error = ?, delivered_channel = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = ?
                """).execute(arguments: [index, nowMS, nowMS, reason, deliveryID])
            return true
        }
    }

    /// Every status recorded for a delivery, oldest first.
    public func statuses(deliveryID: String) async throws(OutboxError) -> [StatusRecord] {
        try await reading("reading the statuses of delivery \(deliveryID)") { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(StoredRows.statusColumns) FROM statuses WHERE delivery_id = ? ORDER BY id
                """), arguments: [deliveryID]).map(StoredRows.status)
        }
    }

    // MARK: Follow-up deliveries

    /// Adds a delivery to an event already stored (the callback carrying a customer's reply to the
    /// business). Returns false, adding nothing, when a delivery with that id exists already.
    public func enqueue(_ delivery: NewDelivery, eventID: String, now: Date) async throws(OutboxError) -> Bool {
        try await writing("adding delivery \(delivery.id) to event \(eventID)") { db in
            guard !delivery.channels.isEmpty else { throw StoreFailure.invalidInput("delivery \(delivery.id) has no channel") }
            let nowMS = StoredTime.milliseconds(now)
            try db.cachedStatement(sql: """
                INSERT INTO deliveries (id, event_id, rule, element, channels, message, status, created_at, due_at, expires_at,
                                        updated_at, priority, recipient)
                VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                """).execute(arguments: [delivery.id, eventID, delivery.rule, delivery.element, try StoredRows.text(of: delivery.channels),
                                         Data(delivery.message), nowMS, StoredTime.milliseconds(delivery.dueAt),
                                         delivery.expiresAt.map(StoredTime.milliseconds), nowMS, delivery.priority, delivery.recipient])
            return db.changesCount > 0
        }
    }

    // MARK: Replies

    /// Stores a reply once. Returns false (storing nothing) when a reply with the same provider
    /// message id is already stored: the provider posted its webhook again.
    public func record(reply: ReplyRecord) async throws(OutboxError) -> Bool {
        try await writing("recording reply \(reply.providerMessageID)") { db in
            try db.cachedStatement(sql: """
                INSERT INTO replies (provider_message_id, delivery_id, channel, from_address, kind, button, text, received_at, callback_delivery_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider_message_id) DO NOTHING
                """).execute(arguments: [reply.providerMessageID, reply.deliveryID, reply.channel, reply.from, reply.kind, reply.button,
                                         reply.text, StoredTime.milliseconds(reply.receivedAt), reply.callbackDeliveryID])
            return db.changesCount > 0
        }
    }

    /// The replies to a delivery, oldest first.
    public func replies(deliveryID: String) async throws(OutboxError) -> [ReplyRecord] {
        try await reading("reading the replies to delivery \(deliveryID)") { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(StoredRows.replyColumns) FROM replies WHERE delivery_id = ? ORDER BY id
                """), arguments: [deliveryID]).map(StoredRows.reply)
        }
    }

    /// The most recent delivered message to `recipient` since `since`, among `rules` (the rules
    /// that ask a question): what an SMS reply, which carries no reference, answers.
    public func latestQuestion(to recipient: String, rules: Set<String>, since: Date) async throws(OutboxError) -> DeliveryRecord? {
        guard !rules.isEmpty else { return nil }
        let placeholders = Array(repeating: "?", count: rules.count).joined(separator: ", ")
        var arguments: StatementArguments = [recipient, StoredTime.milliseconds(since)]
        for rule in rules.sorted() { arguments += [rule] }
        let final = arguments
        return try await reading("finding the latest question to a recipient") { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(StoredRows.deliveryColumns) FROM deliveries
                WHERE recipient = ? AND status = 'delivered' AND updated_at >= ? AND rule IN (\(placeholders))
                ORDER BY updated_at DESC, rowid DESC LIMIT 1
                """), arguments: final).map { try StoredRows.delivery($0) }
        }
    }

    /// When non-urgent messages were delivered to `recipient` since `since` (for pacing).
    public func deliveredTimes(to recipient: String, since: Date) async throws(OutboxError) -> [Date] {
        try await reading("counting recent messages to a recipient") { db in
            try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT updated_at FROM deliveries WHERE recipient = ? AND status = 'delivered' AND priority > 0 AND updated_at >= ?
                ORDER BY updated_at
                """), arguments: [recipient, StoredTime.milliseconds(since)]).map(StoredTime.date(milliseconds:))
        }
    }

    // MARK: Suppressions

    /// Adds (or replaces) an opt-out of `category` for `address`.
    public func suppress(_ suppression: Suppression) async throws(OutboxError) {
        try await writing("suppressing a recipient") { db in
            try db.cachedStatement(sql: """
                INSERT INTO suppressions (address, category, reason, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at
                """).execute(arguments: [suppression.address, suppression.category, suppression.reason,
                                         StoredTime.milliseconds(suppression.createdAt)])
        }
    }

    /// Removes opt-outs of `address` (one category, or all when nil); returns how many.
    public func unsuppress(address: String, category: String?) async throws(OutboxError) -> Int {
        try await writing("removing a recipient's opt-out") { db in
            if let category {
                try db.cachedStatement(sql: "DELETE FROM suppressions WHERE address = ? AND category = ?").execute(arguments: [address, category])
            } else {
                try db.cachedStatement(sql: "DELETE FROM suppressions WHERE address = ?").execute(arguments: [address])
            }
            return db.changesCount
        }
    }

    /// The opt-outs of `address`, or every opt-out when nil (ordered by address, then category).
    public func suppressions(address: String?, limit: Int) async throws(OutboxError) -> [Suppression] {
        try await reading("listing opt-outs") { db in
            let rows: [Row]
            if let address {
                rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT \(StoredRows.suppressionColumns) FROM suppressions WHERE address = ? ORDER BY category LIMIT ?
                    """), arguments: [address, limit])
            } else {
                rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT \(StoredRows.suppressionColumns) FROM suppressions ORDER BY address, category LIMIT ?
                    """), arguments: [limit])
            }
            return try rows.map(StoredRows.suppression)
        }
    }
}
