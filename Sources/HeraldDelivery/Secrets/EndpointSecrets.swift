import HeraldCore

/// An endpoint's secrets, resolved: what the request builders put into requests, and what
/// ``HTTPRequest/redacted(hiding:secretHeaders:)`` takes out again before anything is shown.
public struct EndpointSecrets: Sendable, Hashable {
    /// `token`: the WhatsApp bearer token, Twilio auth token or webhook bearer token.
    public var token: String?
    /// `password`: the SMTP password.
    public var password: String?
    /// `sign`: the webhook HMAC secret.
    public var signingSecret: String?
    /// The endpoint's `headers`, values resolved, in order.
    public var headers: [Header]

    /// One configured header with its value resolved.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        /// The value came from an `env:`/`file:` reference: it is masked when shown.
        public var isSecret: Bool

        public init(name: String, value: String, isSecret: Bool) {
            self.name = name
            self.value = value
            self.isSecret = isSecret
        }
    }

    public init(token: String? = nil, password: String? = nil, signingSecret: String? = nil, headers: [Header] = []) {
        self.token = token
        self.password = password
        self.signingSecret = signingSecret
        self.headers = headers
    }

    /// Resolves every reference the endpoint has (token, password, signing secret, secret header values).
    public init(resolving endpoint: Endpoint, with resolver: some SecretResolver) throws(SecretError) {
        self.token = try endpoint.token.map { reference throws(SecretError) in try resolver.resolve(reference) }
        self.password = try endpoint.password.map { reference throws(SecretError) in try resolver.resolve(reference) }
        self.signingSecret = try endpoint.delivery.signingSecret.map { reference throws(SecretError) in try resolver.resolve(reference) }
        var headers: [Header] = []
        for header in endpoint.delivery.headers {
            switch header.value {
            case .literal(let value): headers.append(Header(name: header.name, value: value, isSecret: false))
            case .secret(let reference): headers.append(Header(name: header.name, value: try resolver.resolve(reference), isSecret: true))
            }
        }
        self.headers = headers
    }

    /// Every secret value, for scrubbing what is shown.
    public var secretValues: [String] {
        [token, password, signingSecret].compactMap { $0 } + headers.filter(\.isSecret).map(\.value)
    }

    /// Names of headers whose values are secret.
    public var secretHeaderNames: Set<String> {
        Set(headers.filter(\.isSecret).map { $0.name.lowercased() })
    }
}
