import GRDB

extension SQLiteStore {
    /// A pragma's value as the writer connection sees it (`synchronous`, `journal_mode`), for
    /// tests and diagnostics.
    func pragma(_ name: String) async throws(OutboxError) -> String? {
        try await writing("reading PRAGMA \(name)") { db in
            try String.fetchOne(db, sql: "PRAGMA \(name)")
        }
    }

    /// Runs `sql` in a write transaction, for tests that need to damage or age a database.
    func execute(sql: String) async throws(OutboxError) {
        try await writing("executing \(sql)") { db in
            try db.execute(sql: sql)
        }
    }
}
