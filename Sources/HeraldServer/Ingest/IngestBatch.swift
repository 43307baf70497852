/// What a request that could be read holds: the valid events and the invalid ones, in request
/// order within each list.
///
/// A single-event request never has invalid entries (a bad single event is a `Problem`); a batch
/// may have any mix, including none valid, and the server answers for each.
public struct IngestBatch: Sendable, Hashable {
    public var events: [IncomingEvent]
    public var invalid: [InvalidEvent]
    /// True for a JSON array or a CloudEvents batch: the answer reports each event.
    public var isBatch: Bool

    public init(events: [IncomingEvent], invalid: [InvalidEvent] = [], isBatch: Bool) {
        self.events = events
        self.invalid = invalid
        self.isBatch = isBatch
    }

    /// How many events the request held, valid or not.
    public var count: Int { events.count + invalid.count }
}
