import Foundation
import HeraldCore

/// Reads the result of handing an e-mail to an SMTP server as a delivery outcome.
///
/// A completed transfer is `delivered`, with the message's `Message-ID` as provider id (SMTP has no
/// other). For failures, everything is retryable — the server may be down, slow, greylisting (451)
/// or full (452) — except what will fail again the same way:
///
/// | Failure | Outcome |
/// |---|---|
/// | a 5xx reply to `MAIL FROM`, `RCPT TO` or `DATA` (`550 No such user`, `553`, `554 rejected`) | permanent — for `RCPT TO` the address does not exist or is refused; the reply code is kept |
/// | authentication refused (`535`; libcurl's login-denied or auth errors) | permanent — an operator must fix `username`/`password` |
/// | TLS failures, STARTTLS required but not offered | permanent — an operator must fix the server or `insecure` |
/// | a request libcurl refused (a bad URL) | permanent |
/// | a 4xx reply, resolution, connection, timeout, a dropped connection, anything else | retryable |
///
/// The transport reports a 5xx reply as `invalidRequest` ("SMTP server replied 550: …") and a 4xx one
/// as `other` with the same text; libcurl's own "RCPT failed: 550" texts are recognised too, whichever
/// case carries them.
public enum SMTPClassifier {
    /// The outcome of a completed transfer of `message`.
    public static func delivered(_ message: SMTPMessage) -> DeliveryOutcome {
        .delivered(providerID: message.messageID)
    }

    /// The outcome of a failed transfer.
    public static func classify(_ failure: TransportFailure) -> DeliveryOutcome {
        let text = failure.description
        let reply = replyCode(in: text)
        let error = ProviderError(code: reply.map(String.init), message: text)
        if let reply { return (500...599).contains(reply) ? .permanent(error) : .retryable(error, retryAfter: nil) }
        switch failure {
        case .invalidRequest, .tls:
            return .permanent(error)
        case .other(let code, _) where permanentCurlCodes.contains(code):
            return .permanent(error)
        case .resolve, .connect, .timeout, .connectionLost, .other:
            return .retryable(error, retryAfter: nil)
        }
    }

    /// libcurl codes that mean "your settings are wrong": 9 remote access denied, 64 required TLS
    /// not available, 67 login denied, 94 authentication error.
    static let permanentCurlCodes: Set<Int> = [9, 64, 67, 94]

    /// The SMTP reply code in a failure text: after `replied `, or after `MAIL`/`RCPT`/`DATA failed: `.
    static func replyCode(in text: String) -> Int? {
        for marker in ["replied ", "MAIL failed: ", "RCPT failed: ", "DATA failed: "] {
            guard let range = text.range(of: marker) else { continue }
            let digits = text[range.upperBound...].prefix(3)
            if digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(digits), (200...599).contains(code) {
                return code
            }
        }
        return nil
    }
}
