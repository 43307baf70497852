internal import COpenSSL

/// HMAC-SHA256 through OpenSSL (the library libcurl already links), for webhook signatures.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    herald_hmac_sha256(keyBuffer.baseAddress, keyBuffer.count, messageBuffer.baseAddress, messageBuffer.count, outBuffer.baseAddress)
                }
            }
        }
        // OpenSSL's HMAC cannot fail for SHA-256 with valid buffers; an empty MAC never verifies.
        return ok == 1 ? out : []
    }

    /// Lower-case hex of the MAC.
    public static func hex(key: [UInt8], message: [UInt8]) -> String {
        mac(key: key, message: message).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// Compares two MACs in constant time.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in herald_memcmp_consttime(x.baseAddress, y.baseAddress, x.count) == 0 } }
    }
}

/// HMAC-SHA1 through OpenSSL, only to verify providers that still sign with it (Twilio's
/// `X-Twilio-Signature`). SHA-1 is broken for collisions, not as an HMAC; Herald signs with SHA-256.
public enum HMACSHA1 {
    /// The 20-byte MAC of `message` under `key`.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        let ok = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                out.withUnsafeMutableBufferPointer { outBuffer in
                    herald_hmac_sha1(keyBuffer.baseAddress, keyBuffer.count, messageBuffer.baseAddress, messageBuffer.count, outBuffer.baseAddress)
                }
            }
        }
        // As for SHA-256: cannot fail with valid buffers; an empty MAC never verifies.
        return ok == 1 ? out : []
    }

    /// Compares two MACs in constant time (the same comparison as `HMACSHA256.equal`).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        HMACSHA256.equal(a, b)
    }
}
