import Foundation
import HeraldConfig
import HeraldCore
import HeraldServer
import HeraldStore
import Testing

/// What `herald serve` stores for an event is what the planner decided and what `herald test --json`
/// shows: EventIntake only carries the planner's `DeliveryTerms` over to the outbox.
@Suite struct IntakePlanningTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let acceptedAt = Date(timeIntervalSince1970: 1_741_945_337)

    /// The sample gateway's planner, loaded from samples/herald.yaml and rules/ as `herald serve` loads it.
    static func planner() throws -> MessagePlanner {
        let load = try GatewayLoad.read(configFile: root.appendingPathComponent("samples/herald.yaml").path)
        let ruleSet = try #require(load.ruleSet, "\(load.diagnostics)")
        return MessagePlanner(ruleSet: ruleSet, endpoints: load.config?.endpoints ?? [])
    }

    static func intake() throws -> (EventIntake, Outbox, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-intake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outbox = try Outbox(path: folder.appendingPathComponent("herald.db").path)
        return (EventIntake(outbox: outbox), outbox, folder)
    }

    @Test(arguments: ["card-fraud-in.json", "card-fraud-pt.json", "cash-withdrawal-id.json", "flight-delay.json", "flight-cancelled.json"])
    func eachStoredDeliveryAgreesWithTheDryRun(file: String) throws {
        let planner = try Self.planner()
        let (intake, outbox, folder) = try Self.intake()
        defer {
            try? outbox.close()
            try? FileManager.default.removeItem(at: folder)
        }
        let text = try String(contentsOf: Self.root.appendingPathComponent("samples/events/\(file)"), encoding: .utf8)
        let batch = try #require(Ingest.parse(text).batch)
        let deliveries = intake.plan(batch, planner: planner, idempotencyKey: nil, now: Self.acceptedAt).acceptances.flatMap(\.deliveries)
        let report = DryRunReport.json(event: file, plan: planner.plan(try Ingest.json(text), now: Self.acceptedAt))
        guard case .array(let shown)? = report["messages"] else { Issue.record("no messages in \(report.compactJSON)"); return }
        #expect(!deliveries.isEmpty)
        #expect(deliveries.count == shown.count)
        for (delivery, message) in zip(deliveries, shown) {
            let terms = try #require(message["delivery"])
            #expect(delivery.recipient == terms["address"]?.stringValue)
            #expect(delivery.priority == (terms["urgent"] == true ? 0 : 1))
            #expect(delivery.expiresAt.map { .string(Instant.rfc3339($0)) } ?? .null == terms["expires_at"])
            #expect(delivery.dedupe?.key == terms["dedupe"]?["key"]?.stringValue)
            #expect(delivery.dedupe.map { Double($0.window.components.seconds) } == terms["dedupe"]?["window_seconds"]?.numberValue)
            #expect(delivery.optOutCategory == terms["opt_out_category"]?.stringValue)
        }
    }

    /// The fraud check: urgent, worthless after 15 minutes, once per transaction and phone number
    /// however the number is written, and sent after an opt-out (a `fraud` rule).
    @Test func theFraudCheckIsStoredUrgentExpiringAndDeduplicatedByTransaction() throws {
        let planner = try Self.planner()
        let (intake, outbox, folder) = try Self.intake()
        defer {
            try? outbox.close()
            try? FileManager.default.removeItem(at: folder)
        }
        let text = try String(contentsOf: Self.root.appendingPathComponent("samples/events/card-fraud-in.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"+919876543210\"", with: "\"+91 (98765) 43210\"")
        let batch = try #require(Ingest.parse(text).batch)
        let delivery = try #require(intake.plan(batch, planner: planner, idempotencyKey: nil, now: Self.acceptedAt).acceptances.first?.deliveries.first)
        #expect(delivery.priority == DeliveryTerms.Priority.urgent.rawValue)
        #expect(delivery.expiresAt == Self.acceptedAt.addingTimeInterval(15 * 60))
        #expect(delivery.recipient == "+919876543210")
        #expect(delivery.dedupe == NewDelivery.Dedupe(key: "card-fraud-check\u{1F}+919876543210\u{1F}\"txn-IN-20250314-004218\"", window: .seconds(86_400)))
        #expect(delivery.optOutCategory == nil)
        #expect(delivery.dueAt == Self.acceptedAt)
    }
}
