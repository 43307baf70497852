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
        guard !acceptances.isEmpty else { return [] }
        try checkOpen("accepting \(Self.events(acceptances.count))")
        do {
            return try await committer.submit(acceptances)
        } catch {
            throw Self.error(error, path: path, operation: "accepting \(Self.events(acceptances.count))")
        }
    }
}
