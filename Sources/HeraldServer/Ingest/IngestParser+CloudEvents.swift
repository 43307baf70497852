import HeraldCore

/// CloudEvents 1.0 in the JSON event format: `application/cloudevents+json` (one) and
/// `application/cloudevents-batch+json` (an array).
extension IngestParser {
    /// The attributes CloudEvents 1.0 defines, which are checked by name; any other member but
    /// `data` is an extension attribute.
    static let requiredAttributes = ["specversion", "id", "source", "type"]
    static let optionalStringAttributes: Set<String> = ["subject", "datacontenttype", "dataschema"]

    static func structuredCloudEvent(_ document: JSONValue, limits: IngestLimits) throws(Problem) -> IngestBatch {
        switch document {
        case .object:
            return try single(document, mode: .cloudEventStructured) { cloudEvent($0, at: $1, limits: limits) }
        case .array:
            throw .invalidEvent(EventIssue(
                "The body is an array, but application/cloudevents+json carries one CloudEvent. "
                    + "Send an array of CloudEvents as application/cloudevents-batch+json.",
                at: .root))
        default:
            throw .invalidEvent(EventIssue("The body is \(described(document)); a CloudEvent is a JSON object.", at: .root))
        }
    }

    static func cloudEventBatch(_ document: JSONValue, limits: IngestLimits) throws(Problem) -> IngestBatch {
        guard case .array(let elements) = document else {
            throw .invalidEvent(EventIssue(
                "The body is \(described(document)), but application/cloudevents-batch+json is a JSON array of "
                    + "CloudEvents. Wrap the event in [ ], or send one event as application/cloudevents+json.",
                at: .root))
        }
        return try batch(elements, describedAs: "a CloudEvents batch", limits: limits, mode: .cloudEventBatch) {
            cloudEvent($0, at: $1, limits: limits)
        }
    }

    static func cloudEvent(_ value: JSONValue, at pointer: JSONPointer, limits: IngestLimits) -> Result<EventIdentity, EventIssue> {
        guard case .object(let object) = value else {
            return .failure(EventIssue("The element is \(described(value)); each CloudEvent in the batch must be a JSON object.", at: pointer))
        }
        if let issue = specversionIssue(object["specversion"], at: pointer.appending(key: "specversion")) {
            return .failure(issue)
        }
        let id: String
        switch requiredString("id", in: object, at: pointer, limits: limits, nullIsAbsent: true, example: "evt-0001") {
        case .success(let value): id = value
        case .failure(let issue): return .failure(issue)
        }
        // Past this point the id is valid: report it, so a sender can tell which event failed.
        func identified(_ issue: EventIssue) -> Result<EventIdentity, EventIssue> {
            var issue = issue
            issue.id = id
            return .failure(issue)
        }
        let source: String
        switch requiredString("source", in: object, at: pointer, limits: limits, nullIsAbsent: true, example: "/cards/authorizations") {
        case .success(let value): source = value
        case .failure(let issue): return identified(issue)
        }
        switch requiredString("type", in: object, at: pointer, limits: limits, nullIsAbsent: true, example: "com.bank.card.fraud-suspected") {
        case .success: break
        case .failure(let issue): return identified(issue)
        }
        for member in object.members where !requiredAttributes.contains(member.key) && member.key != "data" {
            if let issue = attributeIssue(member.key, member.value, at: pointer.appending(key: member.key)) {
                return identified(issue)
            }
        }
        return .success(EventIdentity(id: id, source: source))
    }

    /// `specversion` must be the string "1.0": the only version whose attributes are checked here.
    static func specversionIssue(_ value: JSONValue?, at pointer: JSONPointer) -> EventIssue? {
        switch value {
        case .string("1.0")?:
            return nil
        case nil, .null?:
            return EventIssue("Missing 'specversion'. Herald reads CloudEvents 1.0: add \"specversion\": \"1.0\".", at: pointer)
        case .string(let version)?:
            return EventIssue(
                "'specversion' is \(quoted(version)); Herald supports CloudEvents 1.0 only. Send \"specversion\": \"1.0\".",
                at: pointer)
        case let other?:
            return EventIssue("'specversion' is \(described(other)); send it as the string \"1.0\".", at: pointer)
        }
    }

    /// An optional or extension attribute of a structured CloudEvent.
    static func attributeIssue(_ name: String, _ value: JSONValue, at pointer: JSONPointer) -> EventIssue? {
        if name == "data_base64" {
            return EventIssue(
                "'data_base64' is not supported: rules match against JSON data. Send the data as JSON in 'data'.", at: pointer)
        }
        if name == "time" {
            return timeIssue(value, at: pointer)
        }
        if optionalStringAttributes.contains(name) {
            return optionalString(name, value, at: pointer)
        }
        guard isAttributeName(name) else {
            return EventIssue(
                "\(quoted(name)) is not a valid CloudEvents attribute name: names are lowercase letters and digits only "
                    + "(a-z, 0-9). Rename it, or move it into 'data'.",
                at: pointer)
        }
        switch value {
        case .null, .bool, .number: return nil
        case .string(let text): return controlCharacterProblem(name, text).map { EventIssue($0, at: pointer) }
        case .array, .object:
            return EventIssue(
                "Extension attribute '\(name)' is \(described(value)); CloudEvents attributes are strings, numbers or "
                    + "booleans. Move structured values into 'data'.",
                at: pointer)
        }
    }

    /// `time`, when present, is an RFC 3339 timestamp with an offset.
    static func timeIssue(_ value: JSONValue, at pointer: JSONPointer) -> EventIssue? {
        let example = "Send a date, time and offset, e.g. \"2025-01-15T12:30:00Z\"."
        switch value {
        case .null: return nil
        case .string(let text):
            if Instant.parse(value) != nil { return nil }
            return EventIssue("'time' is \(quoted(text)), not an RFC 3339 timestamp. \(example)", at: pointer)
        default:
            return EventIssue("'time' is \(described(value)); it must be an RFC 3339 string. \(example)", at: pointer)
        }
    }

    /// CloudEvents attribute names: one or more of a-z and 0-9.
    static func isAttributeName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
