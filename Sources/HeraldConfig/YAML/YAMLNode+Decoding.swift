import HeraldCore

/// The entries of a YAML mapping checked against the keys a section allows: unknown keys get a
/// "did you mean" diagnostic and missing required keys are reported at the mapping.
struct MappingFields {
    private(set) var entries: [String: YAMLEntry] = [:]
    /// Allowed keys that an unknown key was taken for ("did you mean"): not reported again as missing.
    private(set) var suggested: Set<String> = []

    /// - Parameters:
    ///   - context: how the section is named in messages, e.g. "rule 'card-fraud-check'".
    init(
        _ node: YAMLNode, allowed: [String], required: [String] = [], context: String, log: inout DiagnosticLog
    ) {
        guard case .mapping(let mapping) = node.kind else { return }
        // A misspelt required key is reported once, as the unknown key with its suggestion.
        for entry in mapping {
            guard case .scalar(let scalar) = entry.key.kind else { continue }
            let key = scalar.text
            guard allowed.contains(key) else {
                if let suggestion = Suggestion.closest(to: key, among: allowed) {
                    suggested.insert(suggestion)
                    log.error(entry.key.start, "unknown key '\(key)' in \(context)", hint: "did you mean '\(suggestion)'?")
                } else {
                    log.error(entry.key.start, "unknown key '\(key)' in \(context)",
                              hint: "allowed keys are \(allowed.map { "'\($0)'" }.joined(separator: ", "))")
                }
                continue
            }
            // Duplicates are reported once for the whole file by `YAMLNode.reportDuplicateKeys`; the last one wins.
            entries[key] = entry
        }
        for key in required where entries[key] == nil && !suggested.contains(key) {
            log.error(node.start, "missing key '\(key)' in \(context)", hint: "add '\(key):'")
        }
    }

    subscript(key: String) -> YAMLNode? { entries[key]?.value }
    func keyNode(_ key: String) -> YAMLNode? { entries[key]?.key }
}

extension YAMLNode {
    var isMapping: Bool { if case .mapping = kind { return true } else { return false } }

    var scalarValue: JSONValue? { if case .scalar(let scalar) = kind { return scalar.value } else { return nil } }

    /// A short name of the node's type for messages: "a list", "a mapping", "a number", …
    var typeDescription: String {
        switch kind {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar):
            switch scalar.value {
            case .null: "empty (null)"
            case .bool: "a boolean"
            case .number: "a number"
            default: "a string"
            }
        }
    }

    /// The string value of a scalar, or a type error.
    func string(_ what: String, log: inout DiagnosticLog, hint: String = "") -> String? {
        if case .scalar(let scalar) = kind, case .string(let text) = scalar.value { return text }
        log.error(start, "\(what) must be a string, not \(typeDescription)", hint: hint.isEmpty ? "write it as a quoted string" : hint)
        return nil
    }

    func mapping(_ what: String, log: inout DiagnosticLog, hint: String) -> [YAMLEntry]? {
        if case .mapping(let entries) = kind { return entries }
        log.error(start, "\(what) must be a mapping, not \(typeDescription)", hint: hint)
        return nil
    }

    func sequence(_ what: String, log: inout DiagnosticLog, hint: String) -> [YAMLNode]? {
        if case .sequence(let nodes) = kind { return nodes }
        log.error(start, "\(what) must be a list, not \(typeDescription)", hint: hint)
        return nil
    }

    /// Reports every mapping in the tree that repeats a key (YAML requires unique keys).
    func reportDuplicateKeys(log: inout DiagnosticLog) {
        switch kind {
        case .scalar: return
        case .sequence(let nodes):
            for node in nodes { node.reportDuplicateKeys(log: &log) }
        case .mapping(let entries):
            var first: [String: SourceMark] = [:]
            for entry in entries {
                if case .scalar(let scalar) = entry.key.kind {
                    if let earlier = first[scalar.text] {
                        log.error(entry.key.start, "duplicate key '\(scalar.text)' (first at line \(earlier.line))",
                                  hint: "remove one of them; YAML keeps only the last")
                    } else {
                        first[scalar.text] = entry.key.start
                    }
                }
                entry.value.reportDuplicateKeys(log: &log)
            }
        }
    }

    /// The source position of the character at `offset` (0-based, in characters) of this scalar's text.
    /// Exact for single-line plain and quoted scalars without escapes and for literal blocks;
    /// otherwise the scalar's start.
    func mark(ofCharacter offset: Int, sourceLines: [Substring]) -> SourceMark {
        guard case .scalar(let scalar) = kind else { return start }
        // Parsers count characters; libyaml's columns count Unicode scalars.
        let before = scalar.text.prefix(offset)
        let scalarsBefore = before.unicodeScalars.count
        let length = scalar.text.unicodeScalars.count
        switch scalar.style {
        case .plain where start.line == end.line:
            return SourceMark(line: start.line, column: start.column + scalarsBefore)
        case .singleQuoted where start.line == end.line && !scalar.text.contains("'"),
             .doubleQuoted where start.line == end.line && (end.column - start.column) == length + 2:
            return SourceMark(line: start.line, column: start.column + 1 + scalarsBefore)
        case .literal:
            let lineInText = before.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            let columnInLine = before.split(separator: "\n", omittingEmptySubsequences: false).last.map(\.unicodeScalars.count) ?? 0
            let line = start.line + 1 + lineInText
            // The block's indentation is that of its first non-blank line; deeper lines keep their extra spaces in the text.
            guard line - 1 < sourceLines.count, start.line < sourceLines.count,
                  let firstContent = sourceLines[start.line...].first(where: { !$0.allSatisfy { $0 == " " || $0 == "\r" } })
            else { return start }
            let indent = firstContent.prefix { $0 == " " }.count
            return SourceMark(line: line, column: indent + 1 + columnInLine)
        default:
            return start
        }
    }
}
