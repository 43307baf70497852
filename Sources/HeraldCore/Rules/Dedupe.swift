import Foundation

/// A rule's `dedupe: {key: PATH, window: 24h}`: a message whose key was already sent to the same
/// recipient by the same rule within the window is not sent again. The key is one path or several
/// (`key: [$.data.flight, $.data.revision]`), read from the event (or the `for_each` element).
public struct Dedupe: Sendable, Hashable {
    /// The paths whose values, together, identify "the same message".
    public var key: [ValuePath]
    /// How long a sent key suppresses repeats.
    public var window: Duration

    public static let defaultWindow: Duration = .seconds(86_400)

    public init(key: [ValuePath], window: Duration = Dedupe.defaultWindow) {
        self.key = key
        self.window = window
    }

    /// The key's value for one message, scoped to the rule and the recipient, or nil when a path
    /// finds nothing (such a message is not deduplicated: better twice than never).
    ///
    /// Values are joined as compact JSON with U+001F between them, so `"1"` and `1` differ and no
    /// value can fake a separator.
    public func scopedKey(ruleID: String, recipient: String, event: JSONValue, element: JSONValue?) -> String? {
        var parts = [ruleID, recipient]
        for path in key {
            guard let value = path.resolve(event: event, element: element) else { return nil }
            parts.append(value.compactJSON)
        }
        return parts.joined(separator: "\u{1F}")
    }

    /// Whether a message whose key was last sent at `lastSent` is a repeat at `now`.
    public func suppresses(lastSent: Date?, now: Date) -> Bool {
        guard let lastSent else { return false }
        return now < lastSent.addingTimeInterval(window.inSeconds)
    }
}
