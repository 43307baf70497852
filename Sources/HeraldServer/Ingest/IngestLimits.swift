import HeraldCore

/// How much one `POST /v1/events` may carry. Every limit is checked before the work it bounds
/// grows with the input, so a hostile request costs at most `maxBodyBytes` of parsing.
public struct IngestLimits: Sendable, Hashable {
    /// The largest body accepted, in bytes; a larger one is `body-too-large` (413). Default 1 MiB.
    public var maxBodyBytes: Int
    /// The most events in one request (a JSON array or a CloudEvents batch); more is
    /// `too-many-events` (413). Default 1000.
    public var maxEvents: Int
    /// The longest event `id`, in bytes of UTF-8 (what the store keeps). Default 256.
    public var maxIDLength: Int
    /// Nesting depth and number length for the JSON parser.
    public var json: JSONLimits

    public init(maxBodyBytes: Int = 1 << 20, maxEvents: Int = 1000, maxIDLength: Int = 256, json: JSONLimits = .default) {
        self.maxBodyBytes = maxBodyBytes
        self.maxEvents = maxEvents
        self.maxIDLength = maxIDLength
        self.json = json
    }

    public static let `default` = IngestLimits()
}
