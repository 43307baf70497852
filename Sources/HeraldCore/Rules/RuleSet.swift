/// Every rule and template of a rules folder, compiled for matching.
public struct RuleSet: Sendable {
    /// Rules in file-then-position order; `matched` lists follow this order.
    public let rules: [Rule]
    public let templates: [String: Template]
    private let matcher: RuleMatcher
    /// Positions in `rules` of the enabled rules, indexed like the matcher's patterns.
    private let enabledPositions: [Int]
    /// Position in `rules` of each rule id (the first, should ids repeat).
    private let positions: [String: Int]

    public init(rules: [Rule], templates: [String: Template]) {
        self.rules = rules
        self.templates = templates
        let enabled = rules.indices.filter { rules[$0].enabled }
        self.enabledPositions = enabled
        self.matcher = RuleMatcher(patterns: enabled.map { rules[$0].pattern })
        self.positions = Dictionary(rules.indices.map { (rules[$0].id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The rule with `id`, if any.
    public func rule(id: String) -> Rule? {
        positions[id].map { rules[$0] }
    }

    /// The enabled rules whose pattern matches the event, in rule order.
    public func matchingRules(_ event: JSONValue) -> [Rule] {
        matcher.matches(event).map { rules[enabledPositions[$0]] }
    }
}
