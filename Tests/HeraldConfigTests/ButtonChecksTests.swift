import HeraldCore
import Testing
@testable import HeraldConfig

/// Reply buttons and WhatsApp templates: what `herald check` refuses before Meta would.
@Suite struct ButtonChecksTests {
    static func catalog(_ yaml: String) -> RuleCatalog {
        RuleCatalog(sources: [.init(name: "rules/b.yaml", bytes: Array(yaml.utf8))], endpoints: ["whatsapp", "sms"])
    }

    /// A template `t` (en and pt-BR) with `extra` under it, used by rule `r` with params merchant and amount.
    static func rules(_ extra: String, text: String = "{merchant} charged {amount}. Was this you?") -> String {
        """
        templates:
          t:
            default_locale: en
            text:
              en: "\(text)"
              pt-BR: "{merchant} cobrou {amount}. Foi você?"
        \(extra)
        rules:
          - id: r
            match: {type: [x]}
            recipient: {address: $.to, locale: $.locale}
            channels: [whatsapp, sms]
            template: t
            params:
              merchant: $.merchant
              amount: {money: $.amount, currency: INR}
        """
    }

    static let yesNo = """
            buttons:
              - id: confirm
                text: {en: "Yes, it was me", pt-BR: "Sim, fui eu"}
              - id: block
                text: {en: "No, block my card", pt-BR: "Não, bloquear"}
        """

    @Test func buttonsAndAWhatsAppTemplateDecode() throws {
        let catalog = Self.catalog(Self.rules(Self.yesNo + """

                whatsapp:
                  template: aurora_fraud_check_v2
                  languages: {en: en_US}
                  body: [merchant, amount]
            """))
        expectDiagnostics(catalog.diagnostics, [])
        let template = try #require(catalog.ruleSet?.templates["t"])
        #expect(template.buttons.map(\.id) == ["confirm", "block"])
        #expect(template.buttons[0].title(for: "pt-BR", defaultLocale: "en") == "Sim, fui eu")
        #expect(template.buttons[1].title(for: "hi", defaultLocale: "en") == "No, block my card")
        let whatsapp = try #require(template.whatsapp)
        #expect(whatsapp.name == "aurora_fraud_check_v2")
        #expect(whatsapp.body == ["merchant", "amount"])
        #expect(whatsapp.languageCode(for: "en") == "en_US")
        #expect(whatsapp.languageCode(for: "pt-BR") == "pt_BR")
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase("a fourth reply button", rules("""
                buttons:
                  - {id: a, text: {en: "A", pt-BR: "A"}}
                  - {id: b, text: {en: "B", pt-BR: "B"}}
                  - {id: c, text: {en: "C", pt-BR: "C"}}
                  - {id: d, text: {en: "D", pt-BR: "D"}}
            """), [.error(11, 9, "template 't' has 4 buttons; WhatsApp shows at most 3 reply buttons")]),
        DiagnosticCase("a WhatsApp template takes up to ten quick replies", rules("""
                buttons:
                  - {id: a, text: {en: "A", pt-BR: "A"}}
                  - {id: b, text: {en: "B", pt-BR: "B"}}
                  - {id: c, text: {en: "C", pt-BR: "C"}}
                  - {id: d, text: {en: "D", pt-BR: "D"}}
                whatsapp: {template: four_choices, body: [merchant, amount]}
            """), []),
        DiagnosticCase("a title over 20 characters, counted as UTF-16", rules("""
                buttons:
                  - id: confirm
                    text: {en: "Yes, that was me 👍🏽", pt-BR: "Sim"}
            """), [.error(9, 20, "title 'en' of button 'confirm' of template 't' is 21 characters long; WhatsApp allows 20")]),
        DiagnosticCase("the same id twice, the same title twice", rules("""
                buttons:
                  - {id: confirm, text: {en: "Yes", pt-BR: "Sim"}}
                  - {id: confirm, text: {en: "No", pt-BR: "Não"}}
                  - {id: deny, text: {en: "Yes", pt-BR: "Não"}}
            """), [
                .error(9, 14, "button id 'confirm' is used twice in template 't'"),
                .error(10, 31, "title 'en' \"Yes\" of button 'deny' of template 't' is also another button's title"),
                .error(10, 45, "title 'pt-BR' \"Não\" of button 'deny'"),
            ]),
        DiagnosticCase("a button without a title in the default locale", rules("""
                buttons:
                  - {id: confirm, text: {pt-BR: "Sim"}}
            """), [.error(8, 29, "button 'confirm' of template 't' has no title in the default locale 'en'")]),
        DiagnosticCase("a text locale without a title is warned", rules("""
                buttons:
                  - {id: confirm, text: {en: "Yes"}}
            """), [.warning(8, 29, "button 'confirm' of template 't' has no title for pt-BR")]),
        DiagnosticCase("bad ids, empty and padded titles", rules("""
                buttons:
                  - {id: "yes please", text: {en: "Yes", pt-BR: "Sim"}}
                  - {id: no, text: {en: " No", pt-BR: ""}}
            """), [
                .error(8, 14, "button id 'yes please' of template 't' must be letters, digits"),
                .error(9, 29, "title 'en' of button 'no' of template 't' starts or ends with spaces; write \"No\""),
                .error(9, 43, "title 'pt-BR' of button 'no' of template 't' is empty"),
            ]),
        DiagnosticCase("a text whose fixed words exceed 1,024 characters cannot carry buttons",
                       rules("""
                buttons:
                  - {id: ok, text: {en: "OK", pt-BR: "OK"}}
            """, text: "{merchant} {amount} " + String(repeating: "x", count: 1030)),
                       [.error(5, 11, "text 'en' of template 't' is at least 1032 characters long; a WhatsApp message with buttons allows 1024")]),
        DiagnosticCase("a Meta template's name, languages and body are checked", rules("""
                whatsapp:
                  template: Aurora-Fraud
                  languages: {en: en-US, hi: hi}
                  body: ["{amount}", merchant]
            """), [
                .error(8, 17, "'Aurora-Fraud' is not a WhatsApp template name; WhatsApp template names are lowercase letters, digits and '_' (up to 512), e.g. 'aurora_fraud'"),
                .error(9, 23, "'en-US' is not a WhatsApp language code"),
                .error(9, 30, "'whatsapp' of template 't' maps locale 'hi', which the template has no text for"),
                .error(10, 14, "body parameter '{amount}' of 'whatsapp' of template 't' is not a param name; write the bare name: 'amount'"),
            ]),
        DiagnosticCase("the rule must give the template's body params", rules("""
                whatsapp: {template: aurora_fraud, body: [merchant, amount, last4]}
            """), [.error(13, 15, "template 't' fills its WhatsApp template's body with 'last4', which rule 'r' does not give")]),
    ]

    @Test(arguments: cases)
    func diagnostics(_ test: DiagnosticCase) {
        expectDiagnostics(Self.catalog(test.yaml).diagnostics, test.expected)
    }
}
