import Foundation
import Glibc
import Synchronization
import Testing

/// `herald sink --reply-to` plays the customer against a real `herald serve`: it taps a button or
/// types an answer, signed as the provider would, and the bank's callback comes back to it.
@Suite(.serialized) struct SinkCustomerTests {
    /// ServeConversationTests' fraud check, optionally as an approved WhatsApp template (quick replies).
    static func rules(template: Bool) -> String {
        guard template else { return ServeConversationTests.rules }
        return ServeConversationTests.rules.replacingOccurrences(
            of: "    buttons:\n",
            with: "    whatsapp: {template: aurora_fraud_check, languages: {en: en_US}, body: [merchant, amount]}\n    buttons:\n")
    }

    @Test(arguments: [false, true])
    func aCustomerTapsBlockOnWhatsAppAndTheBankHearsOfIt(template: Bool) async throws {
        let setup = try Setup(sink: ["--json", "--tap", "block"], rules: Self.rules(template: template))
        defer { setup.stop() }
        let server = setup.server
        #expect(try await server.post("/v1/events", ServeConversationTests.event("evt-c1")).status == 202)

        // The prompt, the customer's tap recorded against it, and the callback delivered to the bank.
        let record = try await server.poll("/v1/events/evt-c1", attempts: 150) { object in
            let deliveries = object["deliveries"] as? [[String: Any]] ?? []
            return deliveries.count == 2 && deliveries.allSatisfy { $0["status"] as? String == "delivered" }
        }
        let deliveries = try #require(record["deliveries"] as? [[String: Any]], "\(record)")
        #expect(deliveries.count == 2, "\(record) \(setup.sink.stderr)")
        let replies = deliveries.first?["replies"] as? [[String: Any]] ?? []
        #expect(replies.count == 1, "\(deliveries)")
        #expect(replies.first?["kind"] as? String == "button")
        #expect(replies.first?["button"] as? String == "block")
        #expect((replies.first?["id"] as? String)?.hasPrefix("wamid.REPLY") == true, "\(replies)")
        #expect(deliveries.last?["delivered_via"] as? String == "bank-callback")

        let printed = try await setup.sink.lines { lines in
            lines.contains { $0.contains(#""kind":"answer""#) } && lines.contains { $0.contains("/bank/fraud-replies") }
        }
        let objects = printed.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let answers = objects.filter { $0["kind"] as? String == "answer" }
        #expect(answers.count == 1, "\(printed) \(setup.sink.stderr)")
        #expect(answers.first?["tapped"] as? String == "block")
        #expect(answers.first?["customer"] as? String == "+91•••••••210")
        #expect(answers.first?["channel"] as? String == "whatsapp")
        #expect(answers.first?["in_reply_to"] as? String == "wamid.1")
        #expect(answers.first?["status"] as? Int == 200)
        let callbacks = objects.filter { $0["path"] as? String == "/bank/fraud-replies" }
        #expect(callbacks.count == 1, "\(printed)")
        #expect(callbacks.first?["signed"] as? Bool == true)
        #expect((callbacks.first?["delivery"] as? String)?.hasPrefix("evt-c1/fraud/reply/wamid.REPLY") == true, "\(callbacks)")
        #expect(setup.sink.stderr.isEmpty, "\(setup.sink.stderr)")
    }

    @Test func aCustomerAnswersAnSMSWithAKeyword() async throws {
        let rules = ServeConversationTests.rules.replacingOccurrences(of: "channels: [whatsapp, sms]", with: "channels: [sms]")
        // Text output this time, and an answer whose accent must survive form encoding and signing.
        let setup = try Setup(sink: ["--type", "Não"], rules: rules)
        defer { setup.stop() }
        let server = setup.server
        let event = ServeConversationTests.event("evt-c2", phone: "+55 11 91234-5678", locale: "pt-BR")
        #expect(try await server.post("/v1/events", event).status == 202)

        let record = try await server.poll("/v1/events/evt-c2", attempts: 150) { object in
            let deliveries = object["deliveries"] as? [[String: Any]] ?? []
            return deliveries.count == 2 && deliveries.allSatisfy { $0["status"] as? String == "delivered" }
        }
        let deliveries = try #require(record["deliveries"] as? [[String: Any]], "\(record)")
        #expect(deliveries.count == 2, "\(record) \(setup.sink.stderr)")
        let replies = deliveries.first?["replies"] as? [[String: Any]] ?? []
        #expect(replies.first?["kind"] as? String == "keyword", "\(replies)")
        #expect(replies.first?["button"] as? String == "block", "'Não' is pt-BR's NAO")

        let printed = try await setup.sink.lines { lines in
            lines.contains { $0.hasPrefix("customer ") } && lines.contains { $0.hasPrefix("webhook /bank/fraud-replies ") }
        }
        #expect(printed.filter { $0.hasPrefix("customer ") } == ["customer +55••••••••678 typed 'Não' → 200"], "\(printed) \(setup.sink.stderr)")
        #expect(printed.contains { $0.hasPrefix("sms → +55••••••••678: ") }, "\(printed)")
        let callback = printed.first { $0.hasPrefix("webhook /bank/fraud-replies ") }
        #expect(callback?.contains("(X-Herald-Signature present)") == true, "\(printed)")
        #expect(setup.sink.stderr.isEmpty, "\(setup.sink.stderr)")
    }

    @Test func anAnswerHeraldRefusesIsReportedWithItsStatusAndDetail() async throws {
        // The customer signs with a secret Herald does not know: Meta's signature does not verify.
        let setup = try Setup(sink: ["--tap", "block", "--app-secret-env", "SINK_TEST_WRONG_SECRET"], rules: Self.rules(template: false),
                              environment: ["SINK_TEST_WRONG_SECRET": "not-the-app-secret"])
        defer { setup.stop() }
        #expect(try await setup.server.post("/v1/events", ServeConversationTests.event("evt-c3")).status == 202)
        var stderr = ""
        for _ in 0..<150 where !stderr.contains("tapped 'block' → 401") {
            try await Task.sleep(for: .milliseconds(100))
            stderr = setup.sink.stderr
        }
        #expect(stderr.hasPrefix("herald sink: customer +91•••••••210 tapped 'block' → 401: "), "\(stderr)")
        let record = try await setup.server.request("GET", "/v1/events/evt-c3").object
        let deliveries = record["deliveries"] as? [[String: Any]] ?? []
        #expect(deliveries.count == 1 && (deliveries.first?["replies"] as? [Any] ?? []).isEmpty, "\(record)")
        // The sink still works: it took the refusal in its stride.
        #expect(!(setup.sink.stdout.contains { $0.hasPrefix("customer ") }))
        #expect(setup.sink.process.isRunning)
    }

    @Test func heraldsAnswerToWordsItCannotPlaceIsNotAnsweredAgain() async throws {
        let setup = try Setup(sink: ["--json", "--type", "maybe later"], rules: Self.rules(template: false),
                              extra: #"protection: {not_understood: {en: "Sorry, please tap a button."}}"#)
        defer { setup.stop() }
        let server = setup.server
        #expect(try await server.post("/v1/events", ServeConversationTests.event("evt-c4")).status == 202)
        // The customer types words Herald cannot place, and Herald says so.
        let sorry = try await setup.sink.lines { $0.contains { $0.contains("Sorry, please tap a button.") } }
        let answer = sorry.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["text"] as? String == "Sorry, please tap a button." }
        #expect((answer?["delivery"] as? String)?.hasPrefix("evt-c4/fraud/answer/wamid.REPLY") == true, "\(sorry)")
        // A second question, to another number, arrives after Herald's answer: had the customer
        // answered that one, its answer would be printed first.
        #expect(try await server.post("/v1/events", ServeConversationTests.event("evt-c5", phone: "+91 98123 45678")).status == 202)
        let printed = try await setup.sink.lines { lines in lines.contains { $0.contains(#""kind":"answer""#) && $0.contains("+91•••••••678") } }
        let answers = printed.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "answer" }
        #expect(answers.map { $0["customer"] as? String } == ["+91•••••••210", "+91•••••••678"], "\(printed)")
        #expect(answers.allSatisfy { $0["typed"] as? String == "maybe later" && $0["status"] as? Int == 200 })
        let record = try await server.request("GET", "/v1/events/evt-c4").object
        let replies = (record["deliveries"] as? [[String: Any]])?.flatMap { $0["replies"] as? [[String: Any]] ?? [] } ?? []
        #expect(replies.map { $0["kind"] as? String } == ["not_understood"], "\(record)")
    }

    @Test func theCustomerOptionsNeedEachOther() throws {
        for (arguments, message) in [
            (["--tap", "block"], "--tap and --type need --reply-to"),
            (["--reply-to", "http://127.0.0.1:1"], "--reply-to needs --tap BUTTON-ID or --type TEXT"),
            (["--reply-to", "ftp://127.0.0.1:1", "--tap", "block"], "--reply-to must be Herald's base URL"),
            (["--reply-to", "http://127.0.0.1:1", "--tap", "block:x"], "--tap must be a button id"),
            (["--reply-to", "http://127.0.0.1:1", "--type", "NO", "--answer-delay", "soon"], "--answer-delay must be a duration"),
        ] {
            let output = try HeraldProcess.run(["sink", "--listen", "127.0.0.1:0"] + arguments)
            #expect(output.status == 64 || output.status == 2, "\(arguments): \(output.status)")
            #expect(output.stderr.contains(message), "\(arguments): \(output.stderr)")
        }
    }

    // MARK: Running both

    /// A sink playing the customer and a server it answers, each knowing the other's port.
    struct Setup {
        let sink: CustomerSink
        let server: RunningServer

        /// The server's port is chosen first, so the sink can be told where to answer before the
        /// server (which needs the sink's port in its config) starts.
        init(sink arguments: [String], rules: String, extra: String = "", environment: [String: String] = [:]) throws {
            let heraldPort = try SinkCustomerTests.freePort()
            var secrets = RunningServer.secrets
            secrets.merge(environment) { _, new in new }
            sink = try CustomerSink(["--reply-to", "http://127.0.0.1:\(heraldPort)"] + arguments, environment: secrets)
            let folder = try RunningServer.folder(sinkPort: sink.port, extra: extra, rules: rules)
            let config = folder.appendingPathComponent("herald.yaml")
            let text = try String(contentsOf: config, encoding: .utf8)
            try text.replacingOccurrences(of: "listen: 127.0.0.1:0", with: "listen: 127.0.0.1:\(heraldPort)")
                .write(to: config, atomically: true, encoding: .utf8)
            server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        }

        func stop() {
            server.stop()
            sink.stop()
            try? FileManager.default.removeItem(at: server.folder)
        }
    }

    /// A port nothing listens on right now: bound, read and released.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A running `herald sink` with its own environment (the secrets it signs with), whose stdout and
/// stderr are collected while it runs, so a test can wait for a line.
final class CustomerSink: @unchecked Sendable {
    let process = Process()
    let port: Int
    private final class Collected: Sendable {
        let output = Mutex((stdout: Data(), stderr: Data()))
    }

    private let collected = Collected()
    private let drained = DispatchGroup()

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = HeraldProcess.executable
        process.arguments = ["sink", "--listen", "127.0.0.1:0"] + arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        var port = 0
        while port == 0, let line = RunningSink.readLine(errors.fileHandleForReading) {
            if line.hasPrefix("listening on http://127.0.0.1:") { port = Int(line.dropFirst("listening on http://127.0.0.1:".count)) ?? 0 }
        }
        self.port = port
        for (handle, isOutput) in [(output.fileHandleForReading, true), (errors.fileHandleForReading, false)] {
            drained.enter()
            Thread.detachNewThread { [collected, drained] in
                // `availableData` returns what has arrived; `read(upToCount:)` would wait for all of it.
                while case let chunk = handle.availableData, !chunk.isEmpty {
                    collected.output.withLock { if isOutput { $0.stdout += chunk } else { $0.stderr += chunk } }
                }
                drained.leave()
            }
        }
    }

    var stdout: [String] {
        collected.output.withLock { String(decoding: $0.stdout, as: UTF8.self) }.split(separator: "\n").map(String.init)
    }

    var stderr: String { collected.output.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Stdout's lines once `done` holds for them (at most `attempts` × 100 ms).
    func lines(attempts: Int = 150, until done: ([String]) -> Bool) async throws -> [String] {
        for _ in 0..<attempts {
            let lines = stdout
            if done(lines) { return lines }
            try await Task.sleep(for: .milliseconds(100))
        }
        return stdout
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        drained.wait()
    }
}
