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

    public init(
        id: String, description: String? = nil, enabled: Bool = true, pattern: EventPattern,
        forEach: ValuePath? = nil, recipient: Recipient, channels: [String], templateID: String, params: [Param] = []
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
    }
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
