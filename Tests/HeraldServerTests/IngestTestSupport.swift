import HeraldCore
import HeraldServer

/// Shorthands for the ingest tests: build a request from text and read either side of the result.
enum Ingest {
    static func parse(
        _ body: String, contentType: String? = "application/json", headers: [(name: String, value: String)] = [],
        limits: IngestLimits = .default
    ) -> Result<IngestBatch, Problem> {
        parse(bytes: Array(body.utf8), contentType: contentType, headers: headers, limits: limits)
    }

    static func parse(
        bytes: [UInt8], contentType: String? = "application/json", headers: [(name: String, value: String)] = [],
        limits: IngestLimits = .default
    ) -> Result<IngestBatch, Problem> {
        IngestParser.parse(IngestRequest(contentType: contentType, headers: headers, body: bytes), limits: limits)
    }

    /// The JSON text of `text` parsed, for comparing events with what was sent.
    static func json(_ text: String) throws -> JSONValue {
        try JSONParser.parse(text)
    }
}

extension Result where Success == IngestBatch, Failure == Problem {
    var batch: IngestBatch? {
        if case .success(let batch) = self { return batch }
        return nil
    }

    var problem: Problem? {
        if case .failure(let problem) = self { return problem }
        return nil
    }
}
