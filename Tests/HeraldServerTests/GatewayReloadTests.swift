import Foundation
@testable import HeraldCore
import HeraldDelivery
import HeraldServer
import Synchronization
import Testing

/// `Gateway.reload` with real files in a temporary folder: reloads apply in the order they were
/// asked, and the endpoints' breakers outlive them.
@Suite struct GatewayReloadTests {
    /// A herald.yaml with one webhook endpoint nobody listens on (every attempt is refused:
    /// retryable, so it counts towards the breaker) and a rules folder with one rule, `ruleID`.
    struct Folder {
        let url: URL
        var configFile: String { url.appendingPathComponent("herald.yaml").path }
        var ruleFile: String { url.appendingPathComponent("rules/rules.yaml").path }

        init(ruleID: String) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("herald-reload-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url.appendingPathComponent("rules"), withIntermediateDirectories: true)
            try """
                rules: rules
                endpoints:
                  hook: {kind: webhook, url: "http://127.0.0.1:1/refused", retry: {attempts: 1}}
                """.write(toFile: configFile, atomically: true, encoding: .utf8)
            try Self.rules(ruleID).write(toFile: ruleFile, atomically: true, encoding: .utf8)
        }

        static func rules(_ id: String) -> String {
            """
            templates:
              note: {default_locale: en, text: {en: "Hello"}}
            rules:
              - id: \(id)
                match: {type: [test.event]}
                recipient: {address: $.data.to}
                channels: [hook]
                template: note
            """
        }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    static func message() -> PlannedMessage {
        PlannedMessage(rule: "first", element: nil, recipient: ResolvedRecipient(address: "ops@example.com", locale: nil, timezone: nil),
                       locale: LocaleNegotiation.Choice(locale: "en", fallback: nil), formattingLocale: "en", channels: ["hook"],
                       template: "note", params: [], text: "Hello", lengths: [], problems: [])
    }

    @Test func aReloadKeepsAnOpenBreakerOpen() async throws {
        let folder = try Folder(ruleID: "first")
        defer { folder.remove() }
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let gateway = try Gateway(configFile: folder.configFile, secrets: SecretStore(environment: [:]), transport: transport)
        for index in 0..<5 {
            let step = await gateway.snapshot.dispatcher.step(Self.message(), channelIndex: 0, attemptsOnChannel: 0, age: .zero,
                                                              deliveryID: "d-\(index)", eventID: nil)
            #expect(step.outcome != nil, "attempted and refused: \(step)")
        }
        let before = gateway.snapshot.dispatcher
        let status = await gateway.reload()
        #expect(status.successful)
        #expect(gateway.snapshot.dispatcher !== before, "a new dispatcher")
        let step = await gateway.snapshot.dispatcher.step(Self.message(), channelIndex: 0, attemptsOnChannel: 0, age: .zero,
                                                          deliveryID: "d-6", eventID: nil)
        #expect(step.outcome == nil, "not attempted: \(step)")
        #expect(step.note == "hook: circuit breaker open")
    }

    /// Resolves every secret to "s3cret"; once armed, the next resolution waits for ``proceed()``:
    /// it holds a reload between reading its files and swapping them in.
    final class HeldSecrets: SecretResolver, Sendable {
        private let armed = Mutex(false)
        private let entered = DispatchSemaphore(value: 0)
        private let release = DispatchSemaphore(value: 0)

        func resolve(_ reference: SecretReference) throws(SecretError) -> String {
            if armed.withLock({ let was = $0; $0 = false; return was }) {
                entered.signal()
                release.wait()
            }
            return "s3cret"
        }

        func arm() { armed.withLock { $0 = true } }
        /// Returns once a resolution is being held.
        func held() async { await withCheckedContinuation { continuation in DispatchQueue.global().async { self.entered.wait(); continuation.resume() } } }
        func proceed() { release.signal() }
    }

    /// Reload A has read the rules and is held resolving the endpoint's token; meanwhile the rule
    /// file changes and reload B is asked. B was asked later, so B's content wins, whichever
    /// finishes reading first.
    @Test func aReloadAskedLaterIsNeverOverwrittenByAnEarlierOne() async throws {
        let folder = try Folder(ruleID: "first")
        defer { folder.remove() }
        try """
            rules: rules
            endpoints:
              hook: {kind: webhook, url: "http://127.0.0.1:1/refused", token: "env:HOOK_TOKEN"}
            """.write(toFile: folder.configFile, atomically: true, encoding: .utf8)
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let secrets = HeldSecrets()
        let gateway = try Gateway(configFile: folder.configFile, secrets: secrets, transport: transport)
        try Folder.rules("older").write(toFile: folder.ruleFile, atomically: true, encoding: .utf8)
        secrets.arm()
        let first = Task.detached { await gateway.reload() }
        await secrets.held()
        try Folder.rules("newer").write(toFile: folder.ruleFile, atomically: true, encoding: .utf8)
        let second = Task.detached { await gateway.reload() }
        // Give reload B the chance to finish ahead of A, as it could when reloads ran side by side.
        for _ in 0..<100 where gateway.snapshot.ruleSet.rule(id: "newer") == nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        secrets.proceed()
        let (statusA, statusB) = (await first.value, await second.value)
        #expect(statusA.successful && statusB.successful, "\(statusA.summary); \(statusB.summary)")
        #expect(gateway.snapshot.ruleSet.rules.map(\.id) == ["newer"])
    }
}
