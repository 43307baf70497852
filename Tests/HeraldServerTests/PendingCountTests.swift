import Foundation
import Synchronization
import Testing

@testable import HeraldServer

/// The pending count behind `max_pending`: however many requests find it stale at once, one reads
/// it; the others go on with the last count.
@Suite struct PendingCountTests {
    final class Reads: Sendable {
        let count = Atomic<Int>(0)
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
    }

    @Test func manyConcurrentRequestsReadTheCountOnce() async throws {
        let pending = PendingCount(maxAge: 0.1)
        let reads = Reads()
        let now = Date()
        // The first reader is held inside its read while 49 more requests ask.
        let first = Task {
            try await pending.current(now: now) {
                reads.count.add(1, ordering: .relaxed)
                await withCheckedContinuation { continuation in reads.gate.withLock { $0 = continuation } }
                return 40_000
            }
        }
        while reads.gate.withLock({ $0 == nil }) { await Task.yield() }
        var others: [Int] = []
        for _ in 0..<49 {
            others.append(try await pending.current(now: now) {
                reads.count.add(1, ordering: .relaxed)
                return 40_000
            })
        }
        reads.gate.withLock { $0?.resume() }
        #expect(try await first.value == 40_000)
        #expect(reads.count.load(ordering: .relaxed) == 1)
        #expect(others == Array(repeating: 0, count: 49), "the last count known (none yet)")
        // Fresh for 100 ms, then read again.
        #expect(try await pending.current(now: now.addingTimeInterval(0.05)) { 1 } == 40_000)
        #expect(try await pending.current(now: now.addingTimeInterval(0.2)) { 7 } == 7)
    }
}
