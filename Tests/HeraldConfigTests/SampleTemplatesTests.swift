import Foundation
import HeraldConfig
import HeraldCore
import Testing

// Every template of rules/*.yaml in every locale it has, planned from the sample events the way
// `herald test` plans them (rules/ and samples/herald.yaml), against the exact text a reader of
// that language gets. Each expected string was checked by hand for the language's grammar and
// CLDR's formats: symbols and no-break spaces (U+00A0 in `R$ 1.234,56`, U+202F before `PM`),
// Indian grouping, the 12- or 24-hour clock and the departure airport's time zone.

/// The sample gateway: the rules in rules/ and the endpoints of samples/herald.yaml.
enum SampleGateway {
    /// When the sample events are planned as accepted (expiry counts from it).
    static let acceptedAt = Date(timeIntervalSince1970: 1_741_945_337)

    static let ruleSet: RuleSet? = {
        guard let paths = try? RuleCatalog.ruleFiles(in: PackageRoot.url.appending(path: "rules").path) else { return nil }
        let config = GatewayConfigDecoder(file: "samples/herald.yaml", bytes: (try? PackageRoot.bytes("samples/herald.yaml")) ?? [])
        return RuleCatalog(sources: RuleCatalog.readSources(paths).sources, endpoints: config.endpointNames).ruleSet
    }()

    static let endpoints: [Endpoint] = {
        let config = GatewayConfigDecoder(file: "samples/herald.yaml", bytes: (try? PackageRoot.bytes("samples/herald.yaml")) ?? [])
        return config.config?.endpoints ?? []
    }()

    static func planner() throws -> MessagePlanner {
        MessagePlanner(ruleSet: try #require(ruleSet, "rules/ must load without errors"), endpoints: endpoints)
    }

    /// The sample event for a template's rule, with every recipient asking for `locale`.
    static func event(for template: String, locale: String) throws -> JSONValue {
        let sample = try #require(SampleEvent.byTemplate[template], "no sample event for template '\(template)'")
        return try sample.load().replacing(sample.localePath, with: .string(locale))
    }
}

/// A sample event file and where its recipients' locale is.
struct SampleEvent: Sendable {
    var file: String
    /// Crosses arrays: `data.passengers.locale` is every passenger's locale.
    var localePath: [String]

    static let byTemplate: [String: SampleEvent] = [
        "card_fraud_check": SampleEvent(file: "card-fraud-in.json", localePath: ["data", "customer", "locale"]),
        "large_withdrawal": SampleEvent(file: "cash-withdrawal-id.json", localePath: ["data", "customer", "locale"]),
        "flight_delay": SampleEvent(file: "flight-delay.json", localePath: ["data", "passengers", "locale"]),
        "flight_cancelled": SampleEvent(file: "flight-cancelled.json", localePath: ["data", "passengers", "locale"]),
    ]

    func load() throws -> JSONValue {
        try JSONParser.parse(PackageRoot.bytes("samples/events/" + file))
    }
}

extension JSONValue {
    /// A copy with the value at `path` replaced; where the path meets an array, in every element.
    func replacing(_ path: some Collection<String>, with value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        switch self {
        case .object(var object):
            if let current = object[key] {
                object[key] = current.replacing(path.dropFirst(), with: value)
            } else if path.count == 1 {
                object[key] = value
            }
            return .object(object)
        case .array(let elements):
            return .array(elements.map { $0.replacing(path, with: value) })
        default:
            return self
        }
    }
}

/// One template in one of its locales, and the text each recipient of the sample event gets
/// (one per passenger for the airline's fan-out, in the event's order).
struct SampleTemplateCase: Sendable, CustomTestStringConvertible {
    var template: String
    var locale: String
    var texts: [String]

    init(_ template: String, _ locale: String, _ texts: String...) {
        self.template = template
        self.locale = locale
        self.texts = texts
    }

    var testDescription: String { "\(template) in \(locale)" }
}

@Suite("The sample templates in every locale they have")
struct SampleTemplatesTests {
    static let cases: [SampleTemplateCase] = [
        // card-fraud-in.json: 48999.00 INR at Croma Electronics, card 4821. CLDR's symbol for INR
        // is ₹ in en, hi and pt (with pt's no-break space) but Rs in id.
        SampleTemplateCase("card_fraud_check", "en", "Croma Electronics charged ₹48,999.00 to your card ending 4821. Was this you?"),
        SampleTemplateCase("card_fraud_check", "pt-BR", "Croma Electronics cobrou ₹\u{00A0}48.999,00 no seu cartão final 4821. Foi você?"),
        SampleTemplateCase("card_fraud_check", "hi",
            "आपके कार्ड (अंतिम अंक 4821) से Croma Electronics पर ₹48,999.00 का भुगतान हुआ है। क्या यह भुगतान आपने किया था?"),
        SampleTemplateCase("card_fraud_check", "id",
            "Ada transaksi Rs\u{00A0}48.999,00 di Croma Electronics dengan kartu Anda yang berakhiran 4821. Apakah ini Anda?"),

        // cash-withdrawal-id.json: 15000000 IDR (no minor units) at 2025-03-14T12:48:09Z, shown in the
        // customer's Asia/Jakarta (UTC+7): 19:48. Hindi groups it in lakhs and crores.
        SampleTemplateCase("large_withdrawal", "en",
            "Aurora Bank: IDR\u{00A0}15,000,000 was withdrawn from your account ending 7719 at Grand Indonesia, Jakarta Pusat on Mar 14, 2025, 7:48\u{202F}PM. Not you? Call the number on the back of your card now."),
        SampleTemplateCase("large_withdrawal", "pt-BR",
            "Aurora Bank: saque de IDR\u{00A0}15.000.000 na sua conta final 7719 em 14 de mar. de 2025, 19:48 (Grand Indonesia, Jakarta Pusat). Não foi você? Ligue agora para o número no verso do seu cartão."),
        SampleTemplateCase("large_withdrawal", "hi",
            "Aurora Bank: आपके खाते (अंतिम अंक 7719) से 14 मार्च 2025, 7:48 pm को Grand Indonesia, Jakarta Pusat पर IDR\u{00A0}1,50,00,000 निकाले गए। अगर यह आपने नहीं किया, तो तुरंत अपने कार्ड के पीछे दिए गए नंबर पर कॉल करें।"),
        SampleTemplateCase("large_withdrawal", "id",
            "Aurora Bank: Penarikan tunai Rp\u{00A0}15.000.000 dari rekening Anda yang berakhiran 7719 di Grand Indonesia, Jakarta Pusat pada 14 Mar 2025, 19.48. Bukan Anda? Segera hubungi nomor di balik kartu Anda."),

        // flight-delay.json: 95 minutes late, new departure 2025-03-14T14:25:00Z in the departure
        // airport's Asia/Jakarta: 21:25 for every passenger, wherever they live.
        SampleTemplateCase("flight_delay", "en",
            "Hi Budi Santoso, flight XH 417 is delayed by 95 minutes. New departure: Mar 14, 2025, 9:25\u{202F}PM from CGK.",
            "Hi Priya Sharma, flight XH 417 is delayed by 95 minutes. New departure: Mar 14, 2025, 9:25\u{202F}PM from CGK.",
            "Hi Ana Beatriz Souza, flight XH 417 is delayed by 95 minutes. New departure: Mar 14, 2025, 9:25\u{202F}PM from CGK."),
        SampleTemplateCase("flight_delay", "pt-BR",
            "Olá, Budi Santoso. O voo XH 417 está atrasado em 95 minutos. Nova partida: 14 de mar. de 2025, 21:25, de CGK.",
            "Olá, Priya Sharma. O voo XH 417 está atrasado em 95 minutos. Nova partida: 14 de mar. de 2025, 21:25, de CGK.",
            "Olá, Ana Beatriz Souza. O voo XH 417 está atrasado em 95 minutos. Nova partida: 14 de mar. de 2025, 21:25, de CGK."),
        SampleTemplateCase("flight_delay", "hi",
            "नमस्ते Budi Santoso, आपकी उड़ान XH 417 अब 95 मिनट की देरी से रवाना होगी। नया प्रस्थान समय: 14 मार्च 2025, 9:25 pm, CGK से।",
            "नमस्ते Priya Sharma, आपकी उड़ान XH 417 अब 95 मिनट की देरी से रवाना होगी। नया प्रस्थान समय: 14 मार्च 2025, 9:25 pm, CGK से।",
            "नमस्ते Ana Beatriz Souza, आपकी उड़ान XH 417 अब 95 मिनट की देरी से रवाना होगी। नया प्रस्थान समय: 14 मार्च 2025, 9:25 pm, CGK से।"),
        SampleTemplateCase("flight_delay", "id",
            "Halo Budi Santoso, penerbangan XH 417 ditunda 95 menit. Jadwal keberangkatan baru: 14 Mar 2025, 21.25 dari CGK.",
            "Halo Priya Sharma, penerbangan XH 417 ditunda 95 menit. Jadwal keberangkatan baru: 14 Mar 2025, 21.25 dari CGK.",
            "Halo Ana Beatriz Souza, penerbangan XH 417 ditunda 95 menit. Jadwal keberangkatan baru: 14 Mar 2025, 21.25 dari CGK."),

        // flight-cancelled.json: scheduled 2025-03-15T01:40:00Z, which is still 14 March (22:40) in
        // the departure airport's America/Sao_Paulo (UTC−3).
        SampleTemplateCase("flight_cancelled", "en",
            "Hi João Pedro Almeida, we are sorry: flight XH 222 from GRU to LIS on Mar 14, 2025, 10:40\u{202F}PM has been cancelled. Choose a new flight or a refund at https://example-air.example/b/R8TN4C",
            "Hi Rahul Verma, we are sorry: flight XH 222 from GRU to LIS on Mar 14, 2025, 10:40\u{202F}PM has been cancelled. Choose a new flight or a refund at https://example-air.example/b/W2HM6Z"),
        SampleTemplateCase("flight_cancelled", "pt-BR",
            "Olá, João Pedro Almeida. Sentimos muito: o voo XH 222 de GRU para LIS em 14 de mar. de 2025, 22:40 foi cancelado. Escolha um novo voo ou o reembolso em https://example-air.example/b/R8TN4C",
            "Olá, Rahul Verma. Sentimos muito: o voo XH 222 de GRU para LIS em 14 de mar. de 2025, 22:40 foi cancelado. Escolha um novo voo ou o reembolso em https://example-air.example/b/W2HM6Z"),
        SampleTemplateCase("flight_cancelled", "hi",
            "नमस्ते João Pedro Almeida, हमें खेद है कि 14 मार्च 2025, 10:40 pm को GRU से LIS जाने वाली उड़ान XH 222 रद्द कर दी गई है। नई उड़ान या रिफ़ंड चुनने के लिए https://example-air.example/b/R8TN4C पर जाएँ।",
            "नमस्ते Rahul Verma, हमें खेद है कि 14 मार्च 2025, 10:40 pm को GRU से LIS जाने वाली उड़ान XH 222 रद्द कर दी गई है। नई उड़ान या रिफ़ंड चुनने के लिए https://example-air.example/b/W2HM6Z पर जाएँ।"),
        SampleTemplateCase("flight_cancelled", "id",
            "Halo João Pedro Almeida, mohon maaf, penerbangan XH 222 dari GRU ke LIS pada 14 Mar 2025, 22.40 dibatalkan. Pilih penerbangan pengganti atau pengembalian dana di https://example-air.example/b/R8TN4C",
            "Halo Rahul Verma, mohon maaf, penerbangan XH 222 dari GRU ke LIS pada 14 Mar 2025, 22.40 dibatalkan. Pilih penerbangan pengganti atau pengembalian dana di https://example-air.example/b/W2HM6Z"),
    ]

    /// A template or locale added to rules/ without a case here fails, rather than going untested.
    @Test func everyTemplateAndLocaleHasACase() throws {
        let ruleSet = try #require(SampleGateway.ruleSet)
        let inRules = Set(ruleSet.templates.values.flatMap { template in template.locales.map { "\(template.id) in \($0)" } })
        let covered = Set(Self.cases.map(\.testDescription))
        #expect(covered == inRules)
        #expect(Set(SampleEvent.byTemplate.keys) == Set(ruleSet.templates.keys))
    }

    @Test(arguments: cases)
    func rendersInItsOwnLocale(_ c: SampleTemplateCase) throws {
        let event = try SampleGateway.event(for: c.template, locale: c.locale)
        let plan = try SampleGateway.planner().plan(event, now: SampleGateway.acceptedAt)
        #expect(plan.skipped.isEmpty)
        #expect(plan.messages.map(\.template) == Array(repeating: c.template, count: c.texts.count))
        for (message, expected) in zip(plan.messages, c.texts) {
            #expect(message.recipient.locale == c.locale)
            #expect(message.locale.locale == c.locale)
            #expect(message.locale.fallback == nil)
            #expect(message.formattingLocale == c.locale)
            #expect(message.problems == [])
            let text = try #require(message.text)
            #expect(!text.contains("{") && !text.contains("}"), "an argument was left unreplaced")
            #expect(text == expected)
            #expect(message.lengths.map(\.channel) == message.channels)
        }
    }

    /// The delay rule fires from 15 minutes, so `one` never shows in the samples; the same rule
    /// without its threshold plans a 1-minute delay through the real params and template.
    static let oneMinute: [SampleTemplateCase] = [
        SampleTemplateCase("flight_delay", "en",
            "Hi Budi Santoso, flight XH 417 is delayed by 1 minute. New departure: Mar 14, 2025, 9:25\u{202F}PM from CGK."),
        SampleTemplateCase("flight_delay", "pt-BR",
            "Olá, Budi Santoso. O voo XH 417 está atrasado em 1 minuto. Nova partida: 14 de mar. de 2025, 21:25, de CGK."),
        SampleTemplateCase("flight_delay", "hi",
            "नमस्ते Budi Santoso, आपकी उड़ान XH 417 अब 1 मिनट की देरी से रवाना होगी। नया प्रस्थान समय: 14 मार्च 2025, 9:25 pm, CGK से।"),
        // Indonesian has only `other`: 1 and 95 are both "menit".
        SampleTemplateCase("flight_delay", "id",
            "Halo Budi Santoso, penerbangan XH 417 ditunda 1 menit. Jadwal keberangkatan baru: 14 Mar 2025, 21.25 dari CGK."),
    ]

    @Test(arguments: oneMinute)
    func aOneMinuteDelayIsSingular(_ c: SampleTemplateCase) throws {
        let ruleSet = try #require(SampleGateway.ruleSet)
        var event = try SampleGateway.event(for: c.template, locale: c.locale)
            .replacing(["data", "delay_minutes"], with: 1)
        guard case .array(let passengers)? = event["data"]?["passengers"], let first = passengers.first else {
            Issue.record("flight-delay.json has no passengers")
            return
        }
        event = event.replacing(["data", "passengers"], with: [first])
        #expect(try SampleGateway.planner().plan(event, now: SampleGateway.acceptedAt).matched == [], "the sample rule needs 15 minutes or more")

        let rules = ruleSet.rules.map { rule -> Rule in
            guard rule.templateID == c.template else { return rule }
            var everyDelay = rule
            everyDelay.pattern = (try? EventPattern(json: ["type": ["airline.flight.delayed"]])) ?? rule.pattern
            return everyDelay
        }
        let planner = MessagePlanner(ruleSet: RuleSet(rules: rules, templates: ruleSet.templates), endpoints: SampleGateway.endpoints)
        let message = try #require(planner.plan(event, now: SampleGateway.acceptedAt).messages.first)
        #expect(message.locale.locale == c.locale)
        #expect(message.locale.fallback == nil)
        #expect(message.problems == [])
        #expect(message.text == c.texts.first)
    }

    /// A locale no template has (Arabic) gets the default `en` text, formatted for `en`, and the
    /// message records why.
    @Test(arguments: SampleEvent.byTemplate.keys.sorted())
    func aLocaleTheTemplateLacksFallsBackToTheDefault(_ template: String) throws {
        let english = try #require(Self.cases.first { $0.template == template && $0.locale == "en" })
        let plan = try SampleGateway.planner().plan(SampleGateway.event(for: template, locale: "ar"), now: SampleGateway.acceptedAt)
        #expect(plan.messages.count == english.texts.count)
        for (message, expected) in zip(plan.messages, english.texts) {
            #expect(message.recipient.locale == "ar")
            #expect(message.locale.locale == "en")
            #expect(message.locale.fallback == "ar → en (default)")
            #expect(message.formattingLocale == "en")
            #expect(message.problems == [])
            #expect(message.text == expected)
        }
    }

    /// The fraud prompt's buttons in the reader's language, and its WhatsApp template's body
    /// parameters formatted for the reader (`en-IN` gets Indian grouping under Meta's `en_US`).
    static let fraudPrompts: [(locale: String, language: String, buttons: [String], amount: String)] = [
        ("en-IN", "en_US", ["Yes, it was me", "No, block my card"], "₹48,999.00"),
        ("pt-BR", "pt_BR", ["Sim, fui eu", "Não, bloquear cartão"], "₹\u{00A0}48.999,00"),
        ("hi", "hi", ["हाँ, मैंने किया", "नहीं, कार्ड रोकें"], "₹48,999.00"),
        // No Arabic text: the default en text, buttons and template language.
        ("ar", "en_US", ["Yes, it was me", "No, block my card"], "₹48,999.00"),
    ]

    @Test(arguments: fraudPrompts)
    func theFraudPromptHasLocalizedButtonsAndAFilledWhatsAppTemplate(_ c: (locale: String, language: String, buttons: [String], amount: String)) throws {
        let plan = try SampleGateway.planner().plan(SampleGateway.event(for: "card_fraud_check", locale: c.locale), now: SampleGateway.acceptedAt)
        let message = try #require(plan.messages.first)
        #expect(message.buttons.map(\.id) == ["confirm", "block"])
        #expect(message.buttons.map(\.title) == c.buttons)
        let template = try #require(message.whatsappTemplate)
        #expect(template.name == "aurora_card_fraud_check")
        #expect(template.language == c.language)
        #expect(template.parameters == ["Croma Electronics", c.amount, "4821"])
        // The text is not what a template message sends, so WhatsApp's text limit does not apply to it.
        #expect(message.lengths.first { $0.channel == "whatsapp" }?.maximum == nil)
    }

    /// Money in each reader's own currency: the fraud prompt for 1234567.89 (IDR: 15000000).
    static let homeCurrencies: [(locale: String, currency: String, amount: String, text: String)] = [
        ("en", "USD", "1234567.89", "Croma Electronics charged $1,234,567.89 to your card ending 4821. Was this you?"),
        // An en-IN reader gets the en text with India's lakh and crore grouping.
        ("en-IN", "INR", "1234567.89", "Croma Electronics charged ₹12,34,567.89 to your card ending 4821. Was this you?"),
        ("pt-BR", "BRL", "1234.56", "Croma Electronics cobrou R$\u{00A0}1.234,56 no seu cartão final 4821. Foi você?"),
        ("hi", "INR", "1234567.89",
         "आपके कार्ड (अंतिम अंक 4821) से Croma Electronics पर ₹12,34,567.89 का भुगतान हुआ है। क्या यह भुगतान आपने किया था?"),
        ("id", "IDR", "15000000",
         "Ada transaksi Rp\u{00A0}15.000.000 di Croma Electronics dengan kartu Anda yang berakhiran 4821. Apakah ini Anda?"),
    ]

    @Test(arguments: homeCurrencies)
    func moneyInTheReadersCurrency(_ c: (locale: String, currency: String, amount: String, text: String)) throws {
        let event = try SampleGateway.event(for: "card_fraud_check", locale: c.locale)
            .replacing(["data", "amount"], with: .number(JSONNumber(Double(c.amount) ?? 0, literal: c.amount)))
            .replacing(["data", "currency"], with: .string(c.currency))
        let message = try #require(SampleGateway.planner().plan(event, now: SampleGateway.acceptedAt).messages.first)
        #expect(message.problems == [])
        #expect(message.formattingLocale == c.locale)
        #expect(message.text == c.text)
    }
}
