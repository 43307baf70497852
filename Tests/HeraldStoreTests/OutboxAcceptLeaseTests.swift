import Foundation
import HeraldStore
import Testing

/// Deliveries leased in the accept's own transaction (``Outbox/accept(_:leasing:)``), and the
/// group commit of the writes every delivery makes.
@Suite struct OutboxAcceptLeaseTests {
    @Test(arguments: StoreKind.allCases) func acceptLeasesDueDeliveriesUpToTheLimitAndClaimsSkipThem(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let (results, leased) = try await outbox.accept(
                [acceptance("evt-1", rules: ["a", "b"]), acceptance("evt-2", rules: ["c"])],
                leasing: AcceptLease(owner: "w1", until: at(30), limit: 2))
            #expect(results == [.accepted, .accepted])
            #expect(leased.map(\.id) == ["evt-1/a", "evt-1/b"])
            // What the worker gets is what a claim would have given it.
            #expect(leased[0] == ClaimedDelivery(
                id: "evt-1/a", eventID: "evt-1", rule: "a", element: nil, channels: ["whatsapp", "sms"],
                message: bytes(#"{"text":"a"}"#), channelIndex: 0, attemptsOnChannel: 0, totalAttempts: 0,
                createdAt: t0, dueAt: t0, expiresAt: nil, lease: Lease(owner: "w1", token: 1, until: at(30))))

            // Only the one left over is claimable, until the lease runs out.
            #expect(try await outbox.claim(limit: 10, now: at(1), lease: .seconds(30), owner: "w2").map(\.id) == ["evt-2/c"])
            #expect(try await outbox.claim(limit: 10, now: at(30), lease: .seconds(30), owner: "w3").map(\.id) == ["evt-1/a", "evt-1/b"])
        }
    }

    @Test(arguments: StoreKind.allCases) func theLeaseHolderRecordsItsAttempt(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let leased = try await outbox.accept([acceptance("evt-1")], leasing: AcceptLease(owner: "w1", until: at(30), limit: 5)).leased
            let delivery = try #require(leased.first)
            #expect(try await outbox.record(attempt(delivery.id, outcome: "delivered", errorCode: nil, errorMessage: nil),
                                            next: .delivered(channel: "whatsapp", providerID: "wamid.1"), owner: "someone-else") == false)
            #expect(try await outbox.record(attempt(delivery.id, outcome: "delivered", errorCode: nil, errorMessage: nil),
                                            next: .delivered(channel: "whatsapp", providerID: "wamid.1"), owner: "w1"))
            #expect(try await outbox.delivery(delivery.id)?.status == .delivered)
        }
    }

    @Test(arguments: StoreKind.allCases) func suppressedLaterAndDuplicateDeliveriesAreNeverLeased(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            var optedOut = acceptance("evt-2", rules: ["optout"])
            optedOut.deliveries[0].suppressedReason = "recipient opted out"
            let (results, leased) = try await outbox.accept(
                [acceptance("evt-1"), optedOut, acceptance("evt-3", dueAt: at(60))],
                leasing: AcceptLease(owner: "w1", until: at(30), limit: 10))
            #expect(results.count == 3)
            #expect(results.first != .accepted)
            #expect(leased.isEmpty)
            #expect(try await outbox.claim(limit: 10, now: at(60), lease: .seconds(30), owner: "w2").map(\.id)
                == ["evt-1/card-fraud-check", "evt-3/card-fraud-check"])
        }
    }

    @Test(arguments: StoreKind.allCases) func concurrentRecordsAllLandAndALostLeaseFailsOnlyItsOwn(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept((0..<40).map { acceptance("evt-\($0)") })
            let claimed = try await outbox.claim(limit: 40, now: t0, lease: .seconds(30), owner: "w1")
            #expect(claimed.count == 40)
            let kept = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for (index, delivery) in claimed.enumerated() {
                    group.addTask {
                        let owner = index % 8 == 0 ? "not-the-holder" : "w1"
                        let kept = try await outbox.record(
                            attempt(delivery.id, outcome: "delivered", errorCode: nil, errorMessage: nil),
                            next: .delivered(channel: "whatsapp", providerID: "wamid.\(index)"), owner: owner)
                        return (delivery.id, kept)
                    }
                }
                return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
            }
            // One accept, one claim and 40 records, the records sharing transactions.
            let statistics = await outbox.groupCommitStatistics()
            #expect(statistics.writes == 42)
            #expect(statistics.transactions >= 3)
            #expect(statistics.transactions < 42)
            for (index, delivery) in claimed.enumerated() {
                let holder = index % 8 != 0
                #expect(kept[delivery.id] == holder, "\(delivery.id)")
                let stored = try await outbox.delivery(delivery.id)
                #expect(stored?.status == (holder ? .delivered : .pending), "\(delivery.id)")
                // A refused record stores nothing, not even the attempt.
                #expect(stored?.attempts.count == (holder ? 1 : 0), "\(delivery.id)")
            }
        }
    }
}

/// The WAL is copied back into the database file beside the writer, not in its commits.
@Suite struct OutboxCheckpointTests {
    @Test func commitsGetCheckpointedLongBeforeTheWritersOwnThreshold() async throws {
        try await withSQLite { outbox, folder in
            let file = folder.path("outbox.sqlite")
            func size(_ path: String) -> Int {
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
            }
            let padding = String(repeating: "x", count: 2_000)
            for batch in 0..<20 {
                _ = try await outbox.accept((0..<50).map { index in
                    var event = acceptance("evt-\(batch)-\(index)")
                    event.event.body = bytes(#"{"pad":"\#(padding)"}"#)
                    return event
                })
            }
            let written = size(file + "-wal")
            // About 2 MB went into the WAL (and, if a checkpoint ran meanwhile, partly on into the
            // file): far below the writer's own threshold of 16,000 pages.
            #expect(written + size(file) > 1_000_000)
            #expect(written < 4_096 * 16_000)
            // A commit after the checkpoint interval kicks a checkpoint that copies it all.
            try await Task.sleep(for: .milliseconds(300))
            _ = try await outbox.accept([acceptance("evt-last")])
            var copied = size(file)
            for _ in 0..<100 where copied < 1_000_000 {
                try await Task.sleep(for: .milliseconds(50))
                copied = size(file)
            }
            #expect(copied > 1_000_000, "the database file holds \(copied) bytes")
            #expect(try await outbox.event(id: "evt-19-49") != nil)
        }
    }
}
