/// How many attempts an endpoint may have in flight right now: a limit that grows while the
/// endpoint's latency holds and shrinks when it rises or the endpoint says it is overloaded, between
/// 1 and the endpoint's configured `concurrency` (its ceiling).
///
/// It is the gradient algorithm of Netflix's concurrency-limits (`Gradient2Limit`), itself TCP
/// Vegas's idea applied to requests: compare the recent round trip (`short`, a fast average) with
/// the usual one (`long`, a slow average). While they agree, the limit grows by a small queue
/// allowance; when the recent one is slower than `tolerance` × the usual one, the endpoint (or the
/// path to it) is queueing, and the limit is scaled down by their ratio (at most halved a step).
/// Every step is smoothed, so one slow answer does not collapse it.
///
/// | Situation | What the limit does |
/// |---|---|
/// | round trips as usual, attempts using most of the limit | grows by up to `queue` × `smoothing` a sample (≈ +0.8) |
/// | round trips as usual, fewer than half the limit in flight | stays: the sender, not the endpoint, limits (no growth on credit) |
/// | recent round trips 3× the usual (tolerance 2) | shrinks toward ⅔ of itself |
/// | an answer that says "overloaded" (timeout, 429, 503, refused connection) | × 0.9 at once |
/// | the usual round trip was long and the recent one is much shorter | the usual one decays faster (recovery) |
///
/// Pure: the caller feeds it samples; no clock inside.
public struct AdaptiveConcurrency: Sendable, Hashable {
    /// What one finished attempt says about the endpoint.
    public enum Sample: Sendable, Hashable {
        /// An answer came back (whatever its status, short of an overload signal) after this long.
        case answered(after: Duration)
        /// The endpoint (or the network) said it is overloaded: a timeout, 429, 503, a refused connection.
        case overloaded
    }

    /// The most in flight at once: the endpoint's `concurrency` (this node's share of it).
    public private(set) var ceiling: Int
    /// The limit, fractional so that small steps add up.
    public private(set) var estimate: Double
    /// A slow average of round trips, seconds (nil before the first answer).
    public private(set) var usualRoundTrip: Double?
    /// A fast average of round trips, seconds.
    public private(set) var recentRoundTrip: Double?

    /// How much slower than usual the recent round trips may be before the limit shrinks.
    public static let tolerance = 2.0
    /// Requests allowed to queue at the endpoint while latency holds: the growth per step.
    public static let queue = 4.0
    /// Each step moves the limit this fraction of the way to its new value.
    public static let smoothing = 0.2
    /// Samples in the slow average (about how long a change takes to become "usual").
    public static let usualWindow = 200.0
    /// Samples in the fast average.
    public static let recentWindow = 10.0
    /// Where a new endpoint starts, at most its ceiling: Netflix's default.
    public static let initial = 20

    /// A limit for an endpoint whose configured concurrency is `ceiling` (at least 1).
    public init(ceiling: Int) {
        self.ceiling = max(1, ceiling)
        self.estimate = Double(min(self.ceiling, Self.initial))
    }

    /// The limit in force: a whole number from 1 to ``ceiling``.
    public var limit: Int { max(1, min(ceiling, Int(estimate))) }

    /// A new ceiling (a reload, or this node's share in a cluster changed); the limit stays within it.
    public mutating func setCeiling(_ value: Int) {
        ceiling = max(1, value)
        estimate = min(estimate, Double(ceiling))
    }

    /// Learns from one finished attempt; `inFlight` is how many were in flight when it finished
    /// (itself included).
    public mutating func record(_ sample: Sample, inFlight: Int) {
        switch sample {
        case .overloaded:
            estimate = max(1, estimate * 0.9)
        case .answered(let after):
            let seconds = max(1e-6, Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18)
            let recent = recentRoundTrip.map { $0 + (seconds - $0) / Self.recentWindow } ?? seconds
            var usual = usualRoundTrip.map { $0 + (seconds - $0) / Self.usualWindow } ?? seconds
            // After a slow spell the usual round trip would stay high for hundreds of samples and
            // let the limit grow into the next one: let it fall faster.
            if usual / recent > 2 { usual *= 0.95 }
            recentRoundTrip = recent
            usualRoundTrip = usual
            // Fewer than half the limit in use says nothing about what the endpoint could take.
            guard Double(inFlight) >= estimate / 2 else { return }
            let gradient = max(0.5, min(1.0, Self.tolerance * usual / recent))
            let target = estimate * gradient + Self.queue
            estimate = estimate * (1 - Self.smoothing) + target * Self.smoothing
            estimate = max(1, min(Double(ceiling), estimate))
        }
    }

    /// Whether a finished attempt's outcome is an overload signal: a timeout or refused connection
    /// (no status), 429 Too Many Requests or 503 Service Unavailable.
    public static func isOverload(_ outcome: DeliveryOutcome) -> Bool {
        guard case .retryable(let error, _) = outcome else { return false }
        guard let status = error.status else { return true }
        return status == 429 || status == 503
    }
}
