import Foundation
import HeraldStore
import HeraldTestSupport
import Testing

/// `herald migrate --from sqlite:PATH`, run as a real process: a single node's outbox copied into
/// a throwaway PostgreSQL database named by herald.yaml.
@Suite struct MigrateCommandTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    /// A folder with `outbox.db` (two events: one delivered, one pending; an opt-out; a dedupe key)
    /// and a herald.yaml whose store is `store`.
    static func folder(store: String) async throws -> URL {
        let folder = try HeraldProcess.temporaryFolder()
        let outbox = try SQLiteStore(path: folder.appendingPathComponent("outbox.db").path)
        func acceptance(_ id: String, key: String? = nil) -> Acceptance {
            Acceptance(event: NewEvent(id: id, receivedAt: t0, body: Array(#"{"id":"\#(id)"}"#.utf8), matchedRules: ["card-fraud-check"]),
                       deliveries: [NewDelivery(id: "\(id)/card-fraud-check", rule: "card-fraud-check", channels: ["whatsapp"],
                                                message: Array("{}".utf8), dueAt: t0, recipient: "+919876543210",
                                                dedupe: key.map { NewDelivery.Dedupe(key: $0, window: .seconds(3600)) })])
        }
        _ = try await outbox.accept([acceptance("evt-1", key: "txn-1"), acceptance("evt-2")])
        let claimed = try await outbox.claim(limit: 1, now: t0, lease: .seconds(60), owner: "box")
        for delivery in claimed {
            let attempt = AttemptRecord(deliveryID: delivery.id, channel: "whatsapp", number: 1, startedAt: t0, duration: .milliseconds(90),
                                        outcome: "delivered", providerID: "wamid.1", node: "box")
            #expect(try await outbox.record(attempt, next: .delivered(channel: "whatsapp", providerID: "wamid.1"), lease: delivery.lease))
        }
        try await outbox.suppress(Suppression(address: "+911111111111", category: "marketing", reason: "replied STOP", createdAt: t0))
        try outbox.close()
        try """
            endpoints:
              ops: {kind: webhook, url: "https://ops.example/herald"}
            store: \(store)
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func copiesTheOutboxAndCopiesNothingTheSecondTime() async throws {
        let server = try TestPostgres.shared()
        let url = server.url(database: try server.freshDatabase())
        let folder = try await Self.folder(store: url)
        defer { try? FileManager.default.removeItem(at: folder) }

        let first = try HeraldProcess.run(["migrate", "--from", "sqlite:outbox.db", "--config", "herald.yaml"], in: folder)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.lines == [
            "copied sqlite:outbox.db into \(url)",
            "  events:       2 copied, 0 already present",
            "  deliveries:   2 copied (1 pending, 1 delivered), 0 already present",
            "  attempts:     1 copied, 0 already present",
            "  statuses:     0 copied, 0 already present",
            "  replies:      0 copied, 0 already present",
            "  opt-outs:     1 copied, 0 already present",
            "  dedupe keys:  1 copied, 0 already present",
        ])

        let second = try HeraldProcess.run(["migrate", "--from", "sqlite:outbox.db", "--config", "herald.yaml"], in: folder)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.lines.dropFirst().prefix(3) == [
            "  events:       0 copied, 2 already present",
            "  deliveries:   0 copied, 2 already present",
            "  attempts:     0 copied, 1 already present",
        ])
        #expect(second.lines.last == "  dedupe keys:  0 copied, 1 already present")
    }

    @Test func refusesWhatItCannotCopy() async throws {
        let server = try TestPostgres.shared()
        let folder = try await Self.folder(store: server.url(database: try server.freshDatabase()))
        defer { try? FileManager.default.removeItem(at: folder) }

        let missing = try HeraldProcess.run(["migrate", "--from", "sqlite:gone.db", "--config", "herald.yaml"], in: folder)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("gone.db: opening the outbox to copy failed (cannot open): there is no such file"), "\(missing.stderr)")
        #expect(missing.stderr.contains("give the path of the single node's outbox file"))
        #expect(missing.stdout.isEmpty)

        let notSQLite = try HeraldProcess.run(["migrate", "--from", "herald.yaml", "--config", "herald.yaml"], in: folder)
        #expect(notSQLite.status == 1)
        #expect(notSQLite.stderr.contains("--from 'herald.yaml' is not an SQLite outbox: write '--from sqlite:PATH'"), "\(notSQLite.stderr)")

        let notAnOutbox = try HeraldProcess.run(["migrate", "--from", "sqlite:herald.yaml", "--config", "herald.yaml"], in: folder)
        #expect(notAnOutbox.status == 1)
        #expect(notAnOutbox.stderr.contains("it cannot be read as an SQLite database"), "\(notAnOutbox.stderr)")

        try """
            endpoints:
              ops: {kind: webhook, url: "https://ops.example/herald"}
            store: sqlite:other.db
            """.write(to: folder.appendingPathComponent("single.yaml"), atomically: true, encoding: .utf8)
        let notPostgres = try HeraldProcess.run(["migrate", "--from", "sqlite:outbox.db", "--config", "single.yaml"], in: folder)
        #expect(notPostgres.status == 1)
        #expect(notPostgres.stderr.contains("'store: sqlite:other.db' is not PostgreSQL"), "\(notPostgres.stderr)")
        #expect(notPostgres.stderr.contains("set 'store: postgresql://USER@HOST:PORT/DB'"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("other.db").path), "nothing created")
    }
}
