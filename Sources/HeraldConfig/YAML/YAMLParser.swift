/// Reads admin-edited YAML files into ``YAMLNode`` trees with 1-based marks.
///
/// libyaml's event API does the scanning; the tree is built here (``YAMLTreeBuilder``), so every
/// ``YAMLLimits`` bound holds before memory is spent: file size up front, then depth, scalar
/// size and an alias-aware node budget event by event.
///
/// What a caller can rely on:
/// - Marks are 1-based, columns in characters. A node starts at its first character (a quoted
///   scalar at its opening quote); a node written with an anchor or tag (`&a x`, `!!str 1`)
///   starts at the anchor or tag, as libyaml reports it. An empty value starts just after its ':'.
/// - Scalars follow the YAML 1.2 core schema (see ``YAMLScalarResolver``): `yes`/`no`/`on` are
///   strings, `.inf`/`.nan` stay strings, and an unknown or custom tag is an error.
/// - Aliases repeat earlier anchors; `<<` merge keys are supported (see ``YAMLTreeBuilder``).
/// - Every error is a ``YAMLError`` with a mark, a message and a hint; nothing traps on input.
public enum YAMLParser {
    /// Parses one file's bytes. A file may hold only one document (a second `---` document is an
    /// error naming its line). An empty file, or one with only comments, yields nil.
    ///
    /// The bytes must be UTF-8 (a byte-order mark is fine); anything else, and control characters
    /// such as NUL, are refused with their line and column.
    public static func parse(_ bytes: [UInt8], limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        if bytes.count > limits.maxBytes {
            throw YAMLError(
                mark: SourceMark(line: 1, column: 1),
                message: "file is \(bytes.count) bytes long; the limit is \(limits.maxBytes)",
                hint: "split the rules across several files"
            )
        }
        let source = YAMLSource(bytes)
        try source.validate()
        if source.bytes.isEmpty { return nil }
        var builder = YAMLTreeBuilder(limits: limits)
        try LibYAMLEventReader.read(source) { (event, start, end) throws(YAMLError) in
            try builder.handle(event, start: start, end: end)
        }
        return builder.root
    }

    /// Parses UTF-8 text (convenient in tests and for inline snippets).
    public static func parse(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLNode? {
        try parse(Array(text.utf8), limits: limits)
    }
}
