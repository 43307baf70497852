import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery

private let date = Date(timeIntervalSince1970: 1_741_944_600)  // Fri, 14 Mar 2025 09:30:00 GMT

/// Decodes a folded header value: unfolds, then joins RFC 2047 `B` words (white space between
/// adjacent encoded words is dropped, as RFC 2047 §6.2 says).
private func decodeHeader(_ field: String) -> String {
    let unfolded = field.replacingOccurrences(of: "\r\n", with: "")
    let value = String(unfolded[unfolded.index(after: unfolded.firstIndex(of: ":") ?? unfolded.startIndex)...].dropFirst())
    let tokens = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    guard tokens.allSatisfy({ $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") }) else { return value }
    let bytes = tokens.flatMap { token -> [UInt8] in
        Array(Data(base64Encoded: String(token.dropFirst(10).dropLast(2))) ?? Data())
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Decodes quoted-printable (soft breaks removed, `=XX` unescaped), with CRLF line ends.
private func decodeQuotedPrintable(_ text: String) -> String {
    let joined = text.replacingOccurrences(of: "=\r\n", with: "")
    var bytes: [UInt8] = []
    let utf8 = Array(joined.utf8)
    var index = 0
    while index < utf8.count {
        if utf8[index] == UInt8(ascii: "="), index + 2 < utf8.count, let byte = UInt8(String(decoding: utf8[index + 1...index + 2], as: UTF8.self), radix: 16) {
            bytes.append(byte)
            index += 3
        } else {
            bytes.append(utf8[index])
            index += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The header block and the body of a message.
private func split(_ message: SMTPMessage) -> (headers: [String], body: String) {
    let text = String(decoding: message.data, as: UTF8.self)
    let parts = text.components(separatedBy: "\r\n\r\n")
    let headerBlock = parts[0]
    var fields: [String] = []
    for line in headerBlock.components(separatedBy: "\r\n") {
        if line.hasPrefix(" "), !fields.isEmpty { fields[fields.count - 1] += "\r\n" + line } else { fields.append(line) }
    }
    return (fields, parts.dropFirst().joined(separator: "\r\n\r\n"))
}

private func physicalLines(_ message: SMTPMessage) -> [String] {
    String(decoding: message.data, as: UTF8.self).components(separatedBy: "\r\n")
}

@Suite struct SMTPMessageTests {
    static let endpoint = Endpoint(
        name: "email", kind: .smtp, url: "smtp://mail.aurora.example:587", from: "Aurora Bank <alerts@aurora.example>",
        username: "herald", password: .environment("SMTP_PASSWORD"),
        delivery: DeliverySettings(headers: [.init(name: "X-Bank", value: .literal("aurora")), .init(name: "Subject", value: .literal("hijack"))]))
    static let secrets = EndpointSecrets(password: "smtp-pass-9", headers: [
        .init(name: "X-Bank", value: "aurora", isSecret: false), .init(name: "Subject", value: "hijack", isSecret: false),
    ])
    static let builder = SMTPMessageBuilder(endpoint: endpoint, secrets: secrets)

    @Test func buildsTheExactMIMEMessageAndEnvelope() throws {
        let message = try Self.builder.message(to: "priya@example.in", subject: "Card payment of Rs 499", text: "Hello Priya,\nWas this you? Reply YES = 1.",
                                               deliveryID: "dlv_01HZX", date: date)
        #expect(String(decoding: message.data, as: UTF8.self) == [
            "From: Aurora Bank <alerts@aurora.example>",
            "To: priya@example.in",
            "Subject: Card payment of Rs 499",
            "Date: Fri, 14 Mar 2025 09:30:00 +0000",
            "Message-ID: <dlv_01HZX@herald>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "X-Bank: aurora",
            "",
            "Hello Priya,",
            "Was this you? Reply YES =3D 1.",
            "",
        ].joined(separator: "\r\n"))
        #expect(message.messageID == "<dlv_01HZX@herald>")
        #expect(message.envelope == SMTPEnvelope(url: "smtp://mail.aurora.example:587", from: "alerts@aurora.example",
                                                 recipients: ["priya@example.in"], username: "herald", password: "smtp-pass-9", requireTLS: true))
        #expect(SMTPClassifier.delivered(message) == .delivered(providerID: "<dlv_01HZX@herald>"))
    }

    @Test func aHindiSubjectBecomesUTF8EncodedWordsOfAtMost75Characters() throws {
        let subject = "आपके कार्ड से ₹48,000.50 का लेन-देन हुआ — क्या यह आप थे? तुरंत जवाब दें"
        let message = try Self.builder.message(to: "priya@example.in", subject: subject, text: "x", deliveryID: "d", date: date)
        let field = try #require(split(message).headers.first { $0.hasPrefix("Subject:") })
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.count > 1, "long enough to fold")
        #expect(lines[0].hasPrefix("Subject: =?UTF-8?B?"))
        for line in lines {
            #expect(line.utf8.count <= 76)
            for word in line.split(separator: " ") where word != "Subject:" {
                #expect(word.utf8.count <= 75)
                #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
                // Each word decodes on its own: no UTF-8 sequence is split across words.
                #expect(String(validating: Array(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()), as: UTF8.self) != nil)
            }
        }
        #expect(decodeHeader(field) == subject)
    }

    @Test func aLongASCIISubjectFoldsAtSpacesAndAnUnbreakableOneIsEncoded() throws {
        let subject = "Your booking AI-302 Mumbai to London on 14 March has a new departure time, please check the updated itinerary now"
        let message = try Self.builder.message(to: "a@b.example", subject: subject, text: "x", deliveryID: "d", date: date)
        let field = try #require(split(message).headers.first { $0.hasPrefix("Subject:") })
        #expect(field.contains("\r\n "))
        #expect(field.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(!field.contains("=?"))
        #expect(decodeHeader(field) == subject)

        let unbreakable = String(repeating: "AI302", count: 30)
        let encoded = try Self.builder.message(to: "a@b.example", subject: unbreakable, text: "x", deliveryID: "d", date: date)
        let encodedField = try #require(split(encoded).headers.first { $0.hasPrefix("Subject:") })
        #expect(encodedField.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(decodeHeader(encodedField) == unbreakable)
    }

    @Test func aSubjectCannotInjectHeaders() throws {
        let message = try Self.builder.message(to: "a@b.example", subject: "Hi\r\nBcc: victim@evil.example", text: "x", deliveryID: "d", date: date)
        #expect(!physicalLines(message).contains { $0.hasPrefix("Bcc:") })
        #expect(split(message).headers.filter { $0.hasPrefix("Subject:") } == ["Subject: Hi  Bcc: victim@evil.example"])
    }

    @Test func theQuotedPrintableBodyKeepsLinesWithin76AndRoundTrips() throws {
        let text = "Dear customer, your card ending 4242 was charged ₹12,34,567.89 at Croma. " + String(repeating: "If this was not you, call us. ", count: 6)
            + "\r\nFrom now on, alerts come here.   \n\tTabbed line\t\nx=y\rlast"
        let message = try Self.builder.message(to: "a@b.example", subject: "s", text: text, deliveryID: "d", date: date)
        #expect(split(message).headers.contains("Content-Transfer-Encoding: quoted-printable"))
        let body = split(message).body
        for line in body.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76, "\(line)") }
        #expect(body.contains("=E2=82=B9"))
        #expect(body.contains("\r\n=46rom now on"), "a line starting From is protected")
        #expect(body.contains("alerts come here.  =20\r\n"), "trailing space encoded")
        #expect(body.contains("\tTabbed line=09\r\n"))
        #expect(!body.contains("\n\n"))
        let expected = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        #expect(decodeQuotedPrintable(body) == expected)
    }

    @Test func aHindiBodyIsBase64BecauseThatIsShorter() throws {
        let text = "प्रिय ग्राहक,\nआपके कार्ड से ₹48,000.50 का लेन-देन हुआ। क्या यह आप थे? हाँ के लिए 1 भेजें, नहीं के लिए 2। " + String(repeating: "धन्यवाद। ", count: 10)
        let message = try Self.builder.message(to: "a@b.example", subject: "s", text: text, deliveryID: "d", date: date)
        #expect(split(message).headers.contains("Content-Transfer-Encoding: base64"))
        let body = split(message).body
        let lines = body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 })
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        let decoded = Data(base64Encoded: lines.joined()).map { String(decoding: $0, as: UTF8.self) }
        #expect(decoded == text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
    }

    @Test(arguments: [
        ("alerts@aurora.example", "From: alerts@aurora.example"),
        ("Aurora Bank <alerts@aurora.example>", "From: Aurora Bank <alerts@aurora.example>"),
        ("\"Aurora, Bank\" <alerts@aurora.example>", "From: \"Aurora, Bank\" <alerts@aurora.example>"),
        ("Aurora Bank Ltd. <alerts@aurora.example>", "From: \"Aurora Bank Ltd.\" <alerts@aurora.example>"),
        // 62 characters with the address: it folds onto a second line (each at most 76).
        ("ऑरोरा बैंक <alerts@aurora.example>", "From: =?UTF-8?B?4KSR4KSw4KWL4KSw4KS+IOCkrOCliOCkguCklQ==?=\r\n <alerts@aurora.example>"),
    ])
    func fromHeaders(from: String, expected: String) throws {
        var endpoint = Self.endpoint
        endpoint.from = from
        let message = try SMTPMessageBuilder(endpoint: endpoint, secrets: Self.secrets).message(to: "a@b.example", subject: "s", text: "x", deliveryID: "d", date: date)
        #expect(split(message).headers.first == expected)
        #expect(message.envelope.from == "alerts@aurora.example")
    }

    @Test(arguments: ["priya", "priya@", "@example.in", "priya@exa mple.in", "<priya@example.in>", "प्रिया@example.in", "a@b@c", "priya@example.in\r\nBcc: x@y", "a@.example"])
    func refusesAddressesItCannotSendTo(address: String) {
        #expect(throws: RequestBuildError.self) { try Self.builder.message(to: address, subject: "s", text: "x", deliveryID: "d", date: date) }
    }

    @Test func missingOrBadFromIsAnError() {
        var endpoint = Self.endpoint
        endpoint.from = nil
        #expect(throws: RequestBuildError.missingSetting("from", endpoint: "email", kind: .smtp)) {
            try SMTPMessageBuilder(endpoint: endpoint, secrets: Self.secrets).message(to: "a@b.example", subject: "s", text: "x", deliveryID: "d", date: date)
        }
        endpoint.from = "Aurora Bank"
        #expect(throws: RequestBuildError.self) {
            try SMTPMessageBuilder(endpoint: endpoint, secrets: Self.secrets).message(to: "a@b.example", subject: "s", text: "x", deliveryID: "d", date: date)
        }
    }

    @Test func messageIDsStayValidAndDistinct() {
        #expect(SMTPMessageBuilder.messageIDLocalPart("dlv_01HZX-7") == "dlv_01HZX-7")
        #expect(SMTPMessageBuilder.messageIDLocalPart("a b.c=d@ü") == "a=20b=2Ec=3Dd=40=C3=BC")
        #expect(SMTPMessageBuilder.messageIDLocalPart("") == "delivery")
    }

    @Test func insecureEndpointsDoNotRequireTLSAndTheRedactedViewHidesThePassword() throws {
        var endpoint = Self.endpoint
        endpoint.delivery.insecure = true
        let builder = SMTPMessageBuilder(endpoint: endpoint, secrets: Self.secrets)
        let message = try builder.message(to: "a@b.example", subject: "s", text: "your code smtp-pass-9", deliveryID: "d", date: date)
        #expect(message.envelope.requireTLS == false)
        let shown = builder.redacted(message)
        #expect(shown.envelope.password == "***")
        #expect(!String(decoding: shown.data, as: UTF8.self).contains("smtp-pass-9"))
        #expect(shown.envelope.username == "herald")
    }

    @Test func classifiesSMTPFailures() {
        func verdict(_ outcome: DeliveryOutcome) -> String {
            switch outcome {
            case .delivered: "delivered"
            case .retryable(let error, _): "retryable \(error.code ?? "-")"
            case .permanent(let error): "permanent \(error.code ?? "-")"
            }
        }
        let rows: [(TransportFailure, String)] = [
            (.invalidRequest("SMTP server replied 550: RCPT failed: 550"), "permanent 550"),
            (.connectionLost("RCPT failed: 550"), "permanent 550"),
            (.connectionLost("RCPT failed: 553 (last error)"), "permanent 553"),
            (.other(code: 55, message: "Failed sending data to the peer: MAIL failed: 501"), "permanent 501"),
            (.connectionLost("RCPT failed: 451"), "retryable 451"),
            (.other(code: 55, message: "DATA failed: 452"), "retryable 452"),
            (.other(code: 67, message: "Login denied"), "permanent -"),
            (.other(code: 94, message: "An authentication function returned an error"), "permanent -"),
            (.tls("STARTTLS not supported."), "permanent -"),
            (.invalidRequest("URL using bad/illegal format"), "permanent -"),
            (.timeout("Operation timed out after 15000 milliseconds"), "retryable -"),
            (.connect("Failed to connect to mail.aurora.example port 587"), "retryable -"),
            (.resolve("mail.aurora.example"), "retryable -"),
            (.connectionLost("Connection died"), "retryable -"),
            (.other(code: 8, message: "Weird server reply"), "retryable -"),
        ]
        for (failure, expected) in rows {
            #expect(verdict(SMTPClassifier.classify(failure)) == expected, "\(failure)")
        }
    }
}
