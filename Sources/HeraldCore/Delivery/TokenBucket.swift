/// An endpoint's rate limit (`rate: 80/s`): on average at most `rate` requests a second, with up to
/// `burst` at once after a quiet spell.
///
/// Pure: time is a parameter — a monotonic `Duration` since any fixed start (the caller passes
/// `clock.now - start` of a `ContinuousClock`). ``take(at:)`` hands out the next slot and says how
/// long to wait for it: zero means go now. Each call reserves its slot, so a caller that is told to
/// wait must then go after waiting (this is what a worker that sleeps and sends does).
///
/// It is the generic cell rate algorithm, the token bucket written as the time the next request is
/// due: slot `k` after an idle moment `t₀` is due at `t₀ + (k - (burst - 1)) / rate`. Each due time is
/// computed from the integer `k`, not by adding intervals up, so a rate whose interval is not a
/// whole number of nanoseconds (3/s) never drifts: the 10,000th slot at 3/s is due at exactly 3333 s.
///
/// | `rate` | `burst` | calls at t = 0 | waits returned |
/// |---|---|---|---|
/// | 80/s | 80 | 81 | 80 × 0, then 12.5 ms |
/// | 80/s | 1 | 3 | 0, 12.5 ms, 25 ms |
/// | 3/s | 1 | 3 | 0, 333,333,333 ns, 666,666,667 ns |
public struct TokenBucket: Sendable, Hashable {
    /// Requests per second on average.
    public let rate: Double
    /// Requests that may go at once when the bucket is full.
    public let burst: Int
    /// The moment the current run of back-to-back slots started.
    private var anchor: Duration = .zero
    /// Slots handed out since `anchor`.
    private var issued: Int64 = 0

    /// A bucket for `rate` requests a second (`0 < rate ≤ 10⁹`) with a burst of `burst` (at least 1;
    /// by default one second's worth, as herald.yaml documents). Nil for rates or bursts out of range.
    public init?(rate: Double, burst: Int? = nil) {
        guard rate.isFinite, rate > 0, rate <= 1e9 else { return nil }
        let burst = burst ?? Int(min(rate.rounded(.up), 1e9))
        guard burst >= 1 else { return nil }
        self.rate = rate
        self.burst = burst
    }

    /// Takes the next slot: how long to wait from `now` before sending (zero: send now). Never negative.
    public mutating func take(at now: Duration) -> Duration {
        if anchor + offset(issued) < now {
            // The bucket refilled past its brim while idle: a new run starts now.
            anchor = now
            issued = 0
        }
        let wait = max(.zero, anchor + offset(issued - Int64(burst - 1)) - now)
        issued += 1
        if issued >= 1 << 20 {
            // Keep `issued · 10⁹` exact in a Double; costs at most half a nanosecond per million slots.
            anchor += offset(issued)
            issued = 0
        }
        return wait
    }

    /// This bucket at another rate (a reload changed `rate:`, or a cluster changed this node's
    /// share of it), keeping the slots already handed out: a request after the change waits at
    /// least until the next slot of the old run was due, and the new rate applies from there.
    /// Nil for a rate or burst out of range (as ``init(rate:burst:)``).
    public func rebased(rate: Double, burst: Int? = nil, at now: Duration) -> TokenBucket? {
        guard var bucket = TokenBucket(rate: rate, burst: burst) else { return nil }
        let nextDue = anchor + offset(issued - Int64(self.burst - 1))
        if nextDue > now {
            // A run that is already a full burst in: its next slot is due at `anchor`.
            bucket.anchor = nextDue
            bucket.issued = Int64(bucket.burst - 1)
        }
        return bucket
    }

    /// How long a request arriving at `now` would wait, without taking a slot.
    public func wait(at now: Duration) -> Duration {
        var copy = self
        return copy.take(at: now)
    }

    /// The time from `anchor` to slot `slots` of a back-to-back run, to the nearest nanosecond.
    private func offset(_ slots: Int64) -> Duration {
        .saturatingNanoseconds(Double(slots) * 1_000_000_000 / rate)
    }
}
