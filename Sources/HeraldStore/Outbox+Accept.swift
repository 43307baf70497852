extension Outbox {
    /// Stores each acceptance — its event and all its deliveries — unless its event is already
    /// stored, and returns once they are committed.
    ///
    /// An event whose id, or whose non-nil idempotency key, is already in the outbox (or earlier
    /// in the same batch) is not stored again: its result is ``AcceptResult/duplicate(of:firstReceivedAt:deliveries:)``
    /// with what the first one had. An event is a duplicate only while the first is kept:
    /// ``prune(deliveredBefore:)`` ends that window.
    ///
    /// The batch is one unit: if any acceptance in it cannot be stored (a delivery id already
    /// used, a delivery with no channel), none of it is, and this throws. Concurrent callers share
    /// transactions (group commit): each call's batch goes into the next transaction the outbox
    /// commits, together with every other batch that arrived meanwhile, so many requests at once
    /// cost far fewer commits than requests. A caller whose task is cancelled still has its batch
    /// committed if it was queued.
    ///
    /// - Returns: one result per acceptance, in order.
    /// - Throws: ``OutboxError``; nothing of the batch is stored then.
    public func accept(_ acceptances: [Acceptance]) async throws(OutboxError) -> [AcceptResult] {
        try await accept(acceptances, leasing: nil).results
    }

    /// ``accept(_:)``, also leasing up to `lease.limit` of the deliveries it stores pending and due
    /// to `lease.owner` until `lease.until`, in the same transaction: they are returned in
    /// `leased`, ready to attempt, and no claim returns them while the lease holds. Deliveries
    /// stored suppressed, those of duplicates and those due later are never leased.
    public func accept(_ acceptances: [Acceptance], leasing lease: AcceptLease?) async throws(OutboxError)
        -> (results: [AcceptResult], leased: [ClaimedDelivery])
    {
        guard !acceptances.isEmpty else { return ([], []) }
        try checkOpen("accepting \(Self.events(acceptances.count))")
        do {
            let path = self.path
            return try await committer.submit(size: acceptances.count, acceptances: acceptances.count) { db in
                var current: String?
                var leasing = lease.map { AcceptStatements.Leasing(owner: $0.owner, until: StoredTime.milliseconds($0.until), remaining: $0.limit) }
                do {
                    let results = try acceptances.map { acceptance in
                        current = acceptance.event.id
                        return try AcceptStatements.store(acceptance, leasing: &leasing, in: db)
                    }
                    return (results, leasing?.leased ?? [])
                } catch {
                    throw Self.error(error, path: path, operation: current.map { "accepting event \($0)" } ?? "accepting events")
                }
            }
        } catch {
            throw Self.error(error, path: path, operation: "accepting \(Self.events(acceptances.count))")
        }
    }
}
