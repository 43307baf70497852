import HeraldCore
import HeraldServer
import Testing

/// Twilio's posts: form decoding, `X-Twilio-Signature`, inbound SMS and status callbacks.
@Suite struct InboundTwilioTests {
    // MARK: Form decoding

    @Test func formsDecodePlusAsSpacePercentAsUTF8AndKeepEveryField() {
        let form = FormFields(decoding: Array("Body=N%C3%A3o+sou+eu%21&From=%2B5511912345678&Empty=&Flag&&Body=second&Odd=100%25+%ZZ%4".utf8))
        #expect(form.names == ["Body", "From", "Empty", "Flag", "Body", "Odd"])
        #expect(form["Body"] == "Não sou eu!")  // the first of a repeated name
        #expect(form["From"] == "+5511912345678")  // %2B is a plus, not a space
        #expect(form["Empty"] == "")
        #expect(form["Flag"] == "")
        #expect(form["Odd"] == "100% %ZZ%4")  // broken escapes stay as they are
        #expect(form["body"] == nil)  // names are case-sensitive
    }

    @Test func bytesThatAreNotUTF8BecomeReplacementCharacters() {
        let form = FormFields(decoding: Array("Body=%FF%C3".utf8) + [0xE2, 0x82])
        #expect(form["Body"] == "\u{FFFD}\u{FFFD}\u{FFFD}")
    }

    @Test func aURLQueryIsDecodedUpToTheFragment() {
        #expect(FormFields(queryOf: "https://h.example/v1/webhooks/twilio?delivery=evt-1%2Fcard-fraud-check&x=1#frag")["delivery"] == "evt-1/card-fraud-check")
        #expect(FormFields(queryOf: "https://h.example/v1/webhooks/twilio").fields.isEmpty)
        #expect(FormFields(queryOf: "https://h.example/p?")["delivery"] == nil)
    }

    // MARK: Signature

    /// The worked example of Twilio's webhook security page: this URL, these parameters and the auth
    /// token `12345` give `0/KCTR6DLpKmkAf8muzZqo1nDgQ=`.
    static let documentedURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
    static let documentedParams = [
        "CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212",
    ]

    @Test func twilioDocumentedExampleGivesItsSignature() throws {
        #expect(TwilioSignature.expected(url: Self.documentedURL, params: Self.documentedParams, authToken: "12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        let form = FormFields(decoding: Array("To=%2B18005551212&From=%2B12349013030&Caller=%2B12349013030&Digits=1234&CallSid=CA1234567890ABCDE".utf8))
        try TwilioSignature.verify(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: Self.documentedURL, params: form, authToken: "12345")
    }

    @Test func theSignedStringIsTheURLThenNamesAndValuesSortedByName() {
        let form = FormFields([.init(name: "b", value: "2"), .init(name: "a", value: "z"), .init(name: "B", value: "3"), .init(name: "a", value: "y")])
        #expect(String(decoding: TwilioSignature.signedData(url: "https://x.example/p?q=1", params: form), as: UTF8.self)
            == "https://x.example/p?q=1B3ayazb2")
    }

    @Test func aChangedParameterURLOrTokenIsAMismatch() {
        var params = Self.documentedParams
        params["Digits"] = "1235"
        #expect(Self.failure("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: Self.documentedURL, params: params) == .mismatch)
        #expect(Self.failure("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: "https://mycompany.com/myapp.php?foo=1&bar=3") == .mismatch)
        #expect(Self.failure("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: "http://mycompany.com/myapp.php?foo=1&bar=2") == .mismatch)
        #expect(Self.failure("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", token: "54321") == .mismatch)
        #expect(Self.failure("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", token: "") == .mismatch)
        // An extra parameter a forger added.
        params = Self.documentedParams
        params["Amount"] = "1"
        #expect(Self.failure("0/KCTR6DLpKmkAf8muzZqo1nDgQ=", params: params) == .mismatch)
    }

    @Test(arguments: [nil, "", "  "] as [String?])
    func aMissingSignatureIsMissing(_ signature: String?) {
        #expect(Self.failure(signature) == .missing)
    }

    @Test(arguments: ["0/KCTR6DLpKmkAf8muzZqo1nDgQ", "0/KCTR6DLpKmkAf8muzZqo1nDgQ==", "0/KCTR6DLpKmkAf8muzZqo1nDg!=", "not a signature",
                      "sha256=0ca28c0f1996234eb6829e59ad3c11a18161f6eb043943d601e420c312432cdf"])
    func aMalformedSignatureIsMalformed(_ signature: String) {
        #expect(Self.failure(signature) == .malformed)
    }

    @Test func theDefaultPortMayBeWrittenOrNot() throws {
        let withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
        let signedWithPort = TwilioSignature.expected(url: withPort, params: Self.documentedParams, authToken: "12345")
        let form = FormFields(Self.documentedParams.map { FormFields.Field(name: $0.key, value: $0.value) })
        // Twilio signed with the port; Herald knows the URL without it, and the other way round.
        try TwilioSignature.verify(signature: signedWithPort, url: Self.documentedURL, params: form, authToken: "12345")
        try TwilioSignature.verify(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: withPort, params: form, authToken: "12345")
        // Another port is another URL.
        let otherPort = TwilioSignature.expected(url: "https://mycompany.com:8443/myapp.php?foo=1&bar=2", params: Self.documentedParams, authToken: "12345")
        #expect(Self.failure(otherPort) == .mismatch)
    }

    static func failure(_ signature: String?, url: String = documentedURL, params: [String: String] = documentedParams, token: String = "12345")
        -> InboundSignatureError.Reason?
    {
        do {
            try TwilioSignature.verify(signature: signature, url: url, params: FormFields(params.map { FormFields.Field(name: $0.key, value: $0.value) }), authToken: token)
            return nil
        } catch {
            #expect(error.header == "X-Twilio-Signature")
            return error.reason
        }
    }

    // MARK: Inbound messages and status callbacks

    static let token = "twilio-auth-token-1"
    static let inboundURL = "https://herald.example.com/v1/webhooks/twilio"
    /// A customer in São Paulo answers "SIM" (yes), as Twilio posts it.
    static let inboundSMS = "ToCountry=US&ToState=CA&SmsMessageSid=SM6c1f0e8b2a9d4c7e8f0a1b2c3d4e5f60&NumMedia=0&ToCity=&FromZip="
        + "&SmsSid=SM6c1f0e8b2a9d4c7e8f0a1b2c3d4e5f60&FromState=SP&SmsStatus=received&FromCity=SAO+PAULO&Body=SIM&FromCountry=BR"
        + "&To=%2B15005550006&MessagingServiceSid=MG1a2b3c4d5e6f708192a3b4c5d6e7f809&ToZip=&NumSegments=1"
        + "&MessageSid=SM6c1f0e8b2a9d4c7e8f0a1b2c3d4e5f60&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B5511912345678"
        + "&ApiVersion=2010-04-01"
    /// Computed with `openssl dgst -sha1 -hmac twilio-auth-token-1 -binary | base64` over the URL and the
    /// sorted names and values.
    static let inboundSignature = "TWSVR0BDjqI9p8uLH/X5i8W7wNs="

    @Test func anInboundSMSFromBrazilIsAMessage() throws {
        let item = try TwilioWebhook.receive(body: Array(Self.inboundSMS.utf8), url: Self.inboundURL, signature: Self.inboundSignature, authToken: Self.token)
        let message = try #require(item.message)
        #expect(message.id == "SM6c1f0e8b2a9d4c7e8f0a1b2c3d4e5f60")
        #expect(message.from == "+5511912345678")
        #expect(message.to == "+15005550006")
        #expect(message.text == "SIM")
        #expect(message.timestamp == nil)
        #expect(message.context == nil)
        #expect(TwilioSignature.expected(url: Self.inboundURL, params: FormFields(decoding: Array(Self.inboundSMS.utf8)), authToken: Self.token)
            == Self.inboundSignature)
    }

    static let statusURL = "https://herald.example.com/v1/webhooks/twilio?delivery=evt-1%2Fcard-fraud-check"
    static let undelivered = "ErrorCode=30003&SmsSid=SM0f1e2d3c4b5a69788796a5b4c3d2e1f0&SmsStatus=undelivered&MessageStatus=undelivered"
        + "&To=%2B919876543210&MessagingServiceSid=MG1a2b3c4d5e6f708192a3b4c5d6e7f809&MessageSid=SM0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        + "&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15005550006&ApiVersion=2010-04-01"
    /// As `inboundSignature`, over the status URL with its query.
    static let undeliveredSignature = "WmzrSyu4a6/8GajJTvv9/YPKjW0="

    @Test func anUndeliveredCallbackCarriesItsErrorCodeAndTheDeliveryFromTheQuery() throws {
        let item = try TwilioWebhook.receive(body: Array(Self.undelivered.utf8), url: Self.statusURL, signature: Self.undeliveredSignature, authToken: Self.token)
        let update = try #require(item.status)
        #expect(update.id == "SM0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        #expect(update.status == .undelivered)
        #expect(update.errors == [.init(code: 30003)])
        #expect(update.errors.first?.providerError == ProviderError(code: "30003", message: "error 30003"))
        #expect(update.deliveryID == "evt-1/card-fraud-check")
        #expect(update.recipient == "+919876543210")
        #expect(update.from == "+15005550006")
        #expect(update.timestamp == nil)
    }

    @Test func theStatusURLIsPartOfTheSignature() {
        // The same post to the URL without Herald's delivery query, or with another delivery, is not Twilio's.
        for url in [Self.inboundURL, "https://herald.example.com/v1/webhooks/twilio?delivery=evt-2%2Fcard-fraud-check"] {
            #expect(throws: InboundRejection.signature(InboundSignatureError(.mismatch, header: "X-Twilio-Signature"))) {
                try TwilioWebhook.receive(body: Array(Self.undelivered.utf8), url: url, signature: Self.undeliveredSignature, authToken: Self.token)
            }
        }
    }

    @Test(arguments: [
        ("MessageSid=SM1&MessageStatus=delivered&To=%2B919876543210", ProviderStatus.delivered),
        ("MessageSid=SM1&MessageStatus=sent&SmsStatus=sent", .sent),
        ("MessageSid=SM1&MessageStatus=queued", .queued),
        ("MessageSid=SM1&MessageStatus=sending", .sending),
        ("MessageSid=SM1&MessageStatus=read", .read),
        ("MessageSid=SM1&MessageStatus=failed&ErrorCode=30008&ErrorMessage=Unknown+error", .failed),
        ("SmsSid=SM1&SmsStatus=delivered", .delivered),
        ("MessageSid=SM1&MessageStatus=accepted", .unknown("accepted")),
        ("MessageSid=SM1&MessageStatus=sent&Body=ignored", .sent),
    ])
    func statusCallbacksAreClassified(_ body: String, _ status: ProviderStatus) throws {
        let update = try #require(try TwilioWebhook.parse(body: Array(body.utf8), url: Self.inboundURL).status)
        #expect(update.id == "SM1")
        #expect(update.status == status)
        #expect(update.deliveryID == nil)
        if status == .failed {
            #expect(update.errors == [.init(code: 30008, message: "Unknown error")])
            #expect(update.errors.first?.providerError == ProviderError(code: "30008", message: "Unknown error"))
        }
    }

    @Test(arguments: [
        "MessageSid=SM2&From=%2B5511912345678&To=%2B15005550006&Body=PARAR",
        "MessageSid=SM2&From=%2B5511912345678&Body=PARAR&MessageStatus=received",
        "SmsSid=SM2&From=%2B5511912345678&Body=PARAR&SmsStatus=receiving",
    ])
    func inboundMessagesAreClassified(_ body: String) throws {
        let message = try #require(try TwilioWebhook.parse(body: Array(body.utf8), url: Self.inboundURL).message)
        #expect(message.id == "SM2")
        #expect(message.text == "PARAR")
    }

    @Test func aPictureWithoutTextIsAnEmptyText() throws {
        let body = "MessageSid=MM3&From=%2B5511912345678&Body=&NumMedia=1&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2F1&SmsStatus=received"
        #expect(try TwilioWebhook.parse(body: Array(body.utf8), url: Self.inboundURL).message?.content == .text(""))
    }

    @Test(arguments: [
        ("From=%2B5511912345678&Body=oi", "MessageSid"),
        ("MessageSid=&SmsSid=&MessageStatus=sent", "MessageSid"),
        ("MessageSid=SM4&From=%2B5511912345678", "Body"),
        ("MessageSid=SM4&Body=oi", "From"),
        ("MessageSid=SM4&SmsStatus=received&From=%2B5511912345678", "Body"),
        ("MessageSid=SM4&MessageStatus=failed&ErrorCode=3000x", "ErrorCode"),
        ("MessageSid=SM4&MessageStatus=failed&ErrorCode=99999999999999999999", "ErrorCode"),
        ("", "MessageSid"),
    ])
    func aPostThatIsNeitherNamesTheField(_ body: String, _ field: String) {
        do {
            _ = try TwilioWebhook.parse(body: Array(body.utf8), url: Self.inboundURL)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.location == field)
            #expect(error.problem.status == 400)
            #expect(error.problem.slug == "invalid-webhook")
            #expect(error.problem.extensions["location"] == .string(field))
        }
    }

    @Test func anEmptyErrorCodeIsNoError() throws {
        let update = try #require(try TwilioWebhook.parse(body: Array("MessageSid=SM5&MessageStatus=delivered&ErrorCode=".utf8), url: Self.inboundURL).status)
        #expect(update.errors.isEmpty)
    }

    @Test func aForgedPostIsRefusedBeforeItIsRead() {
        #expect(throws: InboundRejection.signature(InboundSignatureError(.missing, header: "X-Twilio-Signature"))) {
            try TwilioWebhook.receive(body: Array("garbage".utf8), url: Self.inboundURL, signature: nil, authToken: Self.token)
        }
        let forged = TwilioSignature.expected(url: Self.inboundURL, params: FormFields(decoding: Array(Self.inboundSMS.utf8)), authToken: "guess")
        #expect(throws: InboundRejection.signature(InboundSignatureError(.mismatch, header: "X-Twilio-Signature"))) {
            try TwilioWebhook.receive(body: Array(Self.inboundSMS.utf8), url: Self.inboundURL, signature: forged, authToken: Self.token)
        }
        // Signed, but not a message or a status: the payload's fault.
        let body = Array("Hello=world".utf8)
        let signed = TwilioSignature.expected(url: Self.inboundURL, params: FormFields(decoding: body), authToken: Self.token)
        #expect(throws: InboundRejection.payload(InboundPayloadError(location: "MessageSid", detail: "missing: neither MessageSid nor SmsSid is given"))) {
            try TwilioWebhook.receive(body: body, url: Self.inboundURL, signature: signed, authToken: Self.token)
        }
    }

    @Test func randomBytesNeverCrashTheDecoderOrTheClassifier() {
        var state: UInt64 = 0x7711
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let alphabet = Array("%+=&ZzF0aé\u{0}".utf8)
        for _ in 0..<2_000 {
            let length = Int(next() % 40)
            let bytes = (0..<length).map { _ in next() % 2 == 0 ? alphabet[Int(next()) % alphabet.count] : UInt8(truncatingIfNeeded: next()) }
            let form = FormFields(decoding: bytes)
            _ = try? TwilioWebhook.parse(form: form, url: Self.inboundURL)
            _ = TwilioSignature.expected(url: Self.inboundURL, params: form, authToken: Self.token)
        }
    }
}
