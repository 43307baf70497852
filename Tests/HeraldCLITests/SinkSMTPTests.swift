import Foundation
import Glibc
import Testing

/// `herald sink --smtp-listen` as a real process: `herald send` delivers e-mail to it through
/// libcurl's SMTP, and a raw socket client tries what a hostile one would.
@Suite struct SinkSMTPTests {
    static let password = "correct-horse-battery-staple"

    /// A folder with a rule that e-mails each passenger of a delayed flight (Portuguese and Hindi
    /// texts: quoted-printable and Base64 bodies, encoded-word subjects), a config sending through
    /// the sink's SMTP port with a login, and one event.
    func workspace(port: Int, attempts: Int, passengers: [(email: String, locale: String)]) throws -> URL {
        let folder = try HeraldProcess.temporaryFolder()
        let rules = folder.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try """
            templates:
              flight_delay_mail:
                default_locale: en
                text:
                  en: "Flight {flight} is delayed. New departure: {time}."
                  pt-BR: "Vôo atrasado: {flight}. Nova partida às {time}, ação necessária."
                  hi: "उड़ान {flight} में देरी है। नया प्रस्थान: {time}।"
            rules:
              - id: flight-delay-mail
                match: {type: [airline.flight.delayed]}
                for_each: $.data.passengers
                recipient: {address: "@.email", locale: "@.locale"}
                channels: [mail]
                template: flight_delay_mail
                params: {flight: $.data.flight, time: $.data.departure}
            """.write(to: rules.appendingPathComponent("mail.yaml"), atomically: true, encoding: .utf8)
        try """
            rules: rules
            endpoints:
              mail:
                kind: smtp
                url: smtp://127.0.0.1:\(port)
                from: "Aurora Air <alerts@aurora-air.example>"
                username: herald
                password: env:SMTP_PASSWORD
                insecure: true
                retry: {attempts: \(attempts)}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let list = passengers.map { #"{"email":"\#($0.email)","locale":"\#($0.locale)"}"# }.joined(separator: ",")
        try #"{"id":"evt-mail-1","type":"airline.flight.delayed","data":{"flight":"XH 417","departure":"14:25","passengers":[\#(list)]}}"#
            .write(to: folder.appendingPathComponent("event.json"), atomically: true, encoding: .utf8)
        return folder
    }

    func send(in folder: URL) throws -> HeraldProcess.Output {
        try HeraldProcess.run(["send", "--config", "herald.yaml", "event.json"], in: folder, environment: ["SMTP_PASSWORD": Self.password])
    }

    @Test func printsTheDecodedUTF8MailWithTheAddressMasked() throws {
        let sink = try RunningSink(smtp: true)
        #expect(sink.smtpPort > 0)
        let folder = try workspace(port: sink.smtpPort, attempts: 1,
                                   passengers: [("ana@example.com.br", "pt-BR"), ("priya@example.in", "hi")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try send(in: folder)
        let printed = sink.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.lines == [
            "event evt-mail-1: flight-delay-mail → a•••@example.com.br: delivered via mail (<evt-mail-1/flight-delay-mail/0@herald>), 1 attempt, delivery evt-mail-1/flight-delay-mail/0",
            "event evt-mail-1: flight-delay-mail → p•••@example.in: delivered via mail (<evt-mail-1/flight-delay-mail/1@herald>), 1 attempt, delivery evt-mail-1/flight-delay-mail/1",
        ])
        #expect(printed.stdout == [
            "email → a•••@example.com.br (auth as herald): Vôo atrasado: XH 417 — Vôo atrasado: XH 417. Nova partida às 14:25, ação necessária.",
            "email → p•••@example.in (auth as herald): उड़ान XH 417 में देरी है। नया प्रस्थान: 14:25। — उड़ान XH 417 में देरी है। नया प्रस्थान: 14:25।",
        ])
        #expect(!printed.stdout.joined().contains("ana@") && !printed.stdout.joined().contains("priya@"), "addresses are masked")
        #expect(!(printed.stdout + printed.stderr).joined().contains(Self.password), "the password is never printed")
        #expect(printed.stderr.isEmpty, "\(printed.stderr)")
    }

    @Test func jsonLinesCarryTheSubjectDeliveryAndQueueID() throws {
        let sink = try RunningSink(["--json"], smtp: true)
        let folder = try workspace(port: sink.smtpPort, attempts: 1, passengers: [("ana@example.com.br", "pt-BR")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try send(in: folder)
        let printed = sink.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(printed.stdout.count == 1)
        let line = try #require(printed.stdout.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "email")
        #expect(object["to"] as? String == "a•••@example.com.br")
        #expect(object["subject"] as? String == "Vôo atrasado: XH 417")
        #expect(object["text"] as? String == "Vôo atrasado: XH 417. Nova partida às 14:25, ação necessária.")
        #expect(object["delivery"] as? String == "evt-mail-1/flight-delay-mail/0", "from Herald's Message-ID")
        #expect(object["provider_id"] as? String == "0000000001")
        #expect(object["login"] as? String == "herald")
        #expect(!line.contains(Self.password))
    }

    /// A 4xx --status stands for a refusal that will not change: 550 5.1.1, not retried.
    @Test func aPermanentFaultIsA550ThatSendDoesNotRetry() throws {
        let sink = try RunningSink(["--status", "400"], smtp: true)
        let folder = try workspace(port: sink.smtpPort, attempts: 3, passengers: [("ana@example.com.br", "pt-BR")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try send(in: folder)
        let printed = sink.stop()
        #expect(output.status == 1)
        let line = try #require(output.lines.first)
        #expect(line.hasPrefix("event evt-mail-1: flight-delay-mail → a•••@example.com.br: FAILED after 1 attempt: mail: permanent failure: code 550"), "\(line)")
        #expect(line.contains("SMTP server replied 550"), "\(line)")
        #expect(printed.stdout.isEmpty, "a refused message never reached the customer")
        #expect(printed.stderr == ["herald sink: email → a•••@example.com.br: injected SMTP 550 (for HTTP 400)"])
    }

    /// A 5xx (or 429) --status stands for a passing trouble: 451 4.3.0, retried until attempts run out.
    @Test func aTransientFaultIsA451ThatSendRetries() throws {
        let sink = try RunningSink(["--status", "503"], smtp: true)
        let folder = try workspace(port: sink.smtpPort, attempts: 2, passengers: [("priya@example.in", "hi")])
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try send(in: folder)
        let printed = sink.stop()
        #expect(output.status == 1)
        let line = try #require(output.lines.first)
        #expect(line.hasPrefix("event evt-mail-1: flight-delay-mail → p•••@example.in: FAILED after 2 attempts: mail: retries exhausted: code 451"), "\(line)")
        #expect(line.contains("SMTP server replied 451"), "\(line)")
        #expect(printed.stdout.isEmpty)
        #expect(printed.stderr == Array(repeating: "herald sink: email → p•••@example.in: injected SMTP 451 (for HTTP 503)", count: 2))
    }

    /// An over-long line, a message over the size limit and a declared SIZE over it are refused
    /// with an error reply; the same connection, and a new one, are still served.
    @Test func aHostileClientGetsErrorRepliesAndTheSinkKeepsServing() throws {
        let sink = try RunningSink(smtp: true)
        let client = try SMTPClient(port: sink.smtpPort)
        #expect(try client.reply().hasPrefix("220 "))

        try client.send(String(repeating: "X", count: 100_000) + "\r\n")
        #expect(try client.reply() == "500 5.5.2 Line too long: at most 4096 bytes")

        try client.send("EHLO hostile.example\r\n")
        let ehlo = try client.reply(multiline: true)
        #expect(ehlo.contains("250-8BITMIME") && ehlo.contains("250-SIZE 1048576") && ehlo.contains("250-AUTH PLAIN LOGIN"), "\(ehlo)")

        try client.send("MAIL FROM:<a@example.com> SIZE=5000000\r\n")
        #expect(try client.reply() == "552 5.3.4 Message size exceeds fixed limit of 1048576 bytes")

        try client.send("MAIL FROM:<a@example.com>\r\n")
        #expect(try client.reply() == "250 2.1.0 OK")
        try client.send("RCPT TO:<ravi@example.com>\r\n")
        #expect(try client.reply() == "250 2.1.5 OK")
        try client.send("DATA\r\n")
        #expect(try client.reply().hasPrefix("354 "))
        let line = String(repeating: "y", count: 998) + "\r\n"
        try client.send(String(repeating: line, count: 1100) + ".\r\n")
        #expect(try client.reply() == "552 5.3.4 Message size exceeds fixed limit of 1048576 bytes")

        try client.send("NOPE\r\n")
        #expect(try client.reply() == "500 5.5.2 Command not recognized")
        try client.send("STARTTLS\r\n")
        #expect(try client.reply().hasPrefix("502 5.5.1 "))

        // The same connection still takes a message: Q-encoded subject, quoted-printable body, a stuffed dot.
        try client.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<ravi@example.com>\r\nDATA\r\n")
        #expect(try client.reply() == "250 2.1.0 OK")
        #expect(try client.reply() == "250 2.1.5 OK")
        #expect(try client.reply().hasPrefix("354 "))
        try client.send("""
            Subject: =?UTF-8?Q?V=C3=B4o_atrasado?= =?UTF-8?Q?_=E2=80=94_XH_417?=\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Nova partida =C3=A0s 14:25, a=\r
            =C3=A7=C3=A3o necess=C3=A1ria.\r
            ..\r
            .\r

            """)
        #expect(try client.reply().hasPrefix("250 2.0.0 OK queued as "))
        try client.send("QUIT\r\n")
        #expect(try client.reply().hasPrefix("221 "))

        let another = try SMTPClient(port: sink.smtpPort)
        #expect(try another.reply().hasPrefix("220 "))
        try another.send("NOOP\r\n")
        #expect(try another.reply() == "250 2.0.0 OK")

        let printed = sink.stop()
        #expect(printed.stdout == [
            "email → r•••@example.com: Vôo atrasado — XH 417 — Nova partida às 14:25, ação necessária.",
            "    .",
        ])
        #expect(printed.stderr.isEmpty, "\(printed.stderr)")
    }

    /// What other mail libraries send: AUTH LOGIN step by step, a multipart message whose plain
    /// part is Base64, an ISO-8859-1 subject, and two recipients (one line each).
    @Test func aMultipartMessageShowsItsPlainTextPartToEachRecipient() throws {
        let sink = try RunningSink(["--json"], smtp: true)
        let client = try SMTPClient(port: sink.smtpPort)
        #expect(try client.reply().hasPrefix("220 "))
        try client.send("EHLO client.example\r\n")
        _ = try client.reply(multiline: true)
        try client.send("AUTH LOGIN\r\n")
        #expect(try client.reply() == "334 VXNlcm5hbWU6")
        try client.send("\(Data("ops".utf8).base64EncodedString())\r\n")
        #expect(try client.reply() == "334 UGFzc3dvcmQ6")
        try client.send("\(Data(Self.password.utf8).base64EncodedString())\r\n")
        #expect(try client.reply().hasPrefix("235 "))
        try client.send("MAIL FROM:<ops@example.com> BODY=8BITMIME\r\nRCPT TO:<ravi@example.com>\r\nRCPT TO:<sita@example.org>\r\nDATA\r\n")
        #expect(try client.reply() == "250 2.1.0 OK")
        #expect(try client.reply() == "250 2.1.5 OK")
        #expect(try client.reply() == "250 2.1.5 OK")
        #expect(try client.reply().hasPrefix("354 "))
        let plain = Data("नमस्ते! Gate B12.\r\n".utf8).base64EncodedString()
        try client.send("""
            Subject: =?ISO-8859-1?Q?Atualiza=E7=E3o?= do voo\r
            X-Herald-Delivery: evt-9/gate-change\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative; boundary="b;1"\r
            \r
            preamble\r
            --b;1\r
            Content-Type: text/plain; charset="UTF-8"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(plain)\r
            --b;1\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>ignored</p>\r
            --b;1--\r
            .\r

            """)
        #expect(try client.reply() == "250 2.0.0 OK queued as 0000000001")
        let printed = sink.stop()
        #expect(printed.stdout.count == 2, "\(printed.stdout)")
        let objects = try printed.stdout.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["to"] as? String } == ["r•••@example.com", "s•••@example.org"])
        for object in objects {
            #expect(object["subject"] as? String == "Atualização do voo")
            #expect(object["text"] as? String == "नमस्ते! Gate B12.")
            #expect(object["delivery"] as? String == "evt-9/gate-change")
            #expect(object["login"] as? String == "ops")
        }
        #expect(!(printed.stdout + printed.stderr).joined().contains(Self.password))
    }

    @Test func aBadSMTPAddressIsAUsageError() throws {
        let output = try HeraldProcess.run(["sink", "--smtp-listen", "localhost"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--smtp-listen must be HOST:PORT"), "\(output.stderr)")
    }
}

/// A plain TCP client speaking SMTP by hand, for what libcurl would never send.
final class SMTPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32
    private var buffered: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        // A safety net so that a broken server fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit {
        close(descriptor)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += count
        }
    }

    /// The next reply line without its CRLF; with `multiline`, every line of a `250-…` reply, joined by newlines.
    func reply(multiline: Bool = false) throws -> String {
        var lines: [String] = []
        repeat {
            lines.append(try line())
        } while multiline && lines.last.map { $0.count > 3 && $0.dropFirst(3).first == "-" } == true
        return lines.joined(separator: "\n")
    }

    private func line() throws -> String {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                var line = Array(buffered[..<newline])
                buffered.removeSubrange(...newline)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { throw Failure(description: "the server closed the connection or did not answer (errno \(errno))") }
            buffered += chunk[..<count]
        }
    }
}
