extension SQLiteStore {
    /// Stores each acceptance in the next group-commit transaction, shared with every other batch
    /// that arrived meanwhile (``GroupCommitter``), so many requests at once cost far fewer commits
    /// than requests. A caller whose task is cancelled still has its batch committed if it was
    /// queued. Deliveries stored suppressed, those of duplicates and those due later are never leased.
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
