import Foundation
import HeraldCore
import HeraldServer
import Testing

/// Meta's WhatsApp webhooks: the subscription handshake, `X-Hub-Signature-256`, and the shapes of
/// message and status notifications (as Meta's webhook reference documents them).
@Suite struct InboundWhatsAppTests {
    // MARK: Handshake

    static func query(mode: String? = "subscribe", token: String? = "verify-me", challenge: String? = "1158201444") -> FormFields {
        var fields: [FormFields.Field] = []
        if let mode { fields.append(.init(name: "hub.mode", value: mode)) }
        if let challenge { fields.append(.init(name: "hub.challenge", value: challenge)) }
        if let token { fields.append(.init(name: "hub.verify_token", value: token)) }
        return FormFields(fields)
    }

    @Test func theHandshakeEchoesTheChallengeWhenModeAndTokenMatch() {
        let answer = WhatsAppHandshake.answer(query: Self.query(), verifyToken: "verify-me")
        #expect(answer == .accept(challenge: "1158201444"))
        #expect(answer.status == 200)
        #expect(answer.body == "1158201444")
        #expect(WhatsAppHandshake.contentType.hasPrefix("text/plain"))
    }

    @Test(arguments: ["verify-mE", "verify-me ", "verify-m", "", "verify-me-and-more"])
    func aWrongTokenIsRefused(_ token: String) {
        let answer = WhatsAppHandshake.answer(query: Self.query(token: token), verifyToken: "verify-me")
        #expect(answer == .refuse(.tokenMismatch))
        #expect(answer.status == 403)
        #expect(answer.body == "")
    }

    @Test func aMissingTokenIsRefused() {
        #expect(WhatsAppHandshake.answer(query: Self.query(token: nil), verifyToken: "verify-me") == .refuse(.tokenMismatch))
    }

    @Test func anUnsetVerifyTokenMatchesNothingNotEvenAnEmptyOne() {
        #expect(WhatsAppHandshake.answer(query: Self.query(token: ""), verifyToken: "") == .refuse(.tokenMismatch))
    }

    @Test(arguments: ["unsubscribe", "Subscribe", ""])
    func aWrongModeIsRefused(_ mode: String) {
        #expect(WhatsAppHandshake.answer(query: Self.query(mode: mode), verifyToken: "verify-me") == .refuse(.notSubscribe))
    }

    @Test func aMissingModeOrChallengeIsRefused() {
        #expect(WhatsAppHandshake.answer(query: Self.query(mode: nil), verifyToken: "verify-me") == .refuse(.notSubscribe))
        #expect(WhatsAppHandshake.answer(query: Self.query(challenge: nil), verifyToken: "verify-me") == .refuse(.missingChallenge))
        #expect(WhatsAppHandshake.answer(query: Self.query(challenge: ""), verifyToken: "verify-me") == .refuse(.missingChallenge))
    }

    @Test func theRawQueryIsPercentDecodedAndTheFirstOfARepeatedNameCounts() {
        let query = "?hub.mode=subscribe&hub.verify_token=s%C3%A9same+%26+co&hub.challenge=CH%2B1&hub.verify_token=other"
        #expect(WhatsAppHandshake.answer(query: query, verifyToken: "sésame & co") == .accept(challenge: "CH+1"))
        #expect(WhatsAppHandshake.answer(query: query, verifyToken: "other") == .refuse(.tokenMismatch))
    }

    // MARK: Signature

    static let secret = "app-secret-1"
    /// Computed with `openssl dgst -sha256 -hmac app-secret-1` over each body's UTF-8 bytes.
    static let asciiBody = #"{"object":"whatsapp_business_account","entry":[]}"#
    static let asciiSignature = "sha256=0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf"
    static let portugueseBody = #"{"object":"whatsapp_business_account","entry":[],"note":"Não, obrigado — não fui eu"}"#
    static let portugueseSignature = "sha256=cfb07404cd671d6d4139091ecb49fd1e4e061eca5475b3fe838bc36f08dd006b"
    static let hindiBody = #"{"object":"whatsapp_business_account","entry":[],"note":"नहीं, यह मैंने नहीं किया"}"#
    static let hindiSignature = "sha256=ff04c054c50f121466d8bfd412fe32bf12fea79d6bbf4d61edf1464d85a40ec8"

    @Test(arguments: [(asciiBody, asciiSignature, 49), (portugueseBody, portugueseSignature, 89), (hindiBody, hindiSignature, 121)])
    func aSignatureOverTheRawBytesVerifies(_ body: String, _ signature: String, _ byteCount: Int) throws {
        let bytes = Array(body.utf8)
        #expect(bytes.count == byteCount)  // the bytes signed, not the characters
        try WhatsAppSignature.verify(body: bytes, signature: signature, appSecret: Self.secret)
        #expect(WhatsAppSignature.sign(body: bytes, appSecret: Self.secret) == signature)
        // The prefix and the hex digits in upper case, and white space around, are accepted too.
        try WhatsAppSignature.verify(body: bytes, signature: " SHA256=" + signature.dropFirst(7).uppercased() + " ", appSecret: Self.secret)
    }

    @Test func aBodyDecodedAndReEncodedNoLongerVerifies() {
        // Meta escapes non-ASCII text; the same text unescaped is other bytes, so another MAC.
        let escaped = Array(#"{"object":"whatsapp_business_account","entry":[],"note":"N\u00e3o, obrigado \u2014 n\u00e3o fui eu"}"#.utf8)
        #expect(Self.failure(body: escaped, signature: Self.portugueseSignature) == .mismatch)
    }

    @Test func aForgedSignatureIsAMismatch() {
        let body = Array(Self.portugueseBody.utf8)
        let forged = WhatsAppSignature.sign(body: body, appSecret: "not-the-secret")
        #expect(Self.failure(body: body, signature: forged) == .mismatch)
        // One byte of the body changed.
        var altered = body
        altered[altered.count - 3] ^= 0x01
        #expect(Self.failure(body: altered, signature: Self.portugueseSignature) == .mismatch)
        // An empty app secret verifies nothing, even a signature made with it.
        #expect(Self.failure(body: body, signature: WhatsAppSignature.sign(body: body, appSecret: ""), secret: "") == .mismatch)
    }

    @Test(arguments: [nil, "", "   "] as [String?])
    func aMissingSignatureIsMissing(_ header: String?) {
        #expect(Self.failure(body: Array(Self.asciiBody.utf8), signature: header) == .missing)
    }

    @Test(arguments: [
        "0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf",  // no prefix
        "sha1=0ca28c0f1996234eb6829e59ad3c11a18161f6eb",
        "sha256=0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cd",  // 63 digits
        "sha256=0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf00",
        "sha256=zca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf",
        "sha256=",
        "sha256= 0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cd",
        "ſha256=0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf",
    ])
    func aMalformedSignatureIsMalformed(_ header: String) {
        #expect(Self.failure(body: Array(Self.asciiBody.utf8), signature: header) == .malformed)
    }

    @Test func theSignatureProblemIsA401() throws {
        let error = InboundSignatureError(.mismatch, header: WhatsAppSignature.header)
        #expect(error.problem.status == 401)
        #expect(error.problem.slug == "bad-signature")
        #expect(error.problem.detail == "X-Hub-Signature-256 does not match the request.")
    }

    @Test func receiveChecksTheSignatureBeforeReadingTheBody() throws {
        let broken = Array(#"{"object": "whatsapp_business_account", "entry": [{"#.utf8)
        #expect(throws: InboundRejection.signature(InboundSignatureError(.mismatch, header: "X-Hub-Signature-256"))) {
            try WhatsAppWebhook.receive(body: broken, signature: Self.asciiSignature, appSecret: Self.secret)
        }
        #expect(throws: InboundRejection.signature(InboundSignatureError(.missing, header: "X-Hub-Signature-256"))) {
            try WhatsAppWebhook.receive(body: broken, signature: nil, appSecret: Self.secret)
        }
        // Signed but broken: now it is the payload's fault.
        let signed = WhatsAppSignature.sign(body: broken, appSecret: Self.secret)
        do {
            _ = try WhatsAppWebhook.receive(body: broken, signature: signed, appSecret: Self.secret)
            Issue.record("a truncated body was accepted")
        } catch {
            guard case .payload(let payload) = error else { Issue.record("expected a payload error, got \(error)"); return }
            #expect(payload.syntax != nil)
            #expect(error.problem.slug == "invalid-json")
        }
        // Signed and whole.
        let items = try WhatsAppWebhook.receive(body: Array(Self.textReply.utf8), signature: WhatsAppSignature.sign(body: Array(Self.textReply.utf8), appSecret: Self.secret), appSecret: Self.secret)
        #expect(items.count == 1)
    }

    static func failure(body: [UInt8], signature: String?, secret: String = InboundWhatsAppTests.secret) -> InboundSignatureError.Reason? {
        do {
            try WhatsAppSignature.verify(body: body, signature: signature, appSecret: secret)
            return nil
        } catch {
            #expect(error.header == "X-Hub-Signature-256")
            return error.reason
        }
    }

    // MARK: Payloads

    /// A customer in Brazil types a reply.
    static let textReply = """
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",\
        "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},\
        "contacts":[{"profile":{"name":"Ana Souza"},"wa_id":"5511912345678"}],\
        "messages":[{"from":"5511912345678","id":"wamid.HBgNNTUxMTkxMjM0NTY3OBUCABIYFjNFQjBDNzk1QjU2RkE3QzI4QjFBAA==",\
        "timestamp":"1749416383","type":"text","text":{"body":"Não fui eu. PARAR"}}]},"field":"messages"}]}]}
        """

    @Test func aTextReplyIsReadWithItsSenderAndTime() throws {
        let items = try WhatsAppWebhook.parse(Array(Self.textReply.utf8))
        let message = try #require(items.first?.message)
        #expect(items.count == 1)
        #expect(message.id == "wamid.HBgNNTUxMTkxMjM0NTY3OBUCABIYFjNFQjBDNzk1QjU2RkE3QzI4QjFBAA==")
        #expect(message.from == "5511912345678")
        #expect(message.to == "106540352242922")
        #expect(message.senderName == "Ana Souza")
        #expect(message.timestamp == Date(timeIntervalSince1970: 1_749_416_383))
        #expect(message.context == nil)
        #expect(message.content == .text("Não fui eu. PARAR"))
        #expect(message.text == "Não fui eu. PARAR")
        #expect(message.reference == nil)
    }

    /// A customer in India taps "Block card" on an interactive reply-button message of Herald's.
    static let buttonReply = """
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",\
        "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},\
        "contacts":[{"profile":{"name":"\\u0905\\u0928\\u093f\\u0932"},"wa_id":"919876543210"}],\
        "messages":[{"context":{"from":"15550783881","id":"wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQjk0RjM1QkQ0RDc2QTNGMjAA"},\
        "from":"919876543210","id":"wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggQUM0QzlGRTA3QkM2NjE5RTFGAA==","timestamp":"1749416500",\
        "type":"interactive","interactive":{"type":"button_reply","button_reply":\
        {"id":"block:evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check","title":"ब्लॉक करें"}}}]},"field":"messages"}]}]}
        """

    @Test func aReplyButtonTapNamesTheButtonAndTheMessageItAnswers() throws {
        let items = try WhatsAppWebhook.parse(Array(Self.buttonReply.utf8))
        let message = try #require(items.first?.message)
        #expect(message.context == "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSQjk0RjM1QkQ0RDc2QTNGMjAA")
        #expect(message.content == .buttonReply(id: "block:evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check", title: "ब्लॉक करें"))
        #expect(message.senderName == "अनिल")  // Meta's \u escapes decoded
        #expect(message.text == nil)
        let reference = try #require(message.reference)
        #expect(reference.button == "block")
        #expect(reference.delivery == .id("evt-01JPBX7K4Q2M8R3T5V6W9Y0Z1A/card-fraud-check"))
    }

    /// A customer taps a quick-reply button of an approved template.
    static let quickReply = """
        {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp",\
        "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},\
        "contacts":[{"profile":{"name":"Anil"},"wa_id":"919876543210"}],\
        "messages":[{"context":{"from":"15550783881","id":"wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSMDE2QzY3OTBBQjk3RjU0RjJEAA=="},\
        "from":"919876543210","id":"wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgWM0VCMEI0NjY1QUJGMzNFMzFDRTJBOAA=","timestamp":"1749416560",\
        "type":"button","button":{"payload":"confirm:#0123456789abcdef0123456789abcdef","text":"Yes, it was me"}}]},"field":"messages"}]}]}
        """

    @Test func aTemplateQuickReplyCarriesItsPayload() throws {
        let message = try #require(try WhatsAppWebhook.parse(Array(Self.quickReply.utf8)).first?.message)
        #expect(message.content == .quickReply(payload: "confirm:#0123456789abcdef0123456789abcdef", text: "Yes, it was me"))
        #expect(message.context == "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSMDE2QzY3OTBBQjk3RjU0RjJEAA==")
        let reference = try #require(message.reference)
        #expect(reference.button == "confirm")
        #expect(reference.delivery == .digest("0123456789abcdef0123456789abcdef"))
    }

    static func notification(messages: String = "", statuses: String = "", extra: String = "") -> String {
        var members: [String] = [#""messaging_product":"whatsapp""#, #""metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}"#]
        if !messages.isEmpty { members.append(#""messages":["# + messages + "]") }
        if !statuses.isEmpty { members.append(#""statuses":["# + statuses + "]") }
        if !extra.isEmpty { members.append(extra) }
        return #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"#
            + members.joined(separator: ",") + #"},"field":"messages"}]}]}"#
    }

    @Test func listRepliesImagesReactionsAndUnknownInteractiveTypesAreRead() throws {
        let messages = """
            {"from":"5511912345678","id":"wamid.A","timestamp":"1749416600","type":"interactive",\
            "interactive":{"type":"list_reply","list_reply":{"id":"gate:g-1","title":"Portão","description":"Ver o portão"}}},\
            {"from":"5511912345678","id":"wamid.B","timestamp":"1749416601","type":"image",\
            "image":{"caption":"meu cartão","mime_type":"image/jpeg","sha256":"abc","id":"1234567890"}},\
            {"from":"5511912345678","id":"wamid.C","timestamp":"1749416602","type":"reaction","reaction":{"message_id":"wamid.X","emoji":"👍"}},\
            {"from":"5511912345678","id":"wamid.D","timestamp":"1749416603","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{}}},\
            {"from":"5511912345678","id":"wamid.E","timestamp":"1749416604","type":"unsupported",\
            "errors":[{"code":131051,"title":"Message type unknown"}]}
            """
        let items = try WhatsAppWebhook.parse(Array(Self.notification(messages: messages).utf8))
        #expect(items.compactMap(\.message?.content) == [
            .listReply(id: "gate:g-1", title: "Portão", description: "Ver o portão"),
            .other(type: "image"), .other(type: "reaction"), .other(type: "nfm_reply"), .other(type: "unsupported"),
        ])
        #expect(items.compactMap(\.message?.id) == ["wamid.A", "wamid.B", "wamid.C", "wamid.D", "wamid.E"])
        #expect(items.allSatisfy { $0.message?.text == nil })
        #expect(items.first?.message?.senderName == nil)  // no contacts given
    }

    @Test func sentDeliveredAndReadStatusesAreRead() throws {
        let statuses = """
            {"id":"wamid.S1","status":"sent","timestamp":"1749416700","recipient_id":"919876543210",\
            "conversation":{"id":"c1","expiration_timestamp":"1749500000","origin":{"type":"utility"}},\
            "pricing":{"billable":true,"pricing_model":"PMP","category":"utility"}},\
            {"id":"wamid.S1","status":"delivered","timestamp":"1749416702","recipient_id":"919876543210"},\
            {"id":"wamid.S1","status":"read","timestamp":"1749416730","recipient_id":"919876543210"},\
            {"id":"wamid.S1","status":"played","timestamp":"1749416731","recipient_id":"919876543210"}
            """
        let items = try WhatsAppWebhook.parse(Array(Self.notification(statuses: statuses).utf8))
        let updates = items.compactMap(\.status)
        #expect(updates.map(\.status) == [.sent, .delivered, .read, .unknown("played")])
        #expect(updates.allSatisfy { $0.id == "wamid.S1" && $0.recipient == "919876543210" && $0.from == "106540352242922" })
        #expect(updates.allSatisfy { $0.errors.isEmpty && $0.deliveryID == nil })
        #expect(updates.map(\.timestamp) == [1_749_416_700, 1_749_416_702, 1_749_416_730, 1_749_416_731].map { Optional(Date(timeIntervalSince1970: $0)) })
    }

    @Test func aFailedStatusCarriesItsErrors() throws {
        let statuses = """
            {"id":"wamid.F1","status":"failed","timestamp":"1749416800","recipient_id":"5511912345678",\
            "errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message",\
            "error_data":{"details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},\
            "href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"},{"code":131026,"title":"Message undeliverable"}]}
            """
        let update = try #require(try WhatsAppWebhook.parse(Array(Self.notification(statuses: statuses).utf8)).first?.status)
        #expect(update.status == .failed)
        #expect(update.errors == [
            .init(code: 131_047, title: "Re-engagement message", message: "Re-engagement message",
                  details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
            .init(code: 131_026, title: "Message undeliverable"),
        ])
        // As the delivery record keeps it: the repeated message is said once.
        #expect(update.errors.map(\.providerError) == [
            ProviderError(code: "131047", message: "Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number."),
            ProviderError(code: "131026", message: "Message undeliverable"),
        ])
    }

    @Test func everyEntryAndChangeIsReadInOrderAndOtherFieldsAreSkipped() throws {
        let body = """
            {"object":"whatsapp_business_account","entry":[\
            {"id":"1","changes":[\
            {"value":{"metadata":{"phone_number_id":"P1"},"messages":[{"from":"5511900000001","id":"wamid.M1","timestamp":"1","type":"text","text":{"body":"a"}}],\
            "statuses":[{"id":"wamid.S1","status":"delivered","timestamp":"2","recipient_id":"5511900000009"}]},"field":"messages"},\
            {"value":{"event":"VERIFIED_ACCOUNT","phone_number":"15550783881"},"field":"account_update"},\
            {"value":{"metadata":{"phone_number_id":"P1"},"statuses":[{"id":"wamid.S2","status":"read","timestamp":"3"}]},"field":"messages"}]},\
            {"id":"2","time":1749416900,"changes":[\
            {"value":{"metadata":{"phone_number_id":"P2"},"messages":[{"from":"919800000002","id":"wamid.M2","timestamp":"4","type":"text","text":{"body":"b"}}]},"field":"messages"}]},\
            {"id":"3","changes":[]}]}
            """
        let items = try WhatsAppWebhook.parse(Array(body.utf8))
        #expect(items.count == 4)
        #expect(items[0].message?.id == "wamid.M1")
        #expect(items[0].message?.to == "P1")
        #expect(items[1].status?.id == "wamid.S1")
        #expect(items[2].status?.id == "wamid.S2")
        #expect(items[2].status?.recipient == nil)
        #expect(items[3].message?.id == "wamid.M2")
        #expect(items[3].message?.to == "P2")
    }

    @Test func nullMembersCountAsAbsentAndNumbersAreForgivenAsTimestamps() throws {
        let messages = #"{"from":"5511912345678","id":"wamid.N","timestamp":1749416383,"type":"text","text":{"body":"ok"},"context":null}"#
        let message = try #require(try WhatsAppWebhook.parse(Array(Self.notification(messages: messages, extra: #""contacts":null"#).utf8)).first?.message)
        #expect(message.timestamp == Date(timeIntervalSince1970: 1_749_416_383))
        #expect(message.context == nil)
    }

    @Test func aNotificationWithNothingInItIsEmpty() throws {
        #expect(try WhatsAppWebhook.parse(Array(Self.asciiBody.utf8)).isEmpty)
        #expect(try WhatsAppWebhook.parse(Array(Self.notification().utf8)).isEmpty)
    }

    // MARK: Broken payloads

    @Test(arguments: [
        (#"[]"#, "", "expected an object, found array"),
        (#"{"entry":[]}"#, "/object", "missing"),
        (#"{"object":"page","entry":[]}"#, "/object", #"expected "whatsapp_business_account", found "page""#),
        (#"{"object":"whatsapp_business_account"}"#, "/entry", "missing"),
        (#"{"object":"whatsapp_business_account","entry":{}}"#, "/entry", "expected an array, found object"),
        (#"{"object":"whatsapp_business_account","entry":[7]}"#, "/entry/0", "expected an object, found number"),
        (#"{"object":"whatsapp_business_account","entry":[{"id":"1"}]}"#, "/entry/0/changes", "missing"),
        (#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages"}]}]}"#, "/entry/0/changes/0/value", "missing"),
        (#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":7,"value":{}}]}]}"#, "/entry/0/changes/0/field", "expected a string, found number"),
    ])
    func aBrokenEnvelopeNamesThePlace(_ body: String, _ location: String, _ detail: String) {
        let error = Self.payloadError(body)
        #expect(error?.location == location)
        #expect(error?.detail == detail)
        #expect(error?.syntax == nil)
        #expect(error?.problem.status == 400)
        #expect(error?.problem.slug == "invalid-webhook")
    }

    @Test(arguments: [
        (#"{"id":7,"from":"1","timestamp":"1","type":"text","text":{"body":"a"}}"#, "/messages/0/id", "expected a string, found number"),
        (#"{"id":"w","timestamp":"1","type":"text","text":{"body":"a"}}"#, "/messages/0/from", "missing"),
        (#"{"id":"w","from":"1","timestamp":"yesterday","type":"text","text":{"body":"a"}}"#, "/messages/0/timestamp", #"expected a unix time in seconds, found "yesterday""#),
        (#"{"id":"w","from":"1","timestamp":"-5","type":"text","text":{"body":"a"}}"#, "/messages/0/timestamp", #"expected a unix time in seconds, found "-5""#),
        (#"{"id":"w","from":"1","timestamp":1.5,"type":"text","text":{"body":"a"}}"#, "/messages/0/timestamp", "expected a unix time in seconds, found 1.5"),
        (#"{"id":"w","from":"1","timestamp":"1","type":"text"}"#, "/messages/0/text", "missing"),
        (#"{"id":"w","from":"1","timestamp":"1","type":"text","text":"a"}"#, "/messages/0/text", "expected an object, found string"),
        (#"{"id":"w","from":"1","timestamp":"1","type":"interactive","interactive":{"type":"button_reply","button_reply":{"title":"t"}}}"#,
         "/messages/0/interactive/button_reply/id", "missing"),
        (#"{"id":"w","from":"1","timestamp":"1","type":"button","button":{"payload":["p"],"text":"t"}}"#, "/messages/0/button/payload", "expected a string, found array"),
        (#"{"id":"w","from":"1","timestamp":"1","type":"text","text":{"body":"a"},"context":{"id":false}}"#, "/messages/0/context/id", "expected a string, found boolean"),
    ])
    func aBrokenMessageNamesThePlace(_ message: String, _ location: String, _ detail: String) {
        let error = Self.payloadError(Self.notification(messages: message))
        #expect(error?.location == "/entry/0/changes/0/value" + location)
        #expect(error?.detail == detail)
    }

    @Test(arguments: [
        (#"{"status":"sent","timestamp":"1"}"#, "/statuses/0/id", "missing"),
        (#"{"id":"w","status":3,"timestamp":"1"}"#, "/statuses/0/status", "expected a string, found number"),
        (#"{"id":"w","status":"failed","timestamp":"1","errors":{"code":1}}"#, "/statuses/0/errors", "expected an array, found object"),
        (#"{"id":"w","status":"failed","timestamp":"1","errors":[{"title":"x"}]}"#, "/statuses/0/errors/0/code", "missing"),
        (#"{"id":"w","status":"failed","timestamp":"1","errors":[{"code":"abc"}]}"#, "/statuses/0/errors/0/code", #"expected a whole number, found "abc""#),
        (#"{"id":"w","status":"failed","timestamp":"1","errors":[{"code":1,"error_data":"x"}]}"#, "/statuses/0/errors/0/error_data", "expected an object, found string"),
    ])
    func aBrokenStatusNamesThePlace(_ status: String, _ location: String, _ detail: String) {
        let error = Self.payloadError(Self.notification(statuses: status))
        #expect(error?.location == "/entry/0/changes/0/value" + location)
        #expect(error?.detail == detail)
    }

    @Test func invalidJSONIsASyntaxErrorWithItsPosition() throws {
        let error = try #require(Self.payloadError(#"{"object": "whatsapp_business_account", "entry": [}"#))
        let syntax = try #require(error.syntax)
        #expect(syntax.offset == 50)
        #expect(error.problem.slug == "invalid-json")
        #expect(error.problem.extensions["offset"] == 50)
        #expect(Self.payloadError("")?.syntax != nil)
        #expect(Self.payloadError(String(repeating: "[", count: 100_000))?.syntax != nil)
    }

    static let samples = [textReply, buttonReply, quickReply, notification(statuses: #"{"id":"w","status":"failed","timestamp":"1","errors":[{"code":131047,"title":"t","error_data":{"details":"d"}}]}"#)]

    @Test(arguments: samples.indices)
    func everyTruncationIsAnErrorNotACrash(_ index: Int) {
        let bytes = Array(Self.samples[index].utf8)
        for length in 0..<bytes.count {
            #expect(throws: InboundPayloadError.self) { try WhatsAppWebhook.parse(Array(bytes[..<length])) }
        }
        #expect(throws: Never.self) { try WhatsAppWebhook.parse(bytes) }
    }

    @Test(arguments: samples.indices)
    func randomByteDamageNeverCrashes(_ index: Int) {
        var random = InboundSplitMix64(seed: UInt64(index) &+ 0x5EED)
        let bytes = Array(Self.samples[index].utf8)
        var errors = 0
        for _ in 0..<2_000 {
            var damaged = bytes
            for _ in 0...(random.next() % 4) {
                let position = Int(random.next() % UInt64(damaged.count))
                switch random.next() % 3 {
                case 0: damaged[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: damaged.remove(at: position)
                default: damaged.insert(Array(#"{}[]":,0"\"#.utf8)[Int(random.next() % 10)], at: position)
                }
                if damaged.isEmpty { damaged = [0x7B] }
            }
            do { _ = try WhatsAppWebhook.parse(damaged) } catch { errors += 1 }
        }
        // What survives parses, the rest is refused; neither crashes.
        #expect(errors > 0)
    }

    @Test(arguments: samples.indices)
    func everyValueReplacedByEveryTypeIsReadOrRefusedWithAPlaceThatExists(_ index: Int) throws {
        let document = try JSONParser.parse(Self.samples[index])
        let replacements: [JSONValue] = [.null, 7, "x", [], [:], true]
        var checked = 0
        for path in Self.paths(in: document) where !path.isEmpty {
            for replacement in replacements {
                let mutated = Self.replacing(path, in: document, with: replacement)
                do {
                    _ = try WhatsAppWebhook.parse(mutated)
                } catch {
                    // The place named is a value, or a member missing from an object, that exists.
                    #expect(error.syntax == nil)
                    #expect(Self.parentExists(error.location, in: mutated), "\(error)")
                }
                checked += 1
            }
        }
        #expect(checked > 100)
    }

    // MARK: Helpers

    static func payloadError(_ body: String) -> InboundPayloadError? {
        do {
            _ = try WhatsAppWebhook.parse(Array(body.utf8))
            return nil
        } catch {
            return error
        }
    }

    /// Whether everything but the last step of an RFC 6901 pointer (without `~` escapes) leads to a value.
    static func parentExists(_ pointer: String, in document: JSONValue) -> Bool {
        guard !pointer.isEmpty else { return true }
        var value: JSONValue? = document
        for part in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().dropLast() {
            if let index = Int(part), case .array = value { value = value?[index] } else { value = value?[String(part)] }
        }
        return value != nil
    }

    enum Step: Hashable {
        case key(String)
        case index(Int)
    }

    static func paths(in value: JSONValue, prefix: [Step] = []) -> [[Step]] {
        var result = [prefix]
        switch value {
        case .object(let object):
            for member in object.members { result += paths(in: member.value, prefix: prefix + [.key(member.key)]) }
        case .array(let elements):
            for (index, element) in elements.enumerated() { result += paths(in: element, prefix: prefix + [.index(index)]) }
        default:
            break
        }
        return result
    }

    static func replacing(_ path: [Step], in value: JSONValue, with replacement: JSONValue) -> JSONValue {
        guard let first = path.first else { return replacement }
        let rest = Array(path.dropFirst())
        switch (first, value) {
        case (.key(let key), .object(var object)):
            object[key] = replacing(rest, in: object[key] ?? .null, with: replacement)
            return .object(object)
        case (.index(let index), .array(var elements)):
            elements[index] = replacing(rest, in: elements[index], with: replacement)
            return .array(elements)
        default:
            return value
        }
    }
}

/// A small seeded generator, so damage is random but the same on every run.
private struct InboundSplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
