import Foundation
import HeraldStore
import Testing

/// Statuses, replies, the latest question to a recipient, pacing counts and opt-outs.
@Suite struct OutboxConversationTests {
    /// e1/card-fraud-check delivered over WhatsApp as wamid.A to +919876543210 at t0+1 s.
    static func delivered(_ outbox: Outbox, event: String = "e1", rule: String = "card-fraud-check", wamid: String = "wamid.A",
                          at time: Date = at(1), priority: Int = 1) async throws {
        let id = "\(event)/\(rule)"
        _ = try await outbox.accept([Acceptance(event: NewEvent(id: event, receivedAt: t0, body: bytes("{}"), matchedRules: [rule]),
                                                deliveries: [NewDelivery(id: id, rule: rule, channels: ["whatsapp"], message: bytes("{}"),
                                                                         dueAt: t0, priority: priority, recipient: "+919876543210")])])
        _ = try await outbox.claim(limit: 10, now: time, lease: .seconds(60), owner: "w")
        _ = try await outbox.record(attempt(id, startedAt: time, outcome: "delivered", providerID: wamid, errorCode: nil, errorMessage: nil),
                                    next: .delivered(channel: "whatsapp", providerID: wamid), owner: "w")
    }

    /// Forward only: sent < delivered < read; failed over sent.
    static let forward: @Sendable (String?, String) -> Bool = { current, new in
        let rank = ["sent": 1, "delivered": 2, "read": 3, "failed": 2]
        guard let current else { return true }
        return (rank[new] ?? 0) > (rank[current] ?? 0)
    }

    @Test(arguments: StoreKind.allCases) func statusesMoveForwardOnceEach(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await Self.delivered(outbox)
            func status(_ name: String, _ second: Int) -> StatusRecord {
                StatusRecord(providerID: "wamid.A", status: name, at: at(second), receivedAt: at(second + 1))
            }
            #expect(try await outbox.record(status: status("delivered", 5), shouldApply: Self.forward) == .applied(deliveryID: "e1/card-fraud-check", previous: nil))
            #expect(try await outbox.record(status: status("read", 9), shouldApply: Self.forward) == .applied(deliveryID: "e1/card-fraud-check", previous: "delivered"))
            #expect(try await outbox.record(status: status("sent", 3), shouldApply: Self.forward) == .ignored(deliveryID: "e1/card-fraud-check", current: "read"))
            #expect(try await outbox.record(status: status("read", 9), shouldApply: Self.forward) == .duplicate(deliveryID: "e1/card-fraud-check"))
            #expect(try await outbox.record(status: StatusRecord(providerID: "wamid.X", status: "read", at: t0, receivedAt: t0), shouldApply: Self.forward) == .unknownMessage)
            let history = try await outbox.statuses(deliveryID: "e1/card-fraud-check")
            #expect(history.map(\.status) == ["delivered", "read", "sent"] && history.map(\.applied) == [true, true, false])
            #expect(try await outbox.event(id: "e1")?.deliveries.first?.providerStatus == "read")
            #expect(try await outbox.delivery(providerID: "wamid.A")?.id == "e1/card-fraud-check")
        }
    }

    @Test(arguments: StoreKind.allCases) func aReplyIsStoredOnceAndTheLatestQuestionFound(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await Self.delivered(outbox, event: "e1", at: at(1))
            try await Self.delivered(outbox, event: "e2", wamid: "wamid.B", at: at(20))
            try await Self.delivered(outbox, event: "e3", rule: "flight-delay", wamid: "wamid.C", at: at(30))
            let question = try await outbox.latestQuestion(to: "+919876543210", rules: ["card-fraud-check"], since: t0)
            #expect(question?.id == "e2/card-fraud-check", "the latest delivered question, not the later notice")
            #expect(try await outbox.latestQuestion(to: "+919876543210", rules: ["card-fraud-check"], since: at(25)) == nil, "too old")
            let reply = ReplyRecord(providerMessageID: "SM1", deliveryID: question?.id, channel: "sms", from: "+919876543210",
                                    kind: "keyword", button: "block", text: "NAO", receivedAt: at(40), callbackDeliveryID: "e2/card-fraud-check/reply/SM1")
            #expect(try await outbox.record(reply: reply))
            #expect(try await outbox.record(reply: reply) == false, "the provider's retry of the same webhook")
            #expect(try await outbox.replies(deliveryID: "e2/card-fraud-check") == [reply])
        }
    }

    @Test(arguments: StoreKind.allCases) func pacingCountsOnlyNonUrgentDeliveredMessagesInTheWindow(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await Self.delivered(outbox, event: "e1", at: at(1))
            try await Self.delivered(outbox, event: "e2", wamid: "wamid.B", at: at(100))
            try await Self.delivered(outbox, event: "e3", wamid: "wamid.C", at: at(200), priority: 0)
            #expect(try await outbox.deliveredTimes(to: "+919876543210", since: at(50)).count == 1)
            #expect(try await outbox.deliveredTimes(to: "+919876543210", since: t0).count == 2)
        }
    }

    @Test(arguments: StoreKind.allCases) func optOutsAreAddedListedAndRemoved(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await outbox.suppress(Suppression(address: "+5511912345678", category: "marketing", reason: "replied SAIR", createdAt: at(1)))
            try await outbox.suppress(Suppression(address: "+5511912345678", category: "service", reason: "replied SAIR", createdAt: at(1)))
            try await outbox.suppress(Suppression(address: "+919876543210", category: "marketing", reason: "WhatsApp opt-out", createdAt: at(2)))
            #expect(try await outbox.suppressions(address: "+5511912345678").map(\.category) == ["marketing", "service"])
            #expect(try await outbox.suppressions().count == 3)
            #expect(try await outbox.unsuppress(address: "+5511912345678", category: "service") == 1)
            #expect(try await outbox.unsuppress(address: "+5511912345678", category: nil) == 1)
            #expect(try await outbox.suppressions().map(\.address) == ["+919876543210"])
        }
    }

    /// Twilio's callback names the delivery: a status that outruns the send's answer still lands.
    @Test(arguments: StoreKind.allCases) func aStatusWithItsDeliveryIDIsRecordedBeforeTheProviderIDIsKnown(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([Acceptance(event: NewEvent(id: "e9", receivedAt: t0, body: bytes("{}"), matchedRules: ["r"]),
                                                    deliveries: [NewDelivery(id: "e9/r", rule: "r", channels: ["sms"], message: bytes("{}"), dueAt: t0)])])
            let early = StatusRecord(providerID: "SM123", status: "sent", at: at(1), receivedAt: at(1))
            #expect(try await outbox.record(status: early, shouldApply: Self.forward) == .unknownMessage)
            #expect(try await outbox.record(status: early, deliveryID: "e9/r", shouldApply: Self.forward) == .applied(deliveryID: "e9/r", previous: nil))
            #expect(try await outbox.statuses(deliveryID: "e9/r").map(\.status) == ["sent"])
        }
    }
}
