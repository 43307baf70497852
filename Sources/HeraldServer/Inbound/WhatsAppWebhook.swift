import Foundation
import HeraldCore

/// Reads the notifications Meta posts for a WhatsApp Business Account (the Cloud API's `messages`
/// webhook field): customers' messages, and the statuses of the messages Herald sent.
///
/// Pure: the caller hands over the raw body, the `X-Hub-Signature-256` header and the resolved app
/// secret; ``receive(body:signature:appSecret:)`` checks the signature first and parses only an
/// authentic body. The shape read:
///
/// ```
/// {"object": "whatsapp_business_account",
///  "entry": [{"id": WABA-ID, "changes": [{"field": "messages", "value": {
///     "metadata": {"phone_number_id": …},
///     "contacts": [{"wa_id": …, "profile": {"name": …}}],
///     "messages": [{"from", "id", "timestamp", "type", "context": {"id"}, "text" | "interactive" | "button" | …}],
///     "statuses": [{"id", "status", "timestamp", "recipient_id", "errors": [{"code", "title", "message", "error_data": {"details"}}]}]}}]}]}
/// ```
///
/// Every entry, change, message and status becomes one ``InboundItem``, in document order (a value's
/// messages before its statuses). Message types: `text` → ``InboundMessage/Content/text(_:)``;
/// `interactive` with `button_reply` or `list_reply`; `button` (a template's quick reply) →
/// ``InboundMessage/Content/quickReply(payload:text:)``; any other type (`image`, `reaction`,
/// `unsupported`, …) → ``InboundMessage/Content/other(type:)``. Statuses keep unknown names.
///
/// Strict about what Herald relies on, forgiving about the rest: unknown members are ignored, `null`
/// counts as absent, changes of other fields (`"field": "account_update"`) are skipped, but a missing
/// id, a number where a string belongs or a timestamp that is not a unix time is an
/// ``InboundPayloadError`` with the JSON pointer of the value. No input crashes or hangs it: the JSON
/// parser bounds nesting and number length.
public enum WhatsAppWebhook {
    /// Checks the signature over the raw body, then reads it: the one call a route needs.
    public static func receive(body: [UInt8], signature: String?, appSecret: String) throws(InboundRejection) -> [InboundItem] {
        do {
            try WhatsAppSignature.verify(body: body, signature: signature, appSecret: appSecret)
        } catch {
            throw .signature(error)
        }
        do {
            return try parse(body)
        } catch {
            throw .payload(error)
        }
    }

    /// Reads a notification's raw body (not checking its signature).
    public static func parse(_ body: [UInt8]) throws(InboundPayloadError) -> [InboundItem] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw InboundPayloadError(error)
        }
        return try parse(json)
    }

    /// Reads a parsed notification.
    public static func parse(_ json: JSONValue) throws(InboundPayloadError) -> [InboundItem] {
        let root = Node(value: json, pointer: .root)
        _ = try root.object()
        let object = try root.required("object").string()
        guard object == "whatsapp_business_account" else {
            throw InboundPayloadError(location: "/object", detail: "expected \"whatsapp_business_account\", found \"\(object.prefix(60))\"")
        }
        var items: [InboundItem] = []
        for entry in try root.required("entry").array() {
            for change in try entry.required("changes").array() {
                _ = try change.object()
                if let field = try change.optional("field")?.string(), field != "messages" { continue }
                try readValue(change.required("value"), into: &items)
            }
        }
        return items
    }

    private static func readValue(_ value: Node, into items: inout [InboundItem]) throws(InboundPayloadError) {
        _ = try value.object()
        let phoneNumberID = try value.optional("metadata")?.optional("phone_number_id")?.string()
        var names: [String: String] = [:]
        for contact in try value.optional("contacts")?.array() ?? [] {
            guard let waID = try contact.optional("wa_id")?.string(),
                  let name = try contact.optional("profile")?.optional("name")?.string() else { continue }
            if names[waID] == nil { names[waID] = name }
        }
        for message in try value.optional("messages")?.array() ?? [] {
            var read = try readMessage(message)
            read.to = phoneNumberID
            read.senderName = names[read.from]
            items.append(.message(read))
        }
        for status in try value.optional("statuses")?.array() ?? [] {
            var read = try readStatus(status)
            read.from = phoneNumberID
            items.append(.status(read))
        }
    }

    private static func readMessage(_ message: Node) throws(InboundPayloadError) -> InboundMessage {
        let from = try message.required("from").string()
        let id = try message.required("id").string()
        let timestamp = try message.required("timestamp").unixTime()
        let context = try message.optional("context")?.optional("id")?.string()
        let type = try message.required("type").string()
        let content: InboundMessage.Content
        switch type {
        case "text":
            content = .text(try message.required("text").required("body").string())
        case "interactive":
            let interactive = try message.required("interactive")
            let kind = try interactive.required("type").string()
            switch kind {
            case "button_reply":
                let reply = try interactive.required("button_reply")
                content = .buttonReply(id: try reply.required("id").string(), title: try reply.required("title").string())
            case "list_reply":
                let reply = try interactive.required("list_reply")
                content = .listReply(id: try reply.required("id").string(), title: try reply.required("title").string(),
                                     description: try reply.optional("description")?.string())
            default:
                content = .other(type: kind)
            }
        case "button":
            let button = try message.required("button")
            content = .quickReply(payload: try button.required("payload").string(), text: try button.required("text").string())
        default:
            content = .other(type: type)
        }
        return InboundMessage(id: id, from: from, timestamp: timestamp, context: context, content: content)
    }

    private static func readStatus(_ status: Node) throws(InboundPayloadError) -> StatusUpdate {
        let id = try status.required("id").string()
        let name = try status.required("status").string()
        let timestamp = try status.required("timestamp").unixTime()
        let recipient = try status.optional("recipient_id")?.string()
        var errors: [StatusUpdate.StatusError] = []
        for error in try status.optional("errors")?.array() ?? [] {
            errors.append(StatusUpdate.StatusError(
                code: try error.required("code").integer(),
                title: try error.optional("title")?.string(),
                message: try error.optional("message")?.string(),
                details: try error.optional("error_data")?.optional("details")?.string()))
        }
        return StatusUpdate(id: id, status: ProviderStatus(name), timestamp: timestamp, recipient: recipient, errors: errors)
    }
}

/// A value and where it sits, so every complaint names its place.
private struct Node {
    var value: JSONValue
    var pointer: JSONPointer

    func fail(_ detail: String) -> InboundPayloadError {
        InboundPayloadError(location: pointer.description, detail: detail)
    }

    func object() throws(InboundPayloadError) -> JSONObject {
        guard case .object(let object) = value else { throw fail("expected an object, found \(value.typeName)") }
        return object
    }

    /// The member `key`; missing or `null` is an error.
    func required(_ key: String) throws(InboundPayloadError) -> Node {
        guard let node = try optional(key) else { throw Node(value: .null, pointer: pointer.appending(key: key)).fail("missing") }
        return node
    }

    /// The member `key`, or nil when it is missing or `null`; an error when this is not an object.
    func optional(_ key: String) throws(InboundPayloadError) -> Node? {
        guard let member = try object()[key], member != .null else { return nil }
        return Node(value: member, pointer: pointer.appending(key: key))
    }

    func array() throws(InboundPayloadError) -> [Node] {
        guard case .array(let elements) = value else { throw fail("expected an array, found \(value.typeName)") }
        return elements.enumerated().map { Node(value: $1, pointer: pointer.appending(index: $0)) }
    }

    func string() throws(InboundPayloadError) -> String {
        guard case .string(let string) = value else { throw fail("expected a string, found \(value.typeName)") }
        return string
    }

    /// A whole number, written as a JSON number or (forgiving) as a string of digits.
    func integer() throws(InboundPayloadError) -> Int {
        switch value {
        case .number(let number):
            guard number.value == number.value.rounded(), abs(number.value) < 1e15 else {
                throw fail("expected a whole number, found \(number.literal)")
            }
            return Int(number.value)
        case .string(let text):
            guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let int = Int(text) else {
                throw fail("expected a whole number, found \"\(text.prefix(40))\"")
            }
            return int
        default:
            throw fail("expected a whole number, found \(value.typeName)")
        }
    }

    /// Seconds since 1970 as Meta writes them (`"1749416383"`), or as a JSON number.
    func unixTime() throws(InboundPayloadError) -> Date {
        let seconds: Int
        do {
            seconds = try integer()
        } catch {
            throw fail("expected a unix time in seconds, " + error.detail.dropFirst("expected a whole number, ".count))
        }
        guard seconds >= 0 else { throw fail("expected a unix time in seconds, found \(seconds)") }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
