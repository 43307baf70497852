import HeraldCore

/// Turns a request to `POST /v1/events` into events, or into the one problem that stops it.
///
/// Pure: no server types, no I/O. The content type picks the format:
///
/// | `Content-Type` | `ce-*` headers | the body is |
/// |---|---|---|
/// | `application/cloudevents+json` | ignored | one CloudEvent in the JSON event format |
/// | `application/cloudevents-batch+json` | ignored | a JSON array of CloudEvents |
/// | JSON (`application/json`, `*/*+json`) | `ce-specversion`, `ce-id`, `ce-source` or `ce-type` | a binary-mode CloudEvent's `data` |
/// | `application/json` | none | one event object, or a JSON array of them |
/// | missing, or anything else | | refused: `unsupported-media-type` (415) |
///
/// Parameters are allowed (`; charset=utf-8`); a charset other than UTF-8 is refused (415).
///
/// Checks run in this order, each before work that grows with the input: body size, content
/// type, UTF-8, JSON syntax (with `IngestLimits.json` bounding depth and number length), number
/// of events, then each event. A request-level failure is a `Problem` (see `Problem+Ingest` for
/// every type); in a batch, a bad element becomes an `InvalidEvent` and the others are still
/// accepted; a bad single event fails the request as `invalid-event`.
///
/// What each event must have:
/// - JSON events: an `id` that is a non-empty string of at most `IngestLimits.maxIDLength` bytes
///   with no control characters. Everything else is the sender's to choose.
/// - CloudEvents 1.0: `specversion` `"1.0"`; `id` (as above), `source` and `type` non-empty
///   strings; `time`, if present, an RFC 3339 timestamp; `subject`, `datacontenttype`,
///   `dataschema`, if present, non-empty strings; extension attributes named with lowercase
///   letters and digits, with string, number or boolean values; `data` any JSON. `data_base64` is
///   refused: Herald matches rules against JSON data. A `null` attribute counts as absent, as the
///   JSON event format says.
///
/// Only the first problem of each event is reported.
public enum IngestParser {
    /// The media types a body may have, for `unsupported-media-type` answers and documentation.
    public static let acceptedMediaTypes = [
        "application/json", "application/cloudevents+json", "application/cloudevents-batch+json",
    ]

    public static func parse(_ request: IngestRequest, limits: IngestLimits = .default) -> Result<IngestBatch, Problem> {
        do throws(Problem) {
            return .success(try parseBatch(request, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    private static func parseBatch(_ request: IngestRequest, limits: IngestLimits) throws(Problem) -> IngestBatch {
        guard request.body.count <= limits.maxBodyBytes else {
            throw .bodyTooLarge(limit: limits.maxBodyBytes, size: request.body.count)
        }
        switch try format(of: request) {
        case .json:
            return try jsonEvents(document(request.body, limits: limits), limits: limits)
        case .cloudEvent:
            return try structuredCloudEvent(document(request.body, limits: limits), limits: limits)
        case .cloudEventBatch:
            return try cloudEventBatch(document(request.body, limits: limits), limits: limits)
        case .binary(let mediaType):
            return try binaryCloudEvent(request, contentType: mediaType, limits: limits)
        }
    }

    /// How to read the body, from the content type and the presence of `ce-*` headers.
    enum Format {
        case json
        case cloudEvent
        case cloudEventBatch
        /// The content type as sent (nil only when the body is empty).
        case binary(String?)
    }

    /// The `ce-*` headers that mark a binary-mode CloudEvent: any required attribute.
    static let binaryModeHeaders: Set<String> = ["ce-specversion", "ce-id", "ce-source", "ce-type"]

    static func format(of request: IngestRequest) throws(Problem) -> Format {
        let isBinary = request.headers.contains { binaryModeHeaders.contains($0.name.lowercased()) }
        let binaryAccepted = ["application/json", "*/*+json"]
        let raw = request.contentType.map(CloudEventHeaderValue.trimmed) ?? ""
        guard !raw.isEmpty else {
            if isBinary {
                if request.body.isEmpty { return .binary(nil) }
                throw .unsupportedMediaType(
                    "The request has CloudEvents ce-* headers and a body but no Content-Type. In binary mode the body is the "
                        + "event's data, which Herald reads as JSON: send Content-Type: application/json.",
                    accepted: binaryAccepted)
            }
            throw .unsupportedMediaType(
                "The request has no Content-Type. Send Content-Type: application/json for an event object or an array "
                    + "of events, application/cloudevents+json for one CloudEvent, or application/cloudevents-batch+json "
                    + "for an array of CloudEvents.",
                accepted: acceptedMediaTypes)
        }
        guard let mediaType = MediaType(raw) else {
            throw .unsupportedMediaType(
                "The Content-Type \(quoted(raw)) is not a media type of the form type/subtype. "
                    + "Send Content-Type: application/json.",
                accepted: acceptedMediaTypes)
        }
        let format: Format
        switch mediaType.essence {
        case "application/cloudevents+json": format = .cloudEvent
        case "application/cloudevents-batch+json": format = .cloudEventBatch
        case _ where isBinary:
            guard mediaType.isJSON || request.body.isEmpty else {
                throw .unsupportedMediaType(
                    "The request has CloudEvents ce-* headers, so its body is the event's data, and Herald reads data as "
                        + "JSON; the Content-Type is \(mediaType.essence). Send the data as JSON with Content-Type: "
                        + "application/json, or the whole event as application/cloudevents+json.",
                    accepted: binaryAccepted)
            }
            format = .binary(raw)
        case "application/json": format = .json
        default:
            var detail = "Herald does not read \(mediaType.essence) bodies."
            if let suggestion = Suggestion.closest(to: mediaType.essence, among: acceptedMediaTypes) {
                detail += " Did you mean \(suggestion)?"
            }
            detail += " Send application/json (an event object or an array of events), application/cloudevents+json, "
                + "application/cloudevents-batch+json, or a binary-mode CloudEvent (ce-* headers with JSON data)."
            throw .unsupportedMediaType(detail, accepted: acceptedMediaTypes)
        }
        if let charset = mediaType.charset, charset != "utf-8" {
            throw .unsupportedMediaType(
                "The Content-Type names charset=\(charset); Herald reads events as UTF-8 only. "
                    + "Encode the body as UTF-8 and send charset=utf-8, or no charset.",
                accepted: acceptedMediaTypes)
        }
        return format
    }

    /// The body as one JSON value. An empty (or all white space) body is its own problem, as the
    /// parser's "end of input" would not tell a sender that nothing arrived.
    static func document(_ body: [UInt8], limits: IngestLimits) throws(Problem) -> JSONValue {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw .emptyBody()
        }
        return try json(body, limits: limits)
    }

    /// Parses JSON after checking the bytes are UTF-8 (which the parser checks only inside strings,
    /// so a stray byte elsewhere would read as a syntax error rather than an encoding one).
    static func json(_ bytes: [UInt8], limits: IngestLimits) throws(Problem) -> JSONValue {
        if let offset = firstInvalidUTF8(in: bytes) {
            throw .invalidUTF8(at: offset, in: bytes)
        }
        do {
            return try JSONParser.parse(bytes, limits: limits.json)
        } catch {
            throw .invalidJSON(error)
        }
    }

    /// The offset where the first ill-formed UTF-8 sequence starts, or nil when all is well-formed
    /// (overlong forms, surrogates and values past U+10FFFF are ill-formed).
    static func firstInvalidUTF8(in bytes: [UInt8]) -> Int? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return nil }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Checks the count, then validates each element; `validate` gets the element and its pointer.
    static func batch(
        _ elements: [JSONValue], describedAs what: String, limits: IngestLimits, mode: IncomingEvent.Mode,
        validate: (JSONValue, JSONPointer) -> Result<EventIdentity, EventIssue>
    ) throws(Problem) -> IngestBatch {
        guard !elements.isEmpty else { throw .emptyBatch(what) }
        guard elements.count <= limits.maxEvents else {
            throw .tooManyEvents(count: elements.count, limit: limits.maxEvents)
        }
        var events: [IncomingEvent] = []
        var invalid: [InvalidEvent] = []
        for (index, element) in elements.enumerated() {
            switch validate(element, JSONPointer.root.appending(index: index)) {
            case .success(let identity):
                events.append(IncomingEvent(index: index, id: identity.id, source: identity.source, event: element, mode: mode))
            case .failure(let issue):
                invalid.append(issue.invalidEvent(index: index))
            }
        }
        return IngestBatch(events: events, invalid: invalid, isBatch: true)
    }

    /// A single event: valid, or the request fails with its issue.
    static func single(
        _ value: JSONValue, mode: IncomingEvent.Mode, validate: (JSONValue, JSONPointer) -> Result<EventIdentity, EventIssue>
    ) throws(Problem) -> IngestBatch {
        switch validate(value, .root) {
        case .success(let identity):
            let event = IncomingEvent(index: 0, id: identity.id, source: identity.source, event: value, mode: mode)
            return IngestBatch(events: [event], isBatch: false)
        case .failure(let issue):
            throw .invalidEvent(issue)
        }
    }

    /// What identifies an accepted event.
    struct EventIdentity {
        var id: String
        var source: String?
    }
}
