import Foundation
import Synchronization

/// The outbox's count of pending deliveries, for ingest's `max_pending` check without a query per
/// request: read at most every `maxAge`, and by one request at a time — the others use the last
/// count meanwhile.
///
/// Counting pending deliveries reads every one of them. When each of 64 concurrent requests
/// counted a backlog of 40,000 at once (every request that found the count stale read it again),
/// the counting took half the CPU, and the backlog it was measuring grew because of it.
final class PendingCount: Sendable {
    private let cache = Mutex<(at: Date, pending: Int)>((.distantPast, 0))
    private let refreshing = Atomic<Bool>(false)
    let maxAge: TimeInterval

    init(maxAge: TimeInterval = 0.1) {
        self.maxAge = maxAge
    }

    /// The count, read with `read` when the last one is older than `maxAge` and no other caller is
    /// reading it already.
    func current(now: Date, read: () async throws -> Int) async throws -> Int {
        let (cached, fresh) = cache.withLock { ($0.pending, $0.at.distance(to: now) < maxAge) }
        guard !fresh, refreshing.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return cached }
        defer { refreshing.store(false, ordering: .releasing) }
        let pending = try await read()
        cache.withLock { $0 = (now, pending) }
        return pending
    }
}
