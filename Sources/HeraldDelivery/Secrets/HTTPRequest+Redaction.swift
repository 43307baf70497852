import HeraldCore

extension HTTPRequest {
    /// What `herald test --json` and logs show instead of the request: the same request with secrets
    /// replaced by `***`.
    ///
    /// - `Authorization` and `Proxy-Authorization` keep their scheme only: `Bearer ***`, `Basic ***`
    ///   (the Base64 of `SID:token` is as good as the token).
    /// - Headers named in `secretHeaders` (case-insensitive), whose values came from references: `***`.
    /// - Then every occurrence of a secret value anywhere else — URL, header values, body — also in its
    ///   percent-encoded form, is replaced: a token pasted into a URL or echoed into a body stays hidden.
    ///
    /// Signatures (`X-Herald-Signature`) stay: an HMAC does not reveal its key.
    public func redacted(hiding secrets: [String], secretHeaders: Set<String> = []) -> HTTPRequest {
        let needles = Self.needles(for: secrets)
        var copy = self
        copy.url = Self.scrub(url, needles)
        copy.headers = headers.map { header in
            let name = header.name.lowercased()
            if name == "authorization" || name == "proxy-authorization" {
                let scheme = header.value.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
                return (header.name, scheme.isEmpty || scheme == header.value ? "***" : "\(scheme) ***")
            }
            if secretHeaders.contains(name) { return (header.name, "***") }
            return (header.name, Self.scrub(header.value, needles))
        }
        copy.body = Self.scrub(body, needles.map { Array($0.utf8) })
        return copy
    }

    /// Each secret and its form-encoded spelling, longest first (so a secret containing another is
    /// masked whole).
    static func needles(for secrets: [String]) -> [String] {
        var all = Set<String>()
        for secret in secrets where !secret.isEmpty {
            all.insert(secret)
            all.insert(FormEncoding.encode(secret))
        }
        return all.sorted { $0.utf8.count > $1.utf8.count }
    }

    static func scrub(_ text: String, _ needles: [String]) -> String {
        String(decoding: scrub(Array(text.utf8), needles.map { Array($0.utf8) }), as: UTF8.self)
    }

    static func scrub(_ bytes: [UInt8], _ needles: [[UInt8]]) -> [UInt8] {
        var current = bytes
        for needle in needles where !needle.isEmpty {
            var out: [UInt8] = []
            out.reserveCapacity(current.count)
            var index = 0
            while index < current.count {
                if index + needle.count <= current.count, current[index] == needle[0],
                   current[index..<index + needle.count].elementsEqual(needle) {
                    out.append(contentsOf: Array("***".utf8))
                    index += needle.count
                } else {
                    out.append(current[index])
                    index += 1
                }
            }
            current = out
        }
        return current
    }
}
