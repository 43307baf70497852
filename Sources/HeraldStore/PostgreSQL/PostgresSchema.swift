import Foundation
import Logging
import PostgresNIO

/// The store's tables in PostgreSQL, as ordered migrations recorded in `herald_schema`.
///
/// Migrations run in one transaction under a transaction-scoped advisory lock, so nodes starting
/// together migrate once: the first takes the lock and migrates, the others wait, then find the
/// schema current. A database whose schema is newer than this binary knows is refused.
///
/// The tables are those of ``SQLiteStore`` (times as BIGINT milliseconds since 1970, lists as JSON
/// text, bodies and messages as BYTEA), plus `seq` on deliveries for their planned order. The
/// claim index covers pending deliveries only, so it stays small however many delivered rows the
/// table holds. The hot tables are tuned for their churn (see docs/cluster.md):
/// `fillfactor` leaves room on each page so that lease changes are HOT updates, and autovacuum
/// runs after 2 % of the rows changed rather than 20 %.
enum PostgresSchema {
    /// The advisory lock key (`hashtext('herald-schema')` would do, but a constant is plainer).
    static let lockKey: Int64 = 0x4845_5241_4C44 // "HERALD"

    /// Migrations in order; the version is the index + 1.
    static let migrations: [String] = [
        """
        CREATE TABLE events (
            id TEXT NOT NULL PRIMARY KEY,
            received_at BIGINT NOT NULL,
            body BYTEA NOT NULL,
            matched_rules TEXT NOT NULL,
            idempotency_key TEXT
        );
        CREATE UNIQUE INDEX events_idempotency_key ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX events_received ON events (received_at);

        CREATE TABLE deliveries (
            id TEXT NOT NULL PRIMARY KEY,
            seq BIGSERIAL NOT NULL,
            event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            rule TEXT NOT NULL,
            element INTEGER,
            channels TEXT NOT NULL,
            message BYTEA NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'delivered', 'dead', 'suppressed', 'expired')),
            channel_index INTEGER NOT NULL DEFAULT 0,
            attempts_on_channel INTEGER NOT NULL DEFAULT 0,
            total_attempts INTEGER NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            due_at BIGINT NOT NULL,
            expires_at BIGINT,
            updated_at BIGINT NOT NULL,
            lease_owner TEXT,
            lease_until BIGINT,
            lease_token BIGINT NOT NULL DEFAULT 0,
            provider_id TEXT,
            delivered_channel TEXT,
            last_error TEXT,
            dead_reason TEXT,
            priority INTEGER NOT NULL DEFAULT 1,
            recipient TEXT,
            provider_status TEXT,
            provider_status_at BIGINT
        ) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
        -- claim: pending and due, urgent first, then oldest due (id breaks ties)
        CREATE INDEX deliveries_claim ON deliveries (priority, due_at, id) WHERE status = 'pending';
        CREATE INDEX deliveries_status_id ON deliveries (status, id);
        CREATE INDEX deliveries_event ON deliveries (event_id, seq);
        CREATE INDEX deliveries_provider ON deliveries (provider_id) WHERE provider_id IS NOT NULL;
        -- pacing and SMS correlation read a recipient's delivered messages only: pending rows stay out
        -- of this index, so accepting a delivery does not touch it
        CREATE INDEX deliveries_recipient ON deliveries (recipient, updated_at) WHERE recipient IS NOT NULL AND status = 'delivered';

        CREATE TABLE attempts (
            id BIGSERIAL PRIMARY KEY,
            delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            number INTEGER NOT NULL,
            started_at BIGINT NOT NULL,
            duration_us BIGINT NOT NULL,
            outcome TEXT NOT NULL,
            provider_id TEXT,
            error_code TEXT,
            error_message TEXT,
            node TEXT,
            lease_token BIGINT
        ) WITH (autovacuum_vacuum_scale_factor = 0.02);
        CREATE INDEX attempts_delivery ON attempts (delivery_id, id);

        CREATE TABLE statuses (
            id BIGSERIAL PRIMARY KEY,
            delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
            provider_id TEXT NOT NULL,
            status TEXT NOT NULL,
            at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            applied BOOLEAN NOT NULL,
            error_code TEXT,
            error_message TEXT
        );
        CREATE UNIQUE INDEX statuses_once ON statuses (provider_id, status);
        CREATE INDEX statuses_delivery ON statuses (delivery_id, id);

        CREATE TABLE replies (
            id BIGSERIAL PRIMARY KEY,
            provider_message_id TEXT NOT NULL UNIQUE,
            delivery_id TEXT REFERENCES deliveries (id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            from_address TEXT NOT NULL,
            kind TEXT NOT NULL,
            button TEXT,
            text TEXT,
            received_at BIGINT NOT NULL,
            callback_delivery_id TEXT
        );
        CREATE INDEX replies_delivery ON replies (delivery_id, id);

        CREATE TABLE suppressions (
            address TEXT NOT NULL,
            category TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (address, category)
        );

        CREATE TABLE dedupe_keys (
            rule TEXT NOT NULL,
            key TEXT NOT NULL,
            event_id TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (rule, key)
        );

        CREATE TABLE nodes (
            name TEXT NOT NULL PRIMARY KEY,
            seen_at BIGINT NOT NULL
        );
        """,
    ]

    static var latestVersion: Int { migrations.count }

    /// A migration's statements: each ends with `;` at the end of a line (the extended query
    /// protocol takes one statement at a time).
    static func statements(of migration: String) -> [String] {
        migration.components(separatedBy: ";\n").compactMap { part in
            var statement = part.trimmingCharacters(in: .whitespacesAndNewlines)
            if statement.hasSuffix(";") { statement.removeLast() }
            let code = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            return code.isEmpty ? nil : statement
        }
    }

    /// What ``migrate(_:logger:)`` found and did.
    struct Outcome: Sendable, Hashable {
        var from: Int
        var to: Int
    }

    /// Brings the schema up to date in one transaction under the advisory lock.
    /// - Throws: ``StoreFailure/invalidInput(_:)`` when the database's schema is newer than this binary.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            // Read before any DDL: a role without CREATE on the schema can run a current database.
            var exists = false
            for try await found in try await connection.query("SELECT to_regclass('herald_schema') IS NOT NULL", logger: logger)
                .decode(Bool.self) { exists = found }
            if !exists {
                try await connection.query("CREATE TABLE herald_schema (version INTEGER NOT NULL)", logger: logger)
            }
            var current = 0
            for try await version in try await connection.query("SELECT version FROM herald_schema", logger: logger).decode(Int.self) {
                current = max(current, version)
            }
            guard current <= latestVersion else {
                throw StoreFailure.newerSchema(found: current, known: latestVersion)
            }
            for version in (current + 1)...max(current + 1, latestVersion) where version <= latestVersion {
                for statement in statements(of: migrations[version - 1]) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
            if current < latestVersion {
                try await connection.query("DELETE FROM herald_schema", logger: logger)
                try await connection.query("INSERT INTO herald_schema (version) VALUES (\(latestVersion))", logger: logger)
            }
            return Outcome(from: current, to: latestVersion)
        }
    }
}
