import Foundation
import GRDB

extension SQLiteStore {
    /// Puts a dead delivery back to work: pending, due at `now`, on its first channel, with its
    /// attempt counters at zero. Its attempts stay in its history and its last error stays.
    ///
    /// Its deadline (`expiresAt`) is cleared too: a requeue is someone's explicit "send it now",
    /// and a delivery that died of its deadline would otherwise die again at once.
    ///
    /// - Returns: false if no delivery has that id or it is not dead.
    public func requeue(deliveryID: String, now: Date) async throws(OutboxError) -> Bool {
        let nowMS = StoredTime.milliseconds(now)
        return try await writing("requeueing delivery \(deliveryID)") { db in
            try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'pending', due_at = ?, updated_at = ?, expires_at = NULL,
                    channel_index = 0, attempts_on_channel = 0, total_attempts = 0,
                    dead_reason = NULL, lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND status = 'dead'
                """).execute(arguments: [nowMS, nowMS, deliveryID])
            return db.changesCount == 1
        }
    }

    /// Removes up to `limit` events received before `deliveredBefore` whose deliveries are all
    /// delivered and were last updated before it too, with their deliveries and attempts. An event
    /// with a pending or dead delivery is kept whatever its age; so is an event with no delivery
    /// that was received after the date.
    ///
    /// - Returns: how many events were removed.
    public func prune(deliveredBefore date: Date, limit: Int) async throws(OutboxError) -> Int {
        let before = StoredTime.milliseconds(date)
        return try await writing("pruning events delivered before \(date)") { db in
            try db.cachedStatement(sql: """
                DELETE FROM events WHERE id IN (
                    SELECT id FROM events
                    WHERE received_at < ?
                      AND NOT EXISTS (
                          SELECT 1 FROM deliveries
                          WHERE deliveries.event_id = events.id AND (status <> 'delivered' OR updated_at >= ?)
                      )
                    LIMIT ?)
                """).execute(arguments: [before, before, max(1, limit)])
            // Counts the events alone: rows removed by the cascade are not counted.
            return db.changesCount
        }
    }

    public func heartbeat(node: String, now: Date, window: Duration) async throws(OutboxError) -> [String] {
        let nowMS = StoredTime.milliseconds(now)
        let since = nowMS - StoredTime.milliseconds(window)
        return try await writing("recording node \(node)'s heartbeat") { db in
            try db.cachedStatement(sql: """
                INSERT INTO nodes (name, seen_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at
                """).execute(arguments: [node, nowMS])
            return try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM nodes WHERE seen_at >= ? ORDER BY name"),
                                       arguments: [since])
        }
    }
}
