import Foundation
import HeraldStore
import Testing

@Suite struct OutboxTransitionTests {
    let id = "evt-1/card-fraud-check"

    /// Claims the delivery at `now` for `owner` and checks it was handed out.
    func claim(_ outbox: Outbox, at now: Date, owner: String = "w1") async throws -> ClaimedDelivery {
        try #require(try await outbox.claim(limit: 1, now: now, lease: .seconds(30), owner: owner).first)
    }

    @Test(arguments: StoreKind.allCases) func aRetryKeepsTheChannelAndCountsTheAttempt(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            _ = try await claim(outbox, at: at(0))

            #expect(try await outbox.record(attempt(id, startedAt: at(0)), next: .retry(at: at(20)), owner: "w1"))

            let delivery = try #require(try await outbox.delivery(id))
            #expect(delivery.status == .pending)
            #expect(delivery.channelIndex == 0 && delivery.currentChannel == "whatsapp")
            #expect(delivery.attemptsOnChannel == 1 && delivery.totalAttempts == 1)
            #expect(delivery.dueAt == at(20))
            #expect(delivery.updatedAt == at(0).addingTimeInterval(0.25))
            #expect(delivery.lastError == "503: Service Unavailable")
            // The lease is released: not due yet, then due for anyone.
            #expect(try await outbox.claim(limit: 1, now: at(19), lease: .seconds(30), owner: "w2").isEmpty)
            let again = try await claim(outbox, at: at(20), owner: "w2")
            #expect(again.attemptsOnChannel == 1 && again.totalAttempts == 1 && again.channelIndex == 0)
        }
    }

    @Test(arguments: StoreKind.allCases) func failingOverMovesToTheNextChannelAndDeliveringEndsIt(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            let attempts = [
                attempt(id, channel: "whatsapp", number: 1, startedAt: at(0), errorCode: "timeout", errorMessage: nil),
                attempt(id, channel: "whatsapp", number: 2, startedAt: at(10), outcome: "permanent", errorCode: "470", errorMessage: "outside window"),
                attempt(id, channel: "sms", number: 1, startedAt: at(11), outcome: "delivered", providerID: "SM123", errorCode: nil, errorMessage: nil),
            ]

            _ = try await claim(outbox, at: at(0))
            #expect(try await outbox.record(attempts[0], next: .retry(at: at(10)), owner: "w1"))
            _ = try await claim(outbox, at: at(10))
            #expect(try await outbox.record(attempts[1], next: .nextChannel(index: 1, at: at(11)), owner: "w1"))

            let failedOver = try #require(try await outbox.delivery(id))
            #expect(failedOver.channelIndex == 1 && failedOver.currentChannel == "sms")
            #expect(failedOver.attemptsOnChannel == 0 && failedOver.totalAttempts == 2)
            #expect(failedOver.dueAt == at(11))
            #expect(failedOver.lastError == "470: outside window")

            let claimed = try await claim(outbox, at: at(11))
            #expect(claimed.channelIndex == 1 && claimed.currentChannel == "sms" && claimed.attemptsOnChannel == 0)
            #expect(try await outbox.record(attempts[2], next: .delivered(channel: "sms", providerID: "SM123"), owner: "w1"))

            let delivered = try #require(try await outbox.delivery(id))
            #expect(delivered.status == .delivered)
            #expect(delivered.deliveredChannel == "sms" && delivered.providerID == "SM123")
            #expect(delivered.totalAttempts == 3 && delivered.attemptsOnChannel == 1)
            #expect(delivered.lastError == "470: outside window")
            #expect(delivered.attempts == attempts)
            #expect(try await outbox.claim(limit: 5, now: at(3600), lease: .seconds(30), owner: "w2").isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases) func aDeadDeliveryKeepsItsReasonUntilRequeued(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1", expiresAt: at(60))])
            _ = try await claim(outbox, at: at(0))
            #expect(try await outbox.record(attempt(id, startedAt: at(0)), next: .nextChannel(index: 1, at: at(1)), owner: "w1"))
            _ = try await claim(outbox, at: at(1))
            let last = attempt(id, channel: "sms", startedAt: at(1), outcome: "permanent", errorCode: "21211", errorMessage: "invalid number")
            #expect(try await outbox.record(last, next: .dead(reason: "permanent failure on sms"), owner: "w1"))

            let dead = try #require(try await outbox.delivery(id))
            #expect(dead.status == .dead)
            #expect(dead.deadReason == "permanent failure on sms")
            #expect(dead.lastError == "21211: invalid number")
            #expect(dead.totalAttempts == 2)
            #expect(try await outbox.claim(limit: 5, now: at(5), lease: .seconds(30), owner: "w2").isEmpty)
            #expect(try await outbox.depth(now: at(5)).dead == 1)

            #expect(try await outbox.requeue(deliveryID: id, now: at(100)))

            let requeued = try #require(try await outbox.delivery(id))
            #expect(requeued.status == .pending)
            #expect(requeued.dueAt == at(100) && requeued.updatedAt == at(100))
            #expect(requeued.channelIndex == 0 && requeued.attemptsOnChannel == 0 && requeued.totalAttempts == 0)
            #expect(requeued.deadReason == nil && requeued.expiresAt == nil)
            #expect(requeued.attempts.count == 2)
            #expect(try await outbox.depth(now: at(100)).dead == 0)
            #expect(try await claim(outbox, at: at(100), owner: "w2").channelIndex == 0)
        }
    }

    @Test(arguments: StoreKind.allCases) func onlyADeadDeliveryCanBeRequeued(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            #expect(try await outbox.requeue(deliveryID: id, now: t0) == false)
            #expect(try await outbox.requeue(deliveryID: "evt-9/none", now: t0) == false)
            #expect(try await outbox.delivery(id)?.status == .pending)
        }
    }

    @Test(arguments: StoreKind.allCases) func aChannelIndexPastTheChannelsIsRefusedAndNothingIsRecorded(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            _ = try await claim(outbox, at: at(0))

            let error = await #expect(throws: OutboxError.self) {
                try await outbox.record(attempt(id), next: .nextChannel(index: 2, at: at(1)), owner: "w1")
            }

            #expect(error?.code == .invalidInput)
            #expect(error?.description.contains("delivery \(id) has 2 channels") == true)
            let delivery = try #require(try await outbox.delivery(id))
            #expect(delivery.attempts.isEmpty && delivery.totalAttempts == 0)
            // The lease is still held: the worker can record a step that makes sense.
            #expect(try await outbox.record(attempt(id), next: .retry(at: at(5)), owner: "w1"))
        }
    }
}
