/// One rule of a rule file: which events it matches and the message each match produces.
public struct Rule: Sendable {
    public var id: String
    public var description: String?
    /// A disabled rule is loaded and validated but never matches.
    public var enabled: Bool
    public var pattern: EventPattern
    /// When set, one message per element of this array (`@.` paths address the element).
    public var forEach: ValuePath?
    public var recipient: Recipient
    /// Endpoint names from herald.yaml, tried in this order.
    public var channels: [String]
    public var templateID: String
    /// Template params in the order the rule lists them.
    public var params: [Param]
    /// `category`: what kind of message this is, which decides how opt-outs apply (default `service`).
    public var category: RuleCategory
    /// `urgent`: bypasses pacing and quiet hours, and goes ahead of non-urgent messages.
    public var urgent: Bool
    /// `expires`: a message not delivered within this time after acceptance is not sent (recorded as expired).
    public var expires: Duration?
    /// `dedupe`: the same key for the same recipient from this rule is sent once per window.
    public var dedupe: Dedupe?
    /// `on_reply: {endpoint: NAME}`: the endpoint (from herald.yaml) that customers' replies are forwarded to.
    public var onReply: String?
    /// `respect_opt_out`: whether a recipient's opt-out suppresses this rule's messages. Always true
    /// for `marketing`; by default true for `service` and false for `fraud`.
    public var respectOptOut: Bool

    /// - Parameter respectOptOut: nil takes the category's default (`RuleCategory.respectsOptOutByDefault`).
    public init(
        id: String, description: String? = nil, enabled: Bool = true, pattern: EventPattern,
        forEach: ValuePath? = nil, recipient: Recipient, channels: [String], templateID: String, params: [Param] = [],
        category: RuleCategory = .service, urgent: Bool = false, expires: Duration? = nil, dedupe: Dedupe? = nil,
        onReply: String? = nil, respectOptOut: Bool? = nil
    ) {
        self.id = id
        self.description = description
        self.enabled = enabled
        self.pattern = pattern
        self.forEach = forEach
        self.recipient = recipient
        self.channels = channels
        self.templateID = templateID
        self.params = params
        self.category = category
        self.urgent = urgent
        self.expires = expires
        self.dedupe = dedupe
        self.onReply = onReply
        self.respectOptOut = category == .marketing || (respectOptOut ?? category.respectsOptOutByDefault)
    }

    /// Whether a recipient who opted out gets no message from this rule: always for marketing,
    /// otherwise as `respect_opt_out` says.
    public var suppressedByOptOut: Bool { category == .marketing || respectOptOut }
}

/// Where a value comes from: a path into the event (or the fan-out element), or a literal.
public enum ValueSource: Sendable, Hashable, CustomStringConvertible {
    case path(ValuePath)
    case literal(JSONValue)

    public func resolve(event: JSONValue, element: JSONValue?) -> JSONValue? {
        switch self {
        case .path(let path): path.resolve(event: event, element: element)
        case .literal(let value): value
        }
    }

    public var description: String {
        switch self {
        case .path(let path): path.description
        case .literal(let value): value.compactJSON
        }
    }

    /// Paths that start at `@` need a `for_each` element.
    public var usesElement: Bool {
        if case .path(let path) = self { return path.root == .element }
        return false
    }
}

/// Who a message goes to.
public struct Recipient: Sendable, Hashable {
    /// A phone number (E.164), WhatsApp id or e-mail address.
    public var address: ValueSource
    /// BCP 47 locale, e.g. `pt-BR`.
    public var locale: ValueSource?
    /// IANA time zone, e.g. `Asia/Kolkata`.
    public var timezone: ValueSource?

    public init(address: ValueSource, locale: ValueSource? = nil, timezone: ValueSource? = nil) {
        self.address = address
        self.locale = locale
        self.timezone = timezone
    }
}

/// A named template param and how to compute it.
public struct Param: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// The value as it is in the event, or a literal.
        case value(ValueSource)
        /// An amount of money in a currency (an ISO 4217 code, literal or from the event).
        case money(amount: ValueSource, currency: ValueSource)
        /// An instant (RFC 3339 or epoch seconds/milliseconds), shown in a time zone
        /// (nil: the recipient's time zone, else UTC).
        case datetime(ValueSource, timezone: ValueSource?)
        /// A number shown with the locale's digits and separators.
        case number(ValueSource)

        /// Every value source this param reads.
        public var sources: [ValueSource] {
            switch self {
            case .value(let source), .number(let source): [source]
            case .money(let amount, let currency): [amount, currency]
            case .datetime(let value, let zone): [value] + (zone.map { [$0] } ?? [])
            }
        }
    }

    public var name: String
    public var source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }
}
