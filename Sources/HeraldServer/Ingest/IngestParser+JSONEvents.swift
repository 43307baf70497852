import HeraldCore

/// `application/json`: one event object, or an array of them.
extension IngestParser {
    static func jsonEvents(_ document: JSONValue, limits: IngestLimits) throws(Problem) -> IngestBatch {
        let validate = { (value: JSONValue, pointer: JSONPointer) in jsonEvent(value, at: pointer, limits: limits) }
        switch document {
        case .object:
            return try single(document, mode: .json, validate: validate)
        case .array(let elements):
            return try batch(elements, describedAs: "a JSON array", limits: limits, mode: .json, validate: validate)
        default:
            throw .invalidEvent(EventIssue(
                "The body is \(described(document)). Send one event as a JSON object, or several as a JSON array of objects.",
                at: .root))
        }
    }

    static func jsonEvent(_ value: JSONValue, at pointer: JSONPointer, limits: IngestLimits) -> Result<EventIdentity, EventIssue> {
        guard case .object(let object) = value else {
            return .failure(EventIssue("The element is \(described(value)); each event in the array must be a JSON object.", at: pointer))
        }
        return requiredString("id", in: object, at: pointer, limits: limits, nullIsAbsent: false, example: "evt-0001")
            .map { EventIdentity(id: $0) }
    }
}
