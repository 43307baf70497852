/// Picks the template translation for a recipient's locale: the exact locale, then its parents
/// (`pt-BR` → `pt`), then the template's default. The templates issue refines this with CLDR data.
public enum LocaleNegotiation {
    public struct Choice: Sendable, Hashable {
        /// The translation used.
        public var locale: String
        /// Why: nil when the requested locale was used as is, else e.g. "pt-BR → pt" or "hi-IN → en (default)".
        public var fallback: String?
    }

    /// `pt_BR`, `pt-br`, `PT-br` → `pt-BR`; `zh-hant-tw` → `zh-Hant-TW` (BCP 47 case conventions).
    public static func canonical(_ tag: String) -> String {
        let subtags = tag.split(whereSeparator: { $0 == "_" || $0 == "-" }).map(String.init)
        return subtags.enumerated().map { position, subtag in
            if position == 0 { return subtag.lowercased() }
            if subtag.count == 2, subtag.allSatisfy(\.isLetter) { return subtag.uppercased() }
            if subtag.count == 4, subtag.allSatisfy(\.isLetter) { return subtag.prefix(1).uppercased() + subtag.dropFirst().lowercased() }
            return subtag.lowercased()
        }.joined(separator: "-")
    }

    public static func choose(requested: String?, available: [String], defaultLocale: String) -> Choice {
        let byCanonical = Dictionary(available.map { (canonical($0), $0) }, uniquingKeysWith: { first, _ in first })
        guard let requested, !requested.isEmpty else {
            return Choice(locale: defaultLocale, fallback: "no locale → \(defaultLocale) (default)")
        }
        let wanted = canonical(requested)
        var subtags = wanted.split(separator: "-").map(String.init)
        while !subtags.isEmpty {
            let candidate = subtags.joined(separator: "-")
            if let match = byCanonical[candidate] {
                return Choice(locale: match, fallback: candidate == wanted ? nil : "\(wanted) → \(match)")
            }
            subtags.removeLast()
        }
        return Choice(locale: defaultLocale, fallback: "\(wanted) → \(defaultLocale) (default)")
    }
}
