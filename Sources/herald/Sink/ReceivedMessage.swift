import Foundation

/// A message as the customer would have received it, for `herald sink`'s output.
struct ReceivedMessage: Sendable, Equatable {
    var kind: SinkKind
    var to: String
    var text: String
    var providerID: String?
    var deliveryID: String?
    /// The webhook's path (webhooks only).
    var path: String?
    /// Whether a webhook carried `X-Herald-Signature` (not verified: that needs the secret).
    var signed: Bool?

    /// `whatsapp → +91•••••••210: text`, with the text's further lines indented under it.
    var block: String {
        var head = "\(kind.rawValue)"
        if let path { head += " \(path)" }
        head += " → \(Send.mask(to))"
        if let signed { head += signed ? " (X-Herald-Signature present)" : " (unsigned)" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
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
        return SinkExchange.json(object)
    }
}
