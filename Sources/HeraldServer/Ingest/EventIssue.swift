import HeraldCore

/// What is wrong with one event, before it is known whether that fails the request (a single
/// event → `invalid-event`) or one entry of a batch (→ `InvalidEvent`).
struct EventIssue: Error, Sendable {
    /// A sentence naming the field and the fix.
    var detail: String
    /// Where in the body (relative to the event's own position, then shifted for batches).
    var pointer: JSONPointer
    /// Binary mode: the `ce-*` header at fault, since there is no body to point into.
    var header: String?
    /// The event's id when it was valid.
    var id: String?

    init(_ detail: String, at pointer: JSONPointer, header: String? = nil, id: String? = nil) {
        self.detail = detail
        self.pointer = pointer
        self.header = header
        self.id = id
    }

    func invalidEvent(index: Int) -> InvalidEvent {
        InvalidEvent(index: index, id: id, detail: detail, pointer: pointer.description)
    }
}
