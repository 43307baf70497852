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
    public func step(_ message: PlannedMessage, channelIndex: Int, attemptsOnChannel: Int, age: Duration,
                     deliveryID: String, eventID: String?, maxRateWait: Duration? = nil) async -> DeliveryStep {
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
        let clock = self.clock
        switch await lane.gate.admit(at: { clock.now() }, maxWait: maxRateWait) {
        case .circuitOpen:
            return giveUp(.circuitOpen, outcome: nil)
        case .later(let wait):
            return DeliveryStep(channel: channel, outcome: nil, note: "\(channel): rate limit", next: .wait(wait))
        case .go(let wait):
            await clock.sleep(for: wait)
        }
        let outcome = await attempt(message, text: text, lane: lane, secrets: secrets, deliveryID: deliveryID, eventID: eventID)
        await lane.gate.release(outcome: outcome, at: clock.now())
        switch RetryDecision.decide(outcome: outcome, attempts: attemptsOnChannel + 1, age: age, settings: lane.endpoint.delivery, backoff: backoff) {
        case .done:
            if case .delivered(let providerID) = outcome {
                return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .delivered(channel: channel, providerID: providerID))
            }
            return giveUp(.permanent(ProviderError(message: "unexpected outcome")), outcome: outcome)
        case .retry(let after):
            return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .retry(after: after))
        case .giveUp(let reason):
            return giveUp(ChannelResult(reason), outcome: outcome)
        }
    }

    /// Posts a document Herald composed (a reply for the rule's `on_reply` endpoint) once to the
    /// `webhook` endpoint `channel`, signed as the endpoint says, and decides what comes next. One
    /// channel only: giving up makes it dead.
    public func step(document: JSONValue, channel: String, attemptsOnChannel: Int, age: Duration, deliveryID: String) async -> DeliveryStep {
        func dead(_ why: String, outcome: DeliveryOutcome? = nil) -> DeliveryStep {
            DeliveryStep(channel: channel, outcome: outcome, note: why, next: .dead(reason: "\(channel): \(why)"))
        }
        guard let lane = lane(named: channel) else { return dead("no endpoint named '\(channel)' in herald.yaml") }
        guard lane.endpoint.kind == .webhook else { return dead("endpoint '\(channel)' is a \(lane.endpoint.kind.rawValue) endpoint; replies go to a webhook") }
        guard let secrets = lane.secrets else { return dead(lane.secretError ?? "secrets unavailable") }
        let clock = self.clock
        switch await lane.gate.admit(at: { clock.now() }) {
        case .circuitOpen:
            return DeliveryStep(channel: channel, outcome: nil, note: "circuit breaker open", next: .retry(after: .seconds(5)))
        case .later(let wait):
            return DeliveryStep(channel: channel, outcome: nil, note: "\(channel): rate limit", next: .wait(wait))
        case .go(let wait):
            await clock.sleep(for: wait)
        }
        let outcome: DeliveryOutcome
        do {
            let request = try WebhookRequestBuilder(endpoint: lane.endpoint, secrets: secrets)
                .request(document: document, deliveryID: deliveryID, now: clock.wallClock())
            switch await transport.send(request, settings: TransportSettings(lane.endpoint.delivery)) {
            case .success(let response): outcome = WebhookClassifier.classify(response, now: clock.wallClock())
            case .failure(let failure): outcome = WebhookClassifier.classify(failure)
            }
        } catch {
            outcome = error.outcome
        }
        await lane.gate.release(outcome: outcome, at: clock.now())
        switch RetryDecision.decide(outcome: outcome, attempts: attemptsOnChannel + 1, age: age, settings: lane.endpoint.delivery, backoff: backoff) {
        case .done:
            if case .delivered(let providerID) = outcome {
                return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .delivered(channel: channel, providerID: providerID))
            }
            return dead("unexpected outcome", outcome: outcome)
        case .retry(let after):
            return DeliveryStep(channel: channel, outcome: outcome, note: nil, next: .retry(after: after))
        case .giveUp(let reason):
            return dead("\(reason)", outcome: outcome)
        }
    }
}
