/// An HTTP request to `POST /v1/events`, reduced to the parts ingest reads, so parsing needs no
/// server types and tests need no sockets.
public struct IngestRequest: Sendable {
    /// The `Content-Type` header as sent, parameters included (`application/json; charset=utf-8`);
    /// nil when the request has none.
    public var contentType: String?
    /// The request's header fields in the order received. Only `ce-*` fields (CloudEvents binary
    /// mode) are read, and names compare case-insensitively; a `Content-Type` field here is
    /// ignored in favour of `contentType`.
    public var headers: [(name: String, value: String)]
    /// The whole body. The server may stop reading once it passes `IngestLimits.maxBodyBytes` and
    /// answer `Problem.bodyTooLarge(limit:size:)` itself.
    public var body: [UInt8]

    public init(contentType: String?, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }
}
