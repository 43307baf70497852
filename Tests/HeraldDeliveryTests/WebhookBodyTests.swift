import Foundation
import Testing

@testable import HeraldCore
@testable import HeraldDelivery
import HeraldTestSupport

/// A webhook whose `body:` the admin shaped, delivered through real libcurl to a loopback receiver.
@Suite struct WebhookBodyTests {
    static func template() throws -> BodyTemplate {
        func string(_ text: String) throws -> BodyTemplate.Node { .string(try BodyTemplate.pieces(of: text)) }
        return BodyTemplate(root: .object([
            (key: "customer", node: try string("${recipient.address}")),
            (key: "notification", node: .object([
                (key: "title", node: .value("Aurora Bank")),
                (key: "body", node: try string("${text}")),
                (key: "lang", node: try string("${locale}")),
            ])),
            (key: "amount", node: try string("${params.amount}")),
            (key: "actions", node: try string("${buttons}")),
            (key: "reference", node: try string("herald:${delivery_id}")),
            (key: "missing", node: try string("${params.nope}")),
        ]))
    }

    @Test func theReceiverGetsTheShapedBodySignedAsSent() async throws {
        let receiver = try LoopbackHTTPServer { _ in .respond(status: 204) }
        defer { receiver.stop() }
        let endpoint = Endpoint(name: "push", kind: .webhook, url: receiver.baseURL + "/notify", body: try Self.template(),
                                delivery: DeliverySettings(maxAttempts: 1, signingSecret: .environment("PUSH_SECRET")))
        var message = WebhookTests.message
        message.channels = ["push"]
        message.buttons = [PlannedButton(id: "confirm", title: "हाँ"), PlannedButton(id: "block", title: "नहीं")]
        let dispatcher = Dispatcher(endpoints: [endpoint], secrets: SecretStore(environment: ["PUSH_SECRET": "whsec_push"]),
                                    transport: CurlTransport(), clock: SteppingClock())
        let report = await dispatcher.deliver(message, deliveryID: "evt_9/card-fraud-alert", eventID: "evt_9")
        #expect(report.result == .delivered(channel: "push", providerID: nil))

        let request = try #require(receiver.requests.first)
        let body = try JSONParser.parse(request.body)
        #expect(body == [
            "customer": "+919876543210",
            "notification": ["title": "Aurora Bank", "body": "क्या यह आप थे?", "lang": "hi"],
            "amount": ["money": "48000.50", "currency": "INR"],
            "actions": [["id": "confirm", "title": "हाँ"], ["id": "block", "title": "नहीं"]],
            "reference": "herald:evt_9/card-fraud-alert",
            "missing": nil,
        ])
        // The signature covers exactly the bytes the receiver got.
        #expect(throws: Never.self) {
            try WebhookSignature.verify(body: request.body, timestamp: request.header("X-Herald-Timestamp") ?? "",
                                        signature: request.header("X-Herald-Signature") ?? "", secret: "whsec_push", now: Date(timeIntervalSince1970: 1_741_958_700))
        }
        #expect(request.header("Idempotency-Key") == "evt_9/card-fraud-alert")
    }
}
