import Foundation
import NIOCore
import PostgresNIO

/// Reading PostgreSQL rows back into the store's public types. Every read throws
/// ``StoreFailure/corrupt(_:)`` naming the row and column rather than trapping.
enum PostgresRows {
    static let deliveryColumns = StoredRows.deliveryColumns

    static let attemptColumns = StoredRows.attemptColumns

    static func claimed(_ row: PostgresRow) throws -> ClaimedDelivery {
        let row = row.makeRandomAccess()
        let id: String = try row.value("id", in: "a delivery")
        let what = "delivery \(id)"
        let owner: String? = try row.value("lease_owner", in: what)
        let until: Int64? = try row.value("lease_until", in: what)
        return ClaimedDelivery(
            id: id,
            eventID: try row.value("event_id", in: what),
            rule: try row.value("rule", in: what),
            element: try row.value("element", in: what),
            channels: try StoredRows.names(row.value("channels", in: what), column: "channels", in: what),
            message: try row.bytes("message", in: what),
            channelIndex: try row.value("channel_index", in: what),
            attemptsOnChannel: try row.value("attempts_on_channel", in: what),
            totalAttempts: try row.value("total_attempts", in: what),
            createdAt: StoredTime.date(milliseconds: try row.value("created_at", in: what)),
            dueAt: StoredTime.date(milliseconds: try row.value("due_at", in: what)),
            expiresAt: (try row.value("expires_at", in: what) as Int64?).map(StoredTime.date(milliseconds:)),
            priority: try row.value("priority", in: what),
            recipient: try row.value("recipient", in: what),
            lease: Lease(owner: owner ?? "", token: try row.value("lease_token", in: what),
                         until: StoredTime.date(milliseconds: until ?? 0))
        )
    }

    /// A delivery without its attempts.
    static func delivery(_ row: PostgresRow) throws -> DeliveryRecord {
        let row = row.makeRandomAccess()
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
            channels: try StoredRows.names(row.value("channels", in: what), column: "channels", in: what),
            message: try row.bytes("message", in: what),
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
            lease: StoredRows.lease(owner: try row.value("lease_owner", in: what), token: try row.value("lease_token", in: what),
                                    until: try row.value("lease_until", in: what))
        )
    }

    static func attempt(_ row: PostgresRow) throws -> AttemptRecord {
        let row = row.makeRandomAccess()
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

    static func status(_ row: PostgresRow, of deliveryID: String) throws -> StatusRecord {
        let row = row.makeRandomAccess()
        let what = "a status of delivery \(deliveryID)"
        return StatusRecord(
            providerID: try row.value("provider_id", in: what), status: try row.value("status", in: what),
            at: StoredTime.date(milliseconds: try row.value("at", in: what)),
            receivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: what)),
            applied: try row.value("applied", in: what),
            errorCode: try row.value("error_code", in: what), errorMessage: try row.value("error_message", in: what))
    }

    static func reply(_ row: PostgresRow, of deliveryID: String) throws -> ReplyRecord {
        let row = row.makeRandomAccess()
        let what = "a reply to delivery \(deliveryID)"
        return ReplyRecord(
            providerMessageID: try row.value("provider_message_id", in: what), deliveryID: try row.value("delivery_id", in: what),
            channel: try row.value("channel", in: what), from: try row.value("from_address", in: what),
            kind: try row.value("kind", in: what), button: try row.value("button", in: what), text: try row.value("text", in: what),
            receivedAt: StoredTime.date(milliseconds: try row.value("received_at", in: what)),
            callbackDeliveryID: try row.value("callback_delivery_id", in: what))
    }

    static func suppression(_ row: PostgresRow) throws -> Suppression {
        let row = row.makeRandomAccess()
        return Suppression(address: try row.value("address", in: "an opt-out"), category: try row.value("category", in: "an opt-out"),
                           reason: try row.value("reason", in: "an opt-out"),
                           createdAt: StoredTime.date(milliseconds: try row.value("created_at", in: "an opt-out")))
    }
}

extension PostgresRandomAccessRow {
    /// The value of `column`, or ``StoreFailure/corrupt(_:)`` naming `what` row it is.
    func value<Value: PostgresDecodable>(_ column: String, in what: @autoclosure () -> String) throws -> Value {
        guard contains(column) else { throw StoreFailure.corrupt("\(what()): no column \(column)") }
        do {
            return try self[column].decode(Value.self)
        } catch {
            throw StoreFailure.corrupt("\(what()): column \(column): \(error)")
        }
    }

    /// A BYTEA column's bytes.
    func bytes(_ column: String, in what: @autoclosure () -> String) throws -> [UInt8] {
        let buffer: ByteBuffer = try value(column, in: what())
        return Array(buffer.readableBytesView)
    }
}

/// Columns of a multi-row statement, bound as one array each and read back with `unnest`: one
/// statement for a whole group of rows, not one per row.
///
/// postgres-nio binds arrays without NULL elements, so a nullable column travels as its values
/// (a placeholder where there is none) and a parallel array of flags, and the selection puts the
/// NULLs back (`CASE WHEN flag THEN NULL ELSE value END`).
struct UnnestColumns {
    private(set) var binds = PostgresBindings()
    private var inputs: [String] = []
    private(set) var selections: [String] = []

    mutating func text(_ values: [String]) { selections.append(input(values, "text")) }
    mutating func int64(_ values: [Int64]) { selections.append(input(values, "int8")) }
    mutating func bool(_ values: [Bool]) { selections.append(input(values, "bool")) }
    mutating func bytes(_ values: [[UInt8]]) { selections.append(input(values.map { ByteBuffer(bytes: $0) }, "bytea")) }
    mutating func text(_ values: [String?]) { nullable(values.map { $0 ?? "" }, "text", flags: values.map { $0 == nil }) }
    mutating func int64(_ values: [Int64?]) { nullable(values.map { $0 ?? 0 }, "int8", flags: values.map { $0 == nil }) }

    /// `SELECT <each column> FROM unnest(<arrays>) AS u(c1, …)`.
    var select: String {
        let names = (1...max(1, inputs.count)).map { "c\($0)" }.joined(separator: ", ")
        return "SELECT \(selections.joined(separator: ", ")) FROM unnest(\(inputs.joined(separator: ", "))) AS u(\(names))"
    }

    private mutating func nullable<T: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ values: [T], _ type: String, flags: [Bool]) {
        let value = input(values, type)
        let flag = input(flags, "bool")
        selections.append("CASE WHEN \(flag) THEN NULL ELSE \(value) END")
    }

    private mutating func input<T: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ values: [T], _ type: String) -> String {
        binds.append(values)
        inputs.append("$\(binds.count)::\(type)[]")
        return "c\(inputs.count)"
    }
}
