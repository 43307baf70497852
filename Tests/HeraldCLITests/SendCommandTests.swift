import Foundation
import Testing

/// `herald send` as a real process delivering through libcurl to a loopback stand-in for the
/// WhatsApp Cloud API and Twilio (a small Python HTTP server).
@Suite struct SendCommandTests {
    /// Answers like the providers: WhatsApp paths with a wamid (or error 131026 under /fail/),
    /// Twilio paths with a SID. Prints its port, then one line per request it receives.
    static let stub = #"""
    import http.server, json, sys
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            print(self.path, self.headers.get('Authorization'), self.headers.get('X-Herald-Delivery'), flush=True)
            if self.path.startswith('/fail/'):
                status, reply = 400, {"error": {"message": "Message undeliverable", "type": "OAuthException", "code": 131026, "fbtrace_id": "t"}}
            elif self.path.endswith('/messages'):
                status, reply = 200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.TEST"}]}
            else:
                status, reply = 201, {"sid": "SMTEST", "status": "queued"}
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    struct Stub {
        let process: Process
        let output: Pipe
        let port: Int

        init() throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", SendCommandTests.stub]
            output = Pipe()
            process.standardOutput = output
            try process.run()
            var line = [UInt8]()
            while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
            port = Int(String(decoding: line, as: UTF8.self)) ?? 0
        }

        func stop() -> [String] {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let rest = (try? output.fileHandleForReading.readToEnd()) ?? Data()
            return String(decoding: rest, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    func config(port: Int, whatsappPath: String, in folder: URL) throws {
        let rules = HeraldProcess.packageRoot.appendingPathComponent("rules").path
        try """
            rules: \(rules)
            endpoints:
              whatsapp: {kind: whatsapp, url: "http://127.0.0.1:\(port)\(whatsappPath)", token: "env:WHATSAPP_TOKEN", retry: {attempts: 1}}
              sms: {kind: twilio, url: "http://127.0.0.1:\(port)/2010-04-01/Accounts/AC1/Messages.json", account: AC1, token: "env:TWILIO_AUTH_TOKEN", from: "+15005550006"}
              bank-callback: {kind: webhook, url: "http://127.0.0.1:\(port)/bank/fraud-replies"}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
    }

    @Test func deliversThroughWhatsAppAndMasksThePhoneNumber() throws {
        let stub = try Stub()
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try config(port: stub.port, whatsappPath: "/v23.0/1234567890/messages", in: folder)
        let event = HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json").path
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", event], in: folder,
                                           environment: ["WHATSAPP_TOKEN": "wa-secret", "TWILIO_AUTH_TOKEN": "tw-secret"])
        let received = stub.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.lines == [
            "event evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A: card-fraud-check → +91•••••••210: delivered via whatsapp (wamid.TEST), 1 attempt, delivery evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check",
        ])
        #expect(received == ["/v23.0/1234567890/messages Bearer wa-secret evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check"])
        #expect(!output.stdout.contains("wa-secret") && !output.stderr.contains("wa-secret"))
    }

    @Test func anUndeliverableWhatsAppNumberFailsOverToSMS() throws {
        let stub = try Stub()
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try config(port: stub.port, whatsappPath: "/fail/v23.0/1234567890/messages", in: folder)
        let event = HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json").path
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", event], in: folder,
                                           environment: ["WHATSAPP_TOKEN": "wa-secret", "TWILIO_AUTH_TOKEN": "tw-secret"])
        let received = stub.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.lines.first?.hasSuffix("delivered via sms (SMTEST), 2 attempts, delivery evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check") == true, "\(output.lines)")
        #expect(output.lines.dropFirst().first?.contains("gave up on whatsapp: permanent failure: HTTP 400, code 131026") == true, "\(output.lines)")
        #expect(received.count == 2)
    }

    @Test func aMissingSecretFailsEveryChannelAndSaysWhich() throws {
        let stub = try Stub()
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try config(port: stub.port, whatsappPath: "/v23.0/1234567890/messages", in: folder)
        let event = HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json").path
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", event], in: folder, environment: [:])
        let received = stub.stop()
        #expect(output.status == 1)
        #expect(received.isEmpty, "nothing is sent without credentials")
        #expect(output.stdout.contains("FAILED after 0 attempts"))
        #expect(output.stdout.contains("env:TWILIO_AUTH_TOKEN"))
    }

    /// Quiet hours and pacing hold non-urgent messages as `herald serve` does; with no outbox to
    /// wait in, `herald send` reports them held, sends nothing for them, and exits 3.
    @Test func quietHoursAndPacingHoldNonUrgentMessagesAndExit3() throws {
        let stub = try Stub()
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Quiet hours around the present moment in UTC: now in UTC is quiet, in Kolkata (+5:30) it is not.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let hour = utc.component(.hour, from: Date())
        let from = String(format: "%02d:00", (hour + 23) % 24), to = String(format: "%02d:00", (hour + 2) % 24)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try """
            templates:
              notice: {default_locale: en, text: {en: "Your flight {flight} is delayed."}}
            rules:
              - id: notice
                match: {type: [airline.flight.delayed]}
                recipient: {address: $.data.phone, timezone: $.data.timezone}
                channels: [whatsapp]
                template: notice
                params: {flight: $.data.flight}
              - id: urgent-notice
                match: {type: [airline.flight.cancelled]}
                recipient: {address: $.data.phone, timezone: $.data.timezone}
                channels: [whatsapp]
                template: notice
                params: {flight: $.data.flight}
                urgent: true
            """.write(to: folder.appendingPathComponent("rules/airline.yaml"), atomically: true, encoding: .utf8)
        try """
            rules: rules
            endpoints:
              whatsapp: {kind: whatsapp, url: "http://127.0.0.1:\(stub.port)/v23.0/1234567890/messages", token: "env:WHATSAPP_TOKEN", retry: {attempts: 1}}
            protection: {quiet_hours: {from: "\(from)", to: "\(to)"}, pacing: 1/h}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        func event(_ id: String, _ type: String, phone: String, timezone: String) -> String {
            #"{"id":"\#(id)","type":"airline.flight.\#(type)","data":{"phone":"\#(phone)","timezone":"\#(timezone)","flight":"XH 417"}}"#
        }
        try [event("q-utc", "delayed", phone: "+919800000001", timezone: "UTC"),
             event("q-ist", "delayed", phone: "+919800000002", timezone: "Asia/Kolkata"),
             event("p-ist", "delayed", phone: "+919800000002", timezone: "Asia/Kolkata"),
             event("u-utc", "cancelled", phone: "+919800000001", timezone: "UTC")]
            .joined(separator: "\n").write(to: folder.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", "events.jsonl"], in: folder, environment: ["WHATSAPP_TOKEN": "wa-secret"])
        let received = stub.stop()
        #expect(output.status == 3, "\(output.stdout)\(output.stderr)")
        #expect(output.lines.count == 4, "\(output.lines)")
        let line = { (id: String) in output.lines.first { $0.hasPrefix("event \(id):") } ?? "" }
        #expect(line("q-utc").hasPrefix("event q-utc: notice → +91•••••••001: held: quiet hours (\(from)–\(to), UTC) until "), "\(line("q-utc"))")
        #expect(line("q-utc").hasSuffix(", not sent, delivery q-utc/notice"), "\(line("q-utc"))")
        #expect(line("q-ist").contains("delivered via whatsapp"), "outside quiet hours in Kolkata")
        #expect(line("p-ist").contains("held: pacing: 1 messages per"), "the second to the same recipient this run: \(line("p-ist"))")
        #expect(line("u-utc").contains("delivered via whatsapp"), "urgent messages skip quiet hours")
        #expect(received.map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["q-ist/notice", "u-utc/urgent-notice"])
    }
}
