import Foundation
import HeraldCore
import Testing

@testable import HeraldDelivery

/// Email through libcurl's SMTP against Debian's aiosmtpd: plain, STARTTLS and SMTPS, with AUTH.
@Suite("Transport: SMTP")
struct TransportSMTPTests {
    let settings = TransportSettings(connectTimeout: .seconds(5), timeout: .seconds(20))

    /// A UTF-8 MIME message with an encoded subject, and a line that starts with a dot (which
    /// libcurl must escape and the server unescape).
    static let message = Array("""
        From: Aurora Bank <alerts@aurora.example>\r
        To: Jana Nováková <jana@example.cz>\r
        Subject: =?UTF-8?B?\(Data("Platba kartou: 1 234,50 Kč ✓".utf8).base64EncodedString())?=\r
        MIME-Version: 1.0\r
        Content-Type: text/plain; charset=UTF-8\r
        Content-Transfer-Encoding: 8bit\r
        \r
        Dobrý den, platba 1 234,50 Kč u ŽABKA byla schválena.\r
        .this line starts with a dot\r
        Ваш банк\r

        """.utf8)

    @Test func plainSMTPDeliversEnvelopeAndBody() async throws {
        let server = try SMTPTestServer(security: .plain)
        let transport = CurlTransport()
        let envelope = SMTPEnvelope(
            url: "smtp://127.0.0.1:\(server.port)", from: "bounces@aurora.example",
            recipients: ["jana@example.cz", "audit@aurora.example"], requireTLS: false
        )
        try await transport.sendMail(Self.message, envelope: envelope, settings: settings).get()
        let received = try await server.waitForMessages(1)
        let mail = try #require(received.first)
        #expect(mail.from == "bounces@aurora.example")
        #expect(mail.recipients == ["jana@example.cz", "audit@aurora.example"])
        #expect(mail.login == nil)
        #expect(mail.bytes == Self.message)
    }

    @Test func authenticatesWithUsernameAndPassword() async throws {
        let server = try SMTPTestServer(security: .plain)
        let transport = CurlTransport()
        var envelope = SMTPEnvelope(
            url: "smtp://127.0.0.1:\(server.port)", from: "alerts@aurora.example", recipients: ["jana@example.cz"],
            username: "herald", password: "s3cret", requireTLS: false
        )
        try await transport.sendMail(Self.message, envelope: envelope, settings: settings).get()
        #expect(try await server.waitForMessages(1).first?.login == "herald")

        envelope.password = "wrong-password"
        let result = await transport.sendMail(Self.message, envelope: envelope, settings: settings)
        guard case .failure(let failure) = result else {
            Issue.record("a wrong password was accepted")
            return
        }
        #expect(failure == .invalidRequest(failure.message), "535 is a permanent refusal, got \(failure)")
        #expect(!failure.description.contains("wrong-password"))
    }

    @Test func requireTLSRefusesAServerWithoutSTARTTLS() async throws {
        let server = try SMTPTestServer(security: .plain)
        let transport = CurlTransport()
        let envelope = SMTPEnvelope(url: "smtp://127.0.0.1:\(server.port)", from: "a@aurora.example", recipients: ["b@example.cz"], requireTLS: true)
        let result = await transport.sendMail(Self.message, envelope: envelope, settings: settings)
        guard case .failure(.tls) = result else {
            Issue.record("expected .tls, got \(result)")
            return
        }
        #expect(try server.messages().isEmpty)
    }

    @Test func startTLSDeliversOverAnUpgradedConnection() async throws {
        let server = try SMTPTestServer(security: .starttls)
        let transport = CurlTransport()
        let envelope = SMTPEnvelope(
            url: "smtp://127.0.0.1:\(server.port)", from: "alerts@aurora.example", recipients: ["jana@example.cz"],
            username: "herald", password: "s3cret", requireTLS: true
        )
        // Self-signed: verification must fail unless told otherwise.
        let verified = await transport.sendMail(Self.message, envelope: envelope, settings: settings)
        guard case .failure(.tls) = verified else {
            Issue.record("expected .tls for a self-signed certificate, got \(verified)")
            return
        }
        var insecure = settings
        insecure.insecure = true
        try await transport.sendMail(Self.message, envelope: envelope, settings: insecure).get()
        let mail = try #require(try await server.waitForMessages(1).first)
        #expect(mail.login == "herald")
        #expect(mail.bytes == Self.message)
    }

    @Test func smtpsDeliversOverImplicitTLS() async throws {
        let server = try SMTPTestServer(security: .implicitTLS)
        let transport = CurlTransport()
        let envelope = SMTPEnvelope(url: "smtps://127.0.0.1:\(server.port)", from: "alerts@aurora.example", recipients: ["jana@example.cz"])
        try await transport.sendMail(Self.message, envelope: envelope, settings: TransportSettings(timeout: .seconds(20), insecure: true)).get()
        let mail = try #require(try await server.waitForMessages(1).first)
        #expect(mail.recipients == ["jana@example.cz"])
        #expect(mail.bytes == Self.message)
    }

    @Test func permanentRecipientRefusalIsAnInvalidRequest() async throws {
        let server = try SMTPTestServer(security: .plain)
        let transport = CurlTransport()
        let envelope = SMTPEnvelope(url: "smtp://127.0.0.1:\(server.port)", from: "a@aurora.example", recipients: ["rejected@example.cz"], requireTLS: false)
        let result = await transport.sendMail(Self.message, envelope: envelope, settings: settings)
        guard case .failure(.invalidRequest(let message)) = result else {
            Issue.record("expected .invalidRequest, got \(result)")
            return
        }
        #expect(message.contains("550"))
    }

    @Test func temporaryRecipientRefusalStaysRetryable() async throws {
        let server = try SMTPTestServer(security: .plain)
        let transport = CurlTransport()
        let envelope = SMTPEnvelope(url: "smtp://127.0.0.1:\(server.port)", from: "a@aurora.example", recipients: ["later@example.cz"], requireTLS: false)
        let result = await transport.sendMail(Self.message, envelope: envelope, settings: settings)
        switch result {
        case .success:
            Issue.record("a 450 was taken for success")
        case .failure(.invalidRequest), .failure(.tls):
            Issue.record("a 450 must stay retryable, got \(result)")
        case .failure:
            break
        }
    }

    @Test(arguments: [
        SMTPEnvelope(url: "smtp://127.0.0.1:1", from: "a@b.example", recipients: []),
        SMTPEnvelope(url: "smtp://127.0.0.1:1", from: "a@b.example>\r\nRCPT TO:<x@y.example", recipients: ["c@d.example"]),
        SMTPEnvelope(url: "smtp://127.0.0.1:1", from: "a@b.example", recipients: ["c@d.example\r\nDATA"]),
        SMTPEnvelope(url: "http://127.0.0.1:1", from: "a@b.example", recipients: ["c@d.example"]),
    ])
    func badEnvelopesAreInvalidRequests(envelope: SMTPEnvelope) async throws {
        let transport = CurlTransport()
        let result = await transport.sendMail(Self.message, envelope: envelope, settings: settings)
        guard case .failure(.invalidRequest) = result else {
            Issue.record("expected .invalidRequest, got \(result)")
            return
        }
    }
}

extension TransportFailure {
    /// The text of any case, for comparisons in tests.
    fileprivate var message: String {
        switch self {
        case .resolve(let m), .connect(let m), .timeout(let m), .connectionLost(let m), .tls(let m), .invalidRequest(let m): m
        case .other(_, let m): m
        }
    }
}
