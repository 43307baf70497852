import Foundation
import HeraldCore
import HeraldDelivery

/// The customer `herald sink` plays with `--reply-to`: it answers a message it received the way a
/// person would, by tapping a button or typing a few words, and the answer goes to Herald's
/// webhook as the provider would post it, signed with the provider's secret.
///
/// Pure: ``answer(_:received:replyID:now:)`` decides what to post (or that there is nothing to say)
/// and builds the request; the sink sends it later and prints how it went.
struct SinkCustomer: Sendable {
    /// Herald's base URL, without a trailing `/`: `http://127.0.0.1:8080`.
    var heraldURL: String
    /// The button to tap: the one whose reply reference starts with `TAP:`.
    var tap: String?
    /// The words to type when there is no such button to tap.
    var type: String?
    /// The WhatsApp app secret Meta signs its webhooks with (nil: not set in the environment).
    var appSecret: Secret
    /// The Twilio auth token Twilio signs its webhooks with.
    var twilioToken: Secret

    /// A secret read from the environment, or the variable that was not set, for the message saying so.
    enum Secret: Sendable, Equatable {
        case value(String)
        case missing(variable: String)
    }

    /// Answers one number gives in a sink's lifetime, at most: a backstop, should a gateway answer
    /// replies in a way the sink does not recognise, against the two talking to each other forever.
    static let answersPerRecipient = 20

    var whatsappURL: String { heraldURL + "/v1/webhooks/whatsapp" }
    var twilioURL: String { heraldURL + "/v1/webhooks/twilio" }

    /// What the customer says to `received`, which arrived in `request`; nil when nothing: the
    /// message has no button to tap and there is nothing to type, or it is not for a phone
    /// (webhooks, e-mail). `replyID` names the answer as the provider would (`wamid.REPLY…`, `SM…`).
    func answer(_ request: SinkRequest, received: ReceivedMessage, replyID: String, now: Date) -> CustomerAnswer? {
        switch received.kind {
        case .whatsapp: whatsapp(request, received: received, replyID: replyID, now: now)
        case .sms: sms(request, received: received, replyID: replyID)
        case .webhook, .email: nil
        }
    }

    /// `http://host:8080/` → `http://host:8080`; nil for anything but an http(s) URL with a host
    /// and no query.
    static func baseURL(_ text: String) -> String? {
        var base = text.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else { return nil }
        return base
    }

    /// A fresh id for an answer: `PREFIX` and 24 random hex digits, so that a sink restarted against
    /// the same gateway never repeats one (Herald keeps each reply once, by its id).
    static func freshID(_ prefix: String, digits: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<digits).map { _ in "0123456789ABCDEF".randomElement(using: &generator) ?? "0" })
    }
}

/// One answer of the customer: who said what to which message, and the provider's post that carries it.
struct CustomerAnswer: Sendable {
    enum Action: Sendable, Equatable {
        /// A button was tapped: its id (`block`).
        case tapped(String)
        /// Words were typed.
        case typed(String)
    }

    var channel: ReceivedMessage.Kind
    /// The customer's number as the message was addressed (`+919876543210`).
    var customer: String
    var action: Action
    /// The provider id of the message answered (`wamid.3`, `SM…`).
    var answering: String?
    /// The answer's own provider id.
    var replyID: String
    /// The post to Herald; nil when it cannot be signed (`problem` says why).
    var request: HTTPRequest?
    var problem: String?

    /// `customer +91•••••••210 tapped 'block'`.
    var summary: String {
        switch action {
        case .tapped(let button): "customer \(Send.mask(customer)) tapped '\(button)'"
        case .typed(let text): "customer \(Send.mask(customer)) typed '\(text)'"
        }
    }

    /// What stdout shows once Herald answered `status`: `customer +91•••••••210 tapped 'block' → 200`.
    func line(status: Int) -> String { "\(summary) → \(status)" }

    /// The same, as one JSON object for `--json`.
    func jsonLine(status: Int) -> String {
        var object: [String: Any] = [
            "kind": "answer", "channel": channel.rawValue, "customer": Send.mask(customer),
            "reply_id": replyID, "in_reply_to": answering ?? NSNull(), "status": status,
        ]
        switch action {
        case .tapped(let button): object["tapped"] = button
        case .typed(let text): object["typed"] = text
        }
        return SinkExchange.json(object)
    }

    /// What stderr shows when Herald refused the answer: its status and the problem's detail.
    func failure(status: Int, body: [UInt8]) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let detail = object?["detail"] as? String ?? object?["title"] as? String
            ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(summary) → \(status)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
