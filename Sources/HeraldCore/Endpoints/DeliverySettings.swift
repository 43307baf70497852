/// How Herald treats an endpoint when delivering: pace, patience and persistence.
/// Configured per endpoint in herald.yaml; every field has a default a bank would accept.
public struct DeliverySettings: Sendable, Hashable {
    /// At most this many requests per second (`rate: 80/s`; also `/m`), a token bucket with a burst
    /// of one second's worth. nil: unlimited.
    public var ratePerSecond: Double?
    /// At most this many requests in flight at once (`concurrency: 16`).
    public var concurrency: Int
    /// Whether the limit in force adapts between 1 and `concurrency` to the endpoint's latency
    /// (``AdaptiveConcurrency``; `adaptive_concurrency: false` pins it at `concurrency`).
    public var adaptiveConcurrency: Bool
    /// Connect timeout (`connect_timeout: 5s`).
    public var connectTimeout: Duration
    /// Whole-request timeout (`timeout: 10s`).
    public var timeout: Duration
    /// Attempts per delivery on this endpoint, the first included (`retry: {attempts: 5, max_age: 10m}`).
    public var maxAttempts: Int
    /// Give up retrying once a delivery is this old; then fail over to the rule's next channel.
    public var maxAge: Duration
    /// Extra request headers (`headers: {X-Bank: aurora}`); values may be `env:`/`file:` references.
    public var headers: [Header]
    /// HMAC-SHA256 signing secret for `webhook` endpoints (`sign: env:HERALD_WEBHOOK_SECRET`).
    public var signingSecret: SecretReference?
    /// Skip TLS certificate verification: for local test endpoints only; Herald warns loudly.
    public var insecure: Bool

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: HeaderValue
        public init(name: String, value: HeaderValue) {
            self.name = name
            self.value = value
        }
    }

    public enum HeaderValue: Sendable, Hashable {
        case literal(String)
        case secret(SecretReference)
    }

    public init(
        ratePerSecond: Double? = nil, concurrency: Int = 8, connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(15), maxAttempts: Int = 5, maxAge: Duration = .seconds(600),
        headers: [Header] = [], signingSecret: SecretReference? = nil, insecure: Bool = false, adaptiveConcurrency: Bool = true
    ) {
        self.ratePerSecond = ratePerSecond
        self.concurrency = concurrency
        self.adaptiveConcurrency = adaptiveConcurrency
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
        self.headers = headers
        self.signingSecret = signingSecret
        self.insecure = insecure
    }

    public static let `default` = DeliverySettings()
}
