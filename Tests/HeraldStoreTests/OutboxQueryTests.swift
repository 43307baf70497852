import Foundation
import HeraldStore
import Testing

@Suite struct OutboxQueryTests {
    /// Accepts `count` events `evt-NN` with one delivery each, and kills those `dead` picks.
    func fill(_ outbox: Outbox, count: Int, dead: (Int) -> Bool) async throws {
        _ = try await outbox.accept((0..<count).map { acceptance(String(format: "evt-%02d", $0)) })
        let claimed = try await outbox.claim(limit: count, now: t0, lease: .seconds(60), owner: "w1")
        #expect(claimed.count == count)
        for delivery in claimed {
            let number = Int(delivery.eventID.dropFirst(4)) ?? -1
            let next: NextStep = dead(number) ? .dead(reason: "gave up") : .retry(at: at(60))
            #expect(try await outbox.record(attempt(delivery.id), next: next, owner: "w1"))
        }
    }

    @Test(arguments: StoreKind.allCases) func deadDeliveriesPageByCursorInIDOrder(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await fill(outbox, count: 12, dead: { $0 % 3 != 0 })  // 8 dead, 4 pending
            var seen: [String] = []
            var cursor: String?
            var pages: [Int] = []
            while true {
                let page = try await outbox.deliveries(status: .dead, limit: 3, after: cursor)
                guard let last = page.last else { break }
                #expect(page.allSatisfy { $0.status == .dead && $0.deadReason == "gave up" && $0.attempts.count == 1 })
                pages.append(page.count)
                seen += page.map(\.id)
                cursor = last.id
            }
            #expect(pages == [3, 3, 2])
            let expected = (0..<12).filter { $0 % 3 != 0 }.map { String(format: "evt-%02d/card-fraud-check", $0) }
            #expect(seen == expected)
        }
    }

    @Test(arguments: StoreKind.allCases) func deliveriesWithoutAStatusListEveryOne(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            try await fill(outbox, count: 5, dead: { $0 == 2 })
            #expect(try await outbox.deliveries(status: nil, limit: 10).count == 5)
            #expect(try await outbox.deliveries(status: .pending, limit: 10).count == 4)
            #expect(try await outbox.deliveries(status: .pending, limit: 10, after: "evt-02/card-fraud-check").map(\.eventID) == ["evt-03", "evt-04"])
            #expect(try await outbox.deliveries(status: .delivered, limit: 10).isEmpty)
            #expect(try await outbox.deliveries(status: nil, limit: 0).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases) func depthCountsPendingDueAndDead(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            #expect(try await outbox.depth(now: t0) == OutboxDepth(pending: 0, due: 0, dead: 0, oldestPendingDueAt: nil, lag: .zero))

            _ = try await outbox.accept([
                acceptance("evt-1", dueAt: at(-90)), acceptance("evt-2", dueAt: at(-30)),
                acceptance("evt-3", dueAt: at(30)), acceptance("evt-4", dueAt: at(-10)),
            ])
            _ = try await outbox.claim(limit: 1, now: t0, lease: .seconds(60), owner: "w1")
            #expect(try await outbox.record(attempt("evt-1/card-fraud-check"), next: .dead(reason: "expired"), owner: "w1"))

            #expect(try await outbox.depth(now: t0) == OutboxDepth(
                pending: 3, due: 2, dead: 1, oldestPendingDueAt: at(-30), lag: .seconds(30)))
            // Only future work: nothing is late.
            #expect(try await outbox.depth(now: at(-60)) == OutboxDepth(
                pending: 3, due: 0, dead: 1, oldestPendingDueAt: at(-30), lag: .zero))
        }
    }

    @Test(arguments: StoreKind.allCases) func pruneRemovesOnlyEventsWhollyDeliveredBeforeTheDate(store: StoreKind) async throws {
        try await withOutbox(store) { outbox, _ in
            _ = try await outbox.accept([
                acceptance("evt-old", key: "k-old", receivedAt: at(-100), rules: ["a", "b"], dueAt: at(-100)),
                acceptance("evt-recent", receivedAt: at(-100), dueAt: at(-100)),
                acceptance("evt-pending", receivedAt: at(-100), dueAt: at(-100)),
                acceptance("evt-half-dead", receivedAt: at(-100), rules: ["a", "b"], dueAt: at(-100)),
            ])
            let claimed = try await outbox.claim(limit: 10, now: at(-100), lease: .seconds(600), owner: "w1")
            #expect(claimed.count == 6)
            for delivery in claimed {
                let startedAt = delivery.eventID == "evt-recent" ? at(10) : at(-50)
                let next: NextStep = switch delivery.id {
                case "evt-pending/card-fraud-check": .retry(at: at(100))
                case "evt-half-dead/b": .dead(reason: "gave up")
                default: .delivered(channel: "whatsapp", providerID: "wamid")
                }
                #expect(try await outbox.record(attempt(delivery.id, startedAt: startedAt), next: next, owner: "w1"))
            }

            #expect(try await outbox.prune(deliveredBefore: t0, limit: 100) == 1)

            #expect(try await outbox.event(id: "evt-old") == nil)
            for kept in ["evt-recent", "evt-pending", "evt-half-dead"] {
                #expect(try await outbox.event(id: kept) != nil, "\(kept)")
            }
            let remaining = try await outbox.deliveries(status: nil, limit: 10).map(\.eventID)
            #expect(!remaining.contains("evt-old"))
            // Once pruned, the event's id and key are free again.
            #expect(try await outbox.accept([acceptance("evt-old", key: "k-old")]) == [.accepted])
            #expect(try await outbox.event(id: "evt-old")?.deliveries.first?.attempts.isEmpty == true)
        }
    }
}
