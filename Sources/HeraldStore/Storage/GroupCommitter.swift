import GRDB

/// Group commit for ``Outbox/accept(_:)``: concurrent callers share transactions, so N requests
/// arriving together cost a few commits (and, with `synchronous = FULL`, a few fsyncs), not N.
///
/// Callers queue their batches here. When no commit is running, one starts and takes every
/// queued batch (up to the group size) into one transaction; batches that arrive while it runs
/// wait and go together into the next. Each caller is resumed only once the transaction holding
/// its batch has committed, with its own results — or with the error if the commit failed.
///
/// Each caller's batch runs in a savepoint of its own: one that fails (a delivery id already
/// stored, say) is rolled back and reported to that caller alone, and the others still commit.
actor GroupCommitter {
    private struct Waiter {
        var acceptances: [Acceptance]
        var continuation: CheckedContinuation<[AcceptResult], any Error>
    }

    private let pool: DatabasePool
    private let path: String
    private let maxGroupSize: Int
    private var queue: [Waiter] = []
    private var isCommitting = false
    private(set) var statistics = AcceptStatistics()

    init(pool: DatabasePool, path: String, maxGroupSize: Int) {
        self.pool = pool
        self.path = path
        self.maxGroupSize = maxGroupSize
    }

    /// Stores `acceptances` in the next group transaction; returns once it committed.
    func submit(_ acceptances: [Acceptance]) async throws -> [AcceptResult] {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiter(acceptances: acceptances, continuation: continuation))
            if !isCommitting {
                isCommitting = true
                // Not the caller's task: a caller that is cancelled must not cancel a transaction
                // that holds other callers' events.
                Task { await self.commitQueued() }
            }
        }
    }

    private func commitQueued() async {
        while !queue.isEmpty {
            let group = takeGroup()
            let batches = group.map(\.acceptances)
            do {
                // The actor is free while this runs: new callers queue for the next transaction.
                let path = self.path
                let results = try await pool.write { db in
                    try batches.map { batch in
                        let result = Self.store(batch, in: db, path: path)
                        // Some errors (disk full, I/O) make SQLite roll the whole transaction
                        // back: then nothing of this group is stored, and every caller must hear so.
                        guard db.isInsideTransaction else { throw result.failure ?? StoreFailure.transactionLost }
                        return result
                    }
                }
                statistics.transactions += 1
                for (batch, result) in zip(batches, results) where result.failure == nil {
                    statistics.callers += 1
                    statistics.acceptances += batch.count
                }
                for (waiter, result) in zip(group, results) {
                    waiter.continuation.resume(with: result)
                }
            } catch {
                let count = batches.reduce(0) { $0 + $1.count }
                let failure = Outbox.error(
                    error, path: path, operation: "committing \(Outbox.events(count)) accepted together")
                for waiter in group {
                    waiter.continuation.resume(throwing: failure)
                }
            }
        }
        isCommitting = false
    }

    /// The queued batches for one transaction, oldest first: at least one, then as many as fit
    /// in the group size. A batch is never split.
    private func takeGroup() -> [Waiter] {
        var taken = 0
        var size = 0
        for waiter in queue {
            if taken > 0 && size + waiter.acceptances.count > maxGroupSize { break }
            taken += 1
            size += waiter.acceptances.count
        }
        let group = Array(queue.prefix(taken))
        queue.removeFirst(taken)
        return group
    }

    /// One caller's batch, in a savepoint of its own: all of it or none of it.
    private static func store(_ batch: [Acceptance], in db: Database, path: String) -> Result<[AcceptResult], any Error> {
        var results: [AcceptResult] = []
        var current: String?
        do {
            try db.inSavepoint {
                for acceptance in batch {
                    current = acceptance.event.id
                    results.append(try AcceptStatements.store(acceptance, in: db))
                }
                return .commit
            }
            return .success(results)
        } catch {
            let operation = current.map { "accepting event \($0)" } ?? "accepting events"
            return .failure(Outbox.error(error, path: path, operation: operation))
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
