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
    /// The first migration's name: a database that has run it is a Herald outbox.
    static let firstMigration = "v1-events-deliveries-attempts"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(firstMigration) { db in
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
        migrator.registerMigration("v2-conversations-and-protection") { db in
            // SQLite cannot change a CHECK constraint in place: the deliveries table is rebuilt
            // with the two new statuses and the new columns, keeping every row. (Migrations run
            // with foreign keys off, so the rebuild does not cascade to attempts.)
            try db.execute(sql: """
                CREATE TABLE deliveries_v2 (
                    id TEXT NOT NULL PRIMARY KEY,
                    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
                    rule TEXT NOT NULL,
                    element INTEGER,
                    channels TEXT NOT NULL,
                    message BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'delivered', 'dead', 'suppressed', 'expired')),
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
                    dead_reason TEXT,
                    priority INTEGER NOT NULL DEFAULT 1,
                    recipient TEXT,
                    provider_status TEXT,
                    provider_status_at INTEGER
                ) STRICT;
                INSERT INTO deliveries_v2 (id, event_id, rule, element, channels, message, status, channel_index,
                    attempts_on_channel, total_attempts, created_at, due_at, expires_at, updated_at, lease_owner,
                    lease_until, provider_id, delivered_channel, last_error, dead_reason)
                SELECT id, event_id, rule, element, channels, message, status, channel_index,
                    attempts_on_channel, total_attempts, created_at, due_at, expires_at, updated_at, lease_owner,
                    lease_until, provider_id, delivered_channel, last_error, dead_reason
                FROM deliveries;
                DROP TABLE deliveries;
                ALTER TABLE deliveries_v2 RENAME TO deliveries;
                -- claim: pending and due, urgent first, then oldest due (id breaks ties)
                CREATE INDEX deliveries_claim ON deliveries(status, priority, due_at, id);
                CREATE INDEX deliveries_status_id ON deliveries(status, id);
                CREATE INDEX deliveries_event ON deliveries(event_id);
                -- statuses and replies find their delivery by the provider's message id
                CREATE INDEX deliveries_provider ON deliveries(provider_id) WHERE provider_id IS NOT NULL;
                -- pacing and SMS correlation look up a recipient's recent deliveries
                CREATE INDEX deliveries_recipient ON deliveries(recipient, updated_at) WHERE recipient IS NOT NULL;

                -- Provider statuses (sent, delivered, read, failed), each received once per message.
                CREATE TABLE statuses (
                    id INTEGER PRIMARY KEY,
                    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
                    provider_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    applied INTEGER NOT NULL,
                    error_code TEXT,
                    error_message TEXT
                ) STRICT;
                CREATE UNIQUE INDEX statuses_once ON statuses(provider_id, status);
                CREATE INDEX statuses_delivery ON statuses(delivery_id, id);

                -- Customers' replies, each stored once (providers post webhooks at least once).
                CREATE TABLE replies (
                    id INTEGER PRIMARY KEY,
                    provider_message_id TEXT NOT NULL UNIQUE,
                    delivery_id TEXT REFERENCES deliveries(id) ON DELETE CASCADE,
                    channel TEXT NOT NULL,
                    from_address TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    button TEXT,
                    text TEXT,
                    received_at INTEGER NOT NULL,
                    callback_delivery_id TEXT
                ) STRICT;
                CREATE INDEX replies_delivery ON replies(delivery_id, id);

                -- Recipients who opted out, per business category.
                CREATE TABLE suppressions (
                    address TEXT NOT NULL,
                    category TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (address, category)
                ) STRICT;

                -- Business keys seen per rule, until the dedupe window ends.
                CREATE TABLE dedupe_keys (
                    rule TEXT NOT NULL,
                    key TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (rule, key)
                ) STRICT;
                """)
        }
        migrator.registerMigration("v3-fencing-tokens-and-nodes") { db in
            // A lease is an owner plus a fencing token, larger for every claim: a worker whose
            // lease was taken over cannot record under it, even when the same node claimed again.
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE attempts ADD COLUMN node TEXT;
                ALTER TABLE attempts ADD COLUMN lease_token INTEGER;
                -- the nodes working on this store, by their last heartbeat
                CREATE TABLE nodes (
                    name TEXT NOT NULL PRIMARY KEY,
                    seen_at INTEGER NOT NULL
                ) STRICT;
                """)
        }
        return migrator
    }
}
