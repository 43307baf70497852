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
public final class DeliveryWorkers: Service, Sendable {
    private let outbox: Outbox
    private let gateway: Gateway
    private let concurrency: Int
    let lease: Duration
    /// Who holds this process's leases: the node's name and a random part, new for every run.
    let owner: String
    /// This node's name, recorded with every attempt.
    let node: String
    private let logger: Logger
    private let wakeup = Wakeup()
    private let metrics = MetricHandles()
    /// Attempts running, plus slots reserved for deliveries the intake is about to hand over.
    private let inFlight = Atomic<Int>(0)
    /// Deliveries leased as they were accepted, waiting for the loop to start them.
    private let handedOff = Mutex<[(delivery: ClaimedDelivery, message: PlannedMessage?)]>([])
    /// Whether the outbox may hold due deliveries nobody leased: set by ``wake()``, by the poll
    /// timer and after a claim that filled every free worker.
    private let dueInOutbox = Atomic<Bool>(true)
    /// Set on graceful shutdown: claim nothing more.
    private let stopping = Atomic<Bool>(false)
    /// How often an idle worker pool looks for due work without being woken.
    private let pollInterval: Duration

    public init(outbox: Outbox, gateway: Gateway, concurrency: Int, lease: Duration, logger: Logger,
                pollInterval: Duration = .milliseconds(200), node: String = NodeName.default) {
        self.outbox = outbox
        self.gateway = gateway
        self.concurrency = max(1, concurrency)
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
    /// None while the outbox may hold due deliveries: new ones then queue behind them there, so
    /// deliveries go out in the order they are due rather than newest first.
    func reserve(upTo count: Int) -> Int {
        guard !dueInOutbox.load(ordering: .relaxed) else { return 0 }
        var used = inFlight.load(ordering: .relaxed)
        while true {
            let granted = min(count, concurrency - used)
            guard granted > 0 else { return 0 }
            let (exchanged, original) = inFlight.compareExchange(expected: used, desired: used + granted, ordering: .relaxed)
            if exchanged { return granted }
            used = original
        }
    }

    /// Starts the deliveries leased at accept on reserved workers, and frees the reservations
    /// they do not use (duplicates, suppressed deliveries, a failed accept).
    /// Each comes with its message as planned, when the caller has it, so it is not read back from
    /// its stored copy.
    func handOff(_ deliveries: [(delivery: ClaimedDelivery, message: PlannedMessage?)], reserved: Int) {
        let unused = reserved - deliveries.count
        if unused > 0 { inFlight.subtract(unused, ordering: .relaxed) }
        if !deliveries.isEmpty { handedOff.withLock { $0.append(contentsOf: deliveries) } }
        wakeup.signal()
    }

    /// A worker finished its attempt: the loop may start another.
    fileprivate func slotReleased() {
        inFlight.subtract(1, ordering: .relaxed)
        wakeup.signal()
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
                        var taken: [(delivery: ClaimedDelivery, message: PlannedMessage?)] = []
                        swap(&taken, &queued)
                        return taken
                    }
                    for (delivery, message) in taken { start(delivery, message: message) }
                }
                // One timer for the pool: due retries and postponed deliveries are found by
                // looking every `pollInterval`, not by a timer per wait.
                group.addTask {
                    while !self.stopping.load(ordering: .relaxed), !Task.isCancelled {
                        try? await Task.sleep(for: self.pollInterval)
                        self.dueInOutbox.store(true, ordering: .relaxed)
                        self.wakeup.signal()
                    }
                }
                while !self.stopping.load(ordering: .relaxed), !Task.isCancelled {
                    startHandedOff()
                    // The outbox is read only when it may hold due work: a delivery finishing
                    // frees a worker but does not by itself make anything due.
                    let free = concurrency - inFlight.load(ordering: .relaxed)
                    if free > 0, dueInOutbox.exchange(false, ordering: .relaxed) {
                        var claimed: [ClaimedDelivery] = []
                        do {
                            claimed = try await outbox.claim(limit: free, now: Date(), lease: lease, owner: owner)
                        } catch {
                            logger.error("cannot claim deliveries", metadata: ["error": "\(error)"])
                        }
                        inFlight.add(claimed.count, ordering: .relaxed)
                        for delivery in claimed { start(delivery) }
                        // A full claim may have left more due work: look again once a worker is free.
                        if claimed.count == free { dueInOutbox.store(true, ordering: .relaxed) }
                    }
                    await wakeup.wait()
                }
                // Accepted and leased before intake stopped: attempt them rather than leave them
                // waiting for their lease to run out.
                startHandedOff()
            }
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
        if let message, delivery.priority > 0, let wait = try? await protectionWait(delivery, message: message, snapshot: snapshot, now: started) {
            _ = try? await outbox.postpone(deliveryID: delivery.id, lease: delivery.lease, until: wait.until, note: wait.why, now: started)
            Counter(label: "herald_deliveries_postponed_total", dimensions: [("reason", wait.reason)]).increment()
            return
        }
        let age = Duration.milliseconds(Int64(max(0, started.timeIntervalSince(delivery.createdAt)) * 1000))
        let step: DeliveryStep
        if let message {
            // Non-urgent messages do not queue inside the rate limiter for long: they go back to the
            // outbox, where urgent ones are claimed first.
            step = await snapshot.dispatcher.step(message, channelIndex: delivery.channelIndex, attemptsOnChannel: delivery.attemptsOnChannel,
                                                  age: age, deliveryID: delivery.id, eventID: delivery.eventID,
                                                  maxRateWait: delivery.priority > 0 ? .milliseconds(50) : nil)
        } else {
            // A reply on its way to the business: the stored document, signed, to the on_reply endpoint.
            step = await snapshot.dispatcher.step(document: stored["body"] ?? .null, channel: delivery.currentChannel ?? "-",
                                                  attemptsOnChannel: delivery.attemptsOnChannel, age: age, deliveryID: delivery.id)
        }
        let now = Date()
        if case .wait(let wait) = step.next {
            let until = now.addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            _ = try? await outbox.postpone(deliveryID: delivery.id, lease: delivery.lease, until: until, note: step.note ?? "rate limit", now: now)
            Counter(label: "herald_deliveries_postponed_total", dimensions: [("reason", "rate_limit")]).increment()
            return
        }
        let next: NextStep
        switch step.next {
        case .delivered(let channel, let providerID): next = .delivered(channel: channel, providerID: providerID)
        case .retry(let after): next = .retry(at: now.addingTimeInterval(Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18))
        case .nextChannel(let index): next = .nextChannel(index: index, at: now)
        case .dead(let reason): next = .dead(reason: reason)
        case .wait: return
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

    /// Quiet hours in the recipient's time zone, then pacing across rules: when a non-urgent
    /// message must wait, until when and why; nil when it may go now.
    private func protectionWait(_ delivery: ClaimedDelivery, message: PlannedMessage, snapshot: GatewaySnapshot, now: Date) async throws
        -> (until: Date, why: String, reason: String)?
    {
        let protection = snapshot.config.protection
        if let quiet = protection.quietHours {
            let zone = message.recipient.timezone.flatMap(TimeZone.init(identifier:)) ?? protection.defaultTimeZone
            // Named as the event named it (Foundation calls UTC "GMT").
            let zoneName = message.recipient.timezone.flatMap { TimeZone(identifier: $0) == nil ? nil : $0 } ?? protection.defaultTimeZone.identifier
            let allowed = quiet.nextAllowed(at: now, timeZone: zone)
            if allowed > now {
                return (allowed, "quiet hours (\(quiet.from)–\(quiet.to), \(zoneName)): waiting until \(RecordJSON.timestamp(allowed).stringValue ?? "")", "quiet_hours")
            }
        }
        if let pacing = protection.pacing, let recipient = delivery.recipient {
            let since = now.addingTimeInterval(-Double(pacing.per.components.seconds))
            let sent = try await outbox.deliveredTimes(to: recipient, since: since)
            if let free = pacing.decide(sentTimes: sent, now: now) {
                return (free, "pacing: \(pacing.limit) messages per \(pacing.per) to this recipient reached; waiting until \(RecordJSON.timestamp(free).stringValue ?? "")", "pacing")
            }
        }
        return nil
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
