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
}
