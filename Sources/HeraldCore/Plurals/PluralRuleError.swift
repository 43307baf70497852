/// A plural rule that does not parse, with the offset of the offending character.
struct PluralRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    /// Offset in UTF-8 bytes from the start of the rule text.
    var offset: Int
    var rule: String

    var description: String { "\(message) at offset \(offset) in plural rule \"\(rule)\"" }
}
