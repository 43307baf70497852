import Testing
@testable import HeraldConfig

/// How a rule's params meet its template's arguments, and locale coverage across templates.
@Suite struct TemplateChecksTests {
    static func catalog(_ yaml: String) -> RuleCatalog {
        RuleCatalog(sources: [.init(name: "rules/t.yaml", bytes: Array(yaml.utf8))], endpoints: ["sms"])
    }

    static func rules(text: String, params: String) -> String {
        """
        templates:
          t:
            default_locale: en
            text:
              en: "\(text)"
        rules:
          - id: r
            match: {type: [x]}
            recipient: {address: $.to}
            channels: [sms]
            template: t
            params:
              \(params)
        """
    }

    static let cases: [DiagnosticCase] = [
        DiagnosticCase("a date needs a datetime param", rules(text: "Leaves {when, date, short}", params: "when: $.at"),
                       [.error(13, 7, "shows {when} as a date, but param 'when' of rule 'r' is not a datetime")]),
        DiagnosticCase("a datetime is not a plural count",
                       rules(text: "{when, plural, one {# day} other {# days}}", params: "when: {datetime: $.at}"),
                       [.error(13, 7, "shows {when} as a plural count, but param 'when' of rule 'r' is a datetime")]),
        DiagnosticCase("currency style needs money", rules(text: "Pay {amount, number, currency}", params: "amount: {number: $.a}"),
                       [.error(13, 7, "is not money")]),
        DiagnosticCase("a text literal is not a count",
                       rules(text: "{n, plural, one {# seat} other {# seats}}", params: "n: many"),
                       [.error(13, 7, "is the literal \"many\", not a number")]),
        DiagnosticCase("skeletons are refused", rules(text: "{n, number, ::percent}", params: "n: {number: $.n}"),
                       [.error(13, 7, "skeleton ::percent, which Herald does not render yet; use a named style instead")]),
        DiagnosticCase("money may be shown plainly, as a number or counted",
                       rules(text: "{amount} {amount, number} {amount, plural, one {#} other {#}}", params: "amount: {money: $.a, currency: INR}"),
                       []),
        DiagnosticCase("a path param may be anything the event holds",
                       rules(text: "{n, plural, one {#} other {#}} {n, select, other {x}}", params: "n: $.n"), []),
    ]

    @Test(arguments: cases)
    func argumentTypes(_ test: DiagnosticCase) {
        expectDiagnostics(Self.catalog(test.yaml).diagnostics, test.expected)
    }

    @Test func templatesMissingALocaleOthersHaveAreWarned() {
        let yaml = """
            templates:
              a:
                default_locale: en
                text: {en: "A", hi: "ए", pt-BR: "A"}
              b:
                default_locale: en
                text: {en: "B"}
            rules:
              - {id: ra, match: {type: [x]}, recipient: {address: $.to}, channels: [sms], template: a}
              - {id: rb, match: {type: [y]}, recipient: {address: $.to}, channels: [sms], template: b}
            """
        let found = Self.catalog(yaml).diagnostics
        #expect(found.count == 1)
        #expect(found.first?.severity == .warning)
        #expect(found.first?.mark == SourceMark(line: 5, column: 3))
        #expect(found.first?.message == "template 'b' has no text for hi, pt-BR, which other templates have")
    }

    @Test func pluralsMissingALocalesCategoriesAreWarned() {
        let yaml = """
            templates:
              t:
                default_locale: en
                text:
                  en: "{n, plural, one {# minute} other {# minutes}}"
                  ru: "{n, plural, one {# минута} other {# минут}}"
                  ar: "{n, selectordinal, other {#}} {n, plural, one {دقيقة} other {# دقائق}}"
                  pt-BR: "{n, plural, one {# minuto} other {# minutos}}"
            rules:
              - {id: r, match: {type: [x]}, recipient: {address: $.to}, channels: [sms], template: t, params: {n: {number: $.n}}}
            """
        let found = Self.catalog(yaml).diagnostics
        #expect(found.map(\.severity) == [.warning, .warning])
        #expect(found.map(\.mark) == [SourceMark(line: 6, column: 11), SourceMark(line: 7, column: 11)])
        #expect(found.first?.message == "text 'ru' of template 't': {n, plural} has no 'few', 'many' case; ru uses one, few, many, other")
        #expect(found.last?.message == "text 'ar' of template 't': {n, plural} has no 'zero', 'two', 'few', 'many' case; ar uses zero, one, two, few, many, other")
    }
}
