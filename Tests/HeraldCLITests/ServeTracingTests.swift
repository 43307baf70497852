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
