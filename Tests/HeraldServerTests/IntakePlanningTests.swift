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

    /// Plans the sample event `file` (after `edit`) as `herald serve`'s intake does, with a real
    /// outbox in a temporary folder; returns what the outbox would store.
    static func deliveries(file: String, edit: (String) -> String = { $0 }) throws -> (deliveries: [NewDelivery], event: JSONValue) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-intake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outbox = try SQLiteStore(path: folder.appendingPathComponent("herald.db").path)
        defer { try? outbox.close() }
        let text = edit(try String(contentsOf: root.appendingPathComponent("samples/events/\(file)"), encoding: .utf8))
        let batch = try #require(Ingest.parse(text).batch)
        let planned = EventIntake(outbox: outbox).plan(batch, planner: try planner(), idempotencyKey: nil, now: acceptedAt)
        return (planned.acceptances.flatMap(\.deliveries), try Ingest.json(text))
    }

    @Test(arguments: ["card-fraud-in.json", "card-fraud-pt.json", "cash-withdrawal-id.json", "flight-delay.json", "flight-cancelled.json"])
    func eachStoredDeliveryAgreesWithTheDryRun(file: String) throws {
        let (deliveries, event) = try Self.deliveries(file: file)
        let report = DryRunReport.json(event: file, plan: try Self.planner().plan(event, now: Self.acceptedAt))
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
        let stored = try Self.deliveries(file: "card-fraud-in.json") {
            $0.replacingOccurrences(of: "\"+919876543210\"", with: "\"+91 (98765) 43210\"")
        }
        let delivery = try #require(stored.deliveries.first)
        #expect(delivery.priority == DeliveryTerms.Priority.urgent.rawValue)
        #expect(delivery.expiresAt == Self.acceptedAt.addingTimeInterval(15 * 60))
        #expect(delivery.recipient == "+919876543210")
        #expect(delivery.dedupe == NewDelivery.Dedupe(key: "card-fraud-check\u{1F}+919876543210\u{1F}\"txn-IN-20250314-004218\"", window: .seconds(86_400)))
        #expect(delivery.optOutCategory == nil)
        #expect(delivery.dueAt == Self.acceptedAt)
    }
}
