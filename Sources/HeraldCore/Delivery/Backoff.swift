/// How long to wait before retrying a delivery: exponential backoff with full jitter.
///
/// The wait before retry `n` (1 for the first retry, after the first failed attempt) is drawn
/// uniformly from `0...min(cap, base · 2^(n-1))` — "full jitter" from the AWS Architecture Blog's
/// *Exponential Backoff And Jitter*. Drawing from the whole range, not around the ceiling, spreads
/// the retries of many deliveries that failed together (a provider outage) instead of sending them
/// back in waves, and it does the least total work of the variants measured there.
///
/// With the defaults (base 500 ms, cap 60 s):
///
/// | retry `n` | ceiling `min(60 s, 0.5 s · 2^(n-1))` | mean wait |
/// |---|---|---|
/// | 1 | 0.5 s | 0.25 s |
/// | 2 | 1 s | 0.5 s |
/// | 3 | 2 s | 1 s |
/// | 4 | 4 s | 2 s |
/// | 5 | 8 s | 4 s |
/// | 6 | 16 s | 8 s |
/// | 7 | 32 s | 16 s |
/// | 8 and later | 60 s (the cap) | 30 s |
///
/// An endpoint's default retry budget (5 attempts, so 4 retries) therefore waits at most
/// 7.5 s in all, 3.75 s on average, before failing over.
///
/// A provider's `Retry-After` is a lower bound: the wait is `max(drawn, retryAfter)`, so Herald
/// never comes back sooner than asked (a `Retry-After` beyond the cap is honoured, not cut). The
/// result is finally capped at `limit` — the time left in the delivery's `max_age` budget
/// (see ``RetryDecision``). The random source is a parameter, so tests draw from a seeded generator.
public struct Backoff: Sendable, Hashable {
    /// The ceiling of the first retry's range.
    public var base: Duration
    /// No drawn wait exceeds this (a `Retry-After` may).
    public var cap: Duration

    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(60)) {
        self.base = base
        self.cap = cap
    }

    public static let `default` = Backoff()

    /// The top of the range retry `retry` draws from: `min(cap, base · 2^(retry-1))`.
    /// Retries below 1 count as 1; the doubling saturates instead of overflowing.
    public func ceiling(forRetry retry: Int) -> Duration {
        let capNanoseconds = max(0, cap.saturatedNanoseconds)
        var ceiling = max(0, base.saturatedNanoseconds)
        var doublings = max(retry, 1) - 1
        while doublings > 0, ceiling < capNanoseconds {
            let doubled = ceiling.multipliedReportingOverflow(by: 2)
            ceiling = doubled.overflow ? .max : doubled.partialValue
            doublings -= 1
        }
        return .nanoseconds(min(ceiling, capNanoseconds))
    }

    /// The wait before retry `retry`: a uniform draw from `0...ceiling(forRetry:)`, raised to
    /// `retryAfter` when the provider asked for longer, and lowered to `limit` when given.
    public func delay<Generator: RandomNumberGenerator>(
        forRetry retry: Int, retryAfter: Duration? = nil, limit: Duration? = nil, using generator: inout Generator
    ) -> Duration {
        let ceiling = ceiling(forRetry: retry).saturatedNanoseconds
        var delay = Duration.nanoseconds(Int64.random(in: 0...ceiling, using: &generator))
        if let retryAfter, retryAfter > delay { delay = retryAfter }
        if let limit { delay = min(delay, max(limit, .zero)) }
        return delay
    }

    /// ``delay(forRetry:retryAfter:limit:using:)`` drawing from the system's random generator.
    public func delay(forRetry retry: Int, retryAfter: Duration? = nil, limit: Duration? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(forRetry: retry, retryAfter: retryAfter, limit: limit, using: &generator)
    }
}
