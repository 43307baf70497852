/// An HTTP request as Herald builds it for an endpoint: pure data, sent by a transport.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    /// In order; names as written. Secret values are real here: mask them with `redacted(hiding:secretHeaders:)` (HeraldDelivery) before showing.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }

    /// The first header with this name (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { HTTPFieldName.equal($0.name, name) }?.value
    }
}

/// What came back.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(body)
    }

    /// The first header with this name (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { HTTPFieldName.equal($0.name, name) }?.value
    }
}

/// HTTP field names compare ASCII case-insensitively (RFC 9110 §5.1).
public enum HTTPFieldName {
    /// Whether `a` and `b` are the same field name: byte for byte, ASCII letters folded, without
    /// building lowercased copies (this runs for every header of every request and response).
    public static func equal(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for index in 0..<x.count where x[index] != y[index] {
                    guard x[index] | 0x20 == y[index] | 0x20, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(x[index] | 0x20) else { return false }
                }
                return true
            }
        }
    }
}

/// Why no HTTP response arrived. Each case is retryable except `invalidRequest` and `tls`
/// certificate problems, which will not fix themselves.
public enum TransportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Name resolution failed.
    case resolve(String)
    /// The TCP (or TLS) connection could not be made.
    case connect(String)
    /// The connect or total timeout passed.
    case timeout(String)
    /// The connection broke mid-exchange (reset, empty reply).
    case connectionLost(String)
    /// TLS handshake or certificate verification failed.
    case tls(String)
    /// Herald built a request libcurl refused (a bad URL).
    case invalidRequest(String)
    /// Anything else, with libcurl's code and message.
    case other(code: Int, message: String)

    public var description: String {
        switch self {
        case .resolve(let m): "could not resolve host: \(m)"
        case .connect(let m): "could not connect: \(m)"
        case .timeout(let m): "timed out: \(m)"
        case .connectionLost(let m): "connection lost: \(m)"
        case .tls(let m): "TLS failure: \(m)"
        case .invalidRequest(let m): "invalid request: \(m)"
        case .other(let code, let m): "transport error \(code): \(m)"
        }
    }
}

/// The verdict on one attempt, per endpoint kind.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Accepted by the provider; its id for the message (WhatsApp wamid, Twilio SID), when it gave one.
    case delivered(providerID: String?)
    /// Worth trying again (after `retryAfter`, when the provider said so).
    case retryable(ProviderError, retryAfter: Duration?)
    /// Will not succeed as it is: the provider's code and message are kept.
    case permanent(ProviderError)
}

/// A provider's (or the transport's) reason, kept verbatim for the delivery record.
public struct ProviderError: Sendable, Hashable, CustomStringConvertible {
    /// HTTP status, when there was a response.
    public var status: Int?
    /// The provider's own code (WhatsApp `error.code`, Twilio `code`), as text.
    public var code: String?
    public var message: String

    public init(status: Int? = nil, code: String? = nil, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let status { parts.append("HTTP \(status)") }
        if let code { parts.append("code \(code)") }
        parts.append(message)
        return parts.joined(separator: ", ")
    }
}
