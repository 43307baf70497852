import HeraldCore

/// One element of a batch that cannot be accepted, with where and why, so the answer can report
/// each bad event while the good ones go on.
public struct InvalidEvent: Sendable, Hashable {
    /// 0-based position in the batch.
    public var index: Int
    /// The element's `id` when it had a valid one (a CloudEvent with a bad `time`, say), for the
    /// sender to correlate; nil otherwise.
    public var id: String?
    /// What is wrong and how to fix it: "missing 'id': …".
    public var detail: String
    /// An RFC 6901 pointer into the body to the offending value, e.g. `/3/id`.
    public var pointer: String

    public init(index: Int, id: String? = nil, detail: String, pointer: String) {
        self.index = index
        self.id = id
        self.detail = detail
        self.pointer = pointer
    }

    /// `{"index": 3, "id": "…", "pointer": "/3/id", "detail": "…"}` (`id` only when known), the
    /// shape of one entry of a per-event answer.
    public var json: JSONValue {
        var object = JSONObject()
        object["index"] = .number(JSONNumber(index))
        if let id { object["id"] = .string(id) }
        object["pointer"] = .string(pointer)
        object["detail"] = .string(detail)
        return .object(object)
    }
}
