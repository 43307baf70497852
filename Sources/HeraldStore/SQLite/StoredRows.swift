import Foundation
import GRDB
import HeraldCore

/// Reading the outbox's rows back into its public types. Every read throws
/// ``StoreFailure/corrupt(_:)`` naming the row and column rather than trapping on a value that is
/// not what the schema promises (a file edited by hand).
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
    static func claimed(_ row: Row, lease: Lease) throws -> ClaimedDelivery {
        let id: String = try row.value("id", in: "a delivery")
        let what = "delivery \(id)"
        return ClaimedDelivery(
            id: id,
            eventID: try row.value("event_id", in: what),
            rule: try row.value("rule", in: what),
            element: try row.value("element", in: what),
            channels: try names(row.value("channels", in: what), column: "channels", in: what),
            message: bytes(try row.value("message", in: what)),
            channelIndex: try row.value("channel_index", in: what),
            attemptsOnChannel: try row.value("attempts_on_channel", in: what),
            totalAttempts: try row.value("total_attempts", in: what),
            createdAt: StoredTime.date(milliseconds: try row.value("created_at", in: what)),
            dueAt: StoredTime.date(milliseconds: try row.value("due_at", in: what)),
            expiresAt: (try row.value("expires_at", in: what) as Int64?).map(StoredTime.date(milliseconds:)),
            priority: try row.value("priority", in: what),
            recipient: try row.value("recipient", in: what),
            lease: lease
        )
    }

    /// A delivery without its attempts (``attempts(of:in:)`` adds them).
    static func delivery(_ row: Row) throws -> DeliveryRecord {
        let id: String = try row.value("id", in: "a delivery")
        let what = "delivery \(id)"
        let statusName: String = try row.value("status", in: what)
        guard let status = DeliveryStatus(rawValue: statusName) else {
            throw StoreFailure.corrupt("\(what): unknown status '\(statusName)'")
        }
        return DeliveryRecord(
            id: id,
            eventID: try row.value("event_id", in: what),
            rule: try row.value("rule", in: what),
            element: try row.value("element", in: what),
            channels: try names(row.value("channels", in: what), column: "channels", in: what),
            message: bytes(try row.value("message", in: what)),
            status: status,
            channelIndex: try row.value("channel_index", in: what),
            attemptsOnChannel: try row.value("attempts_on_channel", in: what),
            totalAttempts: try row.value("total_attempts", in: what),
            dueAt: StoredTime.date(milliseconds: try row.value("due_at", in: what)),
            expiresAt: (try row.value("expires_at", in: what) as Int64?).map(StoredTime.date(milliseconds:)),
            createdAt: StoredTime.date(milliseconds: try row.value("created_at", in: what)),
            updatedAt: StoredTime.date(milliseconds: try row.value("updated_at", in: what)),
            providerID: try row.value("provider_id", in: what),
            deliveredChannel: try row.value("delivered_channel", in: what),
            lastError: try row.value("last_error", in: what),
            deadReason: try row.value("dead_reason", in: what),
            attempts: [],
            priority: try row.value("priority", in: what),
            recipient: try row.value("recipient", in: what),
            providerStatus: try row.value("provider_status", in: what),
            lease: try lease(owner: row.value("lease_owner", in: what), token: row.value("lease_token", in: what),
                             until: row.value("lease_until", in: what))
        )
    }

    static func attempt(_ row: Row) throws -> AttemptRecord {
        let deliveryID: String = try row.value("delivery_id", in: "an attempt")
        let what = "an attempt of delivery \(deliveryID)"
        return AttemptRecord(
            deliveryID: deliveryID,
            channel: try row.value("channel", in: what),
            number: try row.value("number", in: what),
            startedAt: StoredTime.date(milliseconds: try row.value("started_at", in: what)),
            duration: StoredTime.duration(microseconds: try row.value("duration_us", in: what)),
            outcome: try row.value("outcome", in: what),
            providerID: try row.value("provider_id", in: what),
            errorCode: try row.value("error_code", in: what),
            errorMessage: try row.value("error_message", in: what),
            node: try row.value("node", in: what)
        )
    }

    static func status(_ row: Row) throws -> StatusRecord {
        let deliveryID: String = try row.value("delivery_id", in: "a status")
        let what = "a status of delivery \(deliveryID)"
        return StatusRecord(
            providerID: try row.value("provider_id", in: what), status: try row.value("status", in: what),
            at: StoredTime.date(milliseconds: try row.value("at", in: what)),
            receivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: what)),
            applied: (try row.value("applied", in: what) as Int64) != 0,
            errorCode: try row.value("error_code", in: what), errorMessage: try row.value("error_message", in: what))
    }

    static func reply(_ row: Row) throws -> ReplyRecord {
        let id: String = try row.value("provider_message_id", in: "a reply")
        let what = "reply \(id)"
        return ReplyRecord(
            providerMessageID: id, deliveryID: try row.value("delivery_id", in: what),
            channel: try row.value("channel", in: what), from: try row.value("from_address", in: what),
            kind: try row.value("kind", in: what), button: try row.value("button", in: what), text: try row.value("text", in: what),
            receivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: what)),
            callbackDeliveryID: try row.value("callback_delivery_id", in: what))
    }

    static func suppression(_ row: Row) throws -> Suppression {
        Suppression(address: try row.value("address", in: "an opt-out"), category: try row.value("category", in: "an opt-out"),
                    reason: try row.value("reason", in: "an opt-out"),
                    createdAt: StoredTime.date(milliseconds: try row.value("created_at", in: "an opt-out")))
    }

    /// `delivery` with its attempts, oldest first.
    static func withAttempts(_ delivery: DeliveryRecord, in db: Database) throws -> DeliveryRecord {
        var delivery = delivery
        let statement = try db.cachedStatement(
            sql: "SELECT \(attemptColumns) FROM attempts WHERE delivery_id = ? ORDER BY id")
        delivery.attempts = try Row.fetchAll(statement, arguments: [delivery.id]).map(attempt)
        return delivery
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

    static func bytes(_ data: Data) -> [UInt8] {
        [UInt8](data)
    }
}

extension Row {
    /// The value of `column`, or ``StoreFailure/corrupt(_:)`` naming `what` row it is.
    func value<Value: DatabaseValueConvertible>(_ column: String, in what: @autoclosure () -> String) throws -> Value {
        do {
            return try decode(Value.self, forColumn: column)
        } catch {
            throw StoreFailure.corrupt("\(what()): column \(column): \(error)")
        }
    }
}
