import Synchronization

/// The plural rules of one locale from CLDR, cardinal ("1 day", "2 days") or ordinal ("1st", "2nd"):
/// which ``MessageFormat/PluralCategory`` a number takes in a `plural` or `selectordinal` argument.
///
/// ```swift
/// let rules = PluralRules.rules(for: "ar")
/// rules.category(for: PluralOperands(decimal: "3")!)   // .few
/// rules.categories                                       // all six
/// ```
///
/// Every locale of CLDR's `plurals.xml` and `ordinals.xml` is known (see `PluralRuleData`). Rules
/// are parsed the first time a locale sharing them is asked for, and kept for the life of the process.
public struct PluralRules: Sendable {
    /// Cardinal numbers count things; ordinal numbers rank them.
    public enum Kind: Sendable, Hashable {
        case cardinal, ordinal
    }

    /// The CLDR locale whose rules these are: `pt_PT`, `pt` for `pt-BR`, `root` for an unknown language.
    public let locale: String
    public let kind: Kind
    let ruleSet: PluralRuleSet

    /// The categories this locale uses, `other` always among them: a message for it needs a case for each.
    public var categories: Set<MessageFormat.PluralCategory> { ruleSet.categories }

    /// The CLDR release the rules come from.
    public static var cldrVersion: String { PluralRuleData.cldrVersion }

    /// The rules for a BCP 47 locale (`pt-PT`, `pt_BR`, `zh-Hant-TW`, any letter case): the CLDR
    /// locale with the most subtags in common (`pt_PT`, else `pt`), else root, whose only category is `other`.
    public static func rules(for locale: String, kind: Kind = .cardinal) -> PluralRules {
        let catalog = kind == .cardinal ? cardinalCatalog : ordinalCatalog
        var subtags = locale.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" })
        while !subtags.isEmpty {
            if let entry = catalog.entries[subtags.joined(separator: "_")] {
                return PluralRules(locale: entry.locale, kind: kind, ruleSet: ruleSet(kind: kind, group: entry.group))
            }
            subtags.removeLast()
        }
        guard let root = catalog.entries["root"] else {
            return PluralRules(locale: "root", kind: kind, ruleSet: PluralRuleSet())
        }
        return PluralRules(locale: root.locale, kind: kind, ruleSet: ruleSet(kind: kind, group: root.group))
    }

    /// The category of a number: the first of the locale's rules it matches, else `other`.
    public func category(for operands: PluralOperands) -> MessageFormat.PluralCategory {
        ruleSet.category(for: operands)
    }

    // MARK: - Lookup and cache

    /// CLDR's locale ids by their lower-case spelling, with the group of rules each uses.
    struct Catalog: Sendable {
        var entries: [String: (locale: String, group: Int)] = [:]

        init(_ groups: [PluralRuleData.Group]) {
            for (index, group) in groups.enumerated() {
                for locale in group.locales.split(separator: " ") {
                    entries[locale.lowercased()] = (String(locale), index)
                }
            }
        }
    }

    private static let cardinalCatalog = Catalog(PluralRuleData.cardinal)
    private static let ordinalCatalog = Catalog(PluralRuleData.ordinal)

    private struct CacheKey: Hashable {
        var kind: Kind
        var group: Int
    }

    /// Parsed groups; locales that share rules (`it` and `pt_PT`) share one entry.
    private static let cache = Mutex<[CacheKey: PluralRuleSet]>([:])

    private static func ruleSet(kind: Kind, group: Int) -> PluralRuleSet {
        cache.withLock { cache in
            let key = CacheKey(kind: kind, group: group)
            if let parsed = cache[key] { return parsed }
            let groups = kind == .cardinal ? PluralRuleData.cardinal : PluralRuleData.ordinal
            // The generated data parses (PluralRulesTests checks every group); if it ever did not,
            // `other` for every number is the least wrong answer.
            let parsed = (try? PluralRuleSet(parsing: groups[group].rules)) ?? PluralRuleSet()
            cache[key] = parsed
            return parsed
        }
    }
}
