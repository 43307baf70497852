import Foundation
import HeraldCore
import HeraldDelivery

/// Answering on WhatsApp: a notification as Meta posts it for the `messages` field, signed
/// `X-Hub-Signature-256: sha256=HEX` with the app secret.
extension SinkCustomer {
    /// A reply button of a received message: the reference Herald gave it and what the customer sees.
    struct ReplyButton: Equatable {
        /// The button's `id` (interactive) or quick-reply `payload` (template), verbatim.
        var reference: String
        /// Its title; a template's quick replies carry only their payload, so the button's id.
        var title: String
        var isQuickReply: Bool
    }

    func whatsapp(_ request: SinkRequest, received: ReceivedMessage, replyID: String, now: Date) -> CustomerAnswer? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
              let to = object["to"] as? String, let digits = WhatsAppRequestBuilder.recipient(to) else { return nil }
        let tapped = tap.flatMap { tap in Self.replyButtons(of: object).first { ReplyReference.decode($0.reference)?.button == tap } }
        let action: CustomerAnswer.Action
        let content: [String: Any]
        if let tapped, let button = ReplyReference.decode(tapped.reference)?.button {
            action = .tapped(button)
            content = tapped.isQuickReply
                ? ["type": "button", "button": ["payload": tapped.reference, "text": tapped.title]]
                : ["type": "interactive",
                   "interactive": ["type": "button_reply", "button_reply": ["id": tapped.reference, "title": tapped.title]]]
        } else if let type {
            action = .typed(type)
            content = ["type": "text", "text": ["body": type]]
        } else {
            return nil
        }
        var answer = CustomerAnswer(channel: .whatsapp, customer: received.to, action: action, answering: received.providerID,
                                    replyID: replyID)
        guard case .value(let secret) = appSecret else {
            if case .missing(let variable) = appSecret { answer.problem = "not sent: \(variable) (the WhatsApp app secret) is not set" }
            return answer
        }
        let phoneNumberID = Self.phoneNumberID(path: request.path)
        var message: [String: Any] = ["from": digits, "id": replyID, "timestamp": String(Int(now.timeIntervalSince1970))]
        // Swiping a message to answer it, or tapping one of its buttons, quotes it: `context`.
        if let answered = received.providerID { message["context"] = ["from": phoneNumberID, "id": answered] }
        message.merge(content) { _, new in new }
        let notification: [String: Any] = [
            "object": "whatsapp_business_account",
            "entry": [[
                "id": "102290129340398",
                "changes": [[
                    "field": "messages",
                    "value": [
                        "messaging_product": "whatsapp",
                        "metadata": ["display_phone_number": phoneNumberID, "phone_number_id": phoneNumberID],
                        "contacts": [["profile": ["name": "Herald Sink"], "wa_id": digits]],
                        "messages": [message],
                    ] as [String: Any],
                ]],
            ] as [String: Any]],
        ]
        let body = Array(SinkExchange.json(notification).utf8)
        let signature = "sha256=" + HMACSHA256.hex(key: Array(secret.utf8), message: body)
        answer.request = HTTPRequest(method: "POST", url: whatsappURL,
                                     headers: [("Content-Type", "application/json"), ("X-Hub-Signature-256", signature)], body: body)
        return answer
    }

    /// The reply buttons of a Cloud API message body, in order: an interactive message's reply
    /// buttons, or a template's quick-reply payloads.
    static func replyButtons(of object: [String: Any]) -> [ReplyButton] {
        switch object["type"] as? String {
        case "interactive":
            let action = (object["interactive"] as? [String: Any])?["action"] as? [String: Any]
            return (action?["buttons"] as? [[String: Any]] ?? []).compactMap { button in
                guard let reply = button["reply"] as? [String: Any], let id = reply["id"] as? String else { return nil }
                return ReplyButton(reference: id, title: reply["title"] as? String ?? id, isQuickReply: false)
            }
        case "template":
            let components = (object["template"] as? [String: Any])?["components"] as? [[String: Any]] ?? []
            return components.filter { $0["type"] as? String == "button" }.flatMap { component in
                (component["parameters"] as? [[String: Any]] ?? []).compactMap { parameter -> ReplyButton? in
                    guard let payload = parameter["payload"] as? String else { return nil }
                    return ReplyButton(reference: payload, title: ReplyReference.decode(payload)?.button ?? payload, isQuickReply: true)
                }
            }
        default:
            return []
        }
    }

    /// `/v23.0/1234567890/messages` → `1234567890`: the business number the message came from.
    static func phoneNumberID(path: String) -> String {
        let parts = path.split(separator: "?", maxSplits: 1).first?.split(separator: "/") ?? []
        return parts.count >= 2 ? String(parts[parts.count - 2]) : "0"
    }
}
