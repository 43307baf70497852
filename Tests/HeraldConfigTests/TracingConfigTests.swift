import HeraldConfig
import HeraldCore
import Testing

/// herald.yaml's `tracing:` block: off when absent, every key read, and each mistake reported
/// where it is, with what to write instead.
@Suite struct TracingConfigTests {
    static func decode(_ yaml: String) -> GatewayConfigDecoder {
        ServerSettingsTests.decode(yaml)
    }

    @Test func withoutTheBlockThereIsNoTracing() throws {
        #expect(try #require(Self.decode("").config).server.tracing == nil)
    }

    @Test func onlyTheEndpointIsRequired() throws {
        let decoded = Self.decode("tracing: {endpoint: http://127.0.0.1:4318}")
        #expect(decoded.log.diagnostics.isEmpty, "\(decoded.log.diagnostics)")
        let tracing = try #require(decoded.config?.server.tracing)
        #expect(tracing == TracingSettings(endpoint: "http://127.0.0.1:4318", sample: 1, serviceName: "herald", headers: []))
        #expect(tracing.tracesURL == "http://127.0.0.1:4318/v1/traces")
    }

    @Test func readsEveryKey() throws {
        let decoded = Self.decode("""
            tracing:
              endpoint: https://otlp.example.com/otlp/
              sample: 0.01
              service_name: herald-eu
              headers:
                Authorization: env:OTLP_AUTH
                X-Scope-OrgID: bank
                X-Key: file:secrets/otlp.key
            """)
        #expect(decoded.log.diagnostics.isEmpty, "\(decoded.log.diagnostics)")
        let tracing = try #require(decoded.config?.server.tracing)
        #expect(tracing.endpoint == "https://otlp.example.com/otlp", "without the trailing slash")
        #expect(tracing.tracesURL == "https://otlp.example.com/otlp/v1/traces")
        #expect(tracing.sample == 0.01)
        #expect(tracing.serviceName == "herald-eu")
        #expect(tracing.headers == [
            .init(name: "Authorization", value: .secret(.environment("OTLP_AUTH"))),
            .init(name: "X-Scope-OrgID", value: .literal("bank")),
            .init(name: "X-Key", value: .secret(.file("deploy/secrets/otlp.key"))),
        ])
    }

    @Test(arguments: [0, 1, 0.5])
    func sampleIsAShareFrom0To1(_ sample: Double) throws {
        #expect(try #require(Self.decode("tracing: {endpoint: 'http://c:4318', sample: \(sample)}").config?.server.tracing).sample == sample)
    }

    /// The exact lines `herald check` prints (herald.yaml's lines 1 and 2 are the endpoints).
    @Test func eachMistakeIsNamedWhereItIsWithAFix() {
        let decoded = Self.decode("""
            tracing:
              endpoint: grpc://collector:4317
              sample: 1.5
              smaple: 0.1
              service_name: ""
              headers: {Content-Type: text/plain, X-Token: [a]}
            """)
        #expect(decoded.config == nil)
        #expect(decoded.log.diagnostics.sorted(by: Diagnostic.ordered).map(\.description) == [
            "deploy/herald.yaml:4:13: error: 'endpoint' of 'tracing' is not a valid http/https URL; "
                + "write the collector's OTLP/HTTP base URL, e.g. 'endpoint: http://otel-collector:4318' (spans go to /v1/traces under it)",
            "deploy/herald.yaml:5:11: error: 'sample' of 'tracing' must be a number from 0 to 1, the share of new traces recorded; "
                + "write e.g. 'sample: 0.01' (1 in 100) or 'sample: 1' (all)",
            "deploy/herald.yaml:6:3: error: unknown key 'smaple' in 'tracing'; did you mean 'sample'?",
            "deploy/herald.yaml:7:17: error: 'service_name' of 'tracing' must be 1 to 255 characters on one line; write e.g. 'service_name: herald'",
            "deploy/herald.yaml:8:13: error: header 'Content-Type' of 'tracing' is set by the exporter; remove it",
            "deploy/herald.yaml:8:48: error: header 'X-Token' of 'tracing' must be a string on one line; quote the value, or write 'env:VARIABLE'",
        ])
    }

    @Test func theEndpointIsRequired() {
        expectDiagnostics(Self.decode("tracing: {sample: 0.1}").log.diagnostics, [.error(3, 10, "missing key 'endpoint' in 'tracing'; add 'endpoint:'")])
        expectDiagnostics(Self.decode("tracing: http://c:4318").log.diagnostics,
                          [.error(3, 10, "'tracing' must be a mapping, not a string; write e.g. 'tracing: {endpoint: http://otel-collector:4318, sample: 0.01}'")])
    }

    @Test func credentialsInTheEndpointAreRefusedAndNeverEchoed() {
        let decoded = Self.decode("tracing: {endpoint: 'https://me:hunter2@otlp.example.com'}")
        expectDiagnostics(decoded.log.diagnostics, [.error(3, 21, "'endpoint' of 'tracing' carries credentials; keep secrets out of herald.yaml")])
        #expect(!decoded.log.diagnostics.map(\.description).joined().contains("hunter2"))
    }

    @Test func anEndpointEndingInTheTracesPathIsAWarning() throws {
        let decoded = Self.decode("tracing: {endpoint: 'http://c:4318/v1/traces'}")
        expectDiagnostics(decoded.log.diagnostics, [
            .warning(3, 21, "'endpoint' of 'tracing' ends in /v1/traces; Herald adds /v1/traces itself, so spans go to http://c:4318/v1/traces/v1/traces; "
                + "write the collector's base URL, e.g. 'endpoint: http://c:4318'"),
        ])
        #expect(try #require(decoded.config?.server.tracing).tracesURL == "http://c:4318/v1/traces/v1/traces")
    }

    @Test(arguments: ["http://", "c:4318", "http://c:4318?x=1", "http://c:4318#top", "ftp://c"])
    func aURLThatIsNotABaseURLIsRefused(_ endpoint: String) {
        expectDiagnostics(Self.decode("tracing: {endpoint: '\(endpoint)'}").log.diagnostics,
                          [.error(3, 21, "'endpoint' of 'tracing' is not a valid http/https URL")])
    }
}
