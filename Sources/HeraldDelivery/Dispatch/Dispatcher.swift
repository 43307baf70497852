import Foundation
import HeraldCore

/// One attempt to hand a message to an endpoint.
public struct DeliveryAttempt: Sendable, Hashable {
    public var channel: String
    /// 1 for the first attempt on this channel.
    public var number: Int
    public var outcome: DeliveryOutcome
    /// When the attempt ended, since the delivery started.
    public var at: Duration
}

/// How a message's delivery ended, across all its channels.
public struct DeliveryReport: Sendable {
    public enum Result: Sendable, Hashable {
        case delivered(channel: String, providerID: String?)
        /// No channel took it; the last reason.
        case failed(String)
    }

    public var deliveryID: String
    public var rule: String
    public var attempts: [DeliveryAttempt]
    /// Channels given up on, with why (e.g. "whatsapp: permanent failure: HTTP 400, code 131026, …").
    public var failovers: [String]
    public var result: Result
}

/// Delivers planned messages: per endpoint rate limits, concurrency and circuit breakers; retries with
/// backoff within each endpoint's budget; failover along the rule's channels. The decisions are
/// HeraldCore's pure types; this type only carries them out.
public final class Dispatcher: Sendable {
    struct Lane: Sendable {
        var endpoint: Endpoint
        /// nil when the endpoint's secrets could not be resolved (then `secretError` says why).
        var secrets: EndpointSecrets?
        var secretError: String?
        var gate: EndpointGate
    }

    private let lanes: [String: Lane]
    let transport: any HTTPTransport
    private let mail: (any MailTransport)?
    let clock: any DeliveryClock
    let backoff: Backoff

    /// - Parameters:
    ///   - secrets: resolves `env:`/`file:` references once, here; an endpoint whose secret is missing
    ///     fails each delivery to it (and fails over) with a message naming the reference.
    public init(endpoints: [Endpoint], secrets: some SecretResolver, transport: any HTTPTransport,
                mail: (any MailTransport)? = nil, clock: any DeliveryClock = SystemDeliveryClock(), backoff: Backoff = .default) {
        var lanes: [String: Lane] = [:]
        for endpoint in endpoints {
            var lane = Lane(endpoint: endpoint, secrets: nil, secretError: nil, gate: EndpointGate(settings: endpoint.delivery))
            do {
                lane.secrets = try EndpointSecrets(resolving: endpoint, with: secrets)
            } catch {
                lane.secretError = "\(error)"
            }
            lanes[endpoint.name] = lane
        }
        self.lanes = lanes
        self.transport = transport
        self.mail = mail
        self.clock = clock
        self.backoff = backoff
    }

    /// Delivers one planned message, trying its channels in order.
    public func deliver(_ message: PlannedMessage, deliveryID: String, eventID: String?) async -> DeliveryReport {
        var report = DeliveryReport(deliveryID: deliveryID, rule: message.rule, attempts: [], failovers: [], result: .failed("not attempted"))
        guard let text = message.text, !text.isEmpty, message.problems.isEmpty else {
            report.result = .failed("message not rendered: \(message.problems.joined(separator: "; "))")
            return report
        }
        let start = clock.now()
        let failover = Failover(channels: message.channels)
        var decision = failover.first
        while case .next(let channel) = decision {
            let result = await deliver(message, text: text, on: channel, deliveryID: deliveryID, eventID: eventID, start: start, report: &report)
            if case .delivered = result { return report }
            report.failovers.append("\(channel): \(Self.describe(result))")
            decision = failover.next(after: channel, result: result)
        }
        report.result = .failed(report.failovers.last ?? "no channels")
        return report
    }

    /// Attempts one channel until it delivers or its budget runs out.
    private func deliver(_ message: PlannedMessage, text: String, on channel: String, deliveryID: String, eventID: String?,
                         start: Duration, report: inout DeliveryReport) async -> ChannelResult {
        if let tooLong = message.channelProblems[channel] { return .permanent(ProviderError(message: tooLong)) }
        guard let lane = lanes[channel] else { return .permanent(ProviderError(message: "no endpoint named '\(channel)' in herald.yaml")) }
        guard let secrets = lane.secrets else { return .permanent(ProviderError(message: lane.secretError ?? "secrets unavailable")) }
        var attempts = 0
        while true {
            let clock = self.clock
            switch await lane.gate.admit(at: { clock.now() }) {
            case .circuitOpen:
                return .circuitOpen
            case .go(let wait):
                await clock.sleep(for: wait)
            case .later(let wait):
                // Not asked for here (no maxWait): wait in place.
                await clock.sleep(for: wait)
                continue
            }
            attempts += 1
            let outcome = await attempt(message, text: text, lane: lane, secrets: secrets, deliveryID: deliveryID, eventID: eventID)
            let now = clock.now()
            await lane.gate.release(outcome: outcome, at: now)
            report.attempts.append(DeliveryAttempt(channel: channel, number: attempts, outcome: outcome, at: now - start))
            switch RetryDecision.decide(outcome: outcome, attempts: attempts, age: now - start, settings: lane.endpoint.delivery, backoff: backoff) {
            case .done:
                if case .delivered(let providerID) = outcome { report.result = .delivered(channel: channel, providerID: providerID) }
                return .delivered
            case .retry(let after):
                await clock.sleep(for: after)
            case .giveUp(let reason):
                return ChannelResult(reason)
            }
        }
    }

    func lane(named name: String) -> Lane? { lanes[name] }

    /// One request to one endpoint, classified by its kind.
    func attempt(_ message: PlannedMessage, text: String, lane: Lane, secrets: EndpointSecrets,
                         deliveryID: String, eventID: String?) async -> DeliveryOutcome {
        let endpoint = lane.endpoint
        let settings = TransportSettings(endpoint.delivery)
        let address = message.recipient.address
        let now = clock.wallClock()
        do {
            switch endpoint.kind {
            case .whatsapp:
                let request = try WhatsAppRequestBuilder(endpoint: endpoint, secrets: secrets).request(for: message, text: text, deliveryID: deliveryID)
                switch await transport.send(request, settings: settings) {
                case .success(let response): return WhatsAppClassifier.classify(response, now: clock.wallClock())
                case .failure(let failure): return WhatsAppClassifier.classify(failure)
                }
            case .twilio:
                let request = try TwilioRequestBuilder(endpoint: endpoint, secrets: secrets)
                    .request(to: address, text: message.smsText ?? text, deliveryID: deliveryID)
                switch await transport.send(request, settings: settings) {
                case .success(let response): return TwilioClassifier.classify(response, now: clock.wallClock())
                case .failure(let failure): return TwilioClassifier.classify(failure)
                }
            case .webhook:
                let request = try WebhookRequestBuilder(endpoint: endpoint, secrets: secrets)
                    .request(for: message, text: text, deliveryID: deliveryID, eventID: eventID, now: now)
                switch await transport.send(request, settings: settings) {
                case .success(let response): return WebhookClassifier.classify(response, now: clock.wallClock())
                case .failure(let failure): return WebhookClassifier.classify(failure)
                }
            case .smtp:
                guard let mail else { return .permanent(ProviderError(message: "no mail transport configured")) }
                let email = try SMTPMessageBuilder(endpoint: endpoint, secrets: secrets)
                    .message(to: address, subject: Self.subject(of: text), text: text, deliveryID: deliveryID, date: now)
                switch await mail.sendMail(email.data, envelope: email.envelope, settings: settings) {
                case .success: return SMTPClassifier.delivered(email)
                case .failure(let failure): return SMTPClassifier.classify(failure)
                }
            }
        } catch {
            return error.outcome
        }
    }

    /// Until templates carry a subject: the text's first sentence, at most 78 characters.
    static func subject(of text: String) -> String {
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        let sentence = firstLine.split(separator: ". ", maxSplits: 1).first.map(String.init) ?? firstLine
        return sentence.count <= 78 ? sentence : String(sentence.prefix(77)) + "…"
    }

    static func describe(_ result: ChannelResult) -> String {
        switch result {
        case .delivered: "delivered"
        case .permanent(let error): "permanent failure: \(error)"
        case .retriesExhausted(let error): "retries exhausted: \(error)"
        case .circuitOpen: "circuit breaker open"
        case .messageRejected(let reason): "message rejected: \(reason)"
        }
    }
}
