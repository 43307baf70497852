// Throughput of building the exact HTTP request for one planned message, per endpoint kind:
// WhatsApp text and template messages (JSON), Twilio (form-encoded, Basic auth) and a signed
// webhook (JSON body + HMAC-SHA256). Run with `swift package benchmark --target Requests`.

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
        timeUnits: .microseconds, warmupIterations: 10, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 100_000)
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
    guard let interactive = try? message(),
          let templated = try? message(template: PlannedWhatsAppTemplate(name: "aurora_card_fraud_check", language: "hi",
                                                                         parameters: ["Croma Electronics", "₹48,999.00", "4821"]))
    else { return }
    let text = interactive.text ?? ""
    let now = Date(timeIntervalSince1970: 1_764_093_000)
    Benchmark("Requests: WhatsApp interactive", configuration: configuration) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try whatsapp.request(for: interactive, text: text, deliveryID: "evt-\(index)/card-fraud-check"))
        }
    }
    Benchmark("Requests: WhatsApp template", configuration: configuration) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try whatsapp.request(for: templated, text: text, deliveryID: "evt-\(index)/card-fraud-check"))
        }
    }
    Benchmark("Requests: Twilio SMS", configuration: configuration) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try twilio.request(to: interactive.recipient.address, text: text, deliveryID: "evt-\(index)/card-fraud-check"))
        }
    }
    Benchmark("Requests: signed webhook", configuration: configuration) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(try webhook.request(for: interactive, text: text, deliveryID: "evt-\(index)/card-fraud-check", eventID: "evt-\(index)", now: now))
        }
    }
}
