import Foundation

/// The durable outbox: accepted events, the deliveries planned for them, every attempt, provider
/// statuses, customers' replies, opt-outs and dedupe keys — everything `herald serve`, its workers,
/// its conversations and the CLI keep. Two stores implement it and pass one conformance suite:
///
/// - ``SQLiteStore``: one file, one node (the embedded default).
/// - ``PostgresStore``: one PostgreSQL database shared by any number of nodes (a cluster).
///
/// ## The promise
/// Once ``accept(_:leasing:)`` returns `.accepted` for an event, the event and each of its
/// deliveries are committed and stay until a worker records each delivered, dead, expired or
/// suppressed, whatever happens to the process. A worker ``claim(limit:now:lease:owner:)``s due
/// deliveries under a lease, attempts them, and ``record(_:next:lease:)``s each attempt with what
/// comes next. A worker that dies lets its lease run out and another claims the delivery again:
/// a message can be sent twice (at least once), never zero times.
///
/// ## Leases and fencing
/// A lease is an owner, a fencing token and an expiry (``Lease``). Every claim of a delivery
/// gives it a new, larger token; every change a worker makes under a lease (record, postpone)
/// applies only while the delivery still carries that token. A worker that comes back after its
/// lease was taken over changes nothing, however late it is. A lease that ran out but was not
/// taken over still counts: the attempt happened, and forgetting a delivered one would send the
/// message again.
///
/// ## Times
/// Stores keep whole milliseconds since 1970 (UTC); a `Date` comes back rounded to the millisecond.
/// A store never reads the clock: every time comes from the caller.
///
/// ## Errors
/// Every method throws ``OutboxError``, naming the store and what it was doing, never an event's
/// body, a message or a password.
public protocol Outbox: AnyObject, Sendable {
    /// Where the store is, for messages: the SQLite file's path, or the PostgreSQL URL without a password.
    var location: String { get }

    // MARK: Accepting and delivering

    /// Stores each acceptance — its event and all its deliveries — unless its event is already
    /// stored (same id, or same non-nil idempotency key: then the result names the first), and
    /// returns once they are committed. Deliveries whose recipient opted out of their category,
    /// or whose dedupe key another event holds within its window, are stored suppressed.
    ///
    /// With `lease`, up to `lease.limit` of the deliveries it stores pending and due are leased to
    /// `lease.owner` in the same transaction and returned in `leased`, ready to attempt.
    ///
    /// The batch is one unit: if any acceptance cannot be stored, none of it is, and this throws.
    func accept(_ acceptances: [Acceptance], leasing lease: AcceptLease?) async throws(OutboxError)
        -> (results: [AcceptResult], leased: [ClaimedDelivery])

    /// Leases up to `limit` deliveries to `owner`: pending ones that are due (`dueAt <= now`) and not
    /// leased, or whose lease ran out; urgent ones first, then oldest due first (then by id). Each
    /// is leased until `now + lease` under a new fencing token.
    func claim(limit: Int, now: Date, lease: Duration, owner: String) async throws(OutboxError) -> [ClaimedDelivery]

    /// Records `attempt` and what happens next, in one transaction, if the delivery still carries
    /// `lease` (its owner and token). Every step counts the attempt, keeps a failed attempt's error
    /// as the last error and releases the lease.
    ///
    /// - Returns: false, recording nothing, when the delivery is unknown, no longer pending, or
    ///   leased under another token.
    /// - Throws: ``OutboxError/Code/invalidInput`` when `next` names a channel the delivery lacks.
    func record(_ attempt: AttemptRecord, next: NextStep, lease: Lease) async throws(OutboxError) -> Bool

    /// Puts a leased delivery back, unattempted, due at `until` (quiet hours, pacing, a rate limit),
    /// if it still carries `lease`; `note` becomes its last error so the wait is visible.
    func postpone(deliveryID: String, lease: Lease, until: Date, note: String, now: Date) async throws(OutboxError) -> Bool

    /// Puts a dead delivery back to work: pending, due at `now`, on its first channel, counters at
    /// zero, no deadline. Returns false if no delivery has that id or it is not dead.
    func requeue(deliveryID: String, now: Date) async throws(OutboxError) -> Bool

    /// Removes up to `limit` events received before `deliveredBefore` whose deliveries are all
    /// delivered and were last updated before it, with their deliveries,
    /// attempts, statuses and replies, in one bounded transaction. Returns how many events.
    func prune(deliveredBefore date: Date, limit: Int) async throws(OutboxError) -> Int

    // MARK: Inspection

    /// The event with `id`, its deliveries in planned order, each with its attempts.
    func event(id: String) async throws(OutboxError) -> EventRecord?
    /// Up to `limit` deliveries with `status` (any if nil), with attempts, ordered by id, after `cursor`.
    func deliveries(status: DeliveryStatus?, limit: Int, after cursor: String?) async throws(OutboxError) -> [DeliveryRecord]
    /// Pending, due and dead counts, the earliest pending due time and the lag behind it.
    func depth(now: Date) async throws(OutboxError) -> OutboxDepth
    /// The delivery with `id`, with its attempts.
    func delivery(id: String) async throws(OutboxError) -> DeliveryRecord?
    /// The delivery a provider's message id belongs to.
    func delivery(providerID: String) async throws(OutboxError) -> DeliveryRecord?

    // MARK: Conversations

    /// Records a provider status once, and makes it the delivery's status when `shouldApply`
    /// (given the current status, or nil, and the new one) says it moves forward. `deliveryID`
    /// finds the delivery when the status arrives before the send's answer was recorded.
    func record(status: StatusRecord, deliveryID: String?, shouldApply: @escaping @Sendable (String?, String) -> Bool)
        async throws(OutboxError) -> StatusOutcome
    /// A delivered message the provider later reported failed goes back to pending on channel `index`.
    func failOver(deliveryID: String, toChannel index: Int, reason: String, now: Date) async throws(OutboxError) -> Bool
    /// Every status recorded for a delivery, oldest first.
    func statuses(deliveryID: String) async throws(OutboxError) -> [StatusRecord]
    /// Adds a delivery to a stored event (a reply's callback); false when that id exists already.
    func enqueue(_ delivery: NewDelivery, eventID: String, now: Date) async throws(OutboxError) -> Bool
    /// Stores a reply once; false when a reply with its provider message id is stored already.
    func record(reply: ReplyRecord) async throws(OutboxError) -> Bool
    /// The replies to a delivery, oldest first.
    func replies(deliveryID: String) async throws(OutboxError) -> [ReplyRecord]
    /// The most recent delivered message to `recipient` since `since` among `rules`.
    func latestQuestion(to recipient: String, rules: Set<String>, since: Date) async throws(OutboxError) -> DeliveryRecord?
    /// When non-urgent messages were delivered to `recipient` since `since` (for pacing), oldest first.
    func deliveredTimes(to recipient: String, since: Date) async throws(OutboxError) -> [Date]

    // MARK: Opt-outs

    /// Adds (or replaces) an opt-out.
    func suppress(_ suppression: Suppression) async throws(OutboxError)
    /// Removes opt-outs of `address` (one category, or all when nil); returns how many.
    func unsuppress(address: String, category: String?) async throws(OutboxError) -> Int
    /// The opt-outs of `address`, or all of them when nil, by address then category.
    func suppressions(address: String?, limit: Int) async throws(OutboxError) -> [Suppression]

    // MARK: Nodes

    /// Says that `node` is alive at `now`, and returns the nodes seen within `window`, this one
    /// included: how many share the endpoints' rates and concurrency.
    func heartbeat(node: String, now: Date, window: Duration) async throws(OutboxError) -> [String]

    // MARK: Operations

    /// How many transactions the store's group commit made, for how many writes.
    func groupCommitStatistics() async -> GroupCommitStatistics
    /// How the group commit of ``accept(_:leasing:)`` has fared.
    func acceptStatistics() async -> AcceptStatistics
    /// Closes the connections; calls made afterwards throw, calls in flight finish first or throw.
    func close() async throws(OutboxError)
}

extension Outbox {
    /// ``accept(_:leasing:)`` without leasing anything.
    public func accept(_ acceptances: [Acceptance]) async throws(OutboxError) -> [AcceptResult] {
        try await accept(acceptances, leasing: nil).results
    }

    /// ``deliveries(status:limit:after:)`` from the first page.
    public func deliveries(status: DeliveryStatus?, limit: Int) async throws(OutboxError) -> [DeliveryRecord] {
        try await deliveries(status: status, limit: limit, after: nil)
    }

    /// ``record(status:deliveryID:shouldApply:)`` found by the provider's id alone.
    public func record(status: StatusRecord, shouldApply: @escaping @Sendable (String?, String) -> Bool) async throws(OutboxError) -> StatusOutcome {
        try await record(status: status, deliveryID: nil, shouldApply: shouldApply)
    }

    /// Every opt-out (up to 1000), or those of `address`.
    public func suppressions(address: String? = nil) async throws(OutboxError) -> [Suppression] {
        try await suppressions(address: address, limit: 1000)
    }

    /// ``prune(deliveredBefore:limit:)`` in batches until nothing is left to prune.
    public func pruneAll(deliveredBefore date: Date, batch: Int = 1000) async throws(OutboxError) -> Int {
        var total = 0
        while true {
            let removed = try await prune(deliveredBefore: date, limit: batch)
            total += removed
            if removed < batch { return total }
        }
    }
}

/// A worker's hold on a delivery: who holds it, the fencing token the claim gave it, and until when.
public struct Lease: Sendable, Hashable {
    /// The worker pool that holds it (node name and a random part).
    public var owner: String
    /// Larger for every claim of the same delivery: a change made under an older token is refused.
    public var token: Int64
    /// When another worker may take it over.
    public var until: Date

    public init(owner: String, token: Int64, until: Date) {
        self.owner = owner
        self.token = token
        self.until = until
    }
}
