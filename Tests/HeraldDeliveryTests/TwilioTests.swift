import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery

private func verdict(_ outcome: DeliveryOutcome) -> String {
    switch outcome {
    case .delivered(let id): "delivered \(id ?? "-")"
    case .retryable(let error, let after): "retryable \(error.code ?? "-")" + (after.map { " after \($0)" } ?? "")
    case .permanent(let error): "permanent \(error.code ?? "-")"
    }
}

private let now = Date(timeIntervalSince1970: 1_741_944_600)

@Suite struct TwilioTests {
    static let account = "AC0123456789abcdef0123456789abcdef"
    static let url = "https://api.twilio.com/2010-04-01/Accounts/\(account)/Messages.json"
    static func endpoint(from: String = "+1 415 555 0100", statusCallback: String? = nil) -> Endpoint {
        Endpoint(name: "sms", kind: .twilio, url: url, token: .environment("TWILIO_AUTH_TOKEN"), account: account, from: from,
                 statusCallback: statusCallback)
    }
    static let secrets = EndpointSecrets(token: "auth-token-123")
    static let builder = TwilioRequestBuilder(endpoint: endpoint(), secrets: secrets)

    @Test func buildsAFormEncodedMessagesRequestWithBasicAuth() throws {
        let builder = TwilioRequestBuilder(endpoint: Self.endpoint(statusCallback: "https://herald.example/status?d=1"), secrets: Self.secrets)
        let request = try builder.request(to: "+91 98765 43210", text: "Rs 500 + fee, OK?", deliveryID: "evt 7/fraud")
        #expect(request.method == "POST")
        #expect(request.url == Self.url)
        #expect(request.headers.map(\.name) == ["Authorization", "Content-Type", "X-Herald-Delivery"])
        // base64("AC0123456789abcdef0123456789abcdef:auth-token-123"), computed independently.
        #expect(request.header("Authorization") == "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjphdXRoLXRva2VuLTEyMw==")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("X-Herald-Delivery") == "evt 7/fraud")
        // The callback keeps its own query and gains the delivery id (form-encoded once in the URL, then again as a field).
        #expect(String(decoding: request.body, as: UTF8.self)
            == "To=%2B919876543210&From=%2B14155550100&Body=Rs+500+%2B+fee%2C+OK%3F"
            + "&StatusCallback=https%3A%2F%2Fherald.example%2Fstatus%3Fd%3D1%26delivery%3Devt%2B7%252Ffraud")
    }

    @Test func encodesHindiAsUTF8PercentEscapesAndOmitsAnAbsentCallback() throws {
        let request = try Self.builder.request(to: "+919876543210", text: "नमस्ते *-._~", deliveryID: "d")
        #expect(String(decoding: request.body, as: UTF8.self)
            == "To=%2B919876543210&From=%2B14155550100&Body=%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87+*-._%7E")
    }

    @Test func aMessagingServiceSidReplacesFrom() throws {
        let builder = TwilioRequestBuilder(endpoint: Self.endpoint(from: "MG9752274e9e519418a7406176694466fa"), secrets: Self.secrets)
        let body = String(decoding: try builder.request(to: "whatsapp:+919876543210", text: "hi", deliveryID: "d").body, as: UTF8.self)
        #expect(body == "To=whatsapp%3A%2B919876543210&MessagingServiceSid=MG9752274e9e519418a7406176694466fa&Body=hi")
    }

    @Test func missingSettingsAreBuildErrors() {
        var noAccount = Self.endpoint()
        noAccount.account = nil
        #expect(throws: RequestBuildError.missingSetting("account", endpoint: "sms", kind: .twilio)) {
            try TwilioRequestBuilder(endpoint: noAccount, secrets: Self.secrets).request(to: "+1", text: "x", deliveryID: "d")
        }
        #expect(throws: RequestBuildError.missingSetting("token", endpoint: "sms", kind: .twilio)) {
            try TwilioRequestBuilder(endpoint: Self.endpoint(), secrets: EndpointSecrets()).request(to: "+1", text: "x", deliveryID: "d")
        }
        var noFrom = Self.endpoint()
        noFrom.from = nil
        #expect(throws: RequestBuildError.missingSetting("from", endpoint: "sms", kind: .twilio)) {
            try TwilioRequestBuilder(endpoint: noFrom, secrets: Self.secrets).request(to: "+1", text: "x", deliveryID: "d")
        }
        #expect(throws: RequestBuildError.self) { try Self.builder.request(to: "  ", text: "x", deliveryID: "d") }
    }

    @Test func theRedactedViewMasksBasicAuth() throws {
        let request = try Self.builder.request(to: "+919876543210", text: "auth-token-123", deliveryID: "d")
        let shown = Self.builder.redacted(request)
        #expect(shown.header("Authorization") == "Basic ***")
        let everything = shown.headers.map(\.value).joined() + String(decoding: shown.body, as: UTF8.self)
        #expect(!everything.contains("auth-token-123"))
        #expect(!everything.contains("QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjphdXRoLXRva2VuLTEyMw"))
        #expect(String(decoding: shown.body, as: UTF8.self).hasSuffix("Body=***"))
    }

    static let classifications: [(status: Int, headers: [(String, String)], body: String, expected: String)] = [
        (201, [], #"{"sid":"SM1f0e8ae6ade43cb3c0ce4525424e404f","status":"queued","to":"+919876543210"}"#, "delivered SM1f0e8ae6ade43cb3c0ce4525424e404f"),
        (429, [("Retry-After", "2")], #"{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}"#,
         "retryable 20429 after 2.0 seconds"),
        (400, [], #"{"code":20429,"message":"Too Many Requests","status":400}"#, "retryable 20429"),
        (400, [], #"{"code":21211,"message":"The 'To' number +91123 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
         "permanent 21211"),
        (400, [], #"{"code":21614,"message":"'To' number is not a valid mobile number","status":400}"#, "permanent 21614"),
        (400, [], #"{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}"#, "permanent 21610"),
        (401, [], #"{"code":20003,"message":"Authenticate","status":401}"#, "permanent 20003"),
        (500, [], #"{"code":20500,"message":"Internal Server Error","status":500}"#, "retryable 20500"),
        (503, [], "<html>Service Unavailable</html>", "retryable -"),
        (400, [], "not json", "permanent -"),
    ]

    @Test func classifiesResponses() {
        for row in Self.classifications {
            let response = HTTPResponse(status: row.status, headers: row.headers.map { (name: $0.0, value: $0.1) }, body: Array(row.body.utf8))
            #expect(verdict(TwilioClassifier.classify(response, now: now)) == row.expected, "HTTP \(row.status) \(row.body)")
        }
    }

    @Test func keepsCodeMessageAndMoreInfo() {
        let body = #"{"code":21211,"message":"The 'To' number +91123 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#
        #expect(TwilioClassifier.classify(HTTPResponse(status: 400, body: Array(body.utf8)), now: now) == .permanent(ProviderError(
            status: 400, code: "21211",
            message: "The 'To' number +91123 is not a valid phone number. (https://www.twilio.com/docs/errors/21211)")))
        #expect(verdict(TwilioClassifier.classify(.timeout("15 s"))) == "retryable -")
        #expect(verdict(TwilioClassifier.classify(.tls("self-signed certificate"))) == "permanent -")
    }
}
