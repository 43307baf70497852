/// Why a provider's webhook was not accepted as authentic: answer `401` (``problem``) and read nothing
/// of the body.
public struct InboundSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The signature header is absent or empty.
        case missing
        /// The header is not of the provider's form (`sha256=` and 64 hex digits; 28 Base64 characters).
        case malformed
        /// Well formed, but not the signature of this request under our secret: a forgery, an altered
        /// body or URL, or a secret that does not match the provider's (rotated, wrong app).
        case mismatch
    }

    public var reason: Reason
    /// The header that was checked: `X-Hub-Signature-256`, `X-Twilio-Signature`.
    public var header: String

    public init(_ reason: Reason, header: String) {
        self.reason = reason
        self.header = header
    }

    public var description: String {
        switch reason {
        case .missing: "\(header) is missing"
        case .malformed: "\(header) is not a signature of the expected form"
        case .mismatch: "\(header) does not match the request"
        }
    }

    /// `401 bad-signature`, the problem the ingest API answers for its own signatures. The detail
    /// says which check failed, never what the signature should have been.
    public var problem: Problem {
        Problem("bad-signature", title: "The body's signature does not verify", status: 401, detail: description + ".")
    }
}
