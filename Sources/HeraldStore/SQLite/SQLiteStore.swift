import Foundation
import GRDB
import Synchronization

/// The embedded ``Outbox``: one SQLite file (WAL mode, through a GRDB `DatabasePool`: one writer,
/// concurrent readers), for one node. See ``Outbox`` for what every store promises.
///
/// ## What survives what
/// Every call that changes the outbox is one SQLite transaction; a caller returns only after it
/// committed.
///
/// | ``SQLiteConfiguration/Synchronous-swift.enum`` | process crash (kill -9, trap) | power loss, kernel panic |
/// |---|---|---|
/// | `.normal` (default) | every committed transaction survives | the most recent commits may roll back (the WAL is synced only at checkpoints); the file stays consistent |
/// | `.full` | every committed transaction survives | every committed transaction survives (each commit syncs the WAL) |
///
/// A transaction that had not committed is rolled back entirely: an event is never stored without
/// its deliveries.
///
/// ## Times
/// Times are stored as whole milliseconds since 1970 (UTC); a `Date` comes back rounded to the
/// millisecond. The outbox never reads the clock: every time comes from the caller (`now`, an
/// attempt's start, an event's arrival), so tests pass their own.
///
/// ## Errors
/// Every method throws ``OutboxError``, naming the file and what it was doing.
public final class SQLiteStore: Outbox {
    /// The database file.
    public let path: String
    public var location: String { path }
    let pool: DatabasePool
    let committer: GroupCommitter
    let checkpointer: Checkpointer
    private let isClosed = Mutex(false)

    /// Opens the outbox at `path`, creating the file and its folder if needed, in WAL mode with
    /// the configured `PRAGMA synchronous`, and brings its schema up to date.
    ///
    /// - Throws: ``OutboxError`` with code ``OutboxError/Code/cannotOpen`` when the folder cannot
    ///   be created, the file is not an SQLite database or cannot be written, or its schema was
    ///   written by a newer Herald.
    public init(path: String, configuration: SQLiteConfiguration = .init()) throws(OutboxError) {
        self.path = path
        func failure(_ operation: String, _ reason: String? = nil, _ error: (any Error)? = nil) -> OutboxError {
            OutboxError(code: .cannotOpen, path: path, operation: operation, reason: reason, underlying: error)
        }

        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw failure("creating the folder \(folder.path)", nil, error)
        }

        var grdb = Configuration()
        grdb.label = "Herald outbox"
        grdb.foreignKeysEnabled = true
        grdb.busyMode = .timeout(Double(StoredTime.milliseconds(configuration.busyTimeout)) / 1000)
        grdb.maximumReaderCount = max(1, configuration.maximumReaderCount)
        // Errors never show statement arguments: they hold event bodies and phone numbers.
        grdb.publicStatementArguments = false

        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: grdb)
        } catch {
            throw failure("opening the database", nil, error)
        }
        do {
            // After the pool is open: opening a pool sets up WAL mode, which sets NORMAL itself.
            // The writer connection lives as long as the pool, so this holds for every commit.
            let mode = configuration.synchronous
            let effective = try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(mode.rawValue)")
                // Checkpoints run beside the writer (``Checkpointer``); this is the backstop.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Checkpointer.writerBackstopPages)")
                // Each caller in a group commit has its own savepoint, whose journal SQLite would
                // otherwise write to a temporary file (`etilqs_*` under /var/tmp) for every group.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            guard effective == mode.pragmaValue else {
                throw failure("setting PRAGMA synchronous = \(mode.rawValue)", "it reads back as \(effective.map(String.init) ?? "nothing")")
            }
        } catch let error as OutboxError {
            throw error
        } catch {
            throw failure("setting PRAGMA synchronous", nil, error)
        }
        do {
            let migrator = OutboxSchema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw failure("reading the schema", "it was written by a newer version of Herald")
            }
            try migrator.migrate(pool)
        } catch let error as OutboxError {
            throw error
        } catch {
            throw failure("migrating the schema", nil, error)
        }

        let checkpointer: Checkpointer
        do {
            checkpointer = try Checkpointer(path: path)
        } catch {
            throw failure("opening the checkpoint connection", nil, error)
        }
        self.pool = pool
        self.checkpointer = checkpointer
        self.committer = GroupCommitter(pool: pool, maxGroupSize: max(1, configuration.maxGroupSize), checkpointer: checkpointer)
    }

    /// Closes the database connections. Calls made afterwards throw; calls in flight finish first
    /// or throw. Closing is optional: the connections also close when the outbox is released.
    public func close() throws(OutboxError) {
        checkpointer.close()
        do {
            try pool.close()
            isClosed.withLock { $0 = true }
        } catch {
            throw OutboxError(code: .database, path: path, operation: "closing the database", underlying: error)
        }
    }

    /// How the group commit of ``accept(_:)`` has fared since the outbox was opened.
    public func acceptStatistics() async -> AcceptStatistics {
        await committer.statistics
    }

    /// How many transactions the group commit made, for how many writes of every kind, since the
    /// outbox was opened.
    public func groupCommitStatistics() async -> GroupCommitStatistics {
        await committer.writeStatistics
    }

    // MARK: - Database access with errors that name the file and the operation

    func writing<T: Sendable>(
        _ operation: @autoclosure () -> String, _ updates: @Sendable (Database) throws -> T
    ) async throws(OutboxError) -> T {
        try checkOpen(operation())
        do {
            return try await pool.write(updates)
        } catch {
            throw Self.error(error, path: path, operation: operation())
        }
    }

    /// Like ``writing(_:_:)``, in the next group-commit transaction shared with concurrent writers
    /// (``GroupCommitter``): for the writes every delivery makes.
    func writingInGroup<T: Sendable>(
        _ operation: @autoclosure () -> String, _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws(OutboxError) -> T {
        try checkOpen(operation())
        do {
            return try await committer.submit(updates)
        } catch {
            throw Self.error(error, path: path, operation: operation())
        }
    }

    func reading<T: Sendable>(
        _ operation: @autoclosure () -> String, _ value: @Sendable (Database) throws -> T
    ) async throws(OutboxError) -> T {
        try checkOpen(operation())
        do {
            return try await pool.read(value)
        } catch {
            throw Self.error(error, path: path, operation: operation())
        }
    }

    /// Throws a clear error after ``close()``, rather than the one SQLite gives for a closed
    /// connection ("out of memory").
    func checkOpen(_ operation: @autoclosure () -> String) throws(OutboxError) {
        if isClosed.withLock({ $0 }) {
            throw OutboxError(code: .database, path: path, operation: operation(), reason: "the outbox is closed")
        }
    }

    /// "1 event", "3 events".
    static func events(_ count: Int) -> String {
        count == 1 ? "1 event" : "\(count) events"
    }

    static func error(_ error: any Error, path: String, operation: String) -> OutboxError {
        switch error {
        case let error as OutboxError:
            error
        case StoreFailure.corrupt(let reason):
            OutboxError(code: .corruptRow, path: path, operation: operation, reason: reason)
        case StoreFailure.invalidInput(let reason):
            OutboxError(code: .invalidInput, path: path, operation: operation, reason: reason)
        case StoreFailure.transactionLost:
            OutboxError(code: .database, path: path, operation: operation, reason: "SQLite rolled the transaction back")
        default:
            OutboxError(code: .database, path: path, operation: operation, underlying: error)
        }
    }
}
