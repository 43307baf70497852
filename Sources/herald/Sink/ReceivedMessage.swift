import Foundation

/// A message as the customer would have received it, for `herald sink`'s output.
struct ReceivedMessage: Sendable, Equatable {
    /// The channel the customer got the message on.
    enum Kind: String, Sendable {
        case whatsapp, sms, webhook, email
    }

    var kind: Kind
    var to: String
    /// The text; for an e-mail, its plain-text body.
    var text: String
    var providerID: String?
    var deliveryID: String?
    /// The webhook's path (webhooks only).
    var path: String?
    /// Whether a webhook carried `X-Herald-Signature` (not verified: that needs the secret).
    var signed: Bool?
    /// The decoded `Subject` (e-mail only).
    var subject: String?
    /// The user name an SMTP client logged in with (e-mail only; the password is never kept).
    var login: String?
    /// When the sink took the message in (set as it is printed), so that a reader can measure the
    /// rate at which messages arrived.
    var receivedAt: Date?

    /// `whatsapp → +91•••••••210: text`, with the text's further lines indented under it.
    /// An e-mail shows its subject first: `email → r•••@example.com: Subject — body`.
    var block: String {
        var head = "\(kind.rawValue)"
        if let path { head += " \(path)" }
        head += " → \(Send.mask(to))"
        if let signed { head += signed ? " (X-Herald-Signature present)" : " (unsigned)" }
        if let login { head += " (auth as \(login))" }
        let shown = subject.map { "\($0.isEmpty ? "(no subject)" : $0) — \(text)" } ?? text
        let lines = shown.split(separator: "\n", omittingEmptySubsequences: false)
        return head + ": " + lines.joined(separator: "\n    ")
    }

    /// One JSON object on one line, for `--json`.
    var jsonLine: String {
        var object: [String: Any] = [
            "kind": kind.rawValue, "to": Send.mask(to), "text": text,
            "delivery": deliveryID ?? NSNull(), "provider_id": providerID ?? NSNull(),
        ]
        if let path { object["path"] = path }
        if let signed { object["signed"] = signed }
        if let subject { object["subject"] = subject }
        if let login { object["login"] = login }
        if let receivedAt { object["received_at"] = Int64((receivedAt.timeIntervalSince1970 * 1000).rounded(.down)) }
        return SinkExchange.json(object)
    }
}
