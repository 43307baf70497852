import Testing
@testable import HeraldCore

@Suite struct SuggestionTests {
    @Test func suggestsTheClosestName() {
        #expect(Suggestion.closest(to: "tempalte", among: ["id", "template", "params"]) == "template")
        #expect(Suggestion.closest(to: "chanels", among: ["channels", "params"]) == "channels")
        #expect(Suggestion.closest(to: "xyz", among: ["channels", "params"]) == nil)
    }

    @Test func countsTranspositionsAsOneEdit() {
        #expect(Suggestion.editDistance("tempalte", "template") == 1)
        #expect(Suggestion.editDistance("", "abc") == 3)
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    }
}

@Suite struct LocaleNegotiationTests {
    @Test(arguments: [("pt_BR", "pt-BR"), ("pt-br", "pt-BR"), ("EN", "en"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419")])
    func canonicalizesTags(input: String, expected: String) {
        #expect(LocaleNegotiation.canonical(input) == expected)
    }

    @Test func fallsBackAlongParentsThenDefault() {
        let available = ["en", "pt", "hi"]
        #expect(LocaleNegotiation.choose(requested: "hi", available: available, defaultLocale: "en") == .init(locale: "hi", fallback: nil))
        #expect(LocaleNegotiation.choose(requested: "pt_BR", available: available, defaultLocale: "en") == .init(locale: "pt", fallback: "pt-BR → pt"))
        #expect(LocaleNegotiation.choose(requested: "id-ID", available: available, defaultLocale: "en") == .init(locale: "en", fallback: "id-ID → en (default)"))
        #expect(LocaleNegotiation.choose(requested: nil, available: available, defaultLocale: "en").locale == "en")
    }
}
