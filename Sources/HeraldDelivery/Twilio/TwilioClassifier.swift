import Foundation
import HeraldCore

/// Reads a Twilio Messages API response (or the lack of one) as a delivery outcome.
///
/// Success is any 2xx (Twilio answers 201 Created); the message id is `sid` (`SM…`). Errors arrive as
/// `{"code":21211,"message":"…","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`.
///
/// | Code / status | Meaning | Outcome |
/// |---|---|---|
/// | 20429, HTTP 429 | too many requests (account concurrency) | retryable |
/// | HTTP 408, 5xx | Twilio unavailable | retryable |
/// | 21211 | invalid `To` number | permanent |
/// | 21614 | `To` is not a mobile number (cannot receive SMS) | permanent |
/// | 21610 | the recipient replied STOP: unsubscribed | permanent |
/// | 21408, 21612 | cannot route to this country or number from this sender | permanent |
/// | 21606, 21659, 21212 | the `From` number cannot send (an operator must fix `from`) | permanent |
/// | 21617 | body over 1,600 characters | permanent |
/// | 20003 | authentication failed (HTTP 401): an operator must fix `account`/`token` | permanent |
/// | any other 4xx | | permanent |
///
/// The provider error keeps `code` and `message` (plus `more_info`). Carrier delivery failures (30xxx)
/// arrive later through `StatusCallback`, not here.
public enum TwilioClassifier {
    /// Codes worth retrying whatever the HTTP status.
    public static let retryableCodes: Set<Int> = [20429]

    /// The outcome of a response; `now` reads an HTTP-date `Retry-After`.
    public static func classify(_ response: HTTPResponse, now: Date) -> DeliveryOutcome {
        let json = HTTPOutcomes.json(response.body)
        if (200...299).contains(response.status) {
            return .delivered(providerID: json?["sid"]?.stringValue)
        }
        guard let json, case .object = json, json["code"] != nil || json["message"] != nil else {
            let message = HTTPOutcomes.excerpt(response.body)
            return HTTPOutcomes.outcome(status: response.status, message: message.isEmpty ? "no error details" : message,
                                        response: response, now: now)
        }
        let codeText = json["code"]?.codeText
        var message = json["message"]?.stringValue ?? "Twilio error"
        if let info = json["more_info"]?.stringValue, !info.isEmpty { message += " (\(info))" }
        let error = ProviderError(status: response.status, code: codeText, message: message)
        if let code = codeText.flatMap({ Int($0) }), retryableCodes.contains(code) {
            return .retryable(error, retryAfter: response.retryAfter(now: now))
        }
        return HTTPOutcomes.isRetryable(status: response.status)
            ? .retryable(error, retryAfter: response.retryAfter(now: now))
            : .permanent(error)
    }

    /// The outcome when no response came.
    public static func classify(_ failure: TransportFailure) -> DeliveryOutcome {
        HTTPOutcomes.outcome(for: failure)
    }
}
