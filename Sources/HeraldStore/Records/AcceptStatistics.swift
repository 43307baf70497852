/// Counters of ``Outbox/accept(_:)``'s group commit since the outbox was opened: how many
/// callers' batches shared how many transactions (for a group-size metric).
public struct AcceptStatistics: Sendable, Hashable {
    /// Accept transactions committed.
    public var transactions: Int
    /// Calls whose batches were committed.
    public var callers: Int
    /// Acceptances (events) in those batches, duplicates included.
    public var acceptances: Int

    public init(transactions: Int = 0, callers: Int = 0, acceptances: Int = 0) {
        self.transactions = transactions
        self.callers = callers
        self.acceptances = acceptances
    }
}

/// Counters of the outbox's group commit since it was opened, over every write that goes through it
/// (accepts, claims, recorded attempts, postponements): `writes / transactions` is the mean group.
public struct GroupCommitStatistics: Sendable, Hashable {
    /// Transactions committed or rolled back whole.
    public var transactions: Int
    /// Callers' writes that went into them.
    public var writes: Int

    public init(transactions: Int = 0, writes: Int = 0) {
        self.transactions = transactions
        self.writes = writes
    }
}
