/// The compiled rules of one group of locales: each category but `other` with its condition, in
/// CLDR's order (zero, one, two, few, many).
struct PluralRuleSet: Sendable {
    var rules: [(category: MessageFormat.PluralCategory, rule: PluralRule)] = []
    var categories: Set<MessageFormat.PluralCategory> = [.other]

    /// Only `other`, as for root.
    init() {}

    /// Parses `one: i = 1 and v = 0; many: e = 0 and …`, as `PluralRuleData` writes rules.
    init(parsing text: String) throws(PluralRuleError) {
        for entry in text.split(separator: ";") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            let name = parts.first.map { String($0.filter { !$0.isWhitespace }) } ?? ""
            guard parts.count == 2, let category = MessageFormat.PluralCategory(rawValue: name), category != .other else {
                throw PluralRuleError(message: "expected `category: condition`", offset: 0, rule: String(entry))
            }
            guard !categories.contains(category) else {
                throw PluralRuleError(message: "`\(name)` appears twice", offset: 0, rule: String(entry))
            }
            rules.append((category, try PluralRule(parsing: String(parts[1]))))
            categories.insert(category)
        }
    }

    func category(for operands: PluralOperands) -> MessageFormat.PluralCategory {
        guard operands.isFinite else { return .other }
        for (category, rule) in rules where rule.matches(operands) {
            return category
        }
        return .other
    }
}
