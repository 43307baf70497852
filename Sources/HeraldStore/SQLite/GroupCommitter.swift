import GRDB

/// Group commit for the outbox's hot writes — ``Outbox/accept(_:)``, claims, recorded attempts and
/// postponements: concurrent callers share transactions, so N writes arriving together cost a few
/// commits (a few WAL appends and, with `synchronous = FULL`, a few fsyncs), not N.
///
/// Callers queue their work here. When no commit is running, one starts and takes every queued
/// piece of work (up to the group size) into one transaction; work that arrives while it runs
/// waits and goes together into the next. Each caller is resumed only once the transaction holding
/// its work has committed, with its own result — or with the error if the commit failed.
///
/// Each caller's work runs in a savepoint of its own: one that fails (a delivery id already stored,
/// say) is rolled back and reported to that caller alone, and the others still commit.
actor GroupCommitter {
    /// One caller's work, run inside the group's transaction in a savepoint of its own.
    private struct Waiter {
        /// Counted against the group size: the events of an accept, 1 for other writes.
        var size: Int
        /// Events accepted, for ``AcceptStatistics``; nil for other writes.
        var acceptances: Int?
        /// Runs the work; returns whether it succeeded and how to resume its caller once the
        /// transaction has committed.
        var run: @Sendable (Database) -> (succeeded: Bool, resume: @Sendable () -> Void)
        /// Resumes the caller with the error that rolled the whole transaction back.
        var fail: @Sendable (any Error) -> Void
    }

    private let pool: DatabasePool
    private let maxGroupSize: Int
    private var queue: [Waiter] = []
    private var isCommitting = false
    private(set) var statistics = AcceptStatistics()
    private(set) var writeStatistics = GroupCommitStatistics()

    private let checkpointer: Checkpointer?
    /// A group this large commits without waiting for more.
    static let fullEnough = 16
    /// How long a small group waits for more writes under load.
    static let gatherDelay = Duration.microseconds(500)

    init(pool: DatabasePool, maxGroupSize: Int, checkpointer: Checkpointer? = nil) {
        self.pool = pool
        self.maxGroupSize = maxGroupSize
        self.checkpointer = checkpointer
    }

    /// Runs `work` in the next group transaction, in a savepoint of its own, and returns its result
    /// once that transaction committed. An error `work` throws rolls back its savepoint only and is
    /// rethrown to this caller; `acceptances` counts the events of an accept for the statistics.
    func submit<T: Sendable>(size: Int = 1, acceptances: Int? = nil, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let run: @Sendable (Database) -> (succeeded: Bool, resume: @Sendable () -> Void) = { db in
                var outcome: Result<T, any Error> = .failure(StoreFailure.transactionLost)
                do {
                    try db.inSavepoint {
                        outcome = .success(try work(db))
                        return .commit
                    }
                } catch {
                    outcome = .failure(error)
                }
                let succeeded = if case .success = outcome { true } else { false }
                return (succeeded, { [outcome] in continuation.resume(with: outcome) })
            }
            queue.append(Waiter(size: size, acceptances: acceptances, run: run, fail: { continuation.resume(throwing: $0) }))
            if !isCommitting {
                isCommitting = true
                // Not the caller's task: a caller that is cancelled must not cancel a transaction
                // that holds other callers' work.
                Task { await self.commitQueued() }
            }
        }
    }

    private func commitQueued() async {
        var lastGroup = 0
        while !queue.isEmpty {
            // Under steady load, a commit that would carry only a few writes waits a moment for
            // more (like PostgreSQL's commit_delay): fewer, fuller transactions cost less per write.
            // A lone write (nothing else committed just before) goes at once.
            if lastGroup > 1, queue.count < Self.fullEnough {
                try? await Task.sleep(for: Self.gatherDelay)
            }
            let group = queue.takeGroup(maxSize: maxGroupSize, size: \.size)
            lastGroup = group.count
            let runs = group.map(\.run)
            writeStatistics.transactions += 1
            writeStatistics.writes += group.count
            do {
                // The actor is free while this runs: new callers queue for the next transaction.
                let finished = try await pool.write { db in
                    try runs.map { run in
                        let finished = run(db)
                        // Some errors (disk full, I/O) make SQLite roll the whole transaction
                        // back: then nothing of this group is stored, and every caller must hear so.
                        guard db.isInsideTransaction else { throw StoreFailure.transactionLost }
                        return finished
                    }
                }
                if group.contains(where: { $0.acceptances != nil }) {
                    statistics.transactions += 1
                    for (waiter, finished) in zip(group, finished) where finished.succeeded {
                        guard let acceptances = waiter.acceptances else { continue }
                        statistics.callers += 1
                        statistics.acceptances += acceptances
                    }
                }
                for finished in finished { finished.resume() }
                checkpointer?.kick()
            } catch {
                for waiter in group { waiter.fail(error) }
            }
        }
        isCommitting = false
    }
}
