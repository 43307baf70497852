import Foundation

/// How the outbox is to treat one planned message, decided by its rule when the event is accepted:
/// urgent or not, until when it is worth sending, the business key that stops a repeat, and which
/// opt-out silences it. `herald serve` stores these with the delivery; `herald test --json` shows them.
public struct DeliveryTerms: Sendable, Hashable {
    /// The order the outbox claims deliveries in; the raw value is what it stores (lower first).
    public enum Priority: Int, Sendable, Hashable {
        /// `urgent: true`: ahead of the rest, not paced, not held for quiet hours.
        case urgent = 0
        case normal = 1
    }

    /// A message's dedupe key, scoped to its rule and recipient (`Dedupe.scopedKey`), and how long
    /// a sent copy suppresses repeats.
    public struct Dedupe: Sendable, Hashable {
        public var key: String
        public var window: Duration

        public init(key: String, window: Duration) {
            self.key = key
            self.window = window
        }
    }

    public var priority: Priority
    /// `expires`: after this, the message is not sent at all (recorded as expired).
    public var expiresAt: Date?
    /// nil when the rule has no `dedupe`, or a key path finds nothing (better twice than never).
    public var dedupe: Dedupe?
    /// The category whose opt-out suppresses the message; nil when opt-outs do not apply to it.
    public var optOutCategory: RuleCategory?

    public var urgent: Bool { priority == .urgent }

    /// A message's terms as given. The default: not urgent, never expires, no dedupe, not
    /// suppressed by opt-outs (a message read back from the store carries these: the delivery
    /// record keeps the real ones).
    public init(priority: Priority = .normal, expiresAt: Date? = nil, dedupe: Dedupe? = nil, optOutCategory: RuleCategory? = nil) {
        self.priority = priority
        self.expiresAt = expiresAt
        self.dedupe = dedupe
        self.optOutCategory = optOutCategory
    }

    /// What `rule` decides for a message to `address` (normalized, `RecipientAddress`) planned from
    /// `event` (and the `for_each` element) accepted at `now`.
    public init(rule: Rule, address: String, event: JSONValue, element: JSONValue?, now: Date) {
        self.init(
            priority: rule.urgent ? .urgent : .normal,
            expiresAt: rule.expires.map { now.addingTimeInterval(Double($0.components.seconds)) },
            dedupe: rule.dedupe.flatMap { dedupe in
                dedupe.scopedKey(ruleID: rule.id, recipient: address, event: event, element: element)
                    .map { Dedupe(key: $0, window: dedupe.window) }
            },
            optOutCategory: rule.suppressedByOptOut ? rule.category : nil)
    }
}
