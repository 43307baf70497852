import HeraldCore

/// A position in a source file, 1-based as people and editors count: line 1, column 1.
/// Columns count Unicode characters, not bytes.
public struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourceMark, rhs: SourceMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// One node of a parsed YAML document, with where it starts in the file.
///
/// Scalars are already resolved with the YAML 1.2 core schema (so `NO` stays the string "NO",
/// `0.7` is a number, `~` is null); quoted scalars and `!!str` are always strings.
/// Mappings keep every entry in order, duplicates included, so the decoder can report them.
public struct YAMLNode: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    public var kind: Kind
    /// Where the node starts (for a quoted scalar: at its opening quote).
    public var start: SourceMark
    /// Where the node ends (just past its last character).
    public var end: SourceMark

    public init(kind: Kind, start: SourceMark, end: SourceMark) {
        self.kind = kind
        self.start = start
        self.end = end
    }
}

/// A mapping entry: key node and value node.
public struct YAMLEntry: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A resolved scalar.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The scalar's text as the YAML parser delivered it (escapes processed).
    public var text: String
    public var style: Style
    /// The value under the core schema: `.string`, `.number`, `.bool` or `.null`.
    public var value: JSONValue

    public init(text: String, style: Style, value: JSONValue) {
        self.text = text
        self.style = style
        self.value = value
    }
}
