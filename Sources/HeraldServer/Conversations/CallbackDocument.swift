import Foundation
import HeraldCore

/// What a rule's `on_reply` endpoint receives when a customer answers: the original event and
/// rule, the message answered, the button chosen (or the words typed), the raw reply, and when.
///
/// ```json
/// {"type":"herald.reply","reply_id":"wamid.HBgM…","event_id":"evt-1","delivery_id":"evt-1/card-fraud-check",
///  "rule":"card-fraud-check","channel":"whatsapp","from":"+919876543210","kind":"button","button":"block",
///  "text":"No, block my card","replied_at":"2026-11-25T18:07:46Z","received_at":"2026-11-25T18:07:47.120Z"}
/// ```
/// It is stored as a delivery of the original event (id `DELIVERY/reply/REPLY-ID`), so it is sent
/// with the endpoint's signature, retries and dead-lettering like any message. `from` is the
/// customer's address as the business gave it in the event.
public enum CallbackDocument {
    /// The marker in the stored message that makes a delivery a callback.
    public static let kind = "callback"

    public struct Reply: Sendable, Hashable {
        public var replyID: String
        public var eventID: String?
        public var deliveryID: String?
        public var rule: String?
        public var channel: String
        public var from: String
        /// `button`, `keyword`, `free_text`, `unknown_button`, `expired`.
        public var kind: String
        public var button: String?
        public var text: String?
        public var repliedAt: Date
        public var receivedAt: Date

        public init(replyID: String, eventID: String?, deliveryID: String?, rule: String?, channel: String, from: String, kind: String,
                    button: String?, text: String?, repliedAt: Date, receivedAt: Date) {
            self.replyID = replyID
            self.eventID = eventID
            self.deliveryID = deliveryID
            self.rule = rule
            self.channel = channel
            self.from = from
            self.kind = kind
            self.button = button
            self.text = text
            self.repliedAt = repliedAt
            self.receivedAt = receivedAt
        }
    }

    /// The document the endpoint receives.
    public static func body(_ reply: Reply) -> JSONValue {
        var object = JSONObject()
        object["type"] = "herald.reply"
        object["reply_id"] = .string(reply.replyID)
        object["event_id"] = reply.eventID.map { .string($0) } ?? .null
        object["delivery_id"] = reply.deliveryID.map { .string($0) } ?? .null
        object["rule"] = reply.rule.map { .string($0) } ?? .null
        object["channel"] = .string(reply.channel)
        object["from"] = .string(reply.from)
        object["kind"] = .string(reply.kind)
        object["button"] = reply.button.map { .string($0) } ?? .null
        object["text"] = reply.text.map { .string($0) } ?? .null
        object["replied_at"] = RecordJSON.timestamp(reply.repliedAt)
        object["received_at"] = RecordJSON.timestamp(reply.receivedAt)
        return .object(object)
    }

    /// The stored message of the callback delivery: `{"v":1,"kind":"callback","body":{…}}`, and
    /// `"trace":{"parent":"00-…"}` when the reply belongs to a trace (docs/tracing.md).
    public static func stored(_ reply: Reply, trace: TraceParent? = nil) -> [UInt8] {
        var document = JSONObject()
        document["v"] = .number(JSONNumber(1))
        document["kind"] = .string(kind)
        document["body"] = body(reply)
        if let trace { document["trace"] = trace.storedJSON }
        return JSONValue.object(document).compactJSONBytes
    }
}
