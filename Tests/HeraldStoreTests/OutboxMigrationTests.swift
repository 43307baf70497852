import Foundation
import HeraldStore
import Testing

/// A store written by the first release (schema v1) opens in this one: rebuilt deliveries keep
/// every row and attempt.
@Suite struct OutboxMigrationTests {
    /// Schema v1 exactly as the first release created it, with one event, a dead delivery and its attempt.
    static let v1 = """
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
        INSERT INTO grdb_migrations VALUES ('v1-events-deliveries-attempts');
        CREATE TABLE events (id TEXT NOT NULL PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL,
            matched_rules TEXT NOT NULL, idempotency_key TEXT) STRICT;
        CREATE UNIQUE INDEX events_idempotency_key ON events(idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE TABLE deliveries (id TEXT NOT NULL PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            rule TEXT NOT NULL, element INTEGER, channels TEXT NOT NULL, message BLOB NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
            channel_index INTEGER NOT NULL DEFAULT 0, attempts_on_channel INTEGER NOT NULL DEFAULT 0,
            total_attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, due_at INTEGER NOT NULL,
            expires_at INTEGER, updated_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER, provider_id TEXT,
            delivered_channel TEXT, last_error TEXT, dead_reason TEXT) STRICT;
        CREATE INDEX deliveries_claim ON deliveries(status, due_at, id);
        CREATE INDEX deliveries_status_id ON deliveries(status, id);
        CREATE INDEX deliveries_event ON deliveries(event_id);
        CREATE TABLE attempts (id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            channel TEXT NOT NULL, number INTEGER NOT NULL, started_at INTEGER NOT NULL, duration_us INTEGER NOT NULL,
            outcome TEXT NOT NULL, provider_id TEXT, error_code TEXT, error_message TEXT) STRICT;
        CREATE INDEX attempts_delivery ON attempts(delivery_id, id);
        INSERT INTO events VALUES ('e1', 1750000000000, X'7B7D', '["card-fraud-check"]', NULL);
        INSERT INTO deliveries (id, event_id, rule, channels, message, status, total_attempts, created_at, due_at, updated_at, dead_reason)
            VALUES ('e1/card-fraud-check', 'e1', 'card-fraud-check', '["sms"]', X'7B7D', 'dead', 1, 1750000000000, 1750000000000,
                    1750000000250, 'sms: permanent failure: code 21211');
        INSERT INTO attempts (delivery_id, channel, number, started_at, duration_us, outcome, error_code)
            VALUES ('e1/card-fraud-check', 'sms', 1, 1750000000000, 250000, 'permanent', '21211');
        PRAGMA journal_mode = WAL;
        """

    @Test func aVersion1StoreIsMigratedWithEveryRowKept() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("v1.sqlite")
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [path, Self.v1]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)

        let outbox = try SQLiteStore(path: path)
        let record = try #require(try await outbox.event(id: "e1"))
        let delivery = try #require(record.deliveries.first)
        #expect(delivery.status == .dead && delivery.deadReason == "sms: permanent failure: code 21211")
        #expect(delivery.priority == 1 && delivery.recipient == nil)
        #expect(delivery.attempts.map(\.errorCode) == ["21211"])
        // The new statuses work on the migrated table.
        #expect(try await outbox.requeue(deliveryID: "e1/card-fraud-check", now: at(10)))
        _ = try await outbox.accept([Acceptance(event: NewEvent(id: "e2", receivedAt: t0, body: bytes("{}"), matchedRules: ["r"]),
                                                deliveries: [NewDelivery(id: "e2/r", rule: "r", channels: ["sms"], message: bytes("{}"), dueAt: t0,
                                                                         suppressedReason: "opted out")])])
        #expect(try await outbox.deliveries(status: .suppressed, limit: 5).map(\.id) == ["e2/r"])
        try outbox.close()
    }
}
