// Throughput of building the exact HTTP request for one planned message, per endpoint kind:
// WhatsApp interactive (reply buttons) and template messages (JSON), Twilio (form-encoded, Basic
// auth) and a signed webhook (JSON body + HMAC-SHA256). The message is the sample fraud alert in
// Hindi, with real-length event and delivery ids. Run with `swift package benchmark --target Requests`.

import Benchmark
import Foundation
import HeraldCore
import HeraldDelivery

func message(template: PlannedWhatsAppTemplate? = nil) throws -> PlannedMessage {
    // Planned messages come from the planner; here one is read back from its stored form.
    let stored = #"{"v":1,"rule":"card-fraud-check","element":null,"recipient":{"address":"+919876543210","locale":"hi-IN","timezone":"Asia/Kolkata"},"locale":"hi","locale_fallback":"hi-IN → hi","formatting_locale":"hi-IN","channels":["whatsapp","sms"],"template":"card_fraud_check","params":[{"name":"merchant","value":"Croma Electronics"},{"name":"amount","value":{"money":48999.00,"currency":"INR"}},{"name":"last4","value":"4821"}],"text":"आपके कार्ड (अंतिम अंक 4821) से Croma Electronics पर ₹48,999.00 का भुगतान हुआ है। क्या यह भुगतान आपने किया था?","problems":[],"channel_problems":{},"buttons":[{"id":"confirm","title":"हाँ, मैंने किया"},{"id":"block","title":"नहीं, कार्ड रोकें"}]}"#
    var message = try PlannedMessage(stored: JSONParser.parse(Array(stored.utf8)))
    message.whatsappTemplate = template
    return message
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds, warmupIterations: 10, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 100_000)
    let whatsapp = WhatsAppRequestBuilder(
        endpoint: Endpoint(name: "whatsapp", kind: .whatsapp, url: "https://graph.facebook.com/v23.0/1/messages", token: .environment("T")),
        secrets: EndpointSecrets(token: "EAAG-token"))
    let twilio = TwilioRequestBuilder(
        endpoint: Endpoint(name: "sms", kind: .twilio, url: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
                           token: .environment("T"), account: "AC1", from: "+15005550006", statusCallback: "https://herald.example/v1/webhooks/twilio"),
        secrets: EndpointSecrets(token: "auth-token"))
    let webhook = WebhookRequestBuilder(
        endpoint: Endpoint(name: "ops", kind: .webhook, url: "https://ops.example/herald", delivery: DeliverySettings(signingSecret: .environment("S"))),
        secrets: EndpointSecrets(signingSecret: "whsec_ops"))
    let now = Date(timeIntervalSince1970: 1_764_093_000)
    // Built (and checked) once, outside the timed loops; a failure fails every benchmark's setup
    // rather than silently registering none.
    let fixtures = Result { () throws -> Fixtures in
        let fixtures = try Fixtures(whatsapp: whatsapp, twilio: twilio, webhook: webhook, now: now)
        try fixtures.check()
        return fixtures
    }
    let setup: Benchmark.BenchmarkSetupHook = { _ = try fixtures.get() }
    Benchmark("Requests: WhatsApp interactive", configuration: configuration, closure: { benchmark in
        let f = try fixtures.get()
        for index in benchmark.scaledIterations {
            blackHole(try whatsapp.request(for: f.interactive, text: f.text, deliveryID: f.deliveryIDs[index]))
        }
    }, setup: setup)
    Benchmark("Requests: WhatsApp template", configuration: configuration, closure: { benchmark in
        let f = try fixtures.get()
        for index in benchmark.scaledIterations {
            blackHole(try whatsapp.request(for: f.templated, text: f.text, deliveryID: f.deliveryIDs[index]))
        }
    }, setup: setup)
    Benchmark("Requests: Twilio SMS", configuration: configuration, closure: { benchmark in
        let f = try fixtures.get()
        for index in benchmark.scaledIterations {
            blackHole(try twilio.request(to: f.interactive.recipient.address, text: f.text, deliveryID: f.deliveryIDs[index]))
        }
    }, setup: setup)
    Benchmark("Requests: signed webhook", configuration: configuration, closure: { benchmark in
        let f = try fixtures.get()
        for index in benchmark.scaledIterations {
            blackHole(try webhook.request(for: f.interactive, text: f.text, deliveryID: f.deliveryIDs[index], eventID: f.eventIDs[index], now: now))
        }
    }, setup: setup)
}

struct RequestsFixtureError: Error, CustomStringConvertible {
    var description: String
}

/// The planned messages, their text and a pool of event and delivery ids shaped like real ones
/// (`evt-<ULID>`, `evt-<ULID>/card-fraud-check`), made before the timed loops as the dispatcher
/// has them before it builds a request.
struct Fixtures: Sendable {
    var interactive: PlannedMessage
    var templated: PlannedMessage
    var text: String
    var eventIDs: [String]
    var deliveryIDs: [String]
    let whatsapp: WhatsAppRequestBuilder
    let twilio: TwilioRequestBuilder
    let webhook: WebhookRequestBuilder
    let now: Date

    init(whatsapp: WhatsAppRequestBuilder, twilio: TwilioRequestBuilder, webhook: WebhookRequestBuilder, now: Date) throws {
        interactive = try message()
        templated = try message(template: PlannedWhatsAppTemplate(name: "aurora_card_fraud_check", language: "hi",
                                                                  parameters: ["Croma Electronics", "₹48,999.00", "4821"]))
        guard let text = interactive.text, !text.isEmpty else { throw RequestsFixtureError(description: "the planned message has no text") }
        self.text = text
        // At least the scaling factor (1,000 requests a sample).
        eventIDs = (0..<1_000).map { "evt-01JPBX7K4Q2M8R3T5V6W\(10_000 + $0)" }
        deliveryIDs = eventIDs.map { "\($0)/card-fraud-check" }
        self.whatsapp = whatsapp
        self.twilio = twilio
        self.webhook = webhook
        self.now = now
    }

    /// Each request is the kind its name says: interactive buttons, a template, a form with the
    /// text, a signed JSON body.
    func check() throws {
        func body(_ request: HTTPRequest) -> String { String(decoding: request.body, as: UTF8.self) }
        func require(_ condition: Bool, _ what: String) throws {
            if !condition { throw RequestsFixtureError(description: what) }
        }
        let id = deliveryIDs[0]
        let interactiveRequest = try whatsapp.request(for: interactive, text: text, deliveryID: id)
        try require(body(interactiveRequest).contains(#""type":"interactive""#) && body(interactiveRequest).contains("confirm:\(id)"),
                    "the WhatsApp request is not an interactive message with reply buttons: \(body(interactiveRequest))")
        let templateRequest = try whatsapp.request(for: templated, text: text, deliveryID: id)
        try require(body(templateRequest).contains(#""type":"template""#) && body(templateRequest).contains("quick_reply"),
                    "the WhatsApp request is not a template message: \(body(templateRequest))")
        let sms = try twilio.request(to: interactive.recipient.address, text: text, deliveryID: id)
        try require(body(sms).hasPrefix("To=%2B919876543210&From=") && body(sms).contains("&Body=%E0%A4"),
                    "the Twilio request is not a form with the Hindi text: \(body(sms))")
        let signed = try webhook.request(for: interactive, text: text, deliveryID: id, eventID: eventIDs[0], now: now)
        try require(signed.headers.contains { $0.name == "X-Herald-Signature" } && body(signed).contains(#""text":"#),
                    "the webhook request is not signed or has no text: \(signed.headers.map(\.name))")
    }
}
