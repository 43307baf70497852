import Foundation
import Testing

/// `herald sink` as a real process, with `herald send` delivering to it through libcurl.
@Suite struct SinkCommandTests {
    static let event = HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json").path
    static let secrets = ["WHATSAPP_TOKEN": "wa-secret", "TWILIO_AUTH_TOKEN": "tw-secret"]

    func config(whatsapp: Int, sms: Int, attempts: Int, in folder: URL) throws {
        let rules = HeraldProcess.packageRoot.appendingPathComponent("rules").path
        try """
            rules: \(rules)
            endpoints:
              whatsapp: {kind: whatsapp, url: "http://127.0.0.1:\(whatsapp)/v23.0/1234567890/messages", token: "env:WHATSAPP_TOKEN", retry: {attempts: \(attempts)}}
              sms: {kind: twilio, url: "http://127.0.0.1:\(sms)/2010-04-01/Accounts/AC1/Messages.json", account: AC1, token: "env:TWILIO_AUTH_TOKEN", from: "+15005550006"}
              bank-callback: {kind: webhook, url: "http://127.0.0.1:\(sms)/bank/fraud-replies"}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
    }

    @Test func printsWhatTheCustomerSeesAndAnswersWithAWamid() throws {
        let sink = try RunningSink()
        #expect(sink.port > 0)
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try config(whatsapp: sink.port, sms: sink.port, attempts: 1, in: folder)
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", Self.event], in: folder, environment: Self.secrets)
        let printed = sink.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.lines == [
            "event evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A: card-fraud-check → +91•••••••210: delivered via whatsapp (wamid.1), 1 attempt, delivery evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check",
        ])
        // The fraud prompt goes out as the approved template, filled in Hindi, with its two quick replies.
        #expect(printed.stdout == [
            "whatsapp → +91•••••••210: template aurora_card_fraud_check (hi): Croma Electronics | ₹48,999.00 | 4821",
            "    [confirm] [block]",
        ])
        #expect(printed.stderr.isEmpty, "\(printed.stderr)")
    }

    /// `--json` lines say when the sink took each message in, so a test can measure the rate at
    /// which messages arrive.
    @Test func jsonLinesSayWhenTheMessageArrived() throws {
        let sink = try RunningSink(["--json"])
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try config(whatsapp: sink.port, sms: sink.port, attempts: 1, in: folder)
        let before = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", Self.event], in: folder, environment: Self.secrets)
        let after = Int64((Date().timeIntervalSince1970 * 1000).rounded(.up))
        let printed = sink.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let line = try #require(printed.stdout.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let receivedAt = try #require((object["received_at"] as? NSNumber)?.int64Value, "\(line)")
        #expect((before...after).contains(receivedAt), "received at \(receivedAt), sent between \(before) and \(after)")
        #expect(object["delivery"] as? String == "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check")
    }

    /// Without a WhatsApp template, buttons go out as an interactive message the customer taps.
    @Test func buttonsWithoutATemplateArriveAsAnInteractiveMessage() throws {
        let sink = try RunningSink()
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        try """
            templates:
              gate_change:
                default_locale: en
                text: {en: "Flight {flight} now leaves from gate {gate}. Need help?", pt-BR: "O voo {flight} agora sai do portão {gate}. Precisa de ajuda?"}
                buttons:
                  - {id: ok, text: {en: "All good", pt-BR: "Tudo certo"}}
                  - {id: call-me, text: {en: "Call me", pt-BR: "Me ligue"}}
            rules:
              - id: gate-change
                match: {type: [airline.gate.changed]}
                recipient: {address: $.data.phone, locale: $.data.locale}
                channels: [whatsapp]
                template: gate_change
                params: {flight: $.data.flight, gate: $.data.gate}
            """.write(to: folder.appendingPathComponent("rules/gates.yaml"), atomically: true, encoding: .utf8)
        try """
            rules: rules
            endpoints:
              whatsapp: {kind: whatsapp, url: "http://127.0.0.1:\(sink.port)/v23.0/1234567890/messages", token: "env:WHATSAPP_TOKEN"}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let event = #"{"id":"g-1","type":"airline.gate.changed","data":{"phone":"+5511912345678","locale":"pt-BR","flight":"LA3301","gate":"B12"}}"#
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", "-"], in: folder, stdin: event, environment: Self.secrets)
        let printed = sink.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(printed.stdout == [
            "whatsapp → +55••••••••678: O voo LA3301 agora sai do portão B12. Precisa de ajuda?",
            "    [Tudo certo] [Me ligue]",
        ])
    }

    @Test func aThrottledWhatsAppSinkMakesSendRetryThenFailOverToSMS() throws {
        let throttled = try RunningSink(["--status", "429", "--retry-after", "1"])
        let sms = try RunningSink(["--json"])
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try config(whatsapp: throttled.port, sms: sms.port, attempts: 2, in: folder)
        let started = Date()
        let output = try HeraldProcess.run(["send", "--config", "herald.yaml", Self.event], in: folder, environment: Self.secrets)
        let elapsed = Date().timeIntervalSince(started)
        let refused = throttled.stop()
        let delivered = sms.stop()
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.lines.first?.hasSuffix("delivered via sms (SM00000000000000000000000000000001), 3 attempts, delivery evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check") == true, "\(output.lines)")
        #expect(output.lines.dropFirst().first?.contains("gave up on whatsapp") == true, "\(output.lines)")
        #expect(elapsed >= 1, "Retry-After: 1 is honoured before the second attempt")
        #expect(refused.stdout.isEmpty, "a refused message never reached the customer")
        #expect(refused.stderr == Array(repeating: "herald sink: whatsapp /v23.0/1234567890/messages: injected HTTP 429", count: 2))
        #expect(delivered.stdout.count == 1)
        let line = try #require(delivered.stdout.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "sms")
        #expect(object["to"] as? String == "+91•••••••210")
        #expect(object["delivery"] as? String == "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check")
        #expect((object["text"] as? String)?.isEmpty == false)
    }
}
