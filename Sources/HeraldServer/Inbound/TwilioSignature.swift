import Foundation
import HeraldDelivery

/// Twilio's request signature: `X-Twilio-Signature: Base64(HMAC-SHA1(auth token, data))`, where
/// `data` is the full URL Twilio requested (scheme, host, path and query, exactly as configured:
/// Herald's status callbacks carry `?delivery=…`) followed, for a form POST, by each parameter's
/// name and value with nothing between them, the parameters sorted by name.
///
/// Check it over the URL as Twilio saw it, not as a proxy in front of Herald rewrote it: behind a TLS
/// terminator the server sees `http://` and an internal host, so rebuild the URL from the configured
/// public one. Repeated names (rare; Twilio's libraries sort them by value too) are all included,
/// ordered by name, then value.
public enum TwilioSignature {
    public static let header = "X-Twilio-Signature"

    /// The signature Twilio sends for a POST of `params` to `url`.
    public static func expected(url: String, params: FormFields, authToken: String) -> String {
        Data(mac(url: url, params: params, authToken: authToken)).base64EncodedString()
    }

    /// As ``expected(url:params:authToken:)``, with the parameters as a dictionary.
    public static func expected(url: String, params: [String: String], authToken: String) -> String {
        expected(url: url, params: FormFields(params.map { FormFields.Field(name: $0.key, value: $0.value) }), authToken: authToken)
    }

    /// Checks `signature` (the header's value; nil when absent) in constant time. Returns normally when
    /// it is Twilio's for this URL and these parameters.
    ///
    /// Twilio has signed some URLs with the default port written out (`https://host:443/…`) and
    /// others without it, so, as Twilio's own libraries do, both forms of `url` are tried. An empty
    /// auth token verifies nothing.
    public static func verify(signature: String?, url: String, params: FormFields, authToken: String) throws(InboundSignatureError) {
        let value = signature?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !value.isEmpty else { throw InboundSignatureError(.missing, header: header) }
        // 20 bytes are 28 Base64 characters with one `=`.
        guard value.utf8.count == 28, let given = Data(base64Encoded: value), given.count == 20 else {
            throw InboundSignatureError(.malformed, header: header)
        }
        guard !authToken.isEmpty else { throw InboundSignatureError(.mismatch, header: header) }
        let candidates = urlForms(url)
        var matched = false
        // Compare every form, so timing does not tell which one matched.
        for candidate in candidates where HMACSHA1.equal(Array(given), mac(url: candidate, params: params, authToken: authToken)) {
            matched = true
        }
        guard matched else { throw InboundSignatureError(.mismatch, header: header) }
    }

    /// The string Twilio signs: the URL, then each parameter's name and value, sorted by name.
    public static func signedData(url: String, params: FormFields) -> [UInt8] {
        // Sorted by UTF-8 bytes, which is code point order; Twilio's parameter names are ASCII.
        let sorted = params.fields.sorted { a, b in
            a.name != b.name ? a.name.utf8.lexicographicallyPrecedes(b.name.utf8) : a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
        }
        var data = Array(url.utf8)
        for field in sorted {
            data += field.name.utf8
            data += field.value.utf8
        }
        return data
    }

    private static func mac(url: String, params: FormFields, authToken: String) -> [UInt8] {
        HMACSHA1.mac(key: Array(authToken.utf8), message: signedData(url: url, params: params))
    }

    /// `url`, and the same URL with the scheme's default port added when it has none, or removed
    /// when it has it. URLs with user info (`user:pass@host`) are used as given.
    static func urlForms(_ url: String) -> [String] {
        let defaultPorts = ["https://": "443", "http://": "80"]
        guard let (scheme, port) = defaultPorts.first(where: { url.lowercased().hasPrefix($0.key) }) else { return [url] }
        let afterScheme = url.index(url.startIndex, offsetBy: scheme.count)
        let authorityEnd = url[afterScheme...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        let authority = url[afterScheme..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return [url] }
        let head = url[..<afterScheme]
        let rest = url[authorityEnd...]
        // The last `:` after any IPv6 bracket starts a port.
        let hostEnd = authority.lastIndex(of: "]") ?? authority.startIndex
        if let colon = authority[hostEnd...].lastIndex(of: ":") {
            guard authority[authority.index(after: colon)...] == port else { return [url] }
            return [url, String(head + authority[..<colon] + rest)]
        }
        return [url, String(head + authority + ":" + port + rest)]
    }
}
