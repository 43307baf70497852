import Foundation
import HeraldStore
import Testing

/// Schema v2: suppressed deliveries, business-key de-duplication, urgent-first claims.
@Suite struct OutboxProtectionTests {
    static func delivery(_ event: String, rule: String = "card-fraud-check", key: String? = nil, window: Duration = .seconds(86_400),
                         priority: Int = 1, suppressed: String? = nil, due: Date = t0) -> NewDelivery {
        NewDelivery(id: "\(event)/\(rule)", rule: rule, channels: ["whatsapp"], message: bytes("{}"), dueAt: due,
                    priority: priority, recipient: "+919876543210", suppressedReason: suppressed,
                    dedupe: key.map { NewDelivery.Dedupe(key: $0, window: window) })
    }

    static func accept(_ outbox: Outbox, _ event: String, at date: Date = t0, _ deliveries: [NewDelivery]) async throws -> [AcceptResult] {
        try await outbox.accept([Acceptance(event: NewEvent(id: event, receivedAt: date, body: bytes("{}"), matchedRules: deliveries.map(\.rule)),
                                            deliveries: deliveries)])
    }

    @Test(arguments: StoreKind.allCases) func theSameBusinessKeyWithinTheWindowIsStoredSuppressedNotSent(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await Self.accept(outbox, "e1", [Self.delivery("e1", key: "txn-42", window: .seconds(3600))])
            _ = try await Self.accept(outbox, "e2", at: at(600), [Self.delivery("e2", key: "txn-42", window: .seconds(3600), due: at(600))])
            _ = try await Self.accept(outbox, "e3", at: at(600), [Self.delivery("e3", key: "txn-43", due: at(600))])
            // After the window the key is free again.
            _ = try await Self.accept(outbox, "e4", at: at(3601), [Self.delivery("e4", key: "txn-42", window: .seconds(3600), due: at(3601))])

            let second = try #require(try await outbox.event(id: "e2")?.deliveries.first)
            #expect(second.status == .suppressed)
            #expect(second.deadReason?.contains("duplicate of event 'e1'") == true)
            let claimed = try await outbox.claim(limit: 10, now: at(4000), lease: .seconds(60), owner: "w")
            #expect(Set(claimed.map(\.eventID)) == ["e1", "e3", "e4"])
        }
    }

    @Test(arguments: StoreKind.allCases) func anOptedOutDeliveryIsKeptAsSuppressedWithItsReason(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await Self.accept(outbox, "e1", [Self.delivery("e1", suppressed: "recipient opted out of marketing (STOP, 2026-11-01)")])
            let record = try #require(try await outbox.event(id: "e1")?.deliveries.first)
            #expect(record.status == .suppressed && record.deadReason?.hasPrefix("recipient opted out") == true)
            #expect(record.recipient == "+919876543210")
            #expect(try await outbox.claim(limit: 10, now: at(10), lease: .seconds(60), owner: "w").isEmpty)
            #expect(try await outbox.deliveries(status: .suppressed, limit: 10).map(\.id) == ["e1/card-fraud-check"])
        }
    }

    @Test(arguments: StoreKind.allCases) func urgentDeliveriesAreClaimedAheadOfEarlierBulkOnes(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            let bulk = (0..<5).map { Self.delivery("delay", rule: "notice-\($0)", due: at($0)) }
            _ = try await Self.accept(outbox, "delay", bulk)
            _ = try await Self.accept(outbox, "fraud", at: at(30), [Self.delivery("fraud", priority: 0, due: at(30))])
            let first = try await outbox.claim(limit: 2, now: at(31), lease: .seconds(60), owner: "w")
            #expect(first.map(\.id) == ["fraud/card-fraud-check", "delay/notice-0"])
        }
    }

    @Test(arguments: StoreKind.allCases) func aRecipientWhoOptedOutOfTheCategoryIsSuppressedInTheAcceptItself(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await outbox.suppress(Suppression(address: "+919876543210", category: "marketing", reason: "replied STOP", createdAt: t0))
            var offer = Self.delivery("e1", rule: "offer")
            offer.optOutCategory = "marketing"
            var notice = Self.delivery("e2", rule: "notice")
            notice.optOutCategory = "service"
            _ = try await Self.accept(outbox, "e1", [offer])
            _ = try await Self.accept(outbox, "e2", [notice])
            let suppressed = try #require(try await outbox.event(id: "e1")?.deliveries.first)
            #expect(suppressed.status == .suppressed && suppressed.deadReason == "recipient opted out of marketing messages: replied STOP")
            #expect(try await outbox.event(id: "e2")?.deliveries.first?.status == .pending, "opted out of marketing only")
        }
    }
}
