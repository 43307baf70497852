/// What one event produces: the rules it matched and the messages they would send.
/// Pure: planning touches no network, store or clock.
public struct EventPlan: Sendable {
    public var matched: [String]
    public var messages: [PlannedMessage]
    /// Messages a matched rule could not produce (e.g. the recipient's address is missing).
    public var skipped: [SkippedMessage]
}

/// One message a rule would send.
public struct PlannedMessage: Sendable {
    public var rule: String
    /// The fan-out element's index, when the rule has `for_each`.
    public var element: Int?
    public var recipient: ResolvedRecipient
    /// The template translation chosen for the recipient.
    public var locale: LocaleNegotiation.Choice
    public var channels: [String]
    public var template: String
    /// Param values, in the rule's order.
    public var params: [ResolvedParam]
    /// Params whose value is missing from the event: the message cannot render them.
    public var problems: [String]
}

public struct ResolvedRecipient: Sendable, Hashable {
    public var address: String
    public var locale: String?
    public var timezone: String?
}

public struct ResolvedParam: Sendable, Hashable {
    public var name: String
    /// The value as a JSON value: the event's value for a bare path; for money
    /// `{"money": amount, "currency": code}`, for datetime `{"datetime": value, "timezone": zone}`.
    public var value: JSONValue
}

public struct SkippedMessage: Sendable, Hashable {
    public var rule: String
    public var element: Int?
    public var reason: String
}

extension RuleSet {
    /// Matches the event and plans every message the matching rules would produce.
    public func plan(_ event: JSONValue) -> EventPlan {
        var plan = EventPlan(matched: [], messages: [], skipped: [])
        for rule in matchingRules(event) {
            plan.matched.append(rule.id)
            guard let forEach = rule.forEach else {
                planMessage(rule: rule, event: event, element: nil, index: nil, into: &plan)
                continue
            }
            switch forEach.resolve(event: event, element: nil) {
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    planMessage(rule: rule, event: event, element: element, index: index, into: &plan)
                }
            case nil:
                plan.skipped.append(SkippedMessage(rule: rule.id, element: nil, reason: "for_each \(forEach) is missing from the event"))
            case let other?:
                plan.skipped.append(SkippedMessage(rule: rule.id, element: nil, reason: "for_each \(forEach) is a \(other.typeName), not an array"))
            }
        }
        return plan
    }

    private func planMessage(rule: Rule, event: JSONValue, element: JSONValue?, index: Int?, into plan: inout EventPlan) {
        guard let address = rule.recipient.address.resolve(event: event, element: element) else {
            plan.skipped.append(SkippedMessage(rule: rule.id, element: index, reason: "recipient address \(rule.recipient.address) is missing"))
            return
        }
        guard let addressText = address.scalarText, !addressText.isEmpty else {
            plan.skipped.append(SkippedMessage(rule: rule.id, element: index, reason: "recipient address \(rule.recipient.address) is a \(address.typeName), not a string"))
            return
        }
        let locale = rule.recipient.locale?.resolve(event: event, element: element)?.stringValue
        let timezone = rule.recipient.timezone?.resolve(event: event, element: element)?.stringValue
        let template = templates[rule.templateID]
        let choice = LocaleNegotiation.choose(
            requested: locale, available: template?.locales ?? [], defaultLocale: template?.defaultLocale ?? "en")
        var params: [ResolvedParam] = []
        var problems: [String] = []
        for param in rule.params {
            func value(_ source: ValueSource) -> JSONValue {
                if let value = source.resolve(event: event, element: element) { return value }
                problems.append("param '\(param.name)': \(source) is missing")
                return .null
            }
            let resolved: JSONValue
            switch param.source {
            case .value(let source):
                resolved = value(source)
            case .number(let source):
                resolved = value(source)
            case .money(let amount, let currency):
                resolved = ["money": value(amount), "currency": value(currency)]
            case .datetime(let instant, let zone):
                let zoneValue: JSONValue = zone.map { value($0) } ?? timezone.map { .string($0) } ?? "UTC"
                resolved = ["datetime": value(instant), "timezone": zoneValue]
            }
            params.append(ResolvedParam(name: param.name, value: resolved))
        }
        plan.messages.append(PlannedMessage(
            rule: rule.id, element: index,
            recipient: ResolvedRecipient(address: addressText, locale: locale, timezone: timezone),
            locale: choice, channels: rule.channels, template: rule.templateID, params: params, problems: problems))
    }
}

extension JSONValue {
    /// Strings as they are, numbers as their literal (a phone number sent as a number still works).
    var scalarText: String? {
        switch self {
        case .string(let text): text
        case .number(let number): number.literal
        default: nil
        }
    }
}
