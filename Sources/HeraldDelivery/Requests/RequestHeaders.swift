import HeraldCore

/// The headers of a request being built: Herald's own first, then the endpoint's configured
/// `headers`. Names must be HTTP tokens and values must not contain CR, LF or NUL, so no
/// configured or rendered value can smuggle in another header.
struct RequestHeaders {
    private(set) var fields: [(name: String, value: String)] = []
    let endpoint: String
    /// Names Herald writes elsewhere (an e-mail's `From`, `Subject`…): configured headers cannot take them.
    private var reserved: Set<String> = []

    init(endpoint: String) {
        self.endpoint = endpoint
    }

    mutating func reserve(_ names: [String]) {
        reserved.formUnion(names.map { $0.lowercased() })
    }

    mutating func add(_ name: String, _ value: String) throws(RequestBuildError) {
        try Self.validate(name: name, value: value, endpoint: endpoint)
        fields.append((name, value))
    }

    /// The endpoint's configured headers. One with the same name as a header Herald set is skipped:
    /// Herald's `Authorization`, `Content-Type`, idempotency and signature headers must be what
    /// Herald computed, or signatures and de-duplication would silently break.
    mutating func addConfigured(_ headers: [EndpointSecrets.Header]) throws(RequestBuildError) {
        guard !headers.isEmpty else { return }
        let taken = reserved.union(fields.map { $0.name.lowercased() })
        for header in headers where !taken.contains(header.name.lowercased()) {
            try add(header.name, header.value)
        }
    }

    static func validate(name: String, value: String, endpoint: String) throws(RequestBuildError) {
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenCharacter) else {
            throw .invalidHeader(name, endpoint: endpoint, reason: "is not a valid header name")
        }
        guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw .invalidHeader(name, endpoint: endpoint, reason: "has a line break or NUL in its value")
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
