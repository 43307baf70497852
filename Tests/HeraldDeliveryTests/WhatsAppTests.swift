import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery

/// An outcome reduced to what a classification table states: its class, provider code and wait.
private func verdict(_ outcome: DeliveryOutcome) -> String {
    switch outcome {
    case .delivered(let id): "delivered \(id ?? "-")"
    case .retryable(let error, let after): "retryable \(error.code ?? "-")" + (after.map { " after \($0)" } ?? "")
    case .permanent(let error): "permanent \(error.code ?? "-")"
    }
}

private let now = Date(timeIntervalSince1970: 1_741_944_600)

@Suite struct WhatsAppTests {
    static let endpoint = Endpoint(
        name: "whatsapp", kind: .whatsapp, url: "https://graph.facebook.com/v21.0/106540352242922/messages",
        token: .environment("WHATSAPP_TOKEN"),
        delivery: DeliverySettings(headers: [
            .init(name: "X-Bank", value: .literal("aurora")),
            .init(name: "X-Gateway-Key", value: .secret(.environment("GATEWAY_KEY"))),
        ]))
    static let secrets = EndpointSecrets(token: "EAAG-secret-token", headers: [
        .init(name: "X-Bank", value: "aurora", isSecret: false),
        .init(name: "X-Gateway-Key", value: "gw-key-42", isSecret: true),
    ])
    static let builder = WhatsAppRequestBuilder(endpoint: endpoint, secrets: secrets)
    static let hindi = "आपके कार्ड से ₹48,000.50 का लेन-देन हुआ। क्या यह आप थे? \"हाँ\"\nनहीं"

    @Test func buildsTheCloudAPITextMessage() throws {
        let request = try Self.builder.request(to: "+91 98765-43210", text: Self.hindi, deliveryID: "dlv_01HZX")
        #expect(request.method == "POST")
        #expect(request.url == "https://graph.facebook.com/v21.0/106540352242922/messages")
        #expect(request.headers.map(\.name) == ["Authorization", "Content-Type", "X-Herald-Delivery", "X-Bank", "X-Gateway-Key"])
        #expect(request.headers.map(\.value) == ["Bearer EAAG-secret-token", "application/json", "dlv_01HZX", "aurora", "gw-key-42"])

        let body = try JSONParser.parse(request.body)
        #expect(body["messaging_product"] == "whatsapp")
        #expect(body["recipient_type"] == "individual")
        #expect(body["to"] == "919876543210")
        #expect(body["type"] == "text")
        #expect(body["text"]?["preview_url"] == false)
        #expect(body["text"]?["body"] == .string(Self.hindi))
        #expect(body.compactJSON == String(decoding: request.body, as: UTF8.self))
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"text","text":{"preview_url":false,"body":"आपके कार्ड से ₹48,000.50 का लेन-देन हुआ। क्या यह आप थे? \"हाँ\"\nनहीं"}}"#)
    }

    @Test(arguments: [
        ("+919876543210", "919876543210"), ("+91 98765 43210", "919876543210"), ("(+91) 98765-43210", "919876543210"),
        ("919876543210", "919876543210"), ("+1 (415) 555-0100", "14155550100"), ("+683 4002", "6834002"),
    ])
    func normalisesInternationalNumbersToDigits(address: String, expected: String) {
        #expect(WhatsAppRequestBuilder.recipient(address) == expected)
    }

    @Test(arguments: ["098765 43210", "+0919876543210", "12345", "+1234567890123456", "priya@example.in", "+", "", "++919876543210",
                      "+91 98765 4321x", "91+9876543210", "+९१ ९८७६५ ४३२१०"])
    func refusesWhatIsNotE164(address: String) {
        #expect(WhatsAppRequestBuilder.recipient(address) == nil)
        #expect(throws: RequestBuildError.self) { try Self.builder.request(to: address, text: "hi", deliveryID: "d") }
    }

    @Test func buildErrorsNameTheEndpointAndBecomePermanentOutcomes() {
        do {
            _ = try Self.builder.request(to: "not a number", text: "hi", deliveryID: "d")
            Issue.record("should throw")
        } catch {
            #expect(error.kind == "invalid-recipient")
            #expect(error.description.hasPrefix("endpoint 'whatsapp': recipient 'not a number'"))
            #expect(verdict(error.outcome) == "permanent herald:invalid-recipient")
        }
        let noToken = WhatsAppRequestBuilder(endpoint: Self.endpoint, secrets: EndpointSecrets())
        #expect(throws: RequestBuildError.missingSetting("token", endpoint: "whatsapp", kind: .whatsapp)) {
            try noToken.request(to: "+919876543210", text: "hi", deliveryID: "d")
        }
    }

    @Test func configuredHeadersCannotOverrideHeraldsOrInjectLines() throws {
        let overriding = EndpointSecrets(token: "t0ken", headers: [.init(name: "authorization", value: "Bearer other", isSecret: false)])
        let request = try WhatsAppRequestBuilder(endpoint: Self.endpoint, secrets: overriding).request(to: "+919876543210", text: "hi", deliveryID: "d")
        #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.map(\.value) == ["Bearer t0ken"])

        let injecting = EndpointSecrets(token: "t0ken", headers: [.init(name: "X-A", value: "1\r\nX-Evil: 1", isSecret: false)])
        #expect(throws: RequestBuildError.self) {
            try WhatsAppRequestBuilder(endpoint: Self.endpoint, secrets: injecting).request(to: "+919876543210", text: "hi", deliveryID: "d")
        }
        #expect(throws: RequestBuildError.self) {
            try Self.builder.request(to: "+919876543210", text: "hi", deliveryID: "d\r\nX-Evil: 1")
        }
    }

    @Test func theRedactedViewHidesEverySecret() throws {
        let request = try Self.builder.request(to: "+919876543210", text: "token is EAAG-secret-token", deliveryID: "d1")
        let shown = Self.builder.redacted(request)
        #expect(shown.header("Authorization") == "Bearer ***")
        #expect(shown.header("X-Gateway-Key") == "***")
        #expect(shown.header("X-Bank") == "aurora")
        let everything = shown.url + shown.headers.map { "\($0.name): \($0.value)" }.joined() + String(decoding: shown.body, as: UTF8.self)
        for secret in ["EAAG-secret-token", "gw-key-42"] { #expect(!everything.contains(secret)) }
        #expect(String(decoding: shown.body, as: UTF8.self).contains("token is ***"))
    }

    static let classifications: [(status: Int, headers: [(String, String)], body: String, expected: String)] = [
        (200, [], #"{"messaging_product":"whatsapp","contacts":[{"input":"+919876543210","wa_id":"919876543210"}],"messages":[{"id":"wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQ0Y="}]}"#,
         "delivered wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQ0Y="),
        (200, [], "", "delivered -"),
        (400, [], #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"A1"}}"#, "retryable 130429"),
        (429, [("Retry-After", "30")], #"{"error":{"message":"(#130429) Rate limit hit","code":130429}}"#, "retryable 130429 after 30.0 seconds"),
        (400, [], #"{"error":{"message":"(#131056) pair rate limit hit","code":131056}}"#, "retryable 131056"),
        (400, [], #"{"error":{"message":"(#80007) Rate limit issues","code":80007}}"#, "retryable 80007"),
        (503, [], #"{"error":{"message":"(#131057) Account in maintenance mode","code":131057}}"#, "retryable 131057"),
        (500, [], #"{"error":{"message":"(#131000) Something went wrong","code":131000}}"#, "retryable 131000"),
        (503, [], #"{"error":{"message":"(#131016) Service unavailable","code":131016}}"#, "retryable 131016"),
        (400, [], #"{"error":{"message":"(#131026) Message undeliverable","code":131026}}"#, "permanent 131026"),
        (500, [], #"{"error":{"message":"(#131026) Message undeliverable","code":131026}}"#, "permanent 131026"),
        (400, [], #"{"error":{"message":"(#131047) Re-engagement message","code":131047}}"#, "permanent 131047"),
        (400, [], #"{"error":{"message":"(#100) Invalid parameter","code":100}}"#, "permanent 100"),
        (401, [], #"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463}}"#, "permanent 190"),
        (404, [], #"{"error":{"message":"(#132001) Template name does not exist in the translation","code":132001}}"#, "permanent 132001"),
        (400, [], #"{"error":{"message":"(#132015) Template is paused","code":132015}}"#, "permanent 132015"),
        (400, [], #"{"error":{"message":"(#131048) Spam rate limit hit","code":131048}}"#, "permanent 131048"),
        (400, [], #"{"error":{"message":"new","code":999999}}"#, "permanent 999999"),
        (503, [], #"{"error":{"message":"new","code":999999}}"#, "retryable 999999"),
        (502, [], "<html>Bad Gateway</html>", "retryable -"),
        (404, [], "<html>Not Found</html>", "permanent -"),
        (429, [("Retry-After", "Fri, 14 Mar 2025 09:31:00 GMT")], "", "retryable - after 60.0 seconds"),
    ]

    @Test func classifiesResponses() {
        for row in Self.classifications {
            let response = HTTPResponse(status: row.status, headers: row.headers.map { (name: $0.0, value: $0.1) }, body: Array(row.body.utf8))
            #expect(verdict(WhatsAppClassifier.classify(response, now: now)) == row.expected, "HTTP \(row.status) \(row.body)")
        }
    }

    @Test func keepsCodeMessageDetailsAndTrace() {
        let body = #"{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"error_data":{"messaging_product":"whatsapp","details":"Message Undeliverable."},"error_subcode":2494010,"fbtrace_id":"AbCdEf"}}"#
        let outcome = WhatsAppClassifier.classify(HTTPResponse(status: 400, body: Array(body.utf8)), now: now)
        #expect(outcome == .permanent(ProviderError(status: 400, code: "131026",
            message: "(#131026) Message undeliverable: Message Undeliverable. (subcode 2494010, fbtrace_id AbCdEf)")))
    }

    @Test func classifiesTransportFailures() {
        #expect(verdict(WhatsAppClassifier.classify(.timeout("after 15 s"))) == "retryable -")
        #expect(verdict(WhatsAppClassifier.classify(.connectionLost("reset by peer"))) == "retryable -")
        #expect(verdict(WhatsAppClassifier.classify(.resolve("graph.facebook.com"))) == "retryable -")
        #expect(verdict(WhatsAppClassifier.classify(.connect("refused"))) == "retryable -")
        #expect(verdict(WhatsAppClassifier.classify(.tls("certificate has expired"))) == "permanent -")
        #expect(verdict(WhatsAppClassifier.classify(.invalidRequest("bad URL"))) == "permanent -")
    }
}
