/// Where and how to hand one email to an SMTP server, and to whom: what `MAIL FROM` and `RCPT TO`
/// say, which can differ from the message's own `From:`/`To:` headers.
public struct SMTPEnvelope: Sendable, Hashable {
    /// `smtp://host:port` (STARTTLS when `requireTLS`) or `smtps://host:port` (TLS from the first
    /// byte). A path names the client in `EHLO` (`smtp://mail.example.com/herald.example.com`).
    public var url: String
    /// The envelope sender (bounces go here), a bare address without angle brackets.
    public var from: String
    /// Bare addresses, at least one.
    public var recipients: [String]
    /// For `AUTH`, when the server wants it.
    public var username: String?
    public var password: String?
    /// For `smtp://`: refuse to go on unless the server upgrades the connection with STARTTLS.
    /// When false, STARTTLS is still used when the server offers it. `smtps://` is always TLS.
    public var requireTLS: Bool

    public init(url: String, from: String, recipients: [String], username: String? = nil, password: String? = nil, requireTLS: Bool = true) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
    }
}
