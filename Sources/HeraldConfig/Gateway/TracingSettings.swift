import HeraldCore

/// `tracing:` in herald.yaml: where `herald serve` exports OpenTelemetry spans (OTLP over HTTP) and
/// how many new traces it records. Absent, `herald serve` does not trace (docs/tracing.md).
///
/// ```yaml
/// tracing:
///   endpoint: http://otel-collector:4318     # OTLP/HTTP base URL; spans go to /v1/traces under it
///   sample: 0.01                             # record 1 in 100 new traces
///   service_name: herald
///   headers: {Authorization: env:OTLP_AUTH}  # for a collector that wants credentials
/// ```
public struct TracingSettings: Sendable, Hashable {
    /// The collector's OTLP/HTTP base URL as written, without a trailing `/`.
    public var endpoint: String
    /// The share of traces Herald starts that it records, 0 to 1. A sender's sampled
    /// `traceparent` is recorded whatever this says (parent-based sampling).
    public var sample: Double
    /// `service.name` of every span.
    public var serviceName: String
    /// Extra headers on every export request (a collector's credentials): literal values or
    /// `env:`/`file:` secret references, resolved when `herald serve` starts.
    public var headers: [DeliverySettings.Header]

    public static let defaultSample = 1.0
    public static let defaultServiceName = "herald"

    public init(endpoint: String, sample: Double = defaultSample, serviceName: String = defaultServiceName,
                headers: [DeliverySettings.Header] = []) {
        self.endpoint = endpoint
        self.sample = sample
        self.serviceName = serviceName
        self.headers = headers
    }

    /// Where spans are posted: `endpoint` + `/v1/traces` (the OTLP/HTTP path for traces).
    public var tracesURL: String { endpoint + "/v1/traces" }
}
