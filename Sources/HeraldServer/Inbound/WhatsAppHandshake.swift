import HeraldDelivery

/// Meta's subscription check for a WhatsApp webhook URL:
/// `GET …?hub.mode=subscribe&hub.verify_token=TOKEN&hub.challenge=CHALLENGE`.
///
/// When the mode is `subscribe` and the token is the endpoint's `verify_token`, the answer is `200`
/// with the challenge as a `text/plain` body; Meta then starts posting notifications. Anything else is
/// `403`, so a stranger cannot subscribe the URL elsewhere nor learn whether the token was close.
public enum WhatsAppHandshake: Sendable, Hashable {
    /// Why a handshake was refused.
    public enum Refusal: Sendable, Hashable {
        /// `hub.mode` is absent or not `subscribe`.
        case notSubscribe
        /// `hub.verify_token` is absent or not ours (or ours is empty: an unset token matches nothing).
        case tokenMismatch
        /// `hub.challenge` is absent or empty: nothing to echo.
        case missingChallenge
    }

    /// Subscribe: answer `200`, `text/plain`, with the challenge as the body.
    case accept(challenge: String)
    /// Answer `403`.
    case refuse(Refusal)

    /// The answer to a handshake request whose query items are `query` (decoded; the first of a
    /// repeated name counts), for an endpoint whose verify token is `verifyToken`.
    public static func answer(query: FormFields, verifyToken: String) -> WhatsAppHandshake {
        guard query["hub.mode"] == "subscribe" else { return .refuse(.notSubscribe) }
        guard let token = query["hub.verify_token"], !verifyToken.isEmpty, constantTimeEqual(token, verifyToken) else {
            return .refuse(.tokenMismatch)
        }
        guard let challenge = query["hub.challenge"], !challenge.isEmpty else { return .refuse(.missingChallenge) }
        return .accept(challenge: challenge)
    }

    /// The answer to a handshake request for the raw query string (`hub.mode=subscribe&…`, percent-encoded
    /// as sent; a leading `?` is ignored).
    public static func answer(query: String, verifyToken: String) -> WhatsAppHandshake {
        answer(query: FormFields(decoding: Array(query.utf8.drop { $0 == UInt8(ascii: "?") })), verifyToken: verifyToken)
    }

    /// `200` or `403`.
    public var status: Int {
        if case .accept = self { return 200 }
        return 403
    }

    /// The `text/plain` body: the challenge, or nothing.
    public var body: String {
        if case .accept(let challenge) = self { return challenge }
        return ""
    }

    public static let contentType = "text/plain; charset=utf-8"

    /// Compares two strings in time that depends on neither: both are MACed under a fixed key first,
    /// so the compared lengths are equal whatever was sent.
    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let key = Array("herald-whatsapp-verify-token".utf8)
        return HMACSHA256.equal(HMACSHA256.mac(key: key, message: Array(a.utf8)), HMACSHA256.mac(key: key, message: Array(b.utf8)))
    }
}
