import HeraldCore

/// Checks shared by every format: ids and the other string attributes, and how values are named
/// in messages.
extension IngestParser {
    /// A required string member (`id`, `source`, `type`): present, a string, not empty, free of
    /// control characters; `id` also within `maxIDLength`. With `nullIsAbsent` (CloudEvents), a
    /// `null` reads as missing.
    static func requiredString(
        _ name: String, in object: JSONObject, at eventPointer: JSONPointer, limits: IngestLimits,
        nullIsAbsent: Bool, example: String
    ) -> Result<String, EventIssue> {
        let pointer = eventPointer.appending(key: name)
        var value = object[name]
        if nullIsAbsent, value == .null { value = nil }
        switch value {
        case nil:
            var detail = "Missing '\(name)'."
            if let near = nearMiss(for: name, in: object) {
                detail += " The event has '\(near)'; member names are case-sensitive and Herald reads '\(name)'."
            } else if name == "id" {
                detail += " Every event needs a unique string id, e.g. \"id\": \(quoted(example))."
            } else {
                detail += " Add it, e.g. \"\(name)\": \(quoted(example))."
            }
            return .failure(EventIssue(detail, at: pointer))
        case .number(let number)?:
            return .failure(EventIssue(
                "'\(name)' is the number \(number.literal). Send the \(name) as a string: \"\(name)\": \"\(number.literal)\".",
                at: pointer))
        case .string(let text)?:
            if text.isEmpty {
                return .failure(EventIssue("'\(name)' is empty. Send a non-empty string, e.g. \"\(name)\": \(quoted(example)).", at: pointer))
            }
            if name == "id", text.utf8.count > limits.maxIDLength {
                return .failure(EventIssue(
                    "'id' is \(text.utf8.count) bytes long; the limit is \(limits.maxIDLength) bytes (UTF-8). Send a shorter id.",
                    at: pointer))
            }
            if let problem = controlCharacterProblem(name, text) {
                return .failure(EventIssue(problem, at: pointer))
            }
            return .success(text)
        case let other?:
            return .failure(EventIssue(
                "'\(name)' is \(described(other)). Send the \(name) as a string, e.g. \"\(name)\": \(quoted(example)).",
                at: pointer))
        }
    }

    /// An optional string attribute (`subject`, `datacontenttype`, `dataschema`): absent, null,
    /// or a non-empty string without control characters.
    static func optionalString(_ name: String, _ value: JSONValue, at pointer: JSONPointer) -> EventIssue? {
        switch value {
        case .null: return nil
        case .string(let text):
            if text.isEmpty { return EventIssue("'\(name)' is empty. Leave it out, or send a non-empty string.", at: pointer) }
            return controlCharacterProblem(name, text).map { EventIssue($0, at: pointer) }
        default:
            return EventIssue("'\(name)' is \(described(value)); it must be a string.", at: pointer)
        }
    }

    /// CloudEvents attribute values exclude C0 and C1 controls (and ids end up in logs and
    /// headers, where they do harm).
    static func controlCharacterProblem(_ name: String, _ text: String) -> String? {
        for (position, scalar) in text.unicodeScalars.enumerated() where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "'\(name)' contains the control character U+\(String(repeating: "0", count: 4 - hex.count) + hex) "
                + "at character \(position + 1). Remove it; attribute values must be printable."
        }
        return nil
    }

    /// A member that is probably `name` misspelt: the same letters in another case, or for `id`,
    /// the usual aliases (`eventId`, `event_id`).
    static func nearMiss(for name: String, in object: JSONObject) -> String? {
        object.keys.first { key in
            let normalized = key.lowercased().filter { $0 != "_" && $0 != "-" }
            return key != name && (normalized == name || (name == "id" && normalized == "eventid"))
        }
    }

    /// "an object", "the number 3", "the boolean true", "null": a value named for a message.
    static func described(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "the boolean \(flag)"
        case .number(let number): "the number \(number.literal)"
        case .string(let text): "the string \(quoted(text))"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Text from the request, quoted and escaped as JSON and cut to 64 characters, safe to echo.
    static func quoted(_ text: String) -> String {
        let limit = 64
        guard text.count > limit else { return JSONValue.string(text).compactJSON }
        return JSONValue.string(String(text.prefix(limit))).compactJSON + "…"
    }
}
