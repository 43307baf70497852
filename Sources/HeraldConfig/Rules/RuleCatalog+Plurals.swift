import HeraldCore

extension RuleCatalog {
    /// A plural needs a case for every category its locale uses: a Russian "5 минут" needs `many`,
    /// an Arabic count needs all six. `other` is required by the parser; the rest are warnings,
    /// because `other` still renders something.
    mutating func checkPluralCategories(_ template: TemplateDeclaration) {
        guard let compiled = template.template else { return }
        for translation in compiled.translations {
            let mark = template.translationMarks[translation.locale] ?? template.idMark
            for use in RuleCatalog.pluralUses(in: translation.message.parts) {
                let rules = PluralRules.rules(for: translation.locale, kind: use.ordinal ? .ordinal : .cardinal)
                var missing = rules.categories.subtracting(use.categories)
                // In French, Spanish, Italian, Portuguese and Catalan 'many' is only for whole millions
                // written compactly (1 M): not worth a warning on every count.
                if !use.ordinal, RuleCatalog.manyOnlyForMillions.contains(String(rules.locale.prefix(2))) { missing.remove(.many) }
                guard !missing.isEmpty else { continue }
                let order = MessageFormat.PluralCategory.allCases
                let names = order.filter(missing.contains).map(\.rawValue)
                let needed = order.filter(rules.categories.contains).map(\.rawValue)
                report(.warning, template.file, mark,
                       "text '\(translation.locale)' of template '\(template.id)': {\(use.name), \(use.ordinal ? "selectordinal" : "plural")} has no \(names.map { "'\($0)'" }.joined(separator: ", ")) case; \(translation.locale) uses \(needed.joined(separator: ", "))",
                       hint: "add \(names.map { "\($0) {…}" }.joined(separator: " ")), or those counts show the 'other' text")
            }
        }
    }

    static let manyOnlyForMillions: Set<String> = ["fr", "es", "it", "pt", "ca"]

    struct PluralUse {
        var name: String
        var ordinal: Bool
        var categories: Set<MessageFormat.PluralCategory>
    }

    static func pluralUses(in parts: [MessageFormat.Part]) -> [PluralUse] {
        var found: [PluralUse] = []
        for part in parts {
            guard case .argument(let name, let format) = part else { continue }
            switch format {
            case .plural(_, let cases), .selectOrdinal(_, let cases):
                let categories = Set(cases.compactMap { pluralCase -> MessageFormat.PluralCategory? in
                    if case .category(let category) = pluralCase.selector { return category }
                    return nil
                })
                var ordinal = false
                if case .selectOrdinal = format { ordinal = true }
                found.append(PluralUse(name: name, ordinal: ordinal, categories: categories))
                for pluralCase in cases { found += pluralUses(in: pluralCase.message) }
            case .select(let cases):
                for selectCase in cases { found += pluralUses(in: selectCase.message) }
            default:
                continue
            }
        }
        return found
    }
}
