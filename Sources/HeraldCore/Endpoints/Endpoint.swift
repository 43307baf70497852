/// A place Herald delivers to, configured in herald.yaml under `endpoints:`.
public struct Endpoint: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// WhatsApp Business Platform Cloud API.
        case whatsapp
        /// Twilio Programmable Messaging (SMS).
        case twilio
        /// A JSON POST to any URL.
        case webhook
        /// E-mail through SMTP.
        case smtp
    }

    public var name: String
    public var kind: Kind
    public var url: String
    /// The API token (WhatsApp bearer token, Twilio auth token, webhook bearer token).
    public var token: SecretReference?
    /// The provider account (Twilio account SID).
    public var account: String?
    /// The sender: a phone number, messaging service SID or e-mail address.
    public var from: String?
    /// SMTP user name.
    public var username: String?
    /// SMTP password.
    public var password: SecretReference?
    /// The longest text this endpoint accepts, in characters (`max_length`); a longer render is an error.
    public var maxLength: Int?
    /// Where Twilio posts the message's status changes (`StatusCallback`), for `twilio` endpoints.
    public var statusCallback: String?
    /// The JSON body a `webhook` endpoint sends, when the admin shapes it (`body:`); nil: Herald's default.
    public var body: BodyTemplate?
    /// Rate, concurrency, timeouts, retries, headers, signing.
    public var delivery: DeliverySettings
    /// WhatsApp: the Meta app secret that signs incoming webhooks (`X-Hub-Signature-256`), so replies
    /// and statuses can be checked to come from Meta (`app_secret`).
    public var appSecret: SecretReference?
    /// WhatsApp: the token Meta echoes when it verifies the webhook subscription (`verify_token`).
    public var verifyToken: SecretReference?

    public init(name: String, kind: Kind, url: String, token: SecretReference? = nil, account: String? = nil,
                from: String? = nil, username: String? = nil, password: SecretReference? = nil, maxLength: Int? = nil,
                statusCallback: String? = nil, body: BodyTemplate? = nil, delivery: DeliverySettings = .default,
                appSecret: SecretReference? = nil, verifyToken: SecretReference? = nil) {
        self.name = name
        self.kind = kind
        self.url = url
        self.token = token
        self.account = account
        self.from = from
        self.username = username
        self.password = password
        self.maxLength = maxLength
        self.statusCallback = statusCallback
        self.body = body
        self.delivery = delivery
        self.appSecret = appSecret
        self.verifyToken = verifyToken
    }
}

/// A secret named by reference, never inline: `env:NAME` or `file:PATH`.
/// Its description shows the reference, never the secret.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    /// An absolute path (resolved against herald.yaml's folder when loaded).
    case file(String)

    /// Parses `env:NAME` / `file:PATH`; nil for anything else (which is an inline secret).
    public init?(reference: String) {
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let first = name.first, first.isLetter || first == "_",
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
            self = .environment(name)
        } else if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst(5))
            guard !path.isEmpty else { return nil }
            self = .file(path)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }
}
