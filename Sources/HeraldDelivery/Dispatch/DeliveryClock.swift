import Foundation
import HeraldCore

/// Time as delivery sees it: a monotonic reading for rates, breakers and ages, the wall clock for
/// request timestamps, and sleeping between attempts. Tests plug in a clock that never really sleeps.
public protocol DeliveryClock: Sendable {
    /// Monotonic time since an arbitrary fixed start.
    func now() -> Duration
    /// The wall clock (webhook timestamps, e-mail `Date`, HTTP-date Retry-After).
    func wallClock() -> Date
    func sleep(for duration: Duration) async
}

/// The real clock. Every instance reads the same monotonic time, so that state kept across
/// dispatchers (breakers, rate buckets in ``EndpointRegistry``) means the same instant to each.
public struct SystemDeliveryClock: DeliveryClock {
    private static let start = ContinuousClock.now

    public init() {}

    public func now() -> Duration { ContinuousClock.now - Self.start }
    public func wallClock() -> Date { Date() }
    public func sleep(for duration: Duration) async {
        guard duration > .zero else { return }
        try? await Task.sleep(for: duration)
    }
}

/// Sends e-mail: `CurlTransport` through libcurl's SMTP.
public protocol MailTransport: Sendable {
    func sendMail(_ message: [UInt8], envelope: SMTPEnvelope, settings: TransportSettings) async -> Result<Void, TransportFailure>
}

extension CurlTransport: MailTransport {}
