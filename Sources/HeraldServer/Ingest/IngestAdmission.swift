import DequeModule
import Foundation
import Synchronization

/// Ingest's pushback when deliveries fall behind: a request whose deliveries would queue behind
/// others that have waited longer than `target` for their endpoint is *held* — its sender waits,
/// nothing is stored yet — until that lag is back under `target`; one whose lag is over `limit`, or
/// that has been held that long, is refused (503 with Retry-After).
///
/// Holding is what keeps a sender with many connections from outrunning delivery: each connection
/// waits for its answer, so the sender slows to the pace deliveries go out, and accepted events do
/// not pile up into a backlog of seconds. Refusing is for when the lag will not come down in time.
///
/// | The lag of the request's endpoints | What happens |
/// |---|---|
/// | ≤ `target` | stored and answered at once |
/// | over `target`, comes back under it within `limit` | held until then, then stored and answered |
/// | over `limit`, or still over `target` after `limit` | 503 `overloaded`, Retry-After, nothing stored |
///
/// Held requests are woken one at a time as attempts finish (``progress()``), oldest first, and
/// look at the lag again; ``tick(now:)`` ends the holds that have reached `limit`.
final class IngestAdmission: Sendable {
    enum Decision: Sendable, Equatable {
        /// Go on; `held` is how long the request waited (zero: not held).
        case admitted(held: Duration)
        /// Refuse: deliveries lag by this much.
        case refused(lag: Duration)
    }

    /// Hold requests while their deliveries lag more than this.
    let target: Duration
    /// Refuse requests whose deliveries lag more than this, or that were held this long.
    let limit: Duration

    private struct Held {
        var since: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, Never>
        /// The request's lag, read again before it is woken.
        var lag: @Sendable () -> Duration
    }

    private let held = Mutex<Deque<Held>>([])
    /// Set when the workers stop: nothing will wake a held request any more.
    private let closed = Atomic<Bool>(false)

    init(target: Duration, limit: Duration) {
        self.target = target
        self.limit = max(target, limit)
    }

    /// Waits until the request may go on, or until it must be refused. `lag` is read again after
    /// every wake-up: the longest any of the request's endpoints has kept a delivery waiting.
    func admit(lag: @escaping @Sendable () -> Duration) async -> Decision {
        var current = lag()
        if current <= target { return .admitted(held: .zero) }
        if current > limit || closed.load(ordering: .relaxed) { return .refused(lag: current) }
        let since = ContinuousClock.now
        var first = true
        while true {
            let again = !first
            await withCheckedContinuation { continuation in
                let queued = held.withLock { queue -> Bool in
                    guard !closed.load(ordering: .relaxed) else { return false }
                    // Woken but still behind: back to the front, keeping its turn.
                    if again { queue.prepend(Held(since: since, continuation: continuation, lag: lag)) }
                    else { queue.append(Held(since: since, continuation: continuation, lag: lag)) }
                    return true
                }
                if !queued { continuation.resume() }
            }
            first = false
            current = lag()
            let waited = since.duration(to: .now)
            if current <= target { return .admitted(held: waited) }
            if current > limit || waited >= limit || closed.load(ordering: .relaxed) { return .refused(lag: current) }
        }
    }

    /// An attempt finished: the oldest held request goes on if its lag is back under the target.
    /// (Its lag is read here, before it is woken: waking every held request for every finished
    /// attempt only for it to wait again cost a task switch a delivery with 256 senders waiting.)
    func progress() {
        guard let lag = held.withLock({ $0.first?.lag }), lag() <= target else { return }
        held.withLock { $0.popFirst() }?.continuation.resume()
    }

    /// Wakes the held requests that have waited `limit` (they are refused), and the oldest one
    /// (its lag may have fallen without an attempt finishing: a waiting delivery gave up its turn).
    func tick(now: ContinuousClock.Instant = .now) {
        let woken = held.withLock { queue -> [Held] in
            var woken: [Held] = []
            if let first = queue.popFirst() { woken.append(first) }
            var kept = Deque<Held>()
            while let next = queue.popFirst() {
                if next.since.duration(to: now) >= limit { woken.append(next) } else { kept.append(next) }
            }
            queue = kept
            return woken
        }
        for request in woken { request.continuation.resume() }
    }

    /// Requests held now.
    var holding: Int { held.withLock { $0.count } }

    /// Nothing will wake held requests any more (the workers stopped): each is refused, and so is
    /// any request that would be held from now on.
    func close() {
        let all = held.withLock { queue -> Deque<Held> in
            closed.store(true, ordering: .relaxed)
            defer { queue.removeAll() }
            return queue
        }
        for request in all { request.continuation.resume() }
    }
}
