import Foundation
import Glibc
import HeraldDelivery
import Testing

/// Two-way conversations through the real server: Meta's handshake, signed webhooks, a tapped
/// button carried to the bank's callback, SMS keyword replies, and provider statuses.
@Suite(.serialized) struct ServeConversationTests {
    static let rules = """
        templates:
          fraud_check:
            default_locale: en
            text: {en: "{merchant} charged {amount}. Was this you?", pt-BR: "{merchant} cobrou {amount}. Foi você?"}
            buttons:
              - {id: confirm, text: {en: "Yes, it was me", pt-BR: "Sim, fui eu"}, keywords: {en: [YES, Y], pt-BR: [SIM, S]}}
              - {id: block, text: {en: "No, block my card", pt-BR: "Não, bloquear"}, keywords: {en: [NO, N], pt-BR: [NAO, N]}}
        rules:
          - id: fraud
            match: {type: [bank.card.transaction.flagged]}
            recipient: {address: $.data.customer.phone, locale: $.data.customer.locale}
            channels: [whatsapp, sms]
            template: fraud_check
            params: {merchant: $.data.merchant.name, amount: {money: $.data.amount, currency: $.data.currency}}
            category: fraud
            urgent: true
            on_reply: {endpoint: bank-callback}
        """

    static func event(_ id: String, phone: String = "+919876543210", locale: String = "en") -> String {
        #"{"id":"\#(id)","type":"bank.card.transaction.flagged","data":{"customer":{"phone":"\#(phone)","locale":"\#(locale)"},"merchant":{"name":"Croma"},"amount":48999,"currency":"INR"}}"#
    }

    static func whatsapp(_ value: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"1234567890"},\#(value)}}]}]}"#
    }

    static func signed(_ body: String, secret: String = "meta-app-secret") -> [String: String] {
        ["X-Hub-Signature-256": "sha256=" + HMACSHA256.hex(key: Array(secret.utf8), message: Array(body.utf8))]
    }

    @Test func metasHandshakeAnswersTheChallengeOnlyForTheVerifyToken() async throws {
        let setup = try ServeCommandTests.start(rules: Self.rules)
        let ok = try await setup.server.request("GET", "/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", key: nil)
        #expect(ok.status == 200 && ok.text == "1158201444")
        let wrong = try await setup.server.request("GET", "/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", key: nil)
        #expect(wrong.status == 403)
        _ = setup.stop()
    }

    @Test func aTappedButtonReachesTheBankSignedAndIsRecorded() async throws {
        let setup = try ServeCommandTests.start(sinkArguments: ["--json"], rules: Self.rules)
        let server = setup.server
        #expect(try await server.post("/v1/events", Self.event("evt-7")).status == 202)
        _ = try await server.poll("/v1/events/evt-7") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }

        // A Hindi title makes the body non-ASCII: the signature covers its UTF-8 bytes.
        let reply = Self.whatsapp(#""contacts":[{"profile":{"name":"Priya"},"wa_id":"919876543210"}],"messages":[{"from":"919876543210","id":"wamid.REPLY1","timestamp":"1764093000","context":{"from":"15550001111","id":"wamid.1"},"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"block:evt-7/fraud","title":"नहीं, कार्ड रोकें"}}}]"#)
        let forged = try await server.post("/v1/webhooks/whatsapp", reply, key: nil, headers: Self.signed(reply, secret: "guess"))
        #expect(forged.status == 401)
        let missing = try await server.post("/v1/webhooks/whatsapp", reply, key: nil)
        #expect(missing.status == 401)
        let tampered = try await server.post("/v1/webhooks/whatsapp", reply.replacingOccurrences(of: "block:", with: "confirm:"), key: nil, headers: Self.signed(reply))
        #expect(tampered.status == 401, "a body changed after signing")
        let accepted = try await server.post("/v1/webhooks/whatsapp", reply, key: nil, headers: Self.signed(reply))
        #expect(accepted.status == 200, "\(accepted.text)")
        // Meta posts at least once: the same reply again changes nothing.
        #expect(try await server.post("/v1/webhooks/whatsapp", reply, key: nil, headers: Self.signed(reply)).status == 200)

        let record = try await server.poll("/v1/events/evt-7") { object in
            let deliveries = object["deliveries"] as? [[String: Any]] ?? []
            return deliveries.count == 2 && deliveries.allSatisfy { $0["status"] as? String == "delivered" }
        }
        let deliveries = try #require(record["deliveries"] as? [[String: Any]])
        let replies = try #require(deliveries.first?["replies"] as? [[String: Any]])
        #expect(replies.count == 1)
        #expect(replies.first?["kind"] as? String == "button" && replies.first?["button"] as? String == "block")
        #expect(deliveries.last?["id"] as? String == "evt-7/fraud/reply/wamid.REPLY1")
        #expect(deliveries.last?["delivered_via"] as? String == "bank-callback")

        let printed = setup.stop().sink
        let callbacks = printed.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["path"] as? String == "/bank/fraud-replies" }
        #expect(callbacks.count == 1, "\(printed)")
        #expect(callbacks.first?["signed"] as? Bool == true)
        #expect(callbacks.first?["delivery"] as? String == "evt-7/fraud/reply/wamid.REPLY1")
    }

    @Test func statusesMoveForwardAndDuplicatesAreIgnored() async throws {
        let setup = try ServeCommandTests.start(rules: Self.rules)
        let server = setup.server
        _ = try await server.post("/v1/events", Self.event("evt-8"))
        _ = try await server.poll("/v1/events/evt-8") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        func status(_ name: String, _ time: Int) -> String {
            Self.whatsapp(#""statuses":[{"id":"wamid.1","status":"\#(name)","timestamp":"\#(time)","recipient_id":"919876543210"}]"#)
        }
        for body in [status("delivered", 1764093001), status("read", 1764093005), status("sent", 1764093000), status("read", 1764093005)] {
            #expect(try await server.post("/v1/webhooks/whatsapp", body, key: nil, headers: Self.signed(body)).status == 200)
        }
        let delivery = (try await server.request("GET", "/v1/events/evt-8").object["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["provider_status"] as? String == "read")
        let statuses = delivery?["statuses"] as? [[String: Any]]
        #expect(statuses?.map { $0["status"] as? String } == ["delivered", "read", "sent"], "the repeated read is stored once")
        #expect(statuses?.map { $0["applied"] as? Bool } == [true, true, false], "a late sent after read is ignored")
        _ = setup.stop()
    }
}

/// SMS has no reply reference: a keyword answers the latest question to that number.
@Suite(.serialized) struct ServeSMSReplyTests {
    static func twilioSignature(url: String, params: [(String, String)], token: String) -> String {
        let data = url + params.sorted { $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        return Data(HMACSHA1.mac(key: Array(token.utf8), message: Array(data.utf8))).base64EncodedString()
    }

    static func form(_ params: [(String, String)]) -> String {
        params.map { name, value in
            let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
            return "\(name)=\(encoded)"
        }.joined(separator: "&")
    }

    @Test func aKeywordReplyBySMSAnswersTheLatestQuestion() async throws {
        let rules = ServeConversationTests.rules.replacingOccurrences(of: "channels: [whatsapp, sms]", with: "channels: [sms]")
        let setup = try ServeCommandTests.start(sinkArguments: ["--json"], rules: rules)
        let server = setup.server
        #expect(try await server.post("/v1/events", ServeConversationTests.event("evt-9", phone: "+55 11 91234-5678", locale: "pt-BR")).status == 202)
        _ = try await server.poll("/v1/events/evt-9") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }

        let params = [("AccountSid", "AC1"), ("Body", "Não"), ("From", "+5511912345678"), ("MessageSid", "SM9f0c1a"),
                      ("NumMedia", "0"), ("SmsStatus", "received"), ("To", "+15005550006")]
        let url = "\(server.baseURL)/v1/webhooks/twilio"
        let signature = Self.twilioSignature(url: url, params: params, token: "tw-secret")
        let forged = try await server.post("/v1/webhooks/twilio", Self.form(params), contentType: "application/x-www-form-urlencoded", key: nil,
                                           headers: ["X-Twilio-Signature": Self.twilioSignature(url: url, params: params, token: "guess")])
        #expect(forged.status == 401)
        let reply = try await server.post("/v1/webhooks/twilio", Self.form(params), contentType: "application/x-www-form-urlencoded", key: nil,
                                          headers: ["X-Twilio-Signature": signature])
        #expect(reply.status == 200, "\(reply.text) \(server.stderr.suffix(600))")
        #expect(reply.headers["content-type"]?.hasPrefix("text/xml") == true)

        let record = try await server.poll("/v1/events/evt-9") { (($0["deliveries"] as? [[String: Any]])?.count ?? 0) == 2 }
        let replies = (record["deliveries"] as? [[String: Any]])?.first?["replies"] as? [[String: Any]]
        #expect(replies?.first?["kind"] as? String == "keyword", "\(String(describing: replies))")
        #expect(replies?.first?["button"] as? String == "block", "'Não' is pt-BR's NAO, without the accent")
        _ = setup.stop()
    }
}

/// Customer protection through the real server: the same fraud case twice, and an opted-out number.
@Suite(.serialized) struct ServeProtectionTests {
    @Test func theSameTransactionTwiceWithDifferentEventIDsSendsOnce() async throws {
        let setup = try ServeCommandTests.start()
        let server = setup.server
        let first = ServeCommandTests.fraud(id: "dup-1")
        // The source system resends the same transaction under a new event id.
        let again = first.replacingOccurrences(of: "\"dup-1\"", with: "\"dup-2\"")
        #expect(try await server.post("/v1/events", first).status == 202)
        #expect(try await server.post("/v1/events", again).status == 202)
        let record = try await server.poll("/v1/events/dup-2") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "suppressed" }
        let delivery = (record["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["status"] as? String == "suppressed")
        #expect((delivery?["reason"] as? String)?.contains("duplicate of event 'dup-1'") == true, "\(String(describing: delivery))")
        _ = try await server.poll("/v1/events/dup-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let printed = setup.stop().sink
        #expect(printed.filter { $0.hasPrefix("whatsapp → ") }.count == 1, "\(printed)")
    }

    @Test func aSTOPBySMSSuppressesServiceMessagesButNotFraudPrompts() async throws {
        let rules = ServeConversationTests.rules.replacingOccurrences(of: "channels: [whatsapp, sms]", with: "channels: [sms]") + """

              - id: offer
                match: {type: [bank.offer]}
                recipient: {address: $.data.customer.phone}
                channels: [sms]
                template: offer
                category: marketing
            """
        let templates = rules.replacingOccurrences(of: "templates:\n", with: "templates:\n  offer: {default_locale: en, text: {en: \"A new card for you\"}}\n")
        let setup = try ServeCommandTests.start(rules: templates)
        let server = setup.server
        _ = try await server.post("/v1/events", ServeConversationTests.event("q-1", phone: "+5511912345678", locale: "pt-BR"))
        _ = try await server.poll("/v1/events/q-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let params = [("AccountSid", "AC1"), ("Body", "sair"), ("From", "+5511912345678"), ("MessageSid", "SMstop1"), ("SmsStatus", "received"), ("To", "+15005550006")]
        let url = "\(server.baseURL)/v1/webhooks/twilio"
        let stop = try await server.post("/v1/webhooks/twilio", ServeSMSReplyTests.form(params), contentType: "application/x-www-form-urlencoded", key: nil,
                                         headers: ["X-Twilio-Signature": ServeSMSReplyTests.twilioSignature(url: url, params: params, token: "tw-secret")])
        #expect(stop.status == 200)
        // Marketing is suppressed from now on; a fraud prompt still goes out.
        _ = try await server.post("/v1/events", #"{"id":"offer-1","type":"bank.offer","data":{"customer":{"phone":"+55 11 91234 5678"}}}"#)
        _ = try await server.post("/v1/events", ServeConversationTests.event("q-2", phone: "+5511912345678", locale: "pt-BR"))
        let offer = try await server.request("GET", "/v1/events/offer-1").object
        let delivery = (offer["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["status"] as? String == "suppressed")
        #expect((delivery?["reason"] as? String)?.contains("opted out of marketing") == true, "\(String(describing: delivery))")
        _ = try await server.poll("/v1/events/q-2") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let printed = setup.stop().sink
        #expect(printed.filter { $0.hasPrefix("sms → ") }.count == 2, "\(printed)")
    }
}

/// Failover after a failed status, the opt-out API, expiry, quiet hours, pacing and priority.
@Suite(.serialized) struct ServeCustomerProtectionTests {
    /// A non-urgent service rule (for pacing and quiet hours) beside the urgent fraud rule.
    static let rules = ServeConversationTests.rules.replacingOccurrences(of: "templates:\n", with: """
        templates:
          notice: {default_locale: en, text: {en: "Your flight {flight} is delayed."}}

        """) + """

          - id: notice
            match: {type: [airline.flight.delayed]}
            recipient: {address: $.data.phone, timezone: $.data.timezone}
            channels: [whatsapp]
            template: notice
            params: {flight: $.data.flight}
            category: service
        """

    static func notice(_ id: String, phone: String = "+919876543210", timezone: String = "UTC") -> String {
        #"{"id":"\#(id)","type":"airline.flight.delayed","data":{"phone":"\#(phone)","timezone":"\#(timezone)","flight":"XH 417"}}"#
    }

    static func status(of id: String, in server: RunningServer) async throws -> [String: Any]? {
        (try await server.request("GET", "/v1/events/\(id)").object["deliveries"] as? [[String: Any]])?.first
    }

    @Test func aFailedStatusFailsOverToSMS() async throws {
        let setup = try ServeCommandTests.start(rules: Self.rules)
        let server = setup.server
        _ = try await server.post("/v1/events", ServeConversationTests.event("fo-1"))
        _ = try await server.poll("/v1/events/fo-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let failed = ServeConversationTests.whatsapp(#""statuses":[{"id":"wamid.1","status":"failed","timestamp":"1764093001","recipient_id":"919876543210","errors":[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"Receiver is incapable of receiving this message"}}]}]"#)
        #expect(try await server.post("/v1/webhooks/whatsapp", failed, key: nil, headers: ServeConversationTests.signed(failed)).status == 200)
        let record = try await server.poll("/v1/events/fo-1") { (($0["deliveries"] as? [[String: Any]])?.first?["delivered_via"] as? String) == "sms" }
        let delivery = (record["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["delivered_via"] as? String == "sms", "\(String(describing: delivery))")
        #expect((delivery?["attempts"] as? [[String: Any]])?.map { $0["channel"] as? String } == ["whatsapp", "sms"])
        _ = setup.stop()
    }

    @Test func theOptOutListCanBeReadAndEditedThroughTheAPI() async throws {
        let setup = try ServeCommandTests.start(rules: Self.rules)
        let server = setup.server
        let put = try await server.request("PUT", "/v1/suppressions/+91%2098765%2043210", body: Data(#"{"categories":["service"],"reason":"asked the call centre"}"#.utf8))
        #expect(put.status == 200, "\(put.text)")
        let list = try await server.request("GET", "/v1/suppressions?address=%2B919876543210").object["suppressions"] as? [[String: Any]]
        #expect(list?.map { $0["category"] as? String } == ["service"])
        #expect(list?.first?["address"] as? String == "+919876543210", "normalised")
        _ = try await server.post("/v1/events", Self.notice("opt-1"))
        #expect(try await Self.status(of: "opt-1", in: server)?["status"] as? String == "suppressed")
        let bad = try await server.request("PUT", "/v1/suppressions/+919876543210", body: Data(#"{"categories":["spam"]}"#.utf8))
        #expect(bad.status == 400)
        let removed = try await server.request("DELETE", "/v1/suppressions/+919876543210").object["removed"] as? Int
        #expect(removed == 1)
        _ = try await server.post("/v1/events", Self.notice("opt-2"))
        _ = try await server.poll("/v1/events/opt-2") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        _ = setup.stop()
    }

    @Test func quietHoursHoldNonUrgentMessagesInTheRecipientsTimeZoneOnly() async throws {
        // Quiet hours around the present moment in UTC: now in UTC is quiet, in Kolkata (+5:30) it is not.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let hour = utc.component(.hour, from: Date())
        let from = String(format: "%02d:00", (hour + 23) % 24), to = String(format: "%02d:00", (hour + 2) % 24)
        let setup = try ServeCommandTests.start(extra: "protection: {quiet_hours: {from: \"\(from)\", to: \"\(to)\"}}", rules: Self.rules)
        let server = setup.server
        _ = try await server.post("/v1/events", Self.notice("q-utc", timezone: "UTC"))
        _ = try await server.post("/v1/events", Self.notice("q-ist", phone: "+919800000001", timezone: "Asia/Kolkata"))
        _ = try await server.post("/v1/events", ServeConversationTests.event("q-fraud"))
        _ = try await server.poll("/v1/events/q-ist") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        _ = try await server.poll("/v1/events/q-fraud") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let held = try await Self.status(of: "q-utc", in: server)
        #expect(held?["status"] as? String == "pending")
        #expect((held?["last_error"] as? String)?.hasPrefix("quiet hours (\(from)–\(to), UTC)") == true, "\(String(describing: held))")
        _ = setup.stop()
    }

    @Test func pacingHoldsTheSecondNonUrgentMessageToTheSameRecipient() async throws {
        let setup = try ServeCommandTests.start(extra: "protection: {pacing: 1/h}", rules: Self.rules)
        let server = setup.server
        _ = try await server.post("/v1/events", Self.notice("p-1"))
        _ = try await server.poll("/v1/events/p-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        _ = try await server.post("/v1/events", Self.notice("p-2"))
        _ = try await server.post("/v1/events", ServeConversationTests.event("p-fraud"))
        _ = try await server.poll("/v1/events/p-fraud") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let held = try await server.poll("/v1/events/p-2") { (($0["deliveries"] as? [[String: Any]])?.first?["last_error"] as? String) != nil }
        let delivery = (held["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["status"] as? String == "pending")
        #expect((delivery?["last_error"] as? String)?.hasPrefix("pacing: 1 messages per") == true, "\(String(describing: delivery))")
        _ = setup.stop()
    }

    @Test func anUndeliverableMessagePastItsExpiryIsExpiredNotSentLate() async throws {
        let rules = Self.rules.replacingOccurrences(of: "category: service", with: "category: service\n    expires: 1s")
        let setup = try ServeCommandTests.start(sinkArguments: ["--status", "503", "--retry-after", "2"], rules: rules)
        let server = setup.server
        _ = try await server.post("/v1/events", Self.notice("x-1"))
        let record = try await server.poll("/v1/events/x-1", attempts: 100) { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "expired" }
        let delivery = (record["deliveries"] as? [[String: Any]])?.first
        #expect(delivery?["status"] as? String == "expired", "\(String(describing: delivery))")
        #expect((delivery?["reason"] as? String)?.contains("not sent late") == true)
        _ = setup.stop()
    }

    /// 12 delay notices fill a rate limit of 4/s; a fraud prompt posted after them still goes out among the first.
    @Test func anUrgentMessageOvertakesBulkOnesUnderASaturatedRateLimit() async throws {
        // Every message goes to the sink's webhook endpoint `ops`, limited to 4 requests a second.
        let sink = try RunningSink(["--json"])
        let folder = try RunningServer.folder(sinkPort: sink.port, rules: Self.rules.replacingOccurrences(of: "channels: [whatsapp]", with: "channels: [ops]")
            .replacingOccurrences(of: "channels: [whatsapp, sms]", with: "channels: [ops]"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("herald.yaml")
        try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "ops: {kind: webhook, url: \"http://127.0.0.1:\(sink.port)/ops\"}",
                                  with: "ops: {kind: webhook, url: \"http://127.0.0.1:\(sink.port)/ops\", rate: 4/s}")
            .write(to: config, atomically: true, encoding: .utf8)
        let server = try RunningServer(folder: folder, environment: RunningServer.secrets)
        let bulk = (0..<12).map { Self.notice("bulk-\($0)", phone: "+91980000\(String(format: "%04d", $0))") }
        #expect(try await server.post("/v1/events", "[" + bulk.joined(separator: ",") + "]").status == 202)
        #expect(try await server.post("/v1/events", ServeConversationTests.event("urgent-1")).status == 202)
        _ = try await server.poll("/v1/deliveries?status=pending", attempts: 100) { ($0["deliveries"] as? [Any])?.isEmpty == true }
        #expect(server.stop() == 0)
        let order = sink.stop().stdout.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .compactMap { $0["delivery"] as? String }
        #expect(order.count == 13, "\(order)")
        let position = order.firstIndex(of: "urgent-1/fraud") ?? order.count
        #expect(position < 6, "the fraud prompt went out as number \(position + 1) of 13: \(order)")
    }
}

/// Words Herald cannot place, and answers that come too late.
@Suite(.serialized) struct ServeFreeTextTests {
    static func text(_ body: String, id: String) -> String {
        ServeConversationTests.whatsapp(#""messages":[{"from":"919876543210","id":"\#(id)","timestamp":"1764093000","context":{"from":"15550001111","id":"wamid.1"},"type":"text","text":{"body":"\#(body)"}}]"#)
    }

    static func callbacks(_ printed: [String]) -> [[String: Any]] {
        printed.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["path"] as? String == "/bank/fraud-replies" }
    }

    @Test func freeTextIsForwardedAsFreeTextWithoutANotUnderstoodAnswer() async throws {
        let setup = try ServeCommandTests.start(sinkArguments: ["--json"], rules: ServeConversationTests.rules)
        let server = setup.server
        _ = try await server.post("/v1/events", ServeConversationTests.event("ft-1"))
        _ = try await server.poll("/v1/events/ft-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let body = Self.text("I was at the mall but not at Croma", id: "wamid.T1")
        #expect(try await server.post("/v1/webhooks/whatsapp", body, key: nil, headers: ServeConversationTests.signed(body)).status == 200)
        let record = try await server.poll("/v1/events/ft-1") { ($0["deliveries"] as? [[String: Any]])?.count == 2
            && ($0["deliveries"] as? [[String: Any]])?.last?["status"] as? String == "delivered" }
        let reply = ((record["deliveries"] as? [[String: Any]])?.first?["replies"] as? [[String: Any]])?.first
        #expect(reply?["kind"] as? String == "free_text" && reply?["button"] == nil)
        #expect(Self.callbacks(setup.stop().sink).count == 1)
    }

    @Test func withNotUnderstoodConfiguredTheCustomerIsAnsweredInTheirLanguage() async throws {
        let setup = try ServeCommandTests.start(
            sinkArguments: ["--json"],
            extra: #"protection: {not_understood: {en: "Sorry, please tap a button.", pt-BR: "Desculpe, toque em um botão."}}"#,
            rules: ServeConversationTests.rules)
        let server = setup.server
        _ = try await server.post("/v1/events", ServeConversationTests.event("nu-1", locale: "pt-BR"))
        _ = try await server.poll("/v1/events/nu-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        let body = Self.text("talvez?", id: "wamid.T2")
        #expect(try await server.post("/v1/webhooks/whatsapp", body, key: nil, headers: ServeConversationTests.signed(body)).status == 200)
        let record = try await server.poll("/v1/events/nu-1") { ($0["deliveries"] as? [[String: Any]])?.last?["status"] as? String == "delivered"
            && ($0["deliveries"] as? [[String: Any]])?.count == 2 }
        let deliveries = record["deliveries"] as? [[String: Any]]
        #expect(deliveries?.last?["id"] as? String == "nu-1/fraud/answer/wamid.T2")
        #expect(deliveries?.last?["text"] as? String == "Desculpe, toque em um botão.")
        let printed = setup.stop().sink
        #expect(Self.callbacks(printed).isEmpty, "not forwarded to the bank")
        #expect(printed.contains { $0.contains("Desculpe, toque em um bot") }, "\(printed)")
    }

    @Test func aReplyAfterTheRulesExpiryIsForwardedMarkedExpired() async throws {
        let rules = ServeConversationTests.rules.replacingOccurrences(of: "urgent: true", with: "urgent: true\n    expires: 1s")
        let setup = try ServeCommandTests.start(sinkArguments: ["--json"], rules: rules)
        let server = setup.server
        _ = try await server.post("/v1/events", ServeConversationTests.event("ex-1"))
        _ = try await server.poll("/v1/events/ex-1") { (($0["deliveries"] as? [[String: Any]])?.first?["status"] as? String) == "delivered" }
        try await Task.sleep(for: .milliseconds(1200))  // past the 1 s expiry
        let tap = ServeConversationTests.whatsapp(#""messages":[{"from":"919876543210","id":"wamid.LATE","timestamp":"1764093000","context":{"from":"15550001111","id":"wamid.1"},"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"confirm:ex-1/fraud","title":"Yes, it was me"}}}]"#)
        #expect(try await server.post("/v1/webhooks/whatsapp", tap, key: nil, headers: ServeConversationTests.signed(tap)).status == 200)
        _ = try await server.poll("/v1/events/ex-1") { ($0["deliveries"] as? [[String: Any]])?.last?["status"] as? String == "delivered"
            && ($0["deliveries"] as? [[String: Any]])?.count == 2 }
        let callbacks = Self.callbacks(setup.stop().sink)
        #expect(callbacks.count == 1)
        // The sink summarises a reply callback by its kind and button.
        #expect((callbacks.first?["text"] as? String)?.hasSuffix("expired 'confirm'") == true, "\(callbacks)")
    }
}
