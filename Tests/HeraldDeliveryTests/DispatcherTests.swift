import Foundation
@testable import HeraldCore
import Synchronization
import Testing
@testable import HeraldDelivery
import HeraldTestSupport

/// A clock that never waits: sleeping moves its time forward and is recorded.
final class SteppingClock: DeliveryClock {
    private let state = Mutex((now: Duration.zero, sleeps: [Duration]()))

    func now() -> Duration { state.withLock { $0.now } }
    func wallClock() -> Date { Date(timeIntervalSince1970: 1_741_958_700) + state.withLock { Double($0.now.components.seconds) } }
    func sleep(for duration: Duration) async {
        state.withLock {
            $0.now += duration
            if duration > .zero { $0.sleeps.append(duration) }
        }
    }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
}

/// The dispatcher with real libcurl against real loopback servers standing in for WhatsApp and Twilio.
@Suite struct DispatcherTests {
    static let secrets = SecretStore(environment: ["WHATSAPP_TOKEN": "wa-token", "TWILIO_AUTH_TOKEN": "tw-token"])
    static let wamid = #"{"messaging_product":"whatsapp","contacts":[{"input":"+919876543210","wa_id":"919876543210"}],"messages":[{"id":"wamid.OK"}]}"#
    static let twilioSID = #"{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}"#

    static func endpoints(whatsapp: LoopbackHTTPServer, sms: LoopbackHTTPServer, settings: DeliverySettings = DeliverySettings(maxAttempts: 3)) -> [Endpoint] {
        [
            Endpoint(name: "whatsapp", kind: .whatsapp, url: whatsapp.baseURL + "/v23.0/1234567890/messages",
                     token: .environment("WHATSAPP_TOKEN"), delivery: settings),
            Endpoint(name: "sms", kind: .twilio, url: sms.baseURL + "/2010-04-01/Accounts/AC1/Messages.json",
                     token: .environment("TWILIO_AUTH_TOKEN"), account: "AC1", from: "+15005550006", delivery: settings),
        ]
    }

    static func message(channels: [String] = ["whatsapp", "sms"]) -> PlannedMessage {
        PlannedMessage(
            rule: "card-fraud-check", element: nil,
            recipient: ResolvedRecipient(address: "+919876543210", locale: "hi-IN", timezone: "Asia/Kolkata"),
            locale: LocaleNegotiation.Choice(locale: "hi", fallback: nil), formattingLocale: "hi-IN",
            channels: channels, template: "card_fraud_check", params: [], text: "₹48,999.00 at Croma. Was this you?",
            lengths: [], problems: [])
    }

    static func whatsappError(_ status: Int, code: Int, retryAfter: String? = nil) -> LoopbackHTTPServer.Behaviour {
        let body = #"{"error":{"message":"failure \#(code)","type":"OAuthException","code":\#(code),"fbtrace_id":"x"}}"#
        return .respond(status: status, headers: retryAfter.map { [("Retry-After", $0)] } ?? [], body: Array(body.utf8))
    }

    @Test func aRateLimitedSendIsRetriedAfterRetryAfterAndDelivered() async throws {
        let calls = Mutex(0)
        let whatsapp = try LoopbackHTTPServer { _ in
            calls.withLock { $0 += 1; return $0 } == 1 ? Self.whatsappError(429, code: 130429, retryAfter: "2") : .respond(status: 200, body: Array(Self.wamid.utf8))
        }
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        let clock = SteppingClock()
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms), secrets: Self.secrets,
                                    transport: CurlTransport(), clock: clock)
        let report = await dispatcher.deliver(Self.message(), deliveryID: "d-1", eventID: "e-1")
        #expect(report.result == .delivered(channel: "whatsapp", providerID: "wamid.OK"))
        #expect(report.attempts.map(\.number) == [1, 2])
        #expect(clock.sleeps.count == 1)
        #expect((clock.sleeps.first ?? .zero) >= .seconds(2), "Retry-After is a lower bound")
        #expect(sms.requests.isEmpty)
        // The bearer token went to WhatsApp; the delivery id rides along for de-duplication.
        #expect(whatsapp.requests.first?.header("Authorization") == "Bearer wa-token")
    }

    @Test func aPermanentRefusalFailsOverToSMS() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in Self.whatsappError(400, code: 131026) }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(Self.twilioSID.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms), secrets: Self.secrets,
                                    transport: CurlTransport(), clock: SteppingClock())
        let report = await dispatcher.deliver(Self.message(), deliveryID: "d-2", eventID: "e-2")
        #expect(report.result == .delivered(channel: "sms", providerID: "SM0123456789abcdef0123456789abcdef"))
        #expect(whatsapp.requests.count == 1, "a permanent error is not retried")
        #expect(report.failovers.count == 1)
        #expect(report.failovers.first?.contains("code 131026") == true, "\(report.failovers)")
        let form = String(decoding: sms.requests.first?.body ?? [], as: UTF8.self)
        #expect(form.contains("To=%2B919876543210"))
    }

    @Test func exhaustedRetriesFailOverAndAllFailingChannelsReportTheLastReason() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 503) }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 400, body: Array(#"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        let clock = SteppingClock()
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms), secrets: Self.secrets,
                                    transport: CurlTransport(), clock: clock)
        let report = await dispatcher.deliver(Self.message(), deliveryID: "d-3", eventID: nil)
        #expect(whatsapp.requests.count == 3, "retry.attempts: 3")
        #expect(clock.sleeps.count == 2)
        #expect(sms.requests.count == 1)
        guard case .failed(let reason) = report.result else { Issue.record("should fail"); return }
        #expect(reason.contains("21211"), "\(reason)")
    }

    @Test func anOpenBreakerSkipsTheEndpointWithoutCallingIt() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 500) }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(Self.twilioSID.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms, settings: DeliverySettings(maxAttempts: 1)),
                                    secrets: Self.secrets, transport: CurlTransport(), clock: SteppingClock())
        for index in 0..<5 {
            _ = await dispatcher.deliver(Self.message(), deliveryID: "d-\(index)", eventID: nil)
        }
        #expect(whatsapp.requests.count == 5)
        let report = await dispatcher.deliver(Self.message(), deliveryID: "d-6", eventID: nil)
        #expect(whatsapp.requests.count == 5, "the sixth delivery does not touch the failing endpoint")
        #expect(report.failovers == ["whatsapp: circuit breaker open"])
        #expect(report.result == .delivered(channel: "sms", providerID: "SM0123456789abcdef0123456789abcdef"))
    }

    @Test func aMissingSecretIsNamedNeverShownAndFailsOver() async throws {
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(Self.twilioSID.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms),
                                    secrets: SecretStore(environment: ["TWILIO_AUTH_TOKEN": "tw-token"]),
                                    transport: CurlTransport(), clock: SteppingClock())
        let report = await dispatcher.deliver(Self.message(), deliveryID: "d-7", eventID: nil)
        #expect(whatsapp.requests.isEmpty)
        #expect(report.failovers.first?.contains("env:WHATSAPP_TOKEN") == true, "\(report.failovers)")
        #expect(!report.failovers.joined().contains("tw-token"))
        #expect(report.result == .delivered(channel: "sms", providerID: "SM0123456789abcdef0123456789abcdef"))
    }

    @Test func theRateLimitPacesSends() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 200, body: Array(Self.wamid.utf8)) }
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        let clock = SteppingClock()
        let settings = DeliverySettings(ratePerSecond: 2, maxAttempts: 1)
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms, settings: settings), secrets: Self.secrets,
                                    transport: CurlTransport(), clock: clock)
        for index in 0..<6 {
            let report = await dispatcher.deliver(Self.message(), deliveryID: "d-\(index)", eventID: nil)
            #expect(report.result == .delivered(channel: "whatsapp", providerID: "wamid.OK"))
        }
        // A burst of two goes at once; the other four wait half a second each.
        #expect(clock.sleeps.reduce(.zero, +) >= .seconds(2))
        #expect(clock.sleeps.allSatisfy { $0 <= .milliseconds(500) })
    }

    /// A text over one endpoint's max_length skips that channel and goes where it fits.
    @Test func aTextTooLongForOneChannelFailsOverToOneItFits() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .respond(status: 200, body: Array(Self.wamid.utf8)) }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(Self.twilioSID.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        var message = Self.message()
        message.channelProblems = ["whatsapp": "text is 1100 characters long, over the maximum of 1024 for endpoint 'whatsapp'"]
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms), secrets: Self.secrets,
                                    transport: CurlTransport(), clock: SteppingClock())
        let report = await dispatcher.deliver(message, deliveryID: "d-9", eventID: nil)
        #expect(whatsapp.requests.isEmpty)
        #expect(report.failovers.first?.contains("over the maximum of 1024") == true)
        #expect(report.result == .delivered(channel: "sms", providerID: "SM0123456789abcdef0123456789abcdef"))
    }

    /// A provider that never answers costs a timeout per attempt, then the message fails over.
    @Test func aHangingEndpointTimesOutAndFailsOver() async throws {
        let whatsapp = try LoopbackHTTPServer { _ in .hang }
        let sms = try LoopbackHTTPServer { _ in .respond(status: 201, body: Array(Self.twilioSID.utf8)) }
        defer { whatsapp.stop(); sms.stop() }
        let settings = DeliverySettings(timeout: .milliseconds(300), maxAttempts: 2)
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms, settings: settings), secrets: Self.secrets,
                                    transport: CurlTransport(), clock: SteppingClock())
        let report = await dispatcher.deliver(Self.message(), deliveryID: "d-10", eventID: nil)
        #expect(report.attempts.filter { $0.channel == "whatsapp" }.count == 2)
        guard case .retryable(let error, _)? = report.attempts.first?.outcome else { Issue.record("a timeout is retryable"); return }
        #expect(error.message.contains("timed out"), "\(error)")
        #expect(report.result == .delivered(channel: "sms", providerID: "SM0123456789abcdef0123456789abcdef"))
    }

    /// E-mail goes through libcurl's SMTP to a real SMTP server (aiosmtpd).
    @Test func deliversEmailThroughSMTP() async throws {
        let server = try SMTPTestServer()
        let endpoint = Endpoint(name: "mail", kind: .smtp, url: "smtp://127.0.0.1:\(server.port)", from: "Aurora Bank <alerts@aurora.example>",
                                delivery: DeliverySettings(maxAttempts: 1, insecure: true))
        var message = Self.message(channels: ["mail"])
        message.recipient.address = "cardholder@example.com"
        message.text = "Aurora Bank: ₹48,999.00 at Croma. Was this you?"
        let transport = CurlTransport()
        let dispatcher = Dispatcher(endpoints: [endpoint], secrets: Self.secrets, transport: transport, mail: transport, clock: SteppingClock())
        let report = await dispatcher.deliver(message, deliveryID: "d-11", eventID: "e-11")
        #expect(report.result == .delivered(channel: "mail", providerID: "<d-11@herald>"))
        let received = try await server.waitForMessages(1)
        #expect(received.first?.recipients == ["cardholder@example.com"])
        let data = String(decoding: received.first?.bytes ?? [], as: UTF8.self)
        #expect(data.contains("Message-ID: <d-11@herald>\r\n"), "\(data.prefix(400))")
        #expect(data.contains("Content-Type: text/plain; charset=utf-8"))
    }

    @Test func anUnrenderedMessageIsNotSent() async throws {
        let whatsapp = try LoopbackHTTPServer()
        let sms = try LoopbackHTTPServer()
        defer { whatsapp.stop(); sms.stop() }
        var message = Self.message()
        message.text = nil
        message.problems = ["param 'amount': $.data.amount is missing"]
        let dispatcher = Dispatcher(endpoints: Self.endpoints(whatsapp: whatsapp, sms: sms), secrets: Self.secrets, transport: CurlTransport())
        let report = await dispatcher.deliver(message, deliveryID: "d-8", eventID: nil)
        #expect(report.result == .failed("message not rendered: param 'amount': $.data.amount is missing"))
        #expect(whatsapp.requests.isEmpty && sms.requests.isEmpty)
    }
}
