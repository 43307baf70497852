import Foundation
import HeraldCore

/// What every HTTP endpoint kind agrees on when classifying; each kind adds its provider's codes.
enum HTTPOutcomes {
    /// 408 Request Timeout, 429 Too Many Requests and every 5xx are worth retrying.
    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// No response: everything is worth retrying (resolution, connection, timeout, a reset) except a
    /// request libcurl refused and TLS failures (a bad certificate will not fix itself; see
    /// `TransportFailure`). A request that timed out may have been delivered: the retry carries the
    /// same delivery id, so the receiver can de-duplicate.
    static func outcome(for failure: TransportFailure) -> DeliveryOutcome {
        let error = ProviderError(message: failure.description)
        switch failure {
        case .invalidRequest, .tls: return .permanent(error)
        case .resolve, .connect, .timeout, .connectionLost, .other: return .retryable(error, retryAfter: nil)
        }
    }

    /// An outcome from the status alone, for bodies that say nothing Herald understands.
    static func outcome(status: Int, message: String, code: String? = nil, response: HTTPResponse, now: Date) -> DeliveryOutcome {
        let error = ProviderError(status: status, code: code, message: message)
        if (200...299).contains(status) { return .delivered(providerID: nil) }
        if isRetryable(status: status) { return .retryable(error, retryAfter: response.retryAfter(now: now)) }
        return .permanent(error)
    }

    /// The start of a body as text, at most `limit` bytes, cut at a character boundary; control
    /// characters other than tab and newline become spaces. Empty bodies read as the status's reason.
    static func excerpt(_ body: [UInt8], limit: Int = 512) -> String {
        var end = min(body.count, limit)
        // Back off to the start of a UTF-8 sequence so the cut never leaves half a character.
        if end < body.count {
            while end > 0, body[end] & 0xC0 == 0x80 { end -= 1 }
        }
        let text = String(decoding: body[..<end], as: UTF8.self)
        return String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" ? " " : $0
        })).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Parses a JSON body; nil when it is not JSON (an HTML error page from a proxy).
    static func json(_ body: [UInt8]) -> JSONValue? {
        guard !body.isEmpty else { return nil }
        return try? JSONParser.parse(body)
    }
}

extension JSONValue {
    /// A number's literal or a string's text: provider codes arrive as either.
    var codeText: String? {
        switch self {
        case .number(let number): number.literal
        case .string(let text): text.isEmpty ? nil : text
        default: nil
        }
    }
}
