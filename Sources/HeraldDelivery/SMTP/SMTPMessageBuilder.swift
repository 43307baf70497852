import Foundation
import HeraldCore

/// One e-mail ready for libcurl's SMTP: the envelope (`MAIL FROM`, `RCPT TO`, server, login) and the
/// MIME message it uploads.
public struct SMTPMessage: Sendable, Hashable {
    public var envelope: SMTPEnvelope
    /// The RFC 5322 message with CRLF line ends. libcurl dot-stuffs it while sending.
    public var data: [UInt8]
    /// The `Message-ID`, `<delivery-id@herald>`: the provider id of a delivered e-mail.
    public var messageID: String

    public init(envelope: SMTPEnvelope, data: [UInt8], messageID: String) {
        self.envelope = envelope
        self.data = data
        self.messageID = messageID
    }
}

/// Builds plain-text e-mails for `smtp` endpoints.
///
/// ```
/// From: Aurora Bank <alerts@aurora.example>
/// To: priya@example.in
/// Subject: =?UTF-8?B?…?=
/// Date: Fri, 14 Mar 2025 09:30:00 +0000
/// Message-ID: <DELIVERY-ID@herald>
/// MIME-Version: 1.0
/// Content-Type: text/plain; charset=utf-8
/// Content-Transfer-Encoding: quoted-printable
/// …the endpoint's `headers`
///
/// body
/// ```
/// - `From` is the endpoint's `from` (`alerts@aurora.example` or `Aurora Bank <alerts@aurora.example>`);
///   its bare address is the envelope sender. A non-ASCII display name is encoded like the subject.
/// - `Subject` is printable ASCII as it is, folded at spaces; anything else RFC 2047 `B` encoded words,
///   UTF-8, at most 75 characters each, every header line at most 76.
/// - The body is quoted-printable, or Base64 when that is shorter (Devanagari, Arabic or Chinese text
///   triples in quoted-printable, grows by a third in Base64); lines at most 76 characters, CRLF ends.
/// - `Message-ID` is the delivery id (characters an address cannot hold written as `=XX`) at `herald`,
///   so a retry of the same delivery is recognisably the same message.
/// - Addresses must be ASCII `local@domain`: internationalised addresses need SMTPUTF8, not used yet.
/// - TLS: `requireTLS` unless the endpoint is marked `insecure` (a local test server without TLS).
public struct SMTPMessageBuilder: Sendable {
    public let endpoint: Endpoint
    public let secrets: EndpointSecrets

    public init(endpoint: Endpoint, secrets: EndpointSecrets) {
        self.endpoint = endpoint
        self.secrets = secrets
    }

    /// The e-mail sending `text` under `subject` to `address`, dated `date`.
    public func message(to address: String, subject: String, text: String, deliveryID: String, date: Date) throws(RequestBuildError) -> SMTPMessage {
        guard let fromSetting = endpoint.from, !fromSetting.isEmpty else { throw .missingSetting("from", endpoint: endpoint.name, kind: .smtp) }
        guard let sender = Self.mailbox(fromSetting) else {
            throw .invalidSender(fromSetting, endpoint: endpoint.name, reason: "is not an e-mail address (address@domain or Name <address@domain>)")
        }
        let recipient = address.trimmingCharacters(in: .whitespaces)
        guard Self.isAddress(recipient) else {
            throw .invalidRecipient(address, endpoint: endpoint.name, reason: "is not an ASCII e-mail address (local@domain)")
        }
        let messageID = "<\(Self.messageIDLocalPart(deliveryID))@herald>"

        var headers = RequestHeaders(endpoint: endpoint.name)
        try headers.add("MIME-Version", "1.0")
        try headers.add("Content-Type", "text/plain; charset=utf-8")
        let quoted = MIMEText.quotedPrintable(text)
        let base64 = MIMEText.base64(text)
        let useBase64 = base64.count < quoted.count
        try headers.add("Content-Transfer-Encoding", useBase64 ? "base64" : "quoted-printable")
        headers.reserve(["From", "To", "Subject", "Date", "Message-ID", "Sender", "Reply-To", "Cc", "Bcc"])
        try headers.addConfigured(secrets.headers)

        var lines = [
            Self.fromHeader(sender),
            "To: \(recipient)",
            MIMEText.header("Subject", subject),
            "Date: \(Self.date(date))",
            "Message-ID: \(messageID)",
        ]
        lines += headers.fields.map { "\($0.name): \($0.value)" }
        let data = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + (useBase64 ? base64 : quoted)

        let envelope = SMTPEnvelope(url: endpoint.url, from: sender.address, recipients: [recipient], username: endpoint.username,
                                    password: secrets.password, requireTLS: !endpoint.delivery.insecure)
        return SMTPMessage(envelope: envelope, data: data, messageID: messageID)
    }

    /// `message` with the password masked and any secret scrubbed from the data, for `herald test --json`.
    public func redacted(_ message: SMTPMessage) -> SMTPMessage {
        var copy = message
        if copy.envelope.password != nil { copy.envelope.password = "***" }
        copy.data = HTTPRequest.scrub(message.data, HTTPRequest.needles(for: secrets.secretValues).map { Array($0.utf8) })
        return copy
    }

    // MARK: - Addresses and dates

    struct Mailbox: Equatable {
        var displayName: String
        var address: String
    }

    /// `address` or `Display Name <address>` (the name may be in double quotes).
    static func mailbox(_ text: String) -> Mailbox? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            return isAddress(trimmed) ? Mailbox(displayName: "", address: trimmed) : nil
        }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        return isAddress(address) ? Mailbox(displayName: name, address: address) : nil
    }

    /// An ASCII `local@domain` without white space, brackets, quotes or other specials.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.utf8.count <= 254 else { return false }
        let forbidden = Set("()<>[]:;,\\\" ".utf8)
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }) else { return false }
        return parts[1].utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D || byte == 0x2E
        } && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// `From: address`, `From: Aurora Bank <address>`, `From: "Aurora, Bank" <address>`, or encoded words.
    static func fromHeader(_ mailbox: Mailbox) -> String {
        let name = mailbox.displayName
        guard !name.isEmpty else { return "From: \(mailbox.address)" }
        let angle = "<\(mailbox.address)>"
        let isPlainASCII = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !name.contains("=?")
        guard isPlainASCII else {
            return MIMEText.fold("From", MIMEText.encodedWords(name, firstLineUsed: "From: ".utf8.count) + [angle])
        }
        let specials = Set("()<>[]:;@\\,.\"".unicodeScalars)
        let shown = name.unicodeScalars.contains(where: { specials.contains($0) })
            ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            : name
        return MIMEText.fold("From", shown.split(separator: " ").map(String.init) + [angle])
    }

    /// RFC 5322 date-time in UTC: `Fri, 14 Mar 2025 09:30:00 +0000`.
    static func date(_ date: Date) -> String {
        String(HTTPDate.format(date).dropLast(3)) + "+0000"
    }

    /// The delivery id with every byte that is not `atext` — and `=` and `.` themselves — written as
    /// `=XX`: always a valid `dot-atom-text`, and distinct ids stay distinct.
    static func messageIDLocalPart(_ id: String) -> String {
        let allowed = Set("!#$%&'*+-/?^_`{|}~".utf8)
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        var out = ""
        for byte in id.utf8 {
            let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            if isAlphanumeric || allowed.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.unicodeScalars.append("=")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out.isEmpty ? "delivery" : out
    }
}
