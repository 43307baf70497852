import HeraldCore
import Testing
@testable import HeraldConfig

// A template's SMS replies: `keywords` on each button and `sms_reply`, checked with exact positions.

/// Template `t` with two buttons (keyword lines 10 and 13) and an `sms_reply` from line 14, used by rule `r`.
private func template(
    confirm: String = "keywords: {en: [YES, Y], pt-BR: [SIM, S]}",
    block: String = "keywords: {en: [NO, N], pt-BR: [NÃO, N]}",
    smsReply: String = """
        sms_reply:
          en: "Reply YES if it was you or NO to block your card."
          pt-BR: "Responda SIM se foi você ou NÃO para bloquear o cartão."
    """
) -> String {
    """
    templates:
      t:
        default_locale: en
        text:
          en: "Was this you?"
          pt-BR: "Foi você?"
        buttons:
          - id: confirm
            text: {en: "Yes", pt-BR: "Sim"}
            \(confirm)
          - id: block
            text: {en: "No", pt-BR: "Não"}
            \(block)
    \(smsReply)
    rules:
      - id: r
        match: {type: [x]}
        recipient: {address: $.to}
        channels: [whatsapp, sms]
        template: t
    """
}

private func catalog(_ yaml: String, optOut: OptOutKeywords? = nil) -> RuleCatalog {
    RuleCatalog(sources: [.init(name: "rules/k.yaml", bytes: Array(yaml.utf8))], endpoints: ["whatsapp", "sms"], optOutKeywords: optOut)
}

@Suite struct ReplyKeywordsChecksTests {
    @Test func keywordsAndTheSMSInstructionDecode() throws {
        let catalog = catalog(template())
        expectDiagnostics(catalog.diagnostics, [])
        let template = try #require(catalog.ruleSet?.templates["t"])
        #expect(template.buttons[0].keywords == ["en": ["YES", "Y"], "pt-BR": ["SIM", "S"]])
        #expect(template.buttons[1].keywords == ["en": ["NO", "N"], "pt-BR": ["NÃO", "N"]])
        #expect(template.smsReply["pt-BR"] == "Responda SIM se foi você ou NÃO para bloquear o cartão.")
        #expect(ReplyKeywords.match("não", locale: "pt-BR", buttons: template.buttons) == "block")
        #expect(template.smsText("Foi você?", textLocale: "pt-BR") == "Foi você?\nResponda SIM se foi você ou NÃO para bloquear o cartão.")
    }

    @Test func keywordsWithoutAnInstructionAreFine() {
        expectDiagnostics(catalog(template(smsReply: "")).diagnostics, [])
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase("a keyword of two words", template(confirm: "keywords: {en: [YES PLEASE, Y], pt-BR: [SIM, S]}"),
                       [.error(10, 25, "keyword 'YES PLEASE' of button 'confirm' of template 't' must be one word of letters and digits, at most 20 characters")]),
        DiagnosticCase("a keyword with punctuation", template(confirm: "keywords: {en: [\"YES!\", Y], pt-BR: [SIM, S]}"),
                       [.error(10, 25, "keyword 'YES!' of button 'confirm' of template 't' must be one word of letters and digits")]),
        DiagnosticCase("a keyword over 20 characters", template(confirm: "keywords: {en: [ABSOLUTELYCERTAINLYYES, Y], pt-BR: [SIM, S]}"),
                       [.error(10, 25, "keyword 'ABSOLUTELYCERTAINLYYES' of button 'confirm' of template 't' must be one word")]),
        DiagnosticCase("an empty keyword", template(confirm: "keywords: {en: [\"\", Y], pt-BR: [SIM, S]}"),
                       [.error(10, 25, "a keyword of button 'confirm' of template 't' is empty")]),
        DiagnosticCase("a keyword that is a list", template(confirm: "keywords: {en: [[YES], Y], pt-BR: [SIM, S]}"),
                       [.error(10, 25, "a keyword of button 'confirm' of template 't' must be a word, not a list")]),
        DiagnosticCase("a digit is a keyword", template(confirm: "keywords: {en: [1, YES], pt-BR: [1, SIM]}",
                                                       block: "keywords: {en: [2, NO], pt-BR: [2, NÃO]}", smsReply: """
                sms_reply:
                  en: "Reply 1 if it was you or 2 to block your card."
                  pt-BR: "Responda 1 se foi você ou 2 para bloquear o cartão."
            """), []),
        DiagnosticCase("one word for two buttons", template(block: "keywords: {en: [NO, Y], pt-BR: [NÃO, N]}"),
                       [.error(13, 29, "keyword 'Y' (en) of button 'block' of template 't' is also a keyword of button 'confirm'; give each button its own words")]),
        DiagnosticCase("accents and case do not tell words apart", template(block: "keywords: {en: [NO, N], pt-BR: [NÃO, sím]}"),
                       [.error(13, 46, "keyword 'sím' (pt-BR) of button 'block' of template 't' is also a keyword of button 'confirm'")]),
        DiagnosticCase("a word twice in one button", template(confirm: "keywords: {en: [YES, yes], pt-BR: [SIM, S]}"),
                       [.error(10, 30, "keyword 'yes' (en) is listed twice in button 'confirm' of template 't'")]),
        DiagnosticCase("the same word in two locales is fine", template(confirm: "keywords: {en: [YES, S], pt-BR: [SIM, S]}"), []),
        DiagnosticCase("an empty keyword list", template(confirm: "keywords: {en: [], pt-BR: [SIM, S]}"),
                       [.error(10, 24, "keywords 'en' of button 'confirm' of template 't' is an empty list")]),
        DiagnosticCase("keywords as a list", template(confirm: "keywords: [YES, SIM]"),
                       [.error(10, 19, "'keywords' of button 'confirm' of template 't' must be a mapping, not a list")]),
        DiagnosticCase("keywords that are empty", template(confirm: "keywords: {}"),
                       [.error(10, 19, "'keywords' of button 'confirm' of template 't' is empty")]),
        DiagnosticCase("a keyword locale that is not one", template(confirm: "keywords: {english: [YES], pt-BR: [SIM, S]}"),
                       [.error(10, 20, "'english' is not a BCP 47 locale")]),
        DiagnosticCase("a misspelt keywords key", template(confirm: "keywrds: {en: [YES], pt-BR: [SIM]}"),
                       [.error(10, 9, "unknown key 'keywrds' in a button of template 't'; did you mean 'keywords'?")]),
        DiagnosticCase("a button without keywords in a locale with an instruction", template(block: "keywords: {en: [NO, N]}"),
                       [.error(13, 19, "button 'block' of template 't' has no keywords for 'pt-BR', which has an 'sms_reply'; add 'pt-BR: [WORD, …]' under the button's 'keywords:'")]),
        DiagnosticCase("a button without keywords at all", template(block: "# no keywords"),
                       [.error(11, 13, "button 'block' of template 't' has no keywords for 'en', which has an 'sms_reply'"),
                        .error(11, 13, "button 'block' of template 't' has no keywords for 'pt-BR', which has an 'sms_reply'")]),
        DiagnosticCase("a parent locale's keywords answer for it", template(
            confirm: "keywords: {en: [YES], pt: [SIM]}", block: "keywords: {en: [NO], pt: [NÃO]}"), []),
        DiagnosticCase("an instruction that does not name the first keywords", template(smsReply: """
                sms_reply:
                  en: "Reply YES if it was you or NO to block your card."
                  pt-BR: "Responda S ou N."
            """),
                       [.warning(16, 14, "sms_reply 'pt-BR' of template 't' does not mention 'SIM', the first keyword of button 'confirm'"),
                        .warning(16, 14, "sms_reply 'pt-BR' of template 't' does not mention 'NÃO', the first keyword of button 'block'")]),
        DiagnosticCase("an instruction is compared without accents or case", template(smsReply: """
                sms_reply:
                  en: "Reply yes if it was you or no to block your card."
                  pt-BR: "Responda Sim se foi você ou Nao para bloquear o cartão."
            """), []),
        DiagnosticCase("an instruction with a param", template(smsReply: """
                sms_reply:
                  en: "Reply YES for {merchant} or NO to block your card."
                  pt-BR: "Responda SIM se foi você ou NÃO para bloquear o cartão."
            """),
                       [.error(15, 26, "sms_reply 'en' of template 't' is plain text, but has '{'; params are not filled in here")]),
        DiagnosticCase("an instruction with spaces around it", template(smsReply: """
                sms_reply:
                  en: " Reply YES or NO."
                  pt-BR: "Responda SIM se foi você ou NÃO para bloquear o cartão."
            """),
                       [.error(15, 11, "sms_reply 'en' of template 't' starts or ends with spaces; write \"Reply YES or NO.\"")]),
        DiagnosticCase("an empty instruction", template(smsReply: """
                sms_reply:
                  en: ""
                  pt-BR: "Responda SIM se foi você ou NÃO para bloquear o cartão."
            """),
                       [.error(15, 11, "sms_reply 'en' of template 't' is empty")]),
        DiagnosticCase("an instruction for a locale without text", template(smsReply: """
                sms_reply:
                  en: "Reply YES if it was you or NO to block your card."
                  hi: "Haan ke liye YES, nahi ke liye NO likhein."
            """),
                       [.error(16, 7, "'sms_reply' of template 't' has an instruction for 'hi', which the template has no text for; use one of en, pt-BR")]),
        DiagnosticCase("a text locale without an instruction", template(smsReply: """
                sms_reply:
                  en: "Reply YES if it was you or NO to block your card."
            """),
                       [.warning(15, 7, "template 't' has no 'sms_reply' for pt-BR, which its text has; add 'pt-BR: \"…\"', or SMS readers in those locales get the 'en' instruction")]),
        DiagnosticCase("an instruction as a string", template(smsReply: "    sms_reply: \"Reply YES or NO.\""),
                       [.error(14, 16, "'sms_reply' of template 't' must be a mapping, not a string")]),
        DiagnosticCase("a locale given twice", template(smsReply: """
                sms_reply:
                  en: "Reply YES if it was you or NO to block your card."
                  pt-BR: "Responda SIM se foi você ou NÃO para bloquear o cartão."
                  pt_br: "Responda SIM ou NÃO."
            """),
                       [.error(17, 7, "locale 'pt_br' of 'sms_reply' of template 't' is given twice (as 'pt-BR')")]),
    ]

    @Test(arguments: cases)
    func diagnostics(_ test: DiagnosticCase) {
        expectDiagnostics(catalog(test.yaml).diagnostics, test.expected)
    }

    @Test func anInstructionNeedsButtons() {
        let yaml = """
            templates:
              t:
                default_locale: en
                text: {en: "Your flight is delayed."}
                sms_reply: {en: "Reply YES."}
            rules:
              - {id: r, match: {type: [x]}, recipient: {address: $.to}, channels: [sms], template: t}
            """
        expectDiagnostics(catalog(yaml).diagnostics, [
            .error(5, 5, "template 't' has 'sms_reply' but no buttons; add 'buttons:' with 'keywords:', or remove 'sms_reply:'"),
        ])
    }

    @Test func aKeywordThatIsAnOptOutWordIsAWarning() {
        let yaml = template(block: "keywords: {en: [NO, Cancel], pt-BR: [NÃO, parar]}")
        expectDiagnostics(catalog(yaml, optOut: .defaults).diagnostics, [
            .warning(13, 29, "keyword 'Cancel' of button 'block' of template 't' is also an opt-out word ('CANCEL', en); a customer who replies 'Cancel' is opted out"),
            .warning(13, 51, "keyword 'parar' of button 'block' of template 't' is also an opt-out word ('PARAR', pt-BR)"),
        ])
        // Not checked unless herald.yaml's words are given.
        expectDiagnostics(catalog(yaml).diagnostics, [])
    }
}
