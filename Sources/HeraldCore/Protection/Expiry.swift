import Foundation

/// A rule's `expires`: a message not delivered within this time after Herald accepted its event
/// is not sent (a fraud check after 15 minutes, a delay notice after departure); it is recorded as
/// expired. Pure: the caller passes `now`.
public enum Expiry {
    /// When the message stops being worth sending, or nil when it never expires.
    public static func deadline(acceptedAt: Date, expires: Duration?) -> Date? {
        expires.map { acceptedAt.addingTimeInterval($0.inSeconds) }
    }

    /// Whether a message accepted at `acceptedAt` has expired at `now` (at the deadline itself it has).
    public static func isExpired(acceptedAt: Date, expires: Duration?, now: Date) -> Bool {
        guard let deadline = deadline(acceptedAt: acceptedAt, expires: expires) else { return false }
        return now >= deadline
    }
}
