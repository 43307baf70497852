import Foundation
import HeraldStore
import Testing

@Suite struct OutboxGroupCommitTests {
    @Test(arguments: StoreKind.allCases) func concurrentCallersShareTransactions(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let callers = 200
            let results = try await withThrowingTaskGroup(of: (Int, [AcceptResult]).self) { group in
                for caller in 0..<callers {
                    group.addTask { (caller, try await outbox.accept([acceptance("evt-\(caller)")])) }
                }
                return try await group.reduce(into: [Int: [AcceptResult]]()) { $0[$1.0] = $1.1 }
            }

            #expect(results.count == callers)
            #expect(results.values.allSatisfy { $0 == [.accepted] })
            let statistics = await outbox.acceptStatistics()
            #expect(statistics.callers == callers)
            #expect(statistics.acceptances == callers)
            #expect(statistics.transactions < callers)
            #expect(statistics.transactions >= 1)
            #expect(try await outbox.depth(now: t0).pending == callers)
            for caller in [0, 99, 199] {
                #expect(try await outbox.event(id: "evt-\(caller)")?.deliveries.count == 1)
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func aFailingCallerDoesNotFailTheOthersInItsTransaction(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for caller in 0..<40 {
                    group.addTask {
                        // Every tenth caller plans a delivery with no channel.
                        let batch = [acceptance("evt-\(caller)", channels: caller % 10 == 0 ? [] : ["sms"])]
                        do {
                            _ = try await outbox.accept(batch)
                            return (caller, true)
                        } catch {
                            return (caller, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }

            for caller in 0..<40 {
                #expect(outcomes[caller] == (caller % 10 != 0), "caller \(caller)")
                let stored = try await outbox.event(id: "evt-\(caller)") != nil
                #expect(stored == (caller % 10 != 0), "caller \(caller)")
            }
            #expect(await outbox.acceptStatistics().callers == 36)
        }
    }

    @Test(arguments: StoreKind.allCases) func aGroupIsNoLargerThanTheConfiguredSize(store: StoreKind) async throws {
        try await withOutbox(store, configuration: .init(maxGroupSize: 1)) { outbox, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<30 {
                    group.addTask { _ = try await outbox.accept([acceptance("evt-\(caller)")]) }
                }
                try await group.waitForAll()
            }
            let statistics = await outbox.acceptStatistics()
            #expect(statistics.transactions == 30)
            #expect(statistics.callers == 30)
        }
    }

    @Test(arguments: StoreKind.allCases) func aBatchLargerThanTheGroupSizeGoesInWhole(store: StoreKind) async throws {
        try await withOutbox(store, configuration: .init(maxGroupSize: 2)) { outbox, _ in
            let batch = (0..<5).map { acceptance("evt-\($0)") }
            let results = try await outbox.accept(batch)
            #expect(results == Array(repeating: .accepted, count: 5))
            #expect(await outbox.acceptStatistics() == AcceptStatistics(transactions: 1, callers: 1, acceptances: 5))
        }
    }
}
