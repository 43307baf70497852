import Foundation

/// Why a non-urgent message may not go now, and until when: the decision of
/// ``ProtectionSettings/hold(recipientTimeZone:now:sentTimes:)``, carried out by the outbox's
/// workers (they postpone the delivery) and by `herald send` (it reports the message as held).
public struct ProtectionHold: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable {
        /// `protection: quiet_hours`, in the recipient's time zone.
        case quietHours = "quiet_hours"
        /// `protection: pacing`, per recipient across rules.
        case pacing
    }

    public var reason: Reason
    /// The earliest time the message may go.
    public var until: Date
    /// For people: `quiet hours (22:00–07:00, Asia/Kolkata)`, `pacing: 5 messages per 1h to this recipient reached`.
    public var explanation: String
}

extension ProtectionSettings {
    /// Quiet hours in the recipient's time zone, then pacing: nil when a non-urgent message may go
    /// at `now`, else the hold. Urgent messages are not asked about (they bypass both).
    /// Pure: the caller gives the time and what was sent.
    ///
    /// | quiet hours at `now` | pacing window full | decision |
    /// |---|---|---|
    /// | yes | any | hold until the quiet period ends |
    /// | no | yes | hold until the oldest message in the window leaves it |
    /// | no | no | send now (nil) |
    ///
    /// - Parameters:
    ///   - recipientTimeZone: the rule's time zone for the recipient (an IANA name); nil or unknown:
    ///     `default_timezone`.
    ///   - sentTimes: when the recipient's non-urgent messages were sent within the pacing window
    ///     (older ones are ignored); empty when pacing is off.
    public func hold(recipientTimeZone: String?, now: Date, sentTimes: [Date]) -> ProtectionHold? {
        if let quietHours {
            let named = recipientTimeZone.flatMap { name in TimeZone(identifier: name).map { (zone: $0, name: name) } }
            // Named as the event named it (Foundation calls UTC "GMT").
            let (zone, name) = named ?? (defaultTimeZone, defaultTimeZone.identifier)
            let allowed = quietHours.nextAllowed(at: now, timeZone: zone)
            if allowed > now {
                return ProtectionHold(reason: .quietHours, until: allowed,
                                      explanation: "quiet hours (\(quietHours.from)–\(quietHours.to), \(name))")
            }
        }
        if let pacing, let free = pacing.decide(sentTimes: sentTimes, now: now) {
            return ProtectionHold(reason: .pacing, until: free,
                                  explanation: "pacing: \(pacing.limit) messages per \(pacing.per) to this recipient reached")
        }
        return nil
    }
}
