/// A compiled Amazon EventBridge event pattern: which events a rule cares about.
///
/// ```swift
/// let pattern = try EventPattern(json: [
///     "source": ["shop.orders"],
///     "detail": ["total": [["numeric": [">=", 100]]], "country": [["anything-but": ["US"]]]],
/// ])
/// pattern.matches(event)
/// ```
///
/// Patterns are validated as EventBridge validates them (see `PatternError` for the problems
/// reported, each with a pointer into the pattern and a hint) and matched with EventBridge's
/// semantics, including these less obvious ones:
/// - Every field of a level must match; a field matches if *any* value in its list does. A field
///   whose event value is an array matches if any element does.
/// - Types never cross: `300`, `300.0` and `3e2` are one number, but the string `"300"` is not it.
///   `[null]` matches a `null` value, not a missing field.
/// - `exists` looks at leaves: a field holding `null` exists; one holding an object or `[]` does not.
/// - `anything-but` needs the field to be present; values of another type pass it.
/// - Array consistency: when the pattern descends into an array of objects, the fields it matches
///   there must all come from the same element.
/// - `$or` is expanded into alternatives the way EventBridge does it (see `PatternCompiler`), and
///   refused beyond 1,000 combinations.
///
/// Known, deliberate differences: field names are matched literally (EventBridge also lets
/// `"a.b"` match the path `a` → `b`, documented as unreliable); `$or` is always the operator
/// (EventBridge falls back to treating a malformed `$or` as a field name); and an exact string that
/// looks like an IP address is compared as text, not as an address.
public struct EventPattern: Sendable, Hashable {
    /// The pattern as written.
    public let json: JSONValue
    /// One `$or`-free tree per alternative; the pattern matches if any does. Empty if none can.
    let branches: [PatternNode]

    /// Compiles `json`, throwing the first problem found. Use `validate(json:)` to get them all.
    public init(json: JSONValue) throws(PatternError) {
        let output = PatternCompiler.compile(json)
        if let error = output.errors.first { throw error }
        self.json = json
        self.branches = output.branches
    }

    /// Every problem in `json`, in document order; empty when it is a valid pattern.
    public static func validate(json: JSONValue) -> [PatternError] {
        PatternCompiler.compile(json).errors
    }

    /// Whether `event` (normally a JSON object) matches the pattern.
    public func matches(_ event: JSONValue) -> Bool {
        for branch in branches where branch.evaluate(event) != 0 {
            return true
        }
        return false
    }

    public static func == (lhs: EventPattern, rhs: EventPattern) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}
