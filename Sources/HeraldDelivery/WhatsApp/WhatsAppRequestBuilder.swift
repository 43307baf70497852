import HeraldCore

/// Builds WhatsApp Business Platform Cloud API messages: text, interactive reply buttons and
/// pre-approved templates (see `Content`).
///
/// `POST {url}` (`https://graph.facebook.com/v21.0/{phone-number-id}/messages`) with
/// ```
/// Authorization: Bearer TOKEN
/// Content-Type: application/json
/// X-Herald-Delivery: DELIVERY-ID
///
/// {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210",
///  "type":"text","text":{"preview_url":false,"body":"…"}}
/// ```
/// as Meta's "Send text messages" reference shows. `to` is the recipient's number in international
/// form, sent as digits only — the `wa_id` form Meta returns in `contacts[].wa_id` (Meta also takes a
/// leading `+`). Addresses are normalised from what events carry: `+91 98765-43210`, `(+91) 98765 43210`
/// and `919876543210` all become `919876543210`. Anything that is not 7 to 15 digits with a non-zero
/// first digit (E.164) — a national number such as `098765 43210`, an e-mail address — is refused
/// before sending, as a permanent error for this channel (so the rule fails over). Link previews are off: alerts from a bank should not fetch a stranger's page card.
///
/// Meta has no idempotency key for the Messages API; `X-Herald-Delivery` is ignored by Meta but
/// lets `herald sink` (and any proxy) de-duplicate.
public struct WhatsAppRequestBuilder: Sendable {
    public let endpoint: Endpoint
    public let secrets: EndpointSecrets

    public init(endpoint: Endpoint, secrets: EndpointSecrets) {
        self.endpoint = endpoint
        self.secrets = secrets
    }

    /// What a WhatsApp message carries.
    public enum Content: Sendable, Hashable {
        /// A `text` message.
        case text(String)
        /// An `interactive` message with reply buttons (at most 3; titles at most 20 characters).
        case buttons(body: String, buttons: [PlannedButton])
        /// A pre-approved `template` message, with quick-reply payloads for `buttons` in order.
        case template(PlannedWhatsAppTemplate, buttons: [PlannedButton])

        /// A message's content: its WhatsApp template when the rule's template names one, else
        /// reply buttons when it has some, else text.
        public init(message: PlannedMessage, text: String) {
            if let template = message.whatsappTemplate {
                self = .template(template, buttons: message.buttons)
            } else if !message.buttons.isEmpty {
                self = .buttons(body: text, buttons: message.buttons)
            } else {
                self = .text(text)
            }
        }
    }

    /// The request that sends `message` (rendered as `text`) to its recipient.
    public func request(for message: PlannedMessage, text: String, deliveryID: String) throws(RequestBuildError) -> HTTPRequest {
        try request(to: message.recipient.address, content: Content(message: message, text: text), deliveryID: deliveryID)
    }

    /// The request that sends `text` to `address`.
    public func request(to address: String, text: String, deliveryID: String) throws(RequestBuildError) -> HTTPRequest {
        try request(to: address, content: .text(text), deliveryID: deliveryID)
    }

    /// The request that sends `content` to `address`. Each button's reply id (or quick-reply
    /// payload) is a `ReplyReference` naming the button and `deliveryID`.
    public func request(to address: String, content: Content, deliveryID: String) throws(RequestBuildError) -> HTTPRequest {
        guard let token = secrets.token else { throw .missingSetting("token", endpoint: endpoint.name, kind: .whatsapp) }
        guard let to = Self.recipient(address) else {
            throw .invalidRecipient(address, endpoint: endpoint.name, reason: "is not an international phone number (E.164: + and 7 to 15 digits)")
        }
        var body = JSONObject()
        body["messaging_product"] = "whatsapp"
        body["recipient_type"] = "individual"
        body["to"] = .string(to)
        func reference(_ button: PlannedButton) -> JSONValue {
            .string(ReplyReference.encode(button: button.id, deliveryID: deliveryID))
        }
        switch content {
        case .text(let text):
            body["type"] = "text"
            body["text"] = ["preview_url": false, "body": .string(text)]
        case .buttons(let text, let buttons):
            body["type"] = "interactive"
            body["interactive"] = [
                "type": "button",
                "body": ["text": .string(text)],
                "action": ["buttons": .array(buttons.map { button in
                    ["type": "reply", "reply": ["id": reference(button), "title": .string(button.title)]]
                })],
            ]
        case .template(let template, let buttons):
            var components: [JSONValue] = []
            if !template.parameters.isEmpty {
                components.append(["type": "body", "parameters": .array(template.parameters.map { ["type": "text", "text": .string($0)] })])
            }
            for (index, button) in buttons.enumerated() {
                components.append([
                    "type": "button", "sub_type": "quick_reply", "index": .string(String(index)),
                    "parameters": [["type": "payload", "payload": reference(button)]],
                ])
            }
            var object = JSONObject()
            object["name"] = .string(template.name)
            object["language"] = ["code": .string(template.language)]
            if !components.isEmpty { object["components"] = .array(components) }
            body["type"] = "template"
            body["template"] = .object(object)
        }
        let json = JSONValue.object(body)
        var headers = RequestHeaders(endpoint: endpoint.name)
        try headers.add("Authorization", "Bearer \(token)")
        try headers.add("Content-Type", "application/json")
        try headers.add("X-Herald-Delivery", deliveryID)
        try headers.addConfigured(secrets.headers)
        return HTTPRequest(method: "POST", url: endpoint.url, headers: headers.fields, body: json.compactJSONBytes)
    }

    /// `request` with its secrets masked, for `herald test --json` and logs.
    public func redacted(_ request: HTTPRequest) -> HTTPRequest {
        request.redacted(hiding: secrets.secretValues, secretHeaders: secrets.secretHeaderNames)
    }

    /// The digits WhatsApp addresses `address` by, or nil when it is not an E.164 number.
    /// Spaces, hyphens, dots, parentheses and one leading `+` are dropped.
    public static func recipient(_ address: String) -> String? {
        RecipientAddress.e164Digits(address)
    }
}
