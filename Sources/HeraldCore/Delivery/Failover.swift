/// Which channel to try next when a rule lists several (`channels: [whatsapp, sms]`).
///
/// | How the current channel ended | Next |
/// |---|---|
/// | ``ChannelResult/delivered`` | ``FailoverDecision/done`` |
/// | ``ChannelResult/permanent(_:)`` — the provider refused the message *on this channel* | the next channel |
/// | ``ChannelResult/retriesExhausted(_:)`` — attempts or `max_age` used up | the next channel |
/// | ``ChannelResult/circuitOpen`` — the endpoint's breaker is open | the next channel |
/// | ``ChannelResult/messageRejected(_:)`` — the message itself is unusable | ``FailoverDecision/exhausted`` |
/// | any failure on the last channel | ``FailoverDecision/exhausted`` |
///
/// Why permanent provider errors fail over: every one Herald can get back is about the message on
/// *that* channel — a number not on WhatsApp (131026), a closed 24-hour window (131047), a template
/// not approved (132001), an SMS unsubscribe (Twilio 21610). The next channel may well reach the
/// customer, and for a fraud prompt it must. An expired or revoked token (WhatsApp 190, HTTP 401)
/// fails over too: an operator has to renew it, but the customer should not wait for that.
///
/// Why an open breaker fails over instead of waiting for the probe: an outage of one provider must
/// not hold a time-critical message for the breaker's cooldown (30 s to 5 min).
///
/// What does not fail over: problems with the message itself, which every channel would refuse —
/// the text could not be rendered (a missing param) or is empty. Trying more channels would only
/// multiply failures and bury the cause. A text over a channel's length limit is *not* such a
/// problem: limits differ per channel (SMS segments, WhatsApp's 4,096 characters, none for e-mail)
/// and the planner measures the text for each channel, so it fails over to a channel it fits.
public struct Failover: Sendable, Hashable {
    /// The rule's channels (endpoint names), in order, each once.
    public let channels: [String]

    /// A channel listed twice keeps its first place only: trying it again after it failed cannot help,
    /// and names stay unambiguous (so failing over can never loop).
    public init(channels: [String]) {
        var seen: Set<String> = []
        self.channels = channels.filter { seen.insert($0).inserted }
    }

    /// The channel to try first, or ``FailoverDecision/exhausted`` for a rule without channels.
    public var first: FailoverDecision {
        channels.first.map { .next($0) } ?? .exhausted
    }

    /// What to do after `channel` ended with `result`.
    public func next(after channel: String, result: ChannelResult) -> FailoverDecision {
        switch result {
        case .delivered:
            return .done
        case .messageRejected:
            return .exhausted
        case .permanent, .retriesExhausted, .circuitOpen:
            guard let index = channels.firstIndex(of: channel), index + 1 < channels.count else { return .exhausted }
            return .next(channels[index + 1])
        }
    }
}

/// How one channel ended for one message.
public enum ChannelResult: Sendable, Hashable {
    /// The provider accepted it.
    case delivered
    /// The provider refused it for good on this channel.
    case permanent(ProviderError)
    /// Retries ran out (attempts or max age); the last failure.
    case retriesExhausted(ProviderError)
    /// The endpoint's circuit breaker is open: not attempted.
    case circuitOpen
    /// The message cannot be sent on any channel (not rendered, empty): the reason.
    case messageRejected(String)

    /// The channel result of a ``RetryDecision/giveUp(_:)``.
    public init(_ reason: GiveUpReason) {
        switch reason {
        case .permanent(let error): self = .permanent(error)
        case .attemptsExhausted(_, let error), .maxAgeReached(_, let error): self = .retriesExhausted(error)
        }
    }
}

/// What ``Failover`` says to do next.
public enum FailoverDecision: Sendable, Hashable {
    /// Delivered: stop.
    case done
    /// Try this channel (endpoint name).
    case next(String)
    /// No channel left (or none can help): the message failed.
    case exhausted
}
