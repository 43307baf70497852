import HeraldCore

/// What the transport needs to know about one endpoint to send one request: its patience and
/// whether to check its certificate. Everything else (rate, concurrency, retries) is decided above it.
public struct TransportSettings: Sendable, Hashable {
    /// How long to wait for the TCP connection (and TLS handshake) to be made.
    public var connectTimeout: Duration
    /// How long the whole exchange may take, connecting included.
    public var timeout: Duration
    /// Skip TLS certificate and host name verification. For local test endpoints only.
    public var insecure: Bool

    public init(connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(15), insecure: Bool = false) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.insecure = insecure
    }

    /// The transport's share of an endpoint's delivery settings.
    public init(_ settings: DeliverySettings) {
        self.init(connectTimeout: settings.connectTimeout, timeout: settings.timeout, insecure: settings.insecure)
    }
}

extension Duration {
    /// Whole milliseconds for libcurl's `*_MS` options, at least 1 (libcurl reads 0 as "no timeout",
    /// which Herald never wants) and at most a day.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds < 86_400 else { return 86_400_000 }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(max(1, milliseconds))
    }
}
