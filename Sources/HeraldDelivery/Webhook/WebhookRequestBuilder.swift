import Foundation
import HeraldCore

/// Builds the JSON POST a `webhook` endpoint receives.
///
/// ```
/// POST {url}
/// Content-Type: application/json
/// X-Herald-Delivery: DELIVERY-ID
/// Idempotency-Key: DELIVERY-ID
/// Authorization: Bearer TOKEN                  (when the endpoint has a token)
/// X-Herald-Timestamp: 1741944600               (when the endpoint has `sign`)
/// X-Herald-Signature: v1=<hex HMAC-SHA256>     (when the endpoint has `sign`)
/// traceparent: 00-…-…-01                       (when the delivery belongs to a trace, docs/tracing.md)
/// tracestate: …                                (with traceparent, when the trace has one)
/// …the endpoint's `headers`
///
/// {"delivery_id":"…","event_id":"…","rule":"card-fraud-alert",
///  "recipient":{"address":"+919876543210","locale":"hi-IN"},"locale":"hi","text":"…",
///  "params":{"amount":{"money":"48000.50","currency":"INR"},…},"channel":"bank-webhook"}
/// ```
/// `locale` is the translation used, `recipient.locale` what the event asked for (null when absent),
/// `params` the rule's params as found in the event, in the rule's order; `event_id` is null when the
/// event had none. An endpoint's `body:` replaces this document with the admin's own shape (see
/// ``BodyTemplate``).
///
/// The same delivery id is sent on every retry, as `Idempotency-Key` and `X-Herald-Delivery`, so a
/// receiver that got a request whose response was lost can drop the repeat. How a receiver checks
/// the signature is on ``WebhookSignature``.
public struct WebhookRequestBuilder: Sendable {
    public let endpoint: Endpoint
    public let secrets: EndpointSecrets

    public init(endpoint: Endpoint, secrets: EndpointSecrets) {
        self.endpoint = endpoint
        self.secrets = secrets
    }

    /// The request for `message` with the rendered `text`. `now` is when it is signed: pass the
    /// sending time (each retry is signed anew, so its timestamp stays inside the receiver's window).
    /// `trace`: the trace the request belongs to, sent as `traceparent` (and `tracestate`).
    public func request(for message: PlannedMessage, text: String, deliveryID: String, eventID: String?, now: Date,
                        trace: TraceParent? = nil) throws(RequestBuildError) -> HTTPRequest {
        let document = endpoint.body.map { Self.body(from: $0, for: message, text: text, deliveryID: deliveryID, eventID: eventID, channel: endpoint.name) }
            ?? Self.body(for: message, text: text, deliveryID: deliveryID, eventID: eventID, channel: endpoint.name)
        return try request(document: document, deliveryID: deliveryID, now: now, trace: trace)
    }

    /// The signed POST of a document Herald composed itself (a customer's reply for `on_reply`).
    public func request(document: JSONValue, deliveryID: String, now: Date, trace: TraceParent? = nil) throws(RequestBuildError) -> HTTPRequest {
        let body = document.compactJSONBytes
        var headers = RequestHeaders(endpoint: endpoint.name)
        try headers.add("Content-Type", "application/json")
        try headers.add("X-Herald-Delivery", deliveryID)
        try headers.add("Idempotency-Key", deliveryID)
        if let token = secrets.token { try headers.add("Authorization", "Bearer \(token)") }
        if let secret = secrets.signingSecret {
            let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
            try headers.add(WebhookSignature.timestampHeader, String(timestamp))
            try headers.add(WebhookSignature.signatureHeader, WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret))
        }
        // Before the configured headers, so a configured `traceparent` cannot contradict the trace.
        for (name, value) in trace?.headers ?? [] { try headers.add(name, value) }
        try headers.addConfigured(secrets.headers)
        return HTTPRequest(method: "POST", url: endpoint.url, headers: headers.fields, body: body)
    }

    /// `request` with its secrets masked, for `herald test --json` and logs. The signature stays.
    public func redacted(_ request: HTTPRequest) -> HTTPRequest {
        request.redacted(hiding: secrets.secretValues, secretHeaders: secrets.secretHeaderNames)
    }

    /// The admin's `body:` template filled for one message.
    public static func body(from template: BodyTemplate, for message: PlannedMessage, text: String, deliveryID: String,
                            eventID: String?, channel: String) -> JSONValue {
        template.render { field in
            switch field {
            case .deliveryID: .string(deliveryID)
            case .eventID: eventID.map { .string($0) }
            case .rule: .string(message.rule)
            case .element: message.element.map { .number(JSONNumber($0)) }
            case .channel: .string(channel)
            case .template: .string(message.template)
            case .recipientAddress: .string(message.recipient.address)
            case .recipientLocale: message.recipient.locale.map { .string($0) }
            case .recipientTimezone: message.recipient.timezone.map { .string($0) }
            case .locale: .string(message.locale.locale)
            case .formattingLocale: .string(message.formattingLocale)
            case .text: .string(text)
            case .params: .object(JSONObject(message.params.map { JSONObject.Member(key: $0.name, value: $0.value) }))
            case .param(let name): message.params.first { $0.name == name }?.value
            case .buttons: .array(message.buttons.map { ["id": .string($0.id), "title": .string($0.title)] })
            }
        }
    }

    /// The JSON document a webhook receives (see the type's documentation).
    public static func body(for message: PlannedMessage, text: String, deliveryID: String, eventID: String?, channel: String) -> JSONValue {
        let params = JSONObject(message.params.map { JSONObject.Member(key: $0.name, value: $0.value) })
        return [
            "delivery_id": .string(deliveryID),
            "event_id": eventID.map { .string($0) } ?? .null,
            "rule": .string(message.rule),
            "recipient": [
                "address": .string(message.recipient.address),
                "locale": message.recipient.locale.map { .string($0) } ?? .null,
            ],
            "locale": .string(message.locale.locale),
            "text": .string(text),
            "params": .object(params),
            "channel": .string(channel),
        ]
    }
}
