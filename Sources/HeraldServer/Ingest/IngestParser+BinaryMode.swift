import HeraldCore

/// CloudEvents in binary mode: the attributes arrive as `ce-*` headers and the body is `data`.
///
/// The event rules see is built in a fixed order, `specversion`, `id`, `source`, `type`, `time`,
/// `subject`, the other `ce-*` attributes in header order, `datacontenttype` (the Content-Type)
/// and `data` (the body parsed as JSON; absent when the body is empty). Header names compare
/// case-insensitively; values are decoded as the HTTP binding says (`CloudEventHeaderValue`) and
/// kept as strings, since a header does not say an extension's type.
extension IngestParser {
    static func binaryCloudEvent(_ request: IngestRequest, contentType: String?, limits: IngestLimits) throws(Problem) -> IngestBatch {
        let attributes = try binaryAttributes(request.headers)
        let identity = try binaryIdentity(attributes, limits: limits)

        // Members are appended, not set by key: names are unique already, and setting by key
        // would scan the object once per header.
        var members: [JSONObject.Member] = []
        for name in leadingBinaryAttributes {
            if let value = attributes.first(where: { $0.name == name })?.value {
                members.append(JSONObject.Member(key: name, value: .string(value)))
            }
        }
        let leading = Set(leadingBinaryAttributes)
        for attribute in attributes where !leading.contains(attribute.name) {
            members.append(JSONObject.Member(key: attribute.name, value: .string(attribute.value)))
        }
        if let contentType { members.append(JSONObject.Member(key: "datacontenttype", value: .string(contentType))) }
        if !request.body.isEmpty {
            members.append(JSONObject.Member(key: "data", value: try json(request.body, limits: limits)))
        }
        let event = IncomingEvent(
            index: 0, id: identity.id, source: identity.source, event: .object(JSONObject(members)), mode: .cloudEventBinary)
        return IngestBatch(events: [event], isBatch: false)
    }

    /// The attributes that open a binary-mode event, in this order; extensions follow.
    static let leadingBinaryAttributes = ["specversion", "id", "source", "type", "time", "subject"]

    struct HeaderAttribute {
        /// The attribute name: the header name without `ce-`, lowercased.
        var name: String
        var value: String
    }

    /// The `ce-*` headers as attributes, in order; each named validly, sent once and decodable.
    static func binaryAttributes(_ headers: [(name: String, value: String)]) throws(Problem) -> [HeaderAttribute] {
        var attributes: [HeaderAttribute] = []
        var seen = Set<String>()  // not a scan of `attributes`: thousands of headers must stay cheap
        for field in headers {
            let header = field.name.lowercased()
            guard header.hasPrefix("ce-") else { continue }
            let name = String(header.dropFirst(3))
            func issue(_ detail: String) -> Problem { .invalidEvent(EventIssue(detail, at: .root, header: header)) }
            guard seen.insert(name).inserted else {
                throw issue("The header \(header) appears more than once. Send each CloudEvents attribute once.")
            }
            switch name {
            case "datacontenttype":
                throw issue(
                    "Binary mode takes the data's media type from Content-Type; the CloudEvents HTTP binding forbids a "
                        + "ce-datacontenttype header as well. Remove it.")
            case "data", "data_base64":
                throw issue("In binary mode the body is the event's data; remove the \(header) header.")
            case _ where !isAttributeName(name):
                throw issue(
                    "The header \(header) does not name a valid CloudEvents attribute: after ce-, names are lowercase "
                        + "letters and digits only (a-z, 0-9).")
            default:
                break
            }
            guard let value = CloudEventHeaderValue.decode(field.value) else {
                throw issue("The header \(header) percent-decodes to bytes that are not UTF-8. Percent-encode the value's UTF-8 bytes.")
            }
            if let problem = controlCharacterProblem(name, value) {
                throw issue("The header \(header): \(problem)")
            }
            attributes.append(HeaderAttribute(name: name, value: value))
        }
        return attributes
    }

    /// The required attributes and `time`, checked as in structured mode but named by header.
    static func binaryIdentity(_ attributes: [HeaderAttribute], limits: IngestLimits) throws(Problem) -> EventIdentity {
        func value(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
        func failure(_ header: String, _ detail: String, id: String? = nil) -> Problem {
            .invalidEvent(EventIssue(detail, at: .root, header: header, id: id))
        }
        switch value("specversion") {
        case "1.0"?: break
        case nil:
            throw failure("ce-specversion", "Missing the ce-specversion header. Herald reads CloudEvents 1.0: add ce-specversion: 1.0.")
        case let version?:
            throw failure(
                "ce-specversion", "ce-specversion is \(quoted(version)); Herald supports CloudEvents 1.0 only. Send ce-specversion: 1.0.")
        }
        var identity = EventIdentity(id: "")
        for (name, example) in [("id", "evt-0001"), ("source", "/cards/authorizations"), ("type", "com.bank.card.fraud-suspected")] {
            let known = identity.id.isEmpty ? nil : identity.id
            guard let text = value(name) else {
                throw failure("ce-\(name)", "Missing the ce-\(name) header. Add it, e.g. ce-\(name): \(example).", id: known)
            }
            guard !text.isEmpty else {
                throw failure("ce-\(name)", "The ce-\(name) header is empty. Send a non-empty value, e.g. ce-\(name): \(example).", id: known)
            }
            switch name {
            case "id":
                guard text.utf8.count <= limits.maxIDLength else {
                    throw failure(
                        "ce-id",
                        "ce-id is \(text.utf8.count) bytes long; the limit is \(limits.maxIDLength) bytes (UTF-8). Send a shorter id.")
                }
                identity.id = text
            case "source": identity.source = text
            default: break
            }
        }
        if let time = value("time"), Instant.parse(.string(time)) == nil {
            throw failure(
                "ce-time",
                "ce-time is \(quoted(time)), not an RFC 3339 timestamp. Send a date, time and offset, e.g. ce-time: 2025-01-15T12:30:00Z.",
                id: identity.id)
        }
        for name in ["subject", "dataschema"] where value(name)?.isEmpty == true {
            throw failure("ce-\(name)", "The ce-\(name) header is empty. Leave it out, or send a value.", id: identity.id)
        }
        return identity
    }
}
