import Foundation
import HeraldCore

/// Reads a webhook receiver's response (or the lack of one) as a delivery outcome.
///
/// | Response | Outcome |
/// |---|---|
/// | 2xx | delivered (no provider id) |
/// | 408, 429, 5xx | retryable, after `Retry-After` when the receiver sent one |
/// | 3xx | permanent: Herald does not follow redirects for a signed POST; fix the URL |
/// | other 4xx | permanent; the message is the first 512 bytes of the body (or the reason phrase) |
///
/// No response: retryable, except TLS failures and requests libcurl refused (see `TransportFailure`).
public enum WebhookClassifier {
    /// The outcome of a response; `now` reads an HTTP-date `Retry-After`.
    public static func classify(_ response: HTTPResponse, now: Date) -> DeliveryOutcome {
        let status = response.status
        if (200...299).contains(status) { return .delivered(providerID: nil) }
        var message = HTTPOutcomes.excerpt(response.body)
        if (300...399).contains(status) {
            let location = response.header("Location").map { " to \(HTTPOutcomes.excerpt(Array($0.utf8), limit: 256))" } ?? ""
            message = "redirect\(location) not followed"
        }
        if message.isEmpty { message = "(empty body)" }
        return HTTPOutcomes.outcome(status: status, message: message, response: response, now: now)
    }

    /// The outcome when no response came.
    public static func classify(_ failure: TransportFailure) -> DeliveryOutcome {
        HTTPOutcomes.outcome(for: failure)
    }
}
