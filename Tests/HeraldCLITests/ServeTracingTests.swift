import Foundation
import HeraldTestSupport
import Synchronization
import Testing

/// `herald serve` with `tracing:`: a real process posting its spans to a loopback OTLP/HTTP
/// receiver, delivering to a loopback webhook. The spans are read from the protobuf bodies the
/// receiver got; the receiver is read after SIGTERM, which flushes what is still queued.
@Suite(.serialized) struct ServeTracingTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let senderSpan = "00f067aa0ba902b7"
    static let traceparent = "00-\(traceID)-\(senderSpan)-01"
    static let event = #"{"id":"evt-traced-1","type":"greeting","data":{"phone":"+15005550006","name":"Ada"}}"#

    /// One loopback server for both: `/v1/traces` answers as a collector does, `/ops` refuses the
    /// first delivery with a 503 (retry after 1 s) and takes the next.
    static func receiver() throws -> LoopbackHTTPServer {
        let webhookCalls = Mutex(0)
        return try LoopbackHTTPServer { request in
            if request.path == "/v1/traces" { return .respond(status: 200, headers: [("Content-Type", "application/x-protobuf")]) }
            let call = webhookCalls.withLock { calls in
                calls += 1
                return calls
            }
            return call == 1 ? .respond(status: 503, headers: [("Retry-After", "1")], body: Array("busy".utf8)) : .respond(status: 200)
        }
    }

    static func spans(_ receiver: LoopbackHTTPServer) throws -> [OTLPSpan] {
        try receiver.requests.filter { $0.path == "/v1/traces" }.flatMap { request in
            #expect(request.header("Content-Type") == "application/x-protobuf")
            return try OTLPSpan.decode(request.body)
        }
    }

    @Test func anEventIsOneTraceFromTheSendersSpanToEachWebhookAttempt() async throws {
        let receiver = try Self.receiver()
        defer { receiver.stop() }
        let folder = try RunningServer.folder(sinkPort: receiver.port, extra: """
            tracing: {endpoint: "http://127.0.0.1:\(receiver.port)", sample: 1.0, service_name: herald-test, headers: {X-Collector-Key: env:OTLP_KEY}}
            """, rules: RunningServer.greetingRules(channel: "ops"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets.merging(["OTLP_KEY": "collector-secret"]) { $1 })
        #expect(server.port > 0, "\(server.stderr)")

        let reply = try await server.post("/v1/events", Self.event, headers: ["traceparent": Self.traceparent, "tracestate": "sender=1"])
        #expect(reply.status == 202, "\(reply.text)")
        let record = try await server.poll("/v1/events/evt-traced-1") { object in
            ((object["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered"
        }
        #expect((record["deliveries"] as? [[String: Any]])?.first?["status"] as? String == "delivered", "\(record)")
        #expect(server.stop() == 0, "\(server.stderr)")

        let spans = try Self.spans(receiver)
        let names = spans.map(\.name).sorted()
        #expect(names == ["POST /v1/events", "herald.attempt", "herald.attempt", "herald.plan", "herald.store"], "\(names)")
        #expect(spans.allSatisfy { $0.traceID == Self.traceID }, "every span is in the sender's trace")
        #expect(spans.allSatisfy { $0.resource["service.name"] == .string("herald-test") })
        #expect(receiver.requests.filter { $0.path == "/v1/traces" }.allSatisfy { $0.header("X-Collector-Key") == "collector-secret" })
        #expect(!server.stderr.contains("collector-secret"), "a header's secret is never logged")

        let ingest = try #require(spans.first { $0.name == "POST /v1/events" })
        #expect(ingest.parentSpanID == Self.senderSpan, "the ingest span continues the sender's span")
        #expect(ingest.kind == .server)
        #expect(ingest.attributes["http.response.status_code"] == .int(202))
        let plan = try #require(spans.first { $0.name == "herald.plan" })
        #expect(plan.parentSpanID == ingest.spanID)
        #expect(plan.attributes["herald.event.id"] == .string("evt-traced-1"))
        #expect(plan.attributes["herald.rules.matched"] == .array([.string("greet")]))
        let store = try #require(spans.first { $0.name == "herald.store" })
        #expect(store.parentSpanID == ingest.spanID)
        #expect(store.attributes["herald.deliveries"] == .int(1))

        // The first attempt was refused; the retry, claimed from the outbox a second later, is in the same trace.
        let attempts = spans.filter { $0.name == "herald.attempt" }.sorted { "\($0.attributes["herald.attempt"] ?? .other)" < "\($1.attributes["herald.attempt"] ?? .other)" }
        try #require(attempts.count == 2)
        for attempt in attempts {
            #expect(attempt.parentSpanID == plan.spanID, "each attempt hangs under its event")
            #expect(attempt.kind == .client)
            #expect(attempt.attributes["herald.endpoint"] == .string("ops"))
            #expect(attempt.attributes["herald.channel.kind"] == .string("webhook"))
            #expect(attempt.attributes["herald.delivery.id"] == .string("evt-traced-1/greet"))
        }
        #expect(attempts[0].attributes["herald.attempt"] == .int(1))
        #expect(attempts[0].attributes["herald.outcome"] == .string("retryable"))
        #expect(attempts[0].attributes["herald.next"] == .string("retry"))
        #expect(attempts[0].attributes["http.response.status_code"] == .int(503))
        #expect(attempts[0].statusCode == 2, "a failed attempt is an error")
        #expect(attempts[1].attributes["herald.attempt"] == .int(2))
        #expect(attempts[1].attributes["herald.outcome"] == .string("delivered"))
        #expect(attempts[1].attributes["http.response.status_code"] == .int(200))

        // Each webhook request names its own attempt's span as the parent.
        let calls = receiver.requests.filter { $0.path == "/ops" }
        #expect(calls.map { $0.header("traceparent") } == attempts.map { "00-\(Self.traceID)-\($0.spanID)-01" })
        #expect(calls.allSatisfy { $0.header("tracestate") == "sender=1" })
    }

    /// `sample: 0`: Herald starts no recorded trace of its own, but a sender's sampled trace is
    /// recorded (parent-based), and every trace's context still reaches the webhook, its
    /// `sampled` flag telling the receiver whether to record.
    @Test func aSendersSampledFlagDecidesAndEveryContextIsPassedOn() async throws {
        let receiver = try LoopbackHTTPServer { request in
            request.path == "/v1/traces" ? .respond(status: 200, headers: [("Content-Type", "application/x-protobuf")]) : .respond(status: 200)
        }
        defer { receiver.stop() }
        let folder = try RunningServer.folder(sinkPort: receiver.port, extra: """
            tracing: {endpoint: "http://127.0.0.1:\(receiver.port)", sample: 0}
            """, rules: RunningServer.greetingRules(channel: "ops"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        let unsampled = "00-11111111111111111111111111111111-2222222222222222-00"
        for (id, header) in [("evt-sampled", Self.traceparent), ("evt-unsampled", unsampled), ("evt-new", nil)] {
            let reply = try await server.post("/v1/events", Self.event.replacingOccurrences(of: "evt-traced-1", with: id),
                                              headers: header.map { ["traceparent": $0] } ?? [:])
            #expect(reply.status == 202, "\(reply.text)")
        }
        _ = try await server.poll("/v1/deliveries?status=pending") { ($0["deliveries"] as? [Any])?.isEmpty == true }
        #expect(server.stop() == 0, "\(server.stderr)")

        let spans = try Self.spans(receiver)
        #expect(Set(spans.map(\.traceID)) == [Self.traceID], "only the sender's sampled trace is recorded")
        #expect(spans.contains { $0.name == "herald.attempt" && $0.attributes["herald.delivery.id"] == .string("evt-sampled/greet") })

        let calls = Dictionary(receiver.requests.filter { $0.path == "/ops" }.map { ($0.header("X-Herald-Delivery") ?? "", $0) }) { first, _ in first }
        let sampled = try #require(calls["evt-sampled/greet"]?.header("traceparent"))
        #expect(sampled.hasPrefix("00-\(Self.traceID)-") && sampled.hasSuffix("-01"))
        #expect(calls["evt-unsampled/greet"]?.header("traceparent") == unsampled, "an unrecorded trace goes on as it came")
        let fresh = try #require(calls["evt-new/greet"]?.header("traceparent"))
        #expect(fresh.count == 55 && fresh.hasSuffix("-00") && !fresh.contains(Self.traceID) && !fresh.contains("1111111111"),
                "a new trace the sampler left out still has its context: \(fresh)")
    }

    /// A provider's status and a customer's reply land in the trace of the message they are about;
    /// the reply's callback to the bank hangs under the reply and carries its context. WhatsApp
    /// itself never gets a traceparent.
    @Test func statusesRepliesAndTheirCallbackJoinTheMessagesTrace() async throws {
        let wamid = #"{"messaging_product":"whatsapp","contacts":[{"input":"+919876543210","wa_id":"919876543210"}],"messages":[{"id":"wamid.1"}]}"#
        let receiver = try LoopbackHTTPServer { request in
            if request.path == "/v1/traces" { return .respond(status: 200, headers: [("Content-Type", "application/x-protobuf")]) }
            if request.path.hasSuffix("/messages") { return .respond(status: 200, headers: [("Content-Type", "application/json")], body: Array(wamid.utf8)) }
            return .respond(status: 200)
        }
        defer { receiver.stop() }
        let folder = try RunningServer.folder(sinkPort: receiver.port, extra: """
            tracing: {endpoint: "http://127.0.0.1:\(receiver.port)", sample: 1}
            """, rules: ServeConversationTests.rules)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        #expect(try await server.post("/v1/events", ServeConversationTests.event("evt-7"), headers: ["traceparent": Self.traceparent]).status == 202)
        _ = try await server.poll("/v1/events/evt-7") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }

        let status = ServeConversationTests.whatsapp(#""statuses":[{"id":"wamid.1","status":"delivered","timestamp":"1764093001","recipient_id":"919876543210"}]"#)
        #expect(try await server.post("/v1/webhooks/whatsapp", status, key: nil, headers: ServeConversationTests.signed(status)).status == 200)
        let reply = ServeConversationTests.whatsapp(#""contacts":[{"profile":{"name":"Priya"},"wa_id":"919876543210"}],"messages":[{"from":"919876543210","id":"wamid.REPLY1","timestamp":"1764093000","context":{"from":"15550001111","id":"wamid.1"},"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"block:evt-7/fraud","title":"No, block my card"}}}]"#)
        #expect(try await server.post("/v1/webhooks/whatsapp", reply, key: nil, headers: ServeConversationTests.signed(reply)).status == 200)
        let record = try await server.poll("/v1/events/evt-7") { object in
            let deliveries = object["deliveries"] as? [[String: Any]] ?? []
            return deliveries.count == 2 && deliveries.allSatisfy { $0["status"] as? String == "delivered" }
        }
        #expect((record["deliveries"] as? [[String: Any]])?.count == 2, "\(record)")
        #expect(server.stop() == 0, "\(server.stderr)")

        let spans = try Self.spans(receiver)
        #expect(spans.allSatisfy { $0.traceID == Self.traceID }, "\(spans.map(\.name))")
        let plan = try #require(spans.first { $0.name == "herald.plan" })
        let statusSpan = try #require(spans.first { $0.name == "herald.provider_status" })
        #expect(statusSpan.parentSpanID == plan.spanID)
        #expect(statusSpan.attributes["herald.provider.status"] == .string("delivered"))
        #expect(statusSpan.attributes["herald.status.result"] == .string("applied"))
        #expect(statusSpan.attributes["herald.delivery.id"] == .string("evt-7/fraud"))
        let replySpan = try #require(spans.first { $0.name == "herald.reply" })
        #expect(replySpan.parentSpanID == plan.spanID)
        #expect(replySpan.attributes["herald.reply.kind"] == .string("button"))
        #expect(replySpan.attributes["herald.reply.button"] == .string("block"))
        #expect(replySpan.attributes["herald.callback.delivery.id"] == .string("evt-7/fraud/reply/wamid.REPLY1"))
        let callback = try #require(spans.first { $0.name == "herald.attempt" && $0.attributes["herald.delivery.kind"] == .string("callback") })
        #expect(callback.parentSpanID == replySpan.spanID)
        #expect(callback.attributes["herald.endpoint"] == .string("bank-callback"))
        #expect(callback.attributes["herald.outcome"] == .string("delivered"))
        let message = try #require(spans.first { $0.name == "herald.attempt" && $0.attributes["herald.delivery.kind"] == .string("message") })
        #expect(message.attributes["herald.channel.kind"] == .string("whatsapp"))
        #expect(message.attributes["herald.provider.id"] == .string("wamid.1"))

        let bank = try #require(receiver.requests.first { $0.path == "/bank/fraud-replies" })
        #expect(bank.header("traceparent") == "00-\(Self.traceID)-\(callback.spanID)-01")
        #expect(receiver.requests.filter { $0.path.hasSuffix("/messages") }.allSatisfy { $0.header("traceparent") == nil })
    }

    @Test func withoutTracingTheSendersTraceparentIsPassedOnUnchanged() async throws {
        let receiver = try LoopbackHTTPServer()
        defer { receiver.stop() }
        let folder = try RunningServer.folder(sinkPort: receiver.port, rules: RunningServer.greetingRules(channel: "ops"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)

        let traced = try await server.post("/v1/events", Self.event, headers: ["traceparent": Self.traceparent])
        let plain = try await server.post("/v1/events", Self.event.replacingOccurrences(of: "evt-traced-1", with: "evt-plain-1"))
        let malformed = try await server.post("/v1/events", Self.event.replacingOccurrences(of: "evt-traced-1", with: "evt-odd-1"),
                                              headers: ["traceparent": "00-not-a-trace-01"])
        #expect([traced.status, plain.status, malformed.status] == [Int](repeating: 202, count: 3))
        _ = try await server.poll("/v1/deliveries?status=pending") { ($0["deliveries"] as? [Any])?.isEmpty == true }
        #expect(server.stop() == 0)

        let calls = receiver.requests.filter { $0.path == "/ops" }
        let byDelivery = Dictionary(calls.map { ($0.header("X-Herald-Delivery") ?? "", $0) }) { first, _ in first }
        #expect(byDelivery.count == 3, "\(calls.map(\.path))")
        #expect(byDelivery["evt-traced-1/greet"]?.header("traceparent") == Self.traceparent)
        #expect(byDelivery["evt-plain-1/greet"]?.header("traceparent") == nil)
        #expect(byDelivery["evt-odd-1/greet"]?.header("traceparent") == nil, "a malformed header is not passed on")
        #expect(!receiver.requests.contains { $0.path == "/v1/traces" }, "no tracer, no export")
    }

    /// A collector that takes the connection and never answers costs the last spans, not the exit
    /// status: the export gets a bounded time after the deliveries are done.
    @Test func aCollectorThatHangsDoesNotFailTheShutdown() async throws {
        let collector = try LoopbackHTTPServer { _ in .hang }
        let webhook = try LoopbackHTTPServer()
        defer { collector.stop(); webhook.stop() }
        let folder = try RunningServer.folder(sinkPort: webhook.port, extra: """
            tracing: {endpoint: "http://127.0.0.1:\(collector.port)", sample: 1}
            """, rules: RunningServer.greetingRules(channel: "ops"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        #expect(try await server.post("/v1/events", Self.event, headers: ["traceparent": Self.traceparent]).status == 202)
        _ = try await server.poll("/v1/deliveries?status=pending") { ($0["deliveries"] as? [Any])?.isEmpty == true }
        #expect(server.stop() == 0, "\(server.stderr)")
        #expect(webhook.requests.count == 1, "the delivery went out all the same")
        #expect(server.stderr.contains("the last spans may not have been exported"), "\(server.stderr)")
    }

    @Test func checkAndServeRefuseABadTracingBlockInTheSameWords() throws {
        let folder = try ConfigLoadingTests.folder(extra: "tracing: {endpoint: 'http://127.0.0.1:4318', sample: 2}")
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = "herald.yaml:11:54: error: 'sample' of 'tracing' must be a number from 0 to 1, the share of new traces recorded; "
            + "write e.g. 'sample: 0.01' (1 in 100) or 'sample: 1' (all)"
        let check = try HeraldProcess.run(["check"], in: folder)
        #expect(check.status == 1)
        #expect(check.lines.first == expected, "\(check.stdout)")
        let refusal = try #require(try ConfigLoadingTests.serveRefusal(in: folder), "herald serve started with sample: 2")
        #expect(refusal.status == 1)
        #expect(refusal.stderr.contains(expected), "\(refusal.stderr)")
    }

    @Test func serveRefusesToStartWithoutTheCollectorsSecret() throws {
        let folder = try ConfigLoadingTests.folder(extra: "tracing: {endpoint: 'http://127.0.0.1:4318', headers: {X-Key: env:HERALD_TEST_NO_SUCH_VARIABLE}}")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try HeraldProcess.run(["check"], in: folder).status == 0, "check reads no secret")
        let refusal = try #require(try ConfigLoadingTests.serveRefusal(in: folder))
        #expect(refusal.status == 1)
        #expect(refusal.stderr.contains("tracing.headers.X-Key: "), "\(refusal.stderr)")
        #expect(refusal.stderr.contains("HERALD_TEST_NO_SUCH_VARIABLE"), "\(refusal.stderr)")
    }
}
