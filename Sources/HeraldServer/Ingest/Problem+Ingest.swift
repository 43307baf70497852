import HeraldCore

/// The problems `POST /v1/events` answers with, one constructor each, so every type keeps one
/// title and one set of extensions wherever it is raised.
///
/// | slug | status | extensions |
/// |---|---|---|
/// | `body-too-large` | 413 | `limit` (bytes), `size` (bytes, when known) |
/// | `unsupported-media-type` | 415 | `accepted` (media types) |
/// | `invalid-utf8` | 400 | `offset` (0-based byte), `line`, `column` (1-based) |
/// | `invalid-json` | 400 | `offset`, `line`, `column` |
/// | `empty-body` | 400 | — |
/// | `invalid-event` | 400 | `pointer` or `header`, `id` (when valid) |
/// | `too-many-events` | 413 | `limit`, `count` |
/// | `empty-batch` | 400 | — |
extension Problem {
    /// 413 for a body past `limit` bytes. Public so the server can answer the same when it stops
    /// reading a body early (then `size` is unknown).
    public static func bodyTooLarge(limit: Int, size: Int?) -> Problem {
        var extensions = JSONObject()
        extensions["limit"] = .number(JSONNumber(limit))
        if let size { extensions["size"] = .number(JSONNumber(size)) }
        let sizeText = size.map { "The body is \($0) bytes; the" } ?? "The"
        return Problem(
            "body-too-large", title: "The body is too large", status: 413,
            detail: "\(sizeText) limit is \(limit) bytes. Send fewer events per request.",
            extensions: extensions)
    }

    static func unsupportedMediaType(_ detail: String, accepted: [String]) -> Problem {
        var extensions = JSONObject()
        extensions["accepted"] = .array(accepted.map { .string($0) })
        return Problem(
            "unsupported-media-type", title: "Unsupported content type", status: 415,
            detail: detail, extensions: extensions)
    }

    /// `offset` is where the first ill-formed UTF-8 sequence starts in `bytes`.
    static func invalidUTF8(at offset: Int, in bytes: [UInt8]) -> Problem {
        let (line, column) = JSONParser.lineAndColumn(of: offset, in: bytes)
        let byte = offset < bytes.count ? bytes[offset] : 0
        let hex = String(byte, radix: 16, uppercase: true)
        return Problem(
            "invalid-utf8", title: "The body is not valid UTF-8", status: 400,
            detail: "Byte 0x\(hex.count == 1 ? "0" + hex : hex) at line \(line), column \(column) (byte offset \(offset)) "
                + "begins a sequence that is not valid UTF-8. Encode the body as UTF-8.",
            extensions: position(offset: offset, line: line, column: column))
    }

    static func invalidJSON(_ error: JSONSyntaxError) -> Problem {
        Problem(
            "invalid-json", title: "The body is not valid JSON", status: 400,
            detail: "Line \(error.line), column \(error.column) (byte offset \(error.offset)): \(error.message).",
            extensions: position(offset: error.offset, line: error.line, column: error.column))
    }

    static func emptyBody() -> Problem {
        Problem(
            "empty-body", title: "The body is empty", status: 400,
            detail: "The body holds no JSON. Send one event as a JSON object, or several as a JSON array of objects.")
    }

    /// A single event (not a batch) that cannot be accepted.
    static func invalidEvent(_ issue: EventIssue) -> Problem {
        var extensions = JSONObject()
        if let header = issue.header {
            extensions["header"] = .string(header)
        } else {
            extensions["pointer"] = .string(issue.pointer.description)
        }
        if let id = issue.id { extensions["id"] = .string(id) }
        return Problem(
            "invalid-event", title: "The event is not valid", status: 400,
            detail: issue.detail, extensions: extensions)
    }

    static func tooManyEvents(count: Int, limit: Int) -> Problem {
        var extensions = JSONObject()
        extensions["limit"] = .number(JSONNumber(limit))
        extensions["count"] = .number(JSONNumber(count))
        return Problem(
            "too-many-events", title: "Too many events in one request", status: 413,
            detail: "The request holds \(count) events; the limit is \(limit) per request. Split it into smaller batches.",
            extensions: extensions)
    }

    static func emptyBatch(_ what: String) -> Problem {
        Problem(
            "empty-batch", title: "The batch has no events", status: 400,
            detail: "The body is \(what) with no elements. Send at least one event.")
    }

    private static func position(offset: Int, line: Int, column: Int) -> JSONObject {
        var extensions = JSONObject()
        extensions["offset"] = .number(JSONNumber(offset))
        extensions["line"] = .number(JSONNumber(line))
        extensions["column"] = .number(JSONNumber(column))
        return extensions
    }
}
