import Foundation
import HeraldCore

/// A row as both stores read it back: a column's value by name, of the type the caller asks for,
/// or ``StoreFailure/corrupt(_:)`` naming the row and column (a file edited by hand, a damaged
/// database) rather than a trap. GRDB's `Row` and postgres-nio's `PostgresRandomAccessRow` conform.
protocol StoredRow {
    func column(_ name: String, in what: @autoclosure () -> String) throws -> String
    func column(_ name: String, in what: @autoclosure () -> String) throws -> String?
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int?
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int64
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Int64?
    func column(_ name: String, in what: @autoclosure () -> String) throws -> Bool
    /// A BLOB or BYTEA column's bytes.
    func bytes(_ name: String, in what: @autoclosure () -> String) throws -> [UInt8]
}

/// Reading the store's rows back into its public types, the same for both stores.
enum StoredRows {
    static let deliveryColumns = """
        id, event_id, rule, element, channels, message, status, channel_index, attempts_on_channel,
        total_attempts, created_at, due_at, expires_at, updated_at, provider_id, delivered_channel,
        last_error, dead_reason, priority, recipient, provider_status, lease_owner, lease_until, lease_token
        """

    static let attemptColumns = """
        delivery_id, channel, number, started_at, duration_us, outcome, provider_id, error_code, error_message, node, lease_token
        """

    static let statusColumns = "delivery_id, provider_id, status, at, received_at, applied, error_code, error_message"

    static let replyColumns = """
        provider_message_id, delivery_id, channel, from_address, kind, button, text, received_at, callback_delivery_id
        """

    static let suppressionColumns = "address, category, reason, created_at"

    /// A delivery as just leased to `lease` (the row as it was before the claim changed it).
    static func claimed(_ row: some StoredRow, lease: Lease) throws -> ClaimedDelivery {
        let id: String = try row.column("id", in: "a delivery")
        let what = "delivery \(id)"
        return ClaimedDelivery(
            id: id,
            eventID: try row.column("event_id", in: what),
            rule: try row.column("rule", in: what),
            element: try row.column("element", in: what),
            channels: try names(row.column("channels", in: what), column: "channels", in: what),
            message: try row.bytes("message", in: what),
            channelIndex: try row.column("channel_index", in: what),
            attemptsOnChannel: try row.column("attempts_on_channel", in: what),
            totalAttempts: try row.column("total_attempts", in: what),
            createdAt: StoredTime.date(milliseconds: try row.column("created_at", in: what)),
            dueAt: StoredTime.date(milliseconds: try row.column("due_at", in: what)),
            expiresAt: (try row.column("expires_at", in: what) as Int64?).map(StoredTime.date(milliseconds:)),
            priority: try row.column("priority", in: what),
            recipient: try row.column("recipient", in: what),
            lease: lease
        )
    }

    /// A delivery without its attempts (``attempts(of:in:)`` adds them).
    static func delivery(_ row: some StoredRow) throws -> DeliveryRecord {
        let id: String = try row.column("id", in: "a delivery")
        let what = "delivery \(id)"
        let statusName: String = try row.column("status", in: what)
        guard let status = DeliveryStatus(rawValue: statusName) else {
            throw StoreFailure.corrupt("\(what): unknown status '\(statusName)'")
        }
        return DeliveryRecord(
            id: id,
            eventID: try row.column("event_id", in: what),
            rule: try row.column("rule", in: what),
            element: try row.column("element", in: what),
            channels: try names(row.column("channels", in: what), column: "channels", in: what),
            message: try row.bytes("message", in: what),
            status: status,
            channelIndex: try row.column("channel_index", in: what),
            attemptsOnChannel: try row.column("attempts_on_channel", in: what),
            totalAttempts: try row.column("total_attempts", in: what),
            dueAt: StoredTime.date(milliseconds: try row.column("due_at", in: what)),
            expiresAt: (try row.column("expires_at", in: what) as Int64?).map(StoredTime.date(milliseconds:)),
            createdAt: StoredTime.date(milliseconds: try row.column("created_at", in: what)),
            updatedAt: StoredTime.date(milliseconds: try row.column("updated_at", in: what)),
            providerID: try row.column("provider_id", in: what),
            deliveredChannel: try row.column("delivered_channel", in: what),
            lastError: try row.column("last_error", in: what),
            deadReason: try row.column("dead_reason", in: what),
            attempts: [],
            priority: try row.column("priority", in: what),
            recipient: try row.column("recipient", in: what),
            providerStatus: try row.column("provider_status", in: what),
            lease: try lease(owner: row.column("lease_owner", in: what), token: row.column("lease_token", in: what),
                             until: row.column("lease_until", in: what))
        )
    }

    static func attempt(_ row: some StoredRow) throws -> AttemptRecord {
        let deliveryID: String = try row.column("delivery_id", in: "an attempt")
        let what = "an attempt of delivery \(deliveryID)"
        return AttemptRecord(
            deliveryID: deliveryID,
            channel: try row.column("channel", in: what),
            number: try row.column("number", in: what),
            startedAt: StoredTime.date(milliseconds: try row.column("started_at", in: what)),
            duration: StoredTime.duration(microseconds: try row.column("duration_us", in: what)),
            outcome: try row.column("outcome", in: what),
            providerID: try row.column("provider_id", in: what),
            errorCode: try row.column("error_code", in: what),
            errorMessage: try row.column("error_message", in: what),
            node: try row.column("node", in: what)
        )
    }

    static func status(_ row: some StoredRow) throws -> StatusRecord {
        let deliveryID: String = try row.column("delivery_id", in: "a status")
        let what = "a status of delivery \(deliveryID)"
        return StatusRecord(
            providerID: try row.column("provider_id", in: what), status: try row.column("status", in: what),
            at: StoredTime.date(milliseconds: try row.column("at", in: what)),
            receivedAt: StoredTime.date(milliseconds: try row.column("received_at", in: what)),
            applied: try row.column("applied", in: what),
            errorCode: try row.column("error_code", in: what), errorMessage: try row.column("error_message", in: what))
    }

    static func reply(_ row: some StoredRow) throws -> ReplyRecord {
        let id: String = try row.column("provider_message_id", in: "a reply")
        let what = "reply \(id)"
        return ReplyRecord(
            providerMessageID: id, deliveryID: try row.column("delivery_id", in: what),
            channel: try row.column("channel", in: what), from: try row.column("from_address", in: what),
            kind: try row.column("kind", in: what), button: try row.column("button", in: what), text: try row.column("text", in: what),
            receivedAt: StoredTime.date(milliseconds: try row.column("received_at", in: what)),
            callbackDeliveryID: try row.column("callback_delivery_id", in: what))
    }

    static func suppression(_ row: some StoredRow) throws -> Suppression {
        Suppression(address: try row.column("address", in: "an opt-out"), category: try row.column("category", in: "an opt-out"),
                    reason: try row.column("reason", in: "an opt-out"),
                    createdAt: StoredTime.date(milliseconds: try row.column("created_at", in: "an opt-out")))
    }

    /// A stored lease: nil unless it has an owner.
    static func lease(owner: String?, token: Int64, until: Int64?) -> Lease? {
        guard let owner else { return nil }
        return Lease(owner: owner, token: token, until: StoredTime.date(milliseconds: until ?? 0))
    }

    /// A list of names as stored: a JSON array of strings.
    static func text(of names: [String]) throws -> String {
        JSONValue.array(names.map(JSONValue.string)).compactJSON
    }

    static func names(_ text: String, column: String, in what: String) throws -> [String] {
        guard case .array(let elements)? = try? JSONParser.parse(text) else {
            throw StoreFailure.corrupt("\(what): column \(column) is not a JSON array of strings")
        }
        return try elements.map { element in
            guard case .string(let name) = element else {
                throw StoreFailure.corrupt("\(what): column \(column) is not a JSON array of strings")
            }
            return name
        }
    }

}
