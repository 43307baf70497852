import Foundation
import HeraldStore
import HeraldTestSupport
import Testing

/// `herald migrate --from`: a single node's SQLite outbox copied into PostgreSQL, read back through
/// the PostgreSQL store's own ``Outbox`` API.
@Suite struct OutboxImportTests {
    static let customer = "+919876543210"
    static let optedOut = "+911111111111"
    static let box = "box-1"
    static let events = ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]

    static func delivery(_ event: String, _ rule: String, element: Int? = nil, channels: [String] = ["whatsapp", "sms"],
                         due: Date = t0, expires: Date? = nil, priority: Int = 1, recipient: String = customer,
                         key: String? = nil, category: String? = nil) -> NewDelivery {
        NewDelivery(id: "\(event)/\(rule)", rule: rule, element: element, channels: channels, message: bytes(#"{"rule":"\#(rule)"}"#),
                    dueAt: due, expiresAt: expires, priority: priority, recipient: recipient,
                    dedupe: key.map { NewDelivery.Dedupe(key: $0, window: .seconds(86_400)) }, optOutCategory: category)
    }

    static func event(_ id: String, key: String? = nil, at time: Date = t0, _ deliveries: [NewDelivery]) -> Acceptance {
        Acceptance(event: NewEvent(id: id, receivedAt: time, body: bytes(#"{"id":"\#(id)","amount":1200}"#),
                                   matchedRules: deliveries.map(\.rule), idempotencyKey: key),
                   deliveries: deliveries)
    }

    static func attempt(_ claimed: ClaimedDelivery, _ outcome: String, at time: Date, providerID: String? = nil,
                        error: (String, String)? = nil) -> AttemptRecord {
        AttemptRecord(deliveryID: claimed.id, channel: claimed.currentChannel ?? "?", number: claimed.attemptsOnChannel + 1,
                      startedAt: time, duration: .milliseconds(180), outcome: outcome, providerID: providerID,
                      errorCode: error?.0, errorMessage: error?.1, node: box)
    }

    /// One of each thing an outbox keeps, through the store's public API:
    /// - e1: two deliveries planned "zeta" before "alpha"; zeta failed over WhatsApp, then went by SMS,
    ///   with provider statuses and a reply; alpha delivered at once and holds dedupe key txn-1.
    /// - e2: suppressed by an opt-out; e3: suppressed as a duplicate of e1's key.
    /// - e4: dead; e5: expired; e6: pending, due later; e7: pending and leased when the box stopped.
    /// - a reply tied to no delivery, two opt-outs, the dedupe key.
    static func fill(_ source: SQLiteStore) async throws {
        try await source.suppress(Suppression(address: optedOut, category: "marketing", reason: "replied STOP", createdAt: at(-100)))
        try await source.suppress(Suppression(address: customer, category: "offers", reason: "asked the branch", createdAt: at(-50)))
        let results = try await source.accept([
            event("e1", key: "idem-1", [
                delivery("e1", "zeta", element: 0, expires: at(7200), priority: 0),
                delivery("e1", "alpha", element: 1, channels: ["whatsapp"], key: "txn-1"),
            ]),
            event("e2", [delivery("e2", "offer", recipient: optedOut, category: "marketing")]),
            event("e3", at: at(1), [delivery("e3", "alpha", due: at(1), key: "txn-1")]),
            event("e4", [delivery("e4", "notice", channels: ["webhook"])]),
            event("e5", [delivery("e5", "boarding", expires: at(2))]),
            event("e6", [delivery("e6", "reminder", due: at(3600))]),
            event("e7", [delivery("e7", "otp", priority: 0)]),
        ])
        #expect(results == Array(repeating: .accepted, count: 7))

        var claimed = Dictionary(uniqueKeysWithValues: try await source.claim(limit: 10, now: at(2), lease: .seconds(60), owner: box)
            .map { ($0.id, $0) })
        #expect(Set(claimed.keys) == ["e1/zeta", "e1/alpha", "e4/notice", "e5/boarding", "e7/otp"])
        let zeta = try #require(claimed["e1/zeta"])
        #expect(try await source.record(attempt(zeta, "retryable", at: at(2), error: ("503", "Service Unavailable")),
                                        next: .nextChannel(index: 1, at: at(5)), lease: zeta.lease))
        let alpha = try #require(claimed["e1/alpha"])
        #expect(try await source.record(attempt(alpha, "delivered", at: at(2), providerID: "wamid.A"),
                                        next: .delivered(channel: "whatsapp", providerID: "wamid.A"), lease: alpha.lease))
        let notice = try #require(claimed["e4/notice"])
        #expect(try await source.record(attempt(notice, "permanent", at: at(2), error: ("400", "Bad Request")),
                                        next: .dead(reason: "webhook answered 400"), lease: notice.lease))
        let boarding = try #require(claimed["e5/boarding"])
        #expect(try await source.record(attempt(boarding, "skipped", at: at(3)), next: .expired(reason: "the gate closed"),
                                        lease: boarding.lease))

        claimed = Dictionary(uniqueKeysWithValues: try await source.claim(limit: 10, now: at(6), lease: .seconds(60), owner: box)
            .map { ($0.id, $0) })
        let sms = try #require(claimed["e1/zeta"])
        #expect(sms.lease.token == 2 && sms.channelIndex == 1)
        #expect(try await source.record(attempt(sms, "delivered", at: at(6), providerID: "SM1"),
                                        next: .delivered(channel: "sms", providerID: "SM1"), lease: sms.lease))

        let forward: @Sendable (String?, String) -> Bool = { current, new in current != "delivered" || new == "read" }
        for (name, second) in [("sent", 7), ("delivered", 8)] {
            _ = try await source.record(status: StatusRecord(providerID: "SM1", status: name, at: at(second), receivedAt: at(second + 1)),
                                        shouldApply: forward)
        }
        _ = try await source.record(status: StatusRecord(providerID: "wamid.A", status: "failed", at: at(9), receivedAt: at(9),
                                                         errorCode: "131026", errorMessage: "undeliverable"), shouldApply: { _, _ in false })
        #expect(try await source.record(reply: ReplyRecord(
            providerMessageID: "SMr1", deliveryID: "e1/zeta", channel: "sms", from: customer, kind: "keyword", button: "block",
            text: "BLOCK", receivedAt: at(20), callbackDeliveryID: "e1/zeta/reply/SMr1")))
        #expect(try await source.record(reply: ReplyRecord(
            providerMessageID: "wamid.orphan", deliveryID: nil, channel: "whatsapp", from: optedOut, kind: "free_text",
            text: "who is this?", receivedAt: at(21))))
        #expect(try await source.delivery(id: "e7/otp")?.lease?.owner == box, "e7 was in flight when the box stopped")
    }

    /// What ``fill(_:)`` stores: events, deliveries, attempts, statuses, replies, opt-outs, dedupe keys.
    static let everything = [7, 8, 5, 3, 2, 2, 1]

    /// A summary's tallies in the order of ``everything``.
    static func tallies(_ summary: ImportSummary) -> [ImportTally] {
        [summary.events, summary.deliveries, summary.attempts, summary.statuses, summary.replies, summary.optOuts, summary.dedupeKeys]
    }

    /// Runs `body` with a new SQLite outbox and a fresh PostgreSQL database.
    static func withSourceAndTarget(_ body: (SQLiteStore, PostgresStore) async throws -> Void) async throws {
        try await withSQLite { source, _ in
            try await withOutbox(.postgres) { outbox, _ in
                try await body(source, try #require(outbox as? PostgresStore))
            }
            try source.close()
        }
    }

    /// Everything `target` shows through ``Outbox`` equals what `source` shows, but for the leases.
    static func expectSameContents(_ source: SQLiteStore, _ target: PostgresStore) async throws {
        for id in events {
            var expected = try #require(try await source.event(id: id))
            for index in expected.deliveries.indices { expected.deliveries[index].lease = nil }
            let copied = try #require(try await target.event(id: id))
            #expect(copied == expected, "event \(id)")
            for delivery in expected.deliveries {
                #expect(try await target.statuses(deliveryID: delivery.id) == (try await source.statuses(deliveryID: delivery.id)))
                #expect(try await target.replies(deliveryID: delivery.id) == (try await source.replies(deliveryID: delivery.id)))
                #expect(try await target.delivery(id: delivery.id) == expected.deliveries.first { $0.id == delivery.id })
            }
        }
        #expect(try await target.event(id: "e1")?.deliveries.map(\.id) == ["e1/zeta", "e1/alpha"], "planned order, not id order")
        #expect(try await target.suppressions() == (try await source.suppressions()))
        #expect(try await target.delivery(providerID: "SM1")?.id == "e1/zeta")
        let depth = try await target.depth(now: at(10))
        #expect(depth == (try await source.depth(now: at(10))))
    }

    @Test func everythingIsCopiedAndReadsBackFieldByField() async throws {
        try await Self.withSourceAndTarget { source, target in
            try await Self.fill(source)
            var pages = 0
            let summary = try await target.importOutbox(from: source, pageSize: 3) { _ in pages += 1 }
            #expect(pages == 3, "7 events in pages of 3")
            #expect(Self.tallies(summary) == Self.everything.map { ImportTally(copied: $0, skipped: 0) })
            #expect(summary.deliveriesByStatus == [.delivered: 2, .suppressed: 2, .dead: 1, .expired: 1, .pending: 2])

            try await Self.expectSameContents(source, target)
            let suppressed = try #require(try await target.delivery(id: "e3/alpha"))
            #expect(suppressed.status == .suppressed && suppressed.deadReason?.contains("duplicate of event 'e1'") == true)
            #expect(try await target.event(id: "e4")?.deliveries.first?.deadReason == "webhook answered 400")
            #expect(try await target.delivery(id: "e7/otp")?.lease == nil, "leases are not copied")
            // Attempts keep the node and the fencing token they were made under (not shown by Outbox).
            let tokens = try TestPostgres.shared().psql(
                "SELECT string_agg(delivery_id || ':' || node || ':' || lease_token, ',' ORDER BY id) FROM attempts",
                database: target.configuration.database)
            #expect(tokens.trimmingCharacters(in: .whitespacesAndNewlines)
                == "e1/zeta:box-1:1,e1/zeta:box-1:2,e1/alpha:box-1:1,e4/notice:box-1:1,e5/boarding:box-1:1")
        }
    }

    @Test func aSecondImportCopiesNothing() async throws {
        try await Self.withSourceAndTarget { source, target in
            try await Self.fill(source)
            _ = try await target.importOutbox(from: source)
            let again = try await target.importOutbox(from: source)
            #expect(Self.tallies(again) == Self.everything.map { ImportTally(copied: 0, skipped: $0) })
            #expect(again.deliveriesByStatus.isEmpty)
            try await Self.expectSameContents(source, target)
        }
    }

    @Test func anImportAfterAnInterruptedOneCopiesTheRestOnce() async throws {
        try await Self.withSourceAndTarget { source, target in
            try await Self.fill(source)
            // The first page committed, then the process died.
            let first = try await target.importEvents(try await source.exportEvents(after: nil, limit: 2))
            #expect(first.events == ImportTally(copied: 2, skipped: 0) && first.attempts.copied == 3)
            let rest = try await target.importOutbox(from: source, pageSize: 2)
            #expect(rest.events == ImportTally(copied: 5, skipped: 2))
            #expect(rest.attempts == ImportTally(copied: 2, skipped: 3))
            try await Self.expectSameContents(source, target)
        }
    }

    @Test func copiedDeliveriesWorkOnThePostgreSQLStore() async throws {
        try await Self.withSourceAndTarget { source, target in
            try await Self.fill(source)
            _ = try await target.importOutbox(from: source)

            // e7 was leased on the old box: it is free here, and its fencing token keeps growing.
            let claimed = try await target.claim(limit: 10, now: at(3600), lease: .seconds(60), owner: "cluster-a")
            #expect(claimed.map(\.id) == ["e7/otp", "e6/reminder"])
            let otp = try #require(claimed.first)
            #expect(otp.lease.token == 2 && otp.priority == 0 && otp.recipient == Self.customer)
            #expect(try await target.record(Self.attempt(otp, "delivered", at: at(3600), providerID: "wamid.O"),
                                            next: .delivered(channel: "whatsapp", providerID: "wamid.O"), lease: otp.lease))
            let delivered = try #require(try await target.delivery(id: "e7/otp"))
            #expect(delivered.status == .delivered && delivered.attempts.count == 1 && delivered.lease == nil)

            // The dedupe key and the opt-outs came along.
            let results = try await target.accept([
                Self.event("e8", at: at(100), [Self.delivery("e8", "alpha", due: at(100), key: "txn-1")]),
                Self.event("e9", at: at(100), [Self.delivery("e9", "offer", due: at(100), recipient: Self.optedOut, category: "marketing")]),
                Self.event("e1-again", key: "idem-1", at: at(100), [Self.delivery("e1-again", "zeta")]),
            ])
            #expect(results[0] == .accepted && results[1] == .accepted)
            #expect(results[2] == .duplicate(of: "e1", firstReceivedAt: t0, deliveries: 2), "the idempotency key came along")
            let duplicate = try #require(try await target.delivery(id: "e8/alpha"))
            #expect(duplicate.status == .suppressed && duplicate.deadReason?.contains("duplicate of event 'e1'") == true)
            let optedOut = try #require(try await target.delivery(id: "e9/offer"))
            #expect(optedOut.status == .suppressed && optedOut.deadReason == "recipient opted out of marketing messages: replied STOP")
            // A dead delivery can be requeued where it landed.
            #expect(try await target.requeue(deliveryID: "e4/notice", now: at(4000)))
        }
    }

    @Test func aDeliveryIdHeldByAnotherEventStopsThePageAndNamesIt() async throws {
        try await Self.withSourceAndTarget { source, target in
            try await Self.fill(source)
            _ = try await target.accept([Self.event("other", [NewDelivery(id: "e4/notice", rule: "notice", channels: ["webhook"],
                                                                          message: bytes("{}"), dueAt: t0)])])
            let error = await #expect(throws: OutboxError.self) {
                _ = try await target.importOutbox(from: source, pageSize: 10)
            }
            #expect(error?.code == .invalidInput)
            #expect(error?.reason?.contains("delivery 'e4/notice' of event 'e4' is already stored under another event") == true)
            #expect(try await target.event(id: "e1") == nil, "the page is one transaction")
        }
    }

    @Test func openingSomethingThatIsNotAnOutboxIsRefusedWithoutTouchingIt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        func refusal(_ path: String) -> String? {
            do {
                _ = try SQLiteStore.openExisting(path: path)
                return nil
            } catch {
                #expect(error.code == .cannotOpen)
                return error.reason
            }
        }
        #expect(refusal(folder.path("missing.sqlite")) == "there is no such file")
        #expect(!FileManager.default.fileExists(atPath: folder.path("missing.sqlite")))
        #expect(refusal(folder.url.path) == "it is a folder, not an SQLite file")

        try Data("rules: rules\n".utf8).write(to: folder.url.appendingPathComponent("herald.yaml"))
        #expect(refusal(folder.path("herald.yaml")) == "it cannot be read as an SQLite database")

        // An empty file is an SQLite database with no tables: not an outbox, and left empty.
        try Data().write(to: folder.url.appendingPathComponent("empty.db"))
        #expect(refusal(folder.path("empty.db"))?.contains("not a Herald outbox") == true)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.path("empty.db"))[.size] as? Int == 0)
    }
}
