import Foundation
import PostgresNIO

extension PostgresStore {
    public func record(status: StatusRecord, deliveryID: String?,
                       shouldApply: @escaping @Sendable (String?, String) -> Bool) async throws(OutboxError) -> StatusOutcome {
        try await transaction("recording status \(status.status) of provider message \(status.providerID)") { [self] connection in
            // The row is locked, so two nodes recording statuses of one message apply them one after the other.
            var found: (String, String?)?
            for try await row in try await connection.query(
                "SELECT id, provider_status FROM deliveries WHERE provider_id = \(status.providerID) LIMIT 1 FOR UPDATE", logger: self.logger
            ).decode((String, String?).self) { found = row }
            if found == nil, let deliveryID {
                for try await row in try await connection.query(
                    "SELECT id, provider_status FROM deliveries WHERE id = \(deliveryID) FOR UPDATE", logger: self.logger
                ).decode((String, String?).self) { found = row }
            }
            guard let (id, current) = found else { return .unknownMessage }
            let apply = shouldApply(current, status.status)
            var inserted = false
            for try await _ in try await connection.query("""
                INSERT INTO statuses (delivery_id, provider_id, status, at, received_at, applied, error_code, error_message)
                VALUES (\(id), \(status.providerID), \(status.status), \(StoredTime.milliseconds(status.at)),
                        \(StoredTime.milliseconds(status.receivedAt)), \(apply), \(status.errorCode), \(status.errorMessage))
                ON CONFLICT (provider_id, status) DO NOTHING
                RETURNING 1
                """, logger: self.logger).decode(Int.self) { inserted = true }
            guard inserted else { return .duplicate(deliveryID: id) }
            guard apply else { return .ignored(deliveryID: id, current: current ?? "-") }
            try await connection.query("""
                UPDATE deliveries SET provider_status = \(status.status), provider_status_at = \(StoredTime.milliseconds(status.at))
                WHERE id = \(id)
                """, logger: self.logger)
            return .applied(deliveryID: id, previous: current)
        }
    }

    public func failOver(deliveryID: String, toChannel index: Int, reason: String, now: Date) async throws(OutboxError) -> Bool {
        try await transaction("failing delivery \(deliveryID) over to channel \(index + 1)") { [self] connection in
            var found: (String, String)?
            for try await row in try await connection.query(
                "SELECT status, channels FROM deliveries WHERE id = \(deliveryID) FOR UPDATE", logger: self.logger
            ).decode((String, String).self) { found = row }
            guard let (status, text) = found else { return false }
            let channels = try StoredRows.names(text, column: "channels", in: "delivery \(deliveryID)")
            guard status == DeliveryStatus.delivered.rawValue, channels.indices.contains(index) else { return false }
            let nowMS = StoredTime.milliseconds(now)
            try await connection.query("""
                UPDATE deliveries SET status = 'pending', channel_index = \(index), attempts_on_channel = 0, due_at = \(nowMS),
                    updated_at = \(nowMS), last_error = \(reason), delivered_channel = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = \(deliveryID)
                """, logger: self.logger)
            return true
        }
    }

    public func statuses(deliveryID: String) async throws(OutboxError) -> [StatusRecord] {
        try await connection("reading the statuses of delivery \(deliveryID)") { [self] connection in
            var statuses: [StatusRecord] = []
            for try await row in try await connection.query("""
                SELECT \(unescaped: StoredRows.statusColumns) FROM statuses
                WHERE delivery_id = \(deliveryID) ORDER BY id
                """, logger: self.logger) {
                statuses.append(try StoredRows.status(row.makeRandomAccess()))
            }
            return statuses
        }
    }

    public func enqueue(_ delivery: NewDelivery, eventID: String, now: Date) async throws(OutboxError) -> Bool {
        guard !delivery.channels.isEmpty else {
            throw OutboxError(code: .invalidInput, path: location, operation: "adding delivery \(delivery.id) to event \(eventID)",
                              reason: "delivery \(delivery.id) has no channel")
        }
        let channels: String
        do { channels = try StoredRows.text(of: delivery.channels) } catch {
            throw Self.error(error, location: location, operation: "adding delivery \(delivery.id)")
        }
        let nowMS = StoredTime.milliseconds(now)
        return try await connection("adding delivery \(delivery.id) to event \(eventID)", counted: true) { [self] connection in
            var added = false
            for try await _ in try await connection.query("""
                INSERT INTO deliveries (id, event_id, rule, element, channels, message, status, created_at, due_at, expires_at,
                                        updated_at, priority, recipient)
                VALUES (\(delivery.id), \(eventID), \(delivery.rule), \(delivery.element), \(channels), \(ByteBuffer(bytes: delivery.message)),
                        'pending', \(nowMS), \(StoredTime.milliseconds(delivery.dueAt)), \(delivery.expiresAt.map(StoredTime.milliseconds)),
                        \(nowMS), \(delivery.priority), \(delivery.recipient))
                ON CONFLICT (id) DO NOTHING
                RETURNING 1
                """, logger: self.logger).decode(Int.self) { added = true }
            return added
        }
    }

    public func record(reply: ReplyRecord) async throws(OutboxError) -> Bool {
        try await connection("recording reply \(reply.providerMessageID)", counted: true) { [self] connection in
            var added = false
            for try await _ in try await connection.query("""
                INSERT INTO replies (provider_message_id, delivery_id, channel, from_address, kind, button, text, received_at, callback_delivery_id)
                VALUES (\(reply.providerMessageID), \(reply.deliveryID), \(reply.channel), \(reply.from), \(reply.kind), \(reply.button),
                        \(reply.text), \(StoredTime.milliseconds(reply.receivedAt)), \(reply.callbackDeliveryID))
                ON CONFLICT (provider_message_id) DO NOTHING
                RETURNING 1
                """, logger: self.logger).decode(Int.self) { added = true }
            return added
        }
    }

    public func replies(deliveryID: String) async throws(OutboxError) -> [ReplyRecord] {
        try await connection("reading the replies to delivery \(deliveryID)") { [self] connection in
            var replies: [ReplyRecord] = []
            for try await row in try await connection.query("""
                SELECT provider_message_id, delivery_id, channel, from_address, kind, button, text, received_at, callback_delivery_id
                FROM replies WHERE delivery_id = \(deliveryID) ORDER BY id
                """, logger: self.logger) {
                replies.append(try StoredRows.reply(row.makeRandomAccess()))
            }
            return replies
        }
    }

    public func latestQuestion(to recipient: String, rules: Set<String>, since: Date) async throws(OutboxError) -> DeliveryRecord? {
        guard !rules.isEmpty else { return nil }
        let names = rules.sorted()
        return try await connection("finding the latest question to a recipient") { [self] connection in
            var found: DeliveryRecord?
            for try await row in try await connection.query("""
                SELECT \(unescaped: StoredRows.deliveryColumns) FROM deliveries
                WHERE recipient = \(recipient) AND status = 'delivered' AND updated_at >= \(StoredTime.milliseconds(since)) AND rule = ANY(\(names))
                ORDER BY updated_at DESC, seq DESC LIMIT 1
                """, logger: self.logger) {
                found = try StoredRows.delivery(row.makeRandomAccess())
            }
            return found
        }
    }

    public func deliveredTimes(to recipient: String, since: Date) async throws(OutboxError) -> [Date] {
        try await connection("counting recent messages to a recipient") { [self] connection in
            var times: [Date] = []
            for try await at in try await connection.query("""
                SELECT updated_at FROM deliveries
                WHERE recipient = \(recipient) AND status = 'delivered' AND priority > 0 AND updated_at >= \(StoredTime.milliseconds(since))
                ORDER BY updated_at
                """, logger: self.logger).decode(Int64.self) {
                times.append(StoredTime.date(milliseconds: at))
            }
            return times
        }
    }

    public func suppress(_ suppression: Suppression) async throws(OutboxError) {
        _ = try await connection("suppressing a recipient", counted: true) { [self] connection in
            try await connection.query("""
                INSERT INTO suppressions (address, category, reason, created_at)
                VALUES (\(suppression.address), \(suppression.category), \(suppression.reason), \(StoredTime.milliseconds(suppression.createdAt)))
                ON CONFLICT (address, category) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at
                """, logger: self.logger)
        }
    }

    public func unsuppress(address: String, category: String?) async throws(OutboxError) -> Int {
        try await connection("removing a recipient's opt-out", counted: true) { [self] connection in
            let rows = if let category {
                try await connection.query(
                    "DELETE FROM suppressions WHERE address = \(address) AND category = \(category) RETURNING 1", logger: self.logger)
            } else {
                try await connection.query("DELETE FROM suppressions WHERE address = \(address) RETURNING 1", logger: self.logger)
            }
            var removed = 0
            for try await _ in rows.decode(Int.self) { removed += 1 }
            return removed
        }
    }

    public func suppressions(address: String?, limit: Int) async throws(OutboxError) -> [Suppression] {
        try await connection("listing opt-outs") { [self] connection in
            let rows = if let address {
                try await connection.query("""
                    SELECT address, category, reason, created_at FROM suppressions WHERE address = \(address) ORDER BY category LIMIT \(limit)
                    """, logger: self.logger)
            } else {
                try await connection.query("""
                    SELECT address, category, reason, created_at FROM suppressions ORDER BY address, category LIMIT \(limit)
                    """, logger: self.logger)
            }
            var found: [Suppression] = []
            for try await row in rows { found.append(try StoredRows.suppression(row.makeRandomAccess())) }
            return found
        }
    }
}
