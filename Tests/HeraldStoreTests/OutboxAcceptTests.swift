import Foundation
import HeraldStore
import Testing

@Suite struct OutboxAcceptTests {
    @Test(arguments: StoreKind.allCases) func anAcceptedEventReadsBackWithItsDeliveries(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            // Twelve elements: planned order (0, 1, 2, …, 11) is not id order ("/10" < "/2").
            let deliveries = (0..<12).map { element in
                NewDelivery(
                    id: "evt-1/flight-delay/\(element)", rule: "flight-delay", element: element,
                    channels: ["whatsapp", "sms"], message: bytes(#"{"seat":\#(element)}"#),
                    dueAt: at(element), expiresAt: at(3600))
            }
            let event = NewEvent(
                id: "evt-1", receivedAt: at(-1), body: bytes(#"{"detail":{"flight":"GA 404"}}"#),
                matchedRules: ["flight-delay", "audit"], idempotencyKey: "key-1")
            let results = try await outbox.accept([Acceptance(event: event, deliveries: deliveries)])
            #expect(results == [.accepted])

            let stored = try #require(try await outbox.event(id: "evt-1"))
            #expect(stored.id == "evt-1")
            #expect(stored.receivedAt == at(-1))
            #expect(stored.body == event.body)
            #expect(stored.matchedRules == ["flight-delay", "audit"])
            #expect(stored.idempotencyKey == "key-1")
            #expect(stored.deliveries.map(\.id) == deliveries.map(\.id))
            let third = stored.deliveries[2]
            #expect(third.eventID == "evt-1")
            #expect(third.rule == "flight-delay")
            #expect(third.element == 2)
            #expect(third.channels == ["whatsapp", "sms"])
            #expect(third.message == bytes(#"{"seat":2}"#))
            #expect(third.status == .pending)
            #expect(third.channelIndex == 0)
            #expect(third.currentChannel == "whatsapp")
            #expect(third.attemptsOnChannel == 0)
            #expect(third.totalAttempts == 0)
            #expect(third.dueAt == at(2))
            #expect(third.expiresAt == at(3600))
            #expect(third.createdAt == at(-1))
            #expect(third.updatedAt == at(-1))
            #expect(third.providerID == nil && third.deliveredChannel == nil)
            #expect(third.lastError == nil && third.deadReason == nil)
            #expect(third.attempts.isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases) func anUnknownEventIsNil(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let missing = try await outbox.event(id: "evt-missing")
            #expect(missing == nil)
        }
    }

    @Test(arguments: StoreKind.allCases) func emptyBodiesAndMessagesAndNoDeliveriesAreStoredAsSuch(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let empty = Acceptance(
                event: NewEvent(id: "evt-empty", receivedAt: t0, body: [], matchedRules: []),
                deliveries: [NewDelivery(id: "evt-empty/r", rule: "r", channels: ["sms"], message: [], dueAt: t0)])
            let none = Acceptance(
                event: NewEvent(id: "evt-none", receivedAt: t0, body: bytes("{}"), matchedRules: []),
                deliveries: [])
            #expect(try await outbox.accept([empty, none]) == [.accepted, .accepted])
            let stored = try #require(try await outbox.event(id: "evt-empty"))
            #expect(stored.body == [])
            #expect(stored.matchedRules == [])
            #expect(stored.deliveries.map(\.message) == [[]])
            #expect(try await outbox.event(id: "evt-none")?.deliveries.isEmpty == true)
        }
    }

    @Test(arguments: StoreKind.allCases) func anEventWithAStoredIDIsADuplicateAndStoresNothing(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1", receivedAt: at(0), rules: ["a", "b"])])
            var again = acceptance("evt-1", receivedAt: at(60), rules: ["a", "b", "c"])
            again.event.body = bytes(#"{"second":true}"#)

            let results = try await outbox.accept([again])

            #expect(results == [.duplicate(of: "evt-1", firstReceivedAt: at(0), deliveries: 2)])
            let stored = try #require(try await outbox.event(id: "evt-1"))
            #expect(stored.body == bytes(#"{"id":"evt-1"}"#))
            #expect(stored.deliveries.map(\.id) == ["evt-1/a", "evt-1/b"])
        }
    }

    @Test(arguments: StoreKind.allCases) func anEventWithAStoredIdempotencyKeyIsADuplicateOfTheFirst(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1", key: "order-77", receivedAt: at(0))])

            let results = try await outbox.accept([acceptance("evt-2", key: "order-77", receivedAt: at(5))])

            #expect(results == [.duplicate(of: "evt-1", firstReceivedAt: at(0), deliveries: 1)])
            #expect(try await outbox.event(id: "evt-2") == nil)
            #expect(try await outbox.deliveries(status: nil, limit: 10).map(\.id) == ["evt-1/card-fraud-check"])
        }
    }

    @Test(arguments: StoreKind.allCases) func eventsWithoutAKeyAreNotDuplicatesOfEachOther(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let results = try await outbox.accept([acceptance("evt-1"), acceptance("evt-2")])
            #expect(results == [.accepted, .accepted])
        }
    }

    @Test(arguments: StoreKind.allCases) func aBatchWithADuplicateStoresTheOthers(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-2", receivedAt: at(-30))])

            let results = try await outbox.accept([
                acceptance("evt-1"), acceptance("evt-2"), acceptance("evt-3", key: "k"),
                acceptance("evt-4", key: "k"), acceptance("evt-1"),
            ])

            #expect(results == [
                .accepted,
                .duplicate(of: "evt-2", firstReceivedAt: at(-30), deliveries: 1),
                .accepted,
                .duplicate(of: "evt-3", firstReceivedAt: t0, deliveries: 1),
                .duplicate(of: "evt-1", firstReceivedAt: t0, deliveries: 1),
            ])
            #expect(try await outbox.deliveries(status: nil, limit: 10).map(\.eventID) == ["evt-1", "evt-2", "evt-3"])
        }
    }

    @Test(arguments: StoreKind.allCases) func aBatchThatCannotBeStoredStoresNothingAndSaysWhichEvent(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([acceptance("evt-1")])
            // A new event whose delivery id is already taken by evt-1's.
            var clash = acceptance("evt-2")
            clash.deliveries[0].id = "evt-1/card-fraud-check"

            let error = await #expect(throws: OutboxError.self) {
                try await outbox.accept([acceptance("evt-0"), clash])
            }

            #expect(error?.code == .database)
            #expect(error?.description.contains("evt-2") == true)
            #expect(try await outbox.event(id: "evt-0") == nil)
            #expect(try await outbox.event(id: "evt-2") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases) func aDeliveryWithNoChannelIsRefused(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let error = await #expect(throws: OutboxError.self) {
                try await outbox.accept([acceptance("evt-1", channels: [])])
            }
            #expect(error?.code == .invalidInput)
            #expect(error?.description.contains("evt-1/card-fraud-check has no channel") == true)
            #expect(error?.description.contains(outbox.location) == true)
            let stored = try await outbox.event(id: "evt-1")
            #expect(stored == nil)
        }
    }

    @Test(arguments: StoreKind.allCases) func anEmptyBatchIsNoTransaction(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let results = try await outbox.accept([])
            #expect(results == [])
            #expect(await outbox.acceptStatistics() == AcceptStatistics())
        }
    }
}
