// Durable commits of the outbox: events accepted per second when N requests arrive at once and
// share transactions (group commit), with SQLite's synchronous NORMAL (survives a process crash)
// and FULL (an fsync per transaction: survives power loss). Each event carries one delivery of
// about 700 bytes, as the planner stores it. Run with `swift package benchmark --target Outbox`.

import Benchmark
import Foundation
import HeraldStore

let message = Array(String(repeating: "x", count: 700).utf8)

func acceptance(_ id: String) -> Acceptance {
    Acceptance(event: NewEvent(id: id, receivedAt: Date(), body: Array(#"{"id":"\#(id)","type":"bank.card.transaction.flagged"}"#.utf8),
                               matchedRules: ["card-fraud-check"]),
               deliveries: [NewDelivery(id: "\(id)/card-fraud-check", rule: "card-fraud-check", channels: ["whatsapp", "sms"],
                                        message: message, dueAt: Date(), recipient: "+919876543210")])
}

final class Counter: @unchecked Sendable {
    var next = 0
    func take(_ count: Int) -> Range<Int> {
        defer { next += count }
        return next..<(next + count)
    }
}

let benchmarks: @Sendable () -> Void = {
    for synchronous in [OutboxConfiguration.Synchronous.normal, .full] {
        for callers in [1, 16, 64] {
            let configuration = Benchmark.Configuration(
                metrics: [.throughput, .wallClock], timeUnits: .microseconds, warmupIterations: 3,
                scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 2_000)
            Benchmark("Outbox: accept, \(callers) concurrent request\(callers == 1 ? "" : "s"), synchronous \(synchronous.rawValue)",
                      configuration: configuration) { (benchmark: Benchmark, outbox: Outbox) async in
                let counter = Counter()
                for _ in benchmark.scaledIterations {
                    // One iteration: `callers` requests of one event each, all at once.
                    let ids = counter.take(callers)
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for id in ids {
                                group.addTask { _ = try await outbox.accept([acceptance("e\(id)")]) }
                            }
                            try await group.waitForAll()
                        }
                    } catch {
                        benchmark.error("accept failed: \(error)")
                    }
                }
            } setup: {
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(UUID().uuidString)")
                return try Outbox(path: folder.appendingPathComponent("outbox.db").path,
                                  configuration: OutboxConfiguration(synchronous: synchronous))
            }
        }
    }
}
