/// What kind of message a rule sends (`category:` in a rule file). It decides how a recipient's
/// opt-out applies: marketing is never sent to someone who opted out; fraud alerts and service
/// notices are, unless the rule says `respect_opt_out: true` (fraud) or leaves it at its default (service).
public enum RuleCategory: String, Sendable, Hashable, CaseIterable {
    /// Fraud checks and security alerts: the customer needs them even after opting out of messages.
    case fraud
    /// Transactional notices (a delay, a withdrawal): respect opt-outs unless the rule says otherwise.
    case service
    /// Offers and promotions: opt-outs always apply.
    case marketing

    /// `respect_opt_out` when the rule does not set it.
    public var respectsOptOutByDefault: Bool { self != .fraud }
}
