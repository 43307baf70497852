import HeraldCore
import Testing
@testable import HeraldConfig

// A rule's conversation and protection keys: category, urgent, expires, dedupe, on_reply and
// respect_opt_out, decoded and checked with exact positions (the on_reply endpoint against herald.yaml).

/// A rule `r` whose keys end on line 6; `extra` (indented by four spaces) starts on line 7.
private func rule(_ extra: String, forEach: Bool = false) -> String {
    """
    rules:
      - id: r
        match: {type: [x]}
        recipient: {address: \(forEach ? "\"@.phone\"" : "$.to")}
        channels: [sms]
        template: t
    \(extra)\(forEach ? "\n    for_each: $.data.passengers" : "")
    """
}

private func decode(_ yaml: String) -> RuleFileDecoder {
    RuleFileDecoder(file: "rules/p.yaml", bytes: Array(yaml.utf8))
}

@Suite struct RuleProtectionTests {
    @Test func everyKeyDecodes() throws {
        let decoder = decode(rule("""
                category: fraud
                urgent: true
                expires: 15m
                dedupe: {key: $.data.transaction_id, window: 12h}
                on_reply: {endpoint: bank-callback}
                respect_opt_out: true
            """))
        expectDiagnostics(decoder.diagnostics, [])
        let compiled = try #require(decoder.rules.first?.rule)
        #expect(compiled.category == .fraud)
        #expect(compiled.urgent)
        #expect(compiled.expires == .seconds(900))
        #expect(compiled.dedupe == Dedupe(key: [try ValuePath(parsing: "$.data.transaction_id")], window: .seconds(12 * 3600)))
        #expect(compiled.onReply == "bank-callback")
        #expect(compiled.respectOptOut)
        #expect(decoder.rules.first?.onReply?.mark == SourceMark(line: 11, column: 26))
    }

    @Test func defaults() throws {
        let decoder = decode(rule(""))
        let compiled = try #require(decoder.rules.first?.rule)
        #expect(compiled.category == .service && !compiled.urgent && compiled.expires == nil && compiled.dedupe == nil && compiled.onReply == nil)
        #expect(compiled.respectOptOut)
        let fraud = try #require(decode(rule("    category: fraud")).rules.first?.rule)
        #expect(!fraud.respectOptOut)
        let marketing = try #require(decode(rule("    category: marketing")).rules.first?.rule)
        #expect(marketing.respectOptOut)
    }

    @Test func aDedupeKeyMayBeSeveralPathsAndReadTheElement() throws {
        let decoder = decode(rule("    dedupe: {key: [$.data.flight, \"@.booking\"], window: 6h}", forEach: true))
        expectDiagnostics(decoder.diagnostics, [])
        let dedupe = try #require(decoder.rules.first?.rule?.dedupe)
        #expect(dedupe.key == [try ValuePath(parsing: "$.data.flight"), try ValuePath(parsing: "@.booking")])
        #expect(dedupe.window == .seconds(6 * 3600))
        let defaulted = try #require(decode(rule("    dedupe: {key: $.id}")).rules.first?.rule?.dedupe)
        #expect(defaulted.window == .seconds(86_400))
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase("a misspelt key", rule("    expire: 15m"),
                       [.error(7, 5, "unknown key 'expire' in rule 'r'; did you mean 'expires'?")]),
        DiagnosticCase("an unknown category", rule("    category: frud"),
                       [.error(7, 15, "unknown category 'frud' of rule 'r'; did you mean 'fraud'?")]),
        DiagnosticCase("a category that is no word", rule("    category: promotions"),
                       [.error(7, 15, "unknown category 'promotions' of rule 'r'; use one of fraud, service, marketing (default: service)")]),
        DiagnosticCase("a category list", rule("    category: [fraud]"),
                       [.error(7, 15, "'category' of rule 'r' must be a string, not a list")]),
        DiagnosticCase("urgent: yes is a string in YAML 1.2", rule("    urgent: yes"),
                       [.error(7, 13, "'urgent' of rule 'r' must be true or false, not a string")]),
        DiagnosticCase("expires over a week", rule("    expires: 8d"),
                       [.error(7, 14, "'expires' of rule 'r' must be a duration from 1s to 7d, like 15m")]),
        DiagnosticCase("expires under a second", rule("    expires: 500ms"),
                       [.error(7, 14, "'expires' of rule 'r' must be a duration from 1s to 7d")]),
        DiagnosticCase("expires that is no duration", rule("    expires: soon"),
                       [.error(7, 14, "'expires' of rule 'r' must be a duration from 1s to 7d")]),
        DiagnosticCase("expires in bare seconds", rule("    expires: 900"), []),
        DiagnosticCase("dedupe as a path", rule("    dedupe: $.data.id"),
                       [.error(7, 13, "'dedupe' of rule 'r' must be a mapping, not a string; write e.g. 'dedupe: {key: $.data.transaction_id, window: 24h}'")]),
        DiagnosticCase("dedupe without a key", rule("    dedupe: {window: 24h}"),
                       [.error(7, 13, "missing key 'key' in 'dedupe' of rule 'r'; add 'key:'")]),
        DiagnosticCase("dedupe with a misspelt window", rule("    dedupe: {key: $.a, windw: 1h}"),
                       [.error(7, 24, "unknown key 'windw' in 'dedupe' of rule 'r'; did you mean 'window'?")]),
        DiagnosticCase("a dedupe key that is a number", rule("    dedupe: {key: 42}"),
                       [.error(7, 19, "'key' of 'dedupe' of rule 'r' must be a path into the event, not a number")]),
        DiagnosticCase("a dedupe key that is a literal", rule("    dedupe: {key: transaction_id}"),
                       [.error(7, 19, "'key' of 'dedupe' of rule 'r' must be a path into the event, not a literal")]),
        DiagnosticCase("a dedupe key with '@' and no for_each", rule("    dedupe: {key: \"@.id\"}"),
                       [.error(7, 19, "'key' of 'dedupe' of rule 'r' uses '@', which needs 'for_each'")]),
        DiagnosticCase("a bad dedupe path points at the offending character", rule("    dedupe: {key: $.data..id}"),
                       [.error(7, 26, "'key' of 'dedupe' of rule 'r': bad path '$.data..id': descendant segments ('..') are not supported at character 8")]),
        DiagnosticCase("a dedupe key list with a path twice", rule("    dedupe: {key: [$.a, $.a]}"),
                       [.error(7, 25, "path '$.a' is listed twice in 'key' of 'dedupe' of rule 'r'")]),
        DiagnosticCase("an empty dedupe key list", rule("    dedupe: {key: []}"),
                       [.error(7, 19, "'key' of 'dedupe' of rule 'r' is an empty list")]),
        DiagnosticCase("a dedupe window over 30 days", rule("    dedupe: {key: $.a, window: 31d}"),
                       [.error(7, 32, "'window' of 'dedupe' of rule 'r' must be a duration from 1s to 30d, like 24h")]),
        DiagnosticCase("on_reply as a bare name", rule("    on_reply: bank-callback"),
                       [.error(7, 15, "'on_reply' of rule 'r' must be a mapping, not a string; write 'on_reply: {endpoint: bank-callback}'")]),
        DiagnosticCase("on_reply without an endpoint", rule("    on_reply: {}"),
                       [.error(7, 15, "missing key 'endpoint' in 'on_reply' of rule 'r'; add 'endpoint:'")]),
        DiagnosticCase("on_reply with a URL instead", rule("    on_reply: {url: x}"),
                       [.error(7, 16, "unknown key 'url' in 'on_reply' of rule 'r'; allowed keys are 'endpoint'"),
                        .error(7, 15, "missing key 'endpoint' in 'on_reply' of rule 'r'")]),
        DiagnosticCase("an on_reply endpoint that is no endpoint name", rule("    on_reply: {endpoint: \"bank callback\"}"),
                       [.error(7, 26, "'bank callback' in 'on_reply' of rule 'r' is not an endpoint name; endpoint names are letters, digits, '.', '_' and '-', e.g. 'bank-callback'")]),
        DiagnosticCase("respect_opt_out: no is a string", rule("    respect_opt_out: \"no\""),
                       [.error(7, 22, "'respect_opt_out' of rule 'r' must be true or false, not a string")]),
        DiagnosticCase("marketing always respects opt-outs", rule("    category: marketing\n    respect_opt_out: false"),
                       [.error(8, 22, "rule 'r' is a marketing rule, which always respects opt-outs")]),
        DiagnosticCase("an urgent marketing rule is a warning", rule("    category: marketing\n    urgent: true"),
                       [.warning(8, 13, "rule 'r' is a marketing rule marked urgent: its offers would skip pacing and quiet hours")]),
        DiagnosticCase("fraud may ignore opt-outs", rule("    category: fraud\n    respect_opt_out: false"), []),
    ]

    @Test(arguments: cases)
    func diagnostics(_ test: DiagnosticCase) {
        expectDiagnostics(decode(test.yaml).diagnostics, test.expected)
    }

    @Test func aRuleWithABadProtectionKeyIsNotCompiled() {
        #expect(decode(rule("    expires: 8d")).rules.first?.rule == nil)
        #expect(decode(rule("    category: marketing\n    urgent: true")).rules.first?.rule != nil)
    }

    // MARK: on_reply against herald.yaml

    static func catalog(_ yaml: String, endpoints: Set<String>? = ["sms", "bank-callback", "whatsapp"],
                        kinds: [String: Endpoint.Kind] = [:]) -> RuleCatalog {
        RuleCatalog(sources: [.init(name: "rules/p.yaml", bytes: Array((yaml + "\ntemplates: {t: {default_locale: en, text: {en: hi}}}\n").utf8))],
                    endpoints: endpoints, endpointKinds: kinds)
    }

    @Test func anOnReplyEndpointMustExist() {
        expectDiagnostics(Self.catalog(rule("    on_reply: {endpoint: bank-calback}")).diagnostics, [
            .error(7, 26, "rule 'r' forwards replies to unknown endpoint 'bank-calback'; did you mean 'bank-callback'?"),
        ])
        expectDiagnostics(Self.catalog(rule("    on_reply: {endpoint: crm}")).diagnostics, [
            .error(7, 26, "rule 'r' forwards replies to unknown endpoint 'crm'; define it under 'endpoints:' in herald.yaml, e.g. 'crm: {kind: webhook, url: …}' (known: bank-callback, sms, whatsapp)"),
        ])
        // Without herald.yaml, endpoint names are not checked.
        expectDiagnostics(Self.catalog(rule("    on_reply: {endpoint: crm}"), endpoints: nil).diagnostics, [])
    }

    @Test func anOnReplyEndpointShouldBeAWebhook() {
        let kinds: [String: Endpoint.Kind] = ["sms": .twilio, "bank-callback": .webhook, "whatsapp": .whatsapp]
        expectDiagnostics(Self.catalog(rule("    on_reply: {endpoint: bank-callback}"), kinds: kinds).diagnostics, [])
        expectDiagnostics(Self.catalog(rule("    on_reply: {endpoint: whatsapp}"), kinds: kinds).diagnostics, [
            .warning(7, 26, "rule 'r' forwards replies to endpoint 'whatsapp', which is a whatsapp endpoint, not a webhook; replies are forwarded as JSON to your own service"),
        ])
    }
}

/// The samples use every new key, and pass the cross checks with herald.yaml's kinds and opt-out words.
@Suite struct SampleProtectionTests {
    @Test func theSamplesUseTheConversationKeys() throws {
        let config = GatewayConfigDecoder(file: "samples/herald.yaml", bytes: try PackageRoot.bytes("samples/herald.yaml"))
        expectDiagnostics(config.log.diagnostics, [])
        let gateway = try #require(config.config)
        #expect(gateway.endpoint(named: "bank-callback")?.kind == .webhook)
        #expect(gateway.endpoint(named: "whatsapp")?.appSecret == .environment("WHATSAPP_APP_SECRET"))
        #expect(gateway.protection.pacing == Pacing(limit: 5, per: .seconds(3600)))
        #expect(gateway.protection.quietHours != nil)
        #expect(gateway.protection.notUnderstood(for: "hi-IN")?.hasPrefix("क्षमा करें") == true)

        let paths = try RuleCatalog.ruleFiles(in: PackageRoot.url.appending(path: "rules").path)
        let catalog = RuleCatalog(sources: RuleCatalog.readSources(paths).sources, endpoints: config.endpointNames,
                                  endpointKinds: config.endpointKinds, optOutKeywords: gateway.protection.optOutKeywords)
        expectDiagnostics(catalog.diagnostics, [])
        let ruleSet = try #require(catalog.ruleSet)
        let fraud = try #require(ruleSet.rules.first { $0.id == "card-fraud-check" })
        #expect(fraud.category == .fraud && fraud.urgent && !fraud.suppressedByOptOut)
        #expect(fraud.expires == .seconds(900))
        #expect(fraud.dedupe == Dedupe(key: [try ValuePath(parsing: "$.data.transaction_id")]))
        #expect(fraud.onReply == "bank-callback")
        let delay = try #require(ruleSet.rules.first { $0.id == "flight-delay-notice" })
        #expect(delay.category == .service && !delay.urgent && delay.expires == .seconds(6 * 3600))
        #expect(delay.dedupe?.key.count == 2)

        let template = try #require(ruleSet.templates["card_fraud_check"])
        #expect(Set(template.smsReply.keys) == ["en", "pt-BR", "hi", "id"])
        for (reply, locale, button) in [("Sim", "pt-BR", "confirm"), ("nao", "pt-BR", "block"), ("haan", "hi-IN", "confirm"),
                                         ("नहीं", "hi-IN", "block"), ("ya", "id-ID", "confirm"), ("Bukan.", "id-ID", "block"),
                                         ("YES", "hi-IN", "confirm")] {
            #expect(ReplyKeywords.match(reply, locale: locale, buttons: template.buttons) == button, "\(reply) (\(locale))")
        }
        #expect(template.smsText("…", textLocale: "hi") == "…\nअगर यह भुगतान आपने किया था तो HAAN लिखें, या कार्ड रोकने के लिए NAHI लिखें।")
    }
}
