import Foundation

/// herald.yaml's `protection:`: how Herald spares customers: pacing, quiet hours, opt-out words,
/// and the answer to a reply it does not understand. Every key has a default, so a config without
/// `protection:` has no pacing, no quiet hours and the default opt-out words.
public struct ProtectionSettings: Sendable, Hashable {
    /// `pacing: 5/h`: at most this many non-urgent messages per recipient per hour or day; nil: no limit.
    public var pacing: Pacing?
    /// `quiet_hours: {from, to}`: when non-urgent messages wait; nil: never.
    public var quietHours: QuietHours?
    /// `default_timezone`: the time zone of quiet hours for a recipient whose rule gives none.
    public var defaultTimeZone: TimeZone
    /// `opt_out_keywords`: the defaults, with the locales herald.yaml lists replaced.
    public var optOutKeywords: OptOutKeywords
    /// `not_understood`: per locale, the answer to free text and unknown replies; empty: free text
    /// is forwarded to the rule's `on_reply` endpoint instead.
    public var notUnderstood: [String: String]

    public init(pacing: Pacing? = nil, quietHours: QuietHours? = nil, defaultTimeZone: TimeZone = TimeZone(identifier: "UTC") ?? .gmt,
                optOutKeywords: OptOutKeywords = .defaults, notUnderstood: [String: String] = [:]) {
        self.pacing = pacing
        self.quietHours = quietHours
        self.defaultTimeZone = defaultTimeZone
        self.optOutKeywords = optOutKeywords
        self.notUnderstood = notUnderstood
    }

    /// The `not_understood` answer for a recipient's locale: its own, its parent's, then `en`, then
    /// the first locale in alphabetical order; nil when none is configured.
    public func notUnderstood(for locale: String?) -> String? {
        guard !notUnderstood.isEmpty else { return nil }
        let available = notUnderstood.keys.sorted()
        let fallback = available.first { LocaleNegotiation.canonical($0) == "en" } ?? available[0]
        return notUnderstood[LocaleNegotiation.choose(requested: locale, available: available, defaultLocale: fallback).locale]
    }
}
