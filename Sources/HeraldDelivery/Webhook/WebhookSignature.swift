import Foundation
import HeraldCore

/// Herald's webhook signature: `X-Herald-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
/// next to `X-Herald-Timestamp: <unix seconds>`.
///
/// Signing the timestamp with the body lets a receiver reject replays: a captured request cannot be
/// re-sent later with a fresh timestamp without the secret. A receiver verifies like this:
///
/// 1. Take the raw body bytes as received — before any JSON parsing, which would change them.
/// 2. Read `X-Herald-Timestamp`; reject the request if it is more than 5 minutes away from your
///    clock, in either direction.
/// 3. Compute HMAC-SHA256 with the shared secret over the timestamp's digits, a `.`, and the body;
///    hex-encode it in lower case.
/// 4. Compare it, in constant time, with each `v1=` value in `X-Herald-Signature` (several, separated
///    by commas, while a secret is rotated); accept if one matches. Ignore other schemes.
/// 5. To stop replays inside the 5 minutes, remember the `Idempotency-Key` of what you accepted for
///    that long and drop repeats (Herald's own retries carry the same key, so this also de-duplicates).
///
/// ``verify(body:timestamp:signature:secret:now:tolerance:)`` does steps 2–4; Herald uses it for its
/// own inbound webhooks and tests.
public enum WebhookSignature {
    public static let timestampHeader = "X-Herald-Timestamp"
    public static let signatureHeader = "X-Herald-Signature"
    /// How far a timestamp may be from the receiver's clock: 5 minutes.
    public static let defaultTolerance: Duration = .seconds(300)

    /// `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    public static func sign(body: [UInt8], timestamp: Int64, secret: String) -> String {
        "v1=" + HMACSHA256.hex(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body)
    }

    /// Why a signature was rejected.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// `X-Herald-Timestamp` is not a whole number of seconds.
        case malformedTimestamp
        /// The timestamp is further than the tolerance from now: a replay, or a badly wrong clock.
        case outsideTolerance(secondsAway: Int64)
        /// `X-Herald-Signature` has no `v1=` value with 64 hex digits.
        case malformedSignature
        /// No `v1=` value matches: wrong secret, or the body or timestamp was altered.
        case mismatch

        public var description: String {
            switch self {
            case .malformedTimestamp: "\(WebhookSignature.timestampHeader) is not a unix time in seconds"
            case .outsideTolerance(let away): "the timestamp is \(away) s away from now: too old or from the future"
            case .malformedSignature: "\(WebhookSignature.signatureHeader) has no v1= signature"
            case .mismatch: "the signature does not match the body and timestamp"
            }
        }
    }

    /// Checks a signed request; returns normally when it is authentic and fresh.
    public static func verify(
        body: [UInt8], timestamp: String, signature: String, secret: String, now: Date, tolerance: Duration = defaultTolerance
    ) throws(Failure) {
        let trimmed = timestamp.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 15, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let seconds = Int64(trimmed) else { throw .malformedTimestamp }
        let away = abs(Int64(now.timeIntervalSince1970.rounded(.down)) - seconds)
        guard away <= tolerance.components.seconds else { throw .outsideTolerance(secondsAway: away) }

        let candidates = signature.split(separator: ",").compactMap { part -> [UInt8]? in
            let value = part.trimmingCharacters(in: .whitespaces)
            guard value.hasPrefix("v1=") else { return nil }
            return ASCIIHex.bytes(value.dropFirst(3).utf8, count: 32)
        }
        guard !candidates.isEmpty else { throw .malformedSignature }
        let expected = HMACSHA256.mac(key: Array(secret.utf8), message: Array("\(seconds).".utf8) + body)
        // Check every candidate, so timing does not reveal which one matched.
        var matched = false
        for candidate in candidates where HMACSHA256.equal(candidate, expected) { matched = true }
        guard matched else { throw .mismatch }
    }

}
