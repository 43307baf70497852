// Durable commits of the outbox: events accepted per second when N requests arrive at once and
// share transactions (group commit), with SQLite's synchronous NORMAL (survives a process crash)
// and FULL (an fsync per transaction: survives power loss). Each event is the sample fraud event
// (compact, about 500 bytes) with one delivery as `herald serve` stores it for the card-fraud rule: the
// planned message (840 bytes), urgent, expiring, with a dedupe key. Every event id is new, so
// every accept inserts (a repeated id would only be looked up as a duplicate and write nothing).
// The outbox is a real SQLite file in a fresh folder under the temporary directory, removed
// afterwards. Run with `swift package benchmark --target Outbox`.
//
// One iteration is one burst of N concurrent `accept` calls of one event each. Besides the burst's
// time, each benchmark reports per burst: the commits (transactions) the burst took, the events/s
// (N / the burst's time) and the time per commit (the burst's time / its commits); with FULL, the
// time per commit minus NORMAL's is what the fsync costs.

import Benchmark
import Foundation
import HeraldStore

struct OutboxBenchmarkError: Error, CustomStringConvertible {
    var description: String
}

/// The planned message as `MessagePlanner` stores it (`PlannedMessage.storedJSON`, compact).
let storedMessage = Array(#"{"v":1,"rule":"card-fraud-check","element":null,"recipient":{"address":"+919876543210","locale":"hi-IN","timezone":"Asia/Kolkata"},"locale":"hi","locale_fallback":"hi-IN → hi","formatting_locale":"hi-IN","channels":["whatsapp","sms"],"template":"card_fraud_check","params":[{"name":"merchant","value":"Croma Electronics"},{"name":"amount","value":{"money":48999.00,"currency":"INR"}},{"name":"last4","value":"4821"}],"text":"आपके कार्ड (अंतिम अंक 4821) से Croma Electronics पर ₹48,999.00 का भुगतान हुआ है। क्या यह भुगतान आपने किया था?","problems":[],"channel_problems":{},"buttons":[{"id":"confirm","title":"हाँ, मैंने किया"},{"id":"block","title":"नहीं, कार्ड रोकें"}]}"#.utf8)

/// samples/events/card-fraud-in.json, compact, with its own id and transaction id.
func eventBody(id: String, transaction: String) -> [UInt8] {
    Array(#"{"specversion":"1.0","id":"\#(id)","source":"urn:aurora-bank:cards:risk-engine","type":"bank.card.transaction.flagged","time":"2025-03-14T09:42:17Z","data":{"transaction_id":"\#(transaction)","customer":{"id":"cus-IN-7731-0452","phone":"+919876543210","locale":"hi-IN","timezone":"Asia/Kolkata"},"merchant":{"name":"Croma Electronics","city":"Mumbai","category_code":"5732"},"amount":48999.00,"currency":"INR","card":{"last4":"4821","network":"RuPay"},"risk_score":0.91,"country":"IN"}}"#.utf8)
}

/// What `EventIntake.plan` makes of the sample event with rules/bank.yaml's card-fraud rule
/// (urgent, `expires: 15m`, `dedupe: {key: $.data.transaction_id, window: 24h}`).
func acceptance(_ number: Int, run: String, now: Date) -> Acceptance {
    let id = "evt-\(run)-\(number)"
    let transaction = "txn-IN-20250314-\(run)-\(number)"
    return Acceptance(
        event: NewEvent(id: id, receivedAt: now, body: eventBody(id: id, transaction: transaction), matchedRules: ["card-fraud-check"]),
        deliveries: [NewDelivery(
            id: "\(id)/card-fraud-check", rule: "card-fraud-check", channels: ["whatsapp", "sms"], message: storedMessage,
            dueAt: now, expiresAt: now.addingTimeInterval(15 * 60), priority: 0, recipient: "+919876543210",
            dedupe: NewDelivery.Dedupe(key: "card-fraud-check:\(transaction)", window: .seconds(24 * 3600)))])
}

/// One benchmark's outbox, its folder and the next event number: event ids must never repeat,
/// across iterations (the closure runs once per iteration) and warm-up included.
final class OutboxState: @unchecked Sendable {
    let outbox: Outbox
    let folder: URL
    let run = String(UUID().uuidString.prefix(8))
    var next = 0

    init(synchronous: OutboxConfiguration.Synchronous) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(UUID().uuidString)")
        outbox = try Outbox(path: folder.appendingPathComponent("outbox.db").path,
                            configuration: OutboxConfiguration(synchronous: synchronous))
    }

    func take(_ count: Int) -> Range<Int> {
        defer { next += count }
        return next..<(next + count)
    }

    func remove() {
        try? outbox.close()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Holds the state from setup to teardown (teardown hooks get no argument).
final class StateBox: @unchecked Sendable {
    var state: OutboxState?
}

let commits = BenchmarkMetric.custom("Commits per burst", polarity: .prefersSmaller, useScalingFactor: false)
let eventsPerSecond = BenchmarkMetric.custom("Events/s", polarity: .prefersLarger, useScalingFactor: false)
let timePerCommit = BenchmarkMetric.custom("Time per commit (µs)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    for synchronous in [OutboxConfiguration.Synchronous.normal, .full] {
        for callers in [1, 16, 64] {
            let configuration = Benchmark.Configuration(
                metrics: [.wallClock, .throughput, .mallocCountTotal, commits, eventsPerSecond, timePerCommit],
                timeUnits: .microseconds, warmupIterations: 3,
                scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 2_000)
            let box = StateBox()
            Benchmark("Outbox: accept, \(callers) concurrent request\(callers == 1 ? "" : "s"), synchronous \(synchronous.rawValue)",
                      configuration: configuration, closure: { benchmark in
                guard let state = box.state else { throw OutboxBenchmarkError(description: "no outbox: setup did not run") }
                let outbox = state.outbox
                let numbers = state.take(callers)
                let now = Date()
                let acceptances = numbers.map { acceptance($0, run: state.run, now: now) }
                let before = await outbox.acceptStatistics()
                let clock = ContinuousClock()
                // One iteration: `callers` requests of one event each, all at once; timed from the
                // first call to the last commit.
                benchmark.startMeasurement()
                let start = clock.now
                let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for acceptance in acceptances {
                        group.addTask { try await outbox.accept([acceptance]) == [.accepted] }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                let elapsed = clock.now - start
                benchmark.stopMeasurement()
                let after = await outbox.acceptStatistics()
                guard accepted == callers else {
                    throw OutboxBenchmarkError(description: "\(callers - accepted) of \(callers) events were not stored (duplicates?)")
                }
                let transactions = after.transactions - before.transactions
                let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
                benchmark.measurement(commits, transactions)
                benchmark.measurement(eventsPerSecond, Int((Double(callers) * 1e9 / nanoseconds).rounded()))
                benchmark.measurement(timePerCommit, Int((nanoseconds / 1e3 / Double(max(1, transactions))).rounded()))
            }, setup: {
                box.state = try OutboxState(synchronous: synchronous)
            }, teardown: {
                box.state?.remove()
                box.state = nil
            })
        }
    }
}
