/// Stops hammering an endpoint that keeps failing, and probes it to find out when it is back.
///
/// ```
/// closed ── failureThreshold failures in a row ──▶ open ── cooldown passed ──▶ half-open
///   ▲                                               ▲                          │
///   │                                               └─ probe fails: cooldown ×2 ┤
///   └──────────────────────── probe succeeds ───────────────────────────────────┘
/// ```
///
/// | State | ``allow(at:)`` | ``record(success:at:)`` |
/// |---|---|---|
/// | closed | true | a failure counts; the `failureThreshold`-th in a row opens it for `cooldown`; a success resets the count |
/// | open | false until the cooldown has passed; then true once, moving to half-open | ignored: answers to requests sent before it opened say nothing new |
/// | half-open | false: the one probe is out | success closes it and resets the cooldown; failure reopens it with the cooldown doubled, at most `maxCooldown` |
///
/// With the defaults (5 failures, 30 s doubling to 5 min) a dead endpoint is probed after 30 s,
/// 1 min, 2 min, 4 min, then every 5 min. Pure: time is a monotonic `Duration` since any fixed start.
/// The caller records the result of every request it was allowed to send — a probe that is never
/// recorded keeps the breaker half-open. What counts as a failure is the caller's choice; Herald
/// counts retryable outcomes (timeouts, resets, 5xx, 429) and not permanent ones: an invalid phone
/// number says nothing about the endpoint's health (see ``record(_:at:)``).
public struct CircuitBreaker: Sendable, Hashable {
    /// Where the breaker is in its cycle (see the table above).
    public enum State: Sendable, Hashable {
        case closed
        case open
        case halfOpen
    }

    /// Consecutive failures that open the breaker.
    public let failureThreshold: Int
    /// The first cooldown after opening.
    public let cooldown: Duration
    /// The longest cooldown, however often probes fail.
    public let maxCooldown: Duration

    public private(set) var state: State = .closed
    /// Failures in a row while closed.
    public private(set) var consecutiveFailures = 0
    /// While open: when the next probe may go.
    public private(set) var probeAt: Duration?
    /// The cooldown the next opening will use.
    public private(set) var currentCooldown: Duration

    public init(failureThreshold: Int = 5, cooldown: Duration = .seconds(30), maxCooldown: Duration = .seconds(300)) {
        self.failureThreshold = max(1, failureThreshold)
        self.cooldown = max(cooldown, .zero)
        self.maxCooldown = max(maxCooldown, self.cooldown)
        self.currentCooldown = self.cooldown
    }

    /// Whether a request may go to the endpoint now. In the open state, the first call after the
    /// cooldown returns true and makes that request the probe.
    public mutating func allow(at now: Duration) -> Bool {
        switch state {
        case .closed:
            return true
        case .halfOpen:
            return false
        case .open:
            guard let probeAt, now >= probeAt else { return false }
            state = .halfOpen
            self.probeAt = nil
            return true
        }
    }

    /// Records how an allowed request went.
    public mutating func record(success: Bool, at now: Duration) {
        switch (state, success) {
        case (.closed, true):
            consecutiveFailures = 0
        case (.closed, false):
            consecutiveFailures += 1
            if consecutiveFailures >= failureThreshold { open(at: now) }
        case (.halfOpen, true):
            state = .closed
            consecutiveFailures = 0
            currentCooldown = cooldown
        case (.halfOpen, false):
            currentCooldown = min(currentCooldown * 2, maxCooldown)
            open(at: now)
        case (.open, _):
            break
        }
    }

    /// Records an attempt's outcome: delivered and permanent outcomes are successes (the endpoint
    /// answered sensibly), retryable ones are failures.
    public mutating func record(_ outcome: DeliveryOutcome, at now: Duration) {
        switch outcome {
        case .delivered, .permanent: record(success: true, at: now)
        case .retryable: record(success: false, at: now)
        }
    }

    private mutating func open(at now: Duration) {
        state = .open
        consecutiveFailures = 0
        probeAt = now + currentCooldown
    }
}
