/// A failure libyaml reported, copied out of its parser struct, and the ``YAMLError`` it becomes.
///
/// libyaml's texts are terse ("did not find expected key"); this turns the common ones into a
/// message and a hint that say what usually causes them, looking at the source line when that
/// tells causes apart. Unknown problems keep libyaml's wording.
struct YAMLSyntaxProblem {
    enum Stage { case reader, scanner, parser, memory, other }

    var stage: Stage
    var problem: String
    /// 1-based.
    var problemMark: SourceMark
    var context: String?
    /// 1-based; meaningful only with a context.
    var contextMark: SourceMark
    /// For reader errors: the byte offset of the bad input.
    var byteOffset: Int

    func error(in source: YAMLSource) -> YAMLError {
        switch stage {
        case .memory:
            return YAMLError(mark: problemMark, message: "out of memory while reading YAML", hint: "try again")
        case .reader:
            // `YAMLSource.validate` refuses such input first; this is the fallback.
            let mark = source.mark(atByteOffset: byteOffset)
            if problem.contains("control characters") {
                return YAMLError(mark: mark, message: "file contains a control character", hint: "delete it")
            }
            return YAMLError(mark: mark, message: "file is not valid UTF-8", hint: "save the file as UTF-8")
        case .scanner, .parser, .other:
            return syntaxError(in: source)
        }
    }

    private func syntaxError(in source: YAMLSource) -> YAMLError {
        let mark = problemMark
        switch (problem, context ?? "") {
        case ("found unexpected end of stream", "while scanning a quoted scalar"),
            ("found unexpected document indicator", "while scanning a quoted scalar"):
            // Where the quote opens is what the admin must look at; the end of the file is not.
            let quote = source.character(at: contextMark).map { String($0) } ?? "\""
            let runsTo = problem.hasSuffix("end of stream") ? "the end of the file" : "the '---' or '...' on line \(mark.line)"
            return YAMLError(
                mark: contextMark,
                message: "quoted value is not closed",
                hint: "add the closing \(quote); the value runs on to \(runsTo)"
            )
        case ("found character that cannot start any token", _):
            switch source.character(at: mark) {
            case "\t":
                return tabError(at: mark)
            case let character? where character == "@" || character == "`":
                return YAMLError(
                    mark: mark,
                    message: "a plain value cannot start with '\(character)'",
                    hint: "'@' and '`' are reserved in YAML; quote the value"
                )
            case let character?:
                return YAMLError(
                    mark: mark,
                    message: "'\(character)' cannot start a value here",
                    hint: "quote the value"
                )
            case nil:
                return YAMLError(mark: mark, message: problem, hint: "quote the value")
            }
        case ("found a tab character that violates indentation", _),
            ("found a tab character where an indentation space is expected", _):
            return tabError(at: mark)
        case ("mapping values are not allowed in this context", _):
            return YAMLError(mark: mark, message: problem, hint: colonHint(at: mark, in: source))
        case ("did not find expected key", _):
            return YAMLError(
                mark: mark,
                message: "bad indentation of a mapping entry",
                hint: "the keys of the mapping that starts at \(contextMark) are in column \(contextMark.column); "
                    + "align this line with them, or indent it under the key it belongs to"
            )
        case ("did not find expected '-' indicator", _):
            return YAMLError(
                mark: mark,
                message: "expected a '- ' list item",
                hint: "the list that starts at \(contextMark) continues in column \(contextMark.column), where every "
                    + "line must start with '- '; indent this line into the item above, or move it out of the list"
            )
        case ("could not find expected ':'", _):
            // libyaml stops where it gave up (often the next line); the key is what needs the fix.
            return YAMLError(
                mark: contextMark,
                message: "expected ':' after this key",
                hint: "a key and its ':' must be on the same line; if this line continues the value above, "
                    + "indent it further or quote that value"
            )
        case ("block sequence entries are not allowed in this context", _):
            return YAMLError(
                mark: mark,
                message: problem,
                hint: "a '- ' list item cannot start on the same line as its key; put each item on its own "
                    + "line below the key, indented, or write [a, b]"
            )
        case ("did not find expected ',' or ']'", _):
            return YAMLError(
                mark: mark,
                message: "expected ',' or ']' in the list that starts at \(contextMark)",
                hint: "close the '[' with ']', or separate items with ','; quote a value that starts with '['"
            )
        case ("did not find expected ',' or '}'", _):
            return YAMLError(
                mark: mark,
                message: "expected ',' or '}' in the mapping that starts at \(contextMark)",
                hint: "close the '{' with '}', or separate entries with ','; quote a value that starts with '{'"
            )
        case ("did not find expected node content", _):
            return YAMLError(
                mark: mark,
                message: "expected a value",
                hint: "a value is missing here, or starts with a character YAML reserves; quote the value"
            )
        case ("did not find expected <document start>", _):
            return YAMLError(
                mark: mark,
                message: "unexpected content after the end of the document",
                hint: "the top level of the file must be one mapping or one list; check this line's indentation"
            )
        case ("found unknown escape character", _):
            return YAMLError(
                mark: mark,
                message: "unknown escape in a double-quoted value",
                hint: "inside double quotes a backslash starts an escape such as \\n or \\\"; write \\\\ for a "
                    + "backslash, or use single quotes"
            )
        case ("did not find expected hexdecimal number", _):  // sic, libyaml's spelling
            return YAMLError(
                mark: mark,
                message: "bad \\x, \\u or \\U escape: expected hexadecimal digits",
                hint: "\\x takes 2 hex digits, \\u 4 and \\U 8; write \\\\ for a backslash, or use single quotes"
            )
        case ("found undefined tag handle", _):
            return YAMLError(
                mark: mark,
                message: "unknown tag",
                hint: "rule files do not use custom tags; remove it, or quote the value if the '!' is part of the text"
            )
        case ("did not find expected alphabetic or numeric character", let context) where context.contains("anchor") || context.contains("alias"):
            return YAMLError(
                mark: mark,
                message: "'&' or '*' must be followed by an anchor name",
                hint: "'&' and '*' start anchors and aliases; quote the value if it starts with one of them"
            )
        case ("mapping keys are not allowed in this context", _):
            return YAMLError(
                mark: mark,
                message: problem,
                hint: "'? ' starts a complex key; quote the value if it starts with '?'"
            )
        case (_, let context) where !context.isEmpty:
            return YAMLError(mark: mark, message: problem, hint: "\(context) that starts at \(contextMark)")
        default:
            return YAMLError(mark: mark, message: problem, hint: "check the YAML syntax at this position")
        }
    }

    private func tabError(at mark: SourceMark) -> YAMLError {
        YAMLError(
            mark: mark,
            message: "tab character in indentation",
            hint: "YAML indents with spaces only; replace the tab with spaces"
        )
    }

    /// Tells apart the usual causes of a ':' where no key may start.
    private func colonHint(at mark: SourceMark, in source: YAMLSource) -> String {
        let lines = source.lines(through: mark.line)
        guard lines.count == mark.line else { return Self.genericColonHint }
        let line = Array(lines[mark.line - 1])
        let before = String(line.prefix(max(0, mark.column - 1)))
        if before.contains(": ") {
            return "this line already has a 'key: '; a value containing ': ' must be quoted"
        }
        let indent = line.prefix(while: { $0 == " " }).count
        // The nearest line above with something besides spaces and comments.
        let previous = lines.dropLast().last { line in
            let trimmed = line.drop(while: { $0 == " " })
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        if let previous {
            let previousIndent = previous.prefix(while: { $0 == " " }).count
            let previousText = previous.drop(while: { $0 == " " })
            if !previousText.contains(":"), !previousText.hasPrefix("-") {
                return "the line before has no ':', so YAML reads it and this key as one text; add the missing ':'"
            }
            if indent > previousIndent {
                return "this line is indented deeper than the line before, which already has a value; "
                    + "align it with the key above"
            }
        }
        return Self.genericColonHint
    }

    private static let genericColonHint =
        "a ': ' cannot start a key here; quote the value if the ':' belongs to it, and check the indentation"
}
