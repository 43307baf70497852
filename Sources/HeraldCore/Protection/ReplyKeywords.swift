import Foundation

/// Matches a customer's text reply (an SMS, or words typed on WhatsApp instead of a tap) against
/// the `keywords` of a template's buttons.
///
/// Both sides are compared in a normal form (`normalize(_:)`): trimmed, without trailing
/// punctuation, lowercased, and with Latin accents removed, so `"Sim!"`, `" SIM "` and `"sím"` all
/// match `SIM`, and `"nao"` matches `NÃO`. A reply must be the keyword as a whole: `"yes please"`
/// does not match `YES`.
public enum ReplyKeywords {
    /// The id of the button whose keyword the reply is, or nil.
    ///
    /// Keywords in the recipient's locale are tried first, then its parents' (`pt-BR` → `pt`), then
    /// every other locale in the buttons' order: a `pt-BR` customer who answers `YES` still confirms.
    public static func match(_ text: String, locale: String?, buttons: [Template.Button]) -> String? {
        let reply = normalize(text)
        guard !reply.isEmpty else { return nil }
        for candidate in localeOrder(locale, available: buttons.flatMap { $0.keywords.keys }) {
            for button in buttons {
                guard let words = button.keywords.first(where: { LocaleNegotiation.canonical($0.key) == candidate })?.value else { continue }
                if words.contains(where: { normalize($0) == reply }) { return button.id }
            }
        }
        return nil
    }

    /// The normal form replies and keywords are compared in: whitespace trimmed, trailing
    /// punctuation removed (`.`, `!`, `?`, `।`, …), lowercased, and combining accents of Latin
    /// letters dropped (`NÃO` → `nao`). Marks that are part of other scripts' letters (Devanagari
    /// vowel signs, for instance) are kept, since dropping them would change the word.
    public static func normalize(_ text: String) -> String {
        var trimmed = Substring(text)
        while let last = trimmed.last, last.isWhitespace || last.isPunctuation || last.isSymbol {
            trimmed = trimmed.dropLast()
        }
        while let first = trimmed.first, first.isWhitespace || "¡¿\"'“‘«".contains(first) {
            trimmed = trimmed.dropFirst()
        }
        let decomposed = String(trimmed).lowercased().decomposedStringWithCanonicalMapping
        var scalars = String.UnicodeScalarView()
        for scalar in decomposed.unicodeScalars where !(0x0300...0x036F).contains(scalar.value) {
            scalars.append(scalar)
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    /// A keyword as `herald check` accepts it: letters and digits only, 1 to 20 characters.
    public static func isValidKeyword(_ word: String) -> Bool {
        (1...maximumLength).contains(word.count) && word.allSatisfy { $0.isLetter || $0.isNumber }
    }

    /// The longest keyword, in characters: replies are single words such as YES, SIM or BERHENTI.
    public static let maximumLength = 20

    /// The locales to try, in order: the requested one, its parents, then the rest in first-seen order.
    static func localeOrder(_ locale: String?, available: [String]) -> [String] {
        var order: [String] = []
        if let locale, !locale.isEmpty {
            var subtags = LocaleNegotiation.canonical(locale).split(separator: "-").map(String.init)
            while !subtags.isEmpty {
                order.append(subtags.joined(separator: "-"))
                subtags.removeLast()
            }
        }
        for tag in available.map(LocaleNegotiation.canonical) where !order.contains(tag) {
            order.append(tag)
        }
        return order
    }
}
