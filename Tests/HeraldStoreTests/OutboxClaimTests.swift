import Foundation
import HeraldStore
import Testing

@Suite struct OutboxClaimTests {
    @Test(arguments: StoreKind.allCases) func claimTakesDueDeliveriesOldestFirstUpToTheLimit(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([
                acceptance("evt-b", dueAt: at(0)),
                acceptance("evt-later", dueAt: at(10)),
                acceptance("evt-a", dueAt: at(0)),
                acceptance("evt-early", dueAt: at(-5)),
                acceptance("evt-much-later", dueAt: at(20)),
            ])

            let first = try await outbox.claim(limit: 2, now: at(0), lease: .seconds(60), owner: "w1")
            #expect(first.map(\.id) == ["evt-early/card-fraud-check", "evt-a/card-fraud-check"])

            let second = try await outbox.claim(limit: 10, now: at(0), lease: .seconds(60), owner: "w2")
            #expect(second.map(\.id) == ["evt-b/card-fraud-check"])

            // Nothing else is due yet, and the leased ones are not handed out again.
            #expect(try await outbox.claim(limit: 10, now: at(0), lease: .seconds(60), owner: "w3").isEmpty)
            let third = try await outbox.claim(limit: 10, now: at(10), lease: .seconds(60), owner: "w3")
            #expect(third.map(\.id) == ["evt-later/card-fraud-check"])
        }
    }

    @Test(arguments: StoreKind.allCases) func aClaimedDeliveryCarriesWhatTheWorkerNeeds(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1", receivedAt: at(-2), dueAt: at(-1), expiresAt: at(600))])

            let claimed = try #require(try await outbox.claim(limit: 1, now: t0, lease: .seconds(30), owner: "w1").first)

            #expect(claimed == ClaimedDelivery(
                id: "evt-1/card-fraud-check", eventID: "evt-1", rule: "card-fraud-check", element: nil,
                channels: ["whatsapp", "sms"], message: bytes(#"{"text":"card-fraud-check"}"#),
                channelIndex: 0, attemptsOnChannel: 0, totalAttempts: 0, createdAt: at(-2), dueAt: at(-1),
                expiresAt: at(600), lease: Lease(owner: "w1", token: 1, until: at(30))))
            #expect(claimed.currentChannel == "whatsapp")
        }
    }

    @Test(arguments: StoreKind.allCases) func aLeaseTakenOverFencesOffTheOldHolderEvenWhenTheOwnerIsTheSame(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            let id = "evt-1/card-fraud-check"
            // The same node claims twice: its first lease ran out while its attempt hung.
            let first = try #require(try await outbox.claim(limit: 1, now: at(0), lease: .seconds(30), owner: "node-a").first)
            let second = try #require(try await outbox.claim(limit: 1, now: at(30), lease: .seconds(30), owner: "node-a").first)
            #expect(second.lease.token > first.lease.token)
            #expect(try await outbox.delivery(id: id)?.lease == second.lease)

            // The late record and postponement under the first token change nothing.
            #expect(try await outbox.record(attempt(id, startedAt: at(1), outcome: "delivered"),
                                            next: .delivered(channel: "whatsapp", providerID: "wamid.late"), lease: first.lease) == false)
            #expect(try await outbox.postpone(deliveryID: id, lease: first.lease, until: at(99), note: "late", now: at(31)) == false)
            #expect(try await outbox.delivery(id: id)?.status == .pending)
            #expect(try await outbox.delivery(id: id)?.attempts.isEmpty == true)

            // The current holder records, and its attempt carries its token's node.
            var current = attempt(id, startedAt: at(31), outcome: "delivered", errorCode: nil, errorMessage: nil)
            current.node = "node-a"
            #expect(try await outbox.record(current, next: .delivered(channel: "whatsapp", providerID: "wamid.2"), lease: second.lease))
            let record = try #require(try await outbox.delivery(id: id))
            #expect(record.status == .delivered && record.providerID == "wamid.2" && record.lease == nil)
            #expect(record.attempts.map(\.node) == ["node-a"])
        }
    }

    @Test(arguments: StoreKind.allCases) func heartbeatsListTheNodesSeenWithinTheWindow(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let first = try await outbox.heartbeat(node: "b", now: at(0), window: .seconds(5))
            let second = try await outbox.heartbeat(node: "a", now: at(3), window: .seconds(5))
            // b has not been seen for 6 s: it no longer counts.
            let third = try await outbox.heartbeat(node: "a", now: at(6), window: .seconds(5))
            #expect(first == ["b"])
            #expect(second == ["a", "b"])
            #expect(third == ["a"])
        }
    }

    @Test(arguments: StoreKind.allCases) func aLeaseKeepsOthersOutUntilItExpires(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            let id = "evt-1/card-fraud-check"

            #expect(try await outbox.claim(limit: 5, now: at(0), lease: .seconds(30), owner: "crashed").map(\.id) == [id])
            #expect(try await outbox.claim(limit: 5, now: at(29), lease: .seconds(30), owner: "w2").isEmpty)
            #expect(try await outbox.claim(limit: 5, now: at(30), lease: .seconds(30), owner: "w2").map(\.id) == [id])

            // The first worker comes back late: its lease is gone, so its attempt is not recorded.
            #expect(try await outbox.record(attempt(id, startedAt: at(1)), next: .retry(at: at(90)), owner: "crashed") == false)
            #expect(try await outbox.delivery(id)?.attempts.isEmpty == true)
            #expect(try await outbox.record(attempt(id, startedAt: at(31)), next: .retry(at: at(90)), owner: "w2"))
            #expect(try await outbox.delivery(id)?.attempts.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func anExpiredLeaseStillCountsWhileNobodyElseClaimed(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            let id = "evt-1/card-fraud-check"
            _ = try await outbox.claim(limit: 1, now: at(0), lease: .seconds(5), owner: "slow")

            let next = NextStep.delivered(channel: "whatsapp", providerID: "wamid.1")
            #expect(try await outbox.record(attempt(id, startedAt: at(1), outcome: "delivered"), next: next, owner: "slow"))
            #expect(try await outbox.delivery(id)?.status == .delivered)
        }
    }

    @Test(arguments: StoreKind.allCases) func recordIsRefusedForUnknownUnclaimedOrFinishedDeliveries(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            let id = "evt-1/card-fraud-check"

            #expect(try await outbox.record(attempt("evt-9/none"), next: .retry(at: at(5)), owner: "w1") == false)
            #expect(try await outbox.record(attempt(id), next: .retry(at: at(5)), owner: "w1") == false)

            _ = try await outbox.claim(limit: 1, now: t0, lease: .seconds(30), owner: "w1")
            #expect(try await outbox.record(attempt(id), next: .dead(reason: "invalid number"), owner: "w1"))
            #expect(try await outbox.record(attempt(id), next: .retry(at: at(5)), owner: "w1") == false)
            #expect(try await outbox.delivery(id)?.attempts.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func aZeroLimitClaimsNothing(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            #expect(try await outbox.claim(limit: 0, now: t0, lease: .seconds(30), owner: "w1").isEmpty)
            #expect(try await outbox.claim(limit: 1, now: t0, lease: .seconds(30), owner: "w1").count == 1)
        }
    }
}
