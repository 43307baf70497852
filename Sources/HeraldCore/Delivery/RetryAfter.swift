import Foundation

/// A provider's `Retry-After` (RFC 9110 §10.2.3): how long it asked Herald to wait.
///
/// | Header value | Wait |
/// |---|---|
/// | `120` (delta-seconds: ASCII digits only) | 120 s; absurdly many digits saturate instead of failing |
/// | `Fri, 31 Dec 2999 23:59:59 GMT` (any HTTP date, see ``HTTPDate``) | the time from `now` until then |
/// | an HTTP date already past | zero |
/// | anything else: `-1`, `1.5`, `soon`, empty | nil — no lower bound, the backoff alone decides |
///
/// Surrounding spaces and tabs are ignored. `now` is injected so the result is a pure function.
public enum RetryAfter {
    /// The wait `value` asks for, measured from `now`; nil when it is not a valid `Retry-After`.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Int64 seconds would overflow Duration's nanosecond arithmetic elsewhere; a century is "forever".
            guard trimmed.utf8.count <= 10, let seconds = Int64(trimmed) else { return maximum }
            return min(.seconds(seconds), maximum)
        }
        guard let date = HTTPDate.parse(trimmed, now: now) else { return nil }
        let seconds = date.timeIntervalSince(now)
        guard seconds > 0 else { return .zero }
        return min(Duration.saturatingNanoseconds(seconds * 1_000_000_000), maximum)
    }

    /// The longest wait a `Retry-After` is read as: 100 years, far beyond any delivery's `max_age`.
    public static let maximum: Duration = .seconds(100 * 365 * 86_400)
}

extension HTTPResponse {
    /// The response's `Retry-After`, read relative to `now`; nil when absent or invalid.
    public func retryAfter(now: Date) -> Duration? {
        header("Retry-After").flatMap { RetryAfter.parse($0, now: now) }
    }
}
