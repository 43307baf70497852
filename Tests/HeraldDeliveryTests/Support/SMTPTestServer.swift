import Foundation

/// Debian's aiosmtpd (python3-aiosmtpd) on a loopback port, writing each message it accepts to a
/// JSON file: envelope sender, recipients, the AUTH login used and the raw message bytes.
///
/// Recipients starting with `reject` get `550`, those starting with `later` get `450`; the login
/// `herald` / `s3cret` is the only one accepted.
final class SMTPTestServer: @unchecked Sendable {
    enum Security: String {
        /// No TLS offered.
        case plain
        /// STARTTLS offered and required before MAIL.
        case starttls
        /// TLS from the first byte (smtps://).
        case implicitTLS = "smtps"
    }

    struct Message: Decodable {
        var from: String
        var recipients: [String]
        var login: String?
        var data: String

        var bytes: [UInt8] { Array(Data(base64Encoded: data) ?? Data()) }
    }

    let port: Int
    private let directory: TemporaryDirectory
    private let server: ExternalServer

    init(security: Security = .plain) throws {
        directory = try TemporaryDirectory()
        guard let python = Self.python() else {
            throw ExternalServer.Failure(description: "no python3 with aiosmtpd (scripts/install-deps installs python3-aiosmtpd)")
        }
        let script = directory.path + "/smtp_server.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let inbox = directory.path + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        var certificate: [String] = []
        if security != .plain {
            let made = try TestCertificate(in: directory)
            certificate = [made.certificatePath, made.keyPath]
        }
        server = try ExternalServer(executable: python, arguments: { port in
            [script, inbox, String(port), security.rawValue] + certificate
        })
        port = server.port
    }

    deinit {
        server.stop()
    }

    /// The messages received so far, in arrival order.
    func messages() throws -> [Message] {
        let inbox = directory.path + "/inbox"
        let names = try FileManager.default.contentsOfDirectory(atPath: inbox).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            try JSONDecoder().decode(Message.self, from: Data(contentsOf: URL(fileURLWithPath: inbox + "/" + name)))
        }
    }

    /// Waits (boundedly) for `count` messages to have been written.
    func waitForMessages(_ count: Int) async throws -> [Message] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let received = try messages()
            if received.count >= count || ContinuousClock.now >= deadline { return received }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Debian's python3 first: that is where the apt package installs aiosmtpd.
    private static func python() -> String? {
        for candidate in ["/usr/bin/python3", "python3"] {
            guard let path = ExternalServer.executable([candidate]) else { continue }
            if (try? ExternalServer.run(path, ["-c", "import aiosmtpd"])) == 0 { return path }
        }
        return nil
    }

    private static let script = #"""
import asyncio, base64, json, os, ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

inbox, port, security = sys.argv[1], int(sys.argv[2]), sys.argv[3]
context = None
if security != "plain":
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
lock = threading.Lock()
counter = [0]

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        if address.startswith("later"):
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content if envelope.original_content is not None else envelope.content
        record = {
            "from": envelope.mail_from,
            "recipients": envelope.rcpt_tos,
            "login": getattr(session, "herald_login", None),
            "data": base64.b64encode(raw).decode("ascii"),
        }
        with lock:
            counter[0] += 1
            name = os.path.join(inbox, "%06d.json" % counter[0])
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        return "250 Message accepted"

def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == b"herald" and auth_data.password == b"s3cret":
        session.herald_login = "herald"
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)

options = dict(hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False)
if security == "starttls":
    options.update(tls_context=context, require_starttls=True)
elif security == "smtps":
    options.update(ssl_context=context)
controller = Controller(Handler(), **options)
controller.start()
threading.Event().wait()
"""#
}
