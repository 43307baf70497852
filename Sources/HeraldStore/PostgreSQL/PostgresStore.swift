import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// The clustered ``Outbox``: one PostgreSQL database shared by any number of `herald serve` nodes,
/// through postgres-nio's pooled client. See ``Outbox`` for what every store promises.
///
/// ## Durability
/// A call returns only after COMMIT, with `synchronous_commit = on` set for every connection: the
/// commit is on the server's disk (and on its synchronous standbys, when there are any). Accepts
/// share transactions (``PostgresAcceptCommitter``): a group of events is a few multi-row
/// statements, not one statement per event.
///
/// ## Across nodes
/// Claims take due rows with `FOR UPDATE SKIP LOCKED`, so nodes never wait for each other's
/// claims; every claim bumps the delivery's fencing token. Event ids, idempotency keys, dedupe keys,
/// opt-outs, statuses and replies are unique constraints or upserts in the one database, so a
/// guarantee that holds on one node holds across all of them.
public final class PostgresStore: Outbox {
    public let configuration: PostgresConfiguration
    public var location: String { configuration.location }
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let isClosed = Mutex(false)
    /// Accepts share transactions.
    let accepts: PostgresGroupCommitter<AcceptBatch, AcceptBatch.Outcome>
    /// Recorded attempts share transactions.
    let records: PostgresGroupCommitter<RecordItem, Bool>
    private let writes = Mutex(GroupCommitStatistics())
    /// The schema's version when the store opened, and now (after migrating).
    public let schemaVersions: (from: Int, to: Int)

    /// Connects, and brings the schema up to date unless `migrate` is false (then a schema that is
    /// missing or older than this binary is refused).
    ///
    /// - Throws: ``OutboxError`` with ``OutboxError/Code/cannotOpen`` when the schema is newer
    ///   than this binary (or not current while `migrate` is false), ``OutboxError/Code/unavailable``
    ///   when the server cannot be reached.
    public init(configuration: PostgresConfiguration, migrate: Bool = true, logger: Logger = Logger(label: "herald.store")) async throws(OutboxError) {
        self.configuration = configuration
        self.logger = logger
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: Self.tls(configuration.tls))
        client.options.maximumConnections = max(2, configuration.maximumConnections)
        client.options.minimumConnections = 0
        client.options.connectTimeout = configuration.connectTimeout
        // 202 means committed to disk: never let a server default of `off` answer early.
        client.options.additionalStartupParameters = [("synchronous_commit", "on"), ("application_name", "herald")]
        let postgres = PostgresClient(configuration: client, backgroundLogger: logger)
        self.client = postgres
        self.runner = Task { await postgres.run() }
        self.accepts = PostgresGroupCommitter(maxGroupSize: max(1, configuration.maxGroupSize)) { store, batches throws(OutboxError) in
            try await store.storeGroup(batches)
        }
        self.records = PostgresGroupCommitter(maxGroupSize: 500) { store, items throws(OutboxError) in
            try await store.recordGroup(items)
        }
        let versions: (from: Int, to: Int)
        do {
            if migrate {
                let outcome = try await Self.bounded(postgres, connectWithin: configuration.connectTimeout, finishWithin: Self.migrationDeadline) { connection in
                    try await PostgresSchema.migrate(connection, logger: logger)
                }
                versions = (outcome.from, outcome.to)
                if outcome.from != outcome.to {
                    logger.info("store schema migrated", metadata: ["from": "\(outcome.from)", "to": "\(outcome.to)"])
                }
            } else {
                let version = try await Self.bounded(postgres, connectWithin: configuration.connectTimeout, finishWithin: Self.migrationDeadline) { connection in
                    try await Self.schemaVersion(connection, logger: logger)
                }
                versions = (version, version)
                guard version == PostgresSchema.latestVersion else {
                    throw OutboxError(code: .cannotOpen, path: configuration.location, operation: "reading the schema",
                                      reason: version > PostgresSchema.latestVersion
                                        ? "it was written by a newer version of Herald (version \(version); this one knows \(PostgresSchema.latestVersion))"
                                        : "it is at version \(version), not \(PostgresSchema.latestVersion): run 'herald migrate --config herald.yaml'")
                }
            }
        } catch {
            runner.cancel()
            await runner.value
            var failure = Self.error(error, location: configuration.location, operation: "migrating the schema")
            if failure.code == .database || failure.code == .invalidInput { failure.code = .cannotOpen }
            throw failure
        }
        schemaVersions = versions
    }

    static func tls(_ mode: PostgresConfiguration.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable:
            return .disable
        case .prefer, .require:
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            return mode == .prefer ? .prefer(unverified) : .require(unverified)
        case .verifyFull:
            return .require(.makeClientConfiguration())
        }
    }

    private static func schemaVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let exists = try await connection.query("SELECT to_regclass('herald_schema') IS NOT NULL", logger: logger)
        var found = false
        for try await value in exists.decode(Bool.self) { found = value }
        guard found else { return 0 }
        var version = 0
        for try await value in try await connection.query("SELECT version FROM herald_schema", logger: logger).decode(Int.self) {
            version = max(version, value)
        }
        return version
    }

    public func close() async throws(OutboxError) {
        isClosed.withLock { $0 = true }
        runner.cancel()
        await runner.value
    }

    public func acceptStatistics() async -> AcceptStatistics {
        await accepts.statistics
    }

    public func groupCommitStatistics() async -> GroupCommitStatistics {
        let accepted = await accepts.statistics
        let recorded = await records.statistics
        let others = writes.withLock { $0 }
        return GroupCommitStatistics(transactions: accepted.transactions + recorded.transactions + others.transactions,
                                     writes: accepted.callers + recorded.callers + others.writes)
    }

    // MARK: - Running statements with errors that name the store and the operation

    /// How long one store call may take before it is reported ``OutboxError/Code/unavailable``.
    ///
    /// When the server crashes while a call is running (`pg_ctl stop -m immediate`), postgres-nio
    /// 1.33 can leave the call waiting for ever — for a statement on the connection that died, or
    /// for a connection lease asked for during the outage — even after the server is back. Without
    /// a bound, the accept committer's groups and the workers' records wait with it, and the node
    /// answers nothing again (ClusterChaosTests, PostgresOutageTests). A call cut off here may still
    /// commit later: an accept then answers 503 for an event that is stored (the client's retry with
    /// the same id is a duplicate), a record fails for an attempt that is stored (its lease expires
    /// on a delivery that is no longer pending). Both are what a lost answer would cause anyway.
    static let callDeadline = Duration.seconds(10)

    /// How long opening the store may take to read and migrate the schema: a migration may rewrite
    /// a large table, and a node starting beside one that migrates waits for its advisory lock.
    static let migrationDeadline = Duration.seconds(900)

    /// Runs `body` on a pooled connection (each statement commits on its own).
    func connection<T: Sendable>(_ operation: @autoclosure () -> String, counted: Bool = false,
                                 _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(OutboxError) -> T {
        try checkOpen(operation())
        do {
            let result = try await Self.bounded(client, connectWithin: configuration.connectTimeout, finishWithin: Self.callDeadline, body)
            if counted { writes.withLock { $0.transactions += 1; $0.writes += 1 } }
            return result
        } catch {
            throw Self.error(error, location: location, operation: operation())
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ operation: @autoclosure () -> String, counted: Bool = true,
                                  _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(OutboxError) -> T {
        try checkOpen(operation())
        let logger = self.logger
        do {
            let result = try await Self.bounded(client, connectWithin: configuration.connectTimeout, finishWithin: Self.callDeadline) {
                connection in try await connection.withTransaction(logger: logger) { try await body($0) }
            }
            if counted { writes.withLock { $0.transactions += 1; $0.writes += 1 } }
            return result
        } catch {
            throw Self.error(error, location: location, operation: operation())
        }
    }

    /// Runs `body` on a pooled connection, within two limits: `connectWithin` to get the
    /// connection, and `finishWithin` for the whole call. Past either, the call fails
    /// (``StoreFailure/unreachable(after:)``, ``CallTimedOut``: both unavailable, a 503) and the
    /// work is cancelled and left to end on its own — a call that never returns cannot be waited for.
    ///
    /// While the server cannot be reached, postgres-nio's pool keeps requests queued for up to a
    /// minute before it fails them; a sender waiting that long for a 503 would rather have had it at
    /// once (and tried another node). A statement already running gets the longer limit.
    static func bounded<T: Sendable>(_ client: PostgresClient, connectWithin connectLimit: Duration, finishWithin limit: Duration,
                                     _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = FirstOutcome(continuation)
            let leased = LeaseFlag()
            let running = Task {
                do {
                    outcome.resume(with: .success(try await client.withConnection { connection in
                        leased.set()
                        return try await body(connection)
                    }))
                } catch {
                    outcome.resume(with: .failure(error))
                }
            }
            let timer = Task {
                try await Task.sleep(for: connectLimit)
                if !leased.isSet {
                    if outcome.resume(with: .failure(StoreFailure.unreachable(after: connectLimit))) { running.cancel() }
                    return
                }
                try await Task.sleep(for: limit - connectLimit)
                if outcome.resume(with: .failure(CallTimedOut(limit: limit))) { running.cancel() }
            }
            outcome.onResume { timer.cancel() }
        }
    }

    func checkOpen(_ operation: @autoclosure () -> String) throws(OutboxError) {
        if isClosed.withLock({ $0 }) {
            throw OutboxError(code: .database, path: location, operation: operation(), reason: "the store is closed")
        }
    }

    /// An error as the store reports it: never a statement's arguments (event bodies, phone numbers)
    /// or the server's DETAIL (which quotes key values).
    static func error(_ error: any Error, location: String, operation: String) -> OutboxError {
        switch error {
        case let error as OutboxError:
            return error
        case StoreFailure.corrupt(let reason):
            return OutboxError(code: .corruptRow, path: location, operation: operation, reason: reason)
        case StoreFailure.invalidInput(let reason):
            return OutboxError(code: .invalidInput, path: location, operation: operation, reason: reason)
        case StoreFailure.duplicateDelivery(let event, let delivery):
            return OutboxError(code: .database, path: location, operation: "accepting event \(event)",
                               reason: "delivery id '\(delivery)' is already stored")
        case StoreFailure.newerSchema(let found, let known):
            return OutboxError(code: .cannotOpen, path: location, operation: operation,
                               reason: "it was written by a newer version of Herald (schema version \(found); this one knows \(known))")
        case let error as CallTimedOut:
            return OutboxError(code: .unavailable, path: location, operation: operation, reason: "the database did not answer within \(error.limit)")
        case StoreFailure.transactionLost:
            return OutboxError(code: .database, path: location, operation: operation, reason: "the transaction was rolled back")
        case StoreFailure.unreachable(let timeout):
            return OutboxError(code: .unavailable, path: location, operation: operation,
                               reason: "no connection to the database within \(timeout)")
        case let error as PostgresTransactionError:
            let inner = error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError
            return inner.map { Self.error($0, location: location, operation: operation) }
                ?? OutboxError(code: .database, path: location, operation: operation, reason: "the transaction failed")
        case let error as PSQLError:
            return Self.error(error, location: location, operation: operation)
        default:
            // Connection pool errors (timeouts, a closed pool) are not PSQLErrors.
            return OutboxError(code: .unavailable, path: location, operation: operation, reason: "\(type(of: error))")
        }
    }

    private static func error(_ error: PSQLError, location: String, operation: String) -> OutboxError {
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "no message"
            // 08: connection exception, 57P: operator intervention (shutdown, restart), 53: insufficient resources.
            let unavailable = state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53")
            return OutboxError(code: unavailable ? .unavailable : .database, path: location, operation: operation,
                               reason: "\(message) (SQLSTATE \(state))")
        }
        return OutboxError(code: .unavailable, path: location, operation: operation, reason: "\(error.code)")
    }
}

/// Whether a call got its connection: set once, read by the call's deadline.
private final class LeaseFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// A store call that did not finish within ``PostgresStore/callDeadline``.
struct CallTimedOut: Error {
    var limit: Duration
}

/// A continuation resumed once, by whichever of a call and its timer ends first.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var resumed = false
        var onResume: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        state = Mutex(State(continuation: continuation))
    }

    /// Resumes the continuation unless it was already; true when this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let (continuation, action) = state.withLock { state in
            let taken = (state.continuation.take(), state.onResume)
            if taken.0 != nil { state.resumed = true }
            return taken
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        action?()
        return true
    }

    /// Runs `action` once the continuation is resumed (now, if it already is).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            if state.resumed { return true }
            state.onResume = action
            return false
        }
        if now { action() }
    }
}
