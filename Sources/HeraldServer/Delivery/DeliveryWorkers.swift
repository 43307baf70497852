import Foundation
import HeraldCore
import HeraldDelivery
import HeraldStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Takes due deliveries under a lease — handed over by the intake, leased in the accept's own
/// transaction, or claimed from the outbox — attempts each once on its current channel,
/// and records the attempt with what comes next (delivered, retry at, next channel, dead) in one
/// transaction. A retry waiting for its backoff is a row with a due time, not a sleeping task, so
/// it survives a restart; a worker that dies mid-attempt loses its lease and another one retries
/// (at-least-once, with the same delivery id).
///
/// How many attempts run at once is each endpoint's business: its gate admits up to its adaptive
/// concurrency limit and queues the rest (``Dispatcher/lag(endpoint:)``). The pool only bounds how
/// many deliveries this node holds in memory at once (`capacity`, `delivery.workers`), so every
/// delivery accepted is handed over from the accept — never left in the outbox for a costlier claim
/// because a fixed number of workers was busy — and the intake, not the outbox, absorbs a sender
/// that outruns delivery (``admission``).
public final class DeliveryWorkers: Service, Sendable {
    private let outbox: Outbox
    private let gateway: Gateway
    /// The most deliveries held at once (attempting, or waiting for their endpoint's gate): `delivery.workers`.
    private let capacity: Int
    /// Ingest's pushback, woken as attempts finish.
    let admission: IngestAdmission
    /// The most deliveries one claim takes from the outbox.
    static let claimBatch = 256
    let lease: Duration
    /// Who holds this process's leases: the node's name and a random part, new for every run.
    let owner: String
    /// This node's name, recorded with every attempt.
    let node: String
    private let logger: Logger
    private let wakeup = Wakeup()
    private let metrics = MetricHandles()
    /// Attempts running, plus slots reserved for deliveries the intake is about to hand over or
    /// the loop is claiming. Only ``take(upTo:)`` adds to it, so it never exceeds `capacity`.
    private let inFlight = Atomic<Int>(0)
    /// The most `inFlight` has been (for tests and the log; the gauge shows the current value).
    private let inFlightHighWater = Atomic<Int>(0)
    private let inFlightGauge = Gauge(label: "herald_delivery_in_flight")
    /// Deliveries leased as they were accepted, waiting for the loop to start them.
    private let handedOff = Mutex<[HandOff]>([])
    /// Whether the outbox may hold due deliveries nobody leased: set by ``wake()``, by the poll
    /// timer and after a claim that filled every free worker.
    private let dueInOutbox = Atomic<Bool>(true)
    /// Since when accepted deliveries have been left in the outbox because every slot of the pool
    /// was taken (nil: none since the outbox last had no due delivery left to claim).
    private let spilledSince = Mutex<ContinuousClock.Instant?>(nil)
    /// Set on graceful shutdown: claim nothing more.
    private let stopping = Atomic<Bool>(false)
    /// How often an idle worker pool looks for due work without being woken.
    private let pollInterval: Duration

    public init(outbox: Outbox, gateway: Gateway, capacity: Int, lease: Duration, logger: Logger,
                pollInterval: Duration = .milliseconds(200), node: String = NodeName.default,
                targetLag: Duration = .milliseconds(25), maxLag: Duration = .seconds(1)) {
        self.outbox = outbox
        self.gateway = gateway
        self.capacity = max(1, capacity)
        self.admission = IngestAdmission(target: targetLag, limit: maxLag)
        self.lease = lease
        self.node = node
        self.owner = "\(node)-\(String(UInt32.random(in: .min ... .max), radix: 36))"
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Tells the workers that the outbox has new due deliveries (after an accept that could not
    /// hand all of its deliveries over, a requeue, a reply to forward).
    public func wake() {
        dueInOutbox.store(true, ordering: .relaxed)
        wakeup.signal()
    }

    /// Reserves up to `count` free workers for deliveries the caller is about to accept leased to
    /// ``owner`` (``Outbox/accept(_:leasing:)``); returns how many it got, possibly 0. Every
    /// reservation must end in ``handOff(_:reserved:)``, whatever the accept's fate.
    /// New deliveries are handed over even while the outbox holds due ones (retries, postponed
    /// ones): those are claimed beside them and wait in the same endpoint gates, first come first
    /// served. (Leaving new ones to the outbox instead made a backlog feed itself: a claimed
    /// delivery costs a transaction and a decode more than a handed-over one.)
    func reserve(upTo count: Int) -> Int {
        take(upTo: count)
    }

    /// Takes up to `count` free workers at once (the intake's reservations and the loop's claims
    /// both go through here, so together they never take more than there are).
    private func take(upTo count: Int) -> Int {
        var used = inFlight.load(ordering: .relaxed)
        while true {
            let granted = min(count, capacity - used)
            guard granted > 0 else { return 0 }
            let (exchanged, original) = inFlight.compareExchange(expected: used, desired: used + granted, ordering: .relaxed)
            if exchanged {
                var highest = inFlightHighWater.load(ordering: .relaxed)
                while highest < used + granted {
                    (_, highest) = inFlightHighWater.compareExchange(expected: highest, desired: used + granted, ordering: .relaxed)
                }
                return granted
            }
            used = original
        }
    }

    /// The most deliveries ever held or reserved at once; at most `capacity`.
    var inFlightHighWaterMark: Int { inFlightHighWater.load(ordering: .relaxed) }

    /// A delivery leased as it was accepted, with its message as planned when the caller has it (so
    /// it is not read back from its stored copy).
    typealias HandOff = (delivery: ClaimedDelivery, message: PlannedMessage?)

    /// Starts the deliveries leased at accept on reserved workers, and frees the reservations
    /// they do not use (duplicates, suppressed deliveries, a failed accept).
    func handOff(_ deliveries: [HandOff], reserved: Int) {
        let unused = reserved - deliveries.count
        if unused > 0 { inFlight.subtract(unused, ordering: .relaxed) }
        if !deliveries.isEmpty { handedOff.withLock { $0.append(contentsOf: deliveries) } }
        wakeup.signal()
    }

    /// The intake could not hand over every delivery it accepted (the pool was full): they wait in
    /// the outbox for a claim, and ingest counts that wait as lag (``spillLag``) until the loop has
    /// claimed all the due ones.
    func spilled() {
        spilledSince.withLock { if $0 == nil { $0 = .now } }
        wake()
    }

    /// How long accepted deliveries have been waiting in the outbox for a slot of the pool (zero
    /// when none is).
    var spillLag: Duration {
        spilledSince.withLock { $0 }.map { $0.duration(to: .now) } ?? .zero
    }

    /// A worker finished its attempt: the loop may start another, and a held ingest request may go.
    fileprivate func slotReleased() {
        inFlight.subtract(1, ordering: .relaxed)
        admission.progress()
        // The loop has something to do with a free slot only when the outbox may hold due work
        // (hand-offs wake it themselves): not waking it for every attempt saves a task switch each.
        if dueInOutbox.load(ordering: .relaxed) { wakeup.signal() }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            // The group ends when every attempt in flight has been recorded: on shutdown nothing
            // new is claimed and what was claimed finishes.
            await withDiscardingTaskGroup { group in
                func start(_ delivery: ClaimedDelivery, message: PlannedMessage? = nil) {
                    group.addTask {
                        let slot = WorkerSlot(self)
                        await self.process(delivery, planned: message, slot: slot)
                        slot.release()
                    }
                }
                // Deliveries the intake leased as it accepted them hold a reserved worker already.
                func startHandedOff() {
                    let taken = handedOff.withLock { queued in
                        var taken: [HandOff] = []
                        swap(&taken, &queued)
                        return taken
                    }
                    for (delivery, message) in taken { start(delivery, message: message) }
                }
                // One timer for the pool: due retries and postponed deliveries are found by
                // looking every `pollInterval`, not by a timer per wait. In a cluster this is how a
                // node finds deliveries another node accepted (no NOTIFY in the accept's
                // transaction: it would serialize every commit cluster-wide); the jitter keeps the
                // nodes from polling in step.
                group.addTask {
                    while !self.stopping.load(ordering: .relaxed), !Task.isCancelled {
                        try? await Task.sleep(for: self.pollInterval * Double.random(in: 0.75...1.25))
                        self.dueInOutbox.store(true, ordering: .relaxed)
                        self.wakeup.signal()
                    }
                }
                // Held ingest requests are refused once held too long, even if nothing finishes.
                group.addTask {
                    while !self.stopping.load(ordering: .relaxed), !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(20))
                        if self.admission.holding > 0 { self.admission.tick() }
                    }
                }
                while !self.stopping.load(ordering: .relaxed), !Task.isCancelled {
                    startHandedOff()
                    // The outbox is read only when it may hold due work: a delivery finishing
                    // frees a worker but does not by itself make anything due. The free workers
                    // are taken before the claim, so the intake cannot reserve them meanwhile.
                    if inFlight.load(ordering: .relaxed) < capacity, dueInOutbox.exchange(false, ordering: .relaxed) {
                        let free = take(upTo: Self.claimBatch)
                        var claimed: [ClaimedDelivery] = []
                        let now = Date()
                        if free > 0 {
                            do {
                                claimed = try await outbox.claim(limit: free, now: now, lease: lease, owner: owner)
                            } catch {
                                logger.error("cannot claim deliveries", metadata: ["error": "\(error)"])
                            }
                            if free > claimed.count { inFlight.subtract(free - claimed.count, ordering: .relaxed) }
                        }
                        for delivery in claimed { start(delivery) }
                        // The claim left nothing due behind: nothing spilled waits any more.
                        if claimed.count < free { spilledSince.withLock { $0 = nil } }
                        // A full claim may have left more due work (and one that found every
                        // worker reserved did not look): look again once a worker is free.
                        if claimed.count == free { dueInOutbox.store(true, ordering: .relaxed) }
                    }
                    inFlightGauge.record(inFlight.load(ordering: .relaxed))
                    await wakeup.wait()
                }
                // Accepted and leased before intake stopped: attempt them rather than leave them
                // waiting for their lease to run out.
                startHandedOff()
            }
            admission.close()
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.wakeup.signal()
        }
    }

    /// One step of one delivery, recorded.
    /// `planned` is the delivery's message when the caller has it at hand (the intake's hand-off);
    /// otherwise the stored copy is read.
    ///
    /// `slot` is released as soon as the attempt is over, before it is recorded: a worker is
    /// for attempting, and the record only waits for the next group commit (the delivery stays
    /// leased until it is in).
    ///
    /// The attempt waits in its endpoint's gate no longer than the delivery's lease allows
    /// (`delivery.lease.until`), and is put back instead: another worker would take it over once
    /// the lease ran out, and send it a second time.
    func process(_ delivery: ClaimedDelivery, planned: PlannedMessage? = nil, slot: WorkerSlot? = nil) async {
        let started = Date()
        let snapshot = gateway.snapshot
        let stored: JSONValue
        let message: PlannedMessage?
        do {
            if let planned {
                (stored, message) = (.null, planned)
            } else {
                stored = try JSONParser.parse(delivery.message)
                message = stored["kind"]?.stringValue == CallbackDocument.kind ? nil : try PlannedMessage(stored: stored)
            }
        } catch {
            await record(delivery, channel: delivery.currentChannel ?? "-", started: started, outcome: "skipped", error: nil,
                         note: "\(error)", next: .dead(reason: "the stored message cannot be read: \(error)"))
            return
        }
        if let expiresAt = delivery.expiresAt, started > expiresAt {
            await record(delivery, channel: delivery.currentChannel ?? "-", started: started, outcome: "skipped", error: nil,
                         note: nil, next: .expired(reason: "not delivered by \(ISO8601DateFormatter().string(from: expiresAt)), when the rule's 'expires' ran out; not sent late"))
            Counter(label: "herald_deliveries_total", dimensions: [("endpoint", delivery.currentChannel ?? "-"), ("result", "expired")]).increment()
            return
        }
        if let message, delivery.priority > 0, let hold = try? await protectionHold(delivery, message: message, snapshot: snapshot, now: started) {
            let note = "\(hold.explanation): waiting until \(RecordJSON.timestamp(hold.until).stringValue ?? "")"
            _ = try? await outbox.postpone(deliveryID: delivery.id, lease: delivery.lease, until: hold.until, note: note, now: started)
            Counter(label: "herald_deliveries_postponed_total", dimensions: [("reason", hold.reason.rawValue)]).increment()
            return
        }
        let age = Duration.milliseconds(Int64(max(0, started.timeIntervalSince(delivery.createdAt)) * 1000))
        let leaseLeft = Duration.milliseconds(Int64(delivery.lease.until.timeIntervalSince(Date()) * 1000))
        let step: DeliveryStep
        if let message {
            // Non-urgent messages do not queue inside the rate limiter for long: they go back to the
            // outbox, where urgent ones are claimed first.
            step = await DeliveryTracing.attempt(delivery, message: message, stored: stored, snapshot: snapshot) {
                await snapshot.dispatcher.step(message, channelIndex: delivery.channelIndex, attemptsOnChannel: delivery.attemptsOnChannel,
                                               age: age, deliveryID: delivery.id, eventID: delivery.eventID,
                                               maxRateWait: delivery.priority > 0 ? .milliseconds(50) : nil, leaseLeft: leaseLeft)
            }
        } else {
            // A reply on its way to the business: the stored document, signed, to the on_reply endpoint.
            step = await DeliveryTracing.attempt(delivery, message: nil, stored: stored, snapshot: snapshot) {
                await snapshot.dispatcher.step(document: stored["body"] ?? .null, channel: delivery.currentChannel ?? "-",
                                               attemptsOnChannel: delivery.attemptsOnChannel, age: age, deliveryID: delivery.id,
                                               leaseLeft: leaseLeft)
            }
        }
        let now = Date()
        switch step.next {
        case .wait(let wait), .busy(let wait):
            let reason = if case .busy = step.next { "concurrency_limit" } else { "rate_limit" }
            _ = try? await outbox.postpone(deliveryID: delivery.id, lease: delivery.lease, until: now.addingTimeInterval(wait.inSeconds),
                                           note: step.note ?? reason, now: now)
            Counter(label: "herald_deliveries_postponed_total", dimensions: [("reason", reason)]).increment()
            return
        default:
            break
        }
        let next: NextStep
        switch step.next {
        case .delivered(let channel, let providerID): next = .delivered(channel: channel, providerID: providerID)
        case .retry(let after): next = .retry(at: now.addingTimeInterval(Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18))
        case .nextChannel(let index): next = .nextChannel(index: index, at: now)
        case .dead(let reason): next = .dead(reason: reason)
        case .wait, .busy: return
        }
        let (outcome, error): (String, ProviderError?) = switch step.outcome {
        case .delivered?: ("delivered", nil)
        case .retryable(let error, _)?: ("retryable", error)
        case .permanent(let error)?: ("permanent", error)
        case nil: ("skipped", nil)
        }
        let channel = step.channel ?? delivery.currentChannel ?? "-"
        slot?.release()
        await record(delivery, channel: channel, started: started, outcome: outcome, error: error, note: step.note, next: next)
        metrics.counter("herald_delivery_attempts_total", [("endpoint", channel), ("outcome", outcome)]).increment()
        metrics.timer("herald_delivery_attempt_duration_seconds", [("endpoint", channel)])
            .recordNanoseconds(Int64(now.timeIntervalSince(started) * 1e9))
        switch next {
        case .delivered:
            metrics.counter("herald_deliveries_total", [("endpoint", channel), ("result", "delivered")]).increment()
            logger.info("delivered", metadata: ["delivery": "\(delivery.id)", "event": "\(delivery.eventID)", "endpoint": "\(channel)",
                                                "provider_id": "\(step.outcome.flatMap { if case .delivered(let id) = $0 { id } else { nil } } ?? "-")"])
        case .dead(let reason):
            metrics.counter("herald_deliveries_total", [("endpoint", channel), ("result", "dead")]).increment()
            logger.warning("dead letter", metadata: ["delivery": "\(delivery.id)", "event": "\(delivery.eventID)",
                                                     "reason": "\(LogRedaction.maskingPhoneNumbers(reason))"])
        case .expired, .suppressed:
            break
        case .retry, .nextChannel:
            logger.debug("attempt failed", metadata: ["delivery": "\(delivery.id)", "endpoint": "\(channel)", "outcome": "\(outcome)",
                                                     "error": "\(LogRedaction.maskingPhoneNumbers(error.map { "\($0)" } ?? step.note ?? "-"))"])
        }
    }

    /// Quiet hours in the recipient's time zone, then pacing across rules (``ProtectionSettings/hold(recipientTimeZone:now:sentTimes:)``),
    /// with the recipient's recent messages read from the outbox: nil when the message may go now.
    private func protectionHold(_ delivery: ClaimedDelivery, message: PlannedMessage, snapshot: GatewaySnapshot, now: Date) async throws
        -> ProtectionHold?
    {
        let protection = snapshot.config.protection
        var sent: [Date] = []
        if let pacing = protection.pacing, let recipient = delivery.recipient {
            sent = try await outbox.deliveredTimes(to: recipient, since: now.addingTimeInterval(-pacing.per.inSeconds))
        }
        return protection.hold(recipientTimeZone: message.recipient.timezone, now: now, sentTimes: sent)
    }

    private func record(_ delivery: ClaimedDelivery, channel: String, started: Date, outcome: String, error: ProviderError?,
                        note: String?, next: NextStep) async {
        let providerID: String? = if case .delivered(_, let id) = next { id } else { nil }
        let attempt = AttemptRecord(
            deliveryID: delivery.id, channel: channel, number: delivery.attemptsOnChannel + 1, startedAt: started,
            duration: .milliseconds(Int64(Date().timeIntervalSince(started) * 1000)), outcome: outcome, providerID: providerID,
            errorCode: error?.code ?? error?.status.map { "HTTP \($0)" }, errorMessage: error.map { "\($0)" } ?? note, node: node)
        do {
            let kept = try await outbox.record(attempt, next: next, lease: delivery.lease)
            if !kept {
                logger.warning("lease lost before the attempt was recorded; another worker will retry",
                               metadata: ["delivery": "\(delivery.id)"])
            }
        } catch {
            logger.error("cannot record an attempt; the lease will expire and the delivery be retried",
                         metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }
}

/// One worker of the pool, held by a delivery from its start until its attempt is over; released
/// once, whichever comes first of the attempt's end and the task's.
final class WorkerSlot: Sendable {
    private let workers: DeliveryWorkers
    private let released = Atomic<Bool>(false)

    init(_ workers: DeliveryWorkers) {
        self.workers = workers
    }

    func release() {
        guard !released.exchange(true, ordering: .relaxed) else { return }
        workers.slotReleased()
    }
}
