/// Why a YAML file could not be read: where, what, and what usually fixes it.
///
/// `description` is the compiler-style line a person sees first (`3:5: mapping values are not
/// allowed in this context`); the hint is a separate sentence so callers can print it indented
/// below, after prefixing the file name.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is (1-based line and column, columns in characters).
    public var mark: SourceMark
    /// What is wrong, in one sentence without a trailing period.
    public var message: String
    /// What usually causes it and how to fix it.
    public var hint: String

    public init(mark: SourceMark, message: String, hint: String) {
        self.mark = mark
        self.message = message
        self.hint = hint
    }

    /// `line:column: message`.
    public var description: String { "\(mark): \(message)" }
}
