/// What a reply button carries back to Herald: which button, and which delivery it answers.
///
/// WhatsApp returns a button's `id` (interactive messages) or `payload` (template quick replies)
/// verbatim in the reply webhook, so Herald puts both in it: `BUTTON:DELIVERY-ID`, e.g.
/// `confirm:evt-7f3a/card-fraud-check`. Button ids are letters, digits, `.`, `_` and `-` (checked by
/// `herald check`), so the first `:` separates them. A delivery id too long for the field (events may
/// carry long ids) is replaced by `#` and the first 32 hex digits of its SHA-256-based digest, which
/// the store can look up; the reply's `context.id` (the wamid) identifies the message as well.
public struct ReplyReference: Sendable, Hashable {
    public enum Delivery: Sendable, Hashable {
        /// The delivery id as sent.
        case id(String)
        /// A digest of a delivery id too long to carry (see `digest(of:)`).
        case digest(String)
    }

    public var button: String
    public var delivery: Delivery

    /// WhatsApp's limit on a reply button's `id`; Herald keeps quick-reply payloads to it too.
    public static let maximumLength = 256

    public init(button: String, delivery: Delivery) {
        self.button = button
        self.delivery = delivery
    }

    /// The text to send as the button's id or payload.
    public static func encode(button: String, deliveryID: String, maximumLength: Int = maximumLength) -> String {
        let full = "\(button):\(deliveryID)"
        if full.utf8.count <= maximumLength, !deliveryID.hasPrefix("#") { return full }
        return "\(button):#\(digest(of: deliveryID))"
    }

    /// Reads what a reply carries; nil when it is not a reference Herald made.
    public static func decode(_ text: String) -> ReplyReference? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let button = String(text[..<colon])
        let rest = String(text[text.index(after: colon)...])
        guard !button.isEmpty, button.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }),
              !rest.isEmpty else { return nil }
        if rest.hasPrefix("#") {
            let digest = String(rest.dropFirst())
            guard digest.utf8.count == 32, digest.allSatisfy(\.isHexDigit) else { return nil }
            return ReplyReference(button: button, delivery: .digest(digest))
        }
        return ReplyReference(button: button, delivery: .id(rest))
    }

    /// 32 hex digits identifying a delivery id: HMAC-SHA256 under a fixed key (a plain hash, not a secret).
    public static func digest(of deliveryID: String) -> String {
        String(HMACSHA256.hex(key: Array("herald-reply-reference".utf8), message: Array(deliveryID.utf8)).prefix(32))
    }
}
