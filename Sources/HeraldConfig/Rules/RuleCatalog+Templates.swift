import HeraldCore

/// Checks between a rule's params and how its template's texts use them, and across templates.
extension RuleCatalog {
    /// Each argument's use (`{when, date}`, `{n, plural, …}`) must suit the param's type, so that a
    /// message never fails at send time for a reason the rule file already shows.
    mutating func checkArgumentTypes(rule: RuleDeclaration, template: Template, context: String) {
        guard let params = rule.rule?.params else { return }
        let byName = Dictionary(params.map { ($0.name, $0.source) }, uniquingKeysWith: { first, _ in first })
        var reported = Set<String>()
        for translation in template.translations {
            for use in RuleCatalog.uses(in: translation.message.parts) {
                guard let source = byName[use.name], let mark = rule.paramNames[use.name],
                      let problem = RuleCatalog.mismatch(use, source), reported.insert("\(use.name) \(problem)").inserted
                else { continue }
                report(.error, rule.file, mark,
                       "template '\(template.id)' (\(translation.locale)) shows {\(use.name)} as \(use.description), but param '\(use.name)' of \(context) \(problem)",
                       hint: use.style?.hasPrefix("::") == true
                           ? "use a named style instead: {\(use.name), number, integer|percent|currency} or {\(use.name), date|time, short|medium|long|full}"
                           : RuleCatalog.fix(for: use, name: use.name))
            }
        }
    }

    /// Warns about templates that lack a locale other templates of the rule set have: a customer
    /// whose language is covered for one notice should not get the next one in the default.
    mutating func checkLocaleCoverage(_ templates: [TemplateDeclaration]) {
        let all = Set(templates.flatMap { $0.translationMarks.keys })
        for template in templates where template.template != nil {
            let missing = all.subtracting(template.translationMarks.keys).sorted()
            guard !missing.isEmpty else { continue }
            report(.warning, template.file, template.idMark,
                   "template '\(template.id)' has no text for \(missing.joined(separator: ", ")), which other templates have",
                   hint: "add \(missing.map { "'\($0): \"…\"'" }.joined(separator: ", ")) under 'text:', or recipients in those locales get '\(template.template?.defaultLocale ?? "the default")'")
        }
    }

    struct Use: Hashable {
        var name: String
        var format: MessageFormat.ArgumentKind
        var style: String?

        var description: String {
            switch format {
            case .plain: "text"
            case .number: style == "currency" ? "an amount of money" : "a number"
            case .date: "a date"
            case .time: "a time"
            case .plural: "a plural count"
            case .selectOrdinal: "an ordinal"
            case .select: "a select keyword"
            }
        }
    }

    static func uses(in parts: [MessageFormat.Part]) -> [Use] {
        var found: [Use] = []
        for part in parts {
            guard case .argument(let name, let format) = part else { continue }
            switch format {
            case .plain: found.append(Use(name: name, format: .plain))
            case .number(let style): found.append(Use(name: name, format: .number, style: style))
            case .date(let style): found.append(Use(name: name, format: .date, style: style))
            case .time(let style): found.append(Use(name: name, format: .time, style: style))
            case .plural(_, let cases), .selectOrdinal(_, let cases):
                found.append(Use(name: name, format: format.kind))
                for pluralCase in cases { found += uses(in: pluralCase.message) }
            case .select(let cases):
                found.append(Use(name: name, format: .select))
                for selectCase in cases { found += uses(in: selectCase.message) }
            }
        }
        return found
    }

    /// What is wrong with showing `source` this way, or nil.
    static func mismatch(_ use: Use, _ source: Param.Source) -> String? {
        if let style = use.style, style.hasPrefix("::") {
            return "is shown with the skeleton \(style), which Herald does not render yet"
        }
        switch (use.format, source) {
        case (.plain, _):
            return nil
        case (.date, .datetime), (.time, .datetime):
            return nil
        case (.date, _), (.time, _):
            return "is not a datetime"
        case (_, .datetime):
            return "is a datetime"
        case (.number, .money) where use.style == nil || use.style == "currency":
            return nil
        case (.number, _) where use.style == "currency":
            return "is not money"
        case (.select, .money):
            return "is money"
        case (.number, .value(.literal(let value))), (.plural, .value(.literal(let value))), (.selectOrdinal, .value(.literal(let value))):
            if case .number = value { return nil }
            if case .string(let text) = value, Double(text) != nil { return nil }
            return "is the literal \(value.compactJSON), not a number"
        default:
            return nil
        }
    }

    static func fix(for use: Use, name: String) -> String {
        switch use.format {
        case .date, .time: "make it '\(name): {datetime: $.path, timezone: ZONE}', or show it with {\(name)}"
        case .number where use.style == "currency": "make it '\(name): {money: $.path, currency: CODE}'"
        case .number, .plural, .selectOrdinal: "give it a number: '\(name): {number: $.path}'"
        default: "show it with {\(name)}, or give the rule a param of the right type"
        }
    }
}
