import Foundation
import HeraldCore

/// One step of a delivery, for the outbox's workers: a single attempt on the delivery's current
/// channel, and what the retry and failover rules say comes next. The worker stores the step and
/// comes back when it is due, so a retry waiting for its backoff holds no task and survives a restart.
public struct DeliveryStep: Sendable {
    public enum Next: Sendable, Hashable {
        /// The endpoint took the message.
        case delivered(channel: String, providerID: String?)
        /// Try the same channel again after this wait (backoff or Retry-After).
        case retry(after: Duration)
        /// Give up on this channel; try the rule's channel at this index now.
        case nextChannel(index: Int)
        /// No channel can take it: the message is dead, for this reason.
        case dead(reason: String)
        /// Not attempted: the endpoint's rate limit is booked for this long. Put it back and come
        /// back then, so that urgent messages claimed meanwhile go first.
        case wait(Duration)
        /// Not attempted: every one of the endpoint's concurrency slots stayed taken for as long as
        /// the delivery's lease allowed waiting. Put it back and come back after this long.
        case busy(Duration)
    }

    /// The channel this step was about.
    public var channel: String?
    /// The attempt's outcome; nil when nothing was sent (breaker open, over-long text, missing secret).
    public var outcome: DeliveryOutcome?
    /// Why the channel was skipped or given up, for the delivery's history.
    public var note: String?
    public var next: Next
}

extension Dispatcher {
    /// Attempts `message` once on `channels[channelIndex]` and decides what comes next.
    /// - Parameters:
    ///   - attemptsOnChannel: attempts already made on this channel (0 for the first).
    ///   - age: how long ago the delivery was accepted (checked against the endpoint's `max_age`).
    ///   - maxRateWait: the longest the attempt may wait for the endpoint's rate limit; beyond it
    ///     the step is ``DeliveryStep/Next/wait(_:)``. Nil: no limit of its own.
    ///   - leaseLeft: how long the caller still holds the delivery's lease. Waiting in the
    ///     endpoint's gate (rate limit and concurrency) ends early enough that the attempt, with the
    ///     endpoint's `timeout`, is over before the lease: a longer wait is ``DeliveryStep/Next/wait(_:)``
    ///     or ``DeliveryStep/Next/busy(_:)`` instead, so no other worker takes the delivery over
    ///     while it is being sent. Nil: no lease (`herald send`).
    public func step(_ message: PlannedMessage, channelIndex: Int, attemptsOnChannel: Int, age: Duration,
                     deliveryID: String, eventID: String?, maxRateWait: Duration? = nil, leaseLeft: Duration? = nil) async -> DeliveryStep {
        guard let text = message.text, !text.isEmpty, message.problems.isEmpty else {
            return DeliveryStep(channel: nil, outcome: nil, note: nil,
                                next: .dead(reason: "message not rendered: \(message.problems.joined(separator: "; "))"))
        }
        let failover = Failover(channels: message.channels)
        guard failover.channels.indices.contains(channelIndex) else {
            return DeliveryStep(channel: nil, outcome: nil, note: nil, next: .dead(reason: "no channel left (channel \(channelIndex + 1) of \(failover.channels.count))"))
        }
        let channel = failover.channels[channelIndex]
        func giveUp(_ result: ChannelResult, outcome: DeliveryOutcome?) -> DeliveryStep {
            let why = "\(channel): \(Self.describe(result))"
            switch failover.next(after: channel, result: result) {
            case .next(let next):
                return DeliveryStep(channel: channel, outcome: outcome, note: why,
                                    next: .nextChannel(index: failover.channels.firstIndex(of: next) ?? channelIndex + 1))
            case .done, .exhausted:
                return DeliveryStep(channel: channel, outcome: outcome, note: why, next: .dead(reason: why))
            }
        }
        if let tooLong = message.channelProblems[channel] { return giveUp(.permanent(ProviderError(message: tooLong)), outcome: nil) }
        guard let lane = lane(named: channel) else {
            return giveUp(.permanent(ProviderError(message: "no endpoint named '\(channel)' in herald.yaml")), outcome: nil)
        }
        guard let secrets = lane.secrets else {
            return giveUp(.permanent(ProviderError(message: lane.secretError ?? "secrets unavailable")), outcome: nil)
        }
        switch await gatedAttempt(lane: lane, attemptsOnChannel: attemptsOnChannel, age: age, maxWait: maxRateWait, leaseLeft: leaseLeft, send: {
            await self.attempt(message, text: text, lane: lane, secrets: secrets, deliveryID: deliveryID, eventID: eventID)
        }) {
        case .circuitOpen:
            return giveUp(.circuitOpen, outcome: nil)
        case .later(let wait):
            return DeliveryStep(channel: channel, outcome: nil, note: "\(channel): rate limit", next: .wait(wait))
        case .busy:
            return DeliveryStep(channel: channel, outcome: nil, note: "\(channel): concurrency limit", next: .busy(Self.busyRetry))
        case .delivered(let outcome, let providerID):
            return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .delivered(channel: channel, providerID: providerID))
        case .retry(let outcome, let after):
            return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .retry(after: after))
        case .giveUp(let outcome, let result):
            return giveUp(result, outcome: outcome)
        }
    }

    /// How one gated attempt on an endpoint ended, by the endpoint's retry rules.
    enum GatedAttempt {
        case circuitOpen
        case later(Duration)
        case busy
        case delivered(DeliveryOutcome, providerID: String?)
        case retry(DeliveryOutcome, after: Duration)
        case giveUp(DeliveryOutcome, ChannelResult)
    }

    /// What a lease must still cover after the attempt's `timeout`: recording the attempt.
    static let leaseMargin = Duration.seconds(2)
    /// When a delivery found no concurrency slot before its lease ran short: come back this soon.
    static let busyRetry = Duration.milliseconds(250)

    /// Passes the endpoint's gate (breaker, rate limit, concurrency), runs `send` once, releases the
    /// gate and applies the endpoint's retry budget: the one place both kinds of step attempt.
    /// With `leaseLeft`, waiting in the gate ends by the lease less the endpoint's `timeout` and
    /// ``leaseMargin``.
    func gatedAttempt(lane: Lane, attemptsOnChannel: Int, age: Duration, maxWait: Duration?, leaseLeft: Duration?,
                      send: () async -> DeliveryOutcome) async -> GatedAttempt {
        let clock = self.clock
        let deadline = leaseLeft.map { clock.now() + $0 - lane.endpoint.delivery.timeout - Self.leaseMargin }
        // A lease that has run out — a hand-off whose accept committed late, after a database
        // outage — is not sent on, even through an idle gate: another node may already have claimed
        // the delivery and be sending it. (A lease shorter than `timeout` plus the margin, which
        // herald.yaml allows, still sends through an idle gate, as it always did.)
        if let leaseLeft, leaseLeft <= .zero { return .busy }
        switch await lane.gate.admit(clock: clock, maxRateWait: maxWait, deadline: deadline) {
        case .circuitOpen: return .circuitOpen
        case .later(let wait): return .later(wait)
        case .busy: return .busy
        case .go(let wait): await clock.sleep(for: wait)
        }
        let sent = clock.now()
        let outcome = await send()
        let answered = clock.now()
        lane.gate.release(outcome: outcome, at: answered, roundTrip: answered - sent)
        switch RetryDecision.decide(outcome: outcome, attempts: attemptsOnChannel + 1, age: age, settings: lane.endpoint.delivery, backoff: backoff) {
        case .done:
            if case .delivered(let providerID) = outcome { return .delivered(outcome, providerID: providerID) }
            return .giveUp(outcome, .permanent(ProviderError(message: "unexpected outcome")))
        case .retry(let after): return .retry(outcome, after: after)
        case .giveUp(let reason): return .giveUp(outcome, ChannelResult(reason))
        }
    }

    /// Posts a document Herald composed (a reply for the rule's `on_reply` endpoint) once to the
    /// `webhook` endpoint `channel`, signed as the endpoint says, and decides what comes next. One
    /// channel only: giving up makes it dead.
    /// `leaseLeft` bounds waiting in the gate as for a message.
    public func step(document: JSONValue, channel: String, attemptsOnChannel: Int, age: Duration, deliveryID: String,
                     leaseLeft: Duration? = nil) async -> DeliveryStep {
        func dead(_ why: String, outcome: DeliveryOutcome? = nil) -> DeliveryStep {
            DeliveryStep(channel: channel, outcome: outcome, note: why, next: .dead(reason: "\(channel): \(why)"))
        }
        guard let lane = lane(named: channel) else { return dead("no endpoint named '\(channel)' in herald.yaml") }
        guard lane.endpoint.kind == .webhook else { return dead("endpoint '\(channel)' is a \(lane.endpoint.kind.rawValue) endpoint; replies go to a webhook") }
        guard let secrets = lane.secrets else { return dead(lane.secretError ?? "secrets unavailable") }
        let clock = self.clock
        switch await gatedAttempt(lane: lane, attemptsOnChannel: attemptsOnChannel, age: age, maxWait: nil, leaseLeft: leaseLeft, send: {
            let request: HTTPRequest
            do throws(RequestBuildError) {
                request = try WebhookRequestBuilder(endpoint: lane.endpoint, secrets: secrets)
                    .request(document: document, deliveryID: deliveryID, now: clock.wallClock(), trace: OutboundTrace.current?.parent)
            } catch {
                return error.outcome
            }
            switch await self.send(request, settings: TransportSettings(lane.endpoint.delivery)) {
            case .success(let response): return WebhookClassifier.classify(response, now: clock.wallClock())
            case .failure(let failure): return WebhookClassifier.classify(failure)
            }
        }) {
        case .circuitOpen:
            return DeliveryStep(channel: channel, outcome: nil, note: "circuit breaker open", next: .retry(after: .seconds(5)))
        case .later(let wait):
            return DeliveryStep(channel: channel, outcome: nil, note: "\(channel): rate limit", next: .wait(wait))
        case .busy:
            return DeliveryStep(channel: channel, outcome: nil, note: "\(channel): concurrency limit", next: .busy(Self.busyRetry))
        case .delivered(let outcome, let providerID):
            return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .delivered(channel: channel, providerID: providerID))
        case .retry(let outcome, let after):
            return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .retry(after: after))
        case .giveUp(let outcome, let result):
            return dead("\(Self.describe(result))", outcome: outcome)
        }
    }
}
