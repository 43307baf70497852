import HeraldCore
import Synchronization

/// One endpoint's pace: its token bucket, its concurrency limit and its circuit breaker.
/// Shared by every delivery to the endpoint and, through ``EndpointRegistry``, by every dispatcher
/// a reload builds: a reload changes the limits in place instead of starting a second gate.
///
/// The concurrency limit in force adapts (``AdaptiveConcurrency``) between 1 and the endpoint's
/// `concurrency` (this node's share of it) unless the endpoint says `adaptive: false`. Deliveries
/// over the limit wait here, first come first served; how long the oldest has waited is the
/// endpoint's *lag* (``lag(at:)``), which ingest reads to push back before a backlog builds.
final class EndpointGate: Sendable {
    /// A delivery waiting for a concurrency slot; resumed with true when handed one, false when
    /// its deadline passed first.
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
        var timeout: Task<Void, Never>?
        /// When it started waiting (the gate's clock).
        var since: Duration
    }

    private struct State {
        /// The endpoint's own limits, as herald.yaml gives them.
        var settings: DeliverySettings
        /// This node's part of those limits (1: all of them).
        var share: Double = 1
        var bucket: TokenBucket?
        var breaker = CircuitBreaker()
        /// Made on the first ``applyLimits(at:)``, starting from the endpoint's ceiling.
        var adaptive: AdaptiveConcurrency?
        var concurrency = 1
        var inFlight = 0
        /// First come first served; `waiters[head...]` are waiting (a consumed prefix is dropped
        /// now and then instead of shifting the array for every slot handed out).
        var waiters: [Waiter] = []
        var head = 0
        var nextWaiterID = 0
        /// When an attempt last finished (the gate's clock).
        var lastRelease: Duration?

        /// Applies `settings` × `share`: a changed rate keeps the slots already booked, a changed
        /// concurrency keeps the attempts in flight (a lower limit is reached as they finish).
        mutating func applyLimits(at now: Duration) -> [Waiter] {
            let ceiling = max(1, Int((Double(max(1, settings.concurrency)) * share).rounded(.up)))
            var limit = adaptive ?? AdaptiveConcurrency(ceiling: ceiling)
            limit.setCeiling(ceiling)
            adaptive = limit
            concurrency = settings.adaptiveConcurrency ? limit.limit : ceiling
            let rate = settings.ratePerSecond.map { $0 * share }
            switch (rate, bucket) {
            case (nil, _): bucket = nil
            case (let rate?, let current?) where current.rate == rate: break
            case (let rate?, let current?): bucket = current.rebased(rate: rate, at: now) ?? TokenBucket(rate: rate)
            case (let rate?, nil): bucket = TokenBucket(rate: rate)
            }
            return grantWaiters()
        }

        /// Hands free slots to waiters, first come first served.
        mutating func grantWaiters() -> [Waiter] {
            var granted: [Waiter] = []
            while inFlight < concurrency, head < waiters.count {
                inFlight += 1
                granted.append(waiters[head])
                head += 1
            }
            if head > 64, head * 2 > waiters.count {
                waiters.removeFirst(head)
                head = 0
            }
            return granted
        }

        var waiting: Int { waiters.count - head }

        mutating func releaseSlot() -> [Waiter] {
            inFlight -= 1
            return grantWaiters()
        }
    }

    private let state: Mutex<State>

    init(settings: DeliverySettings, share: Double = 1, now: Duration = .zero) {
        var state = State(settings: settings, share: share)
        _ = state.applyLimits(at: now)
        self.state = Mutex(state)
    }

    enum Admission: Equatable {
        /// Go after waiting this long for the rate limit (a slot is held: call `release`).
        case go(wait: Duration)
        /// The breaker is open: do not send.
        case circuitOpen
        /// The rate limit would make this wait longer than the caller accepts: nothing was taken;
        /// come back after this long (the outbox does, so that an urgent message can go first).
        case later(Duration)
        /// Every concurrency slot stayed taken until the caller's deadline: nothing was taken.
        case busy
    }

    /// Waits for a concurrency slot, then asks the breaker and the rate limit.
    /// - Parameters:
    ///   - maxRateWait: a rate-limit wait longer than this takes no slot and returns ``Admission/later(_:)``.
    ///   - deadline: on `clock`, when waiting must be over (a delivery's lease, less a margin): a
    ///     concurrency slot not free by then returns ``Admission/busy``, a rate-limit wait past it
    ///     ``Admission/later(_:)``. Nil: wait as long as it takes.
    func admit(clock: any DeliveryClock, maxRateWait: Duration? = nil, deadline: Duration? = nil) async -> Admission {
        guard await takeSlot(clock: clock, deadline: deadline) else { return .busy }
        let time = clock.now()
        let (admission, granted) = state.withLock { state -> (Admission, [Waiter]) in
            guard state.breaker.allow(at: time) else { return (.circuitOpen, state.releaseSlot()) }
            guard var bucket = state.bucket else { return (.go(wait: .zero), []) }
            let wait = bucket.wait(at: time)
            let pastMax = maxRateWait.map { wait > $0 } ?? false
            let pastDeadline = deadline.map { time + wait > $0 } ?? false
            if wait > .zero, pastMax || pastDeadline {
                return (.later(wait), state.releaseSlot())
            }
            let taken = bucket.take(at: time)
            state.bucket = bucket
            return (.go(wait: taken), [])
        }
        Self.resume(granted)
        return admission
    }

    /// Frees the slot and tells the breaker how the attempt went, and the adaptive limit how long
    /// it took (`roundTrip`: the exchange itself, without waiting in this gate).
    func release(outcome: DeliveryOutcome, at now: Duration, roundTrip: Duration? = nil) {
        let granted = state.withLock { state in
            state.breaker.record(outcome, at: now)
            state.lastRelease = now
            // The limit learns from every attempt (its round-trip average is also what ``lag(at:)``
            // reads); it is applied only where it may adapt.
            if var adaptive = state.adaptive {
                if AdaptiveConcurrency.isOverload(outcome) {
                    adaptive.record(.overloaded, inFlight: state.inFlight)
                } else if let roundTrip {
                    adaptive.record(.answered(after: roundTrip), inFlight: state.inFlight)
                }
                state.adaptive = adaptive
                if state.settings.adaptiveConcurrency { state.concurrency = adaptive.limit }
            }
            return state.releaseSlot()
        }
        Self.resume(granted)
    }

    /// How far deliveries to this endpoint lag: about how long a delivery arriving now would wait
    /// for a slot. Zero when none waits; otherwise the waiting deliveries' share of the slots at
    /// the recent round trip (`waiting × round trip ÷ limit`), but at least the time since an
    /// attempt last finished (an endpoint that stopped answering lags more every moment), and at
    /// most how long the oldest has waited.
    ///
    /// The estimate, not only the oldest wait, is what a burst needs: an airline's 300 messages
    /// queued at once all "waited since" the same moment until the last is sent, while the queue
    /// in front of a new arrival shrinks from the first one sent.
    func lag(at now: Duration) -> Duration {
        state.withLock { state in
            guard state.head < state.waiters.count else { return .zero }
            let oldest = max(.zero, now - state.waiters[state.head].since)
            guard let roundTrip = state.adaptive?.recentRoundTrip, let lastRelease = state.lastRelease else { return oldest }
            let seconds = Double(state.waiting) * roundTrip / Double(max(1, state.concurrency))
            let expected = Duration.nanoseconds(Int64(min(9e18, max(0, seconds * 1e9))))
            return min(oldest, max(expected, now - lastRelease))
        }
    }

    /// Deliveries waiting for a slot.
    var waiting: Int { state.withLock { $0.waiting } }

    /// New limits from a reload; the breaker, the attempts in flight and the booked rate slots stay.
    func configure(_ settings: DeliverySettings, at now: Duration) {
        Self.resume(state.withLock { state in
            state.settings = settings
            return state.applyLimits(at: now)
        })
    }

    /// Scales the limits to this node's share of the endpoint (`fraction` of 1): rate × share,
    /// concurrency ⌈× share⌉ and at least 1. A cluster of N nodes gives each 1/N.
    func setShare(_ fraction: Double, at now: Duration) {
        guard fraction.isFinite, fraction > 0 else { return }
        Self.resume(state.withLock { state in
            state.share = min(fraction, 1)
            return state.applyLimits(at: now)
        })
    }

    var breakerState: CircuitBreaker.State { state.withLock { $0.breaker.state } }
    /// The concurrency limit in force (after the share).
    var concurrencyLimit: Int { state.withLock { $0.concurrency } }
    /// The rate limit in force (after the share), requests per second.
    var rateLimit: Double? { state.withLock { $0.bucket?.rate } }
    var inFlight: Int { state.withLock { $0.inFlight } }

    /// Takes a concurrency slot, waiting for one until `deadline` at most; false when none came.
    private func takeSlot(clock: any DeliveryClock, deadline: Duration?) async -> Bool {
        let now = clock.now()
        return await withCheckedContinuation { continuation in
            let id = state.withLock { state -> Int? in
                if state.inFlight < state.concurrency, state.waiting == 0 {
                    state.inFlight += 1
                    return nil
                }
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                state.waiters.append(Waiter(id: id, continuation: continuation, since: now))
                return id
            }
            guard let id else { return continuation.resume(returning: true) }
            guard let deadline else { return }
            let timeout = Task { [self] in
                await clock.sleep(for: deadline - clock.now())
                expire(id)
            }
            let stillWaiting = state.withLock { state in
                guard let index = state.waiters[state.head...].lastIndex(where: { $0.id == id }) else { return false }
                state.waiters[index].timeout = timeout
                return true
            }
            if !stillWaiting { timeout.cancel() }
        }
    }

    /// The waiter's deadline passed: it leaves the queue without a slot (unless it got one already).
    private func expire(_ id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters[state.head...].firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }

    private static func resume(_ granted: [Waiter]) {
        for waiter in granted {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: true)
        }
    }
}
