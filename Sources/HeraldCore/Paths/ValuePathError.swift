/// Why a path did not parse, where, and what to write instead.
///
/// `offset` is the 0-based position (in characters) of the offending character in the path text,
/// or the text's length when the path ended too early; the config layer adds it to the position of
/// the YAML scalar to report file:line:col. `message` repeats the position 1-based, for people.
public struct ValuePathError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var hint: String

    public init(offset: Int, message: String, hint: String) {
        self.offset = offset
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.isEmpty ? message : "\(message) (\(hint))" }
}
