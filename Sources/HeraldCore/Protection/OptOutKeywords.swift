/// The words that opt a recipient out of messages (`protection: opt_out_keywords:` in herald.yaml),
/// per locale. A reply that is one of them, compared as `ReplyKeywords.normalize(_:)` compares
/// (`stop`, `Stop.`, ` STOP ` all match `STOP`), opts the sender out.
public struct OptOutKeywords: Sendable, Hashable {
    /// Locale → words, as configured.
    public var words: [String: [String]]

    public init(_ words: [String: [String]]) {
        self.words = words
    }

    /// Herald's words when herald.yaml names none: the usual carrier keywords in English, and the
    /// common ones in Brazilian Portuguese, Spanish, Indonesian and Hindi (where people text `STOP`).
    public static let defaults = OptOutKeywords([
        "en": ["STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"],
        "pt-BR": ["SAIR", "PARAR"],
        "es": ["BAJA"],
        "id": ["BERHENTI"],
        "hi": ["STOP"],
    ])

    /// The defaults with `configured` locales replaced: a locale herald.yaml lists takes exactly the
    /// words given there (an empty list removes it); the other default locales stay.
    public static func merging(defaults: OptOutKeywords = .defaults, configured: [String: [String]]) -> OptOutKeywords {
        var words = defaults.words
        for (locale, list) in configured {
            // Replace a default written with another case (`pt-br`) too.
            for key in words.keys where LocaleNegotiation.canonical(key) == LocaleNegotiation.canonical(locale) {
                words[key] = nil
            }
            if !list.isEmpty { words[locale] = list }
        }
        return OptOutKeywords(words)
    }

    /// Whether `text` is an opt-out word. The recipient's locale (and its parents) is tried first,
    /// then every other locale: missing an opt-out is worse than honouring one in an unexpected
    /// language, so a word of any configured locale counts.
    public func matches(_ text: String, locale: String?) -> Bool {
        keyword(matching: text, locale: locale) != nil
    }

    /// The configured word `text` matched, and its locale, or nil.
    public func keyword(matching text: String, locale: String?) -> (locale: String, word: String)? {
        let reply = ReplyKeywords.normalize(text)
        guard !reply.isEmpty else { return nil }
        for candidate in ReplyKeywords.localeOrder(locale, available: words.keys.sorted()) {
            for (key, list) in words where LocaleNegotiation.canonical(key) == candidate {
                if let word = list.first(where: { ReplyKeywords.normalize($0) == reply }) { return (key, word) }
            }
        }
        return nil
    }
}
