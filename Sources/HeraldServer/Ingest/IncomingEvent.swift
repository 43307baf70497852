import HeraldCore

/// One valid event from a request: what rules match against, and how it arrived.
public struct IncomingEvent: Sendable, Hashable {
    /// How the event was sent.
    public enum Mode: String, Sendable, Hashable {
        /// `application/json`: an event object, alone or in an array.
        case json
        /// `application/cloudevents+json`: one CloudEvent in the JSON event format.
        case cloudEventStructured
        /// `application/cloudevents-batch+json`: an array of CloudEvents.
        case cloudEventBatch
        /// `ce-*` headers carry the attributes; the body is the event's `data`.
        case cloudEventBinary
    }

    /// 0-based position in the request (always 0 when the request held a single event).
    public var index: Int
    /// The event's `id`: a non-empty string without control characters, at most
    /// `IngestLimits.maxIDLength` bytes.
    public var id: String
    /// A CloudEvent's `source`; nil for plain JSON events. CloudEvents are unique by source and
    /// id together, so a store that deduplicates them should key on both.
    public var source: String?
    /// The event as rules see it: the object as sent for JSON and structured CloudEvents; for
    /// binary mode, the attributes from the headers with the body as `data`.
    public var event: JSONValue
    public var mode: Mode

    public init(index: Int, id: String, source: String? = nil, event: JSONValue, mode: Mode) {
        self.index = index
        self.id = id
        self.source = source
        self.event = event
        self.mode = mode
    }
}
