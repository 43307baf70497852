import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery
import HeraldTestSupport

/// `Dispatcher.step`: one attempt through real libcurl to loopback servers, and the next step the
/// retry and failover rules give, as the outbox's workers use it.
@Suite struct DispatcherStepTests {
    func dispatcher(whatsapp: LoopbackHTTPServer, sms: LoopbackHTTPServer, settings: DeliverySettings = DeliverySettings(maxAttempts: 3)) -> Dispatcher {
        Dispatcher(endpoints: DispatcherTests.endpoints(whatsapp: whatsapp, sms: sms, settings: settings), secrets: DispatcherTests.secrets,
                   transport: CurlTransport(), clock: SteppingClock())
    }

    @Test func aSuccessIsDeliveredWithTheProvidersID() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 200, body: Array(DispatcherTests.wamid.utf8)) }
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        let step = await dispatcher(whatsapp: whatsapp, sms: sms)
            .step(DispatcherTests.message(), channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-1", eventID: "e-1")
        #expect(step.next == .delivered(channel: "whatsapp", providerID: "wamid.OK"))
        #expect(step.channel == "whatsapp")
        #expect(whatsapp.requests.count == 1 && sms.requests.isEmpty)
    }

    @Test func aThrottledAttemptIsRetriedNoSoonerThanRetryAfter() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in DispatcherTests.whatsappError(429, code: 130429, retryAfter: "7") }
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        let step = await dispatcher(whatsapp: whatsapp, sms: sms)
            .step(DispatcherTests.message(), channelIndex: 0, attemptsOnChannel: 0, age: .seconds(1), deliveryID: "d-2", eventID: nil)
        guard case .retry(let after) = step.next else { Issue.record("expected a retry, got \(step.next)"); return }
        #expect(after >= .seconds(7))
        if case .retryable(let error, _)? = step.outcome { #expect(error.code == "130429") } else { Issue.record("\(String(describing: step.outcome))") }
    }

    @Test func theLastAllowedAttemptFailsOverToTheNextChannel() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 503) }
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        let step = await dispatcher(whatsapp: whatsapp, sms: sms)
            .step(DispatcherTests.message(), channelIndex: 0, attemptsOnChannel: 2, age: .seconds(30), deliveryID: "d-3", eventID: nil)
        #expect(step.next == .nextChannel(index: 1))
        #expect(step.note?.hasPrefix("whatsapp: retries exhausted") == true, "\(step.note ?? "")")
    }

    @Test func aPermanentRefusalOnTheLastChannelIsDeadWithTheProvidersWords() async throws {
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer { _ in
            .respond(status: 400, body: Array(#"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#.utf8))
        }
        defer { whatsapp.stop(); sms.stop() }
        let step = await dispatcher(whatsapp: whatsapp, sms: sms)
            .step(DispatcherTests.message(), channelIndex: 1, attemptsOnChannel: 0, age: .zero, deliveryID: "d-4", eventID: nil)
        guard case .dead(let reason) = step.next else { Issue.record("expected dead, got \(step.next)"); return }
        #expect(reason.hasPrefix("sms: permanent failure") && reason.contains("21211") && reason.contains("not a valid phone number"), "\(reason)")
        #expect(whatsapp.requests.isEmpty)
    }

    @Test func anUnrenderedMessageIsDeadWithoutAnyRequest() async throws {
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        var message = DispatcherTests.message()
        message.text = nil
        message.problems = ["param 'amount': $.data.amount is missing"]
        let step = await dispatcher(whatsapp: whatsapp, sms: sms).step(message, channelIndex: 0, attemptsOnChannel: 0, age: .zero, deliveryID: "d-5", eventID: nil)
        #expect(step.next == .dead(reason: "message not rendered: param 'amount': $.data.amount is missing"))
        #expect(whatsapp.requests.isEmpty && sms.requests.isEmpty)
    }
}
