import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// The trace context of an attempt (`OutboundTrace.current`) goes to the business's own webhooks,
/// reply callbacks included, and never to WhatsApp or Twilio; the answer's status comes back for
/// the attempt's span.
@Suite struct OutboundTraceTests {
    static let trace = TraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", state: "vendor=1")

    static func dispatcher(webhook: LoopbackHTTPServer, whatsapp: LoopbackHTTPServer, sms: LoopbackHTTPServer) -> Dispatcher {
        let endpoints = DispatcherTests.endpoints(whatsapp: whatsapp, sms: sms) + [
            Endpoint(name: "crm", kind: .webhook, url: webhook.baseURL + "/hooks/herald",
                     delivery: DeliverySettings(headers: [.init(name: "traceparent", value: .literal("00-configured-by-hand"))])),
        ]
        return Dispatcher(endpoints: endpoints, secrets: DispatcherTests.secrets, transport: CurlTransport(), clock: SteppingClock())
    }

    @Test func theBuilderSendsTheTraceOnlyWhenGivenOne() throws {
        let builder = WebhookRequestBuilder(endpoint: WebhookTests.endpoint, secrets: WebhookTests.secrets)
        let traced = try builder.request(document: ["a": 1], deliveryID: "d", now: Date(), trace: Self.trace)
        #expect(traced.header("traceparent") == Self.trace?.header)
        #expect(traced.header("tracestate") == "vendor=1")
        let plain = try builder.request(document: ["a": 1], deliveryID: "d", now: Date())
        #expect(plain.header("traceparent") == nil && plain.header("tracestate") == nil)
    }

    @Test func aWebhookAttemptCarriesTheTraceAndNotesTheAnswersStatus() async throws {
        let webhook = try LoopbackHTTPServer { _ in .respond(status: 202) }
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer()
        defer { webhook.stop(); whatsapp.stop(); sms.stop() }
        let outbound = OutboundTrace(parent: Self.trace)
        let step = await OutboundTrace.$current.withValue(outbound) {
            await Self.dispatcher(webhook: webhook, whatsapp: whatsapp, sms: sms)
                .step(DispatcherTests.message(channels: ["crm"]), channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-1", eventID: "e-1")
        }
        #expect(step.next == .delivered(channel: "crm", providerID: nil))
        let request = try #require(webhook.requests.first)
        #expect(request.header("traceparent") == Self.trace?.header, "Herald's trace, not the configured header")
        #expect(request.headers.filter { $0.name.lowercased() == "traceparent" }.count == 1)
        #expect(request.header("tracestate") == "vendor=1")
        #expect(outbound.responseStatus == 202)
    }

    @Test func aReplyCallbackCarriesTheTrace() async throws {
        let webhook = try LoopbackHTTPServer { _ in .respond(status: 200) }
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer()
        defer { webhook.stop(); whatsapp.stop(); sms.stop() }
        let step = await OutboundTrace.$current.withValue(OutboundTrace(parent: Self.trace)) {
            await Self.dispatcher(webhook: webhook, whatsapp: whatsapp, sms: sms)
                .step(document: ["type": "herald.reply"], channel: "crm", attemptsOnChannel: 0, age: .zero, deliveryID: "d-1/reply/r-1")
        }
        #expect(step.next == .delivered(channel: "crm", providerID: nil))
        #expect(webhook.requests.first?.header("traceparent") == Self.trace?.header)
    }

    @Test func providersNeverSeeTheTrace() async throws {
        let webhook = try LoopbackHTTPServer()
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 503) }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(DispatcherTests.twilioSID.utf8)) }
        defer { webhook.stop(); whatsapp.stop(); sms.stop() }
        let dispatcher = Self.dispatcher(webhook: webhook, whatsapp: whatsapp, sms: sms)
        let outbound = OutboundTrace(parent: Self.trace)
        await OutboundTrace.$current.withValue(outbound) {
            _ = await dispatcher.step(DispatcherTests.message(), channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-2", eventID: nil)
            _ = await dispatcher.step(DispatcherTests.message(), channelIndex: 1, attemptsOnChannel: 0, age: .zero, deliveryID: "d-2", eventID: nil)
        }
        #expect(whatsapp.requests.count == 1 && sms.requests.count == 1)
        for request in whatsapp.requests + sms.requests {
            #expect(request.header("traceparent") == nil && request.header("tracestate") == nil, "\(request.path)")
        }
        #expect(outbound.responseStatus == 201, "the last answer's status")
    }

    @Test func withoutATraceNothingIsAdded() async throws {
        let webhook = try LoopbackHTTPServer()
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer()
        defer { webhook.stop(); whatsapp.stop(); sms.stop() }
        _ = await Self.dispatcher(webhook: webhook, whatsapp: whatsapp, sms: sms)
            .step(DispatcherTests.message(channels: ["crm"]), channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-3", eventID: nil)
        #expect(webhook.requests.first?.header("traceparent") == "00-configured-by-hand", "the endpoint's own header, as configured")
    }
}
