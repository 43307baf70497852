import HeraldCore

/// One endpoint's pace: its token bucket, its concurrency limit and its circuit breaker.
/// Shared by every delivery to the endpoint.
actor EndpointGate {
    private var bucket: TokenBucket?
    private var breaker = CircuitBreaker()
    private let concurrency: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(settings: DeliverySettings) {
        self.bucket = settings.ratePerSecond.flatMap { TokenBucket(rate: $0) }
        self.concurrency = max(1, settings.concurrency)
    }

    enum Admission {
        /// Go after waiting this long for the rate limit (a slot is held: call `release`).
        case go(wait: Duration)
        /// The breaker is open: do not send.
        case circuitOpen
        /// The rate limit would make this wait longer than the caller accepts: nothing was taken;
        /// come back after this long (the outbox does, so that an urgent message can go first).
        case later(Duration)
    }

    /// Waits for a concurrency slot, then asks the breaker and the rate limit. With `maxWait`,
    /// a rate-limit wait longer than that takes no token and returns ``Admission/later(_:)``.
    func admit(at now: @Sendable () -> Duration, maxWait: Duration? = nil) async -> Admission {
        if inFlight >= concurrency {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            inFlight += 1
        }
        let time = now()
        guard breaker.allow(at: time) else {
            releaseSlot()
            return .circuitOpen
        }
        if let maxWait, let wait = bucket?.wait(at: time), wait > maxWait {
            releaseSlot()
            return .later(wait)
        }
        let wait = bucket?.take(at: time) ?? .zero
        return .go(wait: wait)
    }

    /// Frees the slot and tells the breaker how the attempt went.
    func release(outcome: DeliveryOutcome, at now: Duration) {
        breaker.record(outcome, at: now)
        releaseSlot()
    }

    private func releaseSlot() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            // Hand the slot straight to the next waiter.
            waiters.removeFirst().resume()
        }
    }

    var breakerState: CircuitBreaker.State { breaker.state }
}
