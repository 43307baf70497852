import HeraldCore
import Testing
@testable import HeraldConfig

/// The delivery keys of an endpoint in herald.yaml.
@Suite struct DeliverySettingsConfigTests {
    func decode(_ endpoint: String) -> GatewayConfigDecoder {
        GatewayConfigDecoder(file: "/etc/herald/herald.yaml", bytes: Array("""
            endpoints:
              ops:
            \(endpoint)
            """.utf8))
    }

    @Test func everyKeyIsRead() throws {
        let decoder = decode("""
                kind: webhook
                url: https://ops.example.com/herald
                rate: 600/m
                concurrency: 4
                timeout: 2.5s
                connect_timeout: 500ms
                retry: {attempts: 3, max_age: 1h}
                headers: {X-Bank: aurora, X-Api-Key: "file:secrets/ops-key"}
                sign: env:HERALD_SIGNING_SECRET
            """)
        #expect(decoder.log.diagnostics.isEmpty, "\(decoder.log.diagnostics)")
        let settings = try #require(decoder.config?.endpoint(named: "ops")?.delivery)
        #expect(settings.ratePerSecond == 10)
        #expect(settings.concurrency == 4)
        #expect(settings.timeout == .milliseconds(2500))
        #expect(settings.connectTimeout == .milliseconds(500))
        #expect(settings.maxAttempts == 3)
        #expect(settings.maxAge == .seconds(3600))
        #expect(settings.headers == [
            .init(name: "X-Bank", value: .literal("aurora")),
            .init(name: "X-Api-Key", value: .secret(.file("/etc/herald/secrets/ops-key"))),
        ])
        #expect(settings.signingSecret == .environment("HERALD_SIGNING_SECRET"))
        #expect(!settings.insecure)
    }

    @Test func defaultsWhenNothingIsSaid() throws {
        let decoder = decode("    kind: webhook\n    url: https://ops.example.com/herald")
        #expect(decoder.config?.endpoint(named: "ops")?.delivery == .default)
    }

    @Test(arguments: [
        ("    rate: fast", 5, "'rate' of endpoint 'ops' must be a count per second"),
        ("    concurrency: 0", 5, "'concurrency' of endpoint 'ops' must be a whole number from 1 to 1024"),
        ("    timeout: forever", 5, "'timeout' of endpoint 'ops' must be a duration"),
        ("    retry: {attempts: 0}", 5, "'attempts' of endpoint 'ops' must be a whole number from 1 to 100"),
        ("    retry: {tries: 3}", 5, "unknown key 'tries'"),
        ("    headers: {Authorization: x}", 5, "header 'Authorization' of endpoint 'ops' is set by Herald"),
        ("    sign: s3cr3t-value", 5, "'sign' of endpoint 'ops' must be a reference to a secret"),
    ])
    func badValuesAreErrorsAtTheirLine(extra: String, line: Int, message: String) {
        let decoder = decode("    kind: webhook\n    url: https://ops.example.com/herald\n\(extra)")
        let errors = decoder.log.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.mark.line == line)
        #expect(errors.first?.message.contains(message) == true, "\(errors)")
        #expect(!decoder.log.diagnostics.contains { $0.description.contains("s3cr3t-value") })
    }

    @Test func signIsForWebhooksOnlyAndInsecureIsLoud() {
        let decoder = decode("""
                kind: whatsapp
                url: https://graph.facebook.com/v23.0/1/messages
                token: env:WHATSAPP_TOKEN
                insecure: true
                sign: env:X
            """)
        let messages = decoder.log.diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("error: key 'sign' does not apply to endpoint 'ops' (kind whatsapp)") })
        #expect(messages.contains { $0.contains("warning: endpoint 'ops' skips TLS certificate verification") })
        #expect(messages.count == 2, "\(messages)")
    }

    @Test(arguments: [("80/s", 80.0), ("600/m", 10.0), ("3600/h", 1.0), ("0.5/s", 0.5)])
    func rates(text: String, perSecond: Double) {
        #expect(GatewayConfigDecoder.rate(text) == perSecond)
    }

    @Test(arguments: [("500ms", Duration.milliseconds(500)), ("10s", .seconds(10)), ("5m", .seconds(300)), ("1h", .seconds(3600)), ("7d", .seconds(604_800)), ("3", .seconds(3))])
    func durations(text: String, expected: Duration) {
        #expect(GatewayConfigDecoder.duration(text) == expected)
    }
}
