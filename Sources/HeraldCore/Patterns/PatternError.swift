/// A problem with an event pattern, found when it is compiled.
///
/// `pointer` names the node in the *pattern* that is wrong (the offending member or value), so the
/// YAML layer can turn it into `file:line:col`; `message` says what is wrong and `hint` how to fix it.
///
/// ```
/// /detail/count/0/numeric: numeric range needs a lower bound below its upper bound (5 is not below 1)
///   hint: write the lower bound first, e.g. [">", 0, "<=", 5]
/// ```
public struct PatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the pattern the problem is.
    public var pointer: JSONPointer
    /// What is wrong, in a sentence that names the offending value.
    public var message: String
    /// How to fix it, usually with a corrected example.
    public var hint: String
    /// Whether the fault is the member's name (an unknown operator) or its value.
    public var subject: Subject

    /// What `pointer` designates when its last component is a member name.
    public enum Subject: Sendable, Hashable {
        /// The member's name is wrong: editors should point at the key.
        case key
        /// The member's value is wrong: editors should point at the value.
        case value
    }

    public init(pointer: JSONPointer, message: String, hint: String, subject: Subject = .value) {
        self.pointer = pointer
        self.message = message
        self.hint = hint
        self.subject = subject
    }

    public var description: String {
        let location = pointer.components.isEmpty ? "(pattern)" : pointer.description
        return "\(location): \(message) (\(hint))"
    }
}
