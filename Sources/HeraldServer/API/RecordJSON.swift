import Foundation
import HeraldCore
import HeraldStore

/// How the API shows stored records. Recipients' addresses are shown as the event gave them: the
/// API is for the business that sent them (and requires its key); logs mask them.
public enum RecordJSON {
    /// RFC 3339 in UTC with milliseconds: `2026-11-25T18:07:46.123Z`.
    static func timestamp(_ date: Date) -> JSONValue {
        .string(Instant.rfc3339(date))
    }

    /// The event with each delivery's provider statuses and the customer's replies.
    public static func event(_ record: EventRecord, statuses: [String: [StatusRecord]], replies: [String: [ReplyRecord]]) -> JSONValue {
        guard case .object(var object) = event(record), case .array(let deliveries)? = object["deliveries"] else { return event(record) }
        object["deliveries"] = .array(zip(record.deliveries, deliveries).map { delivery, json in
            guard case .object(var entry) = json else { return json }
            if let list = statuses[delivery.id], !list.isEmpty {
                entry["statuses"] = .array(list.map { status in
                    var item = JSONObject()
                    item["status"] = .string(status.status)
                    item["at"] = timestamp(status.at)
                    item["applied"] = .bool(status.applied)
                    if let code = status.errorCode { item["error_code"] = .string(code) }
                    if let message = status.errorMessage { item["error"] = .string(message) }
                    return .object(item)
                })
            }
            if let list = replies[delivery.id], !list.isEmpty {
                entry["replies"] = .array(list.map { reply in
                    var item = JSONObject()
                    item["id"] = .string(reply.providerMessageID)
                    item["channel"] = .string(reply.channel)
                    item["kind"] = .string(reply.kind)
                    if let button = reply.button { item["button"] = .string(button) }
                    if let text = reply.text { item["text"] = .string(text) }
                    item["received_at"] = timestamp(reply.receivedAt)
                    if let callback = reply.callbackDeliveryID { item["callback_delivery_id"] = .string(callback) }
                    return .object(item)
                })
            }
            return .object(entry)
        })
        return .object(object)
    }

    public static func event(_ record: EventRecord) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(record.id)
        object["received_at"] = timestamp(record.receivedAt)
        object["matched"] = .array(record.matchedRules.map { .string($0) })
        if let key = record.idempotencyKey { object["idempotency_key"] = .string(key) }
        object["event"] = (try? JSONParser.parse(record.body)) ?? .string(String(decoding: record.body, as: UTF8.self))
        object["deliveries"] = .array(record.deliveries.map(delivery))
        return .object(object)
    }

    public static func delivery(_ record: DeliveryRecord) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(record.id)
        object["event_id"] = .string(record.eventID)
        object["rule"] = .string(record.rule)
        if let element = record.element { object["element"] = .number(JSONNumber(element)) }
        object["status"] = .string(record.status.rawValue)
        object["channels"] = .array(record.channels.map { .string($0) })
        if record.status == .pending, let channel = record.currentChannel {
            object["channel"] = .string(channel)
            object["next_attempt_at"] = timestamp(record.dueAt)
        }
        if let channel = record.deliveredChannel { object["delivered_via"] = .string(channel) }
        if let id = record.providerID { object["provider_id"] = .string(id) }
        if let reason = record.deadReason { object[record.status == .dead ? "dead_reason" : "reason"] = .string(reason) }
        if record.priority == 0 { object["urgent"] = true }
        if let status = record.providerStatus { object["provider_status"] = .string(status) }
        if let error = record.lastError, record.status != .delivered { object["last_error"] = .string(error) }
        if let message = try? PlannedMessage(stored: JSONParser.parse(record.message)) {
            object["locale"] = .string(message.locale.locale)
            object["text"] = message.text.map { .string($0) } ?? .null
        }
        object["created_at"] = timestamp(record.createdAt)
        object["updated_at"] = timestamp(record.updatedAt)
        object["attempts"] = .array(record.attempts.map(attempt))
        return .object(object)
    }

    static func attempt(_ record: AttemptRecord) -> JSONValue {
        var object = JSONObject()
        object["channel"] = .string(record.channel)
        object["number"] = .number(JSONNumber(record.number))
        object["started_at"] = timestamp(record.startedAt)
        object["duration_ms"] = .number(JSONNumber(Int(record.duration.components.seconds * 1000 + record.duration.components.attoseconds / 1_000_000_000_000_000)))
        object["outcome"] = .string(record.outcome)
        if let id = record.providerID { object["provider_id"] = .string(id) }
        if let code = record.errorCode { object["error_code"] = .string(code) }
        if let message = record.errorMessage { object["error"] = .string(message) }
        if let node = record.node { object["node"] = .string(node) }
        return .object(object)
    }
}
