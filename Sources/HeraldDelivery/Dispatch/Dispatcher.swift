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
    ///   - registry: where the endpoints' gates live. A long-running gateway passes the one it owns
    ///     to every dispatcher it builds, so that breakers and limits outlive a reload; by default
    ///     this dispatcher has gates of its own.
    public init(endpoints: [Endpoint], secrets: some SecretResolver, transport: any HTTPTransport,
                mail: (any MailTransport)? = nil, clock: any DeliveryClock = SystemDeliveryClock(), backoff: Backoff = .default,
                registry: EndpointRegistry = EndpointRegistry()) {
        let gates = registry.gates(for: endpoints, at: clock.now())
        var lanes: [String: Lane] = [:]
        for endpoint in endpoints {
            guard let gate = gates[endpoint.name] else { continue }
            var lane = Lane(endpoint: endpoint, secrets: nil, secretError: nil, gate: gate)
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

    /// Delivers one planned message, trying its channels in order: ``step(_:channelIndex:attemptsOnChannel:age:deliveryID:eventID:maxRateWait:leaseLeft:)``
    /// in a loop, sleeping on the clock where the outbox's workers would store the delivery and
    /// come back (a retry's backoff, a rate-limit wait). Quiet hours and pacing are the caller's
    /// (``ProtectionSettings/hold(recipientTimeZone:now:sentTimes:)``).
    public func deliver(_ message: PlannedMessage, deliveryID: String, eventID: String?) async -> DeliveryReport {
        var report = DeliveryReport(deliveryID: deliveryID, rule: message.rule, attempts: [], failovers: [], result: .failed("not attempted"))
        let start = clock.now()
        var channelIndex = 0
        var attemptsOnChannel = 0
        while true {
            let step = await step(message, channelIndex: channelIndex, attemptsOnChannel: attemptsOnChannel, age: clock.now() - start,
                                  deliveryID: deliveryID, eventID: eventID)
            if let outcome = step.outcome, let channel = step.channel {
                attemptsOnChannel += 1
                report.attempts.append(DeliveryAttempt(channel: channel, number: attemptsOnChannel, outcome: outcome, at: clock.now() - start))
            }
            switch step.next {
            case .delivered(let channel, let providerID):
                report.result = .delivered(channel: channel, providerID: providerID)
                return report
            case .retry(let after), .wait(let after), .busy(let after):
                await clock.sleep(for: after)
            case .nextChannel(let index):
                if let note = step.note { report.failovers.append(note) }
                channelIndex = index
                attemptsOnChannel = 0
            case .dead(let reason):
                if let note = step.note { report.failovers.append(note) }
                report.result = .failed(reason)
                return report
            }
        }
    }

    func lane(named name: String) -> Lane? { lanes[name] }

    /// How long the delivery that has waited longest for one of `endpoint`'s concurrency slots has
    /// been waiting (zero for an endpoint nobody waits for, or one not configured).
    public func lag(endpoint: String) -> Duration {
        lanes[endpoint]?.gate.lag(at: clock.now()) ?? .zero
    }

    /// One endpoint's gate as it stands, for the metrics.
    public struct GateState: Sendable, Hashable {
        public var endpoint: String
        /// The concurrency limit in force (adaptive, within the configured `concurrency`).
        public var limit: Int
        public var inFlight: Int
        public var waiting: Int
        public var lag: Duration
    }

    /// Every endpoint's gate as it stands.
    public var gateStates: [GateState] {
        let now = clock.now()
        return lanes.values.map { lane in
            GateState(endpoint: lane.endpoint.name, limit: lane.gate.concurrencyLimit, inFlight: lane.gate.inFlight,
                      waiting: lane.gate.waiting, lag: lane.gate.lag(at: now))
        }
    }

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
                switch await send(request, settings: settings) {
                case .success(let response): return WhatsAppClassifier.classify(response, now: clock.wallClock())
                case .failure(let failure): return WhatsAppClassifier.classify(failure)
                }
            case .twilio:
                let request = try TwilioRequestBuilder(endpoint: endpoint, secrets: secrets)
                    .request(to: address, text: message.smsText ?? text, deliveryID: deliveryID)
                switch await send(request, settings: settings) {
                case .success(let response): return TwilioClassifier.classify(response, now: clock.wallClock())
                case .failure(let failure): return TwilioClassifier.classify(failure)
                }
            case .webhook:
                let request = try WebhookRequestBuilder(endpoint: endpoint, secrets: secrets)
                    .request(for: message, text: text, deliveryID: deliveryID, eventID: eventID, now: now, trace: OutboundTrace.current?.parent)
                switch await send(request, settings: settings) {
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

    /// One request through the transport; the answer's status is noted for the attempt's span.
    func send(_ request: HTTPRequest, settings: TransportSettings) async -> Result<HTTPResponse, TransportFailure> {
        let result = await transport.send(request, settings: settings)
        if case .success(let response) = result, let trace = OutboundTrace.current { trace.noteResponse(status: response.status) }
        return result
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
