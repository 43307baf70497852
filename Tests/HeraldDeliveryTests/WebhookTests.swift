import Foundation
import Testing

@testable import HeraldCore
@testable import HeraldDelivery

private func verdict(_ outcome: DeliveryOutcome) -> String {
    switch outcome {
    case .delivered(let id): "delivered \(id ?? "-")"
    case .retryable(_, let after): "retryable" + (after.map { " after \($0)" } ?? "")
    case .permanent(let error): "permanent: \(error.message)"
    }
}

private let now = Date(timeIntervalSince1970: 1_741_944_600)

@Suite struct WebhookTests {
    static let endpoint = Endpoint(
        name: "bank-webhook", kind: .webhook, url: "https://hooks.aurora.example/herald", token: .environment("HOOK_TOKEN"),
        delivery: DeliverySettings(headers: [.init(name: "X-Bank", value: .literal("aurora"))], signingSecret: .environment("HOOK_SECRET")))
    static let secrets = EndpointSecrets(token: "hook-bearer-1", signingSecret: "whsec_test", headers: [.init(name: "X-Bank", value: "aurora", isSecret: false)])
    static let builder = WebhookRequestBuilder(endpoint: endpoint, secrets: secrets)

    static let message = PlannedMessage(
        rule: "card-fraud-alert", element: nil,
        recipient: ResolvedRecipient(address: "+919876543210", locale: "hi-IN", timezone: "Asia/Kolkata"),
        locale: LocaleNegotiation.Choice(locale: "hi", fallback: "hi-IN → hi"), formattingLocale: "hi-IN",
        channels: ["whatsapp", "bank-webhook"], template: "fraud-prompt",
        params: [
            ResolvedParam(name: "amount", value: ["money": "48000.50", "currency": "INR"]),
            ResolvedParam(name: "merchant", value: "Croma, Pune"),
        ],
        text: "क्या यह आप थे?", lengths: [], problems: [])

    @Test func buildsTheSignedJSONPost() throws {
        let request = try Self.builder.request(for: Self.message, text: "क्या यह आप थे?", deliveryID: "dlv_42", eventID: "evt_9", now: now)
        #expect(request.method == "POST")
        #expect(request.url == "https://hooks.aurora.example/herald")
        #expect(request.headers.map(\.name) == ["Content-Type", "X-Herald-Delivery", "Idempotency-Key", "Authorization",
                                                "X-Herald-Timestamp", "X-Herald-Signature", "X-Bank"])
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("X-Herald-Delivery") == "dlv_42")
        #expect(request.header("Idempotency-Key") == "dlv_42")
        #expect(request.header("Authorization") == "Bearer hook-bearer-1")
        #expect(request.header("X-Herald-Timestamp") == "1741944600")
        #expect(request.header("X-Bank") == "aurora")

        let body = try JSONParser.parse(request.body)
        #expect(body["delivery_id"] == "dlv_42")
        #expect(body["event_id"] == "evt_9")
        #expect(body["rule"] == "card-fraud-alert")
        #expect(body["recipient"] == ["address": "+919876543210", "locale": "hi-IN"])
        #expect(body["locale"] == "hi")
        #expect(body["text"] == "क्या यह आप थे?")
        #expect(body["params"] == ["amount": ["money": "48000.50", "currency": "INR"], "merchant": "Croma, Pune"])
        #expect(body["channel"] == "bank-webhook")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"delivery_id":"dlv_42","event_id":"evt_9","rule":"card-fraud-alert","recipient":{"address":"+919876543210","locale":"hi-IN"},"locale":"hi","text":"क्या यह आप थे?","params":{"amount":{"money":"48000.50","currency":"INR"},"merchant":"Croma, Pune"},"channel":"bank-webhook"}"#)

        let signature = try #require(request.header("X-Herald-Signature"))
        #expect(signature == WebhookSignature.sign(body: request.body, timestamp: 1_741_944_600, secret: "whsec_test"))
        try WebhookSignature.verify(body: request.body, timestamp: "1741944600", signature: signature, secret: "whsec_test", now: now)
    }

    @Test func withoutTokenOrSecretThereIsNoAuthorizationOrSignature() throws {
        let builder = WebhookRequestBuilder(endpoint: Self.endpoint, secrets: EndpointSecrets())
        var message = Self.message
        message.recipient.locale = nil
        let request = try builder.request(for: message, text: "hi", deliveryID: "d", eventID: nil, now: now)
        #expect(request.headers.map(\.name) == ["Content-Type", "X-Herald-Delivery", "Idempotency-Key"])
        let body = try JSONParser.parse(request.body)
        #expect(body["event_id"] == .null)
        #expect(body["recipient"]?["locale"] == .null)
    }

    @Test func signsTimestampDotBodyAsDocumented() {
        // HMAC-SHA256("whsec_test", "1741944600.{\"hello\":\"world\"}"), computed independently.
        #expect(WebhookSignature.sign(body: Array(#"{"hello":"world"}"#.utf8), timestamp: 1_741_944_600, secret: "whsec_test")
            == "v1=d53cf1c30fe36dea9c114de7f858ac63304abe7857fbd7f7353f8c75077f281b")
    }

    @Test func verificationRejectsTamperingReplaysAndGarbage() throws {
        let body = Array(#"{"delivery_id":"d"}"#.utf8)
        let signature = WebhookSignature.sign(body: body, timestamp: 1_741_944_600, secret: "s3cret")
        func verify(body: [UInt8] = body, timestamp: String = "1741944600", signature: String = signature, secret: String = "s3cret",
                    at time: Date = now) -> WebhookSignature.Failure? {
            do {
                try WebhookSignature.verify(body: body, timestamp: timestamp, signature: signature, secret: secret, now: time)
                return nil
            } catch {
                return error
            }
        }
        #expect(verify() == nil)
        #expect(verify(at: now.addingTimeInterval(300)) == nil, "exactly 5 minutes old is still accepted")
        #expect(verify(at: now.addingTimeInterval(301)) == .outsideTolerance(secondsAway: 301), "a replay after 5 minutes")
        #expect(verify(at: now.addingTimeInterval(-301)) == .outsideTolerance(secondsAway: 301), "from the future")
        #expect(verify(body: Array(#"{"delivery_id":"e"}"#.utf8)) == .mismatch, "tampered body")
        #expect(verify(timestamp: "1741944601", at: now) == .mismatch, "timestamp moved")
        #expect(verify(secret: "other") == .mismatch)
        #expect(verify(timestamp: "") == .malformedTimestamp)
        #expect(verify(timestamp: "1741944600.5") == .malformedTimestamp)
        #expect(verify(timestamp: "-1741944600") == .malformedTimestamp)
        #expect(verify(signature: "sha256=abc") == .malformedSignature)
        #expect(verify(signature: "v1=xyz") == .malformedSignature)
        #expect(verify(signature: "") == .malformedSignature)
        // During a secret rotation both signatures travel; either may match. Upper-case hex is fine.
        let old = WebhookSignature.sign(body: body, timestamp: 1_741_944_600, secret: "old")
        #expect(verify(signature: "\(old), \(signature)") == nil)
        #expect(verify(signature: "v1=" + signature.dropFirst(3).uppercased()) == nil)
        #expect(verify(signature: old) == .mismatch)
    }

    @Test func theRedactedViewHidesTokenAndSecretButKeepsTheSignature() throws {
        let request = try Self.builder.request(for: Self.message, text: "whsec_test hook-bearer-1", deliveryID: "d", eventID: nil, now: now)
        let shown = Self.builder.redacted(request)
        #expect(shown.header("Authorization") == "Bearer ***")
        #expect(shown.header("X-Herald-Signature") == request.header("X-Herald-Signature"))
        let everything = shown.headers.map(\.value).joined() + String(decoding: shown.body, as: UTF8.self)
        #expect(!everything.contains("whsec_test"))
        #expect(!everything.contains("hook-bearer-1"))
    }

    @Test func classifiesResponses() {
        let long = String(repeating: "é", count: 300)  // 600 bytes: the excerpt stops at 512, between characters
        let rows: [(Int, [(String, String)], String, String)] = [
            (200, [], "ok", "delivered -"),
            (204, [], "", "delivered -"),
            (408, [], "", "retryable"),
            (429, [("Retry-After", "7")], "slow down", "retryable after 7.0 seconds"),
            (500, [], "boom", "retryable"),
            (503, [("Retry-After", "Fri, 14 Mar 2025 09:32:00 GMT")], "", "retryable after 120.0 seconds"),
            (400, [], #"{"error":"unknown rule"}"#, #"permanent: {"error":"unknown rule"}"#),
            (404, [], "", "permanent: (empty body)"),
            (422, [], "bad\u{0}input", "permanent: bad input"),
            (301, [("Location", "https://new.example/hook")], "", "permanent: redirect to https://new.example/hook not followed"),
            (413, [], long, "permanent: " + String(repeating: "é", count: 256)),
        ]
        for (status, headers, body, expected) in rows {
            let response = HTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8))
            #expect(verdict(WebhookClassifier.classify(response, now: now)) == expected, "HTTP \(status)")
        }
        let oversized = WebhookClassifier.classify(HTTPResponse(status: 400, body: Array(String(repeating: "x", count: 2000).utf8)), now: now)
        if case .permanent(let error) = oversized { #expect(error.message.utf8.count == 512) } else { Issue.record("permanent expected") }
        #expect(verdict(WebhookClassifier.classify(.connectionLost("empty reply"))) == "retryable")
        #expect(verdict(WebhookClassifier.classify(.tls("unknown CA"))) == "permanent: TLS failure: unknown CA")
    }
}
