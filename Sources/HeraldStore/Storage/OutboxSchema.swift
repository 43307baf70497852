import GRDB

/// The outbox's tables, as ordered migrations: a database written by an older Herald is brought
/// up to date when it opens; one written by a newer Herald is refused.
///
/// - `events`: one row per accepted event. The idempotency key is unique where present.
/// - `deliveries`: one row per planned message, with where it stands (status, current channel,
///   counters, due time, lease) and how it ended. Times are INTEGER milliseconds since the epoch;
///   `channels` is a JSON array of endpoint names; `message` the planned message's JSON.
/// - `attempts`: every attempt of a delivery, in the order recorded (`id`).
///
/// Deleting an event deletes its deliveries and their attempts (`ON DELETE CASCADE`).
enum OutboxSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-events-deliveries-attempts") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    id TEXT NOT NULL PRIMARY KEY,
                    received_at INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    matched_rules TEXT NOT NULL,
                    idempotency_key TEXT
                ) STRICT;
                CREATE UNIQUE INDEX events_idempotency_key ON events(idempotency_key)
                    WHERE idempotency_key IS NOT NULL;

                CREATE TABLE deliveries (
                    id TEXT NOT NULL PRIMARY KEY,
                    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                    rule TEXT NOT NULL,
                    element INTEGER,
                    channels TEXT NOT NULL,
                    message BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
                    channel_index INTEGER NOT NULL DEFAULT 0,
                    attempts_on_channel INTEGER NOT NULL DEFAULT 0,
                    total_attempts INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    due_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    updated_at INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_until INTEGER,
                    provider_id TEXT,
                    delivered_channel TEXT,
                    last_error TEXT,
                    dead_reason TEXT
                ) STRICT;
                -- claim: pending and due, oldest due first (id breaks ties so the order is stable)
                CREATE INDEX deliveries_claim ON deliveries(status, due_at, id);
                -- deliveries(status:after:) pages by id within a status
                CREATE INDEX deliveries_status_id ON deliveries(status, id);
                -- event(id:) and the cascade from events
                CREATE INDEX deliveries_event ON deliveries(event_id);

                CREATE TABLE attempts (
                    id INTEGER PRIMARY KEY,
                    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
                    channel TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    duration_us INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    provider_id TEXT,
                    error_code TEXT,
                    error_message TEXT
                ) STRICT;
                CREATE INDEX attempts_delivery ON attempts(delivery_id, id);
                """)
        }
        return migrator
    }
}
