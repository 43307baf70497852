import Foundation
import HeraldStore
import Testing

@Suite struct OutboxClaimTests {
    @Test func claimTakesDueDeliveriesOldestFirstUpToTheLimit() async throws {
        try await withOutbox { outbox, _ in
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

    @Test func aClaimedDeliveryCarriesWhatTheWorkerNeeds() async throws {
        try await withOutbox { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1", receivedAt: at(-2), dueAt: at(-1), expiresAt: at(600))])

            let claimed = try #require(try await outbox.claim(limit: 1, now: t0, lease: .seconds(30), owner: "w1").first)

            #expect(claimed == ClaimedDelivery(
                id: "evt-1/card-fraud-check", eventID: "evt-1", rule: "card-fraud-check", element: nil,
                channels: ["whatsapp", "sms"], message: bytes(#"{"text":"card-fraud-check"}"#),
                channelIndex: 0, attemptsOnChannel: 0, totalAttempts: 0, createdAt: at(-2), dueAt: at(-1),
                expiresAt: at(600)))
            #expect(claimed.currentChannel == "whatsapp")
        }
    }

    @Test func aLeaseKeepsOthersOutUntilItExpires() async throws {
        try await withOutbox { outbox, _ in
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

    @Test func anExpiredLeaseStillCountsWhileNobodyElseClaimed() async throws {
        try await withOutbox { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            let id = "evt-1/card-fraud-check"
            _ = try await outbox.claim(limit: 1, now: at(0), lease: .seconds(5), owner: "slow")

            let next = NextStep.delivered(channel: "whatsapp", providerID: "wamid.1")
            #expect(try await outbox.record(attempt(id, startedAt: at(1), outcome: "delivered"), next: next, owner: "slow"))
            #expect(try await outbox.delivery(id)?.status == .delivered)
        }
    }

    @Test func recordIsRefusedForUnknownUnclaimedOrFinishedDeliveries() async throws {
        try await withOutbox { outbox, _ in
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

    @Test func aZeroLimitClaimsNothing() async throws {
        try await withOutbox { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            #expect(try await outbox.claim(limit: 0, now: t0, lease: .seconds(30), owner: "w1").isEmpty)
            #expect(try await outbox.claim(limit: 1, now: t0, lease: .seconds(30), owner: "w1").count == 1)
        }
    }
}
