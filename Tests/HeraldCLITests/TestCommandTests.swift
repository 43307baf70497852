import Foundation
import HeraldCore
import Testing

/// `herald test`, the dry run, as a real process on the sample rules and events.
@Suite struct TestCommandTests {
    static let config = ["--config", "samples/herald.yaml"]

    func runJSON(_ files: [String], stdin: String? = nil) throws -> (status: Int32, events: [JSONValue], stderr: String) {
        let output = try HeraldProcess.run(["test"] + Self.config + ["--json"] + files, stdin: stdin)
        let events = try output.lines.map { try JSONParser.parse($0) }
        return (output.status, events, output.stderr)
    }

    @Test func aFraudEventProducesOneMessageInTheCustomersLanguage() throws {
        let result = try runJSON(["samples/events/card-fraud-in.json"])
        #expect(result.status == 0)
        #expect(result.events.count == 1)
        let event = try #require(result.events.first)
        #expect(event["event"] == "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A")
        #expect(event["matched"] == ["card-fraud-check"])
        let message = try #require(event["messages"]?[0])
        #expect(message["rule"] == "card-fraud-check")
        #expect(message["recipient"]?["address"] == "+919876543210")
        #expect(message["recipient"]?["locale"] == "hi-IN")
        #expect(message["locale"] == "hi")
        #expect(message["locale_fallback"] == "hi-IN → hi")
        #expect(message["channels"] == ["whatsapp", "sms"])
        #expect(message["params"]?["amount"]?["currency"] == "INR")
        #expect(message["params"]?["last4"] == "4821")
        #expect(message["formatting_locale"] == "hi-IN")
        #expect(message["text"] == "आपके कार्ड (अंतिम अंक 4821) से Croma Electronics पर ₹48,999.00 का भुगतान हुआ है। क्या यह भुगतान आपने किया था?")
        // The SMS carries the reply instruction ("…HAAN…NAHIN…") after the text: 185 units, 3 parts.
        #expect(message["lengths"]?["sms"] == ["length": 185, "encoding": "UCS-2", "segments": 3])
        // WhatsApp gets the approved template, not this text: no text limit applies there.
        #expect(message["lengths"]?["whatsapp"] == ["length": 109])
        #expect(message["buttons"] == [["id": "confirm", "title": "हाँ, मैंने किया"], ["id": "block", "title": "नहीं, कार्ड रोकें"]])
        #expect(message["whatsapp_template"] == [
            "name": "aurora_card_fraud_check", "language": "hi", "parameters": ["Croma Electronics", "₹48,999.00", "4821"],
        ])
    }

    /// Money follows the reader's locale: an en-IN reader of the en text gets Indian grouping.
    @Test func moneyUsesTheRecipientsGrouping() throws {
        let event = #"{"id":"e1","type":"bank.card.transaction.flagged","data":{"risk_score":0.9,"country":"IN","amount":1234567.89,"currency":"INR","merchant":{"name":"Tanishq"},"card":{"last4":"1111"},"customer":{"phone":"+919800000000","locale":"en_IN","timezone":"Asia/Kolkata"}}}"#
        let result = try runJSON(["-"], stdin: event)
        let message = try #require(result.events.first?["messages"]?[0])
        #expect(message["locale"] == "en")
        #expect(message["formatting_locale"] == "en-IN")
        #expect(message["text"] == "Tanishq charged ₹12,34,567.89 to your card ending 1111. Was this you?")
        #expect(message["lengths"]?["sms"]?["encoding"] == "UCS-2")
    }

    /// A plural picks the CLDR category of the recipient's language; dates follow the departure zone.
    @Test func delayNoticesCountMinutesInEachLanguage() throws {
        let result = try runJSON(["samples/events/flight-delay.json"])
        guard case .array(let messages)? = result.events.first?["messages"] else { Issue.record("no messages"); return }
        let texts = messages.compactMap { $0["text"]?.stringValue }
        #expect(texts.count == 3)
        #expect(texts[0].contains("ditunda 95 menit"))
        #expect(texts[0].contains("14 Mar 2025, 21.25"))
        #expect(texts[2].contains("atrasado em 95 minutos"))
        #expect(texts[2].contains("14 de mar. de 2025, 21:25"))
    }

    @Test func eventsThatMustNotMatchMatchNothing() throws {
        let result = try runJSON(["samples/events/card-low-risk.json", "samples/events/card-brazil.json", "samples/events/unrelated.json"])
        #expect(result.status == 0)
        #expect(result.events.count == 3)
        for event in result.events {
            #expect(event["matched"] == [])
            #expect(event["messages"] == [])
        }
    }

    @Test func aDelayFansOutToEveryPassenger() throws {
        let result = try runJSON(["samples/events/flight-delay.json"])
        let event = try #require(result.events.first)
        #expect(event["matched"] == ["flight-delay-notice"])
        guard case .array(let messages)? = event["messages"] else { Issue.record("no messages"); return }
        #expect(messages.count == 3)
        #expect(messages.map { $0["element"] } == [0, 1, 2])
        #expect(messages.map { $0["locale"] } == ["id", "hi", "pt-BR"])
        // @.name addresses each passenger; $.data… stays the event's.
        #expect(messages.map { $0["params"]?["name"] } == ["Budi Santoso", "Priya Sharma", "Ana Beatriz Souza"])
        #expect(Set(messages.map { $0["params"]?["flight"] }) == ["XH 417"])
    }

    @Test func jsonLinesGiveOneLinePerEventInOrder() throws {
        let result = try runJSON(["samples/events/mixed.jsonl"])
        #expect(result.status == 0)
        #expect(result.events.count == 11)
        #expect(result.events.map { $0["matched"]?[0]?.stringValue ?? "-" } == [
            "card-fraud-check", "-", "card-fraud-check", "-", "large-cash-withdrawal", "-", "-",
            "flight-delay-notice", "-", "-", "-",
        ])
    }

    @Test func anInvalidEventIsLocatedAndTheOthersStillRun() throws {
        let output = try HeraldProcess.run(["test"] + Self.config + ["--json", "samples/broken/events/not-json.jsonl"])
        #expect(output.status == 1)
        let lines = try output.lines.map { try JSONParser.parse($0) }
        #expect(lines.count == 3)
        #expect(lines[1]["event"] == "samples/broken/events/not-json.jsonl#1")
        let error = try #require(lines[1]["error"]?.stringValue)
        #expect(error.hasPrefix("samples/broken/events/not-json.jsonl:2:134: "))
        #expect(lines[0]["matched"] == [])
        #expect(lines[2]["event"] == "evt-01JPD0K0M1N2P3Q4R5S6T7U8V9")
    }

    @Test func textOutputNamesRulesRecipientsAndLocales() throws {
        let output = try HeraldProcess.run(["test"] + Self.config + ["samples/events/card-fraud-pt.json"])
        #expect(output.status == 0)
        #expect(output.lines == [
            "event evt-01JPBY2D8F0H4J6K8M1N3P5Q7R (samples/events/card-fraud-pt.json#0): matched card-fraud-check",
            "  card-fraud-check → +5511912345678 via whatsapp, sms",
            "    template card_fraud_check, locale pt-BR, time zone America/Sao_Paulo",
            "    merchant = \"El Corte Inglés Lisboa\"",
            "    amount = {\"money\":1249.90,\"currency\":\"EUR\"}",
            "    last4 = \"0537\"",
            // CLDR pt-BR puts a no-break space between the symbol and the amount.
            "    text: El Corte Inglés Lisboa cobrou €\u{00A0}1.249,90 no seu cartão final 0537. Foi você?",
            "    whatsapp: 76 characters",
            // 'ç', 'ê' and the no-break space are not GSM-7; with the reply instruction the SMS is 132 UCS-2 units, two parts.
            "    sms: 132 UCS-2 units, 2 parts",
            "    buttons: [Sim, fui eu] [Não, bloquear cartão]",
            "    whatsapp template: aurora_card_fraud_check (pt_BR): El Corte Inglés Lisboa | €\u{00A0}1.249,90 | 0537",
        ])
    }

    @Test func readsStdinAndArraysAndNamesEventsWithoutAnId() throws {
        let stdin = #"[{"type":"bank.card.transaction.flagged","data":{"risk_score":0.9,"country":"IN","customer":{"phone":"+911234567890"}}}, {"type":"x"}]"#
        let result = try runJSON(["-"], stdin: stdin)
        #expect(result.status == 1, "the first event's message lacks params")
        #expect(result.events.count == 2)
        #expect(result.events[0]["event"] == "stdin#0")
        #expect(result.events[0]["matched"] == ["card-fraud-check"])
        // Params missing from the event are reported, not invented.
        let problems = result.events[0]["messages"]?[0]?["problems"]
        #expect(problems?[0]?.stringValue?.contains("param 'merchant'") == true)
        #expect(result.events[1]["event"] == "stdin#1")
        #expect(result.events[1]["matched"] == [])
    }

    @Test func brokenRulesStopTheDryRun() throws {
        let output = try HeraldProcess.run(["test", "--config", "samples/broken/herald.yaml", "samples/events/card-fraud-in.json"])
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("samples/broken/rules/bank.yaml:31:5: error: unknown key 'tempalte'"))
        #expect(output.stderr.contains("run 'herald check' for details"))
    }

    /// An endpoint's max_length turns an over-long render into a problem naming rule, locale and length.
    @Test func overLongTextsAreReportedAgainstTheEndpointsMaximum() throws {
        let folder = try HeraldProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = HeraldProcess.packageRoot.appendingPathComponent("rules").path
        try """
            rules: \(rules)
            endpoints:
              whatsapp: {kind: whatsapp, url: "http://127.0.0.1:9911/messages", token: "env:WHATSAPP_TOKEN"}
              sms: {kind: twilio, url: "http://127.0.0.1:9911/Messages.json", account: AC1, token: "env:TWILIO_AUTH_TOKEN", from: "+15005550006", max_length: 70}
              bank-callback: {kind: webhook, url: "http://127.0.0.1:9911/bank/fraud-replies"}
            """.write(to: folder.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let event = HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json").path
        let output = try HeraldProcess.run(["test", "--config", "herald.yaml", "--json", event], in: folder)
        #expect(output.status == 1, "a message with a problem fails the dry run")
        let message = try #require(try JSONParser.parse(output.stdout)["messages"]?[0])
        #expect(message["lengths"]?["sms"]?["max_length"] == 70)
        #expect(message["problems"] == ["rule card-fraud-check, locale hi: text is 185 UCS-2 units long, over the maximum of 70 for endpoint 'sms'"])
    }

    /// `--json` shows each channel's exact request, with secrets masked and never read.
    @Test func jsonShowsTheExactRequestsWithSecretsMasked() throws {
        let output = try HeraldProcess.run(["test", "--config", "samples/herald.yaml", "--json", "samples/events/card-fraud-in.json"],
                                           environment: ["WHATSAPP_TOKEN": "real-wa-secret", "TWILIO_AUTH_TOKEN": "real-tw-secret"])
        #expect(output.status == 0)
        #expect(!output.stdout.contains("real-wa-secret") && !output.stdout.contains("real-tw-secret"))
        let requests = try #require(try JSONParser.parse(output.stdout)["messages"]?[0]?["requests"])
        #expect(requests[0]?["channel"] == "whatsapp")
        #expect(requests[0]?["url"] == "http://127.0.0.1:9911/v23.0/1234567890/messages")
        #expect(requests[0]?["headers"]?["Authorization"] == "Bearer ***")
        #expect(requests[0]?["headers"]?["X-Herald-Delivery"] == "evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check")
        #expect(requests[0]?["body"]?["to"] == "919876543210")
        // The approved template with its body filled for the reader, and each button's reply reference.
        #expect(requests[0]?["body"]?["type"] == "template")
        #expect(requests[0]?["body"]?["template"]?["name"] == "aurora_card_fraud_check")
        #expect(requests[0]?["body"]?["template"]?["language"] == ["code": "hi"])
        #expect(requests[0]?["body"]?["template"]?["components"]?[0] == [
            "type": "body",
            "parameters": [["type": "text", "text": "Croma Electronics"], ["type": "text", "text": "₹48,999.00"], ["type": "text", "text": "4821"]],
        ])
        #expect(requests[0]?["body"]?["template"]?["components"]?[2] == [
            "type": "button", "sub_type": "quick_reply", "index": "1",
            "parameters": [["type": "payload", "payload": "block:evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check"]],
        ])
        #expect(requests[1]?["channel"] == "sms")
        #expect(requests[1]?["headers"]?["Authorization"] == "Basic ***")
        #expect(requests[1]?["body"]?.stringValue?.hasPrefix("To=%2B919876543210&From=%2B15005550006&Body=") == true)
    }

    /// `--json` shows what `herald serve` decides for each message besides its text: the address
    /// it is kept under (for pacing, opt-outs and replies), urgent or not, when it expires, its
    /// dedupe key and window, and the opt-out category that silences it.
    @Test func jsonShowsWhatServeDecidesForEachMessage() throws {
        let fraud = try String(contentsOf: HeraldProcess.packageRoot.appendingPathComponent("samples/events/card-fraud-in.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"+919876543210\"", with: "\"+91 98765-43210\"")
        let before = Date()
        let result = try runJSON(["-", "samples/events/flight-delay.json"], stdin: fraud)
        let after = Date()
        #expect(result.status == 0, "\(result.stderr)")

        let check = try #require(result.events.first?["messages"]?[0]?["delivery"])
        #expect(check["address"] == "+919876543210")
        #expect(check["urgent"] == true)
        #expect(check["dedupe"] == ["key": .string("card-fraud-check\u{1F}+919876543210\u{1F}\"txn-IN-20250314-004218\""), "window_seconds": 86400])
        // A fraud rule is sent after an opt-out unless it says `respect_opt_out: true`.
        #expect(check["opt_out_category"] == .null)
        // `expires: 15m` counts from acceptance, which for a dry run is the moment it runs.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let expires = try #require(check["expires_at"]?.stringValue.flatMap { formatter.date(from: $0) })
        #expect(expires >= before.addingTimeInterval(900 - 0.001) && expires <= after.addingTimeInterval(900 + 0.001))

        let delay = try #require(result.events.last?["messages"]?[0]?["delivery"])
        #expect(delay["urgent"] == false)
        #expect(delay["opt_out_category"] == "service")
        #expect(delay["dedupe"]?["window_seconds"] == 86400)
        #expect(delay["dedupe"]?["key"]?.stringValue?.hasPrefix("flight-delay-notice\u{1F}") == true)
    }

    @Test func aMissingEventFileIsAUsageError() throws {
        let output = try HeraldProcess.run(["test"] + Self.config + ["samples/events/nope.json"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("cannot read event file 'samples/events/nope.json'"))
    }
}
