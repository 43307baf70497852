import Foundation
import HeraldCore

/// Reads a WhatsApp Cloud API response (or the lack of one) as a delivery outcome.
///
/// Success is any 2xx; the message id (`wamid.…`) is `messages[0].id`. Errors arrive as
/// `{"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}`.
/// Meta asks integrations to decide on `code`, not on the HTTP status or subcode, so Herald does:
///
/// | `error.code` | Meaning | Outcome |
/// |---|---|---|
/// | 130429 | Cloud API throughput reached | retryable |
/// | 131056 | (business, customer) pair rate limit: too many messages to one number | retryable |
/// | 80007 | WhatsApp Business Account rate limit | retryable |
/// | 4 | application call-rate limit | retryable |
/// | 131057 | business account in maintenance mode | retryable |
/// | 131000 | "Something went wrong" (HTTP 500): Meta's catch-all, mostly transient | retryable (the retry budget bounds it) |
/// | 131016, 2 | service temporarily unavailable / overloaded | retryable |
/// | 131026 | undeliverable: not on WhatsApp, old app, terms not accepted | permanent |
/// | 131047 | over 24 hours since the customer last wrote: only templates may be sent | permanent |
/// | 131048 | spam rate limit (quality): lasts until the number's quality recovers | permanent |
/// | 100, 131008, 131009 | invalid or missing parameter | permanent |
/// | 131021 | recipient is the sender | permanent |
/// | 190, 0 | access token expired or invalid (HTTP 401) | permanent — an operator must renew the token; every message fails over until then |
/// | 10, 200–299, 368, 131031, 130497 | permission, policy block, locked account, country restriction | permanent — an operator must act |
/// | 132000–132015, 132068, 132069 | template problems (missing, paused, parameters) | permanent |
/// | anything else, or no JSON | by HTTP status: 408, 429 and 5xx retryable, other statuses permanent | |
///
/// 131001 and 131002 do not appear in Meta's error-code reference; like any unknown code they are
/// decided by HTTP status. A `Retry-After` header, when Meta sends one, is honoured on retryable outcomes.
/// The provider error keeps `code` and a message of `message`, `error_data.details`, the subcode and
/// `fbtrace_id` (which Meta support asks for).
public enum WhatsAppClassifier {
    /// Codes worth retrying whatever the HTTP status.
    public static let retryableCodes: Set<Int> = [130429, 131056, 80007, 4, 131057, 131000, 131016, 2]

    /// Codes that will not succeed by retrying, whatever the HTTP status.
    public static func isPermanent(code: Int) -> Bool {
        [131026, 131047, 131048, 100, 131008, 131009, 131021, 190, 0, 10, 368, 131031, 130497, 132068, 132069].contains(code)
            || (132000...132015).contains(code) || (200...299).contains(code)
    }

    /// The outcome of a response; `now` reads an HTTP-date `Retry-After`.
    public static func classify(_ response: HTTPResponse, now: Date) -> DeliveryOutcome {
        let json = HTTPOutcomes.json(response.body)
        if (200...299).contains(response.status) {
            return .delivered(providerID: json?["messages"]?[0]?["id"]?.stringValue)
        }
        guard let error = json?["error"], case .object = error else {
            let message = HTTPOutcomes.excerpt(response.body)
            return HTTPOutcomes.outcome(status: response.status, message: message.isEmpty ? "no error details" : message,
                                        response: response, now: now)
        }
        let codeText = error["code"]?.codeText
        let providerError = ProviderError(status: response.status, code: codeText, message: Self.message(error))
        if let code = codeText.flatMap({ Int($0) }) {
            if retryableCodes.contains(code) { return .retryable(providerError, retryAfter: response.retryAfter(now: now)) }
            if isPermanent(code: code) { return .permanent(providerError) }
        }
        return HTTPOutcomes.isRetryable(status: response.status)
            ? .retryable(providerError, retryAfter: response.retryAfter(now: now))
            : .permanent(providerError)
    }

    /// The outcome when no response came.
    public static func classify(_ failure: TransportFailure) -> DeliveryOutcome {
        HTTPOutcomes.outcome(for: failure)
    }

    /// `(#131026) Message undeliverable: details (subcode 2494010, fbtrace_id AbC)`.
    private static func message(_ error: JSONValue) -> String {
        var text = error["message"]?.stringValue ?? "WhatsApp error"
        if let details = error["error_data"]?["details"]?.stringValue, !details.isEmpty, details != text {
            text += ": \(details)"
        }
        var extras: [String] = []
        if let subcode = error["error_subcode"]?.codeText { extras.append("subcode \(subcode)") }
        if let trace = error["fbtrace_id"]?.stringValue { extras.append("fbtrace_id \(trace)") }
        return extras.isEmpty ? text : "\(text) (\(extras.joined(separator: ", ")))"
    }
}
