import Foundation
import HeraldCore
import HeraldDelivery

/// Meta's signature on WhatsApp webhook notifications:
/// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`.
///
/// The MAC covers the raw body bytes as received, so check it before any parsing or re-encoding
/// (Meta escapes non-ASCII text as `\uXXXX` in its bodies, but a proxy or a test may not: the bytes
/// decide either way).
public enum WhatsAppSignature {
    public static let header = "X-Hub-Signature-256"

    /// The header value Meta sends for `body` under `appSecret`.
    public static func sign(body: [UInt8], appSecret: String) -> String {
        "sha256=" + HMACSHA256.hex(key: Array(appSecret.utf8), message: body)
    }

    /// Checks `signature` (the header's value; nil when absent) in constant time. Returns normally when
    /// it is the app secret's MAC of `body`. The `sha256=` prefix is case-insensitive, the hex digits
    /// either case. An empty app secret verifies nothing.
    public static func verify(body: [UInt8], signature: String?, appSecret: String) throws(InboundSignatureError) {
        let value = signature?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !value.isEmpty else { throw InboundSignatureError(.missing, header: header) }
        let bytes = Array(value.utf8)
        let prefix = bytes.prefix(7).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }  // ASCII lower case
        guard prefix == Array("sha256=".utf8), let given = ASCIIHex.bytes(bytes.dropFirst(7), count: 32) else {
            throw InboundSignatureError(.malformed, header: header)
        }
        guard !appSecret.isEmpty,
              HMACSHA256.equal(given, HMACSHA256.mac(key: Array(appSecret.utf8), message: body)) else {
            throw InboundSignatureError(.mismatch, header: header)
        }
    }

}
